package pdftext

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// maxOCRPixels bounds the longer side of a rendered page: 300 dpi on A3, so that a page
// declared a metre wide cannot make pdftoppm allocate gigabytes.
const maxOCRPixels = 5000

// maxOCRBytes bounds the text kept from one OCR'd page.
const maxOCRBytes = 1 << 20

// probeOCR checks that tesseract knows the OCR language and that pdftoppm is there.
func (x *Extractor) probeOCR() (bool, string) {
	switch {
	case x.opts.OCR == OCROff:
		return false, "OCR désactivé"
	case x.tools["tesseract"] == "":
		return false, "OCR indisponible (tesseract non installé)"
	case x.tools["pdftoppm"] == "":
		return false, "OCR indisponible (pdftoppm non installé)"
	}
	langs := map[string]bool{}
	err := x.run(context.Background(), limits{cpu: 10 * time.Second, wall: x.opts.Timeout}, "tesseract", []string{"--list-langs"}, func(r io.Reader) error {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			langs[strings.TrimSpace(sc.Text())] = true
		}
		return sc.Err()
	})
	if err != nil {
		return false, "OCR indisponible (tesseract ne répond pas)"
	}
	for _, l := range strings.Split(x.opts.OCRLang, "+") {
		if !langs[l] {
			return false, fmt.Sprintf("OCR indisponible (langue « %s » absente de tesseract)", l)
		}
	}
	return true, ""
}

// Why OCR stopped before the end of a document.
const (
	reasonSlowRender = "OCR interrompu : rendu trop lent"
	reasonOCRTimeout = "OCR interrompu : délai du document dépassé"
)

// maxSlowPages is how many pages in a row may run out of time before OCR gives up on a
// document: the pages of a document are alike, and a page that spins (a 0.1 pt tiling
// pattern) would make every page wait its full limit.
const maxSlowPages = 2

// recognize reads by OCR the pages that need it (all of them with OCRForce), up to
// OCRMaxPages, several at a time within the extractor's workers. It stops at the
// document's OCRTimeout, or when maxSlowPages pages in a row ran out of time; the
// pages left say why.
func (x *Extractor) recognize(ctx context.Context, path string, f *facts, pages []*page, r *Result) {
	targets := x.ocrTargets(pages)
	if len(targets) == 0 {
		return
	}
	dir, err := os.MkdirTemp("", "sesam-ocr-")
	if err != nil {
		for _, p := range targets {
			p.why = "échec de l'OCR (répertoire temporaire)"
		}
		r.Detail = joinNotes(r.Detail, fmt.Sprintf("ocr: %v", err))
		return
	}
	defer os.RemoveAll(dir)
	octx, cancel := context.WithTimeout(ctx, x.opts.OCRTimeout)
	defer cancel()
	run := &ocrRun{cancel: cancel, r: r}
	next := make(chan *page)
	var wg sync.WaitGroup
	for range min(x.opts.Workers, len(targets)) {
		wg.Go(func() {
			for p := range next {
				text, err := x.safeOCRPage(octx, path, dir, p.Number, f.size(p.Number))
				run.done(p, text, err)
			}
		})
	}
	feed(octx, next, targets)
	wg.Wait()
	run.finish(ctx, octx, targets)
}

// feed hands the pages to the workers, in order, until ctx ends.
func feed(ctx context.Context, next chan<- *page, targets []*page) {
	defer close(next)
	for _, p := range targets {
		select {
		case next <- p:
		case <-ctx.Done():
			return
		}
	}
}

// ocrRun follows the OCR of one document: the pages done and the slow pages in a row.
type ocrRun struct {
	mu     sync.Mutex
	cancel context.CancelFunc
	r      *Result
	slow   int  // pages in a row that ran out of time
	gaveUp bool // stopped after maxSlowPages slow pages
	seen   map[*page]bool
}

// done keeps what OCR read on page p, and stops the document after too many slow pages.
func (o *ocrRun) done(p *page, text string, err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.seen == nil {
		o.seen = map[*page]bool{}
	}
	if o.gaveUp {
		return // killed by our own stop: finish says why
	}
	o.seen[p] = true
	applyOCR(p, text, err, o.r)
	switch reasonOf(err) {
	case reasonTimeout, reasonCPU:
		o.slow++
	default:
		o.slow = 0
	}
	if err != nil && o.slow >= maxSlowPages {
		o.gaveUp = true
		o.cancel()
	}
}

// finish says on the pages OCR did not reach why it stopped. A stop of the import
// itself (ctx) is Extract's to report.
func (o *ocrRun) finish(ctx, octx context.Context, targets []*page) {
	if ctx.Err() != nil || octx.Err() == nil {
		return
	}
	why := reasonOCRTimeout
	if o.gaveUp {
		why = reasonSlowRender
	}
	for _, p := range targets {
		if !o.seen[p] || (p.Source != SourceOCR && strings.Contains(p.why, reasonInterrupted)) {
			p.why = why
		}
	}
	o.r.Detail = joinNotes(o.r.Detail, "ocr: "+why)
}

// ocrTargets picks the pages to OCR and notes on the others why they get no OCR.
func (x *Extractor) ocrTargets(pages []*page) []*page {
	var want []*page
	for _, p := range pages {
		if p.cause != causeBlank && (p.cause != "" || x.opts.OCR == OCRForce) {
			want = append(want, p)
		}
	}
	if !x.ocrOK {
		for _, p := range want {
			p.why = x.ocrWhy
		}
		return nil
	}
	if len(want) > x.opts.OCRMaxPages {
		for _, p := range want[x.opts.OCRMaxPages:] {
			p.why = fmt.Sprintf("OCR limité à %d %s par document", x.opts.OCRMaxPages, plural(x.opts.OCRMaxPages, "page", "pages"))
		}
		want = want[:x.opts.OCRMaxPages]
	}
	return want
}

// applyOCR keeps what OCR read on a page. With OCRForce, a page whose OCR gives nothing
// keeps its text layer.
func applyOCR(p *page, text string, err error, r *Result) {
	if err != nil {
		p.why = "échec de l'OCR (" + reasonOf(err) + ")"
		r.Detail = joinNotes(r.Detail, fmt.Sprintf("ocr page %d: %v", p.Number, err))
		return
	}
	t := fold(text, false) // tesseract writes accented letters whole
	if wordChars(t) < minPageChars {
		p.why = "aucun texte reconnu par l'OCR"
		return
	}
	p.Text, p.Source, p.why = t, SourceOCR, ""
}

// safeOCRPage is ocrPage in its own goroutine: a panic there would escape Extract's
// recover and end the importer.
func (x *Extractor) safeOCRPage(ctx context.Context, path, dir string, n int, size types.Dim) (text string, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fail("erreur interne d'extraction", "ocr page %d: panic: %v", n, p)
		}
	}()
	return x.ocrPage(ctx, path, dir, n, size)
}

// ocrPage renders page n in grey and reads it with tesseract.
func (x *Extractor) ocrPage(ctx context.Context, path, dir string, n int, size types.Dim) (string, error) {
	dpi := x.ocrDPI(size)
	base := filepath.Join(dir, "page-"+strconv.Itoa(n))
	num := strconv.Itoa(n)
	render := []string{"-r", strconv.Itoa(dpi), "-f", num, "-l", num, "-gray", "-singlefile", path, base}
	if err := x.run(ctx, x.limits(), "pdftoppm", render, drain); err != nil {
		return "", err
	}
	img := base + ".pgm"
	defer os.Remove(img)
	var out strings.Builder
	read := []string{img, "stdout", "-l", x.opts.OCRLang, "--dpi", strconv.Itoa(dpi)}
	err := x.run(ctx, x.limits(), "tesseract", read, func(r io.Reader) error {
		_, err := io.Copy(&out, io.LimitReader(r, maxOCRBytes))
		return err
	})
	return out.String(), err
}

// ocrDPI lowers the resolution for pages too big to render at OCRDPI within
// maxOCRPixels.
func (x *Extractor) ocrDPI(size types.Dim) int {
	longest := max(size.Width, size.Height) // points
	if longest <= 0 {
		return x.opts.OCRDPI
	}
	limit := int(maxOCRPixels * 72 / longest)
	return max(min(x.opts.OCRDPI, limit), 36)
}

func (f *facts) size(n int) types.Dim {
	if n-1 < len(f.sizes) {
		return f.sizes[n-1]
	}
	return types.Dim{}
}

func drain(r io.Reader) error {
	_, err := io.Copy(io.Discard, r)
	return err
}
