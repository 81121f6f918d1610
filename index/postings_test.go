package index

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	bindex "github.com/blevesearch/bleve_index_api"
)

// TestPostingsAsBleve: our postings reader gives the same postings as Bleve's term field
// reader (document number, frequency, norm to the bit, positions), read in full or
// advanced to targets, over several segments with deleted documents.
func TestPostingsAsBleve(t *testing.T) {
	// No merge: the background merger could make one segment of the batches before
	// the reader is taken (it did, now and then).
	idx, err := bleve.NewUsing(filepath.Join(t.TempDir(), "idx"), bleve.NewIndexMapping(), scorch.Name, scorch.Name, noMerges())
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	rnd := rand.New(rand.NewPCG(7, 9))
	vocab := []string{"registre", "conseil", "commune", "naissance", "mairie", "ecole", "cadastre", "voirie"}
	// Each batch is a segment; the last ones delete documents of the first.
	n := 0
	for range 4 {
		b := idx.NewBatch()
		for range 250 {
			var words []string
			for range 1 + rnd.IntN(40) {
				words = append(words, vocab[rnd.IntN(1+rnd.IntN(len(vocab)))])
			}
			if err := b.Index(fmt.Sprint(n), map[string]any{"t": strings.Join(words, " "), "u": []string{words[0], words[len(words)-1]}}); err != nil {
				t.Fatal(err)
			}
			n++
		}
		if err := idx.Batch(b); err != nil {
			t.Fatal(err)
		}
	}
	b := idx.NewBatch()
	for i := 0; i < n; i += 3 + rnd.IntN(5) {
		b.Delete(fmt.Sprint(i))
	}
	if err := idx.Batch(b); err != nil {
		t.Fatal(err)
	}
	adv, err := idx.Advanced()
	if err != nil {
		t.Fatal(err)
	}
	r, err := adv.Reader()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if segs := len(r.(*scorch.IndexSnapshot).Segments()); segs < 2 {
		t.Fatalf("only %d segment: the crossing of segments would not be exercised", segs)
	}
	checked := 0
	for _, field := range []string{"t", "u"} {
		for _, w := range append(vocab, "absent") {
			for _, positions := range []bool{false, true} {
				// Read in full, then advanced by random strides.
				for _, stride := range []int{0, 1, 7, 60} {
					checked += comparePostings(t, r, w, field, positions, stride, rnd)
				}
			}
		}
	}
	if checked < 1000 {
		t.Fatalf("only %d postings compared", checked)
	}
}

// comparePostings walks one word's postings with both readers (stride 0: next only;
// otherwise advance to a target up to stride documents ahead) and reports how many
// postings were compared.
func comparePostings(t *testing.T, r bindex.IndexReader, word, field string, positions bool, stride int, rnd *rand.Rand) int {
	t.Helper()
	name := fmt.Sprintf("%s in %s (positions %v, stride %d)", word, field, positions, stride)
	tfr, err := r.TermFieldReader(t.Context(), []byte(word), field, true, true, positions)
	if err != nil {
		t.Fatal(err)
	}
	defer tfr.Close()
	p, err := openPostings(r, []byte(word), field, positions)
	if err != nil {
		t.Fatal(err)
	}
	if p.count != tfr.Count() {
		t.Errorf("%s: count %d, Bleve %d", name, p.count, tfr.Count())
	}
	compared := 0
	var last uint64
	for started := false; ; started = true {
		var want *bindex.TermFieldDoc
		var ok bool
		if stride == 0 || !started {
			want, err = tfr.Next(nil)
			if err == nil {
				ok, err = p.next()
			}
		} else {
			target := last + 1 + uint64(rnd.IntN(stride))
			want, err = tfr.Advance(bindex.NewIndexInternalID(nil, target), nil)
			if err == nil {
				ok, err = p.advance(target)
			}
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if (want != nil) != ok {
			t.Fatalf("%s after %d: Bleve has a posting: %v, ours: %v", name, last, want != nil, ok)
		}
		if !ok {
			return compared
		}
		wantDoc := want.ID.Value()
		if p.doc != wantDoc || p.freq != want.Freq || p.norm != want.Norm {
			t.Fatalf("%s: doc %d freq %d norm %v, Bleve doc %d freq %d norm %v", name, p.doc, p.freq, p.norm, wantDoc, want.Freq, want.Norm)
		}
		if positions {
			if len(p.locs) != len(want.Vectors) {
				t.Fatalf("%s doc %d: %d positions, Bleve %d", name, p.doc, len(p.locs), len(want.Vectors))
			}
			for i, v := range want.Vectors {
				if p.locs[i].Pos() != v.Pos || !slices.Equal(p.locs[i].ArrayPositions(), v.ArrayPositions) {
					t.Fatalf("%s doc %d: position %d is %d %v, Bleve %d %v", name, p.doc, i, p.locs[i].Pos(), p.locs[i].ArrayPositions(), v.Pos, v.ArrayPositions)
				}
			}
		}
		last = p.doc
		compared++
	}
}
