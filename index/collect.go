package index

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"math"
	"sort"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search"

	"sesam"
	"sesam/access"
)

// The collector sees every hit of a search that passed the query and the filters
// (Bleve calls it through search.MakeDocumentMatchHandlerKey) and, from the columns,
// counts the facets and the histogram and keeps the page's hits in the requested
// order. Bleve then only matches and scores: it reads no doc values per hit.

// hitKey orders hits: num, then str, then uid, all ascending; every order of the
// portal is written as such a key (a descending number is complemented).
type hitKey struct {
	num   uint64
	str   []byte
	uid   uint64
	score float64
	meta  bool // found among the units seen by their description only
	// Where it was found: the collector's pass (a snapshot it holds), the segment and
	// the document in it, from which the page's hits are read.
	pass  int32
	seg   int32
	local uint32
}

func (a *hitKey) less(b *hitKey) bool {
	if a.num != b.num {
		return a.num < b.num
	}
	if c := bytes.Compare(a.str, b.str); c != 0 {
		return c < 0
	}
	return a.uid < b.uid
}

// orderedFloat maps a float64 to a uint64 of the same order.
func orderedFloat(f float64) uint64 {
	b := math.Float64bits(f)
	if b>>63 == 1 {
		return ^b
	}
	return b | 1<<63
}

// ascInt and descInt map a number to a key ascending or descending with it.
func ascInt(v int32) uint64  { return uint64(int64(v) - math.MinInt32) }
func descInt(v int32) uint64 { return uint64(math.MaxInt32 - int64(v)) }

// order is how hits are ranked.
type order int

const (
	byScore order = iota + 1
	byDateAsc
	byDateDesc
	byTitle
	byCote
	byOpened
)

// orderOf is the order of a sort; a browse (no words) lists by cote, the archivist's order.
func orderOf(sort string, browse bool) order {
	switch sort {
	case SortDate:
		return byDateAsc
	case SortDateDesc:
		return byDateDesc
	case SortTitle:
		return byTitle
	case SortCote:
		return byCote
	case SortOpened:
		return byOpened
	}
	if browse {
		return byCote
	}
	return byScore
}

// collector gathers one search's facets and page.
type collector struct {
	dict  *facetDict
	cache *columnCache
	order order
	keep  int     // hits kept: the page and the ones before it, plus one
	after *hitKey // search-after: only hits after this one

	facets bool
	staff  bool
	today  int
	// meta: the hits are units seen by their description only (access.MetadataOnly),
	// whose objects (format, has_object) are not counted.
	meta bool

	scope *access.Scope // when set, only the units this scope sees in full are kept
	sf    *scopeFilter  // scope compiled against the searched snapshot's dictionary
	total uint64        // hits kept

	cols *snapColumns
	// passes are the snapshots searched, held (a reference each) until release, so
	// that the page's hits are read where they were found, by number.
	passes []pass
	hint   int
	heap   []hitKey // max-heap of the keep smallest keys
	tally  *tally
}

// pass is one snapshot a collector searched, and its columns.
type pass struct {
	is   *scorch.IndexSnapshot
	cols *snapColumns
}

// doc is the number in the pass's snapshot of the document a key of this pass names.
func (p pass) doc(k hitKey) uint64 { return p.cols.offsets[k.seg] + uint64(k.local) }

// tally is what a search counts.
type tally struct {
	values []int32 // by facet value id
	// Periods from histMin on, as differences: the count of period i is the sum of
	// the first i+1 values (one hit adds in O(1) however long its span).
	centuries []int32
	decades   []int32
	years     []int32
	status    [3]int // open, closed, never
}

// The histogram counts years in [histMin, histMax]; dates beyond are not drawn.
const (
	histMin = -9999
	histMax = 9999
)

func newTally(values int) *tally {
	return &tally{
		values:    make([]int32, values),
		centuries: make([]int32, (histMax-histMin)/100+3),
		decades:   make([]int32, (histMax-histMin)/10+3),
		years:     make([]int32, histMax-histMin+2),
	}
}

// grow returns t (a new tally when nil) counting values up to n ids.
func (t *tally) grow(n int) *tally {
	if t == nil {
		return newTally(n)
	}
	if n > len(t.values) {
		t.values = append(t.values, make([]int32, n-len(t.values))...)
	}
	return t
}

// makeHandler is Bleve's hook: called once per search with the snapshot searched.
func (c *collector) makeHandler(sctx *search.SearchContext) (search.DocumentMatchHandler, bool, error) {
	is, err := scorchSnapshot(sctx.IndexReader)
	if err != nil {
		return nil, false, err
	}
	if err := c.begin(is); err != nil {
		return nil, false, err
	}
	pool := sctx.DocumentMatchPool
	return func(d *search.DocumentMatch) error {
		if d == nil {
			return nil // the end of the search
		}
		c.add(d)
		pool.Put(d)
		return nil
	}, false, nil
}

// begin prepares a pass over a snapshot: its columns, the scope compiled against
// them, the tally grown to the dictionary.
func (c *collector) begin(is *scorch.IndexSnapshot) error {
	cols, err := c.cache.forSnapshot(is)
	if err != nil {
		return err
	}
	is.AddRef() // until release: Bleve closes the snapshot it searched when done
	c.cols = cols
	c.passes = append(c.passes, pass{is: is, cols: cols})
	c.sf = nil
	if c.scope != nil {
		c.sf = scopeFilterOf(*c.scope, c.dict)
	}
	if c.facets {
		c.tally = c.tally.grow(c.dict.size()) // one tally over the searches of one request
	}
	return nil
}

// release lets go of the snapshots searched.
func (c *collector) release() {
	for _, p := range c.passes {
		p.is.DecRef()
	}
	c.passes = nil
}

// scanAll passes every live document of the snapshot to the collector, without
// Bleve: a browse without filters matches every unit, and Bleve's match-all cost
// ten times what reading the columns does.
func (c *collector) scanAll(is *scorch.IndexSnapshot) error {
	if err := c.begin(is); err != nil {
		return err
	}
	for si, ss := range is.Segments() {
		n := uint32(len(c.cols.segs[si].uid))
		deleted := ss.Deleted()
		for d := range n {
			if deleted != nil && deleted.Contains(d) {
				continue
			}
			c.addDoc(si, d, 0)
		}
	}
	return nil
}

func (c *collector) add(d *search.DocumentMatch) {
	if len(d.IndexInternalID) != 8 {
		return
	}
	c.addNumber(binary.BigEndian.Uint64(d.IndexInternalID), d.Score)
}

// addNumber counts and ranks the document of this number in the snapshot.
func (c *collector) addNumber(doc uint64, score float64) {
	si, local := c.cols.locate(doc, c.hint)
	c.hint = si
	c.addDoc(si, local, score)
}

// addDoc counts and ranks one document that matched, of segment si.
func (c *collector) addDoc(si int, local uint32, score float64) {
	sc := c.cols.segs[si]
	if c.sf != nil && !c.sf.full(sc, local) {
		return
	}
	c.total++
	if c.facets {
		c.count(sc, local)
	}
	if c.keep == 0 {
		return
	}
	// A key is decided by its number first, in every order but title and cote: a hit
	// numbered after the heap's largest, or before the cursor, cannot be kept. Most
	// hits of a common word are rejected here, without reading their uid.
	num := c.num(sc, local, score)
	if c.order != byTitle && c.order != byCote &&
		(len(c.heap) == c.keep && num > c.heap[0].num || c.after != nil && num < c.after.num) {
		return
	}
	k := c.key(sc, local, num, score)
	k.pass, k.seg, k.local = int32(len(c.passes)-1), int32(si), local
	if c.after != nil && !c.after.less(&k) {
		return
	}
	c.push(k)
}

// key is the ranking key of document d, whose number (num) is already known.
func (c *collector) key(sc *segColumns, d uint32, num uint64, score float64) hitKey {
	k := hitKey{num: num, uid: sc.uid[d], score: score, meta: c.meta}
	switch c.order {
	case byTitle:
		k.str = sc.title.at(d)
	case byCote:
		k.str = sc.cote.at(d)
	}
	return k
}

// num is the number that leads a document's key: its score or date, 0 in the orders
// by text (title, cote).
func (c *collector) num(sc *segColumns, d uint32, score float64) uint64 {
	switch c.order {
	case byScore:
		return ^orderedFloat(score)
	case byDateAsc:
		return ascInt(sc.dateAsc[d])
	case byDateDesc:
		return descInt(sc.dateDesc[d])
	case byOpened:
		return descInt(sc.openDay[d])
	}
	return 0
}

func (c *collector) count(sc *segColumns, d uint32) {
	t := c.tally
	for _, v := range sc.vals[sc.start[d]:sc.start[d+1]] {
		if c.meta && c.dict.objectFacet(v) {
			continue
		}
		t.values[v]++
	}
	if c.staff {
		switch od := int(sc.openDay[d]); {
		case od <= c.today:
			t.status[0]++
		case od >= access.NeverDay:
			t.status[2]++
		default:
			t.status[1]++
		}
	}
	sy, ey := int(sc.startYear[d]), int(sc.endYear[d])
	if sy == noYear {
		return
	}
	// A unit counts in every period its dates cover: +1 where its span starts, -1
	// after it ends (the counts are the running sums, see tally.bars).
	sy, ey = max(sy, histMin), min(ey, histMax)
	if sy > ey {
		return
	}
	t.centuries[floorDiv(sy, 100)-floorDiv(histMin, 100)]++
	t.centuries[floorDiv(ey, 100)-floorDiv(histMin, 100)+1]--
	t.decades[floorDiv(sy, 10)-floorDiv(histMin, 10)]++
	t.decades[floorDiv(ey, 10)-floorDiv(histMin, 10)+1]--
	t.years[sy-histMin]++
	t.years[ey-histMin+1]--
}

// push keeps k when it is among the keep smallest keys seen (a max-heap: the root is
// the largest kept, the one a better hit replaces).
func (c *collector) push(k hitKey) {
	h := c.heap
	if len(h) < c.keep {
		h = append(h, k)
		for i := len(h) - 1; i > 0; {
			p := (i - 1) / 2
			if !h[p].less(&h[i]) {
				break
			}
			h[p], h[i] = h[i], h[p]
			i = p
		}
		c.heap = h
		return
	}
	if !k.less(&h[0]) {
		return
	}
	h[0] = k
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(h) && h[m].less(&h[l]) {
			m = l
		}
		if r < len(h) && h[m].less(&h[r]) {
			m = r
		}
		if m == i {
			break
		}
		h[m], h[i] = h[i], h[m]
		i = m
	}
}

// sorted returns the kept keys in order.
func (c *collector) sorted() []hitKey {
	out := append([]hitKey(nil), c.heap...)
	sort.Slice(out, func(i, j int) bool { return out[i].less(&out[j]) })
	return out
}

// A cursor names the last hit of a page in one order: a version, the order, the
// key's number and unit id, then its string.
const cursorVersion = 2

func encodeCursor(o order, k hitKey) string {
	b := []byte{cursorVersion, byte(o)}
	b = binary.BigEndian.AppendUint64(b, k.num)
	b = binary.BigEndian.AppendUint64(b, k.uid)
	b = append(b, k.str...)
	return base64.RawURLEncoding.EncodeToString(b)
}

var (
	errCursor     = sesam.Invalid("lien de page invalide", "invalid page link")
	errCursorSort = sesam.Invalid("lien de page invalide (il suit un autre tri)", "invalid page link (it follows another sort)")
)

func decodeCursor(cursor string, o order) (*hitKey, error) {
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil || len(b) < 18 || b[0] != cursorVersion {
		return nil, errCursor
	}
	if order(b[1]) != o {
		return nil, errCursorSort
	}
	k := &hitKey{num: binary.BigEndian.Uint64(b[2:10]), uid: binary.BigEndian.Uint64(b[10:18])}
	if len(b) > 18 {
		k.str = b[18:]
	}
	return k, nil
}
