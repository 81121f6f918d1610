package index

import (
	"context"
	"fmt"
	"sort"

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
	for _, f := range facetFields {
		sr.AddFacet(f.name, bleve.NewFacetRequest(f.field, f.size))
	}
	if s.req.Staff {
		sr.AddFacet("status", statusFacet(s.scope.Today))
	}
	if unit := s.fixedHistUnit(); unit != "" {
		h := histUnits[unit]
		sr.AddFacet("hist_"+unit, bleve.NewFacetRequest(h.field, h.size))
		return
	}
	for _, unit := range []string{"century", "decade"} {
		h := histUnits[unit]
		sr.AddFacet("hist_"+unit, bleve.NewFacetRequest(h.field, h.size))
	}
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
	names := make([]string, 0, len(facetFields)+1)
	for _, f := range facetFields {
		names = append(names, f.name)
	}
	if s.req.Staff {
		names = append(names, "status")
	}
	for _, name := range names {
		fr := r.Facets[name]
		if fr == nil {
			continue
		}
		res.Facets = append(res.Facets, Facet{Name: name, Values: facetValues(fr)})
	}
	unit := s.fixedHistUnit()
	if unit == "" {
		unit = adaptiveUnit(r.Facets)
	}
	fr := r.Facets["hist_"+unit]
	if fr == nil && r.Total > 0 {
		var err error
		if fr, err = s.yearFacet(ctx, node); err != nil {
			return err
		}
	}
	res.Histogram = histogram(unit, fr)
	return nil
}

// adaptiveUnit goes from centuries to decades to years as the hits concentrate.
func adaptiveUnit(f search.FacetResults) string {
	if c := f["hist_century"]; c != nil && len(c.Terms.Terms()) > 2 {
		return "century"
	}
	if d := f["hist_decade"]; d != nil && len(d.Terms.Terms()) > 2 {
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

func facetValues(fr *search.FacetResult) []FacetValue {
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
func histogram(unit string, fr *search.FacetResult) *Histogram {
	h := &Histogram{Unit: unit}
	if fr == nil || fr.Terms == nil {
		return h
	}
	width := histUnits[unit].width
	counts := map[int]int{}
	var years []int
	for _, t := range fr.Terms.Terms() {
		if y, ok := bucketYear(t.Term); ok {
			counts[y] = t.Count
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
