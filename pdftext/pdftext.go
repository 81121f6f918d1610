// Package pdftext turns PDF files into text, page by page, for the archive's search
// index: search hits point to a page, and the text is stored with the object so that a
// reindex never extracts again.
//
// The text layer comes from poppler's pdftotext; pages without one (scans) are rendered
// with pdftoppm and read by tesseract when it is installed with the French language.
// Every tool runs as a separate process, never through a shell, under processor-time,
// wall-clock and address-space limits, so that a hostile PDF cannot hang or exhaust the
// importer, and a loaded machine does not turn slowness into errors.
// pdfcpu reads the page count, the encryption and the PDF/A claim.
//
// A file that cannot be read is not a Go error: its Result says so, in French for the
// user interface, and the import of the unit goes on.
package pdftext

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Source says where the text of a page comes from.
type Source string

// Sources of a page's text.
const (
	SourceText Source = "text" // the PDF's text layer
	SourceOCR  Source = "ocr"  // optical character recognition of the rendered page
	SourceNone Source = "none" // no text for that page
)

// Page is the text of one page, numbered from 1.
type Page struct {
	Number int
	Text   string
	Source Source
}

// Status sums up a document's text.
type Status string

// Statuses of a document.
const (
	StatusOK      Status = "ok"      // every page has text
	StatusPartial Status = "partial" // some pages have none; Reason says why
	StatusNoText  Status = "no_text" // no page has text; Reason says why
	StatusError   Status = "error"   // unreadable; Reason says why
)

// Result is what Extract learnt about one file.
type Result struct {
	Pages     []Page // one per page, numbered 1..PageCount; empty when Status is error
	PageCount int
	PDFA      string // PDF/A claim from XMP pdfaid, e.g. "1B", "2U"; "" when none
	Encrypted bool   // encrypted with permissions but readable
	Status    Status
	Reason    string // French, one line, for the UI; empty when ok
	Detail    string // English technical detail for logs (stderr excerpt, exit status)
}

// OCRMode says when pages are read by OCR.
type OCRMode int

// OCR modes.
const (
	OCRAuto  OCRMode = iota // pages without usable text, when tesseract and the language are installed
	OCRForce                // every page (up to OCRMaxPages); the text layer stays where OCR finds nothing
	OCROff                  // never
)

// Options bound and steer the extraction. Zero values take the defaults.
type Options struct {
	CPUTime     time.Duration // processor time per external command (default 60 s), via prlimit; pdftotext gets more for long documents
	Timeout     time.Duration // wall-clock time per external command and for pdfcpu (default 5 min): load slows a tool, so this only stops what waits
	MaxBytes    int64         // input size limit (default 512 MiB)
	MemLimit    uint64        // address-space limit of each child process (default 1 GiB), via prlimit
	OCR         OCRMode       // default OCRAuto
	OCRLang     string        // tesseract language (default "fra")
	OCRMaxPages int           // OCR work per document (default 50); further pages get no text
	OCRTimeout  time.Duration // wall-clock time for the OCR of one document (default 15 min)
	OCRDPI      int           // rendering resolution for OCR (default 300)
	Workers     int           // concurrent external processes (default runtime.NumCPU())

	// lookPath finds the tools; tests replace it to simulate a machine without them.
	lookPath func(string) (string, error)
}

func (o Options) withDefaults() Options {
	if o.CPUTime <= 0 {
		o.CPUTime = 60 * time.Second
	}
	if o.Timeout <= 0 {
		o.Timeout = 5 * time.Minute
	}
	if o.OCRTimeout <= 0 {
		o.OCRTimeout = 15 * time.Minute
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = 512 << 20
	}
	if o.MemLimit == 0 {
		o.MemLimit = 1 << 30
	}
	if o.OCRLang == "" {
		o.OCRLang = "fra"
	}
	if o.OCRMaxPages <= 0 {
		o.OCRMaxPages = 50
	}
	if o.OCRDPI <= 0 {
		o.OCRDPI = 300
	}
	if o.Workers <= 0 {
		o.Workers = runtime.NumCPU()
	}
	if o.lookPath == nil {
		o.lookPath = lookTool
	}
	return o
}

// Extractor extracts text from PDF files. It is safe for concurrent use; at most
// Options.Workers external processes run at a time, whatever the number of callers.
type Extractor struct {
	opts   Options
	tools  map[string]string // tool name → path; absent when not installed
	ocrOK  bool
	ocrWhy string
	slots  chan struct{}
	idle   chan *helper // helpers waiting for a document
	helped atomic.Int64 // documents whose text layer a helper read
}

// New probes once which tools are installed (pdftotext and its helper sesam-pdftotext,
// pdftoppm, tesseract with the OCR language, prlimit). An Extractor that is no longer
// needed is closed, which stops its helpers.
func New(opts Options) *Extractor {
	opts = opts.withDefaults()
	x := &Extractor{opts: opts, tools: map[string]string{}, slots: make(chan struct{}, opts.Workers),
		idle: make(chan *helper, opts.Workers)}
	for _, t := range []string{"pdftotext", helperName, "pdftoppm", "tesseract", "prlimit"} {
		if p, err := opts.lookPath(t); err == nil {
			x.tools[t] = p
		}
	}
	x.ocrOK, x.ocrWhy = x.probeOCR()
	return x
}

// lookTool finds a tool in PATH, or beside the running program (where make builds
// sesam-pdftotext).
func lookTool(name string) (string, error) {
	p, err := exec.LookPath(name)
	if err == nil {
		return p, nil
	}
	if self, serr := os.Executable(); serr == nil {
		if beside, berr := exec.LookPath(filepath.Join(filepath.Dir(self), name)); berr == nil {
			return beside, nil
		}
	}
	return "", err
}

// OCRAvailable reports whether pages without text can be read by OCR, and if not, why
// (in French, for the object's status).
func (x *Extractor) OCRAvailable() (bool, string) { return x.ocrOK, x.ocrWhy }

// Extract reads the text of one PDF file. It never panics and never returns nil: a file
// that cannot be read gives a Result with Status error and a reason.
func (x *Extractor) Extract(ctx context.Context, path string) (r *Result) {
	r = &Result{}
	defer func() {
		if p := recover(); p != nil {
			*r = Result{Status: StatusError, Reason: "erreur interne d'extraction",
				Detail: fmt.Sprintf("panic: %v\n%s", p, debug.Stack())}
		}
	}()
	if err := x.extract(ctx, path, r); err != nil {
		r.Pages = nil
		r.Status = StatusError
		r.Reason, r.Detail = reasonOf(err), joinNotes(r.Detail, err.Error())
	}
	return r
}

// ExtractAll extracts several files in parallel, within Options.Workers, and returns
// the results in the order of paths.
func (x *Extractor) ExtractAll(ctx context.Context, paths []string) []*Result {
	out := make([]*Result, len(paths))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(x.opts.Workers, len(paths)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i] = x.Extract(ctx, paths[i])
			}
		}()
	}
	for i := range paths {
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}

// WriteText writes the text of every page, pages separated by a form feed ("\f"), as
// pdftotext does.
func WriteText(w io.Writer, r *Result) error {
	var b strings.Builder
	for i, p := range r.Pages {
		if i > 0 {
			b.WriteByte('\f')
		}
		b.WriteString(p.Text)
		if p.Text != "" {
			b.WriteByte('\n')
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// extract does the work of Extract; an error is a *failure that makes the Result an error.
func (x *Extractor) extract(ctx context.Context, path string, r *Result) error {
	if x.tools["pdftotext"] == "" {
		return fail("pdftotext non installé (paquet poppler-utils)", "pdftotext not found in PATH")
	}
	// An absolute path cannot be taken for an option by the tools ("-x.pdf").
	abs, err := filepath.Abs(path)
	if err != nil {
		return fail("fichier introuvable ou illisible", "path %q: %v", path, err)
	}
	size, err := x.checkFile(abs)
	if err != nil {
		return err
	}
	layer, err := x.textLayer(ctx, abs, x.layerLimits(size))
	if err != nil {
		return err
	}
	folded, bare := foldPages(layer)
	facts, err := x.facts(ctx, abs, size, bare, len(layer), r)
	if err != nil {
		return err
	}
	pages := x.assemble(layer, folded, facts, r)
	x.recognize(ctx, abs, facts, pages, r)
	if ctx.Err() != nil {
		return fail(reasonInterrupted, "%v", ctx.Err())
	}
	finish(pages, r)
	return nil
}

// foldPages folds the text of each page and lists the pages with hardly any text, which
// pdfcpu then looks at.
func foldPages(layer []string) (folded []string, bare []int) {
	folded = make([]string, len(layer))
	accents := spacedAccents(layer...)
	for i, t := range layer {
		folded[i] = fold(t, accents)
		if wordChars(folded[i]) < minPageChars {
			bare = append(bare, i)
		}
	}
	return folded, bare
}

// checkFile refuses, before running anything, what is not a regular file, is too big or
// does not start like a PDF. It returns the size.
func (x *Extractor) checkFile(path string) (int64, error) {
	st, err := os.Stat(path)
	if err != nil {
		return 0, fail("fichier introuvable ou illisible", "stat: %v", err)
	}
	if !st.Mode().IsRegular() {
		return 0, fail(reasonNotPDF, "%s is not a regular file", path)
	}
	if st.Size() > x.opts.MaxBytes {
		return 0, fail(fmt.Sprintf("fichier trop volumineux (%s ; limite %s)", humanSize(st.Size()), humanSize(x.opts.MaxBytes)),
			"size %d > MaxBytes %d", st.Size(), x.opts.MaxBytes)
	}
	return st.Size(), sniff(path)
}

// facts asks pdfcpu for the page count, encryption and PDF/A claim, and what the pages
// without text draw (bare, and those beyond the known pages pdftotext gave). pdfcpu is
// stricter than poppler, which rebuilds a damaged cross-reference table: when pdfcpu
// fails, poppler's text is kept, unless the file is cut short.
func (x *Extractor) facts(ctx context.Context, path string, size int64, bare []int, known int, r *Result) (*facts, error) {
	f, err := inspect(ctx, path, bare, known, x.opts.Timeout)
	if err == nil {
		r.PageCount, r.PDFA, r.Encrypted = f.pages, f.pdfa, f.encrypted
		return f, nil
	}
	var protected *failure // wrong password, timeout, interruption: poppler would not do better
	if errors.As(err, &protected) {
		return nil, err
	}
	if truncated(path, size) {
		return nil, fail(reasonDamaged, "no %%%%EOF at the end of the file; %v", err)
	}
	r.Detail = joinNotes(r.Detail, fmt.Sprintf("%v; text read by poppler alone", err))
	return &facts{}, nil
}

// layerLimits give pdftotext more time for big files: the base limits again per 8 MiB.
// The 25 MB, 1280-page linuxcnc manual takes 2 s of processor time and gets 4 minutes:
// this only stops what spins or hangs.
func (x *Extractor) layerLimits(size int64) limits {
	return x.limits().scaled(1 + size/(8<<20))
}

// limits are the limits of one run of a tool.
func (x *Extractor) limits() limits {
	return limits{cpu: x.opts.CPUTime, wall: x.opts.Timeout}
}

// humanSize writes a size the French way: "41 Ko", "512 Mo", "1,5 Go".
func humanSize(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d octets", n)
	case n < 1<<20:
		return fmt.Sprintf("%d Ko", (n+1<<10-1)>>10)
	case n < 1<<30:
		return fmt.Sprintf("%d Mo", (n+1<<20-1)>>20)
	}
	return strings.Replace(fmt.Sprintf("%.1f Go", float64(n)/(1<<30)), ".", ",", 1)
}

// maxDetail bounds the technical detail kept for the logs.
const maxDetail = 4 << 10

// joinNotes adds a note to the technical detail.
func joinNotes(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "" || len(a) >= maxDetail:
		return a
	}
	return a + "; " + b
}

// reasonOf is the French reason of a failure.
func reasonOf(err error) string {
	var f *failure
	if errors.As(err, &f) {
		return f.reason
	}
	return "erreur interne d'extraction"
}

// transientReasons are the parts of a reason that say the machine, not the file, kept
// the text from being read: time under load, a tool or language not installed, OCR
// turned off, an interrupted import.
var transientReasons = []string{
	reasonTimeout, reasonOCRTimeout, reasonInterrupted, "non installé", "OCR indisponible",
	"OCR désactivé", "outil d'extraction introuvable",
}

// Transient reports whether a stored text status may change when the same file is
// extracted again: text never extracted (status ""), or missing for a reason of the
// machine's (see transientReasons) rather than of the file's.
func Transient(status Status, reason string) bool {
	switch status {
	case "":
		return true
	case StatusOK:
		return false
	}
	for _, r := range transientReasons {
		if strings.Contains(reason, r) {
			return true
		}
	}
	return false
}
