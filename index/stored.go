package index

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"sort"

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

// storedFields reads the stored values of fields of document local of a segment, as
// Bleve's search results give them: a string or a number (float64), a list ([]any)
// when the field holds several.
func storedFields(ss *scorch.SegmentSnapshot, local uint32, fields []string) (map[string]any, error) {
	out := make(map[string]any, len(fields))
	var bad error
	err := ss.VisitDocument(uint64(local), func(name string, typ byte, val []byte, _ []uint64) bool {
		if !slices.Contains(fields, name) {
			return true
		}
		var v any
		switch typ {
		case 't':
			v = string(val)
		case 'n':
			i, err := numeric.PrefixCoded(val).Int64()
			if err != nil {
				bad = fmt.Errorf("stored field %s: %w", name, err)
				return false
			}
			v = numeric.Int64ToFloat64(i)
		default:
			return true // no hit field is of another type
		}
		switch prev := out[name].(type) {
		case nil:
			out[name] = v
		case []any:
			out[name] = append(prev, v)
		default:
			out[name] = []any{prev, v}
		}
		return true
	})
	if err == nil {
		err = bad
	}
	return out, err
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
