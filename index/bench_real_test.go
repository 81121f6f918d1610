package index

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"sesam/access"
)

// BenchmarkSearchBenchIndex runs one query on an index `make bench` built (e.g.
// SESAM_BENCH_INDEX=var/bench/data/index), as an archivist of the bench's five
// operators, with SESAM_BENCH_TENANT=t as an agent of that collectivité alone, or, with
// SESAM_BENCH_ALL=1, as the administrator (no security filter); SESAM_BENCH_PUBLIC=f
// (the bench's tenants.txt) adds what the public sees (alone: as the public):
//
//	SESAM_BENCH_INDEX=... SESAM_BENCH_Q=archives SESAM_BENCH_FACETS=1 go test ./index -run '^$' -bench SearchBenchIndex -cpuprofile cpu.out
//
// It profiles a query at the bench's scale; it is skipped without an index.
func BenchmarkSearchBenchIndex(b *testing.B) {
	ix := openBenchIndex(b)
	scope := access.Scope{Tenants: strings.Fields("cdg59 cdg62 cdg80 cdg02 cdg60"), Today: access.Today(time.Now())}
	tenant := os.Getenv("SESAM_BENCH_TENANT")
	if tenant != "" {
		scope = access.Scope{Tenants: []string{tenant}, Today: scope.Today}
	}
	if os.Getenv("SESAM_BENCH_ALL") != "" {
		scope = access.Scope{All: true, Today: scope.Today}
	}
	if f := os.Getenv("SESAM_BENCH_PUBLIC"); f != "" {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		if tenant == "" {
			scope = access.Scope{Today: scope.Today}
		}
		for _, line := range strings.Split(string(data), "\n") {
			if cols := strings.Split(line, "\t"); len(cols) > 1 && cols[1] == "true" {
				scope.PublicTenants = append(scope.PublicTenants, cols[0])
			}
		}
		if len(scope.PublicTenants) == 0 {
			b.Fatalf("%s names no publishing tenant", f)
		}
	}
	req := Request{Query: os.Getenv("SESAM_BENCH_Q"), Facets: os.Getenv("SESAM_BENCH_FACETS") != "", Size: 20}
	ctx := context.Background()
	r, err := ix.Search(ctx, scope, req, nil) // reads the columns once
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if _, err := ix.Search(ctx, scope, req, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(r.Total), "hits") // after ResetTimer, which forgets it
}

// BenchmarkBoundBenchIndex is what index.Bound adds to a search of SESAM_BENCH_Q on an
// index `make bench` built (skipped without one), and prints the bound:
//
//	SESAM_BENCH_INDEX=... SESAM_BENCH_Q=archives go test ./index -run '^$' -bench BoundBenchIndex
func BenchmarkBoundBenchIndex(b *testing.B) {
	ix := openBenchIndex(b)
	ctx, q := context.Background(), os.Getenv("SESAM_BENCH_Q")
	n, err := ix.Bound(ctx, Request{Query: q})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("Bound(%q) = %d", q, n)
	b.ResetTimer()
	for range b.N {
		if _, err := ix.Bound(ctx, Request{Query: q}); err != nil {
			b.Fatal(err)
		}
	}
}

// openBenchIndex opens the index SESAM_BENCH_INDEX names, closed when b ends; b is
// skipped without one.
func openBenchIndex(b *testing.B) *Index {
	dir := os.Getenv("SESAM_BENCH_INDEX")
	if dir == "" {
		b.Skip("SESAM_BENCH_INDEX names no index")
	}
	ix, fresh, err := Open(dir)
	if err != nil || fresh {
		b.Fatalf("open %s: %v (fresh %v)", dir, err, fresh)
	}
	b.Cleanup(func() { ix.Close() })
	return ix
}
