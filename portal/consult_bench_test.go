package portal

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"testing"
	"time"
)

// BenchmarkStaffConsultation measures what a staff member waits for, one request at a
// time, on the answers that are journalled: a search (API and page) and the view of a
// closed unit (page and API). The journal's commit is most of each.
//
//	go test -run '^$' -bench StaffConsultation -benchtime 2000x ./portal/
func BenchmarkStaffConsultation(b *testing.B) {
	token := "bench-" + randomToken()
	s := *agentRuitz
	s.CSRF, s.ExpiresAt = "csrf-"+token, time.Now().Add(time.Hour)
	if err := tStore.CreateSession(context.Background(), token, s); err != nil {
		b.Fatal(err)
	}
	closed := strconv.FormatInt(ruitz["E-MARIAGES"], 10)
	for _, c := range []struct{ name, path string }{
		{"search_api", "/api/v1/search?q=registre"},
		{"search_page", "/search?q=registre"},
		{"unit_page", "/units/" + closed},
		{"unit_api", "/api/v1/units/" + closed},
	} {
		b.Run(c.name, func(b *testing.B) {
			lat := make([]time.Duration, 0, b.N)
			for range b.N {
				req := httptest.NewRequest(http.MethodGet, c.path, nil)
				req.AddCookie(&http.Cookie{Name: sessionCookie, Value: token})
				start := time.Now()
				resp, err := tApp.Handler().Test(req, -1)
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				lat = append(lat, time.Since(start))
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("%s: %d", c.path, resp.StatusCode)
				}
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds()), "p95-µs")
			b.ReportMetric(0, "ns/op")
		})
	}
}
