package corpus

import (
	"bytes"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/text/encoding/charmap"
)

// pdfObject is a generated PDF and what the manifest says of it.
type pdfObject struct {
	id, group string
	filename  string
	body      []byte
	digest    string   // SHA-512, hex
	pages     []string // the text of each page, lines separated by "\n"
}

// PDF page layout: US Letter, 1-inch margins, Helvetica 11 on 14.
const (
	pageWidth   = 612
	pageHeight  = 792
	margin      = 72
	fontSize    = 11
	leading     = 14
	lineChars   = 80
	linesOnPage = 30
)

// newPDF writes the item's document: one to three pages of French text, the first
// headed by the collectivité, the cote and the title.
func (g *fondsGen) newPDF(it *unit) *pdfObject {
	g.objs++
	n := 1 + g.r.IntN(3)
	pages := make([]string, n)
	for i := range pages {
		var ls []string
		if i == 0 {
			ls = append(ls, g.plan.tenant.Name, it.cote+" – "+frenchDate(it.start))
			ls = append(ls, lines(it.title, lineChars)...)
			ls = append(ls, "")
		}
		body := lines(g.text.description(40, 160), lineChars)
		ls = append(ls, body[:min(len(body), linesOnPage-len(ls))]...)
		pages[i] = strings.Join(ls, "\n")
	}
	body := writePDF(pages)
	sum := sha512.Sum512(body)
	id := "BDO" + strconv.Itoa(g.objs)
	return &pdfObject{id: id, group: "GOT" + strconv.Itoa(g.objs), filename: strings.ToLower(id) + ".pdf",
		body: body, digest: hex.EncodeToString(sum[:]), pages: pages}
}

// writePDF makes a minimal PDF 1.4: one page per text, lines in Helvetica with the
// WinAnsi encoding (Latin-1 plus œ, €, curly quotes: every character of the
// vocabulary), an xref table with exact offsets. pdftotext reads the text back as written.
func writePDF(pages []string) []byte {
	var b bytes.Buffer
	var offsets []int
	obj := func(body string) {
		offsets = append(offsets, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offsets), body)
	}
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	kids := make([]string, len(pages))
	for i := range pages {
		kids[i] = fmt.Sprintf("%d 0 R", 4+2*i)
	}
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	obj(fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(pages)))
	obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	for i, text := range pages {
		obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>",
			pageWidth, pageHeight, 5+2*i))
		stream := contentStream(text)
		obj(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(stream), stream))
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	return b.Bytes()
}

// contentStream draws the lines of text from the top of the page down.
func contentStream(text string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "BT /F1 %d Tf %d TL %d %d Td", fontSize, leading, margin, pageHeight-margin)
	for i, line := range strings.Split(text, "\n") {
		if i > 0 {
			b.WriteString(" T*")
		}
		if line != "" {
			b.WriteString(" (")
			b.WriteString(pdfString(line))
			b.WriteString(") Tj")
		}
	}
	b.WriteString(" ET")
	return b.String()
}

// pdfString encodes a line in WinAnsi and escapes it for a literal string; a character
// WinAnsi lacks becomes "?".
func pdfString(s string) string {
	enc := charmap.Windows1252
	var b strings.Builder
	for _, r := range s {
		c, ok := enc.EncodeRune(r)
		if !ok {
			c = '?'
		}
		switch c {
		case '(', ')', '\\':
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	return b.String()
}
