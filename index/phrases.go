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
	bindex "github.com/blevesearch/bleve_index_api"
)

// phrasesQuery is a phrase looked for in several fields: what a disjunction of match
// phrase queries finds and scores, without Bleve's phrase searcher, which builds a map
// of every location of every document having all the words ("état civil" cost 217 ms
// at a million units, half of it in those maps). phrasesSearcher leapfrogs the words'
// postings per field and compares their positions directly. It is built only for
// phrases whose every position has one word (the analysers here give no synonyms);
// the rest, and the searches that need locations (snippets), scores off or
// explanations, run Bleve's disjunction.
type phrasesQuery struct {
	fields []phraseField
	bleve  query.Query
}

// phraseField is a phrase's words in one field: slots[i] is the word at position i
// ("" where the analyser dropped one, a stop word); no slots: the field's analyser
// leaves nothing of the phrase, a clause that matches nothing.
type phraseField struct {
	field string
	boost float64
	slots []string
}

// phrasesOf is qs as a phrasesQuery when every one of them is a plain match phrase
// query whose words analyse to one token per position.
func phrasesOf(qs []query.Query, m mapping.IndexMapping) query.Query {
	d := disjunction(qs)
	if len(qs) < 2 {
		return d
	}
	pq := &phrasesQuery{bleve: d}
	for _, q := range qs {
		mp, ok := q.(*query.MatchPhraseQuery)
		if !ok || mp.Analyzer != "" || mp.Fuzziness != 0 || mp.FieldVal == "" {
			return d
		}
		a := m.AnalyzerNamed(m.AnalyzerNameForPath(mp.FieldVal))
		if a == nil {
			return d
		}
		slots, ok := phraseSlots(a.Analyze([]byte(mp.MatchPhrase)))
		if !ok {
			return d
		}
		pq.fields = append(pq.fields, phraseField{field: mp.FieldVal, boost: mp.Boost(), slots: slots})
	}
	return pq
}

// phraseSlots places tokens by position as Bleve's match phrase query does; false
// when a position has more than one token.
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

func (q *phrasesQuery) Searcher(ctx context.Context, r bindex.IndexReader, m mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	if options.Score == "none" || options.Explain || options.IncludeTermVectors || !tfIDF(ctx) {
		return q.bleve.Searcher(ctx, r, m, options)
	}
	docs, err := r.DocCount()
	if err != nil {
		return nil, err
	}
	s := &phrasesSearcher{clauses: len(q.fields)}
	for _, f := range q.fields {
		fs := &fieldPhrase{}
		s.fields = append(s.fields, fs)
		for i, w := range f.slots {
			if w == "" {
				continue
			}
			if err := search.RecordTermSearcher(ctx); err != nil {
				s.Close()
				return nil, err
			}
			tr, err := r.TermFieldReader(ctx, []byte(w), f.field, true, true, true)
			if err != nil {
				s.Close()
				return nil, err
			}
			fs.words = append(fs.words, phraseWord{reader: tr, offset: uint64(i),
				termClause: termClause{boost: f.boost, idf: 1.0 + math.Log(float64(docs)/float64(tr.Count()+1)), weight: 1}})
			fs.count += tr.Count()
		}
		// Bleve's conjunction sums its words' scores in the order of their counts.
		sort.Sort(wordsByCount(fs.words))
		fs.first = slices.IndexFunc(fs.words, func(w phraseWord) bool { return w.offset == 0 })
		fs.done = len(fs.words) == 0
	}
	// And its disjunction sums the fields' in the order of theirs.
	sort.Sort(fieldsByCount(s.fields))
	s.cur = make([]uint64, len(s.fields))
	s.SetQueryNorm(1 / math.Sqrt(s.Weight()))
	return s, nil
}

// phraseWord is one word of a phrase in one field, at offset from the first.
type phraseWord struct {
	termClause
	reader bindex.TermFieldReader
	offset uint64
	tfd    bindex.TermFieldDoc
	at     *bindex.TermFieldDoc
	cur    uint64
}

type wordsByCount []phraseWord

func (w wordsByCount) Len() int           { return len(w) }
func (w wordsByCount) Less(i, j int) bool { return w[i].reader.Count() < w[j].reader.Count() }
func (w wordsByCount) Swap(i, j int)      { w[i], w[j] = w[j], w[i] }

type fieldsByCount []*fieldPhrase

func (f fieldsByCount) Len() int           { return len(f) }
func (f fieldsByCount) Less(i, j int) bool { return f[i].count < f[j].count }
func (f fieldsByCount) Swap(i, j int)      { f[i], f[j] = f[j], f[i] }

// fieldPhrase finds the documents where a field has the phrase.
type fieldPhrase struct {
	words   []phraseWord
	first   int // the word at offset 0
	count   uint64
	started bool
	done    bool
	doc     uint64  // the current match
	score   float64 // its score
}

func (f *fieldPhrase) set(k int, d *bindex.TermFieldDoc, err error) error {
	if err != nil {
		return err
	}
	w := &f.words[k]
	w.at = d
	if d == nil || len(d.ID) != 8 {
		f.done = true
		w.cur = done
		return nil
	}
	w.cur = binary.BigEndian.Uint64(d.ID)
	return nil
}

// seek moves to the next document where the field has the phrase: after the current
// match, or with to, at or after target.
func (f *fieldPhrase) seek(target uint64, to bool) error {
	if f.done {
		return nil
	}
	var id [8]byte
	for k := range f.words {
		w := &f.words[k]
		var d *bindex.TermFieldDoc
		var err error
		switch {
		case !to:
			d, err = w.reader.Next(w.tfd.Reset())
		case !f.started || w.cur < target:
			binary.BigEndian.PutUint64(id[:], target)
			d, err = w.reader.Advance(id[:], w.tfd.Reset())
		default:
			continue
		}
		if err := f.set(k, d, err); err != nil {
			return err
		}
		if f.done {
			return nil
		}
	}
	f.started = true
	for {
		// Leapfrog: every word to the furthest one's document.
		top := uint64(0)
		for k := range f.words {
			top = max(top, f.words[k].cur)
		}
		behind := false
		for k := range f.words {
			w := &f.words[k]
			if w.cur < top {
				behind = true
				binary.BigEndian.PutUint64(id[:], top)
				d, err := w.reader.Advance(id[:], w.tfd.Reset())
				if err := f.set(k, d, err); err != nil {
					return err
				}
				if f.done {
					return nil
				}
			}
		}
		if behind {
			continue
		}
		if f.adjacent() {
			f.doc, f.score = top, f.scoreAt()
			return nil
		}
		for k := range f.words {
			w := &f.words[k]
			d, err := w.reader.Next(w.tfd.Reset())
			if err := f.set(k, d, err); err != nil {
				return err
			}
			if f.done {
				return nil
			}
		}
	}
}

// adjacent: some occurrence of the first word is followed by every other word at its
// offset, in the same value of the field (the same page), as Bleve's phrase path.
func (f *fieldPhrase) adjacent() bool {
	if f.first < 0 {
		return false
	}
	for _, v := range f.words[f.first].at.Vectors {
		all := true
		for k := range f.words {
			if k == f.first {
				continue
			}
			w := &f.words[k]
			if !slices.ContainsFunc(w.at.Vectors, func(x *bindex.TermFieldVector) bool {
				return x.Pos == v.Pos+w.offset && slices.Equal(x.ArrayPositions, v.ArrayPositions)
			}) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

// scoreAt is the score of the words at the current document, as Bleve's conjunction
// of term searchers gives it.
func (f *fieldPhrase) scoreAt() float64 {
	var sum float64
	for k := range f.words {
		sum += f.words[k].score(f.words[k].at)
	}
	return sum
}

// phrasesSearcher merges the fields' matches in document order.
type phrasesSearcher struct {
	clauses int
	fields  []*fieldPhrase
	cur     []uint64
	started bool
}

func (s *phrasesSearcher) sync() {
	for i, f := range s.fields {
		s.cur[i] = f.doc
		if f.done {
			s.cur[i] = done
		}
	}
}

func (s *phrasesSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	if !s.started {
		s.started = true
		for _, f := range s.fields {
			if err := f.seek(0, false); err != nil {
				return nil, err
			}
		}
		s.sync()
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
	for i, f := range s.fields {
		if s.cur[i] != doc {
			continue
		}
		sum += f.score
		matched++
		if err := f.seek(0, false); err != nil {
			return nil, err
		}
	}
	s.sync()
	m := ctx.DocumentMatchPool.Get()
	m.IndexInternalID = binary.BigEndian.AppendUint64(m.IndexInternalID[:0], doc)
	m.Score = sum * (float64(matched) / float64(s.clauses))
	return m, nil
}

func (s *phrasesSearcher) Advance(ctx *search.SearchContext, id bindex.IndexInternalID) (*search.DocumentMatch, error) {
	target := binary.BigEndian.Uint64(id)
	for i, f := range s.fields {
		if s.started && s.cur[i] >= target {
			continue
		}
		if err := f.seek(target, true); err != nil {
			return nil, err
		}
	}
	s.started = true
	s.sync()
	return s.Next(ctx)
}

func (s *phrasesSearcher) Close() error {
	var first error
	for _, f := range s.fields {
		for _, w := range f.words {
			if err := w.reader.Close(); err != nil && first == nil {
				first = err
			}
		}
	}
	return first
}

// Weight adds up the fields' weights, each the sum of its words' (in that grouping,
// as Bleve's disjunction of conjunctions does: a float sum depends on it).
func (s *phrasesSearcher) Weight() float64 {
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

func (s *phrasesSearcher) SetQueryNorm(norm float64) {
	for _, f := range s.fields {
		for k := range f.words {
			w := &f.words[k]
			w.weight = w.boost * w.idf * norm
		}
	}
}

func (s *phrasesSearcher) Count() uint64 {
	var n uint64
	for _, f := range s.fields {
		n += f.count
	}
	return n
}

func (s *phrasesSearcher) Min() int                   { return 0 }
func (s *phrasesSearcher) DocumentMatchPoolSize() int { return 1 }

func (s *phrasesSearcher) Size() int {
	n := 64
	for _, f := range s.fields {
		for _, w := range f.words {
			n += 96 + w.reader.Size()
		}
	}
	return n
}
