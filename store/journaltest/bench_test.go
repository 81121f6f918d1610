package journaltest

import (
	"context"
	"crypto/sha256"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"sesam/access"
	"sesam/store"
)

// BenchmarkJournalAppend measures appends per second and the latency a consultation
// pays for its entry: one caller at a time (serial), many concurrent requests
// (parallel: 32 per CPU, as a busy portal), and both under a search-like load
// that keeps the CPUs busy: 4 goroutines per CPU, each spending 1 ms of CPU (a Bleve
// search) then making a round trip to PostgreSQL (the rights re-check), in a loop.
// It stands in for the portal benchmark's search load, which lives in the portal.
//
//	go test -run '^$' -bench JournalAppend -benchtime 3s ./store/journaltest/
func BenchmarkJournalAppend(b *testing.B) {
	b.Run("serial", func(b *testing.B) {
		benchAppend(b, 0, false)
	})
	b.Run("serial_search_load", func(b *testing.B) {
		benchAppend(b, 0, true)
	})
	b.Run("parallel", func(b *testing.B) {
		benchAppend(b, 32, false)
	})
	b.Run("parallel_search_load", func(b *testing.B) {
		benchAppend(b, 32, true)
	})
}

// BenchmarkRoundTrip is the yardstick for BenchmarkJournalAppend: the latency of a
// bare query (SELECT 1), alone and under the same search-like load.
func BenchmarkRoundTrip(b *testing.B) {
	for _, load := range []bool{false, true} {
		name := "alone"
		if load {
			name = "search_load"
		}
		b.Run(name, func(b *testing.B) {
			if load {
				_, stop := loadSearches(4 * runtime.GOMAXPROCS(0))
				defer stop()
			}
			lat := make([]time.Duration, 0, b.N)
			var one int
			b.ResetTimer()
			for range b.N {
				start := time.Now()
				if err := st.Pool().QueryRow(context.Background(), `SELECT 1`).Scan(&one); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(start))
			}
			b.StopTimer()
			reportLatency(b, lat)
		})
	}
}

// reportLatency reports the median and 95th percentile of lat.
func reportLatency(b *testing.B, lat []time.Duration) {
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds()), "p95-µs")
}

func benchAppend(b *testing.B, parallelism int, searchLoad bool) {
	resetJournal(b)
	j := store.NewJournal(st, store.JournalOptions{})
	defer j.Close()
	ctx := context.Background()
	var searches *atomic.Int64
	if searchLoad {
		var stop func()
		searches, stop = loadSearches(4 * runtime.GOMAXPROCS(0))
		defer stop()
	}
	var mu sync.Mutex
	var lat []time.Duration
	appendOne := func(own *[]time.Duration, i int64) {
		start := time.Now()
		if _, err := j.Append(ctx, view("bench", "cdg62/ruitz", i)); err != nil {
			b.Error(err)
		}
		*own = append(*own, time.Since(start))
	}
	b.ResetTimer()
	if parallelism == 0 {
		for i := range b.N {
			appendOne(&lat, int64(i))
		}
	} else {
		b.SetParallelism(parallelism)
		b.RunParallel(func(pb *testing.PB) {
			var own []time.Duration
			for i := int64(0); pb.Next(); i++ {
				appendOne(&own, i)
			}
			mu.Lock()
			lat = append(lat, own...)
			mu.Unlock()
		})
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "appends/s")
	reportLatency(b, lat)
	b.ReportMetric(float64(j.Appended())/float64(max(j.Batches(), 1)), "entries/batch")
	if searches != nil {
		b.ReportMetric(float64(searches.Load())/b.Elapsed().Seconds(), "searches/s")
	}
	b.ReportMetric(0, "ns/op") // appends/s says it better
}

// loadSearches runs n goroutines that each spend 1 ms of CPU then query the database,
// until stop is called; it counts the rounds done.
func loadSearches(n int) (rounds *atomic.Int64, stop func()) {
	rounds = new(atomic.Int64)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 4096)
			for ctx.Err() == nil {
				for start := time.Now(); time.Since(start) < time.Millisecond; {
					sum := sha256.Sum256(buf)
					buf[0] = sum[0]
				}
				var one int
				if st.Pool().QueryRow(ctx, `SELECT $1::int`, 1).Scan(&one) == nil {
					rounds.Add(1)
				}
			}
		}()
	}
	return rounds, func() { cancel(); wg.Wait() }
}

// BenchmarkVerifyJournal walks a chain of 100 000 entries (a few weeks of a busy
// portal) and reports entries checked per second.
func BenchmarkVerifyJournal(b *testing.B) {
	const n = 100_000
	resetJournal(b)
	ctx := context.Background()
	rows := make([][]any, n)
	prev := access.GenesisHash
	at := time.Now().UTC().Truncate(time.Microsecond)
	for i := range rows {
		e := view("bench", "cdg62/ruitz", int64(i+1))
		e.Format, e.Seq, e.At, e.PrevHash = access.JournalFormatLatest, int64(i+1), at, prev
		e.Tenants, e.Units = []string{e.Tenant}, []int64{e.UnitID}
		e.Hash = e.ComputeHash()
		prev = e.Hash
		rows[i] = []any{e.Format, e.Seq, e.At, e.Subject, e.Name, e.Roles, e.Tenant, e.Tenants, e.Action, e.UnitID,
			e.Units, e.Results, e.Client, e.UserAgent, e.HTTPRequestID, e.PrevHash, e.Hash}
	}
	_, err := st.Pool().CopyFrom(ctx, pgx.Identifier{"journal"}, []string{"format", "seq", "at", "subject", "name", "roles",
		"tenant", "tenants", "action", "unit_id", "units", "results", "client", "user_agent", "http_request_id", "prev_hash", "hash"},
		pgx.CopyFromRows(rows))
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		brk, checked, err := st.VerifyJournal(ctx)
		if err != nil || brk != nil || checked != n {
			b.Fatalf("VerifyJournal = %+v, %d, %v", brk, checked, err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "entries/s")
}
