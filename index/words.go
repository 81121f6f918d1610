package index

import (
	"context"
	"encoding/binary"
	"math"
	"slices"
	"sort"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/scorer"
	bindex "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// wordsQuery is a word or a phrase looked for in several fields: what Bleve's
// disjunction of their term or phrase queries finds, scored as it scores them (tf-idf
// of each word, times its boost and the query norm, summed per field, the fields'
// sums added and multiplied by the share of the fields that matched). Bleve passes
// every hit through a searcher and a document match per field (and per word of a
// phrase), compares ids as bytes and, for a phrase, builds a map of every location of
// every document having all its words: a common word at a million units spent more
// there than in reading its postings, and "état civil" half of its 217 ms in the maps.
// wordsSearcher merges the postings and compares positions directly. Where it does not
// apply (no scores, term vectors for snippets, explanations, another scoring model)
// Bleve's own disjunction runs.
type wordsQuery struct {
	fields []fieldWords
	bleve  query.Query // the same disjunction, run by Bleve
}

// fieldWords is a word or phrase in one field: slots[i] is the word at position i
// ("" where the analyser dropped one, a stop word); no slots: the field's analyser
// leaves nothing of it, a clause that matches nothing.
type fieldWords struct {
	field string
	boost float64
	slots []string
}

// phraseSlots places tokens by position as Bleve's match phrase query does; false
// when a position has more than one token (the analysers here give no synonyms, but
// wordsSearcher does not know that case).
func phraseSlots(tokens analysis.TokenStream) ([]string, bool) {
	if len(tokens) == 0 {
		return nil, true
	}
	first, last := math.MaxInt, 0
	for _, t := range tokens {
		first, last = min(first, t.Position), max(last, t.Position)
	}
	slots := make([]string, last-first+1)
	for _, t := range tokens {
		i := t.Position - first
		if slots[i] != "" || len(t.Term) == 0 {
			return nil, false
		}
		slots[i] = string(t.Term)
	}
	return slots, true
}

// bleveOnly: what the search asks for is Bleve's alone (no scores, where its own
// unadorned searchers do better; term vectors for snippets; explanations; another
// scoring model than tf-idf), and the queries here hand it their Bleve query.
func bleveOnly(ctx context.Context, options search.SearcherOptions) bool {
	return options.Score == "none" || options.Explain || options.IncludeTermVectors || !tfIDF(ctx)
}

func (q *wordsQuery) Searcher(ctx context.Context, r bindex.IndexReader, m mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	if bleveOnly(ctx, options) {
		return q.bleve.Searcher(ctx, r, m, options)
	}
	return q.searcher(ctx, r)
}

// searcher is the wordsSearcher of q on r.
func (q *wordsQuery) searcher(ctx context.Context, r bindex.IndexReader) (*wordsSearcher, error) {
	docs, err := r.DocCount()
	if err != nil {
		return nil, err
	}
	s := &wordsSearcher{clauses: len(q.fields)}
	for _, f := range q.fields {
		fw := &fieldMatch{}
		s.fields = append(s.fields, fw)
		// Positions are read only when there are several words to put side by side.
		positions := len(f.slots)-countEmpty(f.slots) > 1
		for i, w := range f.slots {
			if w == "" {
				continue
			}
			if err := search.RecordTermSearcher(ctx); err != nil { // Bleve's limit on term searchers, when set
				return nil, err
			}
			p, err := openPostings(r, []byte(w), f.field, positions)
			if err != nil {
				return nil, err
			}
			idf := 1.0 + math.Log(float64(docs)/float64(p.count+1))
			fw.words = append(fw.words, fieldWord{termClause: termClause{boost: f.boost, idf: idf, weight: 1},
				postings: p, offset: uint64(i)})
			fw.count += p.count
		}
		// Bleve sums a phrase's words' scores in the order of their counts...
		sort.Sort(wordsByCount(fw.words))
		fw.first = slices.IndexFunc(fw.words, func(w fieldWord) bool { return w.offset == 0 })
		fw.done = len(fw.words) == 0
	}
	// ... and a disjunction its clauses' in the order of theirs: the same order gives
	// the same scores to the last bit.
	sort.Sort(fieldsByCount(s.fields))
	s.cur = make([]uint64, len(s.fields))
	// As a disjunction does: normalised on its own, until a query above sets the norm.
	s.SetQueryNorm(1 / math.Sqrt(s.Weight()))
	return s, nil
}

func countEmpty(slots []string) int {
	n := 0
	for _, w := range slots {
		if w == "" {
			n++
		}
	}
	return n
}

// tfIDF: the search scores with Bleve's default model (the index's); the searcher
// does not know BM25 nor synonyms.
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

// termClause is one word's boost, idf and weight in the query.
type termClause struct {
	boost, idf float64
	weight     float64 // boost × idf × query norm
}

// score is Bleve's TermQueryScorer's tf-idf score of a posting (same operations in the
// same order: the same bits).
func (t *termClause) score(freq uint64, norm float64) float64 {
	var tf float64
	if freq < scorer.MaxSqrtCache {
		tf = scorer.SqrtCache[int(freq)]
	} else {
		tf = math.Sqrt(float64(freq))
	}
	score := tf * norm * t.idf
	if t.weight != 1.0 {
		score *= t.weight
	}
	return score
}

// fieldWord is one word in one field, at offset from the first word of its phrase.
type fieldWord struct {
	termClause
	*postings
	offset uint64
}

type wordsByCount []fieldWord

func (w wordsByCount) Len() int           { return len(w) }
func (w wordsByCount) Less(i, j int) bool { return w[i].count < w[j].count }
func (w wordsByCount) Swap(i, j int)      { w[i], w[j] = w[j], w[i] }

type fieldsByCount []*fieldMatch

func (f fieldsByCount) Len() int           { return len(f) }
func (f fieldsByCount) Less(i, j int) bool { return f[i].count < f[j].count }
func (f fieldsByCount) Swap(i, j int)      { f[i], f[j] = f[j], f[i] }

// fieldMatch finds the documents where a field has the word, or the phrase.
type fieldMatch struct {
	words   []fieldWord
	first   int // the word at offset 0
	count   uint64
	started bool
	done    bool
	doc     uint64 // the current match, where the words are
}

// current is the current match's document, done once there is none.
func (f *fieldMatch) current() uint64 {
	if f.done {
		return done
	}
	return f.doc
}

const done = math.MaxUint64

// seek moves to the next document where the field has the words side by side: after
// the current match, or with to, at or after target.
func (f *fieldMatch) seek(target uint64, to bool) error {
	for k := range f.words {
		if err := f.move(k, target, to); err != nil || f.done {
			return err
		}
	}
	f.started = true
	if len(f.words) == 1 { // a word: its postings are the matches (every search's hot path)
		f.doc = f.words[0].doc
		return nil
	}
	for {
		// Leapfrog: every word to the furthest one's document.
		top := uint64(0)
		for k := range f.words {
			top = max(top, f.words[k].doc)
		}
		behind := false
		for k := range f.words {
			behind = behind || f.words[k].doc < top
			if err := f.move(k, top, true); err != nil || f.done {
				return err
			}
		}
		if behind {
			continue
		}
		if f.adjacent() {
			f.doc = top
			return nil
		}
		for k := range f.words {
			if err := f.move(k, 0, false); err != nil || f.done {
				return err
			}
		}
	}
}

// move puts word k on its next posting or, with to, on its first at or after target
// (where it stays when it is there already).
func (f *fieldMatch) move(k int, target uint64, to bool) error {
	if f.done {
		return nil
	}
	w := &f.words[k]
	var ok bool
	var err error
	switch {
	case !to:
		ok, err = w.next()
	case !f.started || w.doc < target:
		ok, err = w.advance(target)
	default:
		return nil
	}
	if err != nil {
		return err
	}
	f.done = !ok
	return nil
}

// adjacent: a single word, or some occurrence of the first word followed by every
// other word at its offset in the same value of the field (the same page), as Bleve's
// phrase path.
func (f *fieldMatch) adjacent() bool {
	if len(f.words) == 1 {
		return true
	}
	for _, v := range f.words[f.first].locs {
		if f.followed(v) {
			return true
		}
	}
	return false
}

// followed: every word but the first is at its offset from v, in v's field value.
func (f *fieldMatch) followed(v segment.Location) bool {
	for k := range f.words {
		w := &f.words[k]
		if w.offset != 0 && !slices.ContainsFunc(w.locs, func(x segment.Location) bool {
			return x.Pos() == v.Pos()+w.offset && slices.Equal(x.ArrayPositions(), v.ArrayPositions())
		}) {
			return false
		}
	}
	return true
}

// scoreAt is the score of the words at the current document, as Bleve's term
// searcher, or its conjunction of them for a phrase, gives it.
func (f *fieldMatch) scoreAt() float64 {
	var sum float64
	for k := range f.words {
		w := &f.words[k]
		sum += w.score(w.freq, w.norm)
	}
	return sum
}

// wordsSearcher merges the fields' matches in document order.
type wordsSearcher struct {
	clauses int // the disjunction's clauses, for the share that matched
	fields  []*fieldMatch
	cur     []uint64 // each field's current match, done once done
	doc     uint64   // the smallest of cur: the current document
	started bool
}

// start puts every field on its first match.
func (s *wordsSearcher) start() error {
	s.started = true
	for i, f := range s.fields {
		if err := f.seek(0, false); err != nil {
			return err
		}
		s.cur[i] = f.current()
	}
	s.setDoc()
	return nil
}

func (s *wordsSearcher) setDoc() {
	s.doc = done
	for _, c := range s.cur {
		s.doc = min(s.doc, c)
	}
}

// advanceTo puts the searcher on its first document at or after target.
func (s *wordsSearcher) advanceTo(target uint64) error {
	for i, f := range s.fields {
		if s.started && s.cur[i] >= target {
			continue
		}
		if err := f.seek(target, true); err != nil {
			return err
		}
		s.cur[i] = f.current()
	}
	s.started = true
	s.setDoc()
	return nil
}

// score is the current document's score: the matching fields' sum times the share of
// the fields that matched.
func (s *wordsSearcher) score() float64 {
	var sum float64
	matched := 0
	for i, f := range s.fields {
		if s.cur[i] == s.doc {
			sum += f.scoreAt()
			matched++
		}
	}
	return sum * (float64(matched) / float64(s.clauses))
}

// step moves past the current document.
func (s *wordsSearcher) step() error {
	for i, f := range s.fields {
		if s.cur[i] != s.doc {
			continue
		}
		if err := f.seek(0, false); err != nil {
			return err
		}
		s.cur[i] = f.current()
	}
	s.setDoc()
	return nil
}

// nextDoc returns the next match and its score; done at the end.
func (s *wordsSearcher) nextDoc() (uint64, float64, error) {
	if !s.started {
		if err := s.start(); err != nil {
			return done, 0, err
		}
	}
	if s.doc == done {
		return done, 0, nil
	}
	doc, score := s.doc, s.score() // scored only now: a conjunction may skip the match
	if err := s.step(); err != nil {
		return done, 0, err
	}
	return doc, score, nil
}

func (s *wordsSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	doc, score, err := s.nextDoc()
	return docMatch(ctx, doc, score, err)
}

func (s *wordsSearcher) Advance(ctx *search.SearchContext, id bindex.IndexInternalID) (*search.DocumentMatch, error) {
	if err := s.advanceTo(binary.BigEndian.Uint64(id)); err != nil {
		return nil, err
	}
	return s.Next(ctx)
}

// docMatch turns a match of nextDoc into Bleve's document match.
func docMatch(ctx *search.SearchContext, doc uint64, score float64, err error) (*search.DocumentMatch, error) {
	if err != nil || doc == done {
		return nil, err
	}
	m := ctx.DocumentMatchPool.Get()
	m.IndexInternalID = binary.BigEndian.AppendUint64(m.IndexInternalID[:0], doc)
	m.Score = score
	return m, nil
}

// A directSearcher hands its matches to the collector straight, in document numbers:
// Bleve's collector would wrap each in a document match from its pool and an id of
// eight bytes the collector decodes (a tenth of a faceted search over 200,000 hits).
type directSearcher interface {
	nextDoc() (doc uint64, score float64, err error) // doc is done at the end
}

// A directQuery gives a directSearcher of its matches, scored as its Bleve searcher
// scores them at the top of a search (words, a cote).
type directQuery interface {
	directSearcher(ctx context.Context, r bindex.IndexReader) (directSearcher, error)
}

func (q *wordsQuery) directSearcher(ctx context.Context, r bindex.IndexReader) (directSearcher, error) {
	return q.searcher(ctx, r)
}

// Close has nothing to release: the postings read the segments' mapped memory.
func (s *wordsSearcher) Close() error { return nil }

// Weight adds up the fields' weights, each the sum of its words' (in that grouping,
// as Bleve's disjunction of phrase conjunctions does: a float sum depends on it).
func (s *wordsSearcher) Weight() float64 {
	var sum float64
	for _, f := range s.fields {
		var fw float64
		for _, w := range f.words {
			x := w.boost * w.idf
			fw += x * x
		}
		sum += fw
	}
	return sum
}

func (s *wordsSearcher) SetQueryNorm(norm float64) {
	for _, f := range s.fields {
		for k := range f.words {
			w := &f.words[k]
			w.weight = w.boost * w.idf * norm
		}
	}
}

func (s *wordsSearcher) Count() uint64 {
	var n uint64
	for _, f := range s.fields {
		n += f.count
	}
	return n
}

func (s *wordsSearcher) Min() int                   { return 0 }
func (s *wordsSearcher) DocumentMatchPoolSize() int { return 1 }

func (s *wordsSearcher) Size() int {
	n := 64
	for _, f := range s.fields {
		for _, w := range f.words {
			n += 32 + w.size()
		}
	}
	return n
}

// wordsAndQuery is every one of several words or phrases (two words typed side by
// side), each in every text field: what Bleve's conjunction of their disjunctions
// finds, scored as it scores them (the sum of the parts' scores, in the order of
// their counts, with the conjunction's query norm). Bleve's conjunction asks each part
// for a document match at every candidate, compares ids as bytes and scores the part
// even where another part then misses; wordsAndSearcher leapfrogs the parts on
// document numbers and scores the documents that have them all.
type wordsAndQuery struct {
	parts []*wordsQuery
	bleve query.Query // the same conjunction, run by Bleve
}

func (q *wordsAndQuery) Searcher(ctx context.Context, r bindex.IndexReader, m mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	if bleveOnly(ctx, options) {
		return q.bleve.Searcher(ctx, r, m, options)
	}
	return q.searcher(ctx, r)
}

func (q *wordsAndQuery) directSearcher(ctx context.Context, r bindex.IndexReader) (directSearcher, error) {
	return q.searcher(ctx, r)
}

// searcher is the wordsAndSearcher of q on r.
func (q *wordsAndQuery) searcher(ctx context.Context, r bindex.IndexReader) (*wordsAndSearcher, error) {
	s := &wordsAndSearcher{}
	for _, p := range q.parts {
		ps, err := p.searcher(ctx, r)
		if err != nil {
			return nil, err
		}
		s.parts = append(s.parts, ps)
	}
	// Bleve's order (sort.Sort by count on the same input gives the same permutation)...
	sort.Sort(partsByCount(s.parts))
	// ... and its norm, until a query above sets one.
	s.SetQueryNorm(1 / math.Sqrt(s.Weight()))
	return s, nil
}

type partsByCount []*wordsSearcher

func (p partsByCount) Len() int           { return len(p) }
func (p partsByCount) Less(i, j int) bool { return p[i].Count() < p[j].Count() }
func (p partsByCount) Swap(i, j int)      { p[i], p[j] = p[j], p[i] }

// wordsAndSearcher finds the documents every part has.
type wordsAndSearcher struct {
	parts []*wordsSearcher
}

// match puts every part on the first document at or after target that they all have
// (done when there is none).
func (s *wordsAndSearcher) match(target uint64) (uint64, error) {
	for {
		top := target
		for _, p := range s.parts {
			if p.doc < top || !p.started {
				if err := p.advanceTo(top); err != nil {
					return done, err
				}
			}
			top = max(top, p.doc)
		}
		if top == done {
			return done, nil
		}
		if !slices.ContainsFunc(s.parts, func(p *wordsSearcher) bool { return p.doc != top }) {
			return top, nil
		}
		target = top
	}
}

// next returns the first document at or after target that every part has, and its
// score; done when there is none.
func (s *wordsAndSearcher) next(target uint64) (uint64, float64, error) {
	doc, err := s.match(target)
	if err != nil || doc == done {
		return done, 0, err
	}
	var sum float64
	for _, p := range s.parts {
		sum += p.score()
	}
	for _, p := range s.parts {
		if err := p.step(); err != nil {
			return done, 0, err
		}
	}
	return doc, sum, nil
}

func (s *wordsAndSearcher) nextDoc() (uint64, float64, error) { return s.next(0) }

func (s *wordsAndSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	doc, score, err := s.nextDoc()
	return docMatch(ctx, doc, score, err)
}

func (s *wordsAndSearcher) Advance(ctx *search.SearchContext, id bindex.IndexInternalID) (*search.DocumentMatch, error) {
	doc, score, err := s.next(binary.BigEndian.Uint64(id))
	return docMatch(ctx, doc, score, err)
}

func (s *wordsAndSearcher) Close() error { return nil } // as wordsSearcher's

func (s *wordsAndSearcher) Weight() float64 {
	var sum float64
	for _, p := range s.parts {
		sum += p.Weight()
	}
	return sum
}

func (s *wordsAndSearcher) SetQueryNorm(norm float64) {
	for _, p := range s.parts {
		p.SetQueryNorm(norm)
	}
}

func (s *wordsAndSearcher) Count() uint64 {
	var n uint64
	for _, p := range s.parts {
		n += p.Count()
	}
	return n
}

func (s *wordsAndSearcher) Min() int                   { return 0 }
func (s *wordsAndSearcher) DocumentMatchPoolSize() int { return 1 }

func (s *wordsAndSearcher) Size() int {
	n := 32
	for _, p := range s.parts {
		n += p.Size()
	}
	return n
}
