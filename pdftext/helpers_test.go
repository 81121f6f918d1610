package pdftext

import (
	"bytes"
	"compress/zlib"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"unicode"
)

// corpusDir holds the shared PDFs (see ../../shared/testdata/SOURCES.md).
var corpusDir = filepath.Join("..", "..", "shared", "testdata", "pdf")

func corpusFile(name string) string { return filepath.Join(corpusDir, name) }

// corpus lists the shared PDFs. By default it leaves out those above 2 MB (six books
// and manuals, two thirds of the pages), so that `make test` stays quick on a shared
// two-core machine; SESAM_PDF_CORPUS=full (set by .ci/run) takes them all, unless
// -short.
func corpus(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(corpusDir, "*.pdf"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no PDF in %s: %v", corpusDir, err)
	}
	if os.Getenv("SESAM_PDF_CORPUS") == "full" && !testing.Short() {
		return files
	}
	var small []string
	for _, f := range files {
		if st, err := os.Stat(f); err == nil && st.Size() <= 2<<20 {
			small = append(small, f)
		}
	}
	return small
}

// needTools skips a test on a machine without poppler.
func needTools(t testing.TB, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (Debian package poppler-utils / tesseract-ocr)", tool)
		}
	}
}

// plainPages is what plain `pdftotext -enc UTF-8` gives, split at its form feeds: the
// reference our text is compared with. Results are kept for the run, as extractCached
// keeps ours.
func plainPages(t testing.TB, path string) []string {
	t.Helper()
	if p, ok := plainCache.Load(path); ok {
		return p.([]string)
	}
	out, err := exec.Command("pdftotext", "-q", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext %s: %v", path, err)
	}
	pages := strings.Split(string(out), "\f")
	pages = pages[:len(pages)-1] // pdftotext ends every page, the last one too, with \f
	plainCache.Store(path, pages)
	return pages
}

var plainCache sync.Map

// words splits text as a search index would: lower-case runs of letters, marks and
// digits.
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r)
	})
}

func bag(ws []string) map[string]int {
	m := make(map[string]int, len(ws))
	for _, w := range ws {
		m[w]++
	}
	return m
}

// overlap counts the words two bags share, with multiplicity.
func overlap(a, b map[string]int) int {
	n := 0
	for w, ca := range a {
		n += min(ca, b[w])
	}
	return n
}

// wordF1 is the harmonic mean of precision and recall of got's words against want's.
func wordF1(got, want []string) float64 {
	if len(got) == 0 || len(want) == 0 {
		return 0
	}
	common := float64(overlap(bag(got), bag(want)))
	p, r := common/float64(len(got)), common/float64(len(want))
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

// extracted caches extraction results across tests of one run: the same extractor
// options give the same result, and the scans are slow to OCR.
var extracted sync.Map

func extractCached(t testing.TB, opts Options, path string) *Result {
	t.Helper()
	key := struct {
		ocr  OCRMode
		path string
	}{opts.OCR, path}
	if r, ok := extracted.Load(key); ok {
		return r.(*Result)
	}
	r := New(opts).Extract(context.Background(), path)
	extracted.Store(key, r)
	return r
}

// buildPDF writes a PDF of the given objects, numbered from 1 (object 1 the catalog),
// with a correct cross-reference table: the hostile documents of the robustness tests.
func buildPDF(objs ...[]byte) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

// flateStream is a stream object holding data compressed with FlateDecode.
func flateStream(t testing.TB, dict string, data io.Reader) []byte {
	t.Helper()
	var z bytes.Buffer
	w, err := zlib.NewWriterLevel(&z, zlib.BestSpeed)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(w, data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return fmt.Appendf(nil, "<< %s /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream", dict, z.Len(), z.Bytes())
}

// spaces reads as n spaces without holding them in memory.
func spaces(n int64) io.Reader {
	return io.LimitReader(repeatReader(' '), n)
}

type repeatReader byte

func (r repeatReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}
