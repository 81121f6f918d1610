package pdftext

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"math"
	"strconv"
	"strings"
)

// maxTextBytes bounds the text kept from one document: the 1280-page linuxcnc manual
// gives 2.5 MB, so more than this is a decompression bomb or a broken font.
const maxTextBytes = 64 << 20

// textLayer reads the text layer of every page with one run of pdftotext, or with a
// helper that gives the same word list without starting pdftotext (helperLayer).
//
// It asks for pdftotext's word list (-tsv) rather than its text mode: the words come in
// the same reading order, but text mode drops the hyphen at every line end and glues
// compounds ("sous-\nsection" → "soussection"), while the word list keeps it, so that
// rejoinHyphens can decide with the document's vocabulary. The word list also numbers
// the pages, so empty pages cannot shift the numbering.
func (x *Extractor) textLayer(ctx context.Context, path string, lim limits) ([]string, error) {
	if pages, ok := x.helperLayer(ctx, path, lim); ok {
		return pages, nil
	}
	var pages []string
	args := []string{"-tsv", "-enc", "UTF-8", "-eol", "unix", path, "-"}
	err := x.run(ctx, lim, "pdftotext", args, func(r io.Reader) error {
		var err error
		pages, err = parseTSV(r, maxTextBytes)
		return err
	})
	return pages, err
}

// box is a word of pdftotext's word list and where it sits on the page (points).
type box struct {
	left, top, width, height float64
}

// parseTSV turns pdftotext's word list into the text of each page: words of a line
// joined by a space unless they touch (a word split by a font change, "L" "A" "TEX"),
// lines by a newline, flows (columns, paragraphs) by a blank line. It keeps at most limit
// bytes of text.
func parseTSV(r io.Reader, limit int) ([]string, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	var t tsvText
	var f [12][]byte
	for sc.Scan() {
		if err := t.row(sc.Bytes(), &f); err != nil {
			return nil, err
		}
		if t.size+t.b.Len() > limit {
			return nil, fail("texte extrait trop volumineux", "pdftotext: more than %d bytes of text", limit)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if t.open {
		t.flush()
	}
	return t.pages, nil
}

// tsvText gathers the text of the pages while the word list is read.
type tsvText struct {
	pages   []string
	b       strings.Builder // the current page
	size    int             // bytes in pages
	open    bool            // a page has started
	prev    box             // the previous word of the line, if hasPrev
	hasPrev bool
	sep     string // what goes before the next word: a line or flow break
}

// row reads one row of the word list: a page, flow, line or word (levels 1, 3, 4, 5).
func (t *tsvText) row(line []byte, f *[12][]byte) error {
	if splitTSV(line, f) < 12 {
		// A word holding a newline character spills onto the next row.
		if t.open && t.hasPrev {
			t.b.WriteByte(' ')
			t.b.Write(line)
		}
		return nil
	}
	switch string(f[0]) {
	case "1":
		return t.page(f[1])
	case "3":
		t.sep, t.hasPrev = "\n\n", false
	case "4":
		if t.sep == "" {
			t.sep = "\n"
		}
		t.hasPrev = false
	case "5":
		t.word(f)
	}
	return nil
}

// page starts page num, after empty pages if numbers were skipped.
func (t *tsvText) page(num []byte) error {
	if t.open {
		t.flush()
	}
	n, err := strconv.Atoi(string(num))
	if err != nil || n > maxPages || n <= len(t.pages) {
		return fail("trop de pages ou pages illisibles", "pdftotext: page %q after %d pages", num, len(t.pages))
	}
	for len(t.pages) < n-1 {
		t.pages = append(t.pages, "")
	}
	t.open, t.hasPrev, t.sep = true, false, ""
	return nil
}

func (t *tsvText) word(f *[12][]byte) {
	w := box{left: number(f[6]), top: number(f[7]), width: number(f[8]), height: number(f[9])}
	switch {
	case t.b.Len() == 0:
	case !t.hasPrev:
		t.b.WriteString(t.sep)
	case apart(t.prev, w):
		t.b.WriteByte(' ')
	}
	t.b.Write(f[11])
	t.prev, t.hasPrev, t.sep = w, true, ""
}

func (t *tsvText) flush() {
	t.pages = append(t.pages, t.b.String())
	t.size += t.b.Len()
	t.b.Reset()
}

// splitTSV splits a row into its 12 fields without copying (the last field, the word,
// keeps any further tab) and returns how many it found.
func splitTSV(row []byte, f *[12][]byte) int {
	for i := range 11 {
		tab := bytes.IndexByte(row, '\t')
		if tab < 0 {
			f[i] = row
			return i + 1
		}
		f[i], row = row[:tab], row[tab+1:]
	}
	f[11] = row
	return 12
}

// number reads a coordinate as pdftotext prints it ("-12.34") without allocating; other
// forms go through strconv.
func number(b []byte) float64 {
	var v, scale float64 = 0, 0
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			v = v*10 + float64(c-'0')
			if scale > 0 {
				scale *= 10
			}
		case c == '.' && scale == 0:
			scale = 1
		default:
			x, _ := strconv.ParseFloat(string(b), 64)
			return sign(neg, x)
		}
	}
	if scale > 0 {
		v /= scale
	}
	return sign(neg, v)
}

func sign(neg bool, v float64) float64 {
	if neg {
		return -v
	}
	return v
}

// apart says whether two consecutive words of a line are separate words. pdftotext's
// text mode starts a word at a gap wider than a tenth of the font size; words split for
// another reason (font change) touch. Words not side by side (rotated text, superscript)
// are kept apart.
func apart(p, w box) bool {
	h := math.Max(p.height, w.height)
	if math.Abs(w.top-p.top) > 0.25*h {
		return true
	}
	gap := w.left - (p.left + p.width)
	return gap > 0.1*h || gap < -0.5*h
}
