package pdftext

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Normalize makes text extracted from a PDF comparable and searchable: NFC, ligatures and
// compatibility forms folded (ﬁ, ﬂ, non-breaking and other special spaces, soft hyphens,
// zero-width characters), old-TeX decomposed accents ("R´esultat", "a`", "connaı̂tre")
// recomposed when s is written that way (see spacedAccents), control characters
// dropped, runs of spaces collapsed, and words hyphenated across a line break rejoined
// (see rejoinHyphens).
//
// The index and the tests run query and reference text through it too, so that both
// sides of a comparison are normalised the same way.
func Normalize(s string) string {
	f := fold(s, spacedAccents(s))
	return rejoinHyphens(f, vocabulary(f))
}

// fold is Normalize without the hyphenation rule, which needs the vocabulary of the
// whole document: Extract folds every page first, then rejoins with the document's
// vocabulary. Spacing accents beside a letter are recomposed only when accents says
// the document writes its accents that way.
func fold(s string, accents bool) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	rs := mapRunes([]rune(s))
	rs = recomposeAccents(rs, accents)
	return tidySpaces(norm.NFC.String(string(rs)))
}

// spacedAccents tells a document whose accents come apart from their letters (old pdfTeX
// fonts: "R´esultat", "d´ej`a") from one that uses a spacing accent for something else,
// most often "´" for an apostrophe ("l´entreprise", "qu´elle"): old pdfTeX output has no
// precomposed accented letter at all, so spacing accents are recomposed only when
// precomposed letters are fewer than a tenth of the spacing accents beside a letter.
func spacedAccents(texts ...string) bool {
	var precomposed, spaced int
	for _, t := range texts {
		prevLetter := false
		for i, r := range t {
			letter := unicode.IsLetter(r)
			switch {
			case precomposedLetters[r]:
				precomposed++
			case spacingAccents[r] != 0 && (prevLetter || startsWithLetter(t[i+utf8.RuneLen(r):])):
				spaced++
			}
			prevLetter = letter
		}
	}
	return spaced > 0 && precomposed*10 < spaced
}

func startsWithLetter(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsLetter(r)
}

// mapRunes folds compatibility characters one by one (see appendFolded) and joins lines
// split at a soft hyphen, which marks a hyphenation point the author allowed.
func mapRunes(in []rune) []rune {
	out := make([]rune, 0, len(in))
	for i := 0; i < len(in); i++ {
		r := in[i]
		switch {
		case r == '\r' && i+1 < len(in) && in[i+1] == '\n':
			continue
		case r == '\r':
			out = append(out, '\n')
		case r == '\u00AD':
			// A soft hyphen at a line end joins the two halves; elsewhere it is invisible.
			// Chromium writes the visible hyphen after it ("délibéra\u00AD‐\ntion").
			j := i + 1
			if j < len(in) && isHyphen(in[j]) {
				j++
			}
			for j < len(in) && (in[j] == ' ' || in[j] == '\t') {
				j++
			}
			if j < len(in) && in[j] == '\n' {
				i = j
			}
		case r == 'ı' && i+1 < len(in) && isCombining(in[i+1]):
			// TeX puts accents on a dotless i (\^\i): "ı̂" has no composed form, "î" has.
			out = append(out, 'i')
		default:
			out = appendFolded(out, r)
		}
	}
	return out
}

// appendFolded appends one character as a reader would type it: ligatures as their
// letters, special spaces as a space, invisible characters and controls as nothing.
func appendFolded(out []rune, r rune) []rune {
	switch {
	case r >= ' ' && r < 0x7F || r == '\n' || r == '\t' || r == '\f':
		return append(out, r)
	case r == '\u00A0' || (r >= '\u2000' && r <= '\u200A') || r == '\u202F' || r == '\u205F' || r == '\u3000':
		return append(out, ' ')
	case r == '\u200B' || r == '\u200C' || r == '\u200D' || r == '\u2060' || r == '\uFEFF':
		return out
	case r == '\u2010' || r == '\u2011':
		return append(out, '-')
	case unicode.IsControl(r):
		// Broken fonts emit C0/C1 codes; PostgreSQL refuses NUL and nobody can search them.
		return out
	case isCompatForm(r):
		return append(out, []rune(norm.NFKC.String(string(r)))...)
	}
	return append(out, r)
}

// isCompatForm reports the compatibility characters folded to their plain form: Latin
// ligatures, full-width ASCII and mathematical alphanumerics (𝑥 → x). Others, such as
// ½ or ², keep their meaning and are left alone.
func isCompatForm(r rune) bool {
	return (r >= '\uFB00' && r <= '\uFB06') ||
		(r >= '\uFF01' && r <= '\uFF5E') ||
		(r >= 0x1D400 && r <= 0x1D7FF)
}

func isHyphen(r rune) bool { return r == '-' || r == '\u2010' || r == '\u2011' }

func isCombining(r rune) bool { return r >= '\u0300' && r <= '\u036F' }

// spacingAccents maps the spacing accents that pdfTeX fonts put beside a letter to the
// combining mark they stand for. ASCII ^ and ~ are left out: in the corpus they are code
// (TeX's ^^M, a^2), never accents. The grave accent ` is kept because old pdftotext output
// writes "d´ej`a" and "a` la".
var spacingAccents = map[rune]rune{
	'\u00B4': '\u0301', // ´ acute
	'`':      '\u0300', // grave
	'\u02CB': '\u0300', // ˋ modifier grave
	'\u02C6': '\u0302', // ˆ circumflex
	'\u00A8': '\u0308', // ¨ dieresis
	'\u00B8': '\u0327', // ¸ cedilla
	'\u02DC': '\u0303', // ˜ tilde
}

// frenchLetters are the only letters an orphan accent is recomposed into: restricting to
// French keeps "pre´cis" from becoming "prećis" and code such as `make` untouched.
var frenchLetters = composeTable(frenchAccented)

// precomposedLetters are the same letters, by themselves.
var precomposedLetters = letterSet(frenchAccented)

const frenchAccented = "àâäçéèêëîïôöùûüÿñÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸÑ"

func letterSet(letters string) map[rune]bool {
	m := make(map[rune]bool)
	for _, l := range letters {
		m[l] = true
	}
	return m
}

// composeTable indexes letters by their base letter and combining mark.
func composeTable(letters string) map[[2]rune]rune {
	t := make(map[[2]rune]rune)
	for _, l := range letters {
		d := []rune(norm.NFD.String(string(l)))
		t[[2]rune{d[0], d[1]}] = l
		if d[0] == 'i' {
			t[[2]rune{'ı', d[1]}] = l
		}
	}
	return t
}

// recomposeAccents attaches an accent that stands apart from its letter, as old pdfTeX
// documents come out of pdftotext: "R´esultat", "d´ej`a", "a` la", "R´ esultat", or a
// combining mark placed before its letter. The accent goes to the letter after it when
// that makes a French letter, else to the letter before it. Spacing accents are left
// alone unless spaced is set (see spacedAccents); combining marks are always placed.
func recomposeAccents(in []rune, spaced bool) []rune {
	out := make([]rune, 0, len(in))
	for i := 0; i < len(in); i++ {
		mark, ok := accentMark(in, i)
		if ok && !spaced && !isCombining(in[i]) {
			ok = false
		}
		if !ok {
			out = append(out, in[i])
			continue
		}
		if l, next, ok := composeForward(in, i, mark, out); ok {
			out = append(out, l)
			i = next
			continue
		}
		if l, ok := composeBackward(in, i, mark, out); ok {
			out[len(out)-1] = l
			continue
		}
		out = append(out, in[i])
	}
	return out
}

// composeForward puts the accent in[i] on the letter after it ("R´esultat", "´ecole",
// "R´ esultat", "`a la"). It returns the composed letter and the index of that letter.
func composeForward(in []rune, i int, mark rune, out []rune) (rune, int, bool) {
	prevLetter := len(out) > 0 && unicode.IsLetter(out[len(out)-1])
	next := i + 1
	if next+1 < len(in) && in[next] == ' ' && prevLetter && in[i] != '`' {
		next++
	}
	if next >= len(in) {
		return 0, 0, false
	}
	l, ok := frenchLetters[[2]rune{in[next], mark}]
	if !ok {
		return 0, 0, false
	}
	// A backquote opening a word is code or a quote (`alias`), unless the word is "à".
	if in[i] == '`' && !prevLetter && next+1 < len(in) && unicode.IsLetter(in[next+1]) {
		return 0, 0, false
	}
	return l, next, true
}

// composeBackward puts the accent in[i] on the letter before it ("a` la", "cafe´",
// "proble`me", "e´t").
func composeBackward(in []rune, i int, mark rune, out []rune) (rune, bool) {
	if len(out) == 0 {
		return 0, false
	}
	l, ok := frenchLetters[[2]rune{out[len(out)-1], mark}]
	if !ok || in[i] != '`' {
		return l, ok
	}
	// A backquote after a word closes code (`data`) unless the word carries on after it.
	if i+1 < len(in) && unicode.IsLetter(in[i+1]) {
		return l, unicode.IsLower(in[i+1])
	}
	start := len(out) - 1
	for start > 0 && unicode.IsLetter(out[start-1]) {
		start--
	}
	return l, start == 0 || out[start-1] != '`'
}

// accentMark reports whether in[i] is an accent standing apart from its letter, and the
// combining mark it stands for. A combining mark is apart when nothing it could sit on
// comes before it (start, space, punctuation).
func accentMark(in []rune, i int) (rune, bool) {
	r := in[i]
	if isCombining(r) {
		if i > 0 && (unicode.IsLetter(in[i-1]) || unicode.Is(unicode.Mn, in[i-1])) {
			return 0, false
		}
		return r, true
	}
	mark, ok := spacingAccents[r]
	if !ok {
		return 0, false
	}
	// TeX quotes (``) and doubled accents are typography, not accents.
	if r == '`' && (i > 0 && in[i-1] == '`' || i+1 < len(in) && in[i+1] == '`') {
		return 0, false
	}
	return mark, true
}

// tidySpaces collapses runs of spaces and tabs, trims every line and keeps at most one
// blank line in a row.
func tidySpaces(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	blank := 0
	for line := range strings.Lines(s) {
		line = strings.Trim(line, " \t\n")
		if line == "" {
			blank++
			if blank == 1 && b.Len() > 0 {
				b.WriteByte('\n')
			}
			continue
		}
		blank = 0
		space := false
		for _, r := range line {
			if r == ' ' || r == '\t' {
				space = true
				continue
			}
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteRune(r)
		}
		b.WriteByte('\n')
	}
	return strings.Trim(b.String(), "\n")
}

// lexicon is what a document says about its words, to decide whether a word
// hyphenated across a line break is one word or a compound: how often each lower-case
// word occurs, and how often as one half of a line-end hyphenation, which does not make
// it a word.
type lexicon struct {
	words  map[string]int
	halves map[string]int
}

// has reports whether w occurs in the document other than as half of a hyphenation.
func (l lexicon) has(w string) bool {
	w = strings.ToLower(w)
	return l.words[w] > l.halves[w]
}

// vocabulary gathers the lexicon of a document's texts.
func vocabulary(texts ...string) lexicon {
	l := lexicon{words: map[string]int{}, halves: map[string]int{}}
	for _, t := range texts {
		for w := range strings.FieldsFuncSeq(t, notWordRune) {
			l.words[strings.ToLower(w)]++
		}
		for rest := t; ; {
			i := strings.Index(rest, "-\n")
			if i < 0 {
				break
			}
			left, right := trailingWord(rest[:i]), leadingWord(rest[i+2:])
			if left != "" && right != "" {
				l.halves[strings.ToLower(left)]++
				l.halves[strings.ToLower(right)]++
			}
			rest = rest[i+2:]
		}
	}
	return l
}

func notWordRune(r rune) bool { return !unicode.IsLetter(r) && !unicode.Is(unicode.Mn, r) }

// rejoinHyphens rejoins a word hyphenated at a line end ("compréhen-\nsion") into
// "compréhension", unless the hyphen belongs there: the word keeps its hyphen on one
// line ("sous-\nsection" → "sous-section") when both halves are words of the document
// and the joined form is not. pdftotext's own text mode always drops the hyphen, which
// glues compounds ("soussection"): that is why Extract reads words, not its text mode.
// A capital after the break (a name, "Jean-\nPierre") is left as it is.
func rejoinHyphens(s string, lex lexicon) string {
	if !strings.Contains(s, "-\n") {
		return s
	}
	lines := strings.Split(s, "\n")
	out := make([]string, 0, len(lines))
	cur := lines[0]
	for _, next := range lines[1:] {
		joined, ok := joinHyphenated(cur, next, lex)
		if ok {
			cur = joined
			continue
		}
		out = append(out, cur)
		cur = next
	}
	out = append(out, cur)
	return strings.Join(out, "\n")
}

// joinHyphenated joins line and next when line ends with a hyphenated word part.
func joinHyphenated(line, next string, lex lexicon) (string, bool) {
	head, ok := strings.CutSuffix(line, "-")
	if !ok {
		return "", false
	}
	left := trailingWord(head)
	right := leadingWord(next)
	switch {
	case left == "" || right == "":
		return "", false
	case lex.has(left + right):
		return head + next, true
	}
	if first, _ := utf8.DecodeRuneInString(right); !unicode.IsLower(first) {
		return "", false
	}
	if lex.has(left) && lex.has(right) {
		return line + next, true
	}
	return head + next, true
}

func trailingWord(s string) string {
	i := strings.LastIndexFunc(s, notWordRune)
	return s[i+1:]
}

func leadingWord(s string) string {
	i := strings.IndexFunc(s, notWordRune)
	if i < 0 {
		return s
	}
	return s[:i]
}
