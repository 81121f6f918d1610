package corpus

import (
	_ "embed"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// vocabText is the word list the generator draws its French text from: words of the
// shared PDFs with their counts, most frequent first (see testdata/SOURCES.md and
// mkvocab.go, which rebuilds it).
//
//go:embed testdata/vocab.txt
var vocabText string

// The rank-frequency curve of the generated text is Zipf–Mandelbrot, p(k) ∝ (v+k)^-s:
// natural language has s close to 1 (math/rand's Zipf needs more than 1); v flattens
// the head so that the most frequent content word makes about 2% of the content words,
// as in French prose, instead of 14% with v = 1 (function words keep v = 1: de, la and
// le do dominate).
const (
	zipfExponent = 1.07
	zipfContentV = 10
)

// vocabulary is the ranked word list.
type vocabulary struct {
	words    []string // every word, most frequent first
	content  []string // words that carry meaning (no stop word, at least 4 letters), same order
	function []string // the others: articles, prepositions, short words, same order
}

var vocab = mustVocabulary(vocabText)

func mustVocabulary(text string) *vocabulary {
	v, err := parseVocabulary(text)
	if err != nil {
		panic(err)
	}
	return v
}

// parseVocabulary reads "word<TAB>count" lines; # starts a comment.
func parseVocabulary(text string) (*vocabulary, error) {
	v := &vocabulary{}
	for i, line := range strings.Split(text, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		word, count, ok := strings.Cut(line, "\t")
		if _, err := strconv.Atoi(count); !ok || err != nil || word == "" {
			return nil, fmt.Errorf("vocabulary line %d: want word<TAB>count, got %q", i+1, line)
		}
		v.words = append(v.words, word)
		if utf8.RuneCountInString(word) >= 4 && !stopWords[word] {
			v.content = append(v.content, word)
		} else {
			v.function = append(v.function, word)
		}
	}
	if len(v.content) < 100 {
		return nil, fmt.Errorf("vocabulary: only %d content words", len(v.content))
	}
	return v, nil
}

// CommonWords are the n most frequent content words of the generated text: the words a
// benchmark can search for and find in many units.
func CommonWords(n int) []string {
	return append([]string(nil), vocab.content[:min(n, len(vocab.content))]...)
}

// stopWords are French function words: kept in running text (they make it read as
// French and search engines must skip them) but never chosen as title words.
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`à a au aux avec ce ces cet cette dans de des du elle elles en et être
		il ils je la le les leur leurs lui mais me même mes moi mon ne nos notre nous on ou où par pas pour
		qu que qui sa se ses si son sont sur ta te tes toi ton tu un une vos votre vous y été était étaient
		avait avoir ainsi alors aussi autre autres bien car celle celles celui ceux chaque comme comment
		dont donc doit doivent encore entre fait faire fois ici lors lorsque moins peut peuvent plus
		puis quand quel quelle quelles quels sans selon sera seront soit tout toute toutes tous très
		vers afin après avant depuis déjà leurs lesquels laquelle lequel cela ceci sous également`) {
		m[w] = true
	}
	return m
}()

// textGen draws French text from the vocabulary with one seeded generator.
type textGen struct {
	r        *rand.Rand
	content  *rand.Zipf
	function *rand.Zipf
}

func newTextGen(r *rand.Rand) *textGen {
	return &textGen{r: r,
		content:  rand.NewZipf(r, zipfExponent, zipfContentV, uint64(len(vocab.content)-1)),
		function: rand.NewZipf(r, zipfExponent, 1, uint64(len(vocab.function)-1)),
	}
}

// functionShare is the share of function words in running text (about that of French
// prose, where de, la, le, des... make close to half of the words).
const functionShare = 0.4

// word is the next word of running text after prev: a function word or a content
// word, each Zipf-distributed within its class, never two function words in a row.
func (g *textGen) word(prevFunction bool) (string, bool) {
	if !prevFunction && g.r.Float64() < functionShare {
		return vocab.function[g.function.Uint64()], true
	}
	return g.contentWord(), false
}

// contentWord is a meaningful word, Zipf-distributed.
func (g *textGen) contentWord() string { return vocab.content[g.content.Uint64()] }

// contentWords are n distinct meaningful words joined by spaces.
func (g *textGen) contentWords(n int) string {
	var out []string
	for tries := 0; len(out) < n && tries < 10*n; tries++ {
		w := g.contentWord()
		if !containsString(out, w) {
			out = append(out, w)
		}
	}
	return strings.Join(out, " ")
}

// sentence is n words of running text, capitalised, ending with a full stop (on a
// content word).
func (g *textGen) sentence(n int) string {
	ws := make([]string, n)
	fn := false
	for i := range ws {
		ws[i], fn = g.word(fn || i == n-1)
		if i > 0 && ws[i] == ws[i-1] {
			ws[i], fn = g.word(fn || i == n-1)
		}
	}
	return capitalize(strings.Join(ws, " ")) + "."
}

// description is a paragraph of min to max words in sentences of 8 to 20 words.
func (g *textGen) description(minWords, maxWords int) string {
	total := minWords + g.r.IntN(maxWords-minWords+1)
	var parts []string
	for total > 0 {
		n := min(total, 8+g.r.IntN(13))
		parts = append(parts, g.sentence(n))
		total -= n
	}
	return strings.Join(parts, " ")
}

// lines wraps text into lines of at most width characters.
func lines(text string, width int) []string {
	var out []string
	var cur strings.Builder
	for _, w := range strings.Fields(text) {
		if cur.Len() > 0 && utf8.RuneCountInString(cur.String())+1+utf8.RuneCountInString(w) > width {
			out = append(out, cur.String())
			cur.Reset()
		}
		if cur.Len() > 0 {
			cur.WriteByte(' ')
		}
		cur.WriteString(w)
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

func containsString(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
