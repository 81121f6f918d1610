package index

import (
	"fmt"
	"math"

	"github.com/blevesearch/bleve/v2/index/scorch"
	bindex "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// postings reads one word's postings in one field over a snapshot's segments, in
// global document numbers, as Bleve's term field reader does but without what it does
// for every posting and a search by words does not need: turning the number into a
// byte id (which the searcher turned back), copying the positions into term vectors,
// and computing the norm with a square root and a division (a table lookup here, of
// the same float32-rounded value: the same scores to the bit).
type postings struct {
	iters     []segment.PostingsIterator
	offsets   []uint64 // global number of each segment's first document
	seg       int      // the segment being read
	count     uint64   // postings in all, as Bleve's reader counts them
	positions bool

	// The current posting; doc is done once there is none.
	doc  uint64
	freq uint64
	norm float64
	locs []segment.Location // when positions
}

// openPostings opens the postings of term in field in every segment of r, which must
// be a scorch snapshot (as the collector requires).
func openPostings(r bindex.IndexReader, term []byte, field string, positions bool) (*postings, error) {
	is, err := scorchSnapshot(r)
	if err != nil {
		return nil, err
	}
	segs := is.Segments()
	p := &postings{iters: make([]segment.PostingsIterator, len(segs)), offsets: make([]uint64, len(segs)), positions: positions}
	var running uint64
	for i, ss := range segs {
		p.offsets[i] = running
		running += ss.Segment().Count()
		dict, err := ss.Segment().Dictionary(field)
		if err != nil {
			return nil, err
		}
		pl, err := dict.PostingsList(term, ss.Deleted(), nil)
		if err != nil {
			return nil, err
		}
		p.count += pl.Count()
		p.iters[i] = pl.Iterator(true, true, positions, nil)
	}
	return p, nil
}

// scorchSnapshot is r as the scorch snapshot our searchers and collector read.
func scorchSnapshot(r bindex.IndexReader) (*scorch.IndexSnapshot, error) {
	is, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return nil, fmt.Errorf("index reader %T is not a scorch snapshot", r)
	}
	return is, nil
}

// next moves to the next posting; false at the end.
func (p *postings) next() (bool, error) {
	for ; p.seg < len(p.iters); p.seg++ {
		got, err := p.iters[p.seg].Next()
		if err != nil {
			return false, err
		}
		if got != nil {
			p.set(got)
			return true, nil
		}
	}
	p.doc = done
	return false, nil
}

// advance moves to the first posting at or after target, which must be after the
// current posting; false at the end.
func (p *postings) advance(target uint64) (bool, error) {
	for p.seg+1 < len(p.offsets) && target >= p.offsets[p.seg+1] {
		p.seg++
	}
	if p.seg >= len(p.iters) {
		p.doc = done
		return false, nil
	}
	got, err := p.iters[p.seg].Advance(target - p.offsets[p.seg])
	if err != nil {
		return false, err
	}
	if got == nil {
		p.seg++
		return p.next()
	}
	p.set(got)
	return true, nil
}

func (p *postings) set(got segment.Posting) {
	p.doc = got.Number() + p.offsets[p.seg]
	p.freq = got.Frequency()
	if b, ok := got.(normBits); ok {
		p.norm = normOf(b.NormUint64())
	} else {
		p.norm = got.Norm()
	}
	if p.positions {
		p.locs = got.Locations()
	}
}

// normBits is zap's access to a posting's stored norm (the field's length in words).
type normBits interface{ NormUint64() uint64 }

// norms holds zap's norm of the field lengths up to its size, computed as zap's
// Posting.Norm computes it.
var norms = func() (t [4096]float64) {
	for n := range t {
		t[n] = float64(float32(1.0 / math.Sqrt(float64(n))))
	}
	return t
}()

func normOf(n uint64) float64 {
	if n < uint64(len(norms)) {
		return norms[n]
	}
	return float64(float32(1.0 / math.Sqrt(float64(n))))
}

// size is an estimate of the memory the postings hold, for Bleve's accounting.
func (p *postings) size() int {
	n := 96 + 24*len(p.iters)
	for _, it := range p.iters {
		n += it.Size()
	}
	return n
}
