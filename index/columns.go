package index

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/numeric"
	segment "github.com/blevesearch/scorch_segment_api/v2"

	"sesam/access"
)

// Columns: what counting facets and ordering hits need of every document, held in
// memory per index segment. Bleve's own facets and sort read each hit's doc values
// (decompressing chunks, decoding prefix-coded numbers) for every hit of the query: at
// a million units a broad query has hundreds of thousands of hits and that reading was
// most of the time of a faceted search (../shared/reference/perf-notes.md). A column
// is read once per segment (segments are immutable) and a hit then costs a few array
// reads. At a million units the columns take a few tens of MB.

// noYear marks a unit without dates in the year columns.
const noYear = math.MinInt32

// noValue marks a document without a tenant or producer.
const noValue = math.MaxUint32

// segColumns are the columns of one segment, indexed by the segment's local doc number.
type segColumns struct {
	uid       []uint64
	tenant    []uint32 // facet value id of the tenant (noValue when none)
	producer  []uint32 // facet value id of the originating agency (noValue when none)
	openDay   []int32
	onlineDay []int32 // first day the public may see it (access.NeverDay when unknown)
	dateAsc   []int32 // sort keys (noDateAsc / noDateDesc when undated)
	dateDesc  []int32
	startYear []int32 // noYear when undated
	endYear   []int32
	// facet value ids (see facetDict) of each document: vals[start[d]:start[d+1]]
	start []uint32
	vals  []uint32
	// ancestor ids of each document: anc[aStart[d]:aStart[d+1]]
	aStart []uint32
	anc    []uint64
	cote   strColumn
	title  strColumn
}

// strColumn holds one string per document in one byte slice. A document without a
// value holds missingKey, which sorts after every UTF-8 string (missing last).
type strColumn struct {
	off  []uint32 // len = docs + 1
	data []byte
}

const missingKey = "\xff"

func (c *strColumn) at(d uint32) []byte { return c.data[c.off[d]:c.off[d+1]] }

func (c *strColumn) add(v string, ok bool) {
	if !ok {
		v = missingKey
	}
	c.data = append(c.data, v...)
	c.off = append(c.off, uint32(len(c.data)))
}

// facetDict numbers the facet values of a generation: "name\x1fvalue" of fFacets and
// the keywords. Ids only grow; a search counts into a slice indexed by id.
type facetDict struct {
	mu      sync.RWMutex
	ids     map[string]uint32
	facets  []string            // by id: the facet's name
	values  []string            // by id: the value
	byFacet map[string][]uint32 // the ids of each facet's values

	fmu     sync.Mutex
	filters map[string]*scopeFilter // compiled scopes, by scopeKey
}

func newFacetDict() *facetDict {
	return &facetDict{ids: map[string]uint32{}, byFacet: map[string][]uint32{}, filters: map[string]*scopeFilter{}}
}

// id returns the id of a value of a facet, numbering it when new.
func (d *facetDict) id(facet, value string) uint32 {
	key := facet + "\x1f" + value
	d.mu.RLock()
	id, ok := d.ids[key]
	d.mu.RUnlock()
	if ok {
		return id
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if id, ok := d.ids[key]; ok {
		return id
	}
	id = uint32(len(d.facets))
	d.ids[key] = id
	d.facets = append(d.facets, facet)
	d.values = append(d.values, value)
	d.byFacet[facet] = append(d.byFacet[facet], id)
	return id
}

// valuesOf returns the ids and values of one facet's values.
func (d *facetDict) valuesOf(facet string) ([]uint32, []string) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	ids := append([]uint32(nil), d.byFacet[facet]...)
	vals := make([]string, len(ids))
	for i, id := range ids {
		vals[i] = d.values[id]
	}
	return ids, vals
}

// scopeSize is the number of tenants and of producers the dictionary holds: what a
// compiled scope depends on (new values only ever come after the others).
func (d *facetDict) scopeSize() (tenants, producers int) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return len(d.byFacet["tenant"]), len(d.byFacet["producer"])
}

func (d *facetDict) size() int {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return len(d.facets)
}

// entry returns the facet and value of an id.
func (d *facetDict) entry(id uint32) (string, string) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.facets[id], d.values[id]
}

// columnCache keeps the columns of a generation's segments, by scorch segment id.
type columnCache struct {
	dict *facetDict

	mu   sync.Mutex
	segs map[uint64]*segSlot
}

type segSlot struct {
	once sync.Once
	cols *segColumns
	err  error
}

func newColumnCache() *columnCache {
	return &columnCache{dict: newFacetDict(), segs: map[uint64]*segSlot{}}
}

// snapColumns are the columns of one snapshot's segments with the snapshot's doc
// number offsets: a hit's global doc number is offsets[i] + the local number in
// segment i.
type snapColumns struct {
	offsets []uint64
	segs    []*segColumns
}

// forSnapshot returns the columns of every segment of the snapshot, reading those
// not seen yet (concurrent searches wait for one reading), and forgets the segments
// the snapshot no longer has (merged away).
func (c *columnCache) forSnapshot(is *scorch.IndexSnapshot) (*snapColumns, error) {
	segs := is.Segments()
	sc := &snapColumns{offsets: make([]uint64, len(segs)), segs: make([]*segColumns, len(segs))}
	slots := make([]*segSlot, len(segs))
	c.mu.Lock()
	live := make(map[uint64]bool, len(segs))
	for i, ss := range segs {
		live[ss.Id()] = true
		slot := c.segs[ss.Id()]
		if slot == nil {
			slot = &segSlot{}
			c.segs[ss.Id()] = slot
		}
		slots[i] = slot
	}
	// Segments merged away are dropped once the cache holds many more than a snapshot:
	// an older snapshot still searched meanwhile simply reads them again.
	if len(c.segs) > 2*len(segs)+8 {
		for id := range c.segs {
			if !live[id] {
				delete(c.segs, id)
			}
		}
	}
	c.mu.Unlock()
	var running uint64
	for i, ss := range segs {
		sc.offsets[i] = running
		running += ss.Segment().Count()
		slot := slots[i]
		slot.once.Do(func() { slot.cols, slot.err = readColumns(ss.Segment(), c.dict) })
		if slot.err != nil {
			return nil, slot.err
		}
		sc.segs[i] = slot.cols
	}
	return sc, nil
}

// columnFields are the doc-value fields the columns are read from.
var columnFields = []string{fUID, fOpenDay, fOnlineDay, fDateAsc, fDateDesc, fStartYear, fEndYear, fFacets, fKeywordFacet,
	fAncestors, fCoteSort, fTitleSort}

// readColumns reads a segment's doc values into columns, document by document.
func readColumns(seg segment.Segment, dict *facetDict) (*segColumns, error) {
	dv, ok := seg.(segment.DocValueVisitable)
	if !ok {
		return nil, fmt.Errorf("index segment %T has no doc values", seg)
	}
	n := int(seg.Count())
	c := &segColumns{
		uid: make([]uint64, n), tenant: make([]uint32, n), producer: make([]uint32, n), openDay: make([]int32, n),
		onlineDay: make([]int32, n), dateAsc: make([]int32, n), dateDesc: make([]int32, n),
		startYear: make([]int32, n), endYear: make([]int32, n), start: make([]uint32, 1, n+1), aStart: make([]uint32, 1, n+1),
		cote: strColumn{off: make([]uint32, 1, n+1)}, title: strColumn{off: make([]uint32, 1, n+1)},
	}
	var (
		state       segment.DocVisitState
		d           int
		cote, title string
		hasCote     bool
		hasTitle    bool
		err         error
	)
	visit := func(field string, term []byte) {
		switch field {
		case fUID:
			c.uid[d], _ = strconv.ParseUint(string(term), 10, 64)
		case fOpenDay, fOnlineDay, fDateAsc, fDateDesc, fStartYear, fEndYear:
			v, ok := numericTerm(term)
			if !ok {
				return
			}
			switch field {
			case fOpenDay:
				c.openDay[d] = v
			case fOnlineDay:
				c.onlineDay[d] = v
			case fDateAsc:
				c.dateAsc[d] = v
			case fDateDesc:
				c.dateDesc[d] = v
			case fStartYear:
				c.startYear[d] = v
			case fEndYear:
				c.endYear[d] = v
			}
		case fFacets:
			name, value, ok := strings.Cut(string(term), "\x1f")
			if !ok {
				return
			}
			id := dict.id(name, value)
			c.vals = append(c.vals, id)
			switch name {
			case "tenant":
				c.tenant[d] = id
			case "producer":
				c.producer[d] = id
			}
		case fAncestors:
			if a, err := strconv.ParseUint(string(term), 10, 64); err == nil {
				c.anc = append(c.anc, a)
			}
		case fKeywordFacet:
			c.vals = append(c.vals, dict.id("keyword", string(term)))
		case fCoteSort:
			cote, hasCote = string(term), true
		case fTitleSort:
			title, hasTitle = string(term), true
		}
	}
	for d = 0; d < n; d++ {
		// Defaults of a document without these values (a deleted one, or undated); a
		// document whose tenant or online day is unknown is never seen through them.
		c.tenant[d], c.producer[d], c.onlineDay[d] = noValue, noValue, access.NeverDay
		c.openDay[d], c.dateAsc[d], c.dateDesc[d] = 0, noDateAsc, noDateDesc
		c.startYear[d], c.endYear[d] = noYear, noYear
		hasCote, hasTitle = false, false
		state, err = dv.VisitDocValues(uint64(d), columnFields, visit, state)
		if err != nil {
			return nil, fmt.Errorf("read index columns: %w", err)
		}
		c.start = append(c.start, uint32(len(c.vals)))
		c.aStart = append(c.aStart, uint32(len(c.anc)))
		c.cote.add(cote, hasCote)
		c.title.add(title, hasTitle)
	}
	return c, nil
}

// numericTerm decodes the full-precision term of a numeric field's doc values (the
// others are its shifted prefixes, for ranges).
func numericTerm(term []byte) (int32, bool) {
	pc := numeric.PrefixCoded(term)
	if shift, err := pc.Shift(); err != nil || shift != 0 {
		return 0, false
	}
	i, err := pc.Int64()
	if err != nil {
		return 0, false
	}
	return int32(numeric.Int64ToFloat64(i)), true
}

// locate finds the segment and local doc number of a global doc number, starting from
// the segment of the previous hit (hits come in doc number order).
func (sc *snapColumns) locate(doc uint64, hint int) (int, uint32) {
	i := hint
	if i >= len(sc.offsets) || doc < sc.offsets[i] {
		i = 0
	}
	for i+1 < len(sc.offsets) && doc >= sc.offsets[i+1] {
		i++
	}
	return i, uint32(doc - sc.offsets[i])
}
