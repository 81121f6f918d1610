package index

import (
	"context"
	"fmt"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

// TestTermsSearcherScoresAsBleve: a word searched in every text field finds the same
// units with the same scores, to the last bit, whether termsSearcher merges the
// postings or Bleve's disjunction does: alone, advanced by a conjunction led by fewer
// units, and under a boolean query whose norm it takes.
func TestTermsSearcherScoresAsBleve(t *testing.T) {
	ctx := context.Background()
	testIndex.mu.RLock()
	idx := testIndex.gen.idx
	testIndex.mu.RUnlock()
	b := &builder{m: idx.Mapping()}
	words := []string{"registre", "conseil", "commune", "naissances", "délibérations", "ruitz", "école", "archives", "perrin", "mairie"}
	tried := 0
	for _, w := range words {
		q, _ := b.term(Term{Text: w})
		tq, ok := q.(*termsQuery)
		if !ok {
			t.Fatalf("%q: built %T, not a termsQuery", w, q)
		}
		all := run(t, ctx, idx, tq.bleve)
		if len(all) == 0 {
			continue
		}
		tried++
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
			want := run(t, ctx, idx, shape(tq.bleve))
			got := run(t, ctx, idx, shape(tq))
			if len(got) != len(want) {
				t.Fatalf("%q %s: %d hits, Bleve's disjunction %d", w, name, len(got), len(want))
			}
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("%q %s: hit %d is %+v, Bleve's disjunction %+v", w, name, i, got[i], want[i])
				}
			}
		}
	}
	if tried < 5 {
		t.Fatalf("only %d of the words matched anything: the test checks too little", tried)
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
