// Package stamp makes consultation copies: the PDF that anyone but the producer's own
// agents receives carries, on every page, who received it, when, for which unit and
// under which access request. The archived original is never changed.
//
// The line is drawn by pdfcpu in DejaVuSans, embedded in the copy. pdfcpu's built-in
// (core) fonts are WinAnsi only and silently drop any other character, which would turn
// "Łukasz Żółć" into "ukasz ó" on the very line that says who the copy was given to.
package stamp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"time"
	"unicode"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"golang.org/x/text/unicode/norm"
)

// ErrCannotStamp reports that no faithful consultation copy can be made: the PDF is
// unreadable, damaged, not a PDF or locked with a user password, or the stamp font
// lacks a character of the mark. The portal then refuses to deliver rather than
// deliver an unstamped or wrongly stamped copy.
var ErrCannotStamp = errors.New("cannot stamp")

// Stamper stamps consultation copies. One per process; safe for concurrent use.
type Stamper struct {
	// slots bounds how many copies are made at once: pdfcpu holds the whole document
	// in memory (about ten times its size) while it stamps, so this bounds memory as
	// well as CPU.
	slots chan struct{}
	// glyphs are the characters the stamp font can draw.
	glyphs map[uint32]uint16
}

// New prepares pdfcpu: its configuration directory is configDir/pdfcpu (configDir is
// the app's data directory, never the user's home), and DejaVuSans, read from fontPath
// (DefaultFontPath when empty), is installed in its font directory. Call it at start-up,
// before anything else in the process uses pdfcpu; calling it again with the same
// configDir is harmless, with another one is an error.
func New(configDir, fontPath string) (*Stamper, error) {
	if fontPath == "" {
		fontPath = DefaultFontPath
	}
	if err := setup(configDir, fontPath); err != nil {
		return nil, fmt.Errorf("stamp: %w", err)
	}
	g, err := glyphs()
	if err != nil {
		return nil, fmt.Errorf("stamp: %w", err)
	}
	return &Stamper{slots: make(chan struct{}, runtime.GOMAXPROCS(0)), glyphs: g}, nil
}

// Mark is what a consultation copy says about itself.
type Mark struct {
	Name    string    // who receives the copy
	Date    time.Time // when; shown as a day in Date's own location
	Ref     string    // the unit's cote, or its id when it has none
	Request string    // the access request number, "" when the copy is not made under a grant
}

// Text is the stamp line, e.g.
// "Copie de consultation — Łukasz Żółć — 25/11/2026 — 3 E 12/4 — demande n° 42".
// Parts are in Unicode NFC; control characters and runs of spaces in them become one
// space so that nothing can break the line; empty parts are left out.
func (m Mark) Text() string {
	parts := []string{"Copie de consultation"}
	for _, p := range []string{clean(m.Name), m.Date.Format("02/01/2006"), clean(m.Ref)} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	if r := clean(m.Request); r != "" {
		parts = append(parts, "demande n° "+r)
	}
	return strings.Join(parts, " — ")
}

// clean normalises s to NFC and folds control characters and spaces to single spaces.
func clean(s string) string {
	return strings.Join(strings.FieldsFunc(norm.NFC.String(s), func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}), " ")
}

// Stamp writes a stamped copy of the PDF in r to w: the mark's line in a band added
// below every page (see layout.go). An error wrapping ErrCannotStamp means no faithful
// copy can be made of this PDF for this mark; the portal must not deliver it. On any
// error w may have received part of a copy: stamp into a temporary file and send it
// only on success. ctx is checked between pdfcpu's steps (read, stamp, write), which it
// cannot interrupt.
func (s *Stamper) Stamp(ctx context.Context, r io.ReadSeeker, w io.Writer, m Mark) error {
	text := m.Text()
	if missing := s.missing(text); missing != "" {
		return fmt.Errorf("stamp: %w: DejaVuSans has no glyph for %s in %q", ErrCannotStamp, missing, text)
	}
	select {
	case s.slots <- struct{}{}:
		defer func() { <-s.slots }()
	case <-ctx.Done():
		return fmt.Errorf("stamp: %w", ctx.Err())
	}
	if err := stamp(ctx, r, w, text); err != nil {
		return fmt.Errorf("stamp: %w", err)
	}
	return nil
}

// missing lists the characters of text the stamp font cannot draw: pdfcpu would leave
// them out without a word.
func (s *Stamper) missing(text string) string {
	var out []string
	for _, r := range text {
		if _, ok := s.glyphs[uint32(r)]; !ok {
			out = append(out, fmt.Sprintf("%U", r))
		}
	}
	return strings.Join(out, " ")
}

// stamp reads the PDF, adds the band with the line to every page and writes the copy.
// Errors coming from the document wrap ErrCannotStamp; errors writing to w and
// cancellation do not.
func stamp(ctx context.Context, r io.ReadSeeker, w io.Writer, text string) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: pdfcpu panic: %v", ErrCannotStamp, p)
		}
	}()
	doc, err := read(r)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := addFooters(doc, text); err != nil {
		return fmt.Errorf("%w: %v", ErrCannotStamp, err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	cw := &checkedWriter{w: w}
	if err := api.WriteContext(doc, cw); err != nil {
		if cw.err != nil {
			return fmt.Errorf("write copy: %w", cw.err)
		}
		return fmt.Errorf("%w: write: %v", ErrCannotStamp, err)
	}
	return nil
}

// read parses and validates the PDF (relaxed: strict validation rejects too many real
// documents, pdfcpu's own stamped output among them). A PDF encrypted with an empty
// user password (permissions only) opens, and pdfcpu writes the copy encrypted again
// with the same key and permissions.
func read(r io.ReadSeeker) (*model.Context, error) {
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationRelaxed
	conf.Offline = true
	conf.Cmd = model.ADDWATERMARKS
	conf.OptimizeDuplicateContentStreams = false
	doc, err := api.ReadValidateAndOptimize(r, conf)
	if errors.Is(err, pdfcpu.ErrWrongPassword) {
		return nil, fmt.Errorf("%w: protected by a password: %v", ErrCannotStamp, err)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCannotStamp, err)
	}
	return doc, nil
}

// checkedWriter remembers the error of the underlying writer, to tell a client that
// went away from a document pdfcpu cannot write.
type checkedWriter struct {
	w   io.Writer
	err error
}

func (c *checkedWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	if err != nil && c.err == nil {
		c.err = err
	}
	return n, err
}
