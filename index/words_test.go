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
		sameAsBleve(t, ctx, idx, b, w, q, bq, all)
	}
	if tried < 8 || phrases < 3 {
		t.Fatalf("only %d words and phrases (%d phrases) matched anything: the test checks too little", tried, phrases)
	}
}

// TestWordsAndSearcherScoresAsBleve: words and phrases typed side by side (each in every
// text field, all required) find the same units with the same scores, to the last
// bit, whether wordsAndSearcher leapfrogs them or Bleve's conjunction of their
// disjunctions does: alone, advanced, under a boolean query.
func TestWordsAndSearcherScoresAsBleve(t *testing.T) {
	ctx := context.Background()
	testIndex.mu.RLock()
	idx := testIndex.gen.idx
	testIndex.mu.RUnlock()
	tried := 0
	for _, text := range []string{"registre conseil", "conseil municipal", "état civil", "commune archives",
		"registre délibérations conseil", `"conseil municipal" registre`, `archives "état civil"`, "mairie école",
		"registre naissances commune archives"} {
		node, err := Parse(text)
		if err != nil {
			t.Fatal(err)
		}
		b := &builder{m: idx.Mapping()}
		q := b.build(node)
		aq, ok := q.(*wordsAndQuery)
		if !ok {
			t.Fatalf("%q: built %T, not a wordsAndQuery", text, q)
		}
		// Bleve alone: its conjunction of the parts' disjunctions.
		var parts []query.Query
		for _, p := range aq.parts {
			parts = append(parts, p.bleve)
		}
		bq := bleve.NewConjunctionQuery(parts...)
		all := run(t, ctx, idx, bq)
		if len(all) == 0 {
			continue
		}
		tried++
		sameAsBleve(t, ctx, idx, b, text, q, bq, all)
	}
	if tried < 6 {
		t.Fatalf("only %d queries matched anything: the test checks too little", tried)
	}
}

// sameAsBleve compares q with Bleve's bq (whose hits are all) alone, in a conjunction
// with a filter of fewer units, which advances it, and under a boolean query that sets
// its norm.
func sameAsBleve(t *testing.T, ctx context.Context, idx bleve.Index, b *builder, name string, q, bq query.Query, all []scoredHit) {
	t.Helper()
	// Every other hit, and ids that are no hit: a filter with fewer units than the
	// query, so that the conjunction advances its searcher.
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
	for shape, wrap := range shapes {
		want := run(t, ctx, idx, wrap(bq))
		got := run(t, ctx, idx, wrap(q))
		if len(got) != len(want) {
			t.Fatalf("%q %s: %d hits, Bleve %d", name, shape, len(got), len(want))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("%q %s: hit %d is %+v, Bleve %+v", name, shape, i, got[i], want[i])
				break
			}
		}
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
