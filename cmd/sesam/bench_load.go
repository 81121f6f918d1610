package main

import (
	"context"
	"math"
	"sort"
	"sync"
	"time"
)

// latency is one cell of the table: a query run by n clients for a while.
type latency struct {
	Requests int     `json:"requests"`
	Errors   int     `json:"errors"`
	FirstErr string  `json:"first_error,omitempty"`
	P50MS    float64 `json:"p50_ms"`
	P95MS    float64 `json:"p95_ms"`
	P99MS    float64 `json:"p99_ms"`
	QPS      float64 `json:"qps"`
}

// runLoad runs do with clients goroutines, each calling it in a loop until d has
// passed, and returns the latencies of the calls that succeeded and the throughput.
// A call in flight when d ends finishes and counts.
func runLoad(ctx context.Context, clients int, d time.Duration, do func(ctx context.Context, client, iter int) error) *latency {
	type result struct {
		times []time.Duration
		errs  int
		first error
	}
	results := make([]result, clients)
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := &results[c]
			for iter := 0; time.Now().Before(deadline) && ctx.Err() == nil; iter++ {
				t0 := time.Now()
				if err := do(ctx, c, iter); err != nil {
					r.errs++
					if r.first == nil {
						r.first = err
					}
					continue
				}
				r.times = append(r.times, time.Since(t0))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	l := &latency{}
	var all []time.Duration
	for _, r := range results {
		all = append(all, r.times...)
		l.Errors += r.errs
		if r.first != nil && l.FirstErr == "" {
			l.FirstErr = r.first.Error()
		}
	}
	l.Requests = len(all)
	l.P50MS, l.P95MS, l.P99MS = percentileMS(all, 50), percentileMS(all, 95), percentileMS(all, 99)
	l.QPS = float64(len(all)) / elapsed.Seconds()
	return l
}

// percentileMS is the p-th percentile (nearest rank) in milliseconds; 0 without data.
func percentileMS(ds []time.Duration, p float64) float64 {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	rank := int(math.Ceil(p/100*float64(len(s)))) - 1
	return elapsedMS(s[min(max(rank, 0), len(s)-1)])
}

// elapsedMS is a duration in milliseconds.
func elapsedMS(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// rssSampler records the largest resident memory seen while it runs.
// The resident memory counts the index files' pages that the process maps and reads
// (page cache, given back under pressure) besides its own anonymous memory (the heap):
// the sampler keeps the peaks of both.
type rssSampler struct {
	stopc chan struct{}
	done  chan [2]float64
}

func startRSSSampler() *rssSampler {
	s := &rssSampler{stopc: make(chan struct{}), done: make(chan [2]float64, 1)}
	go func() {
		peak := [2]float64{procStatusMB("VmRSS"), procStatusMB("RssAnon")}
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-s.stopc:
				s.done <- peak
				return
			case <-t.C:
				peak[0] = max(peak[0], procStatusMB("VmRSS"))
				peak[1] = max(peak[1], procStatusMB("RssAnon"))
			}
		}
	}()
	return s
}

// stop ends the sampling and returns the peaks in MB: resident, and anonymous.
func (s *rssSampler) stop() (rss, anon float64) {
	close(s.stopc)
	p := <-s.done
	return p[0], p[1]
}

// runBeside times light with one client while the other clients run heavy in a loop
// for as long: the latency of a quick request on a busy engine. It returns both
// figures; with fewer than two clients there is no one to be busy and nothing is run.
func runBeside(ctx context.Context, clients int, d time.Duration, light, heavy loadFunc) (lat, busy *latency) {
	if clients < 2 {
		return nil, nil
	}
	done := make(chan *latency)
	go func() {
		done <- runLoad(ctx, clients-1, d, func(ctx context.Context, client, iter int) error {
			return heavy(ctx, client+1, iter)
		})
	}()
	lat = runLoad(ctx, 1, d, light)
	return lat, <-done
}
