package portal

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"sesam/access"
)

// BenchmarkJournalUnderSearchLoad measures the journal's appends per second and the
// latency a consultation pays for its entry while the portal serves authenticated
// searches (real Bleve searches through the handlers, each journalled itself), with
// 0, 4 and 16 searchers. Appends come from 8 concurrent callers, as consultations do.
//
//	go test -run '^$' -bench JournalUnderSearchLoad -benchtime 5s ./portal/
func BenchmarkJournalUnderSearchLoad(b *testing.B) {
	for _, searchers := range []int{0, 4, 16} {
		b.Run(fmt.Sprintf("searchers=%d", searchers), func(b *testing.B) {
			searches, stop := portalSearches(b, searchers)
			var mu sync.Mutex
			var lat []time.Duration
			b.SetParallelism(4) // 8 callers on 2 CPUs
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				var own []time.Duration
				for i := int64(0); pb.Next(); i++ {
					start := time.Now()
					if _, err := tJournal.Append(context.Background(), access.JournalEntry{Subject: "bench",
						Action: access.ActionUnitView, Tenant: "cdg62/ruitz", UnitID: i + 1}); err != nil {
						b.Error(err)
					}
					own = append(own, time.Since(start))
				}
				mu.Lock()
				lat = append(lat, own...)
				mu.Unlock()
			})
			b.StopTimer()
			stop()
			slices.Sort(lat)
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "appends/s")
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds()), "p95-µs")
			b.ReportMetric(float64(searches.Load())/b.Elapsed().Seconds(), "searches/s")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// portalSearches runs n goroutines searching as the Ruitz agent through the portal's
// handlers until stop is called, and counts the searches served.
func portalSearches(b *testing.B, n int) (*atomic.Int64, func()) {
	b.Helper()
	done := new(atomic.Int64)
	token := "bench-" + randomToken()
	s := *agentRuitz
	s.CSRF, s.ExpiresAt = "csrf-"+token, time.Now().Add(time.Hour)
	if err := tStore.CreateSession(context.Background(), token, s); err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	queries := []string{"registre", "mariages", "conseil municipal", "école", "cadastre", "délibérations"}
	for g := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := g; ctx.Err() == nil; i++ {
				req := httptest.NewRequest(http.MethodGet, searchPath(queries[i%len(queries)]), nil)
				req.AddCookie(&http.Cookie{Name: sessionCookie, Value: token})
				resp, err := tApp.Handler().Test(req, -1)
				if err != nil {
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					done.Add(1)
				}
			}
		}()
	}
	return done, func() { cancel(); wg.Wait() }
}
