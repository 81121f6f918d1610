package index

import (
	"context"
	"fmt"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

// TestWordsSearcherScoresAsBleve: a word or a phrase searched in every text field finds
// the same units with the same scores, to the last bit, whether wordsSearcher merges
// the postings or Bleve's disjunction does: alone, advanced by a conjunction led by
// fewer units, and under a boolean query whose norm it takes.
func TestWordsSearcherScoresAsBleve(t *testing.T) {
	ctx := context.Background()
	testIndex.mu.RLock()
	idx := testIndex.gen.idx
	testIndex.mu.RUnlock()
	b := &builder{m: idx.Mapping()}
	var terms []Term
	for _, w := range []string{"registre", "conseil", "commune", "naissances", "délibérations", "ruitz", "école", "archives", "perrin", "mairie"} {
		terms = append(terms, Term{Text: w})
	}
	for _, p := range []string{"conseil municipal", "registre des délibérations", "état civil", "acte de naissance",
		"archives communales", "école", "permis de construire", "Saint-Pierre"} {
		terms = append(terms, Term{Text: p, Phrase: true})
	}
	tried, phrases := 0, 0
	for _, term := range terms {
		w := term.Text
		q, _ := b.term(term)
		wq, ok := q.(*wordsQuery)
		if !ok {
			t.Fatalf("%q: built %T, not a wordsQuery", w, q)
		}
		bq := wq.bleve
		all := run(t, ctx, idx, bq)
		if len(all) == 0 {
			continue
		}
		tried++
		if term.Phrase {
			phrases++
		}
		// Every other hit, and ids that are no hit: a filter with fewer units than the
		// word, so that the conjunction advances the word's searcher.
		var ids []string
		for i, h := range all {
			if i%2 == 0 {
				ids = append(ids, h.id, fmt.Sprint(1_000_000+i))
			}
		}
		other, _ := b.term(Term{Text: "archives"})
		shapes := map[string]func(query.Query) query.Query{
			"alone": func(q query.Query) query.Query { return q },
			"advanced": func(q query.Query) query.Query {
				return bleve.NewConjunctionQuery(unscored{bleve.NewDocIDQuery(ids)}, q)
			},
			"boolean": func(q query.Query) query.Query {
				bq := bleve.NewBooleanQuery()
				bq.AddMust(q)
				bq.AddShould(other)
				return bq
			},
		}
		for name, shape := range shapes {
			want := run(t, ctx, idx, shape(bq))
			got := run(t, ctx, idx, shape(q))
			if len(got) != len(want) {
				t.Fatalf("%q %s: %d hits, Bleve's disjunction %d", w, name, len(got), len(want))
			}
			for i := range want {
				if got[i] != want[i] {
					t.Errorf("%q %s: hit %d is %+v, Bleve's disjunction %+v", w, name, i, got[i], want[i])
					break
				}
			}
		}
	}
	if tried < 8 || phrases < 3 {
		t.Fatalf("only %d words and phrases (%d phrases) matched anything: the test checks too little", tried, phrases)
	}
}

type scoredHit struct {
	id    string
	score float64
}

func run(t *testing.T, ctx context.Context, idx bleve.Index, q query.Query) []scoredHit {
	t.Helper()
	r, err := idx.SearchInContext(ctx, bleve.NewSearchRequestOptions(q, 10_000, 0, false))
	if err != nil {
		t.Fatal(err)
	}
	hits := make([]scoredHit, len(r.Hits))
	for i, h := range r.Hits {
		hits[i] = scoredHit{h.ID, h.Score}
	}
	return hits
}
