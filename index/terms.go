package index

import (
	"context"
	"encoding/binary"
	"math"
	"sort"

	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/scorer"
	bindex "github.com/blevesearch/bleve_index_api"
)

// termsQuery is a word looked for in several fields: a disjunction of term queries,
// scored as Bleve scores one (tf-idf of each field's term, times its boost and the
// query norm, summed, times the share of the fields that matched). Bleve's disjunction
// passes every hit through a searcher and a document match per field and compares
// their ids as bytes; a common word of a million units spent more there than in
// reading its postings. termsSearcher merges the postings directly. Where it does not
// apply (no scores, term vectors for snippets, explanations, another scoring model)
// Bleve's own disjunction runs.
type termsQuery struct {
	terms []*query.TermQuery
	bleve query.Query // the same disjunction, run by Bleve
}

// termsOf is qs as a termsQuery when every one of them is a term query, as a
// phrasesQuery when every one is a phrase (see phrasesOf), else their disjunction.
func termsOf(qs []query.Query, m mapping.IndexMapping) query.Query {
	d := disjunction(qs)
	if len(qs) < 2 {
		return d
	}
	tq := make([]*query.TermQuery, len(qs))
	for i, q := range qs {
		t, ok := q.(*query.TermQuery)
		if !ok {
			return phrasesOf(qs, m)
		}
		tq[i] = t
	}
	return &termsQuery{terms: tq, bleve: d}
}

func (q *termsQuery) Searcher(ctx context.Context, r bindex.IndexReader, m mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	if options.Score == "none" || options.Explain || options.IncludeTermVectors || !tfIDF(ctx) {
		return q.bleve.Searcher(ctx, r, m, options)
	}
	docs, err := r.DocCount()
	if err != nil {
		return nil, err
	}
	s := &termsSearcher{
		clauses: len(q.terms),
		readers: make([]bindex.TermFieldReader, 0, len(q.terms)),
	}
	for _, t := range q.terms {
		field := t.Field()
		if field == "" {
			field = m.DefaultSearchField()
		}
		if err := search.RecordTermSearcher(ctx); err != nil { // Bleve's limit on term searchers, when set
			s.Close()
			return nil, err
		}
		tr, err := r.TermFieldReader(ctx, []byte(t.Term), field, true, true, false)
		if err != nil {
			s.Close()
			return nil, err
		}
		s.readers = append(s.readers, tr)
		boost := t.Boost()
		idf := 1.0 + math.Log(float64(docs)/float64(tr.Count()+1))
		s.terms = append(s.terms, termClause{boost: boost, idf: idf, weight: 1})
		s.count += tr.Count()
	}
	// Bleve's disjunction orders its clauses by their counts and sums their scores in
	// that order: the same order gives the same scores to the last bit.
	sort.Sort(byCount{s})
	s.tfd = make([]bindex.TermFieldDoc, len(s.readers))
	s.at = make([]*bindex.TermFieldDoc, len(s.readers))
	s.cur = make([]uint64, len(s.readers))
	// As a disjunction does: normalised on its own, until a query above sets the norm.
	s.SetQueryNorm(1 / math.Sqrt(s.Weight()))
	return s, nil
}

// tfIDF: the search scores with Bleve's default model (the index's); the searcher
// does not know BM25.
func tfIDF(ctx context.Context) bool {
	if ctx == nil {
		return true
	}
	if _, ok := ctx.Value(search.FieldTermSynonymMapKey).(search.FieldTermSynonymMap); ok {
		return false
	}
	f, ok := ctx.Value(search.GetScoringModelCallbackKey).(search.GetScoringModelCallbackFn)
	if !ok {
		return true
	}
	model := f()
	return model == "" || model == bindex.TFIDFScoring
}

// termClause is one field's term: its boost, idf and weight in the query.
type termClause struct {
	boost, idf float64
	weight     float64 // boost × idf × query norm
}

// score is Bleve's TermQueryScorer's tf-idf score of the posting d (same operations
// in the same order: the same bits).
func (t *termClause) score(d *bindex.TermFieldDoc) float64 {
	var tf float64
	if d.Freq < scorer.MaxSqrtCache {
		tf = scorer.SqrtCache[int(d.Freq)]
	} else {
		tf = math.Sqrt(float64(d.Freq))
	}
	score := tf * d.Norm * t.idf
	if t.weight != 1.0 {
		score *= t.weight
	}
	return score
}

// termsSearcher merges the postings of the terms, in document order.
type termsSearcher struct {
	clauses int // the disjunction's clauses, for the share that matched
	readers []bindex.TermFieldReader
	terms   []termClause
	count   uint64
	started bool
	tfd     []bindex.TermFieldDoc  // one per reader, reused
	at      []*bindex.TermFieldDoc // each reader's current posting, nil once done
	cur     []uint64               // its document number, done once done
}

const done = math.MaxUint64

// byCount sorts the searcher's clauses as Bleve's OrderedSearcherList sorts searchers.
type byCount struct{ s *termsSearcher }

func (b byCount) Len() int           { return len(b.s.readers) }
func (b byCount) Less(i, j int) bool { return b.s.readers[i].Count() < b.s.readers[j].Count() }
func (b byCount) Swap(i, j int) {
	b.s.readers[i], b.s.readers[j] = b.s.readers[j], b.s.readers[i]
	b.s.terms[i], b.s.terms[j] = b.s.terms[j], b.s.terms[i]
}

// set records what reader k returned.
func (s *termsSearcher) set(k int, d *bindex.TermFieldDoc, err error) error {
	if err != nil {
		return err
	}
	s.at[k] = d
	s.cur[k] = done
	if d != nil && len(d.ID) == 8 {
		s.cur[k] = binary.BigEndian.Uint64(d.ID)
	}
	return nil
}

func (s *termsSearcher) start() error {
	s.started = true
	for k, r := range s.readers {
		d, err := r.Next(s.tfd[k].Reset())
		if err := s.set(k, d, err); err != nil {
			return err
		}
	}
	return nil
}

func (s *termsSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	if !s.started {
		if err := s.start(); err != nil {
			return nil, err
		}
	}
	doc := uint64(done)
	for _, c := range s.cur {
		doc = min(doc, c)
	}
	if doc == done {
		return nil, nil
	}
	var sum float64
	matched := 0
	for k, c := range s.cur {
		if c != doc {
			continue
		}
		sum += s.terms[k].score(s.at[k])
		matched++
		d, err := s.readers[k].Next(s.tfd[k].Reset())
		if err := s.set(k, d, err); err != nil {
			return nil, err
		}
	}
	m := ctx.DocumentMatchPool.Get()
	m.IndexInternalID = binary.BigEndian.AppendUint64(m.IndexInternalID[:0], doc)
	m.Score = sum * (float64(matched) / float64(s.clauses))
	return m, nil
}

func (s *termsSearcher) Advance(ctx *search.SearchContext, id bindex.IndexInternalID) (*search.DocumentMatch, error) {
	target := binary.BigEndian.Uint64(id)
	for k, r := range s.readers {
		if s.started && s.cur[k] >= target {
			continue
		}
		d, err := r.Advance(id, s.tfd[k].Reset())
		if err := s.set(k, d, err); err != nil {
			return nil, err
		}
	}
	s.started = true
	return s.Next(ctx)
}

func (s *termsSearcher) Close() error {
	var first error
	for _, r := range s.readers {
		if err := r.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

func (s *termsSearcher) Weight() float64 {
	var w float64
	for _, t := range s.terms {
		x := t.boost * t.idf
		w += x * x
	}
	return w
}

func (s *termsSearcher) SetQueryNorm(norm float64) {
	for k := range s.terms {
		t := &s.terms[k]
		t.weight = t.boost * t.idf * norm
	}
}

func (s *termsSearcher) Count() uint64              { return s.count }
func (s *termsSearcher) Min() int                   { return 0 }
func (s *termsSearcher) DocumentMatchPoolSize() int { return 1 }

func (s *termsSearcher) Size() int {
	n := 64 + len(s.terms)*(24+8+8)
	for _, r := range s.readers {
		n += r.Size()
	}
	return n
}
