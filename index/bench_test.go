package index

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"sesam/access"
	"sesam/seda"
	"sesam/store"
)

// benchUnits is the size of the synthetic index of the filter benchmarks
// (SESAM_BENCH_UNITS overrides it).
func benchUnits() int {
	if n, err := strconv.Atoi(os.Getenv("SESAM_BENCH_UNITS")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

var (
	benchOnce  sync.Once
	benchIndex *Index
	benchErr   error
)

// benchWords is a small French archival vocabulary, drawn Zipf-style.
var benchWords = []string{"délibération", "conseil", "municipal", "registre", "école", "travaux", "voirie", "budget",
	"personnel", "cadastre", "église", "mariage", "naissance", "arrêté", "maire", "commune", "marché", "assainissement",
	"eau", "bâtiment", "subvention", "élection", "population", "recensement", "cimetière", "police", "urbanisme",
	"permis", "construire", "comptabilité", "finances", "emprunt", "correspondance", "association", "fête", "sport"}

// benchIndexOnce builds (once per run) an index of synthetic units spread over 300
// tenants of two operators with a Zipf-skewed size, with realistic opening days.
func benchIndexOnce(b *testing.B) *Index {
	benchOnce.Do(func() {
		dir, err := os.MkdirTemp("", "sesam-bench-index-")
		if err != nil {
			benchErr = err
			return
		}
		gen, err := newGeneration(dir)
		if err != nil {
			benchErr = err
			return
		}
		r := rand.New(rand.NewPCG(42, 1))
		zt := rand.NewZipf(rand.New(rand.NewPCG(1, 2)), 1.2, 4, 299)
		zw := rand.NewZipf(rand.New(rand.NewPCG(3, 4)), 1.1, 2, uint64(len(benchWords)-1))
		n := benchUnits()
		start := time.Now()
		batch := make([]*store.IndexUnit, 0, 1000)
		for i := 1; i <= n; i++ {
			t := int(zt.Uint64())
			op := "cdg62"
			if t%3 == 0 {
				op = "cdg59"
			}
			tenant := fmt.Sprintf("%s/c%03d", op, t)
			title := ""
			for w := 0; w < 6+r.IntN(6); w++ {
				title += benchWords[zw.Uint64()] + " "
			}
			y := 1826 + r.IntN(200)
			s := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
			e := s.AddDate(r.IntN(20), 0, 0)
			open := []int{access.AlwaysDay, access.AlwaysDay, access.AlwaysDay, 20400101, 20750101, access.NeverDay}[r.IntN(6)]
			u := &store.Unit{ID: int64(i), TenantID: tenant, Level: []string{"Fonds", "Series", "File", "Item", "Item", "Item"}[r.IntN(6)],
				Title: title, Cote: fmt.Sprintf("%d W %d", r.IntN(9)+1, i), StartDate: &s, EndDate: &e, OpenDay: open,
				OriginatingAgency: fmt.Sprintf("MAIRIE-%03d", t), Content: seda.Unit{Descriptions: []seda.Text{{Value: title + title}}}}
			batch = append(batch, &store.IndexUnit{Unit: u})
			if len(batch) == cap(batch) || i == n {
				if benchErr = gen.write(batch, nil, 0); benchErr != nil {
					return
				}
				batch = batch[:0]
			}
		}
		if benchErr = compact(context.Background(), gen.idx); benchErr != nil { // as a reindex leaves it
			return
		}
		fmt.Fprintf(os.Stderr, "bench index: %d units in %.1f s\n", n, time.Since(start).Seconds())
		benchIndex = &Index{dir: dir, gen: gen}
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchIndex
}

// BenchmarkSearchScopes: the cost of the security filter — the same queries with no
// filter (an administrator), for an agent of one small tenant, for an archivist of an
// operator covering ~200 tenants, and for the public (50 publishing tenants).
func BenchmarkSearchScopes(b *testing.B) {
	ix := benchIndexOnce(b)
	today := access.Today(time.Now())
	var publics []string
	for t := 0; t < 300; t += 6 {
		op := "cdg62"
		if t%3 == 0 {
			op = "cdg59"
		}
		publics = append(publics, fmt.Sprintf("%s/c%03d", op, t))
	}
	scopes := []struct {
		name string
		s    access.Scope
	}{
		{"none", access.Scope{All: true, Today: today}},
		{"agent", access.Scope{Tenants: []string{"cdg62/c250"}, Today: today}},
		{"archivist", access.Scope{Tenants: []string{"cdg62"}, Today: today}},
		{"public", access.Scope{PublicTenants: publics, Today: today}},
	}
	queries := []struct {
		name string
		req  Request
	}{
		{"word", Request{Query: "conseil"}},
		{"two_words", Request{Query: "conseil municipal"}},
		{"faceted", Request{Query: "budget", Facets: true}},
		{"browse", Request{Facets: true}},
	}
	ctx := context.Background()
	for _, q := range queries {
		for _, sc := range scopes {
			b.Run(q.name+"/"+sc.name, func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					if _, err := ix.Search(ctx, sc.s, q.req, nil); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
