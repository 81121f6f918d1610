package index

import (
	"context"
	"encoding/binary"
	"slices"
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
	d := &coteDirect{}
	err := q.walk(r, func(offset uint64, exact, identifier *roaring.Bitmap, below func(coteSink) error) error {
		// A unit has one cote: the exact cote's and those below never share a unit; a
		// unit with the cote as another identifier may be in either, and keeps the
		// higher score.
		identifier.AndNot(exact)
		under := coteList{offset: offset, score: coteScoreBelow}
		err := below(func(one uint32, many *roaring.Bitmap) {
			switch {
			case many == nil && !identifier.Contains(one):
				under.docs = append(under.docs, one)
			case many != nil && identifier.IsEmpty():
				under.docs = appendBitmap(under.docs, many)
			case many != nil:
				under.docs = appendBitmap(under.docs, roaring.AndNot(many, identifier))
			}
		})
		for _, l := range []coteList{{offset, coteScoreExact, exact.ToArray()},
			{offset, coteScoreIdentifier, identifier.ToArray()}, under} {
			if len(l.docs) > 0 {
				d.lists = append(d.lists, l)
			}
		}
		return err
	})
	return d, err
}

// searcher gathers the matches of every segment of r (a scorch snapshot) in document
// order, as Bleve's searchers go.
func (q *coteQuery) searcher(r bindex.IndexReader) (*coteSearcher, error) {
	s := &coteSearcher{}
	err := q.walk(r, func(offset uint64, exact, identifier *roaring.Bitmap, below func(coteSink) error) error {
		cs := coteSegment{offset: offset, exact: exact.ToArray(), identifier: identifier.ToArray()}
		all := roaring.Or(exact, identifier)
		if err := below(into(all)); err != nil || all.IsEmpty() {
			return err
		}
		cs.docs = all.ToArray()
		s.segs = append(s.segs, cs)
		s.count += uint64(len(cs.docs))
		return nil
	})
	return s, err
}

// A coteSink takes the documents of one cote: one, or many when many is not nil.
type coteSink func(one uint32, many *roaring.Bitmap)

// into is a sink that adds the documents to bm.
func into(bm *roaring.Bitmap) coteSink {
	return func(one uint32, many *roaring.Bitmap) {
		if many == nil {
			bm.Add(one)
		} else {
			bm.Or(many)
		}
	}
}

// walk reads the cote's matches in each segment of r (a scorch snapshot): seg gets the
// segment's first document number, the documents of the exact cote and of the cote as
// another identifier, and below, which hands the documents of each cote below to a
// sink, one cote at a time.
func (q *coteQuery) walk(r bindex.IndexReader, seg func(offset uint64, exact, identifier *roaring.Bitmap, below func(coteSink) error) error) error {
	is, err := scorchSnapshot(r)
	if err != nil || q.cote == "" {
		return err
	}
	var (
		offset uint64
		pl     segment.PostingsList
		it     segment.PostingsIterator
	)
	// read hands a term's documents to sink: a cote is mostly in one unit of a segment,
	// which zap keeps inline ("1-hit"), else its bitmap goes whole.
	read := func(ss *scorch.SegmentSnapshot, dict segment.TermDictionary, term []byte, sink coteSink) error {
		var err error
		if pl, err = dict.PostingsList(term, ss.Deleted(), pl); err != nil {
			return err
		}
		it = pl.Iterator(false, false, false, it)
		if o, ok := it.(segment.OptimizablePostingsIterator); ok {
			if n, ok := o.DocNum1Hit(); ok {
				sink(uint32(n), nil)
			} else if bm := o.ActualBitmap(); bm != nil {
				sink(0, bm)
			}
			return nil
		}
		for {
			p, err := it.Next()
			if err != nil || p == nil {
				return err
			}
			sink(uint32(p.Number()), nil)
		}
	}
	for _, ss := range is.Segments() {
		first := offset
		offset += ss.Segment().Count()
		cotes, err := ss.Segment().Dictionary(fCote)
		if err != nil {
			return err
		}
		ids, err := ss.Segment().Dictionary(fIdentifier)
		if err != nil {
			return err
		}
		exact, identifier := roaring.New(), roaring.New()
		if err := read(ss, cotes, []byte(q.cote), into(exact)); err != nil {
			return err
		}
		if err := read(ss, ids, []byte(q.cote), into(identifier)); err != nil {
			return err
		}
		below := func(sink coteSink) error {
			for _, rg := range q.below {
				terms := termsBetween(cotes, []byte(rg.from), []byte(rg.to))
				for {
					e, err := terms.Next()
					if err != nil {
						return err
					}
					if e == nil {
						break
					}
					if err := read(ss, cotes, []byte(e.Term), sink); err != nil {
						return err
					}
				}
			}
			return nil
		}
		if err := seg(first, exact, identifier, below); err != nil {
			return err
		}
	}
	return nil
}

// appendBitmap appends the members of bm to docs.
func appendBitmap(docs []uint32, bm *roaring.Bitmap) []uint32 {
	n, m := len(docs), int(bm.GetCardinality())
	docs = slices.Grow(docs, m)[:n+m]
	bm.ManyIterator().NextMany(docs[n:])
	return docs
}

// termsBetween walks a dictionary's terms from (inclusive) to (exclusive), without
// reading their postings where the segment allows it (walk's read gets them).
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

// coteDirect hands the matches of a coteQuery to our collector, which ranks them
// itself: by segment and score, in no order within (or-ing the bitmaps of the cotes
// below into document order was a third of an exact cote's search at 1M units).
type coteDirect struct {
	lists []coteList
	i, j  int // the list being read, the next match in it
}

// coteList is the matches of one score in one segment.
type coteList struct {
	offset uint64
	score  float64
	docs   []uint32
}

func (d *coteDirect) nextDoc() (uint64, float64, error) {
	for ; d.i < len(d.lists); d.i, d.j = d.i+1, 0 {
		if l := &d.lists[d.i]; d.j < len(l.docs) {
			d.j++
			return l.offset + uint64(l.docs[d.j-1]), l.score, nil
		}
	}
	return done, 0, nil
}
