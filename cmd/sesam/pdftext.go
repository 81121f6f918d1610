package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"sesam/pdftext"
	"sesam/store"
)

// cmdPdftext prints the text of a PDF as the importer would store it, pages separated
// by a form feed. It fails (exit 1, reason on stderr) when the file yields no text.
// With --retry, it extracts again the stored objects whose text is missing for a
// reason of the machine's (see retryText).
func cmdPdftext(ctx context.Context, e *env, args []string) error {
	fs := newFlags("pdftext", e.stderr)
	ocr := fs.Bool("ocr", false, "read every page by OCR (tesseract), even those with a text layer")
	retry := fs.Bool("retry", false, "extract again the stored PDF objects whose text is missing for a transient reason")
	tenant := fs.String("tenant", "", "with --retry: only the objects of this tenant and those below it")
	paths, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	opts, err := pdfOptions(e.cfg)
	if err != nil {
		return err
	}
	if *retry {
		if len(paths) != 0 || *ocr {
			return errors.New("usage: sesam pdftext --retry [--tenant ID]")
		}
		return retryText(ctx, e, *tenant, opts)
	}
	if len(paths) != 1 || *tenant != "" {
		return errors.New("usage: sesam pdftext [--ocr] FILE.pdf | sesam pdftext --retry [--tenant ID]")
	}
	if *ocr {
		opts.OCR = pdftext.OCRForce
	}
	x := pdftext.New(opts)
	defer x.Close()
	if ok, why := x.OCRAvailable(); *ocr && !ok {
		fmt.Fprintf(e.stderr, "sesam pdftext: %s\n", why)
	}
	r := x.Extract(ctx, paths[0])
	switch r.Status {
	case pdftext.StatusError, pdftext.StatusNoText:
		fmt.Fprintf(e.stderr, "sesam pdftext: %s: %s\n", paths[0], r.Reason)
		return exitError{1}
	case pdftext.StatusPartial:
		fmt.Fprintf(e.stderr, "sesam pdftext: %s: %s\n", paths[0], r.Reason)
	}
	return pdftext.WriteText(e.stdout, r)
}

// retryBatch is how many objects are extracted before their text is written: enough
// to keep the workers busy, few enough to hold their text in memory.
const retryBatch = 32

// retryText extracts again the PDF objects of tenant ("" for all) whose text was never
// extracted (import --no-text) or is missing for a transient reason (a timeout, a tool
// not installed), writes their pages and puts their units in the change feed, so that
// the index picks the text up. It prints one line per object and a summary.
func retryText(ctx context.Context, e *env, tenant string, opts pdftext.Options) error {
	st, err := openStore(ctx, e, true)
	if err != nil {
		return err
	}
	defer st.Close()
	objs, err := st.ObjectsWithoutText(ctx, tenant)
	if err != nil {
		return err
	}
	var todo []store.Object
	for _, o := range objs {
		if pdftext.Transient(pdftext.Status(o.TextStatus), o.TextReason) {
			todo = append(todo, o)
		}
	}
	x := pdftext.New(opts)
	defer x.Close()
	log := textLogger(e)
	var tally textTally
	for start := 0; start < len(todo); start += retryBatch {
		batch := todo[start:min(start+retryBatch, len(todo))]
		paths := make([]string, len(batch))
		for i, o := range batch {
			paths[i] = st.Blobs().Path(o.SHA256)
		}
		for i, r := range x.ExtractAll(ctx, paths) {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			o := batch[i]
			if err := st.SetObjectText(ctx, o.ID, r); err != nil {
				return err
			}
			tally.add(r)
			fmt.Fprintf(e.stdout, "object %d (%s): %s\n", o.ID, objectName(o), describeText(r))
			logText(log, o.SedaID, objectName(o), r)
		}
	}
	fmt.Fprintf(e.stdout, "retried %d of %d PDF objects without text%s\n", len(todo), len(objs), tally.summary())
	return nil
}

func objectName(o store.Object) string {
	if o.Filename != "" {
		return o.Filename
	}
	return o.URI
}

// describeText is one object's outcome in a line: "ok, 12 pages", or the status and
// its reason.
func describeText(r *pdftext.Result) string {
	if r.Status == pdftext.StatusOK {
		return "ok, " + plural(r.PageCount, "page")
	}
	return fmt.Sprintf("%s: %s", r.Status, r.Reason)
}

// textTally counts the outcomes of text extraction for the summary line.
type textTally struct {
	pdfs, incomplete, failed int
}

func (t *textTally) add(r *pdftext.Result) {
	t.pdfs++
	switch r.Status {
	case pdftext.StatusError:
		t.failed++
	case pdftext.StatusPartial, pdftext.StatusNoText:
		t.incomplete++
	}
}

// summary is the tally for the end of a line: "; PDF text: 4 files, 1 incomplete, 1
// failed".
func (t *textTally) summary() string {
	if t.pdfs == 0 {
		return ""
	}
	return fmt.Sprintf("; PDF text: %s, %d incomplete, %d failed", plural(t.pdfs, "file"), t.incomplete, t.failed)
}

// textLogger logs, on stderr, the objects whose text is missing.
func textLogger(e *env) *slog.Logger {
	return slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// logText logs an object whose text is missing or incomplete, with the technical
// detail that the stored French reason leaves out.
func logText(log *slog.Logger, sedaID, name string, r *pdftext.Result) {
	if r.Status == pdftext.StatusOK {
		return
	}
	level := slog.LevelInfo
	if r.Status == pdftext.StatusError {
		level = slog.LevelWarn
	}
	log.Log(context.Background(), level, "pdf text incomplete", "object", sedaID, "file", name,
		"status", string(r.Status), "reason", r.Reason, "detail", r.Detail)
}

// pdfOptions reads the SESAM_PDF_* settings; empty ones take pdftext's defaults.
func pdfOptions(c config) (pdftext.Options, error) {
	var o pdftext.Options
	var err error
	durations := []struct {
		name, value string
		dst         *time.Duration
	}{
		{"SESAM_PDF_CPU_TIME", c.PDFCPUTime, &o.CPUTime},
		{"SESAM_PDF_TIMEOUT", c.PDFTimeout, &o.Timeout},
		{"SESAM_PDF_OCR_TIMEOUT", c.PDFOCRTimeout, &o.OCRTimeout},
	}
	for _, d := range durations {
		if *d.dst, err = positiveDuration(d.name, d.value); err != nil {
			return o, err
		}
	}
	mem, err := positiveInt("SESAM_PDF_MEMORY", c.PDFMemory, "a number of MiB")
	if err != nil {
		return o, err
	}
	o.MemLimit = uint64(mem) << 20
	if o.OCRMaxPages, err = positiveInt("SESAM_PDF_OCR_PAGES", c.PDFOCRPages, "a number of pages"); err != nil {
		return o, err
	}
	o.Workers, err = positiveInt("SESAM_PDF_WORKERS", c.PDFWorkers, "a number of processes")
	return o, err
}

func positiveDuration(name, v string) (time.Duration, error) {
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s=%q: a duration such as 90s or 5m", name, v)
	}
	return d, nil
}

func positiveInt(name, v, what string) (int, error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%s=%q: %s", name, v, what)
	}
	return n, nil
}
