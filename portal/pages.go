package portal

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"sesam/access"
	"sesam/index"
	"sesam/seda"
	"sesam/store"
)

// homeData: the tenants the visitor may search (with the units they may see there)
// and the units that became communicable lately.
type homeData struct {
	Tenants  []FacetDoc
	Openings []HitDoc
}

// openingsWindow is how far back "recent openings" look, in days.
const openingsWindow = 365

func (a *App) homePage(c *fiber.Ctx) error {
	scope, err := a.scopeOf(c)
	if err != nil {
		return err
	}
	lang := langOf(c)
	ctx := c.UserContext()
	counts, err := Search(ctx, a.Store, a.Index, scope, index.Request{Facets: true, NoHits: true}, lang)
	if err != nil {
		return err
	}
	since := access.DayNumber(a.Now().AddDate(0, 0, -openingsWindow))
	recent, err := Search(ctx, a.Store, a.Index, scope, index.Request{Size: 8, Sort: index.SortOpened,
		Filters: index.Filters{OpenedSince: since}}, lang)
	if err != nil {
		return err
	}
	p := a.page(c, tr(lang, "home.title"))
	p.Data = homeData{Tenants: counts.Facets["tenant"], Openings: recent.Hits}
	return a.render(c, "home", p)
}

// searchData is the search page: the request as understood, and the results.
type searchData struct {
	Req      index.Request
	URL      *url.URL
	Doc      *SearchDoc
	Within   *crumb
	Staff    bool
	Sorts    []string
	Bars     []barView
	Chips    []chip
	PrevPage int
	FirstURL string
}

// chip is an active filter the visitor can remove.
type chip struct {
	Key, Value, Label string
}

// chips lists the active filters with their labels.
func chips(req index.Request, facets map[string][]FacetDoc, lang string) []chip {
	label := func(facet, v string) string {
		for _, fv := range facets[facet] {
			if fv.Value == v {
				return fv.Label
			}
		}
		return v
	}
	var out []chip
	f := req.Filters
	for _, g := range []struct {
		key, facet string
		vals       []string
	}{{"tenant", "tenant", f.Tenants}, {"producer", "producer", f.Producers}, {"level", "level", f.Levels},
		{"keyword", "keyword", f.Keywords}, {"format", "format", f.Formats}, {"has_object", "has_object", []string{f.HasObject}},
		{"status", "status", []string{f.Status}}} {
		for _, v := range g.vals {
			if v != "" {
				out = append(out, chip{Key: g.key, Value: v, Label: tr(lang, "facet."+g.facet) + colonOf(lang) + " " + label(g.facet, v)})
			}
		}
	}
	if f.FromYear != nil {
		out = append(out, chip{Key: "from", Label: tr(lang, "search.from") + " " + strconv.Itoa(*f.FromYear)})
	}
	if f.ToYear != nil {
		out = append(out, chip{Key: "to", Label: tr(lang, "search.to") + " " + strconv.Itoa(*f.ToYear)})
	}
	return out
}

// barView is one bar of the histogram as drawn: an SVG rectangle that is a link
// filtering the results to its period.
type barView struct {
	X, Y, W, H int
	Count      int
	From, To   int
	Href       string
}

// histBars lays the histogram out in a 0..600 × 0..100 box.
func histBars(u *url.URL, h *HistogramDoc) []barView {
	if h == nil || len(h.Bars) == 0 {
		return nil
	}
	maxCount := 0
	for _, b := range h.Bars {
		maxCount = max(maxCount, b.Count)
	}
	w := max(600/len(h.Bars), 2)
	var out []barView
	for i, b := range h.Bars {
		hgt := 0
		if maxCount > 0 {
			hgt = b.Count * 80 / maxCount
		}
		if b.Count > 0 && hgt < 2 {
			hgt = 2
		}
		q := u.Query()
		q.Set("from", strconv.Itoa(b.From))
		q.Set("to", strconv.Itoa(b.To))
		q.Del("after")
		q.Del("page")
		out = append(out, barView{X: i * w, Y: 85 - hgt, W: max(w-1, 1), H: hgt, Count: b.Count, From: b.From, To: b.To,
			Href: "?" + q.Encode()})
	}
	return out
}

func (a *App) searchPage(c *fiber.Ctx) error {
	scope, err := a.scopeOf(c)
	if err != nil {
		return err
	}
	u, err := url.Parse(c.OriginalURL())
	if err != nil {
		return errNotFound
	}
	req, err := requestFromQuery(u.Query(), scope.Staff())
	if err != nil {
		return err
	}
	lang := langOf(c)
	doc, err := Search(c.UserContext(), a.Store, a.Index, scope, req, lang)
	if err != nil {
		return err
	}
	if err := a.journalSearch(c, req, doc); err != nil {
		return err
	}
	d := searchData{Req: req, URL: u, Doc: doc, Staff: scope.Staff(),
		Sorts: []string{index.SortRelevance, index.SortDate, index.SortDateDesc, index.SortTitle, index.SortCote}}
	if req.Filters.Within > 0 {
		cr, err := breadcrumbs(c.UserContext(), a.Store, scope, []int64{req.Filters.Within})
		if err != nil {
			return err
		}
		if w, ok := cr[req.Filters.Within]; ok {
			d.Within = &w
		}
	}
	d.Bars = histBars(u, doc.Histogram)
	d.Chips = chips(req, doc.Facets, lang)
	if req.Page > 1 && req.After == "" {
		d.PrevPage = req.Page - 1
	}
	if req.After != "" {
		d.FirstURL = withoutQuery(u, "after", "")
	}
	title := tr(lang, "nav.search")
	if req.Query != "" {
		title = req.Query + " — " + title
	}
	p := a.page(c, title)
	p.Data = d
	return a.render(c, "search", p)
}

// unitData is the unit page.
type unitData struct {
	Unit       *store.Unit
	Content    *seda.Unit
	Full       bool // the documents may be consulted (not only the description)
	Breadcrumb []crumb
	Children   []store.ChildRef
	NextAfter  string
	Objects    []store.Object
	Access     accessPanel
	TenantName string
}

// childrenPage is how many children a unit page lists at a time.
const childrenPage = 50

func (a *App) unitPage(c *fiber.Ctx) error {
	u, vis, scope, err := a.visibleUnit(c, c.Params("id"))
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	lang := langOf(c)
	if err := a.journalUnitView(c, u, vis); err != nil {
		return err
	}
	d := unitData{Unit: u, Content: &u.Content, Full: vis == access.Full}
	path, err := a.Store.FirstParentPath(ctx, u.ID)
	if err != nil {
		return err
	}
	crumbs, err := breadcrumbs(ctx, a.Store, scope, path)
	if err != nil {
		return err
	}
	d.Breadcrumb = pathCrumbs(path, crumbs)
	if d.Children, d.NextAfter, err = a.visibleChildren(c, scope, u.ID, c.Query("after")); err != nil {
		return err
	}
	if d.Objects, err = a.Store.UnitObjects(ctx, u.ID); err != nil {
		return err
	}
	if d.Access, err = a.accessPanel(c, u, lang); err != nil {
		return err
	}
	names, err := tenantNames(ctx, a.Store)
	if err != nil {
		return err
	}
	d.TenantName = names[u.TenantID]
	p := a.page(c, u.Title)
	p.Data = d
	return a.render(c, "unit", p)
}

// visibleChildren lists a page of the children the scope may see, from a keyset
// cursor "position.id". Hidden children are skipped without a trace (no title, no
// count); a page may hold fewer than childrenPage lines but always moves on.
func (a *App) visibleChildren(c *fiber.Ctx, scope access.Scope, parent int64, after string) ([]store.ChildRef, string, error) {
	pos, id := -1, int64(0)
	if p, i, ok := strings.Cut(after, "."); ok {
		pos, _ = strconv.Atoi(p)
		id, _ = strconv.ParseInt(i, 10, 64)
	}
	var out []store.ChildRef
	for batch := 0; batch < 5 && len(out) < childrenPage; batch++ {
		kids, err := a.Store.Children(c.UserContext(), parent, pos, id, 200)
		if err != nil {
			return nil, "", err
		}
		if len(kids) == 0 {
			return out, "", nil
		}
		ids := make([]int64, len(kids))
		for i, k := range kids {
			ids[i] = k.ID
		}
		heads, err := a.Store.UnitHeads(c.UserContext(), ids)
		if err != nil {
			return nil, "", err
		}
		for _, k := range kids {
			pos, id = k.Position, k.ID
			if h, ok := heads[k.ID]; ok && scope.Visibility(h.View) != access.Hidden {
				out = append(out, k)
				if len(out) == childrenPage {
					break
				}
			}
		}
		if len(kids) < 200 && len(out) < childrenPage {
			return out, "", nil
		}
	}
	return out, strconv.Itoa(pos) + "." + strconv.FormatInt(id, 10), nil
}

// colonOf is the colon as each language writes it: "Niveau : Dossier", "Level: File".
func colonOf(lang string) string {
	if lang == langEN {
		return ":"
	}
	return " :"
}
