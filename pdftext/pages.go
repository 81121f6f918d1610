package pdftext

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// minPageChars is "a handful": a page with fewer letters and digits than this has no text
// layer worth the name (a page number, a scanner's stray mark, OCR noise from a
// glyph-less font).
const minPageChars = 5

// maxGarbledShare is the share of a page's visible characters that may be control,
// private-use or unassigned codes before the text layer counts as garbled: a font
// without a usable Unicode table (Type3 bitmap fonts of dvips, TrueType without
// ToUnicode). Normal pages stay under 0.01; the bitmap-font pages of fepslatex are 0.3
// to 1; the worst normal page of the corpus (lshort p. 133) is 0.15.
const maxGarbledShare = 0.3

// Why a page has no usable text layer.
const (
	causeScan    = "pages numérisées sans couche texte"
	causeEmpty   = "pages sans couche texte"
	causeGarbled = "texte illisible (police sans table de caractères Unicode)"
	causeUnread  = "pages non lues par pdftotext"
	causeBlank   = "pages blanches"
)

// page is a page on its way to the Result.
type page struct {
	Page
	cause string // why the text layer is not usable; "" when it is
	why   string // why OCR gave no text for it; "" when it did or was not needed
}

// assemble pairs pdftotext's pages (raw and folded) with the pages pdfcpu found in the
// page tree, and judges each text layer. Poppler believes the declared page count: for a
// document declaring more pages than it has, it repeats the last page; those copies are
// dropped. Pages pdftotext did not give are pages without text (OCR may still read them).
func (x *Extractor) assemble(layer, folded []string, f *facts, r *Result) []*page {
	n := len(layer)
	if f.pages > 0 {
		n = f.pages
	}
	if f.declared != f.pages || (f.pages > 0 && len(layer) != f.pages) {
		r.Detail = joinNotes(r.Detail, fmt.Sprintf("page count: declared %d, page tree %d, pdftotext %d; kept %d",
			f.declared, f.pages, len(layer), n))
	}
	r.PageCount = n
	pages := make([]*page, n)
	for i := range pages {
		p := &page{Page: Page{Number: i + 1, Source: SourceNone}}
		if i < len(layer) {
			p.cause = judge(layer[i], folded[i], f.look(i))
		} else {
			p.cause = bareCause(f.look(i), causeUnread)
		}
		if p.cause == "" {
			p.Text, p.Source = folded[i], SourceText
		}
		pages[i] = p
	}
	return pages
}

// judge says why a page's text layer is not usable, or "" when it is. raw is pdftotext's
// text, folded the same after fold; look is what the page draws. A layer with visible
// characters but hardly a letter or digit ("7+%-") is garbled too: a TrueType font without
// ToUnicode, or the noise of a glyph-less OCR layer.
func judge(raw, folded string, l look) string {
	var visible, bad int
	for _, r := range raw {
		if unicode.IsSpace(r) {
			continue
		}
		visible++
		if r == utf8.RuneError || unicode.IsControl(r) || unicode.Is(unicode.Co, r) || !unicode.IsGraphic(r) {
			bad++
		}
	}
	switch {
	case visible >= minPageChars && float64(bad) > maxGarbledShare*float64(visible):
		return causeGarbled
	case wordChars(folded) >= minPageChars:
		return ""
	case visible >= minPageChars:
		return causeGarbled
	}
	return bareCause(l, causeEmpty)
}

// bareCause names a page without text by what it draws.
func bareCause(l look, otherwise string) string {
	switch l {
	case lookBlank:
		return causeBlank
	case lookImage:
		return causeScan
	}
	return otherwise
}

func wordChars(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			n++
		}
	}
	return n
}

// finish rejoins the words hyphenated at line ends with the whole document's vocabulary
// and sums up the document's status.
func finish(pages []*page, r *Result) {
	texts := make([]string, len(pages))
	for i, p := range pages {
		texts[i] = p.Text
	}
	vocab := vocabulary(texts...)
	r.Pages = make([]Page, len(pages))
	for i, p := range pages {
		p.Text = rejoinHyphens(p.Text, vocab)
		r.Pages[i] = p.Page
	}
	r.Status, r.Reason = summarize(pages)
}

// summarize gives the document's status and, when some text is missing, the reasons in
// French: what the pages lack, then why OCR did not fill the gap. Blank pages lack
// nothing, unless the whole document is blank.
func summarize(pages []*page) (Status, string) {
	var reasons []string
	seen := map[string]bool{}
	add := func(s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			reasons = append(reasons, s)
		}
	}
	missing, blank := 0, 0
	for _, p := range pages {
		switch {
		case p.cause == causeBlank && p.Source == SourceNone:
			blank++
		case p.Source == SourceNone:
			missing++
			add(p.cause)
		}
	}
	for _, p := range pages {
		if p.Source == SourceNone && p.cause != causeBlank {
			add(p.why)
		}
	}
	switch {
	case len(pages) == 0:
		return StatusNoText, "document sans page"
	case blank == len(pages):
		return StatusNoText, causeBlank
	case missing == 0:
		return StatusOK, ""
	case missing+blank == len(pages):
		return StatusNoText, strings.Join(reasons, " ; ")
	}
	return StatusPartial, fmt.Sprintf("%d %s sur %d sans texte : %s", missing, plural(missing, "page", "pages"), len(pages), strings.Join(reasons, " ; "))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
