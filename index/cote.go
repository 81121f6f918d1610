package index

import (
	"context"
	"encoding/binary"
	"sort"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	bindex "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// Scores of a cote looked up (cote:X): the units whose cote is X come first, then
// those with X as another identifier, then the units below X (X/1, X bis...). Units
// of the same score come in the order of their ids, the order of their transfer: the
// pieces of a file as the producer listed them.
const (
	coteScoreBelow      = 1
	coteScoreIdentifier = 2
	coteScoreExact      = 3
)

// coteQuery looks a cote up: exactly (ignoring case and spacing, see NormalizeCote),
// as another identifier, and the cotes below it. Bleve ran it as a disjunction of two
// terms and two term ranges: a term searcher per cote in the ranges, over every
// segment, merged in a heap and scored by tf-idf (a rare cote below ranked above a
// common one, an order that meant nothing), then run again to locate the page's hits.
// "1 D 1" at a million units has thousands of cotes below it in 300 collectivités:
// 3 ms, most of an exact cote's search. coteSearcher reads the few postings of each
// cote of the ranges straight from each segment's dictionary.
type coteQuery struct {
	cote  string      // normalised; "" matches nothing
	below []termRange // the cotes under it
}

func newCoteQuery(text string) *coteQuery {
	q := &coteQuery{cote: NormalizeCote(text)}
	if q.cote != "" {
		q.below = coteBelow(q.cote)
	}
	return q
}

// Searcher runs the query inside Bleve's (with filters, in other orders, beside words).
func (q *coteQuery) Searcher(ctx context.Context, r bindex.IndexReader, _ mapping.IndexMapping, _ search.SearcherOptions) (search.Searcher, error) {
	return q.searcher(r)
}

func (q *coteQuery) directSearcher(ctx context.Context, r bindex.IndexReader) (directSearcher, error) {
	return q.searcher(r)
}

// searcher gathers the matches of every segment of r (a scorch snapshot).
func (q *coteQuery) searcher(r bindex.IndexReader) (*coteSearcher, error) {
	is, err := scorchSnapshot(r)
	if err != nil {
		return nil, err
	}
	s := &coteSearcher{}
	if q.cote == "" {
		return s, nil
	}
	var (
		offset uint64
		pl     segment.PostingsList
		it     segment.PostingsIterator
	)
	// add puts a term's documents in a bitmap: a cote is mostly in one unit of a
	// segment, which zap keeps inline ("1-hit"), else its bitmap is or-ed in whole.
	add := func(ss *scorch.SegmentSnapshot, dict segment.TermDictionary, term []byte, into *roaring.Bitmap) error {
		var err error
		if pl, err = dict.PostingsList(term, ss.Deleted(), pl); err != nil {
			return err
		}
		it = pl.Iterator(false, false, false, it)
		if o, ok := it.(segment.OptimizablePostingsIterator); ok {
			if n, ok := o.DocNum1Hit(); ok {
				into.Add(uint32(n))
			} else if bm := o.ActualBitmap(); bm != nil {
				into.Or(bm)
			}
			return nil
		}
		for {
			p, err := it.Next()
			if err != nil || p == nil {
				return err
			}
			into.Add(uint32(p.Number()))
		}
	}
	for _, ss := range is.Segments() {
		seg := ss.Segment()
		cs := coteSegment{offset: offset}
		offset += seg.Count()
		cotes, err := seg.Dictionary(fCote)
		if err != nil {
			return nil, err
		}
		ids, err := seg.Dictionary(fIdentifier)
		if err != nil {
			return nil, err
		}
		exact, identifier := roaring.New(), roaring.New()
		if err := add(ss, cotes, []byte(q.cote), exact); err != nil {
			return nil, err
		}
		if err := add(ss, ids, []byte(q.cote), identifier); err != nil {
			return nil, err
		}
		cs.exact, cs.identifier = exact.ToArray(), identifier.ToArray()
		all := roaring.Or(exact, identifier)
		for _, rg := range q.below {
			terms := termsBetween(cotes, []byte(rg.from), []byte(rg.to))
			for {
				e, err := terms.Next()
				if err != nil {
					return nil, err
				}
				if e == nil {
					break
				}
				if err := add(ss, cotes, []byte(e.Term), all); err != nil {
					return nil, err
				}
			}
		}
		if all.IsEmpty() {
			continue
		}
		cs.docs = all.ToArray()
		s.segs = append(s.segs, cs)
		s.count += uint64(len(cs.docs))
	}
	return s, nil
}

// termsBetween walks a dictionary's terms from (inclusive) to (exclusive), without
// reading their postings where the segment allows it (add reads them).
func termsBetween(d segment.TermDictionary, from, to []byte) segment.DictionaryIterator {
	if o, ok := d.(interface {
		AutomatonIteratorOmitCount(segment.Automaton, []byte, []byte) segment.DictionaryIterator
	}); ok {
		return o.AutomatonIteratorOmitCount(nil, from, to)
	}
	return d.AutomatonIterator(nil, from, to)
}

// coteSegment is the matches of one segment.
type coteSegment struct {
	offset            uint64   // global number of the segment's first document
	docs              []uint32 // every match, ascending
	exact, identifier []uint32 // the matches of those scores, ascending
}

// score is the score of match d; the matches are scored in order, so the few exact and
// identifier matches are walked along.
func (cs *coteSegment) score(d uint32) float64 {
	for len(cs.exact) > 0 && cs.exact[0] < d {
		cs.exact = cs.exact[1:]
	}
	if len(cs.exact) > 0 && cs.exact[0] == d {
		return coteScoreExact
	}
	for len(cs.identifier) > 0 && cs.identifier[0] < d {
		cs.identifier = cs.identifier[1:]
	}
	if len(cs.identifier) > 0 && cs.identifier[0] == d {
		return coteScoreIdentifier
	}
	return coteScoreBelow
}

// coteSearcher hands out the matches of a coteQuery in document order.
type coteSearcher struct {
	segs  []coteSegment
	seg   int // the segment being read
	i     int // the next match in it
	count uint64
}

func (s *coteSearcher) nextDoc() (uint64, float64, error) {
	for ; s.seg < len(s.segs); s.seg, s.i = s.seg+1, 0 {
		cs := &s.segs[s.seg]
		if s.i < len(cs.docs) {
			d := cs.docs[s.i]
			s.i++
			return cs.offset + uint64(d), cs.score(d), nil
		}
	}
	return done, 0, nil
}

func (s *coteSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	doc, score, err := s.nextDoc()
	return docMatch(ctx, doc, score, err)
}

// Advance moves to the first match at or after id, forward only, as Bleve asks.
func (s *coteSearcher) Advance(ctx *search.SearchContext, id bindex.IndexInternalID) (*search.DocumentMatch, error) {
	target := binary.BigEndian.Uint64(id)
	for ; s.seg < len(s.segs); s.seg, s.i = s.seg+1, 0 {
		cs := &s.segs[s.seg]
		if target < cs.offset {
			break
		}
		rest := cs.docs[s.i:]
		if j := sort.Search(len(rest), func(j int) bool { return cs.offset+uint64(rest[j]) >= target }); j < len(rest) {
			s.i += j
			break
		}
	}
	return s.Next(ctx)
}

// The scores are fixed: no weight in a query norm, and none to take from it.
func (s *coteSearcher) Weight() float64            { return 0 }
func (s *coteSearcher) SetQueryNorm(float64)       {}
func (s *coteSearcher) Count() uint64              { return s.count }
func (s *coteSearcher) Min() int                   { return 0 }
func (s *coteSearcher) DocumentMatchPoolSize() int { return 1 }
func (s *coteSearcher) Size() int                  { return 64 + 4*int(s.count) }
func (s *coteSearcher) Close() error               { return nil }
