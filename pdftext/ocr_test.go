package pdftext

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// needOCR skips when this machine cannot OCR French.
func needOCR(t *testing.T) {
	t.Helper()
	needTools(t, "pdftotext", "pdftoppm")
	if ok, why := New(Options{}).OCRAvailable(); !ok {
		t.Skipf("%s: install tesseract-ocr and tesseract-ocr-fra to run the OCR tests", why)
	}
}

// groundTruth is a few lines typed by a person reading a rendered page of a scan.
type groundTruth struct {
	pdf   string
	page  int
	words []string
}

// loadGroundTruth reads testdata/groundtruth/NAME.pN.txt: the text of page N of the
// corpus file NAME.pdf; lines starting with # say how it was made.
func loadGroundTruth(t *testing.T) []groundTruth {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "groundtruth", "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no ground truth in testdata/groundtruth: %v", err)
	}
	var out []groundTruth
	for _, f := range files {
		base := strings.TrimSuffix(filepath.Base(f), ".txt")
		dot := strings.LastIndex(base, ".p")
		page, err := strconv.Atoi(base[dot+2:])
		if dot < 0 || err != nil {
			t.Fatalf("%s: want NAME.pN.txt", f)
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var text []string
		for line := range strings.Lines(string(b)) {
			if !strings.HasPrefix(line, "#") {
				text = append(text, line)
			}
		}
		out = append(out, groundTruth{pdf: base[:dot] + ".pdf", page: page, words: words(Normalize(strings.Join(text, "")))})
	}
	return out
}

// TestOCRRecall: on the scans, OCR finds at least 80% of the words a person reads on the
// page, and the page says its text comes from OCR.
func TestOCRRecall(t *testing.T) {
	needOCR(t)
	for _, gt := range loadGroundTruth(t) {
		t.Run(gt.pdf+"#"+strconv.Itoa(gt.page), func(t *testing.T) {
			r := extractCached(t, Options{}, corpusFile(gt.pdf))
			if r.Status != StatusOK {
				t.Fatalf("status %s (%s), want ok; detail: %s", r.Status, r.Reason, r.Detail)
			}
			p := r.Pages[gt.page-1]
			if p.Source != SourceOCR {
				t.Errorf("page %d source %q, want %q", gt.page, p.Source, SourceOCR)
			}
			found := bag(words(p.Text))
			recall := float64(overlap(bag(gt.words), found)) / float64(len(gt.words))
			t.Logf("%s p. %d: OCR recall %.3f of %d words", gt.pdf, gt.page, recall, len(gt.words))
			if recall < 0.8 {
				t.Errorf("OCR recall %.3f, want ≥ 0.80; OCR text:\n%s", recall, p.Text)
			}
		})
	}
}

// TestOCRWithoutTesseract: on a machine without tesseract, a scan still gives a result,
// which says its text is missing and why.
func TestOCRWithoutTesseract(t *testing.T) {
	needTools(t, "pdftotext")
	noTesseract := func(name string) (string, error) {
		if name == "tesseract" {
			return "", exec.ErrNotFound
		}
		return exec.LookPath(name)
	}
	tests := []struct {
		name       string
		opts       Options
		pdf        string
		wantStatus Status
		wantReason string
		wantText   []Source
	}{
		{"tesseract missing", Options{lookPath: noTesseract}, "ocrmypdf__francais.pdf", StatusNoText,
			"pages numérisées sans couche texte ; OCR indisponible (tesseract non installé)", []Source{SourceNone}},
		{"OCR off", Options{OCR: OCROff}, "vitam-sip__RICOH_scan_pdfa.pdf", StatusNoText,
			"pages numérisées sans couche texte ; OCR désactivé", []Source{SourceNone, SourceNone}},
		{"language missing", Options{OCRLang: "xyz"}, "ocrmypdf__c02-22.pdf", StatusNoText,
			"pages numérisées sans couche texte ; OCR indisponible (langue « xyz » absente de tesseract)", []Source{SourceNone}},
		{"mixed document", Options{lookPath: noTesseract}, "ocrmypdf__multipage.pdf", StatusPartial,
			"5 pages sur 6 sans texte : pages numérisées sans couche texte ; OCR indisponible (tesseract non installé)",
			// Page 4 is a chart with an OCR layer; the others are scanned text.
			[]Source{SourceNone, SourceNone, SourceNone, SourceText, SourceNone, SourceNone}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.opts.OCRLang != "" {
				needTools(t, "tesseract")
			}
			x := New(tt.opts)
			if ok, _ := x.OCRAvailable(); ok {
				t.Fatal("OCRAvailable() = true, want false")
			}
			r := x.Extract(context.Background(), corpusFile(tt.pdf))
			if r.Status != tt.wantStatus || r.Reason != tt.wantReason {
				t.Errorf("got %s %q, want %s %q", r.Status, r.Reason, tt.wantStatus, tt.wantReason)
			}
			if diff := cmp.Diff(tt.wantText, sources(r)); diff != "" {
				t.Errorf("page sources (-want +got):\n%s", diff)
			}
		})
	}
}

func sources(r *Result) []Source {
	var s []Source
	for _, p := range r.Pages {
		s = append(s, p.Source)
	}
	return s
}

// TestOCRLimits: OCR work per document is capped; pages beyond the cap say so, and a
// forced OCR replaces the text layer.
func TestOCRLimits(t *testing.T) {
	needOCR(t)
	ctx := context.Background()
	r := New(Options{OCRMaxPages: 1}).Extract(ctx, corpusFile("vitam-sip__RICOH_scan_pdfa.pdf"))
	want := "1 page sur 2 sans texte : pages numérisées sans couche texte ; OCR limité à 1 page par document"
	if r.Status != StatusPartial || r.Reason != want {
		t.Errorf("capped: got %s %q, want partial %q", r.Status, r.Reason, want)
	}
	if diff := cmp.Diff([]Source{SourceOCR, SourceNone}, sources(r)); diff != "" {
		t.Errorf("capped: page sources (-want +got):\n%s", diff)
	}

	r = New(Options{OCR: OCRForce}).Extract(ctx, corpusFile("vitam__Vademecum_glossaire.pdf"))
	if diff := cmp.Diff([]Source{SourceOCR, SourceOCR}, sources(r)); diff != "" {
		t.Errorf("forced: page sources (-want +got):\n%s", diff)
	}
	if r.Status != StatusOK || !strings.Contains(r.Pages[0].Text, "Arbre de positionnement") {
		t.Errorf("forced: status %s, page 1 %q; want ok and the glossary's words", r.Status, excerpt(r.Pages[0].Text))
	}
}

// TestOCRGarbledFont: a page whose font has no Unicode table comes out of pdftotext as
// "7+%-"; it is read by OCR instead.
func TestOCRGarbledFont(t *testing.T) {
	needOCR(t)
	r := extractCached(t, Options{}, corpusFile("ocrmypdf__truetype_font_nomapping.pdf"))
	if r.Status != StatusOK || r.Pages[0].Source != SourceOCR {
		t.Fatalf("got %s %q, page source %s; want ok from OCR", r.Status, r.Reason, r.Pages[0].Source)
	}
	if strings.ContainsAny(r.Pages[0].Text, "+%") {
		t.Errorf("page text %q still holds the garbled layer", r.Pages[0].Text)
	}
}

// slowRender is a PDF of n pages that each take pdftoppm minutes to render: a 0.1 pt
// tiling pattern fills the page. It weighs 1 KB.
func slowRender(t *testing.T, n int) string {
	t.Helper()
	objs := [][]byte{
		fmt.Appendf(nil, "<< /Type /Catalog /Pages 2 0 R >>"),
		nil, // the page tree, below
		[]byte("<< /Length 18 /Type /Pattern /PatternType 1 /PaintType 1 /TilingType 1 /BBox [0 0 0.1 0.1] /XStep 0.1 /YStep 0.1 /Resources << >> /Matrix [1 0.3 -0.3 1 0 0] >>\nstream\n0 0 0.05 0.05 re f\nendstream"),
		[]byte("<< /Length 36 >>\nstream\n/Pattern cs /P1 scn 0 0 595 842 re f\nendstream"),
	}
	var kids []string
	for i := range n {
		kids = append(kids, fmt.Sprintf("%d 0 R", 5+i))
		objs = append(objs, []byte("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Pattern << /P1 3 0 R >> >> /Contents 4 0 R >>"))
	}
	objs[1] = fmt.Appendf(nil, "<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), n)
	return writeFile(t, "lent.pdf", buildPDF(objs...))
}

// countingPdftoppm makes the extractor run pdftoppm through a script that counts its
// runs in a file, and returns how to read the count.
func countingPdftoppm(t *testing.T, opts *Options) func() int {
	t.Helper()
	real, err := exec.LookPath("pdftoppm")
	if err != nil {
		t.Skip("pdftoppm not installed")
	}
	dir := t.TempDir()
	log, script := filepath.Join(dir, "runs"), filepath.Join(dir, "pdftoppm")
	body := fmt.Sprintf("#!/bin/sh\necho run >> '%s'\nexec '%s' \"$@\"\n", log, real)
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	opts.lookPath = func(name string) (string, error) {
		if name == "pdftoppm" {
			return script, nil
		}
		return exec.LookPath(name)
	}
	return func() int {
		b, _ := os.ReadFile(log)
		return strings.Count(string(b), "run")
	}
}

// TestOCRGivesUpOnSlowPages: a 1 KB document whose pages each spin pdftoppm is not read
// to the end, page after page at the full limit: after two pages in a row run out of
// time, OCR stops and the document says why. A deadline per document stops OCR too.
func TestOCRGivesUpOnSlowPages(t *testing.T) {
	needOCR(t)
	needTools(t, "prlimit")
	const pages = 8
	path := slowRender(t, pages)
	opts := Options{CPUTime: time.Second, Workers: 2}
	runs := countingPdftoppm(t, &opts)
	r := New(opts).Extract(context.Background(), path)
	if r.Status != StatusNoText || !strings.Contains(r.Reason, reasonSlowRender) {
		t.Errorf("got %s %q, want no_text saying %q", r.Status, r.Reason, reasonSlowRender)
	}
	// Two workers: the two slow pages, and at most one more started in between.
	if n := runs(); n > 3 {
		t.Errorf("pdftoppm ran %d times for %d pages, want at most 3", n, pages)
	}

	opts = Options{OCRTimeout: time.Nanosecond}
	runs = countingPdftoppm(t, &opts)
	r = New(opts).Extract(context.Background(), path)
	if r.Status != StatusNoText || !strings.Contains(r.Reason, reasonOCRTimeout) || runs() != 0 {
		t.Errorf("past the document's deadline: got %s %q after %d renderings, want no_text saying %q and none",
			r.Status, r.Reason, runs(), reasonOCRTimeout)
	}
}
