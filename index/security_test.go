package index

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"sesam/access"
	"sesam/seda"
	"sesam/store"
)

// The security property: for random units, principals' scopes and days, the search
// filter built from a scope (index) and the one-unit decision (access.Scope.Visibility)
// agree, and no search feature — results, totals, facet counts, snippets, suggestions,
// sorting, paging — ever reveals a unit the scope may not see.

var (
	propTenants  = []string{"cdg59", "cdg59/lille", "cdg59/roubaix", "cdg62", "cdg62/ruitz", "cdg62/arras"}
	propAgencies = []string{"DGS", "RH", "URBANISME"}
	propLevels   = []string{"Fonds", "Series", "File", "Item"}
	propWords    = []string{"délibération", "conseil", "école", "église", "cadastre", "budget", "mariage", "voirie"}
)

// propUnit is a random unit with a secret word only it holds: a search, a snippet or a
// suggestion showing that word reveals the unit. Half of them hold a PDF whose page has
// another secret word (pageSecret) and the unit's secret again: the page may only be
// searched and shown by a scope seeing the unit in full (access.Full), not by one
// seeing its description only (access.MetadataOnly).
type propUnit struct {
	iu         *store.IndexUnit
	view       access.UnitView
	secret     string
	pageSecret string
}

// propPages serves the pages of the random units, as the store would.
type propPages map[PageKey]string

func (p propPages) PageTexts(_ context.Context, keys []PageKey) (map[PageKey]string, error) {
	out := map[PageKey]string{}
	for _, k := range keys {
		if t, ok := p[k]; ok {
			out[k] = t
		}
	}
	return out, nil
}

func pagesOf(units []propUnit) propPages {
	out := propPages{}
	for _, u := range units {
		for _, p := range u.iu.Pages {
			out[PageKey{ObjectID: p.ObjectID, Page: p.Number}] = p.Text
		}
	}
	return out
}

func randomUnits(r *rand.Rand, n int) []propUnit {
	var units []propUnit
	for i := 0; i < n; i++ {
		id := int64(i + 1)
		var anc []int64
		if i > 0 && r.IntN(3) > 0 { // a parent among the earlier units, and its ancestors
			p := units[r.IntN(len(units))]
			anc = append(slices.Clone(p.iu.Unit.Ancestors), p.iu.Unit.ID)
		}
		tenant := propTenants[r.IntN(len(propTenants))]
		if len(anc) > 0 {
			tenant = units[anc[len(anc)-1]-1].iu.Unit.TenantID
		}
		open := []int{access.AlwaysDay, 19990101, 20261124, 20261125, 20261126, 20400101, access.NeverDay}[r.IntN(7)]
		publish := []int{access.AlwaysDay, access.AlwaysDay, 20261125, 20300101}[r.IntN(4)]
		secret := fmt.Sprintf("zorglub%c%c%c", 'a'+rune(i%26), 'a'+rune(i/26%26), 'a'+rune(i/676%26))
		start := time.Date(1800+r.IntN(226), 1, 1, 0, 0, 0, 0, time.UTC)
		end := start.AddDate(r.IntN(30), 0, 0)
		u := &store.Unit{ID: id, TenantID: tenant, Level: propLevels[r.IntN(4)], Ancestors: anc,
			Title: propWords[r.IntN(len(propWords))] + " " + propWords[r.IntN(len(propWords))] + " " + secret,
			Cote:  fmt.Sprintf("%d W %d", r.IntN(5), i), OriginatingAgency: propAgencies[r.IntN(3)],
			StartDate: &start, EndDate: &end, OpenDay: open, PublishDay: publish, DescriptionPublic: r.IntN(5) == 0,
			Content: seda.Unit{Keywords: []seda.Keyword{{Content: propWords[r.IntN(len(propWords))]}}}}
		pu := propUnit{iu: &store.IndexUnit{Unit: u, Path: anc}, secret: secret}
		if r.IntN(2) == 0 {
			pu.pageSecret = "pagesecret" + secret[len("zorglub"):]
			pu.iu.Objects = []store.Object{{ID: 1000 + id, MimeType: "application/pdf"}}
			pu.iu.Pages = []store.Page{{ObjectID: 1000 + id, Number: 1, Source: "text", Text: "page vide"},
				{ObjectID: 1000 + id, Number: 2, Source: "text", Text: "le texte " + pu.pageSecret + " et " + secret + " du document"}}
		}
		pu.view = access.UnitView{ID: strconv.FormatInt(id, 10), Tenant: tenant, Agency: u.OriginatingAgency,
			Ancestors: idStrings(anc), OpenDay: open, PublishDay: publish, DescriptionPublic: u.DescriptionPublic}
		units = append(units, pu)
	}
	return units
}

func randomScope(r *rand.Rand, n int) access.Scope {
	s := access.Scope{Today: []int{20261124, 20261125, 20261126}[r.IntN(3)]}
	pick := func() string { return propTenants[r.IntN(len(propTenants))] }
	switch r.IntN(6) {
	case 0: // the public
	case 1:
		s.Tenants = []string{pick()}
	case 2:
		s.Tenants = []string{pick(), strings.Split(pick(), "/")[0] + "/*"}
	case 3:
		s.AgencyTenants = []access.AgencyScope{{Tenant: pick(), Agencies: []string{propAgencies[r.IntN(3)]}}}
	case 4:
		// The first among the earliest units, which are the parents of many (their
		// subtrees are granted with them).
		s.Grants = []access.Grant{{UnitID: strconv.Itoa(1 + r.IntN(n/10)), UntilDay: 20261120 + r.IntN(10), Online: r.IntN(2) == 0},
			{UnitID: strconv.Itoa(1 + r.IntN(n)), UntilDay: 20261125}}
	case 5:
		s.All = r.IntN(4) == 0
		s.Tenants = []string{pick()}
	}
	if r.IntN(2) == 0 {
		s.PublicTenants = []string{pick(), pick()}
	}
	return s
}

// propIndex indexes the random units, written on 2026-11-26 (write day 2026-11-25) into
// a generation of 2026-11-24: the scopes' days take the three ways of onlineQuery (a
// day before the last write, the base day's successor, and later). It is closed with
// the test.
func propIndex(t *testing.T, units []propUnit) (*Index, *generation) {
	t.Helper()
	gen, err := newGeneration(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { gen.idx.Close() })
	gen.base = 20261124
	gen.now = func() time.Time { return time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC) }
	var ius []*store.IndexUnit
	for _, u := range units {
		ius = append(ius, u.iu)
	}
	if err := gen.write(ius, nil, 1); err != nil {
		t.Fatal(err)
	}
	return &Index{gen: gen}, gen
}

// visibility is what the one-unit decision (access.Scope.Visibility) says a scope sees
// of the random units: at all, and in full.
func visibility(scope access.Scope, units []propUnit) (visible, full map[int64]bool) {
	visible, full = map[int64]bool{}, map[int64]bool{}
	for _, u := range units {
		v := scope.Visibility(u.view)
		visible[u.iu.Unit.ID] = v != access.Hidden
		full[u.iu.Unit.ID] = v == access.Full
	}
	return visible, full
}

func TestSecurityProperty(t *testing.T) {
	ctx := context.Background()
	seed := uint64(time.Now().UnixNano())
	r := rand.New(rand.NewPCG(seed, 7))
	t.Logf("seed %d", seed)
	const n = 300
	units := randomUnits(r, n)
	ix, _ := propIndex(t, units)
	rounds := 40
	if testing.Short() {
		rounds = 10
	}
	for round := 0; round < rounds; round++ {
		scope := randomScope(r, n)
		visible, full := visibility(scope, units)
		t.Run(fmt.Sprintf("round%d", round), func(t *testing.T) {
			checkBrowse(t, ctx, ix, scope, units, visible, full)
			checkPaging(t, ctx, ix, scope, visible)
			checkSecrets(t, ctx, ix, scope, units, visible, r)
			checkPageSecrets(t, ctx, ix, scope, units, full, r)
		})
		if t.Failed() {
			t.Fatalf("seed %d, scope %+v", seed, scope)
		}
	}
}

// TestScopeFilterCache: scopes that differ in one respect only (a collectivité, an
// agency or its collectivité, a grant, whether it is online, the day that ends it),
// searched one after the other on one index, each get their own answer: the compiled
// filter kept for the first is never served to the second.
func TestScopeFilterCache(t *testing.T) {
	ctx := context.Background()
	units := randomUnits(rand.New(rand.NewPCG(11, 7)), 300)
	ix, gen := propIndex(t, units)
	agency := func(tenant, agency string) access.Scope {
		return access.Scope{AgencyTenants: []access.AgencyScope{{Tenant: tenant, Agencies: []string{agency}}}, Today: 20261125}
	}
	// With public collectivités: a scope that sees no unit in full is not searched for
	// any (scopeParts), so a wrong filter would go unnoticed.
	grant := func(unit string, online bool, until int) access.Scope {
		return access.Scope{Grants: []access.Grant{{UnitID: unit, UntilDay: until, Online: online}},
			PublicTenants: []string{"cdg62", "cdg59/roubaix"}, Today: 20261125}
	}
	for _, pair := range [][2]access.Scope{
		{{Tenants: []string{"cdg59/lille"}, Today: 20261125}, {Tenants: []string{"cdg62/ruitz"}, Today: 20261125}},
		{{PublicTenants: []string{"cdg59"}, Today: 20261125}, {PublicTenants: []string{"cdg62"}, Today: 20261125}},
		{agency("cdg59", "RH"), agency("cdg62", "RH")},
		{agency("cdg59", "RH"), agency("cdg59", "DGS")},
		{grant("1", true, 20261130), grant("2", true, 20261130)},
		{grant("1", true, 20261130), grant("1", false, 20261130)},
		{grant("1", true, 20261125), func() access.Scope { s := grant("1", true, 20261125); s.Today = 20261126; return s }()},
		{{PublicTenants: []string{"cdg59", "cdg62"}, Today: 20261124}, {PublicTenants: []string{"cdg59", "cdg62"}, Today: 20261126}},
		{grant("1", true, 20261124), grant("1", true, 20261130)}, // ended yesterday, running: the same day
	} {
		var answers [2]map[int64]bool
		for i, scope := range pair {
			visible, full := visibility(scope, units)
			checkBrowse(t, ctx, ix, scope, units, visible, full)
			// What it sees in full: a filter on objects leaves out the units seen by
			// their description only.
			seen := walkPages(t, ctx, ix, scope, Request{Size: 100, Filters: Filters{HasObject: "true"}}, full)
			maps.Copy(seen, walkPages(t, ctx, ix, scope, Request{Size: 100, Filters: Filters{HasObject: "false"}}, full))
			if n := count(full); len(seen) != n {
				t.Errorf("scope %+v sees %d units in full, want %d", scope, len(seen), n)
			}
			answers[i] = full
		}
		if maps.Equal(answers[0], answers[1]) {
			t.Errorf("scopes %+v and %+v see the same units in full: the case tests nothing", pair[0], pair[1])
		}
	}
	// A collectivité indexed after a scope covering it was compiled: its units show.
	staff := access.Scope{Tenants: []string{"cdg59"}, Today: 20261125}
	before, err := ix.Search(ctx, staff, Request{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	late := &store.IndexUnit{Unit: &store.Unit{ID: 1000, TenantID: "cdg59/nouvelle", Level: "Fonds", Title: "fonds arrivé tard",
		OriginatingAgency: "RH", OpenDay: access.NeverDay, PublishDay: access.NeverDay}}
	if err := gen.write([]*store.IndexUnit{late}, nil, 2); err != nil {
		t.Fatal(err)
	}
	after, err := ix.Search(ctx, staff, Request{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if after.Total != before.Total+1 {
		t.Errorf("after a new collectivité of cdg59 was indexed, cdg59's staff see %d units, want %d", after.Total, before.Total+1)
	}
}

// checkBrowse: a match-all search returns exactly the visible units, and every facet
// count is the count over the visible units (the objects' facets over the units seen
// in full).
func checkBrowse(t *testing.T, ctx context.Context, ix *Index, scope access.Scope, units []propUnit, visible, full map[int64]bool) {
	res, err := ix.Search(ctx, scope, Request{Size: 100, Facets: true, Staff: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := count(visible); res.Total != uint64(n) {
		t.Errorf("total = %d, visible = %d", res.Total, n)
	}
	for _, h := range res.Hits {
		if !visible[h.ID] {
			t.Errorf("browse shows unit %d, which the scope may not see", h.ID)
		}
	}
	want := map[string]map[string]int{"tenant": {}, "level": {}, "producer": {}, "format": {}, "has_object": {}}
	for _, u := range units {
		if visible[u.iu.Unit.ID] {
			want["tenant"][u.iu.Unit.TenantID]++
			want["level"][u.iu.Unit.Level]++
			want["producer"][u.iu.Unit.OriginatingAgency]++
		}
		if full[u.iu.Unit.ID] {
			want["has_object"][strconv.FormatBool(len(u.iu.Objects) > 0)]++
			if len(u.iu.Objects) > 0 {
				want["format"]["application/pdf"]++
			}
		}
	}
	for _, f := range res.Facets {
		w, ok := want[f.Name]
		if !ok {
			continue
		}
		got := map[string]int{}
		for _, v := range f.Values {
			got[v.Value] = v.Count
		}
		for k, c := range w {
			if got[k] != c {
				t.Errorf("facet %s[%s] = %d, want %d", f.Name, k, got[k], c)
			}
		}
		for k, c := range got {
			if w[k] == 0 && c > 0 {
				t.Errorf("facet %s[%s] = %d counts units the scope may not see", f.Name, k, c)
			}
		}
	}
	bars := 0
	for _, b := range res.Histogram.Bars {
		bars += b.Count
	}
	if count(visible) == 0 && bars > 0 {
		t.Errorf("histogram counts %d units, none visible", bars)
	}
}

// checkPaging walks every page with cursors, sorted by date, then by relevance for a
// common word (the units seen in full and those seen by their description only are
// two searches whose hits are ranked together): each visible unit once.
func checkPaging(t *testing.T, ctx context.Context, ix *Index, scope access.Scope, visible map[int64]bool) {
	if seen := walkPages(t, ctx, ix, scope, Request{Size: 7, Sort: SortDateDesc}, visible); len(seen) != count(visible) {
		t.Errorf("paging reached %d units, %d visible", len(seen), count(visible))
	}
	req := Request{Query: propWords[0], Size: 7}
	res, err := ix.Search(ctx, scope, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	if seen := walkPages(t, ctx, ix, scope, req, visible); uint64(len(seen)) != res.Total {
		t.Errorf("paging %q by relevance reached %d units, total %d", req.Query, len(seen), res.Total)
	}
}

func walkPages(t *testing.T, ctx context.Context, ix *Index, scope access.Scope, req Request, visible map[int64]bool) map[int64]bool {
	seen := map[int64]bool{}
	for pages := 0; pages < 100; pages++ {
		res, err := ix.Search(ctx, scope, req, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range res.Hits {
			if seen[h.ID] {
				t.Errorf("unit %d on two pages", h.ID)
			}
			if !visible[h.ID] {
				t.Errorf("paging shows unit %d, which the scope may not see", h.ID)
			}
			seen[h.ID] = true
		}
		if res.Next == "" {
			break
		}
		req.After = res.Next
	}
	return seen
}

// checkSecrets searches some units' secret words (exact and misspelt): found with a
// snippet exactly when visible; no suggestion ever names a hidden unit's word.
func checkSecrets(t *testing.T, ctx context.Context, ix *Index, scope access.Scope, units []propUnit, visible map[int64]bool, r *rand.Rand) {
	for i := 0; i < 8; i++ {
		u := units[r.IntN(len(units))]
		id := u.iu.Unit.ID
		// The secret alone, and beside a common word of the title (words side by side).
		for _, q := range []string{u.secret, strings.Fields(u.iu.Unit.Title)[0] + " " + u.secret} {
			res, err := ix.Search(ctx, scope, Request{Query: q, Facets: true}, nil)
			if err != nil {
				t.Fatal(err)
			}
			found := len(res.Hits) == 1 && res.Hits[0].ID == id
			if found != visible[id] || res.Total > 1 {
				t.Errorf("search %s: found=%v total=%d, visible=%v", q, found, res.Total, visible[id])
			}
			if found && (len(res.Hits[0].Snippets) == 0 || !strings.Contains(res.Hits[0].Snippets[0].HTML, "<mark>"+u.secret+"</mark>")) {
				t.Errorf("search %s: no snippet marking the word: %+v", q, res.Hits[0].Snippets)
			}
			for _, f := range res.Facets {
				for _, v := range f.Values {
					if !visible[id] && v.Count > 0 {
						t.Errorf("search %s (hidden): facet %s[%s] = %d", q, f.Name, v.Value, v.Count)
					}
				}
			}
		}
		typo := u.secret[:len(u.secret)-1] + "q" // one letter off: a suggestion would name the secret
		res, err := ix.Search(ctx, scope, Request{Query: typo}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.Suggestion != "" && !visible[id] && strings.Contains(res.Suggestion, u.secret) {
			t.Errorf("suggestion %q reveals hidden unit %d", res.Suggestion, id)
		}
		for _, h := range res.Hits {
			if !visible[h.ID] {
				t.Errorf("search %s shows hidden unit %d", typo, h.ID)
			}
		}
	}
}

func count(set map[int64]bool) int {
	n := 0
	for _, in := range set {
		if in {
			n++
		}
	}
	return n
}

// checkPageSecrets searches some units' page secrets: found, with a snippet of the
// page, exactly when the unit is seen in full. A unit seen by its description only is
// found by its title's secret but shows no page, though the page holds that word too;
// and the formats of its objects do not narrow a search to it.
func checkPageSecrets(t *testing.T, ctx context.Context, ix *Index, scope access.Scope, units []propUnit, full map[int64]bool, r *rand.Rand) {
	pages := pagesOf(units)
	for i := 0; i < 8; i++ {
		u := units[r.IntN(len(units))]
		if u.pageSecret == "" {
			continue
		}
		id := u.iu.Unit.ID
		for _, q := range []string{u.pageSecret, "texte:" + u.pageSecret, `"` + u.pageSecret + " et " + u.secret + `"`} {
			res, err := ix.Search(ctx, scope, Request{Query: q, Facets: true}, pages)
			if err != nil {
				t.Fatal(err)
			}
			found := len(res.Hits) == 1 && res.Hits[0].ID == id
			if found != full[id] || res.Total > 1 {
				t.Errorf("search %s (page text): found=%v total=%d, seen in full=%v", q, found, res.Total, full[id])
			}
			if found && !hasPageSnippet(res.Hits[0], u.pageSecret) {
				t.Errorf("search %s: no snippet of page 2 marking the word: %+v", q, res.Hits[0].Snippets)
			}
		}
		res, err := ix.Search(ctx, scope, Request{Query: u.secret, Filters: Filters{Formats: []string{"application/pdf"}}}, pages)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range res.Hits {
			if !full[h.ID] {
				t.Errorf("search %s format:pdf finds unit %d, whose objects the scope may not see", u.secret, h.ID)
			}
			for _, s := range h.Snippets {
				if s.Field == fPage && !full[h.ID] {
					t.Errorf("search %s shows page %d of unit %d, whose objects the scope may not see", u.secret, s.Page, h.ID)
				}
			}
		}
		res, err = ix.Search(ctx, scope, Request{Query: u.secret}, pages)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range res.Hits {
			for _, s := range h.Snippets {
				if s.Field == fPage && !full[h.ID] {
					t.Errorf("search %s shows page %d of unit %d, whose objects the scope may not see", u.secret, s.Page, h.ID)
				}
			}
		}
	}
}

func hasPageSnippet(h Hit, word string) bool {
	for _, s := range h.Snippets {
		if s.Field == fPage && s.Page == 2 && strings.Contains(s.HTML, "<mark>"+word+"</mark>") {
			return true
		}
	}
	return false
}
