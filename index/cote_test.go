package index

import (
	"cmp"
	"context"
	"encoding/binary"
	"slices"
	"testing"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search"
	gocmp "github.com/google/go-cmp/cmp"

	"sesam/access"
	"sesam/seda"
	"sesam/store"
)

// TestCoteLookup: cote:X lists the units whose cote is X, then those with X as another
// identifier, then the units below X in the order of their transfer (ids), whatever
// the spelling, across segments, never a deleted unit, a cote merely starting like X
// or a unit outside the scope; the same with a filter, beside words, page by page and
// whether our searcher or Bleve's collector gathers the hits.
func TestCoteLookup(t *testing.T) {
	ctx := context.Background()
	gen, err := newGeneration(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer gen.idx.Close()
	unit := func(id int64, tenant, cote, title string, ids ...string) *store.IndexUnit {
		return &store.IndexUnit{Unit: &store.Unit{ID: id, TenantID: tenant, Level: "Item", Title: title, Cote: cote,
			OpenDay: access.AlwaysDay, PublishDay: access.AlwaysDay, Content: seda.Unit{OriginatingAgencyIDs: ids}}}
	}
	// Each batch is a segment; the last one deletes a unit of the second.
	for _, batch := range [][]*store.IndexUnit{
		{unit(1, "t1", "1 D 1", "Délibérations"), unit(2, "t1", "1 D 1/2", "Registre 2"),
			unit(3, "t1", "1 D 1/10", "Registre 10"), unit(4, "t1", "1 D 10", "Registre voisin")},
		{unit(5, "t1", "1 D 1 bis", "Supplément"), unit(6, "t1", "X 9", "Ancienne cote", "1 D 1"),
			unit(7, "t1", "1 d  1/3", "Registre 3"), unit(8, "t1", "11 D 1", "Autre série"), unit(9, "t1", "1 D 1/4", "Registre détruit")},
		{unit(10, "t2", "1 D 1", "Délibérations d'ailleurs"), unit(11, "t2", "1 D 1/1", "Registre d'ailleurs"),
			unit(12, "t2", "1 D 1/7", "Pièce cotée deux fois", "1 D 1")},
	} {
		if err := gen.write(batch, nil, 0); err != nil {
			t.Fatal(err)
		}
	}
	if err := gen.write(nil, []int64{9}, 0); err != nil {
		t.Fatal(err)
	}
	is, err := gen.snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if segs := len(is.Segments()); segs < 2 {
		t.Fatalf("only %d segment: the crossing of segments would not be exercised", segs)
	}
	defer is.Close()
	checkCoteAdvance(t, is, newCoteQuery("1 D 1"))
	checkCoteDirect(t, is, newCoteQuery("1 D 1"))
	ix := &Index{gen: gen}
	today := access.Today(timeNow())
	one := access.Scope{Tenants: []string{"t1"}, Today: today}
	both := access.Scope{Tenants: []string{"t1", "t2"}, Today: today}
	// find runs a request both ways (our collector, Bleve's), checks they agree, and
	// walks its pages.
	find := func(scope access.Scope, req Request) []Hit {
		t.Helper()
		var pages []Hit
		for bleveCollects := range 2 {
			r := req
			var hits []Hit
			for range 10 {
				res, err := ix.search(ctx, scope, r, nil, bleveCollects == 1)
				if err != nil {
					t.Fatal(err)
				}
				hits = append(hits, res.Hits...)
				if res.Next == "" {
					break
				}
				r.After = res.Next
			}
			if bleveCollects == 0 {
				pages = hits
			} else if diff := gocmp.Diff(pages, hits); diff != "" {
				t.Errorf("%q: our collector and Bleve's differ (-ours +Bleve's):\n%s", req.Query, diff)
			}
		}
		return pages
	}
	for _, c := range []struct {
		name  string
		scope access.Scope
		req   Request
		want  []int64
	}{
		{"one collectivité", one, Request{Query: `cote:"1 D 1"`}, []int64{1, 6, 2, 3, 5, 7}},
		{"spelled otherwise", one, Request{Query: `cote:"1d1"`}, []int64{1, 6, 2, 3, 5, 7}},
		{"two collectivités", both, Request{Query: `cote:"1 D 1"`}, []int64{1, 10, 6, 12, 2, 3, 5, 7, 11}},
		{"a filter", both, Request{Query: `cote:"1 D 1"`, Filters: Filters{Tenants: []string{"t2"}}}, []int64{10, 12, 11}},
		{"beside a word", both, Request{Query: `cote:"1 D 1" registre`}, []int64{2, 3, 7, 11}},
		{"by cote", both, Request{Query: `cote:"1 D 1"`, Sort: SortCote}, []int64{1, 10, 11, 2, 7, 12, 3, 5, 6}},
		{"below a piece", both, Request{Query: `cote:"1 D 1/1"`}, []int64{11}},
		{"nothing", both, Request{Query: `cote:"9 Z 9"`}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, size := range []int{20, 3} {
				req := c.req
				req.Size = size
				hits := find(c.scope, req)
				if got := ids(hits); !slices.Equal(got, c.want) {
					t.Errorf("%q (pages of %d): %v, want %v", req.Query, size, got, c.want)
				}
			}
		})
	}
	// Scores: what ranks a cote first says so.
	hits := find(one, Request{Query: `cote:"1 D 1"`, Size: 20})
	if len(hits) < 3 || hits[0].Score != coteScoreExact || hits[1].Score != coteScoreIdentifier || hits[2].Score != coteScoreBelow {
		t.Errorf("scores %v, want exact %d, identifier %d, below %d", hits, coteScoreExact, coteScoreIdentifier, coteScoreBelow)
	}
}

// coteMatch is a match a cote searcher hands out.
type coteMatch struct {
	doc   uint64
	score float64
}

// coteMatches reads every match of s, in its order.
func coteMatches(t *testing.T, s directSearcher) []coteMatch {
	t.Helper()
	var ms []coteMatch
	for {
		d, score, err := s.nextDoc()
		if err != nil {
			t.Fatal(err)
		}
		if d == done {
			return ms
		}
		ms = append(ms, coteMatch{d, score})
	}
}

// checkCoteDirect: the searcher that feeds our collector (by segment and score, in no
// order within) hands out each match of the one Bleve drives once, with its score,
// the unit below the cote that also has it as another identifier included.
func checkCoteDirect(t *testing.T, is *scorch.IndexSnapshot, q *coteQuery) {
	t.Helper()
	ordered, err := q.searcher(is)
	if err != nil {
		t.Fatal(err)
	}
	direct, err := q.directSearcher(context.Background(), is)
	if err != nil {
		t.Fatal(err)
	}
	want, got := coteMatches(t, ordered), coteMatches(t, direct)
	slices.SortFunc(got, func(a, b coteMatch) int { return cmp.Compare(a.doc, b.doc) })
	if !slices.Equal(got, want) {
		t.Errorf("%q: the direct searcher hands out %v, Bleve's %v", q.cote, got, want)
	}
}

// checkCoteAdvance: advanced to any document, a cote searcher stands on the first of
// its matches at or after it (Bleve's conjunction would mend a searcher that lags, at
// the cost of every match before: the skipping is the point).
func checkCoteAdvance(t *testing.T, is *scorch.IndexSnapshot, q *coteQuery) {
	t.Helper()
	all, err := q.searcher(is)
	if err != nil {
		t.Fatal(err)
	}
	var docs []uint64
	for _, m := range coteMatches(t, all) {
		docs = append(docs, m.doc)
	}
	if len(docs) < 3 {
		t.Fatalf("%q matches %d documents: too few to advance among", q.cote, len(docs))
	}
	ctx := &search.SearchContext{DocumentMatchPool: search.NewDocumentMatchPool(1, 0)}
	for target := uint64(0); target <= docs[len(docs)-1]+1; target++ {
		s, err := q.searcher(is)
		if err != nil {
			t.Fatal(err)
		}
		m, err := s.Advance(ctx, binary.BigEndian.AppendUint64(nil, target))
		if err != nil {
			t.Fatal(err)
		}
		want := uint64(done)
		if i, _ := slices.BinarySearch(docs, target); i < len(docs) {
			want = docs[i]
		}
		got := uint64(done)
		if m != nil {
			got = binary.BigEndian.Uint64(m.IndexInternalID)
		}
		if got != want {
			t.Errorf("advanced to %d: on %d, want %d (matches %v)", target, got, want, docs)
		}
	}
	// One searcher, advanced and stepped in turns, as a conjunction drives it.
	s, err := q.searcher(is)
	if err != nil {
		t.Fatal(err)
	}
	at := func(m *search.DocumentMatch) uint64 {
		if m == nil {
			return done
		}
		return binary.BigEndian.Uint64(m.IndexInternalID)
	}
	for i := 0; i < len(docs); i += 2 {
		m, err := s.Advance(ctx, binary.BigEndian.AppendUint64(nil, docs[i]))
		if err != nil || at(m) != docs[i] {
			t.Fatalf("advanced to match %d (%d): on %d, %v", i, docs[i], at(m), err)
		}
		want := uint64(done)
		if i+1 < len(docs) {
			want = docs[i+1]
		}
		if m, err = s.Next(ctx); err != nil || at(m) != want {
			t.Fatalf("next after match %d: on %d, want %d, %v", i, at(m), want, err)
		}
	}
}
