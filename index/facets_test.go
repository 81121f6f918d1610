package index

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"sesam/access"
)

// TestFacetCountsMatchSQL: the facet counts of a browse (all units, then within a
// fonds, then one tenant's public units) equal counts computed directly in SQL.
func TestFacetCountsMatchSQL(t *testing.T) {
	ctx := context.Background()
	all := access.Scope{Tenants: []string{"cdg62", "cdg59"}, Today: access.Today(timeNow())}
	public := access.Scope{PublicTenants: []string{"cdg62/ruitz"}, Today: all.Today}
	cases := []struct {
		name  string
		scope access.Scope
		req   Request
		where string
		args  []any
	}{
		{"everything", all, Request{Facets: true}, "true", nil},
		{"within the Ruitz fonds", all, Request{Facets: true, Filters: Filters{Within: ruitzIDs["FONDS"]}}, "ancestors @> ARRAY[$1::bigint]", []any{ruitzIDs["FONDS"]}},
		{"the public", public, Request{Facets: true}, "tenant_id = 'cdg62/ruitz' AND open_day <= $1 AND publish_day <= $1", []any{all.Today}},
		{"1900 to 1999", all, Request{Facets: true, Filters: Filters{FromYear: ptr(1900), ToYear: ptr(1999)}},
			"start_date IS NOT NULL AND extract(year from coalesce(start_date, end_date)) <= 1999 AND extract(year from coalesce(end_date, start_date)) >= 1900", nil},
	}
	for _, c := range cases {
		res, err := testIndex.Search(ctx, c.scope, c.req, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []struct{ facet, column string }{{"level", "level"}, {"tenant", "tenant_id"}, {"producer", "originating_agency"}} {
			want := sqlCounts(t, "SELECT "+f.column+", count(*) FROM unit WHERE "+c.where+" AND "+f.column+" <> '' GROUP BY 1", c.args...)
			got := map[string]int{}
			for _, fc := range res.Facets {
				if fc.Name == f.facet {
					for _, v := range fc.Values {
						got[v.Value] = v.Count
					}
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s, facet %s (-sql +index):\n%s", c.name, f.facet, diff)
			}
		}
		var total int
		testStore.Pool().QueryRow(ctx, "SELECT count(*) FROM unit WHERE "+c.where, c.args...).Scan(&total)
		if int(res.Total) != total {
			t.Errorf("%s: total %d, SQL %d", c.name, res.Total, total)
		}
	}
}

func sqlCounts(t *testing.T, q string, args ...any) map[string]int {
	t.Helper()
	rows, err := testStore.Pool().Query(context.Background(), q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	m := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			t.Fatal(err)
		}
		m[k] = n
	}
	return m
}

// TestTopValuesKeepsTheBest: a facet keeps the values a full sort by hits (then by
// value) would put first, whatever order they come in and however many tie.
func TestTopValuesKeepsTheBest(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		all := make([]FacetValue, r.IntN(120))
		for i := range all {
			all[i] = FacetValue{Value: fmt.Sprintf("v%03d", r.IntN(1000)), Count: 1 + r.IntN(8)}
		}
		n := r.IntN(40)
		top := &topValues{n: n}
		for _, v := range all {
			top.offer(v)
		}
		want := slices.Clone(all)
		slices.SortStableFunc(want, func(a, b FacetValue) int {
			if moreHits(a, b) {
				return -1
			}
			if moreHits(b, a) {
				return 1
			}
			return 0
		})
		want = want[:min(n, len(want))]
		if len(want) == 0 {
			want = nil
		}
		if diff := cmp.Diff(want, top.vs); diff != "" {
			t.Fatalf("round %d, %d values, keep %d (-full sort +kept):\n%s", round, len(all), n, diff)
		}
	}
}
