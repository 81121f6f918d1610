package main

import (
	"context"
	"errors"
	"fmt"

	"sesam/pdftext"
)

// cmdPdftext prints the text of a PDF as the importer would store it, pages separated
// by a form feed. It fails (exit 1, reason on stderr) when the file yields no text.
func cmdPdftext(ctx context.Context, e *env, args []string) error {
	fs := newFlags("pdftext", e.stderr)
	ocr := fs.Bool("ocr", false, "read every page by OCR (tesseract), even those with a text layer")
	paths, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(paths) != 1 {
		return errors.New("usage: sesam pdftext [--ocr] FILE.pdf")
	}
	opts := pdftext.Options{}
	if *ocr {
		opts.OCR = pdftext.OCRForce
	}
	x := pdftext.New(opts)
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
