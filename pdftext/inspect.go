package pdftext

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/filter"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// maxPages bounds the pages of one document: a forged page count must not make us
// allocate for billions of pages.
const maxPages = 100_000

// facts is what pdfcpu tells about a document.
type facts struct {
	pages     int // pages in the page tree
	declared  int // the page count the document declares (/Count), which may lie
	pdfa      string
	encrypted bool
	sizes     []types.Dim // page sizes in points, for the OCR resolution
	looks     []look      // what the pages without text draw, by page index
}

// look is what a page without text draws: it tells a scan from a blank page.
type look uint8

const (
	lookUnknown look = iota // not examined, or could not be: treated as drawn
	lookBlank               // paints nothing
	lookImage               // draws an image: a scan
	lookDrawn               // paints something else (vector text, drawings)
)

func (f *facts) look(i int) look {
	if i < len(f.looks) {
		return f.looks[i]
	}
	return lookUnknown
}

var configOnce sync.Once

// quietPdfcpu keeps pdfcpu from creating ~/.config/pdfcpu. If another part of sesam has
// already chosen a configuration directory (the portal does, for its stamping fonts), it
// is left as it is.
func quietPdfcpu() {
	configOnce.Do(func() {
		if model.ConfigPath == "default" {
			api.DisableConfigDir()
		}
	})
}

// sniff checks the first kilobyte for the PDF header, which the format allows a little
// after the start of the file.
func sniff(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fail("fichier introuvable ou illisible", "open: %v", err)
	}
	defer f.Close()
	head := make([]byte, 1024)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return fail("fichier illisible", "read: %v", err)
	}
	if !bytes.Contains(head[:n], []byte("%PDF-")) {
		return fail(reasonNotPDF, "no %%PDF- header in the first %d bytes", n)
	}
	return nil
}

// truncated reports a file whose end holds no %%EOF marker: a transfer cut short.
func truncated(path string, size int64) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	tail := make([]byte, min(size, 2048))
	if _, err := f.ReadAt(tail, size-int64(len(tail))); err != nil {
		return false
	}
	return !bytes.Contains(tail, []byte("%%EOF"))
}

// inspect reads the page count, the encryption and the PDF/A claim with pdfcpu (relaxed
// validation), and looks at the pages without text (indexes in bare, and from known on,
// the pages pdftotext did not give) to tell scans from blank pages. pdfcpu runs in this
// process, so it gets the size limit already checked by the caller, pdfcpu's own
// resource limits and a timeout, which pdfcpu's reader checks as it goes; a panic is
// caught. Past the timeout, a goroutine still busy is abandoned.
func inspect(ctx context.Context, path string, bare []int, known int, timeout time.Duration) (*facts, error) {
	quietPdfcpu()
	type answer struct {
		f   *facts
		err error
	}
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	done := make(chan answer, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- answer{err: fmt.Errorf("pdfcpu panic: %v", p)}
			}
		}()
		f, err := readFacts(cctx, path, bare, known)
		done <- answer{f, err}
	}()
	select {
	case a := <-done:
		if a.err != nil && cctx.Err() != nil {
			break
		}
		return a.f, a.err
	case <-cctx.Done():
	}
	if ctx.Err() != nil {
		return nil, fail(reasonInterrupted, "pdfcpu: %v", ctx.Err())
	}
	return nil, fail(reasonTimeout, "pdfcpu: no answer after %s", timeout)
}

// readFacts is inspect's work.
func readFacts(c context.Context, path string, bare []int, known int) (*facts, error) {
	ctx, declared, err := readContext(c, path)
	if err != nil {
		return nil, err
	}
	out := &facts{pages: ctx.PageCount, declared: declared, encrypted: ctx.Encrypt != nil, pdfa: pdfaClaim(ctx.XRefTable)}
	// Page sizes only steer the OCR resolution: without them it uses its default.
	if dims, err := ctx.PageDims(); err == nil {
		out.sizes = dims
	}
	out.looks = make([]look, ctx.PageCount)
	look := func(i int) error {
		// Past the timeout, inspect has given up: stop rather than work for nobody.
		if err := c.Err(); err != nil {
			return err
		}
		out.looks[i] = lookAt(ctx.XRefTable, i+1)
		return nil
	}
	for _, i := range bare {
		if i < ctx.PageCount {
			if err := look(i); err != nil {
				return nil, err
			}
		}
	}
	for i := known; i < ctx.PageCount; i++ {
		if err := look(i); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// readContext opens the document with pdfcpu and sets its page count to the pages that
// exist; it also returns the count the document declares.
func readContext(c context.Context, path string) (*model.Context, int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, fmt.Errorf("open: %w", err)
	}
	defer f.Close()
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationRelaxed
	conf.Offline = true
	conf.Limits.MaxDecodeBytes = maxDecodeBytes
	ctx, err := pdfcpu.ReadWithContext(c, f, conf)
	if errors.Is(err, pdfcpu.ErrWrongPassword) {
		return nil, 0, fail(reasonPassword, "pdfcpu: %v", err)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("pdfcpu: %w", err)
	}
	if err := ctx.EnsurePageCount(); err != nil {
		return nil, 0, fmt.Errorf("pdfcpu: page count: %w", err)
	}
	declared := ctx.PageCount
	if declared < 0 || declared > maxPages {
		return nil, 0, fmt.Errorf("pdfcpu: implausible page count %d", declared)
	}
	// pdfcpu takes the declared count as it is, and later walks of the page tree size
	// their tables with it: give them what exists.
	ctx.PageCount = countPages(ctx.XRefTable, declared)
	return ctx, declared, nil
}

// countPages is the number of pages the page tree really holds, which a damaged or
// forged document may declare wrongly: pages are numbered without gaps, so the last one
// that exists is found by bisection.
func countPages(xt *model.XRefTable, declared int) int {
	exists := func(n int) bool {
		if n == 0 {
			return true
		}
		d, _, _, err := xt.PageDict(n, false)
		return err == nil && d != nil
	}
	if exists(declared) {
		return declared
	}
	lo, hi := 0, declared // exists(lo), !exists(hi)
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if exists(mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo
}

// maxLookBytes bounds the content stream examined for painting operators: a page that
// long is not blank.
const maxLookBytes = 1 << 20

// maxDecodeBytes bounds what pdfcpu decodes of any one stream while it reads a document
// (object and cross-reference streams): real ones hold a few hundred kilobytes, and
// pdfcpu runs in this process, so a decompression bomb must not reach its default
// of 512 MiB.
const maxDecodeBytes = 32 << 20

// maxXMPBytes bounds the decoded XMP metadata read for the PDF/A claim.
const maxXMPBytes = 4 << 20

// errTooLong is a content stream longer than maxLookBytes once decoded.
var errTooLong = errors.New("content stream over the examination budget")

// lookAt tells what page n draws: an image, something else, or nothing at all.
func lookAt(xt *model.XRefTable, n int) look {
	d, _, inh, err := xt.PageDict(n, false)
	if err != nil || d == nil {
		return lookUnknown
	}
	if inh != nil && drawsImage(xt, inh.Resources, 0) {
		return lookImage
	}
	content, err := pageContent(xt, d, maxLookBytes)
	switch {
	case errors.Is(err, model.ErrNoContent):
		return lookBlank
	case err != nil:
		return lookUnknown
	case paints(content):
		return lookDrawn
	}
	return lookBlank
}

// pageContent decodes the content streams of page d, at most budget bytes in all:
// decoding stops as soon as the budget is spent (errTooLong), so that a small stream
// that inflates to gigabytes costs no more than the budget. pdfcpu's own PageContent
// decodes everything first.
func pageContent(xt *model.XRefTable, d types.Dict, budget int) ([]byte, error) {
	o, _ := d.Find("Contents")
	if o == nil {
		return nil, model.ErrNoContent
	}
	o, err := xt.Dereference(o)
	if err != nil || o == nil {
		return nil, model.ErrNoContent
	}
	streams, ok := o.(types.Array)
	if !ok {
		streams = types.Array{o}
	}
	var out []byte
	for _, s := range streams {
		sd, _, err := xt.DereferenceStreamDict(s)
		if err != nil {
			return nil, err
		}
		if sd == nil {
			continue
		}
		// Over the limit, pdfcpu's filters stop with ErrDecodeLimitExceeded.
		room := int64(budget - len(out))
		if err := sd.DecodeWithLimit(room + 1); err != nil {
			if errors.Is(err, filter.ErrDecodeLimitExceeded) {
				return nil, errTooLong
			}
			return nil, err
		}
		if int64(len(sd.Content)) > room {
			return nil, errTooLong
		}
		out = append(out, sd.Content...)
	}
	return out, nil
}

// drawsImage reports whether resources hold an image, directly or in a form XObject (a
// few levels deep): scanners and OCR tools wrap the page image in a form.
func drawsImage(xt *model.XRefTable, res types.Dict, depth int) bool {
	if res == nil || depth > 3 {
		return false
	}
	o, ok := res.Find("XObject")
	if !ok {
		return false
	}
	xobjs, err := xt.DereferenceDict(o)
	if err != nil {
		return false
	}
	for _, v := range xobjs {
		sd, _, err := xt.DereferenceStreamDict(v)
		if err != nil || sd == nil {
			continue
		}
		switch st := sd.Dict.NameEntry("Subtype"); {
		case st == nil:
		case *st == "Image":
			return true
		case *st == "Form":
			r, ok := sd.Dict.Find("Resources")
			if !ok {
				continue
			}
			if rd, err := xt.DereferenceDict(r); err == nil && drawsImage(xt, rd, depth+1) {
				return true
			}
		}
	}
	return false
}

// pdfaClaim reads the PDF/A claim from the catalog's XMP metadata: pdfaid:part and
// pdfaid:conformance, as elements or attributes ("1" + "B" → "1B"; PDF/A-4 may have no
// conformance). It is a claim, not a validation.
func pdfaClaim(xt *model.XRefTable) string {
	cat, err := xt.Catalog()
	if err != nil {
		return ""
	}
	o, ok := cat.Find("Metadata")
	if !ok {
		return ""
	}
	sd, _, err := xt.DereferenceStreamDict(o)
	if err != nil || sd == nil {
		return ""
	}
	if err := sd.DecodeWithLimit(maxXMPBytes); err != nil {
		return ""
	}
	return pdfaFromXMP(sd.Content)
}

const pdfaidNS = "http://www.aiim.org/pdfa/ns/id/"

// pdfaFromXMP finds pdfaid:part and pdfaid:conformance in an XMP packet.
func pdfaFromXMP(xmp []byte) string {
	d := xml.NewDecoder(bytes.NewReader(xmp))
	d.Strict = false
	var part, conf string
	var in string // local name of the pdfaid element being read
	for {
		tok, err := d.Token()
		if err != nil {
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			in = ""
			if t.Name.Space == pdfaidNS {
				in = t.Name.Local
			}
			for _, a := range t.Attr {
				if a.Name.Space == pdfaidNS {
					assignPDFA(a.Name.Local, a.Value, &part, &conf)
				}
			}
		case xml.CharData:
			if in != "" {
				assignPDFA(in, string(t), &part, &conf)
			}
		case xml.EndElement:
			in = ""
		}
	}
	if part == "" {
		return ""
	}
	return part + strings.ToUpper(conf)
}

func assignPDFA(name, value string, part, conf *string) {
	value = strings.TrimSpace(value)
	switch name {
	case "part":
		*part = value
	case "conformance":
		*conf = value
	}
}
