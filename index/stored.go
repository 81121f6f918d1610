package index

import (
	"context"
	"encoding/binary"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/numeric"
	"github.com/blevesearch/bleve/v2/search"
	bindex "github.com/blevesearch/bleve_index_api"
)

// The page's hits are read where the search found them: by document number in the
// snapshot it searched (the collector holds it), not by id. Bleve's way, a search for
// the ids, looks every id up in every segment's dictionary twice (to match it, then to
// load the document) and builds each document whole: a quarter of an exact cote's time.

// storedHit reads what a hit shows of document local of a segment and, into m when
// it is not nil, the stored values snippets are cut from, as Bleve's search results
// give them (AddFieldValue: a string, a list when the field holds several).
func storedHit(ss *scorch.SegmentSnapshot, local uint32, m *search.DocumentMatch) (Hit, error) {
	var h Hit
	keep := func(name string, v string) {
		if m != nil {
			m.AddFieldValue(name, v)
		}
	}
	var bad error
	err := ss.VisitDocument(uint64(local), func(name string, typ byte, val []byte, _ []uint64) bool {
		switch name {
		case fTitle:
			h.Title = string(val)
			keep(name, h.Title)
		case fCoteText:
			h.Cote = string(val)
			keep(name, h.Cote)
		case fLevel:
			h.Level = string(val)
		case fTenant:
			h.Tenant = string(val)
		case fStart:
			h.Start = string(val)
		case fEnd:
			h.End = string(val)
		case fPath:
			for p := range strings.SplitSeq(string(val), ",") {
				if n, err := strconv.ParseInt(p, 10, 64); err == nil {
					h.Path = append(h.Path, n)
				}
			}
		case fOpenDay:
			i, err := numeric.PrefixCoded(val).Int64()
			if err != nil {
				bad = fmt.Errorf("stored field %s: %w", name, err)
				return false
			}
			h.OpenDay = int(numeric.Int64ToFloat64(i))
		case fTitleOther, fDescription, fKeyword, fPerson, fProducerText, fPageRef: // for snippets only
			keep(name, string(val))
		}
		return true
	})
	if err == nil {
		err = bad
	}
	return h, err
}

// docsQuery matches documents of one snapshot by number (ascending), unscored: the
// page's hits, to locate the words in them. On another reader its numbers would name
// other documents: it refuses.
type docsQuery struct {
	is   *scorch.IndexSnapshot
	docs []uint64
}

func (q *docsQuery) Searcher(_ context.Context, r bindex.IndexReader, _ mapping.IndexMapping, _ search.SearcherOptions) (search.Searcher, error) {
	if r != bindex.IndexReader(q.is) {
		return nil, fmt.Errorf("document numbers searched in another snapshot than theirs")
	}
	return &docsSearcher{docs: q.docs}, nil
}

type docsSearcher struct {
	docs []uint64
	i    int
}

func (s *docsSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	if s.i >= len(s.docs) {
		return nil, nil
	}
	s.i++
	return docMatch(ctx, s.docs[s.i-1], 0, nil)
}

// Advance moves to the first document at or after id, forward only.
func (s *docsSearcher) Advance(ctx *search.SearchContext, id bindex.IndexInternalID) (*search.DocumentMatch, error) {
	target := binary.BigEndian.Uint64(id)
	rest := s.docs[s.i:]
	s.i += sort.Search(len(rest), func(j int) bool { return rest[j] >= target })
	return s.Next(ctx)
}

func (s *docsSearcher) Weight() float64            { return 0 }
func (s *docsSearcher) SetQueryNorm(float64)       {}
func (s *docsSearcher) Count() uint64              { return uint64(len(s.docs)) }
func (s *docsSearcher) Min() int                   { return 0 }
func (s *docsSearcher) DocumentMatchPoolSize() int { return 1 }
func (s *docsSearcher) Size() int                  { return 48 + 8*len(s.docs) }
func (s *docsSearcher) Close() error               { return nil }
