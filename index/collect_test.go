package index

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/google/go-cmp/cmp"

	"sesam/access"
	"sesam/store"
)

// TestOrdersAndPaging: in every order, walking the results page by page with the
// "next page" cursors and jumping to page N give the same sequence, each unit once,
// and the sequence follows the order as the store sees it.
func TestOrdersAndPaging(t *testing.T) {
	ctx := context.Background()
	scope := access.Scope{Tenants: []string{"cdg62", "cdg59"}, Today: access.Today(timeNow())}
	var total int
	if err := testStore.Pool().QueryRow(ctx, "SELECT count(*) FROM unit").Scan(&total); err != nil {
		t.Fatal(err)
	}
	// The store's view of each order, for the units the index holds.
	sqlOrder := map[string]string{
		SortDate:      "least(coalesce(start_date, end_date), coalesce(end_date, start_date)) NULLS LAST, id",
		SortDateDesc:  "greatest(coalesce(start_date, end_date), coalesce(end_date, start_date)) DESC NULLS LAST, id",
		SortOpened:    "open_day DESC, id",
		SortRelevance: "", // checked by the scores below
	}
	for _, c := range []struct{ sort, query string }{
		{SortRelevance, ""}, {SortRelevance, "archives OR document OR dossier"}, {SortDate, ""}, {SortDateDesc, ""},
		{SortTitle, ""}, {SortCote, ""}, {SortOpened, ""},
	} {
		t.Run(c.sort+"/"+c.query, func(t *testing.T) {
			all := walk(t, ctx, scope, Request{Query: c.query, Sort: c.sort, Size: 7})
			byPage := jump(t, ctx, scope, Request{Query: c.query, Sort: c.sort, Size: 7})
			if diff := cmp.Diff(ids(all), ids(byPage)); diff != "" {
				t.Errorf("cursor pages and numbered pages differ (-cursor +numbered):\n%s", diff)
			}
			seen := map[int64]bool{}
			for _, h := range all {
				if seen[h.ID] {
					t.Errorf("unit %d twice", h.ID)
				}
				seen[h.ID] = true
			}
			if c.query == "" && len(all) != total {
				t.Errorf("browse walked %d units, the store has %d", len(all), total)
			}
			if c.query != "" && len(all) == 0 {
				t.Fatal("the query finds nothing: the test says nothing")
			}
			for i := 1; i < len(all); i++ {
				if c.query != "" && all[i].Score > all[i-1].Score {
					t.Errorf("hit %d (%d) scores %g above the hit before it (%g)", i, all[i].ID, all[i].Score, all[i-1].Score)
				}
			}
			if q, ok := sqlOrder[c.sort]; ok && q != "" && c.query == "" {
				want := sqlIDs(t, ctx, "SELECT id FROM unit ORDER BY "+q)
				if diff := cmp.Diff(want, ids(all)); diff != "" {
					t.Errorf("order differs from the store's (-sql +index):\n%s", diff)
				}
			}
		})
	}
}

// TestCursorOfAnotherOrder: a cursor followed in another order is a clear error.
func TestCursorOfAnotherOrder(t *testing.T) {
	ctx := context.Background()
	scope := access.Scope{Tenants: []string{"cdg62", "cdg59"}, Today: access.Today(timeNow())}
	res, err := testIndex.Search(ctx, scope, Request{Sort: SortDate, Size: 2}, nil)
	if err != nil || res.Next == "" {
		t.Fatalf("first page: %v, next %q", err, res.Next)
	}
	for _, after := range []string{res.Next + "x", "AAAA", "%%%"} {
		if _, err := testIndex.Search(ctx, scope, Request{Sort: SortDate, Size: 2, After: after}, nil); err == nil {
			t.Errorf("cursor %q accepted", after)
		}
	}
	if _, err := testIndex.Search(ctx, scope, Request{Sort: SortTitle, Size: 2, After: res.Next}, nil); err == nil {
		t.Error("a date cursor was accepted for the title order")
	}
}

// TestHistogramMatchesSQL: the bars count what SQL counts, every unit in every period
// its dates cover (long spans included), within the years asked for.
func TestHistogramMatchesSQL(t *testing.T) {
	ctx := context.Background()
	scope := access.Scope{Tenants: []string{"cdg62", "cdg59"}, Today: access.Today(timeNow())}
	for _, c := range []struct {
		unit     string
		from, to int
	}{{"decade", 1900, 2099}, {"year", 1990, 2005}, {"century", 1000, 2500}} {
		res, err := testIndex.Search(ctx, scope, Request{Facets: true, Filters: Filters{FromYear: &c.from, ToYear: &c.to}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.Histogram == nil || res.Histogram.Unit != c.unit {
			t.Fatalf("%d..%d: histogram %+v, want unit %s", c.from, c.to, res.Histogram, c.unit)
		}
		got := map[string]int{}
		for _, b := range res.Histogram.Bars {
			if b.Count > 0 {
				got[fmt.Sprint(b.From)] = b.Count
			}
			if b.To < c.from || b.From > c.to {
				t.Errorf("%d..%d: bar %d-%d outside the years asked for", c.from, c.to, b.From, b.To)
			}
		}
		w := map[string]int{"century": 100, "decade": 10, "year": 1}[c.unit]
		want := sqlCounts(t, `SELECT p::text, count(*) FROM unit,
			generate_series(floor(least(extract(year from coalesce(start_date, end_date)), extract(year from coalesce(end_date, start_date))) / $3)::int * $3,
				floor(greatest(extract(year from coalesce(start_date, end_date)), extract(year from coalesce(end_date, start_date))) / $3)::int * $3, $3) p
			WHERE coalesce(start_date, end_date) IS NOT NULL
			  AND least(extract(year from start_date), extract(year from end_date)) <= $1
			  AND greatest(extract(year from coalesce(end_date, start_date)), extract(year from coalesce(start_date, end_date))) >= $2
			  AND p + $3 - 1 >= $2 AND p <= $1
			GROUP BY 1`, c.to, c.from, w)
		if len(want) == 0 {
			t.Fatalf("%d..%d: no dated unit: the test says nothing", c.from, c.to)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%d..%d (-sql +index):\n%s", c.from, c.to, diff)
		}
	}
}

func walk(t *testing.T, ctx context.Context, scope access.Scope, req Request) []Hit {
	t.Helper()
	var out []Hit
	for pages := 0; pages < 1000; pages++ {
		res, err := testIndex.Search(ctx, scope, req, nil)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, res.Hits...)
		if res.Next == "" {
			return out
		}
		req.After = res.Next
	}
	t.Fatal("more than 1000 pages")
	return nil
}

func jump(t *testing.T, ctx context.Context, scope access.Scope, req Request) []Hit {
	t.Helper()
	var out []Hit
	for req.Page = 1; req.Page < 1000; req.Page++ {
		res, err := testIndex.Search(ctx, scope, req, nil)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, res.Hits...)
		if res.Next == "" {
			return out
		}
	}
	t.Fatal("more than 1000 pages")
	return nil
}

func ids(hits []Hit) []int64 {
	out := make([]int64, len(hits))
	for i, h := range hits {
		out[i] = h.ID
	}
	return out
}

func sqlIDs(t *testing.T, ctx context.Context, q string) []int64 {
	t.Helper()
	rows, err := testStore.Pool().Query(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out = append(out, id)
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	return slices.Clip(out)
}

// noMerges is scorch configuration under which the background merger leaves the
// segments as written (tests that need several segments, or old versions kept deleted).
// A new map each time: Bleve writes into the configuration it is given.
func noMerges() map[string]interface{} {
	return map[string]interface{}{"scorchMergePlanOptions": map[string]interface{}{
		"MaxSegmentsPerTier": 100, "SegmentsPerMergeTask": 100, "TierGrowth": 10.0, "MaxSegmentSize": 1 << 20, "FloorSegmentSize": 1}}
}

// unmergedIndex is an index on a new generation whose segments are never merged,
// closed with the test.
func unmergedIndex(t *testing.T) (*Index, *generation) {
	t.Helper()
	newGenerationConfig = noMerges()
	gen, err := newGeneration(t.TempDir())
	newGenerationConfig = nil
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { gen.idx.Close() })
	return &Index{gen: gen}, gen
}

// TestBrowseAfterUpdates: a unit written again lives in a newer segment and its old
// version is deleted in the older one; a browse counts and shows the current version
// only (a unit closed since is gone for the public, one opened since is there).
func TestBrowseAfterUpdates(t *testing.T) {
	ctx := context.Background()
	ix, gen := unmergedIndex(t) // the old versions stay, deleted, in the first segment
	unit := func(id int64, open int, title string) *store.IndexUnit {
		return &store.IndexUnit{Unit: &store.Unit{ID: id, TenantID: "cdg62/ruitz", Level: "Item", Title: title, OpenDay: open}}
	}
	today := access.Today(timeNow())
	if err := gen.write([]*store.IndexUnit{unit(1, access.AlwaysDay, "ancien titre"), unit(2, access.NeverDay, "fermé"),
		unit(3, access.NeverDay, "inchangé")}, nil, 1); err != nil {
		t.Fatal(err)
	}
	adv, _ := gen.idx.Advanced()
	if err := flush(ctx, adv.(*scorch.Scorch)); err != nil { // the first version on disk, apart
		t.Fatal(err)
	}
	if err := gen.write([]*store.IndexUnit{unit(1, access.NeverDay, "nouveau titre"), unit(2, access.AlwaysDay, "ouvert")}, nil, 2); err != nil {
		t.Fatal(err)
	}
	public := access.Scope{PublicTenants: []string{"cdg62/ruitz"}, Today: today}
	res, err := ix.Search(ctx, public, Request{Facets: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 1 || len(res.Hits) != 1 || res.Hits[0].ID != 2 || res.Hits[0].Title != "ouvert" { // 3 is closed
		t.Errorf("public browse after the updates: total %d, hits %+v; want unit 2 \"ouvert\" alone", res.Total, res.Hits)
	}
	staff := access.Scope{Tenants: []string{"cdg62"}, Today: today}
	if res, err = ix.Search(ctx, staff, Request{Facets: true}, nil); err != nil || res.Total != 3 {
		t.Fatalf("staff browse after the updates: %v, total %d, want 3", err, res.Total)
	}
	for _, f := range res.Facets {
		for _, v := range f.Values {
			if f.Name == "tenant" && v.Count != 3 {
				t.Errorf("tenant facet counts %d, want 3 (one per unit)", v.Count)
			}
		}
	}
}

// TestDirectCollectsAsBleve: words ranked by relevance, handed by our searchers straight
// to the collector, find what they find through Bleve's search and collector: the same
// total, hits with the same scores to the bit, the same facets, histogram and next
// page, for every kind of scope (its security filter is the collector's on both paths).
func TestDirectCollectsAsBleve(t *testing.T) {
	ctx := context.Background()
	today := access.Today(timeNow())
	scopes := map[string]access.Scope{
		"archivist": {Tenants: []string{"cdg62", "cdg59"}, Today: today},
		"agent":     {Tenants: []string{"cdg62/ruitz"}, Today: today},
		"public":    {PublicTenants: []string{"cdg62/ruitz"}, Today: today},
		"admin":     {All: true, Today: today},
	}
	queries := []string{"registres", "conseil municipal", `"conseil municipal"`, "délibérations budget",
		"eglise", "mariages naissances décès", "aucunmotpareil"}
	// Each query is words alone, the kind collected directly: else the two paths
	// below are one and the comparison says nothing.
	if err := testIndex.read(func(g *generation) error {
		for _, q := range queries {
			node, err := Parse(q)
			if err != nil {
				return err
			}
			full := newSearcher(g, scopes["archivist"], Request{Query: q}, nil).fullQuery(node)
			if _, ok := full.(directQuery); !ok {
				t.Errorf("%q is searched as %T, not collected directly", q, full)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	found := 0
	for name, scope := range scopes {
		for _, q := range queries {
			for _, req := range []Request{
				{Query: q, Size: 3, Facets: true, Staff: name != "public"},
				{Query: q, Size: 2, Page: 2},
			} {
				direct, err := testIndex.search(ctx, scope, req, nil, false)
				if err != nil {
					t.Fatalf("%s %q: %v", name, q, err)
				}
				viaBleve, err := testIndex.search(ctx, scope, req, nil, true)
				if err != nil {
					t.Fatalf("%s %q through Bleve: %v", name, q, err)
				}
				direct.Took, viaBleve.Took = 0, 0
				if diff := cmp.Diff(viaBleve, direct); diff != "" {
					t.Errorf("%s %q page %d: direct differs from Bleve's collector (-bleve +direct):\n%s", name, q, req.Page, diff)
				}
				found += len(direct.Hits)
			}
		}
	}
	if found == 0 {
		t.Fatal("no query finds anything: the test says nothing")
	}
}

// TestHitFields: a hit shows what was indexed of its unit (title, cote, level,
// collectivité, dates, breadcrumb path, opening day), whichever way it was found: a
// browse, a cote, words (located for snippets), by a scope seeing it in full or its
// description only, and after an update left its old version deleted in a segment.
func TestHitFields(t *testing.T) {
	ctx := context.Background()
	ix, gen := unmergedIndex(t)
	day := func(s string) *time.Time {
		d, err := time.Parse("2006-01-02", s)
		if err != nil {
			t.Fatal(err)
		}
		return &d
	}
	open := &store.IndexUnit{Unit: &store.Unit{ID: 10, TenantID: "cdg62/ruitz", Level: "File", Title: "registre des délibérations",
		Cote: "1 D 5", OpenDay: access.AlwaysDay, StartDate: day("1950-03-01"), EndDate: day("1960-12-31")}, Path: []int64{1, 5}}
	closed := &store.IndexUnit{Unit: &store.Unit{ID: 11, TenantID: "cdg62/ruitz", Level: "Item", Title: "délibérations du conseil",
		Cote: "1 D 6", OpenDay: 20991231, DescriptionPublic: true, StartDate: day("2001-01-02")}, Path: []int64{1, 5, 10}}
	if err := gen.write([]*store.IndexUnit{open, closed}, nil, 1); err != nil {
		t.Fatal(err)
	}
	adv, _ := gen.idx.Advanced()
	if err := flush(ctx, adv.(*scorch.Scorch)); err != nil {
		t.Fatal(err)
	}
	open.Unit.Title = "registre des délibérations municipales" // the first version stays, deleted
	if err := gen.write([]*store.IndexUnit{open}, nil, 2); err != nil {
		t.Fatal(err)
	}
	want := map[int64]Hit{
		10: {ID: 10, Tenant: "cdg62/ruitz", Level: "File", Title: "registre des délibérations municipales", Cote: "1 D 5",
			Start: "1950-03-01", End: "1960-12-31", Path: []int64{1, 5}, OpenDay: access.AlwaysDay},
		11: {ID: 11, Tenant: "cdg62/ruitz", Level: "Item", Title: "délibérations du conseil", Cote: "1 D 6",
			Start: "2001-01-02", End: "2001-01-02", Path: []int64{1, 5, 10}, OpenDay: 20991231},
	}
	today := access.Today(timeNow())
	staff := access.Scope{Tenants: []string{"cdg62"}, Today: today}
	public := access.Scope{PublicTenants: []string{"cdg62/ruitz"}, Today: today}
	for _, c := range []struct {
		name  string
		scope access.Scope
		req   Request
		ids   []int64
		words bool
	}{
		{"staff browse", staff, Request{}, []int64{10, 11}, false},
		{"staff cote", staff, Request{Query: `cote:"1 D 5"`}, []int64{10}, false},
		{"staff words", staff, Request{Query: "délibérations"}, []int64{10, 11}, true},
		{"staff words by date", staff, Request{Query: "délibérations", Sort: SortDate}, []int64{10, 11}, true},
		{"public words", public, Request{Query: "délibérations"}, []int64{10, 11}, true}, // 11 by its description
	} {
		res, err := ix.Search(ctx, c.scope, c.req, nil)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var got []int64
		for _, h := range res.Hits {
			got = append(got, h.ID)
			marked := len(h.Snippets) > 0 && strings.Contains(h.Snippets[0].HTML, "<mark>")
			if c.words != marked {
				t.Errorf("%s: unit %d snippets %+v, want a marked title: %v", c.name, h.ID, h.Snippets, c.words)
			}
			h.Snippets, h.Score = nil, 0
			if diff := cmp.Diff(want[h.ID], h); diff != "" {
				t.Errorf("%s: unit %d (-indexed +hit):\n%s", c.name, h.ID, diff)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, c.ids) {
			t.Errorf("%s: units %v, want %v", c.name, got, c.ids)
		}
	}
}

// TestHitsOfTwoSnapshots: the units seen in full and those seen by their description
// only are two passes, and an index write between them makes the second search another
// snapshot; each hit is read in its own (in the other, its number is another unit).
func TestHitsOfTwoSnapshots(t *testing.T) {
	ctx := context.Background()
	ix, gen := unmergedIndex(t)
	units := func(version string, from, to int64) []*store.IndexUnit {
		var out []*store.IndexUnit
		for id := from; id <= to; id++ {
			u := &store.Unit{ID: id, TenantID: "cdg62/ruitz", Level: "File", Title: fmt.Sprintf("registre %d %s", id, version),
				Cote: fmt.Sprintf("%d W", id), OpenDay: access.AlwaysDay}
			if id%2 == 1 { // closed, its description public: the public sees it by its description only
				u.OpenDay, u.DescriptionPublic = access.NeverDay, true
			}
			out = append(out, &store.IndexUnit{Unit: u, Path: []int64{1000 + id}})
		}
		return out
	}
	if err := gen.write(units("v1", 1, 30), nil, 1); err != nil {
		t.Fatal(err)
	}
	passes := 0
	afterPass = func() {
		if passes++; passes == 1 { // new units first, then every unit again: other numbers
			if err := gen.write(append(units("v2", 31, 40), units("v2", 1, 30)...), nil, 2); err != nil {
				t.Error(err)
			}
		}
	}
	defer func() { afterPass = nil }()
	public := access.Scope{PublicTenants: []string{"cdg62/ruitz"}, Today: access.Today(timeNow())}
	res, err := ix.Search(ctx, public, Request{Query: "registre", Size: 100}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if passes != 2 {
		t.Fatalf("%d passes, want 2 (full, then description only)", passes)
	}
	versions := map[string]int{}
	for _, h := range res.Hits {
		title := strings.Fields(h.Title)
		if len(title) != 3 || title[1] != strconv.FormatInt(h.ID, 10) || h.Cote != fmt.Sprintf("%d W", h.ID) ||
			!slices.Equal(h.Path, []int64{1000 + h.ID}) {
			t.Errorf("unit %d shows another unit's fields: %+v", h.ID, h)
			continue
		}
		versions[title[2]]++
	}
	if versions["v1"] == 0 || versions["v2"] == 0 {
		t.Errorf("hits of versions %v: want hits read in both snapshots", versions)
	}
}
