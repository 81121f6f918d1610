package index

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// frStemOf folds and stems one word, as fr_text does after elision and stop words.
func frStemOf(word string) string {
	return string(frStem([]byte(FoldTerm(word))))
}

func TestFrStemMerges(t *testing.T) {
	groups := [][]string{
		{"délibération", "délibérations", "deliberations"},
		{"archive", "archives", "archivé", "archivée", "archivées", "archiver"},
		{"communal", "communale", "communaux", "communales"},
		{"municipal", "municipale", "municipaux", "municipales"},
		{"conseil", "conseils"},
		{"cheval", "chevaux"},
		{"travail", "travaux"},
		{"bail", "baux"},
		{"bureau", "bureaux"},
		{"eau", "eaux"},
		{"lieu", "lieux"},
		{"église", "églises", "eglise"},
		{"école", "écoles"},
		{"arrêté", "arrêtés", "arrêter"},
		{"maire", "maires"},
		{"instituteur", "instituteurs", "institutrice", "institutrices"},
		{"définitif", "définitive", "définitifs", "définitives"},
		{"administratif", "administrative", "administratifs"},
		{"heureux", "heureuse", "heureuses"},
		{"époux", "épouse", "épouses"},
		{"ancien", "ancienne", "anciennes"},
		{"personnel", "personnelle", "personnels"},
		{"français", "française", "françaises"},
		{"premier", "première", "premières"},
		{"public", "publique", "publics", "publiques"},
		{"nouveau", "nouveaux", "nouvel", "nouvelle"},
		{"vieux", "vieil", "vieille"},
		{"élu", "élus", "élue"},
		{"décès", "deces"},
		{"cœur", "coeur"},
		{"naïve", "naive"},
	}
	for _, g := range groups {
		want := frStemOf(g[0])
		for _, w := range g[1:] {
			if got := frStemOf(w); got != want {
				t.Errorf("stem(%q) = %q, stem(%q) = %q: want them equal", g[0], want, w, got)
			}
		}
	}
}

func TestFrStemKeepsApart(t *testing.T) {
	pairs := [][2]string{
		{"mariage", "mari"},
		{"mariages", "mari"},
		{"Marie", "mari"},
		{"fondation", "fonds"},
		{"habitation", "habits"},
		{"formation", "forme"},
		{"conseiller", "conseil"},
		{"maire", "mairie"},
		{"fils", "fil"},
		{"cours", "cour"},
		{"fois", "foi"},
		{"pays", "paye"},
		{"porte", "port"},
		{"halle", "hall"},
		{"matrice", "moteur"},
		{"arme", "armée"},
		{"leger", "legs"},
	}
	for _, p := range pairs {
		if a, b := frStemOf(p[0]), frStemOf(p[1]); a == b {
			t.Errorf("stem(%q) = stem(%q) = %q: want them apart", p[0], p[1], a)
		}
	}
}

func TestFrStemLeavesNonWordsAlone(t *testing.T) {
	for _, term := range []string{"1950", "3e12", "xixe", "w1234", "ab", "οικος"} {
		if got := frStemOf(term); got != FoldTerm(term) {
			t.Errorf("stem(%q) = %q, want it unchanged", term, got)
		}
	}
}

func TestFrStemDoesNotAllocate(t *testing.T) {
	words := [][]byte{[]byte("deliberations"), []byte("communaux"), []byte("institutrices"), []byte("publiques")}
	orig := make([][]byte, len(words))
	for i, w := range words {
		orig[i] = append([]byte(nil), w...)
	}
	allocs := testing.AllocsPerRun(100, func() {
		for i, w := range words {
			frStem(w[:copy(w[:cap(w)], orig[i])])
		}
	})
	if allocs != 0 {
		t.Errorf("frStem allocated %.1f times per run, want 0", allocs)
	}
}

// TestFrStemClasses runs the stemmer over real words (testdata/analysis/words_*.txt)
// and compares the words it merges with stem_classes.golden. Read the golden file
// to judge the stemmer; run with -update after a deliberate change.
func TestFrStemClasses(t *testing.T) {
	var words []string
	for _, name := range []string{"words_pdf.txt", "words_archives.txt"} {
		words = append(words, frReadWords(t, filepath.Join("testdata", "analysis", name))...)
	}
	got := frStemClasses(words)
	golden := filepath.Join("testdata", "analysis", "stem_classes.golden")
	if *updateGolden {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("stem classes changed (-want +got):\n%s", diff)
	}
}

// frReadWords reads the words of a file, ignoring lines starting with #.
func frReadWords(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var words []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := sc.Text(); !strings.HasPrefix(line, "#") {
			words = append(words, strings.Fields(line)...)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return words
}

// frStemClasses renders, for every stem shared by several distinct words, the
// stem and its words, with counts in a header.
func frStemClasses(words []string) string {
	classes := map[string]map[string]bool{}
	for _, w := range words {
		s := frStemOf(w)
		if classes[s] == nil {
			classes[s] = map[string]bool{}
		}
		classes[s][strings.ToLower(w)] = true
	}
	distinct := map[string]bool{}
	for _, w := range words {
		distinct[strings.ToLower(w)] = true
	}
	var stems []string
	for s, ws := range classes {
		if len(ws) > 1 {
			stems = append(stems, s)
		}
	}
	sort.Strings(stems)
	var b strings.Builder
	fmt.Fprintf(&b, "# Generated by TestFrStemClasses (go test ./index -run TestFrStemClasses -update).\n")
	fmt.Fprintf(&b, "# %d distinct words -> %d stems; %d stems are shared by several words, listed below\n",
		len(distinct), len(classes), len(stems))
	fmt.Fprintf(&b, "# as \"stem: words\". Words equal after folding accents count as distinct here.\n")
	for _, s := range stems {
		var ws []string
		for w := range classes[s] {
			ws = append(ws, w)
		}
		sort.Strings(ws)
		fmt.Fprintf(&b, "%s: %s\n", s, strings.Join(ws, " "))
	}
	return b.String()
}
