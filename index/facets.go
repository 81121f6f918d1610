package index

import "sort"

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

// combinedFacets are the facets whose values share the one fFacets field (all but the
// keywords): the columns read one field instead of five.
var combinedFacets = []struct{ name, field string }{
	{"tenant", fTenant}, {"producer", fProducer}, {"level", fLevel}, {"format", fFormat}, {"has_object", fHasObject},
}

// facetValue is a value of fFacets: the facet's name, a separator, the value.
func facetValue(facet, v string) string { return facet + "\x1f" + v }

// histWidth is the width in years of a bar of each histogram unit.
var histWidth = map[string]int{"century": 100, "decade": 10, "year": 1}

// readFacets turns the collector's counts into the facets and the histogram.
func (s *searcher) readFacets(c *collector, res *Result) {
	t := c.tally
	if t == nil {
		t = newTally(0) // no segment: nothing was counted
	}
	// Each facet keeps its best values as they come: sorting every value of a facet
	// (thousands of keywords at a million units) cost a tenth of a faceted search.
	best := make(map[string]*topValues, len(facetFields))
	for _, f := range facetFields {
		best[f.name] = &topValues{n: f.size}
	}
	c.dict.mu.RLock()
	for id, n := range t.values {
		if n > 0 {
			if b := best[c.dict.facets[id]]; b != nil {
				b.offer(FacetValue{Value: c.dict.values[id], Count: int(n)})
			}
		}
	}
	c.dict.mu.RUnlock()
	for _, f := range facetFields {
		res.Facets = append(res.Facets, Facet{Name: f.name, Values: best[f.name].vs})
	}
	if s.req.Staff {
		var vs []FacetValue
		for i, name := range []string{StatusOpen, StatusClosed, StatusNever} {
			if t.status[i] > 0 {
				vs = append(vs, FacetValue{Value: name, Count: t.status[i]})
			}
		}
		res.Facets = append(res.Facets, Facet{Name: "status", Values: vs})
	}
	f := s.req.Filters
	centuries := bars(t.centuries, floorDiv(histMin, 100)*100, 100, f.FromYear, f.ToYear)
	decades := bars(t.decades, floorDiv(histMin, 10)*10, 10, f.FromYear, f.ToYear)
	unit := s.fixedHistUnit()
	switch {
	case unit != "":
	case len(centuries) > 2:
		unit = "century"
	case len(decades) > 2:
		unit = "decade"
	default:
		unit = "year"
	}
	switch unit {
	case "century":
		res.Histogram = histogram(unit, centuries)
	case "decade":
		res.Histogram = histogram(unit, decades)
	default:
		res.Histogram = histogram(unit, bars(t.years, histMin, 1, f.FromYear, f.ToYear))
	}
}

// topValues keeps the n values with the most hits, ties by value, in that order.
type topValues struct {
	n  int
	vs []FacetValue
}

func (t *topValues) offer(v FacetValue) {
	if len(t.vs) == t.n && (t.n == 0 || !moreHits(v, t.vs[t.n-1])) {
		return
	}
	i := sort.Search(len(t.vs), func(i int) bool { return moreHits(v, t.vs[i]) })
	if len(t.vs) < t.n {
		t.vs = append(t.vs, FacetValue{})
	}
	copy(t.vs[i+1:], t.vs[i:])
	t.vs[i] = v
}

// moreHits: a comes before b in a facet.
func moreHits(a, b FacetValue) bool {
	if a.Count != b.Count {
		return a.Count > b.Count
	}
	return a.Value < b.Value
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

// bars lists the periods counted (non-zero) from their differences, the first period
// starting at year first, leaving out those outside the years asked for: a unit of
// 1790-2011 found by 1880..1899 does not draw bars for the 2000s.
func bars(diffs []int32, first, width int, from, to *int) []Bar {
	var out []Bar
	var n int32
	for i, d := range diffs {
		n += d
		y := first + i*width
		if n <= 0 || (from != nil && y+width-1 < *from) || (to != nil && y > *to) {
			continue
		}
		out = append(out, Bar{From: y, To: y + width - 1, Count: int(n)})
	}
	return out
}

// histogram fills the gaps between the periods counted: contiguous bars, empty
// periods included.
func histogram(unit string, counted []Bar) *Histogram {
	h := &Histogram{Unit: unit}
	if len(counted) == 0 {
		return h
	}
	width := histWidth[unit]
	next := 0
	for y := counted[0].From; y <= counted[len(counted)-1].From; y += width {
		b := Bar{From: y, To: y + width - 1}
		if counted[next].From == y {
			b.Count = counted[next].Count
			next++
		}
		h.Bars = append(h.Bars, b)
	}
	return h
}
