package index

import (
	"context"
	"testing"

	"sesam/access"
)

// TestBoundIsAnUpperBound: for every kind of query, Bound is at least what the search
// finds (a search must never be taken for a narrow one when it is not), a browse, a
// negation alone and stop words alone are bounded by the whole index, and a cote or a
// rare word by a handful of units, less than a common word and no more than the rare
// word once a common one is added to it; a fonds searched within bounds a browse or a
// word by the units under it.
func TestBoundIsAnUpperBound(t *testing.T) {
	ctx := context.Background()
	scope := access.Scope{Tenants: []string{"cdg62", "cdg59"}, Today: access.Today(timeNow())}
	all, err := testIndex.DocCount()
	if err != nil {
		t.Fatal(err)
	}
	bound := func(q string) uint64 {
		t.Helper()
		n, err := testIndex.Bound(ctx, Request{Query: q})
		if err != nil {
			t.Fatalf("Bound(%q): %v", q, err)
		}
		return n
	}
	for _, q := range []string{"", "registre", "registres", "conseil municipal", `"conseil municipal"`, "registre OR perrin",
		"registre -naissances", "-registre", "le la des", "registre des délibérations", `cote:"1 D 1"`, `cote:"1 D 1/1"`,
		"1 D 1", "titre:registre", "perrin", "perrin registre", "regist*", "1800..1900", "école mairie", "zzzzzz"} {
		res, err := testIndex.Search(ctx, scope, Request{Query: q, Staff: true}, nil)
		if err != nil {
			t.Fatalf("search %q: %v", q, err)
		}
		if b := bound(q); b < res.Total || b > all {
			t.Errorf("Bound(%q) = %d; the search finds %d of %d units", q, b, res.Total, all)
		}
	}
	for _, q := range []string{"", "-registre", "((("} {
		if b := bound(q); b != all {
			t.Errorf("Bound(%q) = %d, want every unit (%d)", q, b, all)
		}
	}
	rare, common := bound("perrin"), bound("registre")
	res, err := testIndex.Search(ctx, scope, Request{Query: "registre", Staff: true}, nil)
	if err != nil || len(res.Hits) == 0 || res.Hits[0].Cote == "" {
		t.Fatalf("a registre with a cote: %v, %+v", err, res)
	}
	if c := res.Hits[0].Cote; bound(`cote:"`+c+`"`) == 0 || bound(`cote:"`+c+`"`) > 5 {
		t.Errorf(`Bound(cote:"%s") = %d, want a handful`, c, bound(`cote:"`+c+`"`))
	}
	if rare == 0 || rare >= common || bound("perrin registre") > rare || bound("zzzzzz") != 0 {
		t.Errorf("Bound: perrin %d, registre %d, perrin registre %d, zzzzzz %d; want 0 < perrin < registre, "+
			"perrin registre <= perrin, and 0 for a word no unit has", rare, common, bound("perrin registre"), bound("zzzzzz"))
	}
	if len(res.Hits[0].Path) == 0 {
		t.Fatalf("%d has no fonds above it", res.Hits[0].ID)
	}
	fonds := res.Hits[0].Path[0]
	for _, q := range []string{"", "registre", "zzzzzz"} {
		req := Request{Query: q, Staff: true, Filters: Filters{Within: fonds}}
		within, err := testIndex.Search(ctx, scope, req, nil)
		if err != nil {
			t.Fatal(err)
		}
		n, err := testIndex.Bound(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if n < within.Total || n > bound(q) {
			t.Errorf("Bound(%q within %d) = %d; the search finds %d, and the words alone are bounded by %d", q, fonds, n, within.Total, bound(q))
		}
		if q == "" && n == all {
			t.Errorf("Bound(a browse within %d) = every unit (%d)", fonds, all)
		}
	}
}
