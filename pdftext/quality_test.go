package pdftext

import (
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// garbledFiles are the corpus files whose text layer is known to be unreadable (fonts
// without a Unicode table) or to be OCR noise: the only ones where a page with letters
// in plain pdftotext may come out without text, and where F1 against plain pdftotext
// means nothing. In fepslatex the pages the garble check lets through are gibberish too
// ("QK UKR MLO< NKR": bitmap fonts with printable but wrong codes), which that cheap
// check cannot tell from text.
var garbledFiles = map[string]bool{
	"texlive__fepslatex.pdf":                true, // dvips Type3 bitmap fonts
	"ocrmypdf__truetype_font_nomapping.pdf": true, // TrueType without ToUnicode
	"ocrmypdf__multipage.pdf":               true, // scans with a glyph-less OCR layer
}

// defects counts, in one text, the faults normalisation is there to fix.
type defects struct {
	accents    int // decomposed accents: combining marks, dotless i, spacing accents on letters
	ligatures  int // ﬁ, ﬂ, ...
	oddSpaces  int // non-breaking and other special spaces, soft hyphens, zero-width characters
	glued      int // compounds glued at a line break: "soussection" where the document says "sous-section"
	nfcAccents int // decomposed accents that NFC alone does not fix (ı̂, accents apart from letters)
	split      int // words plain pdftotext joins at a line end that stay hyphenated ("compréhen-sion")
}

func (d *defects) add(o defects) {
	d.accents += o.accents
	d.ligatures += o.ligatures
	d.oddSpaces += o.oddSpaces
	d.glued += o.glued
	d.nfcAccents += o.nfcAccents
	d.split += o.split
}

var spacingAccentOnLetter = regexp.MustCompile(`\pL[´ˆ¨¸˜]|[´ˆ¨¸˜]\pL`)

// countDefects counts the defects of s; compounds are the words the document writes with
// a hyphen inside a line (see compoundsOf).
func countDefects(s string, compounds map[string]bool) defects {
	var d defects
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Mn, r), r == 'ı':
			d.accents++
		case r >= '\uFB00' && r <= '\uFB06':
			d.ligatures++
		case r == '\u00A0', r == '\u202F', r == '\u00AD', r == '\u200B', r >= '\u2000' && r <= '\u200A':
			d.oddSpaces++
		}
	}
	d.accents += len(spacingAccentOnLetter.FindAllString(s, -1))
	d.nfcAccents = countDefectsNFC(s)
	for _, w := range words(s) {
		if compounds[w] {
			d.glued++
		}
	}
	return d
}

// countDefectsNFC counts the accents still apart after plain NFC composition.
func countDefectsNFC(s string) int {
	n := len(spacingAccentOnLetter.FindAllString(s, -1))
	prevLetter := false
	for _, r := range nfc(s) {
		if (unicode.Is(unicode.Mn, r) && prevLetter) || r == 'ı' {
			n++
		}
		prevLetter = unicode.IsLetter(r)
	}
	return n
}

func nfc(s string) string { return norm.NFC.String(s) }

var hyphenated = regexp.MustCompile(`(\pL+)-(\pL+)`)

// compoundsOf lists, glued ("soussection"), the compounds a text writes with a hyphen
// inside a line: plain pdftotext glues them when they fall at a line end.
func compoundsOf(s string) map[string]bool {
	joined := map[string]bool{}
	for _, m := range hyphenated.FindAllStringSubmatch(s, -1) {
		joined[strings.ToLower(m[1]+m[2])] = true
	}
	return joined
}

// splitWords counts in s the hyphenated words ("compréhen-sion") that plain pdftotext
// writes joined ("compréhension") and whose halves are not both words of its text: words
// a search would not find. Compounds ("sous-section") have two words for halves.
func splitWords(s, plain string) int {
	plainWords := bag(words(plain))
	n := 0
	for _, m := range hyphenated.FindAllStringSubmatch(s, -1) {
		left, right := strings.ToLower(m[1]), strings.ToLower(m[2])
		if plainWords[left+right] > 0 && (plainWords[left] == 0 || plainWords[right] == 0) {
			n++
		}
	}
	return n
}

// TestQualityAgainstPdftotext: for every corpus PDF with a text layer, our words match
// plain pdftotext's (word-level F1 ≥ 0.99 once both are normalised the same way: we lose
// no words), and our text has fewer of the known defects.
func TestQualityAgainstPdftotext(t *testing.T) {
	needTools(t, "pdftotext")
	var mu sync.Mutex
	var raw, ours defects
	t.Run("files", func(t *testing.T) {
		for _, path := range corpus(t) {
			name := filepath.Base(path)
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				r, d, o := checkQuality(t, path)
				if r == nil {
					return
				}
				mu.Lock()
				defer mu.Unlock()
				raw.add(d)
				ours.add(o)
			})
		}
	})
	t.Logf("defects, plain pdftotext → ours: decomposed accents %d → %d (after NFC alone: %d → %d), ligatures %d → %d, special spaces and soft hyphens %d → %d, glued compounds %d → %d, words left split %d",
		raw.accents, ours.accents, raw.nfcAccents, ours.nfcAccents, raw.ligatures, ours.ligatures, raw.oddSpaces, ours.oddSpaces, raw.glued, ours.glued, ours.split)
	if raw.accents > 0 && ours.accents*20 > raw.accents {
		t.Errorf("decomposed accents: %d left of %d, want at least 95%% fewer", ours.accents, raw.accents)
	}
	if raw.nfcAccents > 0 && ours.nfcAccents*10 > raw.nfcAccents {
		t.Errorf("accents NFC cannot compose: %d left of %d, want at least 90%% fewer", ours.nfcAccents, raw.nfcAccents)
	}
	if ours.ligatures != 0 || ours.oddSpaces != 0 {
		t.Errorf("ligatures %d, special spaces %d left, want none", ours.ligatures, ours.oddSpaces)
	}
	// Keeping the hyphen whenever the joined word occurred nowhere else left 413 words
	// split ("compréhen-sion", "nom-breuses") over the corpus.
	if ours.split > 20 {
		t.Errorf("%d words left hyphenated that plain pdftotext joins, want at most 20", ours.split)
	}
	if raw.glued > 0 && ours.glued >= raw.glued {
		t.Errorf("glued compounds: %d, plain pdftotext %d; want fewer", ours.glued, raw.glued)
	}
}

// checkQuality compares one file's text with plain pdftotext's, page by page, on the
// pages we give from the text layer. It returns nil when the file has no text layer.
func checkQuality(t *testing.T, path string) (*Result, defects, defects) {
	name := filepath.Base(path)
	r := extractCached(t, Options{OCR: OCROff}, path)
	plain := plainPages(t, path)
	if r.Status == StatusError {
		t.Fatalf("%s: %s (%s)", name, r.Reason, r.Detail)
	}
	if len(plain) != r.PageCount {
		t.Errorf("%s: %d pages, plain pdftotext %d", name, r.PageCount, len(plain))
	}
	var ref, got []string
	for i, p := range r.Pages {
		if i >= len(plain) {
			break
		}
		switch {
		case p.Source == SourceText:
			ref = append(ref, plain[i])
			got = append(got, p.Text)
		case wordChars(plain[i]) >= minPageChars && !garbledFiles[name]:
			t.Errorf("%s p. %d: no text, but plain pdftotext has %q", name, p.Number, excerpt(plain[i]))
		}
	}
	if len(got) == 0 {
		t.Logf("%-55s no text layer (%s)", name, r.Reason)
		return nil, defects{}, defects{}
	}
	refText, gotText := strings.Join(ref, "\n"), strings.Join(got, "\n")
	f1 := wordF1(words(Normalize(gotText)), words(Normalize(refText)))
	compounds := compoundsOf(refText)
	d, o := countDefects(refText, compounds), countDefects(gotText, compounds)
	o.split = splitWords(gotText, refText)
	t.Logf("%-55s F1 %.4f  pages %d/%d  accents %d→%d  ligatures %d→%d  glued %d→%d  split %d",
		name, f1, len(got), r.PageCount, d.accents, o.accents, d.ligatures, o.ligatures, d.glued, o.glued, o.split)
	if f1 < 0.99 && !garbledFiles[name] {
		t.Errorf("%s: word F1 %.4f against plain pdftotext, want ≥ 0.99", name, f1)
	}
	return r, d, o
}

func excerpt(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 80 {
		return string(r[:80]) + "…"
	}
	return s
}
