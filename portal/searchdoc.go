package portal

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"sesam"
	"sesam/access"
	"sesam/index"
	"sesam/store"
)

// SearchDoc is a search's result as the API returns it, and as `sesam search --json`
// prints it (the same function builds both).
type SearchDoc struct {
	Query      string                 `json:"query"`
	Total      uint64                 `json:"total"`
	Hits       []HitDoc               `json:"hits"`
	Facets     map[string][]FacetDoc  `json:"facets,omitempty"`
	Histogram  *HistogramDoc          `json:"histogram,omitempty"`
	Next       string                 `json:"next,omitempty"`
	Suggestion string                 `json:"suggestion,omitempty"`
	TookMS     float64                `json:"took_ms"`
	Filters    map[string]interface{} `json:"filters,omitempty"`
}

// HitDoc is one unit found.
type HitDoc struct {
	ID           int64        `json:"id"`
	Tenant       string       `json:"tenant"`
	TenantName   string       `json:"tenant_name"`
	Title        string       `json:"title"`
	TitleHTML    string       `json:"title_html,omitempty"` // the title with matched words marked
	Cote         string       `json:"cote,omitempty"`
	Level        string       `json:"level,omitempty"`
	Dates        DatesDoc     `json:"dates"`
	Breadcrumb   []CrumbDoc   `json:"breadcrumb,omitempty"`
	Snippets     []SnippetDoc `json:"snippets,omitempty"`
	Communicable bool         `json:"communicable"`
	OpensOn      string       `json:"opens_on,omitempty"` // when it is not yet communicable and the day is known
	URL          string       `json:"url"`
}

// DatesDoc are a unit's extreme dates (ISO), empty when unknown.
type DatesDoc struct {
	Start string `json:"start,omitempty"`
	End   string `json:"end,omitempty"`
}

// CrumbDoc is a step of a hit's breadcrumb; a step the principal may not see is
// {"hidden": true} with no title.
type CrumbDoc struct {
	ID     int64  `json:"id,omitempty"`
	Title  string `json:"title,omitempty"`
	Hidden bool   `json:"hidden,omitempty"`
}

// SnippetDoc is an excerpt with <mark>ed words (HTML-escaped text otherwise).
type SnippetDoc struct {
	Field    string `json:"field"`
	HTML     string `json:"html"`
	ObjectID int64  `json:"object_id,omitempty"`
	Page     int    `json:"page,omitempty"`
	OCR      bool   `json:"ocr,omitempty"`
}

// FacetDoc is one value of a facet with its count in the filtered results.
type FacetDoc struct {
	Value    string `json:"value"`
	Label    string `json:"label"`
	Count    int    `json:"count"`
	Selected bool   `json:"selected,omitempty"`
}

// HistogramDoc is the year histogram.
type HistogramDoc struct {
	Unit string   `json:"unit"`
	Bars []BarDoc `json:"bars"`
}

// BarDoc is one period.
type BarDoc struct {
	From  int `json:"from"`
	To    int `json:"to"`
	Count int `json:"count"`
}

// Search runs a search for a scope and builds the document pages, the API and the
// command line show: hits with breadcrumbs (hidden steps stay hidden), snippets,
// labelled facets, the histogram.
func Search(ctx context.Context, st *store.Store, ix *index.Index, scope access.Scope, req index.Request, lang string) (*SearchDoc, error) {
	res, err := ix.Search(ctx, scope, req, index.StorePages{Store: st})
	if err != nil {
		return nil, err
	}
	return searchDoc(ctx, st, st, scope, req, res, lang)
}

// searchDoc is the document of a search's result: tenant names, breadcrumbs (read from
// heads), labelled facets.
func searchDoc(ctx context.Context, st *store.Store, heads headReader, scope access.Scope, req index.Request, res *index.Result, lang string) (*SearchDoc, error) {
	names, err := tenantNames(ctx, st)
	if err != nil {
		return nil, err
	}
	doc := &SearchDoc{Query: req.Query, Total: res.Total, Hits: []HitDoc{}, Next: res.Next, Suggestion: res.Suggestion,
		TookMS: float64(res.Took.Microseconds()) / 1000}
	var paths [][]int64
	for _, h := range res.Hits {
		paths = append(paths, h.Path)
	}
	crumbs, err := breadcrumbs(ctx, heads, scope, paths...)
	if err != nil {
		return nil, err
	}
	for _, h := range res.Hits {
		doc.Hits = append(doc.Hits, hitDoc(h, names, crumbs, scope.Today, lang))
	}
	if req.Facets {
		doc.Facets = facetDocs(res.Facets, req.Filters, names, lang)
		if res.Histogram != nil {
			doc.Histogram = &HistogramDoc{Unit: res.Histogram.Unit, Bars: []BarDoc{}}
			for _, b := range res.Histogram.Bars {
				doc.Histogram.Bars = append(doc.Histogram.Bars, BarDoc{From: b.From, To: b.To, Count: b.Count})
			}
		}
	}
	return doc, nil
}

func hitDoc(h index.Hit, names map[string]string, crumbs map[int64]crumb, today int, lang string) HitDoc {
	d := HitDoc{ID: h.ID, Tenant: h.Tenant, TenantName: names[h.Tenant], Title: h.Title, Cote: h.Cote, Level: h.Level,
		Dates: DatesDoc{Start: h.Start, End: h.End}, Communicable: h.OpenDay <= today, URL: "/units/" + strconv.FormatInt(h.ID, 10)}
	if !d.Communicable && h.OpenDay < access.NeverDay {
		d.OpensOn = fmt.Sprintf("%04d-%02d-%02d", h.OpenDay/10000, h.OpenDay/100%100, h.OpenDay%100)
	}
	for _, c := range pathCrumbs(h.Path, crumbs) {
		d.Breadcrumb = append(d.Breadcrumb, CrumbDoc{ID: visibleID(c), Title: c.Title, Hidden: c.Hidden})
	}
	for _, s := range h.Snippets {
		if s.Field == "title" {
			d.TitleHTML = s.HTML
			continue
		}
		d.Snippets = append(d.Snippets, SnippetDoc{Field: s.Field, HTML: s.HTML, ObjectID: s.ObjectID, Page: s.Page, OCR: s.OCR})
	}
	return d
}

// visibleID hides the id of a step the principal may not see.
func visibleID(c crumb) int64 {
	if c.Hidden {
		return 0
	}
	return c.ID
}

func tenantNames(ctx context.Context, st *store.Store) (map[string]string, error) {
	return st.TenantNames(ctx)
}

// facetDocs labels facet values and marks the selected ones.
func facetDocs(fs []index.Facet, f index.Filters, names map[string]string, lang string) map[string][]FacetDoc {
	selected := map[string][]string{"tenant": f.Tenants, "producer": f.Producers, "level": f.Levels,
		"keyword": f.Keywords, "format": f.Formats, "has_object": {f.HasObject}, "status": {f.Status}}
	out := map[string][]FacetDoc{}
	for _, fc := range fs {
		var vals []FacetDoc
		for _, v := range fc.Values {
			if v.Count == 0 && !contains(selected[fc.Name], v.Value) {
				continue
			}
			vals = append(vals, FacetDoc{Value: v.Value, Label: facetLabel(fc.Name, v.Value, names, lang), Count: v.Count,
				Selected: contains(selected[fc.Name], v.Value)})
		}
		out[fc.Name] = vals
	}
	return out
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x && x != "" {
			return true
		}
	}
	return false
}

func facetLabel(facet, value string, names map[string]string, lang string) string {
	switch facet {
	case "tenant":
		if n := names[value]; n != "" {
			return n
		}
	case "level":
		return trOr(lang, "level."+value, value)
	case "has_object":
		return tr(lang, "facet."+value)
	case "status":
		return tr(lang, "status."+value)
	case "format":
		return formatLabel(lang, value)
	}
	return value
}

// formatLabel names a MIME type for people ("PDF", "Image JPEG"); a type without a
// name is shown as is.
func formatLabel(lang, mimeType string) string {
	return trOr(lang, "mime."+mimeType, mimeType)
}

// RequestFromQuery reads a search from URL parameters as the page and the API do (the
// benchmark uses it to send the index the very request the API would).
func RequestFromQuery(q url.Values, isStaff bool) (index.Request, error) {
	return requestFromQuery(q, isStaff)
}

// requestFromQuery reads a search from URL parameters (the page and the API take the
// same): q, tenant, producer, level, keyword, format, has_object, status, from, to,
// incl, within, sort, page, after, size.
func requestFromQuery(q url.Values, isStaff bool) (index.Request, error) {
	// facets=0 skips the facets and the histogram (an API client looking up a cote
	// has no use for them, and they are the costly part of a broad search).
	req := index.Request{Query: strings.TrimSpace(q.Get("q")), Sort: q.Get("sort"), After: q.Get("after"),
		Facets: q.Get("facets") != "0", Staff: isStaff}
	if len(req.Query) > 1000 {
		return req, sesam.Invalid("recherche trop longue (1000 caractères au plus)", "search too long (1000 characters at most)")
	}
	f := &req.Filters
	f.Tenants, f.Producers, f.Levels, f.Keywords, f.Formats = q["tenant"], q["producer"], q["level"], q["keyword"], q["format"]
	f.HasObject = q.Get("has_object")
	if f.HasObject != "" && f.HasObject != "true" && f.HasObject != "false" {
		return req, sesam.Invalid("has_object vaut true ou false", "has_object is true or false")
	}
	if isStaff {
		f.Status = q.Get("status")
	}
	f.Inclusion = q.Get("incl") == "1"
	var err error
	for _, p := range []struct {
		name string
		dst  **int
	}{{"from", &f.FromYear}, {"to", &f.ToYear}} {
		if v := q.Get(p.name); v != "" {
			n, perr := strconv.Atoi(v)
			if perr != nil || n < -9999 || n > 9999 {
				return req, sesam.Invalid(fmt.Sprintf("année « %s » invalide", v), fmt.Sprintf("invalid year %q", v))
			}
			*p.dst = &n
		}
	}
	if v := q.Get("within"); v != "" {
		if f.Within, err = strconv.ParseInt(v, 10, 64); err != nil || f.Within <= 0 {
			return req, sesam.Invalid(fmt.Sprintf("unité « %s » invalide", v), fmt.Sprintf("invalid unit %q", v))
		}
	}
	for _, p := range []struct {
		name string
		dst  *int
	}{{"page", &req.Page}, {"size", &req.Size}} {
		if v := q.Get(p.name); v != "" {
			if *p.dst, err = strconv.Atoi(v); err != nil || *p.dst < 1 {
				return req, sesam.Invalid(fmt.Sprintf("%s « %s » invalide", p.name, v), fmt.Sprintf("invalid %s %q", p.name, v))
			}
		}
	}
	return req, nil
}

// searchInSlot runs a search of the search page or the API, which anyone can send as
// fast as the rate limit allows: the index's part in one of the portal's search slots,
// in the lane its words call for (the home page takes one broad slot for its two). The document (breadcrumbs, names, labels) is made after the slot is
// given back: it waits on the database more than it computes, and a slot held while
// waiting is a processor idle.
func (a *App) searchInSlot(ctx context.Context, scope access.Scope, req index.Request, lang string) (*SearchDoc, error) {
	var res *index.Result
	err := a.slots.lane(ctx, a.Index, req).do(ctx, func() (err error) {
		res, err = a.Index.Search(ctx, scope, req, index.StorePages{Store: a.Store})
		return err
	})
	if err != nil {
		return nil, err
	}
	return searchDoc(ctx, a.Store, a.heads, scope, req, res, lang)
}
