package stamp

import (
	"fmt"
	"strings"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/font"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// The footer band. It is added below each page (the page grows by bandHeight at the
// bottom the reader sees), so it never covers anything, whatever the page holds: text
// down to the edge, page numbers, a scan with no margin. A diagonal across the page
// would cover text and, as pdftotext shows, break the copy's text into pieces. The band
// is painted white after the page's own content, so that nothing the page drew beyond
// its old edges shows through; the line is centred in it, horizontal, in 8 pt dark red,
// opaque (no transparency, which PDF/A-1 forbids).
const (
	bandHeight    = 24  // points (8.5 mm)
	footerSize    = 8   // points
	footerLift    = 5.3 // points from the band's outer edge to the line's box, centring the capitals
	footerMaxFill = 0.9 // largest share of the page width the line may take
	footerStyle   = "fillcolor:#7a1f1f"
)

// addFooters puts the line in a band below every page of doc.
//
// pdfcpu draws a stamp on a rotated page by rotating the page's content into an upright
// page, and gets it wrong when the page's crop box does not start at the origin (the
// content moves off the page). So each rotation is stamped with its own rotated line,
// anchored to the side the reader sees at the bottom, while pdfcpu is shown the page
// unrotated; the page keeps its /Rotate, its content and its annotations as they were.
func addFooters(doc *model.Context, text string) error {
	hadLayers, err := hasLayers(doc)
	if err != nil {
		return err
	}
	scale, err := fit(doc, text)
	if err != nil {
		return err
	}
	byRotation, err := addBands(doc)
	if err != nil {
		return err
	}
	for _, rot := range []int{0, 90, 180, 270} {
		if pages := byRotation[rot]; len(pages) > 0 {
			if err := addFooter(doc, pages, rot, text, scale); err != nil {
				return err
			}
		}
	}
	if !hadLayers {
		// pdfcpu declares a layer for its stamps; they are taken out of it (see
		// unlayer), and a document that had no layers is left without, as PDF/A-1 wants.
		root, err := doc.Catalog()
		if err != nil {
			return err
		}
		root.Delete("OCProperties")
	}
	return nil
}

// addFooter stamps the pages of doc that are rotated by rot.
func addFooter(doc *model.Context, pages types.IntSet, rot int, text string, scale float64) error {
	wm, err := footer(text, rot, scale)
	if err != nil {
		return err
	}
	if err := setRotation(doc, pages, 0); err != nil {
		return err
	}
	if err := api.WatermarkContext(doc, pages, wm); err != nil {
		return err
	}
	if err := setRotation(doc, pages, rot); err != nil {
		return err
	}
	return unlayer(doc, wm)
}

// footer describes the line for pages rotated by rot: anchored to the edge the reader
// sees at the bottom and turned to read upright there.
func footer(text string, rot int, scale float64) (*model.Watermark, error) {
	place := map[int]string{
		0:   fmt.Sprintf("position:bc, rotation:0, offset:0 %g", footerLift),
		90:  fmt.Sprintf("position:r, rotation:90, offset:%g 0", -footerLift),
		180: fmt.Sprintf("position:tc, rotation:180, offset:0 %g", -footerLift),
		270: fmt.Sprintf("position:l, rotation:-90, offset:%g 0", footerLift),
	}[rot]
	desc := fmt.Sprintf("fontname:%s, points:%d, scalefactor:%.3f abs, %s, %s", fontName, footerSize, scale, place, footerStyle)
	wm, err := api.TextWatermark(escape(text), desc, true, false, types.POINTS)
	if err != nil {
		return nil, fmt.Errorf("stamp description %q: %w", desc, err)
	}
	return wm, nil
}

// fit is the scale that makes the line fit on the narrowest page of doc, as the reader
// sees it: 1 (8 pt) when it does already, less for a long line or a small page.
func fit(doc *model.Context, text string) (float64, error) {
	width, err := font.TextWidthFloat(text, fontName, footerSize)
	if err != nil {
		return 0, fmt.Errorf("measure stamp: %w", err)
	}
	boxes, err := doc.PageBoundaries(nil)
	if err != nil {
		return 0, fmt.Errorf("page sizes: %w", err)
	}
	narrowest := 0.0
	for _, b := range boxes {
		d := b.CropBox().Dimensions()
		w := d.Width
		if rotation(b.Rot)%180 != 0 {
			w = d.Height
		}
		if narrowest == 0 || w < narrowest {
			narrowest = w
		}
	}
	if narrowest <= 0 || width <= 0 {
		return 0, fmt.Errorf("page width %.0f, line width %.0f", narrowest, width)
	}
	return min(1, footerMaxFill*narrowest/width), nil
}

// addBands adds the band to every page of doc: the media and crop boxes grow by
// bandHeight on the side shown at the bottom (the other boxes, trim, bleed and art,
// stay as they are, inside) and the band is painted white. It returns the pages by
// rotation.
func addBands(doc *model.Context) (map[int]types.IntSet, error) {
	boxes, err := doc.PageBoundaries(nil)
	if err != nil {
		return nil, fmt.Errorf("page sizes: %w", err)
	}
	byRotation := map[int]types.IntSet{}
	for i, b := range boxes {
		page, _, _, err := doc.PageDict(i+1, false)
		if err != nil || page == nil || b.MediaBox() == nil {
			return nil, fmt.Errorf("page %d: %v", i+1, err)
		}
		rot := rotation(b.Rot)
		crop := grow(*b.CropBox(), rot)
		page.Update("MediaBox", union(*b.MediaBox(), crop).Array())
		page.Update("CropBox", crop.Array())
		if err := paintBand(doc, page, band(*b.CropBox(), rot)); err != nil {
			return nil, fmt.Errorf("page %d: %w", i+1, err)
		}
		if byRotation[rot] == nil {
			byRotation[rot] = types.IntSet{}
		}
		byRotation[rot][i+1] = true
	}
	return byRotation, nil
}

// paintBand paints r white over the page, after its own content, which is put between
// q and Q so that whatever state it leaves (a transformation, a clip) is undone first.
// pdfcpu then draws the stamp after that. The page's own content streams are not
// touched.
func paintBand(doc *model.Context, page types.Dict, r types.Rectangle) error {
	var contents types.Array
	if ref, ok := page.Find("Contents"); ok {
		o, err := doc.Dereference(ref)
		if err != nil {
			return fmt.Errorf("content: %w", err)
		}
		switch o := o.(type) {
		case types.Array:
			contents = o
		case types.StreamDict:
			contents = types.Array{ref}
		}
	}
	open, err := newStream(doc, "q\n")
	if err != nil {
		return err
	}
	band := fmt.Sprintf("\nQ\nq 1 g %.2f %.2f %.2f %.2f re f Q\n", r.LL.X, r.LL.Y, r.Width(), r.Height())
	closing, err := newStream(doc, band)
	if err != nil {
		return err
	}
	page.Update("Contents", append(append(types.Array{*open}, contents...), *closing))
	return nil
}

// newStream adds a content stream to doc, uncompressed: it is a few bytes, and a Flate
// writer costs a megabyte of memory (pdfcpu re-encodes it after adding the stamp).
func newStream(doc *model.Context, content string) (*types.IndirectRef, error) {
	sd := types.StreamDict{Dict: types.NewDict(), Content: []byte(content)}
	if err := sd.Encode(); err != nil {
		return nil, err
	}
	return doc.IndRefForNewObject(sd)
}

// band is the strip bandHeight wide added to r on the side a page rotated by rot shows
// at the bottom.
func band(r types.Rectangle, rot int) types.Rectangle {
	g := grow(r, rot)
	switch rot {
	case 90:
		g.LL.X = r.UR.X
	case 180:
		g.LL.Y = r.UR.Y
	case 270:
		g.UR.X = r.LL.X
	default:
		g.UR.Y = r.LL.Y
	}
	return g
}

// rotation normalises a /Rotate value to 0, 90, 180 or 270.
func rotation(rot int) int {
	return (rot%360 + 360) % 360
}

// grow extends r by bandHeight on the side a page rotated by rot degrees (clockwise,
// as /Rotate) shows at the bottom.
func grow(r types.Rectangle, rot int) types.Rectangle {
	switch rot {
	case 90:
		r.UR.X += bandHeight
	case 180:
		r.UR.Y += bandHeight
	case 270:
		r.LL.X -= bandHeight
	default:
		r.LL.Y -= bandHeight
	}
	return r
}

func union(a, b types.Rectangle) *types.Rectangle {
	return types.NewRectangle(min(a.LL.X, b.LL.X), min(a.LL.Y, b.LL.Y), max(a.UR.X, b.UR.X), max(a.UR.Y, b.UR.Y))
}

// setRotation sets /Rotate on pages of doc (on the page itself, which overrides what it
// inherits).
func setRotation(doc *model.Context, pages types.IntSet, rot int) error {
	for nr := range pages {
		page, _, _, err := doc.PageDict(nr, false)
		if err != nil || page == nil {
			return fmt.Errorf("page %d: %v", nr, err)
		}
		page.Update("Rotate", types.Integer(rot))
	}
	return nil
}

// hasLayers reports whether doc declares optional content (layers).
func hasLayers(doc *model.Context) (bool, error) {
	root, err := doc.Catalog()
	if err != nil {
		return false, err
	}
	_, ok := root.Find("OCProperties")
	return ok, nil
}

// unlayer takes the stamps pdfcpu drew for wm out of optional content. pdfcpu puts them
// in the document's first layer when it has layers: were that layer off, or turned off
// by the reader, the copy would show no stamp.
func unlayer(doc *model.Context, wm *model.Watermark) error {
	for _, ref := range wm.FCache {
		form, _, err := doc.DereferenceStreamDict(*ref)
		if err != nil || form == nil {
			return fmt.Errorf("stamp form %v: %v", ref, err)
		}
		form.Delete("OC")
	}
	return nil
}

// wordJoiner is invisible and prevents nothing in a line, and DejaVuSans has it.
const wordJoiner = "\u2060"

// escape keeps pdfcpu from reading the text as a template: it turns "%p", "%P", "%t"
// and "%v" into page numbers, timestamps and its version, and a backslash followed by n
// into a line break. "%%" stands for "%" (when what follows is not one of those letters,
// hence the word joiner), and a word joiner separates a backslash from an n.
func escape(text string) string {
	text = strings.ReplaceAll(text, "%", "%%"+wordJoiner)
	return strings.ReplaceAll(text, `\n`, `\`+wordJoiner+"n")
}
