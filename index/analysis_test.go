package index

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/fr" // Bleve's stock "fr" analyzer, for comparison
	unicodetok "github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"
	"github.com/blevesearch/bleve/v2/search/highlight/highlighter/html"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/google/go-cmp/cmp"
)

// updateGolden rewrites the golden files of this package's tests.
var updateGolden = flag.Bool("update", false, "rewrite golden files under testdata")

// frAnalyzer returns one of our analyzers, built from Bleve's registry.
func frAnalyzer(t testing.TB, name string) analysis.Analyzer {
	t.Helper()
	if err := ensureAnalysis(); err != nil {
		t.Fatal(err)
	}
	a, err := registry.NewCache().AnalyzerNamed(name)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// frTok is a token as a test reads it: the indexed term, the original text its
// offsets cover, and where that text starts (in bytes).
type frTok struct {
	Term  string
	Text  string
	Start int
}

func TestAnalyzerTokens(t *testing.T) {
	tests := []struct {
		analyzer string
		in       string
		want     []frTok
	}{
		{AnalyzerFrText, "L'Église Saint-Pierre", []frTok{
			{"eglis", "Église", 2}, {"saint", "Saint", 10}, {"pierr", "Pierre", 16}}},
		{AnalyzerFrText, "QU’IL l’école, lʼabbaye", []frTok{
			{"ecole", "école", 12}, {"abbay", "abbaye", 23}}},
		{AnalyzerFrText, "Cœur naïve, ça", []frTok{
			{"coeur", "Cœur", 0}, {"naive", "naïve", 6}, {"ca", "ça", 14}}},
		{AnalyzerFrText, "Délibérations des conseils municipaux", []frTok{
			{"deliberation", "Délibérations", 0}, {"conseil", "conseils", 20}, {"municipal", "municipaux", 29}}},
		{AnalyzerFrText, "ﬁnances de l'ŒUVRE", []frTok{
			{"financ", "ﬁnances", 0}, {"oeuvr", "ŒUVRE", 15}}},
		{AnalyzerFrText, "e\u0301glise de\u0301cennale", []frTok{ // decomposed accents
			{"eglis", "e\u0301glise", 0}, {"decennal", "de\u0301cennale", 9}}},
		{AnalyzerFrText, "aujourd’hui, le XIXᵉ siècle", []frTok{
			{"aujourd'hui", "aujourd’hui", 0}, {"xixe", "XIXᵉ", 18}, {"siecl", "siècle", 25}}},
		{AnalyzerFrExact, "L'Église et les délibérations", []frTok{
			{"eglise", "Église", 2}, {"et", "et", 10}, {"les", "les", 13}, {"deliberations", "délibérations", 17}}},
		{AnalyzerCote, "  3 E  12/4 ", []frTok{{"3e12/4", "  3 E  12/4 ", 0}}},
		{AnalyzerCote, "1 Num 1/204–3", []frTok{{"1num1/204-3", "1 Num 1/204–3", 0}}},
		{AnalyzerCoteText, "3E 12/4", []frTok{
			{"3", "3", 0}, {"e", "E", 1}, {"12", "12", 3}, {"4", "4", 6}}},
		{AnalyzerCoteText, "E Dépôt 121", []frTok{
			{"e", "E", 0}, {"depot", "Dépôt", 2}, {"121", "121", 10}}},
	}
	for _, tt := range tests {
		a := frAnalyzer(t, tt.analyzer)
		in := []byte(tt.in)
		var got []frTok
		for _, tok := range a.Analyze(in) {
			got = append(got, frTok{string(tok.Term), tt.in[tok.Start:tok.End], tok.Start})
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s(%q) (-want +got):\n%s", tt.analyzer, tt.in, diff)
		}
	}
}

func TestFoldTerm(t *testing.T) {
	tests := []struct{ in, want string }{
		{"archives", "archives"},
		{"Église", "eglise"},
		{"CŒUR", "coeur"},
		{"naïve", "naive"},
		{"ça", "ca"},
		{"Straße", "strasse"},
		{"Ærø", "aero"},
		{"ﬁn ﬂeur ﬀ", "fin fleur ff"},
		{"aujourd’hui", "aujourd'hui"},
		{"XIXᵉ", "xixe"},
		{"e\u0301te\u0301", "ete"},
		{"Łódź", "lodz"},
		{"Ａｒｃｈｉｖｅｓ", "archives"},
		{"½", "1⁄2"},
	}
	for _, tt := range tests {
		if got := FoldTerm(tt.in); got != tt.want {
			t.Errorf("FoldTerm(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestFoldDoesNotAllocate checks the promise made for indexing a million units:
// folding a term that needs nothing, or that shrinks (é → e), allocates nothing.
func TestFoldDoesNotAllocate(t *testing.T) {
	for _, word := range []string{"archives", "délibérations", "cœur"} {
		orig := []byte(word)
		term := make([]byte, len(orig))
		allocs := testing.AllocsPerRun(100, func() {
			copy(term, orig)
			frFold(term)
		})
		if allocs != 0 {
			t.Errorf("frFold(%q) allocated %.1f times, want 0", word, allocs)
		}
	}
	stream := frAnalyzer(t, AnalyzerFrExact).Analyze([]byte("les archives de la commune"))
	allocs := testing.AllocsPerRun(100, func() { frFoldFilter{}.Filter(stream) })
	if allocs != 0 {
		t.Errorf("fold filter on ASCII tokens allocated %.1f times, want 0", allocs)
	}
}

func TestNormalizeCote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"3 E 12/4", "3e12/4"},
		{"3 e 12/4", "3e12/4"},
		{"3 E  12/4", "3e12/4"},
		{"3E 12/4", "3e12/4"},
		{"3E12 / 4", "3e12/4"},
		{"\u00a03 E\u202f12/4\t", "3e12/4"},
		{"3 E 12/40", "3e12/40"},
		{"3 E 12-4", "3e12-4"},
		{"W 1234", "w1234"},
		{"W 12345", "w12345"},
		{"1 Num 1/204–3", "1num1/204-3"},
		{"E DEP 12 11", "e dep12 11"},
		{"E Dépôt 121 1", "e depot121 1"},
		{"   ", ""},
	}
	for _, tt := range tests {
		if got := NormalizeCote(tt.in); got != tt.want {
			t.Errorf("NormalizeCote(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestAddAnalyzersMappingRoundTrip checks that a mapping written with an index
// and read back (as bleve.Open does) still resolves our analyzers, and that
// AddAnalyzers can be called twice.
func TestAddAnalyzersMappingRoundTrip(t *testing.T) {
	m := bleve.NewIndexMapping()
	for i := 0; i < 2; i++ {
		if err := AddAnalyzers(m); err != nil {
			t.Fatalf("AddAnalyzers, call %d: %v", i+1, err)
		}
	}
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var back mapping.IndexMappingImpl
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{AnalyzerFrText, AnalyzerFrExact, AnalyzerCote, AnalyzerCoteText} {
		if _, ok := back.CustomAnalysis.Analyzers[name]; !ok {
			t.Errorf("mapping read back has no analyzer %q", name)
		}
		if back.AnalyzerNamed(name) == nil {
			t.Errorf("mapping read back cannot build analyzer %q", name)
		}
	}
}

// ---- A small index ----

// frTestDoc is an archive unit as the tests index it.
type frTestDoc struct {
	ID, Cote, Title string
}

// frNewTestIndex indexes docs in memory: title with fr_text (stored, with term
// vectors for highlighting), cote with cote and cote_text.
func frNewTestIndex(t testing.TB, docs []frTestDoc) bleve.Index {
	t.Helper()
	m := bleve.NewIndexMapping()
	if err := AddAnalyzers(m); err != nil {
		t.Fatal(err)
	}
	field := func(analyzer, name string) *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer, f.Name, f.Store, f.IncludeInAll = analyzer, name, true, false
		return f
	}
	doc := bleve.NewDocumentStaticMapping()
	doc.AddFieldMappingsAt("title", field(AnalyzerFrText, "title"))
	doc.AddFieldMappingsAt("cote", field(AnalyzerCote, "cote"), field(AnalyzerCoteText, "cote_text"))
	m.DefaultMapping = doc
	idx, err := bleve.NewMemOnly(m)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idx.Close() })
	b := idx.NewBatch()
	for _, d := range docs {
		if err := b.Index(d.ID, map[string]string{"title": d.Title, "cote": d.Cote}); err != nil {
			t.Fatal(err)
		}
	}
	if err := idx.Batch(b); err != nil {
		t.Fatal(err)
	}
	return idx
}

// frSearchIDs returns the sorted ids of every document q finds.
func frSearchIDs(t testing.TB, idx bleve.Index, q query.Query) []string {
	t.Helper()
	req := bleve.NewSearchRequestOptions(q, 1000, 0, false)
	res, err := idx.Search(req)
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{}
	for _, h := range res.Hits {
		ids = append(ids, h.ID)
	}
	sort.Strings(ids)
	return ids
}

// frMatch is what a search box does: every word must match, analysed as the field.
func frMatch(field, text string) query.Query {
	q := bleve.NewMatchQuery(text)
	q.SetField(field)
	q.Analyzer = AnalyzerFrText
	q.SetOperator(query.MatchQueryOperatorAnd)
	return q
}

func frPhrase(field, text string) query.Query {
	q := bleve.NewMatchPhraseQuery(text)
	q.SetField(field)
	q.Analyzer = AnalyzerFrText
	return q
}

var frMatchingDocs = []frTestDoc{
	{"eglise-accent", "1 M 3", "L'Église Saint-Pierre"},
	{"eglise-plain", "1 M 6", "Reparation de l'eglise et du cimetiere"},
	{"coeur-lig", "4 H 5", "Cœur de ville : monument aux morts"},
	{"coeur-plain", "4 H 6", "Souscription pour le coeur de ville"},
	{"naive-accent", "5 Fi 2", "Exposition de peinture naïve"},
	{"naive-plain", "5 Fi 3", "PEINTURE NAIVE, CATALOGUE"},
	{"ca-cedilla", "3 R 1", "Bulletin municipal « Ça bouge ! »"},
	{"ca-plain", "3 R 2", "AFFICHE CA BOUGE A RUITZ"},
	{"delib-plural", "1 D 1", "Délibérations des conseils municipaux"},
	{"delib-singular", "1 D 3", "Délibération du conseil municipal sur le budget"},
	{"ecole-elided", "1 M 4", "Construction de l'école de garçons"},
	{"ecoles", "1 M 5", "Écoles communales : agrandissement"},
	{"mariage", "1 E 20", "Mariage de Jean Martin et Louise Dupont"},
	{"mari", "3 Q 1", "Succession de la veuve Leroy et de son mari"},
}

func TestFrenchMatching(t *testing.T) {
	idx := frNewTestIndex(t, frMatchingDocs)
	tests := []struct {
		name string
		q    query.Query
		want []string
	}{
		{"folded query finds accented title", frMatch("title", "eglise"), []string{"eglise-accent", "eglise-plain"}},
		{"accented query finds plain title", frMatch("title", "église"), []string{"eglise-accent", "eglise-plain"}},
		{"plural query", frMatch("title", "églises"), []string{"eglise-accent", "eglise-plain"}},
		{"coeur finds cœur", frMatch("title", "coeur"), []string{"coeur-lig", "coeur-plain"}},
		{"cœur finds coeur", frMatch("title", "CŒUR"), []string{"coeur-lig", "coeur-plain"}},
		{"naive finds naïve", frMatch("title", "naive"), []string{"naive-accent", "naive-plain"}},
		{"naïve finds NAIVE", frMatch("title", "naïve"), []string{"naive-accent", "naive-plain"}},
		{"ca finds ça", frMatch("title", "ca bouge"), []string{"ca-cedilla", "ca-plain"}},
		{"ça finds CA", frMatch("title", "ça bouge"), []string{"ca-cedilla", "ca-plain"}},
		{"plural finds singular", frMatch("title", "deliberations"), []string{"delib-plural", "delib-singular"}},
		{"singular finds plural", frMatch("title", "délibération"), []string{"delib-plural", "delib-singular"}},
		{"conseils municipaux", frMatch("title", "conseils municipaux"), []string{"delib-plural", "delib-singular"}},
		{"conseil municipal", frMatch("title", "conseil municipal"), []string{"delib-plural", "delib-singular"}},
		{"phrase across number", frPhrase("title", "conseil municipal"), []string{"delib-plural", "delib-singular"}},
		{"a stop word in a phrase stands for any small word", frPhrase("title", "délibérations des conseils"), []string{"delib-plural", "delib-singular"}},
		{"phrase with stop word in the middle", frPhrase("title", "construction de l'école"), []string{"ecole-elided"}},
		{"phrase order matters", frPhrase("title", "municipal conseil"), []string{}},
		{"elision in query", frMatch("title", "l'école"), []string{"ecole-elided", "ecoles"}},
		{"elision in title", frMatch("title", "école"), []string{"ecole-elided", "ecoles"}},
		{"mariage is not mari", frMatch("title", "mariage"), []string{"mariage"}},
		{"mari is not mariage", frMatch("title", "mari"), []string{"mari"}},
		{"stop words alone find nothing", frMatch("title", "le la les de du des et"), []string{}},
		{"stop words do not widen a query", frMatch("title", "de la ville"), []string{"coeur-lig", "coeur-plain"}},
		{"stop words in an OR query find nothing more", func() query.Query {
			q := bleve.NewMatchQuery("le de peinture")
			q.SetField("title")
			q.Analyzer = AnalyzerFrText
			return q
		}(), []string{"naive-accent", "naive-plain"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, frSearchIDs(t, idx, tt.q)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestFrenchHighlight checks that the marks of the html highlighter wrap the
// original word (accents, ligature, case), not a folded or shifted slice, even
// after multi-byte characters and elisions.
func TestFrenchHighlight(t *testing.T) {
	docs := []frTestDoc{
		{"a", "1", "L'Église Saint-Pierre"},
		{"b", "2", "Délibération : réfection de l’église Saint-Éloi"},
		{"c", "3", "Main-d’œuvre étrangère, Cœur de ville"},
		{"d", "4", "Écoles communales : agrandissement de l'école"},
	}
	idx := frNewTestIndex(t, docs)
	tests := []struct {
		query string
		want  map[string]string // document id → fragment
	}{
		{"eglise", map[string]string{
			"a": "L&#39;<mark>Église</mark> Saint-Pierre",
			"b": "Délibération : réfection de l’<mark>église</mark> Saint-Éloi",
		}},
		{"oeuvre coeur", map[string]string{
			"c": "Main-d’<mark>œuvre</mark> étrangère, <mark>Cœur</mark> de ville",
		}},
		{"l'école", map[string]string{
			"d": "<mark>Écoles</mark> communales : agrandissement de l&#39;<mark>école</mark>",
		}},
	}
	for _, tt := range tests {
		q := bleve.NewMatchQuery(tt.query)
		q.SetField("title")
		q.Analyzer = AnalyzerFrText
		req := bleve.NewSearchRequest(q)
		req.Highlight = bleve.NewHighlightWithStyle(html.Name)
		req.Highlight.AddField("title")
		res, err := idx.Search(req)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, h := range res.Hits {
			got[h.ID] = strings.Join(h.Fragments["title"], " … ")
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("highlight of %q (-want +got):\n%s", tt.query, diff)
		}
	}
}

func TestCoteTermQuery(t *testing.T) {
	idx := frNewTestIndex(t, []frTestDoc{
		{"a", "3 E 12/4", "Minutes du notaire Lefebvre (1850)"},
		{"b", "3 E 12/40", "Minutes du notaire Lefebvre (1890)"},
		{"c", "W 1234", "Permis de construire (1975-1980)"},
		{"d", "W 12345", "Permis de construire (1981-1985)"},
		{"e", "1 Num 1/204-3", "Cartes postales numérisées"},
	})
	term := func(cote string) query.Query {
		q := bleve.NewTermQuery(NormalizeCote(cote))
		q.SetField("cote")
		return q
	}
	phrase := func(text string) query.Query {
		q := bleve.NewMatchPhraseQuery(text)
		q.SetField("cote_text")
		q.Analyzer = AnalyzerCoteText
		return q
	}
	tests := []struct {
		name string
		q    query.Query
		want []string
	}{
		{"same spelling", term("3 E 12/4"), []string{"a"}},
		{"lower case", term("3 e 12/4"), []string{"a"}},
		{"double space", term("3 E  12/4"), []string{"a"}},
		{"no space after the number", term("3E 12/4"), []string{"a"}},
		{"12/4 is not 12/40", term("3 E 12/40"), []string{"b"}},
		{"punctuation counts", term("3 E 12-4"), []string{}},
		{"W 1234", term("w 1234"), []string{"c"}},
		{"W 12345", term("W12345"), []string{"d"}},
		{"typographic dash", term("1 NUM 1/204–3"), []string{"e"}},
		{"part of a cote as text", phrase("12/4"), []string{"a"}},
		{"series letter as text", phrase("W"), []string{"c", "d"}},
		{"number inside a cote", phrase("204"), []string{"e"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, frSearchIDs(t, idx, tt.q)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// ---- Search-quality script ----

// TestMorphology runs testdata/analysis/morphology.txt: a small corpus of
// archive titles and the titles each query must find. See the file's header.
func TestMorphology(t *testing.T) {
	path := filepath.Join("testdata", "analysis", "morphology.txt")
	docs, cases := frReadMorphology(t, path)
	idx := frNewTestIndex(t, docs)
	titles := map[string]string{} // id → title
	for _, d := range docs {
		titles[d.ID] = d.Title
	}
	for _, c := range cases {
		var q query.Query
		switch {
		case strings.HasPrefix(c.query, "cote:"):
			tq := bleve.NewTermQuery(NormalizeCote(strings.TrimPrefix(c.query, "cote:")))
			tq.SetField("cote")
			q = tq
		case strings.HasPrefix(c.query, `"`) && strings.HasSuffix(c.query, `"`) && len(c.query) > 1:
			q = frPhrase("title", strings.Trim(c.query, `"`))
		default:
			q = frMatch("title", c.query)
		}
		got := []string{}
		for _, id := range frSearchIDs(t, idx, q) {
			got = append(got, titles[id])
		}
		sort.Strings(got)
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("%s:%d: %s (-want +got):\n%s", path, c.line, c.query, diff)
		}
	}
}

// frMorphologyCase is one "query => titles" line.
type frMorphologyCase struct {
	line  int
	query string
	want  []string // sorted
}

// frReadMorphology parses the script: "doc: cote | title" lines make the
// corpus, "query => title | title" lines the cases.
func frReadMorphology(t *testing.T, path string) ([]frTestDoc, []frMorphologyCase) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var docs []frTestDoc
	var cases []frMorphologyCase
	known := map[string]bool{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "doc:"):
			cote, title, ok := strings.Cut(strings.TrimPrefix(line, "doc:"), "|")
			title = strings.TrimSpace(title)
			if !ok || known[title] {
				t.Fatalf("%s:%d: want \"doc: cote | title\" with a title not seen before", path, n)
			}
			known[title] = true
			docs = append(docs, frTestDoc{strconv.Itoa(n), strings.TrimSpace(cote), title})
		default:
			c, err := frParseMorphologyCase(line, known)
			if err != nil {
				t.Fatalf("%s:%d: %v", path, n, err)
			}
			c.line = n
			cases = append(cases, c)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return docs, cases
}

func frParseMorphologyCase(line string, known map[string]bool) (frMorphologyCase, error) {
	q, rest, ok := strings.Cut(line, "=>")
	if !ok {
		return frMorphologyCase{}, fmt.Errorf("want \"query => title | title\", got %q", line)
	}
	c := frMorphologyCase{query: strings.TrimSpace(q), want: []string{}}
	if rest = strings.TrimSpace(rest); rest == "(aucun)" {
		return c, nil
	}
	for _, title := range strings.Split(rest, "|") {
		title = strings.TrimSpace(title)
		if !known[title] {
			return c, fmt.Errorf("title %q is not in the corpus (declare documents before the cases)", title)
		}
		c.want = append(c.want, title)
	}
	sort.Strings(c.want)
	return c, nil
}

// ---- Benchmarks ----

// BenchmarkFrenchAnalyzers analyses ~5 KB of French prose from the Vitam
// rules (testdata/analysis/vitam_regles_excerpt.txt) with fr_text, fr_exact,
// Bleve's stock fr analyzer, and the bare unicode tokenizer they all start
// with (what the filters add is the difference).
func BenchmarkFrenchAnalyzers(b *testing.B) {
	text, err := os.ReadFile(filepath.Join("testdata", "analysis", "vitam_regles_excerpt.txt"))
	if err != nil {
		b.Fatal(err)
	}
	tokenizerOnly := &analysis.DefaultAnalyzer{Tokenizer: unicodetok.NewUnicodeTokenizer()}
	for _, name := range []string{AnalyzerFrText, AnalyzerFrExact, "fr", "tokenizer_only"} {
		var a analysis.Analyzer = tokenizerOnly
		if name != "tokenizer_only" {
			a = frAnalyzer(b, name)
		}
		b.Run(name, func(b *testing.B) {
			buf := make([]byte, len(text))
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			var tokens int
			for b.Loop() {
				copy(buf, text) // filters lower-case and fold in place
				tokens = len(a.Analyze(buf))
			}
			b.ReportMetric(float64(tokens), "tokens")
		})
	}
}
