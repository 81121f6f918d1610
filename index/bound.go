package index

import (
	"context"

	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bindex "github.com/blevesearch/bleve_index_api"
)

// Bound is at least the number of units a search can find, read from the dictionary
// without walking any postings: what a search costs grows with it (the matches it
// collects, ranks and counts into facets), so the portal can keep searches that cannot
// find many units from queuing behind those that find hundreds of thousands. It is the
// least of what the words can match and what each filter that is a term (a fonds
// searched within, a collectivité, a producer...) can; a browse with no such filter, a
// negation alone or a query of stop words may find every unit. A query that does not
// parse is bounded by the whole index (the search itself then says what is wrong).
func (ix *Index) Bound(ctx context.Context, req Request) (uint64, error) {
	var n uint64
	err := ix.read(func(g *generation) error {
		is, err := g.snapshot()
		if err != nil {
			return err
		}
		defer is.Close()
		if n, err = is.DocCount(); err != nil {
			return err
		}
		node, err := Parse(req.Query)
		if err != nil {
			return nil
		}
		b := &builder{m: g.idx.Mapping(), coteLike: hasNumber(node)}
		count := func(q query.Query) (uint64, error) { return searcherCount(ctx, is, b, q) }
		if node != nil {
			v, c, err := b.bound(node, count)
			if err != nil {
				return err
			}
			if c != noClause {
				n = min(n, v)
			}
		}
		for _, f := range termFilters(req.Filters) {
			v, err := count(f)
			if err != nil {
				return err
			}
			n = min(n, v)
		}
		return nil
	})
	return n, err
}

// bound is an upper bound of what n matches: the least of an And's required parts
// (every match has each), otherwise what the searcher of n's query says (Bleve's
// conjunctions and disjunctions sum their parts: a worst case).
func (b *builder) bound(n Node, count func(query.Query) (uint64, error)) (uint64, clause, error) {
	if and, ok := n.(And); ok {
		best, seen := uint64(0), false
		for _, x := range and.Xs {
			if _, not := x.(Not); not {
				continue
			}
			v, c, err := b.bound(x, count)
			if err != nil {
				return 0, noClause, err
			}
			if c == required && (!seen || v < best) {
				best, seen = v, true
			}
		}
		if seen {
			return best, required, nil
		}
	}
	q, c := b.node(n)
	if c == noClause {
		return 0, noClause, nil
	}
	v, err := count(q)
	return v, c, err
}

// searcherCount is what q's searcher says it may match in r.
func searcherCount(ctx context.Context, r bindex.IndexReader, b *builder, q query.Query) (uint64, error) {
	s, err := q.Searcher(ctx, r, b.m, search.SearcherOptions{})
	if err != nil {
		return 0, err
	}
	defer s.Close()
	return s.Count(), nil
}
