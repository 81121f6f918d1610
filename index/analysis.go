package index

import (
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/stop"
	unicodetok "github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"
	"golang.org/x/text/unicode/norm"
)

// Analyzer names, for field mappings and for queries that must analyse their
// text the same way as the field (MatchQuery.Analyzer).
const (
	// AnalyzerFrText is for titles, descriptions and full text: elision, case,
	// accents and ligatures folded, stop words removed, light stemming.
	AnalyzerFrText = "fr_text"
	// AnalyzerFrExact is fr_text without stop words and stemming, for fields
	// or phrases that must match word for word (accents still folded).
	AnalyzerFrExact = "fr_exact"
	// AnalyzerCote makes the whole value one term, normalised by NormalizeCote:
	// an exact match that ignores case and spacing but keeps punctuation.
	AnalyzerCote = "cote"
	// AnalyzerCoteText splits a cote into words (runs of letters, runs of
	// digits), so that "W" or "12/4" (as the phrase "12 4") can be found inside it.
	AnalyzerCoteText = "cote_text"
)

// Names of our components in Bleve's registry. They carry a sesam_ prefix so
// they cannot be mistaken for Bleve's own (elision_fr, stop_fr, ...), which
// behave differently.
const (
	frElisionFilterName    = "sesam_fr_elision"
	frFoldFilterName       = "sesam_fr_fold"
	frStopFilterName       = "sesam_fr_stop"
	coteTokenizerName      = "sesam_cote"
	coteTextTokenizerName  = "sesam_cote_text"
	frUnicodeTokenizerName = unicodetok.Name
)

// frAnalyzerSpecs describes each analyzer as Bleve's "custom" analyzer type
// does. The same description registers the analyzer globally and is written
// into an index mapping by AddAnalyzers, so the two cannot drift apart.
//
// Order matters: elision must see the original bytes (it moves the token's
// start past "l'"), and stop words are listed in their folded form.
var frAnalyzerSpecs = []struct {
	name      string
	tokenizer string
	filters   []string
}{
	{AnalyzerFrText, frUnicodeTokenizerName, []string{frElisionFilterName, lowercase.Name, frFoldFilterName, frStopFilterName, frStemFilterName}},
	{AnalyzerFrExact, frUnicodeTokenizerName, []string{frElisionFilterName, lowercase.Name, frFoldFilterName}},
	{AnalyzerCote, coteTokenizerName, nil},
	{AnalyzerCoteText, coteTextTokenizerName, []string{frFoldFilterName}},
}

// frSpecConfig returns the "custom" analyzer configuration of a spec.
func frSpecConfig(tokenizer string, filters []string) map[string]interface{} {
	cfg := map[string]interface{}{"type": custom.Name, "tokenizer": tokenizer}
	if len(filters) > 0 {
		cfg["token_filters"] = filters
	}
	return cfg
}

var (
	analysisOnce sync.Once
	analysisErr  error
)

// ensureAnalysis registers our analysis components with Bleve exactly once.
// Opening an existing index needs it too (its mapping names our filters), so
// the code that opens an index must call it before bleve.Open.
func ensureAnalysis() error {
	analysisOnce.Do(func() { analysisErr = registerAnalysis() })
	return analysisErr
}

// registerAnalysis registers the tokenizers, token filters and analyzers of
// this file with Bleve's global registry. Call it through ensureAnalysis:
// Bleve refuses a second registration under the same name.
func registerAnalysis() error {
	tokenizers := map[string]registry.TokenizerConstructor{
		coteTokenizerName:     coteTokenizerConstructor,
		coteTextTokenizerName: coteTextTokenizerConstructor,
	}
	for name, c := range tokenizers {
		if err := registry.RegisterTokenizer(name, c); err != nil {
			return fmt.Errorf("register tokenizer %s: %w", name, err)
		}
	}
	filters := map[string]registry.TokenFilterConstructor{
		frElisionFilterName: frElisionFilterConstructor,
		frFoldFilterName:    frFoldFilterConstructor,
		frStopFilterName:    frStopFilterConstructor,
		frStemFilterName:    frStemFilterConstructor,
	}
	for name, c := range filters {
		if err := registry.RegisterTokenFilter(name, c); err != nil {
			return fmt.Errorf("register token filter %s: %w", name, err)
		}
	}
	for _, s := range frAnalyzerSpecs {
		cfg := frSpecConfig(s.tokenizer, s.filters)
		build := func(_ map[string]interface{}, cache *registry.Cache) (analysis.Analyzer, error) {
			return custom.AnalyzerConstructor(cfg, cache)
		}
		if err := registry.RegisterAnalyzer(s.name, build); err != nil {
			return fmt.Errorf("register analyzer %s: %w", s.name, err)
		}
	}
	return nil
}

// AddAnalyzers defines the fr_text, fr_exact, cote and cote_text analyzers in
// m, so that the mapping stored with an index says how each was built.
// Calling it again on the same mapping is harmless.
func AddAnalyzers(m *mapping.IndexMappingImpl) error {
	if err := ensureAnalysis(); err != nil {
		return err
	}
	for _, s := range frAnalyzerSpecs {
		if _, done := m.CustomAnalysis.Analyzers[s.name]; done {
			continue
		}
		if err := m.AddCustomAnalyzer(s.name, frSpecConfig(s.tokenizer, s.filters)); err != nil {
			return fmt.Errorf("add analyzer %s to mapping: %w", s.name, err)
		}
	}
	return nil
}

// ---- Elision ----

// frElisionFilter removes elided articles and pronouns (l', d', qu', ...)
// from the front of a token. Unlike Bleve's elision filter it also moves the
// token's Start past them, so a highlight of "L'Église" marks "Église".
// It must run first, while the term still holds the original bytes.
type frElisionFilter struct{}

// Filter implements analysis.TokenFilter.
func (frElisionFilter) Filter(input analysis.TokenStream) analysis.TokenStream {
	for _, t := range input {
		if n := frElisionLen(t.Term); n > 0 && n < len(t.Term) {
			t.Term = t.Term[n:]
			t.Start += n
		}
	}
	return input
}

func frElisionFilterConstructor(map[string]interface{}, *registry.Cache) (analysis.TokenFilter, error) {
	return frElisionFilter{}, nil
}

// frElisionLen returns the length in bytes of an elided prefix and its
// apostrophe at the start of term, or 0. Case does not matter ("L'", "Qu'").
func frElisionLen(term []byte) int {
	var lower [6]byte
	i := 0
	for ; i < len(term) && i < len(lower); i++ {
		c := term[i] | 0x20 // ASCII lower case; non-letters fail the switch below
		if c < 'a' || c > 'z' {
			break
		}
		lower[i] = c
	}
	if i == 0 || !frIsElidable(lower[:i]) {
		return 0
	}
	switch r, w := utf8.DecodeRune(term[i:]); r {
	case '\'', '\u2019', '\u02bc': // apostrophe, right single quotation mark, modifier letter apostrophe
		return i + w
	}
	return 0
}

// frIsElidable reports whether p (lower case) is a word French elides before
// a vowel. The list is Lucene's French articles.
func frIsElidable(p []byte) bool {
	switch string(p) {
	case "l", "d", "j", "m", "n", "s", "t", "c", "qu",
		"jusqu", "lorsqu", "puisqu", "quoiqu":
		return true
	}
	return false
}

// ---- Folding ----

// frFoldFilter folds accents, ligatures and compatibility forms of each term
// (église → eglise, cœur → coeur, ﬁn → fin). It changes only the term, never
// Start and End, so highlights land on the original word.
type frFoldFilter struct{}

// Filter implements analysis.TokenFilter.
func (frFoldFilter) Filter(input analysis.TokenStream) analysis.TokenStream {
	for _, t := range input {
		t.Term = frFold(t.Term)
	}
	return input
}

func frFoldFilterConstructor(map[string]interface{}, *registry.Cache) (analysis.TokenFilter, error) {
	return frFoldFilter{}, nil
}

// FoldTerm applies the folding of the fr_* analyzers to s (lower case,
// accents, ligatures, compatibility forms, apostrophes), for suggestions and
// "did you mean". It neither removes elisions nor stems.
func FoldTerm(s string) string {
	return string(frFold([]byte(s)))
}

// frFold returns term lower-cased and folded. It writes over term's bytes
// while the folded form is not longer than what it replaces, and allocates
// only when a character expands (½ → 1⁄2). An ASCII lower-case term is
// returned as is, without allocating: most French words take this path.
func frFold(term []byte) []byte {
	i := 0
	for i < len(term) && term[i] < utf8.RuneSelf && (term[i] < 'A' || term[i] > 'Z') {
		i++
	}
	if i == len(term) {
		return term
	}
	var buf [64]byte
	out, inPlace := term[:i], true
	for i < len(term) {
		var rep []byte
		c, w := term[i], 1
		switch {
		case c < utf8.RuneSelf:
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			buf[0] = c
			rep = buf[:1]
		default:
			var r rune
			r, w = utf8.DecodeRune(term[i:])
			rep = frFoldRune(buf[:0], r, term[i:i+w])
		}
		if inPlace && len(out)+len(rep) > i+w {
			out = append(make([]byte, 0, len(term)+len(rep)), out...)
			inPlace = false
		}
		out = append(out, rep...)
		i += w
	}
	return out
}

// frLatin1Fold folds U+00C0 to U+00FF, the accented letters of French and its
// neighbours, without a table lookup in x/text. × and ÷ stay.
var frLatin1Fold = [64]string{
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i", // À-Ï
	"d", "n", "o", "o", "o", "o", "o", "×", "o", "u", "u", "u", "u", "y", "th", "ss", // Ð-ß
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i", // à-ï
	"d", "n", "o", "o", "o", "o", "o", "÷", "o", "u", "u", "u", "u", "y", "th", "y", // ð-ÿ
}

// frFoldRune appends the folded form of r (encoded as src) to dst.
func frFoldRune(dst []byte, r rune, src []byte) []byte {
	if r >= 0xC0 && r <= 0xFF {
		return append(dst, frLatin1Fold[r-0xC0]...)
	}
	switch r {
	case 'œ', 'Œ':
		return append(dst, "oe"...)
	case 'ł', 'Ł', 'ŀ', 'Ŀ': // ŀ decomposes to l + middle dot
		return append(dst, 'l')
	case 'đ', 'Đ':
		return append(dst, 'd')
	case 'ħ', 'Ħ':
		return append(dst, 'h')
	case 'ı':
		return append(dst, 'i')
	case '\u2018', '\u2019', '\u02bc', '\u2032': // ‘ ’ ʼ ′: one apostrophe for aujourd’hui
		return append(dst, '\'')
	}
	if (r == utf8.RuneError && len(src) == 1) || (r >= 0xAC00 && r <= 0xD7A3) {
		// Invalid UTF-8 stays as it is; so do Hangul syllables, which NFKD
		// would split into jamo.
		return append(dst, src...)
	}
	d := norm.NFKD.Properties(src).Decomposition()
	if d == nil {
		if unicode.Is(unicode.Mn, r) { // a combining accent of decomposed text
			return dst
		}
		return utf8.AppendRune(dst, unicode.ToLower(r))
	}
	for len(d) > 0 {
		dr, w := utf8.DecodeRune(d)
		d = d[w:]
		if !unicode.Is(unicode.Mn, dr) {
			dst = utf8.AppendRune(dst, unicode.ToLower(dr))
		}
	}
	return dst
}

// ---- Stop words ----

// frStopWords are removed from fr_text, in their folded form (à → a,
// même → meme). The list is the Snowball/Lucene French list less the words
// that are also nouns an archive is searched for: "pas" (Pas-de-Calais,
// pas de porte), "est" (Grand Est, rue de l'Est), "été"/"étés" (summer),
// "sommes" (sums of money), "avions" (aeroplanes). "entre" is added: it is a
// preposition, and "entrée" stems to it.
var frStopWords = frWordSet(frStopList)

// frWordSet returns the words of list, separated by spaces, as a token map.
func frWordSet(list string) analysis.TokenMap {
	set := analysis.NewTokenMap()
	for _, w := range strings.Fields(list) {
		set.AddToken(w)
	}
	return set
}

const frStopList = `
au aux avec ce ces dans de des du elle en et eux il je la le leur lui ma mais
me meme mes moi mon ne nos notre nous on ou par pour qu que qui sa se ses son
sur ta te tes toi ton tu un une vos votre vous c d j l a m n s t y
etant suis es serai seras sera serons serez seront serais serait serions seriez
seraient etais etait etions etiez etaient fus fut fumes futes furent sois soit
soyons soyez soient fusse fusses fussions fussiez fussent
ayant eu eue eues eus ai as avons avez ont aurai auras aura aurons aurez auront
aurais aurait aurions auriez auraient avais avait aviez avaient eut eumes eutes
eurent aie aies ait ayons ayez aient eusse eusses eussions eussiez eussent
ceci cela cet cette ici ils les leurs quel quels quelle quelles sans soi entre
`

func frStopFilterConstructor(map[string]interface{}, *registry.Cache) (analysis.TokenFilter, error) {
	return stop.NewStopTokensFilter(frStopWords), nil
}

// ---- Cotes ----

// NormalizeCote returns the form under which the cote analyzer indexes a cote,
// so a query can look it up with a term query. Archivists type the same cote
// in several ways; what is normalised:
//   - case and accents ("3 e 12/4" = "3 E 12/4", "E Dépôt" = "E DEPOT");
//   - any run of spaces (including non-breaking ones) counts as one;
//   - a space between a letter and a digit, or next to punctuation, is dropped:
//     "3 E 12/4" = "3E 12/4" = "3E12/4" = "3 E 12 / 4";
//   - typographic dashes and slashes become - and /.
//
// What is kept: all punctuation ("3E12/4" ≠ "3E12-4") and a space between two
// numbers or two words, where it separates parts ("E DEP 12 11" ≠ "E DEP 121 1").
func NormalizeCote(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	pendingSpace := false
	var prev rune // last rune written, 0 at the start
	for _, r := range FoldTerm(s) {
		if unicode.IsSpace(r) {
			pendingSpace = prev != 0
			continue
		}
		r = coteCanonicalRune(r)
		if pendingSpace && coteKeepsSpace(prev, r) {
			b.WriteByte(' ')
		}
		pendingSpace = false
		b.WriteRune(r)
		prev = r
	}
	return b.String()
}

// coteKeepsSpace reports whether a space between a and b separates two parts
// of a cote: two numbers, or two words.
func coteKeepsSpace(a, b rune) bool {
	return (unicode.IsDigit(a) && unicode.IsDigit(b)) || (unicode.IsLetter(a) && unicode.IsLetter(b))
}

// coteCanonicalRune maps the dashes and slashes that word processors put in
// cotes to - and /.
func coteCanonicalRune(r rune) rune {
	switch r {
	case '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2015', '\u2212', '\ufe63', '\uff0d':
		return '-'
	case '\u2044', '\u2215', '\uff0f':
		return '/'
	}
	return r
}

// coteTokenizer makes the whole input one token, normalised by NormalizeCote.
type coteTokenizer struct{}

// Tokenize implements analysis.Tokenizer.
func (coteTokenizer) Tokenize(input []byte) analysis.TokenStream {
	term := NormalizeCote(string(input))
	if term == "" {
		return nil
	}
	return analysis.TokenStream{{
		Term: []byte(term), Start: 0, End: len(input), Position: 1, Type: analysis.AlphaNumeric,
	}}
}

func coteTokenizerConstructor(map[string]interface{}, *registry.Cache) (analysis.Tokenizer, error) {
	return coteTokenizer{}, nil
}

// coteTextTokenizer splits a cote into runs of letters and runs of digits:
// "3E 12/4" and "3 E 12/4" both give 3, E, 12, 4, in that order, so a phrase
// query finds either spelling.
type coteTextTokenizer struct{}

// Tokenize implements analysis.Tokenizer.
func (coteTextTokenizer) Tokenize(input []byte) analysis.TokenStream {
	var out analysis.TokenStream
	start, class := 0, coteOther
	emit := func(end int) {
		typ := analysis.AlphaNumeric
		if class == coteDigit {
			typ = analysis.Numeric
		}
		out = append(out, &analysis.Token{
			Term: input[start:end], Start: start, End: end, Position: len(out) + 1, Type: typ,
		})
	}
	for i := 0; i < len(input); {
		r, w := utf8.DecodeRune(input[i:])
		c := coteClassOf(r, class)
		if c != class {
			if class != coteOther {
				emit(i)
			}
			start, class = i, c
		}
		i += w
	}
	if class != coteOther {
		emit(len(input))
	}
	return out
}

func coteTextTokenizerConstructor(map[string]interface{}, *registry.Cache) (analysis.Tokenizer, error) {
	return coteTextTokenizer{}, nil
}

// Character classes of coteTextTokenizer.
const (
	coteOther = iota
	coteLetter
	coteDigit
)

// coteClassOf returns the class of r; a combining mark belongs to the letter
// before it (decomposed "é").
func coteClassOf(r rune, prev int) int {
	switch {
	case unicode.IsLetter(r):
		return coteLetter
	case unicode.IsDigit(r):
		return coteDigit
	case prev == coteLetter && unicode.Is(unicode.Mn, r):
		return coteLetter
	}
	return coteOther
}
