package portal

import (
	"context"
	"net/url"
	"slices"
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
	since := access.DayNumber(a.Now().AddDate(0, 0, -openingsWindow))
	// Both in one broad search slot: the counts scan every unit the visitor may see (a
	// browse), and the home page is the one page every visitor opens.
	reqs := []index.Request{{Facets: true, NoHits: true},
		{Size: 8, Sort: index.SortOpened, Filters: index.Filters{OpenedSince: since}}}
	res := make([]*index.Result, len(reqs))
	err = a.slots.broad.do(ctx, func() (err error) {
		for i, req := range reqs {
			if res[i], err = a.Index.Search(ctx, scope, req, index.StorePages{Store: a.Store}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	counts, err := searchDoc(ctx, a.Store, a.heads, scope, reqs[0], res[0], lang)
	if err != nil {
		return err
	}
	recent, err := searchDoc(ctx, a.Store, a.heads, scope, reqs[1], res[1], lang)
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
	Label      string // the period: "1950–1959", or "2001" for a single year
	Axis       bool   // the period's start is written under the bar
}

const (
	// barMinHeight keeps a bar of few results tall enough to see and to click.
	barMinHeight = 6
	// axisLabels is about how many periods are written under the histogram.
	axisLabels = 6
)

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
	every := (len(h.Bars) + axisLabels - 1) / axisLabels
	var out []barView
	for i, b := range h.Bars {
		hgt := 0
		if maxCount > 0 {
			hgt = b.Count * 80 / maxCount
		}
		if b.Count > 0 && hgt < barMinHeight {
			hgt = barMinHeight
		}
		q := u.Query()
		q.Set("from", strconv.Itoa(b.From))
		q.Set("to", strconv.Itoa(b.To))
		q.Del("after")
		q.Del("page")
		label := strconv.Itoa(b.From)
		if b.To != b.From {
			label += "–" + strconv.Itoa(b.To)
		}
		out = append(out, barView{X: i * w, Y: 85 - hgt, W: max(w-1, 1), H: hgt, Count: b.Count, From: b.From, To: b.To,
			Href: "?" + q.Encode(), Label: label, Axis: i%every == 0})
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
	doc, err := a.searchInSlot(c.UserContext(), scope, req, langOf(c))
	if err != nil {
		return err
	}
	var html []byte
	makePage := func() (err error) {
		html, err = a.searchHTML(c, scope, req, u, doc)
		return err
	}
	if err := a.journalSearch(c, req, doc, makePage); err != nil {
		return err
	}
	return a.sendHTML(c, html)
}

// searchHTML is the search page of doc, the results of req.
func (a *App) searchHTML(c *fiber.Ctx, scope access.Scope, req index.Request, u *url.URL, doc *SearchDoc) ([]byte, error) {
	lang := langOf(c)
	d := searchData{Req: req, URL: u, Doc: doc, Staff: scope.Staff(),
		Sorts: []string{index.SortRelevance, index.SortDate, index.SortDateDesc, index.SortTitle, index.SortCote}}
	if req.Filters.Within > 0 {
		cr, err := breadcrumbs(c.UserContext(), a.Store, scope, []int64{req.Filters.Within})
		if err != nil {
			return nil, err
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
	return a.renderHTML("search", p)
}

// unitData is the unit page.
type unitData struct {
	Unit       *store.Unit
	Content    *seda.Unit
	Full       bool // the documents may be consulted (not only the description)
	Breadcrumb []crumb
	Children   childPage
	Paged      bool // the children shown are not the first page
	Objects    []store.Object
	Access     accessPanel
	TenantName string
	// Consulted: the visitor may download its documents now and nothing lies below it,
	// so a request would give nothing more ("Ajouter à ma demande" is not offered). A
	// series the visitor sees may hold closed files a request opens; a file without
	// digital documents may be asked for the reading room.
	Consulted bool
}

// childrenPage is how many children a unit page lists at a time.
const childrenPage = 50

func (a *App) unitPage(c *fiber.Ctx) error {
	u, vis, scope, err := a.visibleUnit(c, c.Params("id"))
	if err != nil {
		return err
	}
	var html []byte
	makePage := func() (err error) {
		html, err = a.unitHTML(c, u, vis, scope)
		return err
	}
	if err := a.journalUnitView(c, u, vis, makePage); err != nil {
		return err
	}
	return a.sendHTML(c, html)
}

// unitHTML is the unit page of u, as vis lets scope see it.
func (a *App) unitHTML(c *fiber.Ctx, u *store.Unit, vis access.Visibility, scope access.Scope) ([]byte, error) {
	ctx := c.UserContext()
	lang := langOf(c)
	d := unitData{Unit: u, Content: &u.Content, Full: vis == access.Full}
	path, err := a.Store.FirstParentPath(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	crumbs, err := breadcrumbs(ctx, a.Store, scope, path)
	if err != nil {
		return nil, err
	}
	d.Breadcrumb = pathCrumbs(path, crumbs)
	from, _ := strconv.Atoi(c.Query("n"))
	if d.Children, err = a.visibleChildren(ctx, scope, u.ID, c.Query("after"), from); err != nil {
		return nil, err
	}
	d.Paged = c.Query("after") != ""
	if d.Objects, err = a.Store.UnitObjects(ctx, u.ID); err != nil {
		return nil, err
	}
	if d.Consulted, err = a.consulted(ctx, u.ID, d.Full, d.Objects); err != nil {
		return nil, err
	}
	if d.Access, err = a.accessPanel(c, u, lang); err != nil {
		return nil, err
	}
	names, err := tenantNames(ctx, a.Store)
	if err != nil {
		return nil, err
	}
	d.TenantName = names[u.TenantID]
	p := a.page(c, u.Title)
	p.Data = d
	return a.renderHTML("unit", p)
}

// consulted says a request would give the visitor nothing more on this unit: they
// may consult it, a document of it is online, and it has no units below.
func (a *App) consulted(ctx context.Context, id int64, full bool, objs []store.Object) (bool, error) {
	if !full || !slices.ContainsFunc(objs, func(o store.Object) bool { return o.Present }) {
		return false, nil
	}
	n, err := a.Store.CountChildren(ctx, id)
	return n == 0, err
}

// childPage is one page of the children a scope may see.
type childPage struct {
	Items []store.ChildRef
	Next  string // the next page's cursor, "" on the last page
	From  int    // the number of the first item among the visible children, from 1
	Total int    // how many visible children there are, when this page reached the end (0: not known)
}

// NextFrom is the number of the next page's first item.
func (p childPage) NextFrom() int { return p.From + len(p.Items) }

// To is the number of the page's last item.
func (p childPage) To() int { return p.From + len(p.Items) - 1 }

const (
	// childrenBatch is how many children are read at a time.
	childrenBatch = 500
	// childrenScanMax bounds the children examined for one page: a fonds whose
	// visible children are few and far apart costs a bounded time per page, and the
	// page then offers to look further.
	childrenScanMax = 20000
)

// visibleChildren lists a page of the children the scope may see, from a keyset
// cursor "position.id" (from numbers the first). Hidden children are skipped without a
// trace (no title, no count): the scan goes on until the page is full, the end, or
// childrenScanMax. "Next" is offered only once one more visible child was seen, so the
// last page's link never leads to an empty page.
func (a *App) visibleChildren(ctx context.Context, scope access.Scope, parent int64, after string, from int) (childPage, error) {
	pos, id := -1, int64(0)
	if p, i, ok := strings.Cut(after, "."); ok {
		pos, _ = strconv.Atoi(p)
		id, _ = strconv.ParseInt(i, 10, 64)
	}
	page := childPage{From: max(from, 1)}
	cursor := func(pos int, id int64) string { return strconv.Itoa(pos) + "." + strconv.FormatInt(id, 10) }
	for scanned := 0; ; {
		kids, err := a.Store.Children(ctx, parent, pos, id, childrenBatch)
		if err != nil {
			return childPage{}, err
		}
		visible, err := a.visibleOf(ctx, scope, kids)
		if err != nil {
			return childPage{}, err
		}
		for _, k := range kids {
			if visible[k.ID] {
				if len(page.Items) == childrenPage { // one more: there is a next page
					last := page.Items[len(page.Items)-1]
					page.Next = cursor(last.Position, last.ID)
					return page, nil
				}
				page.Items = append(page.Items, k)
			}
			pos, id = k.Position, k.ID
		}
		if scanned += len(kids); len(kids) < childrenBatch {
			page.Total = page.From - 1 + len(page.Items)
			return page, nil
		}
		if scanned >= childrenScanMax {
			page.Next = cursor(pos, id)
			return page, nil
		}
	}
}

// visibleOf says which of the children the scope may see.
func (a *App) visibleOf(ctx context.Context, scope access.Scope, kids []store.ChildRef) (map[int64]bool, error) {
	ids := make([]int64, len(kids))
	for i, k := range kids {
		ids[i] = k.ID
	}
	crumbs, err := breadcrumbs(ctx, a.Store, scope, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]bool, len(crumbs))
	for id, c := range crumbs {
		out[id] = !c.Hidden
	}
	return out, nil
}

// colonOf is the colon as each language writes it: "Niveau : Dossier", "Level: File".
func colonOf(lang string) string {
	if lang == langEN {
		return ":"
	}
	return " :"
}
