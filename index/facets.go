package index

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"

	"sesam/access"
)

// Facet is the count of the hits per value of a field, for the filtered query.
type Facet struct {
	Name   string // tenant, producer, level, keyword, format, has_object, status
	Values []FacetValue
}

// FacetValue is one value and its number of hits.
type FacetValue struct {
	Value string
	Count int
}

// Histogram counts hits per period; a unit counts in every period its dates cover.
type Histogram struct {
	Unit string // century, decade or year: chosen so the bars say something
	Bars []Bar
}

// Bar is a period [From, To] (years, inclusive) and its count.
type Bar struct {
	From, To int
	Count    int
}

// Facet names, and the fields they count.
var facetFields = []struct {
	name, field string
	size        int
}{
	{"tenant", fTenant, 50},
	{"producer", fProducer, 30},
	{"level", fLevel, 20},
	{"keyword", fKeywordFacet, 30},
	{"format", fFormat, 20},
	{"has_object", fHasObject, 2},
}

// combinedFacets are the facets counted through the one fFacets field (all but the
// keywords, whose many values would crowd the others out of one terms facet), with the
// histogram's centuries and decades.
var combinedFacets = []struct{ name, field string }{
	{"tenant", fTenant}, {"producer", fProducer}, {"level", fLevel}, {"format", fFormat}, {"has_object", fHasObject},
	{"hist_century", fCentury}, {"hist_decade", fDecade},
}

// facetValue is a value of fFacets: the facet's name, a separator, the value.
func facetValue(facet, v string) string { return facet + "\x1f" + v }

// combinedSize bounds the distinct values of fFacets counted: far more than the
// tenants, producers, levels, formats, centuries and decades a result can hold.
const combinedSize = 100_000

// histogram units: the width of a bar in years and the field holding the buckets.
var histUnits = map[string]struct {
	field string
	width int
	size  int
}{
	"century": {fCentury, 100, 100},
	"decade":  {fDecade, 10, 1000},
	"year":    {fYear, 1, 2000},
}

func (s *searcher) addFacets(sr *bleve.SearchRequest) {
	sr.AddFacet("combined", bleve.NewFacetRequest(fFacets, combinedSize))
	sr.AddFacet("keyword", bleve.NewFacetRequest(fKeywordFacet, 30))
	if s.req.Staff {
		sr.AddFacet("status", statusFacet(s.scope.Today))
	}
	if s.fixedHistUnit() == "year" {
		h := histUnits["year"]
		sr.AddFacet("hist_year", bleve.NewFacetRequest(h.field, h.size))
	}
}

// splitCombined turns the fFacets counts back into one facet per name, each sorted by
// count (then value) and cut to its size, as Bleve's own terms facets would be.
func splitCombined(fr *search.FacetResult) map[string][]FacetValue {
	out := map[string][]FacetValue{}
	if fr == nil || fr.Terms == nil {
		return out
	}
	for _, t := range fr.Terms.Terms() {
		name, v, ok := strings.Cut(t.Term, "\x1f")
		if ok {
			out[name] = append(out[name], FacetValue{Value: v, Count: t.Count})
		}
	}
	for name, vs := range out {
		sort.Slice(vs, func(i, j int) bool {
			if vs[i].Count != vs[j].Count {
				return vs[i].Count > vs[j].Count
			}
			return vs[i].Value < vs[j].Value
		})
		out[name] = vs
	}
	return out
}

// fixedHistUnit chooses the histogram's unit from the year filter when both ends are
// given: the bars then divide the chosen period.
func (s *searcher) fixedHistUnit() string {
	f, t := s.req.Filters.FromYear, s.req.Filters.ToYear
	if f == nil || t == nil {
		return ""
	}
	switch span := *t - *f; {
	case span <= 20:
		return "year"
	case span <= 200:
		return "decade"
	}
	return "century"
}

func statusFacet(today int) *bleve.FacetRequest {
	fr := bleve.NewFacetRequest(fOpenDay, 3)
	t, next, never := float64(0), float64(today+1), float64(access.NeverDay)
	fr.AddNumericRange(StatusOpen, &t, &next)
	fr.AddNumericRange(StatusClosed, &next, &never)
	fr.AddNumericRange(StatusNever, &never, nil)
	return fr
}

func (s *searcher) readFacets(ctx context.Context, node Node, r *bleve.SearchResult, res *Result) error {
	combined := splitCombined(r.Facets["combined"])
	for _, f := range facetFields {
		vs := combined[f.name]
		if f.name == "keyword" {
			vs = facetResultValues(r.Facets["keyword"])
		}
		if len(vs) > f.size {
			vs = vs[:f.size]
		}
		res.Facets = append(res.Facets, Facet{Name: f.name, Values: vs})
	}
	if s.req.Staff {
		res.Facets = append(res.Facets, Facet{Name: "status", Values: facetResultValues(r.Facets["status"])})
	}
	unit := s.fixedHistUnit()
	if unit == "" {
		unit = adaptiveUnit(combined)
	}
	var buckets []FacetValue
	switch {
	case unit == "year" && r.Facets["hist_year"] != nil:
		buckets = facetResultValues(r.Facets["hist_year"])
	case unit == "year" && r.Total > 0:
		fr, err := s.yearFacet(ctx, node)
		if err != nil {
			return err
		}
		buckets = facetResultValues(fr)
	default:
		buckets = combined["hist_"+unit]
	}
	res.Histogram = histogram(unit, buckets)
	return nil
}

// adaptiveUnit goes from centuries to decades to years as the hits concentrate.
func adaptiveUnit(f map[string][]FacetValue) string {
	if len(f["hist_century"]) > 2 {
		return "century"
	}
	if len(f["hist_decade"]) > 2 {
		return "decade"
	}
	return "year"
}

// yearFacet counts years in a second, hit-less pass (only when the hits span at most
// two decades, so the pass is small).
func (s *searcher) yearFacet(ctx context.Context, node Node) (*search.FacetResult, error) {
	sr := bleve.NewSearchRequestOptions(s.query(node), 0, 0, false)
	h := histUnits["year"]
	sr.AddFacet("hist_year", bleve.NewFacetRequest(h.field, h.size))
	r, err := s.g.idx.SearchInContext(ctx, sr)
	if err != nil {
		return nil, fmt.Errorf("year histogram: %w", err)
	}
	return r.Facets["hist_year"], nil
}

func facetResultValues(fr *search.FacetResult) []FacetValue {
	var out []FacetValue
	if fr.Terms != nil {
		for _, t := range fr.Terms.Terms() {
			out = append(out, FacetValue{Value: t.Term, Count: t.Count})
		}
	}
	for _, nr := range fr.NumericRanges {
		out = append(out, FacetValue{Value: nr.Name, Count: nr.Count})
	}
	return out
}

// histogram turns bucket counts into contiguous bars, empty periods included.
func histogram(unit string, buckets []FacetValue) *Histogram {
	h := &Histogram{Unit: unit}
	width := histUnits[unit].width
	counts := map[int]int{}
	var years []int
	for _, b := range buckets {
		if y, ok := bucketYear(b.Value); ok {
			counts[y] = b.Count
			years = append(years, y)
		}
	}
	if len(years) == 0 {
		return h
	}
	sort.Ints(years)
	for y := years[0]; y <= years[len(years)-1]; y += width {
		h.Bars = append(h.Bars, Bar{From: y, To: y + width - 1, Count: counts[y]})
	}
	return h
}
