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
	byName := map[string][]FacetValue{}
	c.dict.mu.RLock()
	for id, n := range t.values {
		if n > 0 {
			f := c.dict.facets[id]
			byName[f] = append(byName[f], FacetValue{Value: c.dict.values[id], Count: int(n)})
		}
	}
	c.dict.mu.RUnlock()
	for _, f := range facetFields {
		vs := byName[f.name]
		sort.Slice(vs, func(i, j int) bool {
			if vs[i].Count != vs[j].Count {
				return vs[i].Count > vs[j].Count
			}
			return vs[i].Value < vs[j].Value
		})
		if len(vs) > f.size {
			vs = vs[:f.size]
		}
		res.Facets = append(res.Facets, Facet{Name: f.name, Values: vs})
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
