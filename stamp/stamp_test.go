package stamp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// corpusDir holds the shared PDFs (see ../../shared/testdata/SOURCES.md).
var corpusDir = filepath.Join("..", "..", "shared", "testdata", "pdf")

// darrois is a 5-page PDF/A-1b speech in French (Ghostscript + iTextSharp).
const darrois = "dip__20110315_DI_AN_PJL_Darrois.pdf"

// The Stamper every test shares (pdfcpu's set-up is once per process), its data
// directory, and the home directory nothing may be written under.
var (
	stamper *Stamper
	dataDir string
	homeDir string
)

// TestMain points HOME at an empty directory before pdfcpu is first used, and checks
// after every test and benchmark that it is still empty: pdfcpu's default is to create
// ~/.config/pdfcpu.
func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	tmp, err := os.MkdirTemp("", "stamp-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(tmp)
	homeDir, dataDir = filepath.Join(tmp, "home"), filepath.Join(tmp, "data")
	if err := os.MkdirAll(homeDir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	os.Setenv("HOME", homeDir)
	os.Unsetenv("XDG_CONFIG_HOME") // else os.UserConfigDir, which pdfcpu uses, would not look in HOME
	if stamper, err = New(dataDir, ""); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	code := m.Run()
	if written := filesUnder(homeDir); len(written) > 0 {
		fmt.Fprintf(os.Stderr, "FAIL: written under HOME: %v\n", written)
		return 1
	}
	return code
}

func filesUnder(dir string) []string {
	var found []string
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if path != dir {
			found = append(found, path)
		}
		return nil
	})
	return found
}

var day = time.Date(2026, 11, 25, 15, 4, 0, 0, time.UTC)

func TestMarkText(t *testing.T) {
	tests := []struct {
		name string
		mark Mark
		want string
	}{
		{"under a grant",
			Mark{Name: "Łukasz Żółć", Date: day, Ref: "3 E 12/4", Request: "42"},
			"Copie de consultation — Łukasz Żółć — 25/11/2026 — 3 E 12/4 — demande n° 42"},
		{"no request",
			Mark{Name: "Anne Dupré", Date: day, Ref: "FRAD062_3E_12"},
			"Copie de consultation — Anne Dupré — 25/11/2026 — FRAD062_3E_12"},
		{"line breaks and tabs cannot break the line",
			Mark{Name: "Anne\nDupré\t\r ", Date: day, Ref: " 3 E\u00a012/4 ", Request: "\t42\n"},
			"Copie de consultation — Anne Dupré — 25/11/2026 — 3 E 12/4 — demande n° 42"},
		{"decomposed accents are composed",
			Mark{Name: "Ele\u0301onore Lefe\u0300vre", Date: day, Ref: "1 J 5"},
			"Copie de consultation — Eléonore Lefèvre — 25/11/2026 — 1 J 5"},
		{"anonymous reader",
			Mark{Date: day, Ref: "1 J 5"},
			"Copie de consultation — 25/11/2026 — 1 J 5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.mark.Text()); diff != "" {
				t.Errorf("Text() (-want +got):\n%s", diff)
			}
		})
	}
}

// TestStampEveryPage stamps real documents of various kinds and reads them back as a
// reader's tools would: every page carries the whole line, every character intact (core
// fonts would drop Ł, Ż, ł, ć...), no page is lost and the document's own text is still
// there.
func TestStampEveryPage(t *testing.T) {
	needTools(t, "pdftotext", "pdfinfo")
	tests := []struct{ file, name string }{
		{darrois, "Łukasz Żółć — Ærøskøbing"},
		// LibreOffice document embedding its own DejaVuSans subset, which pdfcpu would
		// reuse and fail on if the stamp font had the same name.
		{"vitam__Vitam_Archivage_sur_Offre_Froide.pdf", "Ċensu Борисов Ἀλέξανδρος"},
		{"vitam-sip__ICA_ISAD-G_fr.pdf", "Nguyễn Thị Ánh Tuyết"}, // PDF 1.2, Acrobat PDFWriter 3.02
		{"texlive__facture-exemple.pdf", "Şükrü Ağaoğlu"},        // XeTeX, CID fonts
		{"vitam-sip__RICOH_scan_pdfa.pdf", "Zoë Ørsted-Łęcka"},   // scan, no text layer
		{"texlive__fepslatex.pdf", "Jiří Dvořák"},                // PDF 1.2, 143 Type 3 fonts
		{"texlive__formation-latex-ul.pdf", "Ōsaka Ñúñez"},       // xdvipdfmx, 196 pages
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			in := filepath.Join(corpusDir, tt.file)
			m := Mark{Name: tt.name, Date: day, Ref: "3 E 12/4", Request: "42"}
			out := stampFile(t, in, m)

			if got, want := pageCount(t, out), pageCount(t, in); got != want {
				t.Errorf("stamped copy has %d pages, original %d", got, want)
			}
			original, stamped := textPages(t, in), textPages(t, out)
			if len(stamped) != len(original) {
				t.Fatalf("pdftotext: %d pages in the copy, %d in the original", len(stamped), len(original))
			}
			for i := range stamped {
				if !hasLine(stamped[i], m.Text()) {
					t.Errorf("page %d: no %q in the copy's text:\n%s", i+1, m.Text(), lastLines(stamped[i], 3))
				}
				if missing := missingLines(original[i], stamped[i]); len(missing) > 0 {
					t.Errorf("page %d: %d lines of the original text are gone from the copy, first %q", i+1, len(missing), missing[0])
				}
			}
		})
	}
}

// TestStampTemplateLookalikes: pdfcpu reads "%p", "%t" and a backslash-n in the text
// as page number, timestamp and line break; a name or a cote holding them must come
// out as written.
func TestStampTemplateLookalikes(t *testing.T) {
	needTools(t, "pdftotext")
	m := Mark{Name: `100%p d'ac%t \n Ma%%rie \`, Date: day, Ref: `C:\new 50%`, Request: "%v"}
	out := stampFile(t, filepath.Join(corpusDir, darrois), m)
	for i, page := range textPages(t, out) {
		if !hasLine(page, m.Text()) {
			t.Errorf("page %d: want %q, the copy ends with:\n%s", i+1, m.Text(), lastLines(page, 3))
		}
	}
}

// TestStampEncryptedWithPermissions: a PDF encrypted with an empty user password (it
// opens for anyone; only permissions are set) is stamped, and the copy keeps the
// encryption and the producer's permissions.
func TestStampEncryptedWithPermissions(t *testing.T) {
	needTools(t, "pdftotext", "pdfinfo")
	in := filepath.Join(corpusDir, "vitam-sip__CCSDS_OAIS_encrypted.pdf")
	m := Mark{Name: "Łukasz Żółć", Date: day, Ref: "OAIS"}
	out := stampFile(t, in, m)
	pages := textPages(t, out)
	if want := pageCount(t, in); len(pages) != want {
		t.Errorf("copy has %d pages, want %d", len(pages), want)
	}
	for i, page := range pages {
		if !hasLine(page, m.Text()) {
			t.Errorf("page %d: no stamp", i+1)
		}
	}
	if got, want := pdfinfo(t, out)["Encrypted"], pdfinfo(t, in)["Encrypted"]; got != want {
		t.Errorf("encryption of the copy: %q, original: %q", got, want)
	}
}

// TestStampRefuses: what cannot be stamped faithfully is refused with ErrCannotStamp,
// so that the portal delivers nothing rather than an unstamped copy.
func TestStampRefuses(t *testing.T) {
	original, err := os.ReadFile(filepath.Join(corpusDir, darrois))
	if err != nil {
		t.Fatal(err)
	}
	locked := encrypt(t, original, "secret")
	tests := []struct {
		name string
		pdf  []byte
		mark Mark
	}{
		{"user password", locked, Mark{Name: "Anne", Date: day}},
		{"not a PDF", []byte("PK\x03\x04 this is a zip, not a PDF"), Mark{Name: "Anne", Date: day}},
		{"empty file", nil, Mark{Name: "Anne", Date: day}},
		{"truncated PDF", original[:len(original)/2], Mark{Name: "Anne", Date: day}},
		{"name the font cannot draw", original, Mark{Name: "王小明", Date: day}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := stamper.Stamp(context.Background(), bytes.NewReader(tt.pdf), &out, tt.mark)
			if !errors.Is(err, ErrCannotStamp) {
				t.Fatalf("Stamp: %v, want ErrCannotStamp", err)
			}
			if out.Len() > 0 {
				t.Errorf("%d bytes written despite the error", out.Len())
			}
		})
	}
}

// TestStampCancelled: a cancelled request is not the document's fault.
func TestStampCancelled(t *testing.T) {
	f := open(t, filepath.Join(corpusDir, darrois))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := stamper.Stamp(ctx, f, &bytes.Buffer{}, Mark{Name: "Anne", Date: day})
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrCannotStamp) {
		t.Errorf("Stamp: %v, want context.Canceled and not ErrCannotStamp", err)
	}
}

// TestStampPDFA: a PDF/A-1b original gives a copy that still opens, passes pdfcpu's
// relaxed validation and declares no layers (PDF/A-1 forbids them; pdfcpu adds one for
// its stamps).
func TestStampPDFA(t *testing.T) {
	needTools(t, "pdfinfo")
	out := stampFile(t, filepath.Join(corpusDir, darrois), Mark{Name: "Anne", Date: day})
	if cmd := exec.Command("pdfinfo", out); cmd.Run() != nil {
		t.Errorf("pdfinfo cannot open the copy")
	}
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationRelaxed
	if err := api.Validate(open(t, out), conf); err != nil {
		t.Errorf("relaxed validation of the copy: %v", err)
	}
	doc, err := api.ReadContext(open(t, out), conf)
	if err != nil {
		t.Fatal(err)
	}
	root, err := doc.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	if layers, ok := root.Find("OCProperties"); ok {
		t.Errorf("the copy declares layers: %v", layers)
	}
}

// TestStampOverHiddenLayer: pdfcpu puts its stamps in the document's first layer; in a
// document whose first layer is off, the stamp would not show.
func TestStampOverHiddenLayer(t *testing.T) {
	needTools(t, "pdftotext")
	in := withHiddenLayer(t, filepath.Join(corpusDir, darrois))
	m := Mark{Name: "Anne Dupré", Date: day, Ref: "1 J 5"}
	for i, page := range textPages(t, stampFile(t, in, m)) {
		if !hasLine(page, m.Text()) {
			t.Errorf("page %d: no stamp shown", i+1)
		}
	}
}

// withHiddenLayer writes a copy of the PDF at in that declares one layer, off.
func withHiddenLayer(t *testing.T, in string) string {
	t.Helper()
	doc, err := api.ReadContext(open(t, in), model.NewDefaultConfiguration())
	if err != nil {
		t.Fatal(err)
	}
	layer, err := doc.IndRefForNewObject(types.Dict{"Type": types.Name("OCG"), "Name": types.StringLiteral("Brouillon")})
	if err != nil {
		t.Fatal(err)
	}
	root, err := doc.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	root.Update("OCProperties", types.Dict{
		"OCGs": types.Array{*layer},
		"D":    types.Dict{"BaseState": types.Name("OFF"), "OFF": types.Array{*layer}, "Order": types.Array{*layer}},
	})
	out := filepath.Join(t.TempDir(), "layers.pdf")
	if err := api.WriteContextFile(doc, out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestStampConcurrent: copies made at the same time for different people each carry
// their own name, on every page (pdfcpu keeps fonts and configuration in globals).
func TestStampConcurrent(t *testing.T) {
	needTools(t, "pdftotext")
	in, err := os.ReadFile(filepath.Join(corpusDir, darrois))
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"Łukasz Żółć", "Ærøskøbing", "Ċensu", "Борис", "Ἀλέξανδρος", "Şükrü", "Nguyễn", "Jiří"}
	outs := make([][]byte, len(names))
	errs := make([]error, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Go(func() {
			var b bytes.Buffer
			errs[i] = stamper.Stamp(context.Background(), bytes.NewReader(in), &b, Mark{Name: name, Date: day, Ref: fmt.Sprint(i)})
			outs[i] = b.Bytes()
		})
	}
	wg.Wait()
	for i, name := range names {
		if errs[i] != nil {
			t.Errorf("%s: %v", name, errs[i])
			continue
		}
		path := filepath.Join(t.TempDir(), "copy.pdf")
		if err := os.WriteFile(path, outs[i], 0o644); err != nil {
			t.Fatal(err)
		}
		want := Mark{Name: name, Date: day, Ref: fmt.Sprint(i)}.Text()
		pages := textPages(t, path)
		for p, page := range pages {
			if strings.Count(page, "Copie de consultation") != 1 || !hasLine(page, want) {
				t.Errorf("%s, page %d: want exactly %q, got:\n%s", name, p+1, want, lastLines(page, 3))
			}
		}
		if len(pages) != 5 {
			t.Errorf("%s: %d pages, want 5", name, len(pages))
		}
	}
}

// TestStampLeavesContentVisible renders page 1 of the original and of the copy: the
// copy is the original, not one pixel changed, with the band below it holding the (dark
// red) line, at the bottom as the reader sees the page and upright, rotated pages
// included.
func TestStampLeavesContentVisible(t *testing.T) {
	needTools(t, "pdftoppm")
	dir := t.TempDir()
	files := []string{filepath.Join(corpusDir, darrois), filepath.Join(corpusDir, "ocrmypdf__c02-22.pdf")}
	// A page cropped through its text: what was cut off must not show in the band.
	cut, err := api.PageBoundaries("crop:[30 120 565 812]", types.POINTS)
	if err != nil {
		t.Fatal(err)
	}
	cropped := filepath.Join(dir, "cropped.pdf")
	if err := api.AddBoxesFile(files[0], cropped, nil, cut, nil); err != nil {
		t.Fatal(err)
	}
	files = append(files, cropped)
	// Rotated pages, with a crop box away from the origin on which pdfcpu's own
	// handling of rotated pages shifts the content off the page.
	crop, err := api.PageBoundaries("crop:[30 40 565 812]", types.POINTS)
	if err != nil {
		t.Fatal(err)
	}
	for _, rot := range []int{90, 180, 270} {
		rotated := filepath.Join(dir, fmt.Sprintf("rotated%d.pdf", rot))
		if err := api.RotateFile(files[0], rotated, rot, nil, nil); err != nil {
			t.Fatal(err)
		}
		cropped := filepath.Join(dir, fmt.Sprintf("rotated%d-cropped.pdf", rot))
		if err := api.AddBoxesFile(rotated, cropped, nil, crop, nil); err != nil {
			t.Fatal(err)
		}
		files = append(files, rotated, cropped)
	}
	m := Mark{Name: "Łukasz Żółć — Ærøskøbing", Date: day, Ref: "3 E 12/4", Request: "42"}
	reference := render(t, stampFile(t, files[0], m))
	upright := inkProfile(reference, inkBox(reference, reference.Bounds().Max.Y-bandHeight*renderDPI/72))
	for _, in := range files {
		t.Run(filepath.Base(in), func(t *testing.T) {
			out := stampFile(t, in, m)
			before, after := render(t, in), render(t, out)
			bb, ab := before.Bounds(), after.Bounds()
			bandPixels := bandHeight * renderDPI / 72
			if ab.Dx() != bb.Dx() || ab.Dy()-bb.Dy() != bandPixels {
				t.Fatalf("page of %dx%d pixels became %dx%d, want %d pixels taller", bb.Dx(), bb.Dy(), ab.Dx(), ab.Dy(), bandPixels)
			}
			// The original's last row may be a partial pixel, blended with the band.
			if diff := differentPixels(before, after, bb.Max.Y-1); diff > 0 {
				t.Errorf("%d pixels of the original page changed in the copy", diff)
			}
			if n := stampPixels(after, bb.Max.Y); n < 100 {
				t.Fatalf("%d stamp-coloured pixels in the band, want some hundreds", n)
			}
			ink := inkBox(after, bb.Max.Y)
			if n := darkPixels(after, bb.Max.Y, ink.Inset(-1)); n > 0 {
				t.Errorf("%d dark pixels in the band besides the line", n)
			}
			profile := inkProfile(after, ink)
			same, turned := profileDistance(profile, upright, false), profileDistance(profile, upright, true)
			if same > turned/2 {
				t.Errorf("the line does not read upright: its ink differs from the upright line's by %.1f, from the same turned over by %.1f", same, turned)
			}
		})
	}
}

// inkBox is the smallest rectangle holding the stamp-coloured pixels from row from down.
func inkBox(img image.Image, from int) image.Rectangle {
	var box image.Rectangle
	b := img.Bounds()
	for y := from; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if stampColoured(img, x, y) {
				box = box.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	return box
}

// darkPixels counts the pixels from row from down, outside line, that are not white.
func darkPixels(img image.Image, from int, line image.Rectangle) int {
	n := 0
	b := img.Bounds()
	for y := from; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if r, g, bl, _ := img.At(x, y).RGBA(); !image.Pt(x, y).In(line) && r+g+bl < 3*0xf000 {
				n++
			}
		}
	}
	return n
}

// inkProfile cuts box in 48 columns and gives the share of stamp-coloured pixels in
// each: the shape of the line along its length, whatever its size and a pixel more or
// less.
func inkProfile(img image.Image, box image.Rectangle) [48]float64 {
	var ink, all [48]float64
	for y := box.Min.Y; y < box.Max.Y; y++ {
		for x := box.Min.X; x < box.Max.X; x++ {
			c := (x - box.Min.X) * len(ink) / box.Dx()
			all[c]++
			if stampColoured(img, x, y) {
				ink[c]++
			}
		}
	}
	for c := range ink {
		if all[c] > 0 {
			ink[c] /= all[c]
		}
	}
	return ink
}

// profileDistance compares two ink profiles, the second read backwards (the line
// turned over) when turned is set.
func profileDistance(a, b [48]float64, turned bool) float64 {
	sum := 0.0
	for c := range a {
		bc := c
		if turned {
			bc = len(b) - 1 - c
		}
		sum += math.Abs(a[c] - b[bc])
	}
	return sum
}

// differentPixels counts the pixels that differ between a and b above row below.
func differentPixels(a, b image.Image, below int) int {
	n := 0
	for y := a.Bounds().Min.Y; y < below; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			if a.At(x, y) != b.At(x, y) {
				n++
			}
		}
	}
	return n
}

// stampPixels counts reddish pixels from row from down: the stamp's ink.
func stampPixels(img image.Image, from int) int {
	n := 0
	b := img.Bounds()
	for y := from; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if stampColoured(img, x, y) {
				n++
			}
		}
	}
	return n
}

// stampColoured tells the stamp's dark red from black, white and greys.
func stampColoured(img image.Image, x, y int) bool {
	r, g, b, _ := img.At(x, y).RGBA()
	return r > g+0x2000 && r > b+0x2000
}

func TestNewMissingFont(t *testing.T) {
	_, err := New(t.TempDir(), filepath.Join(t.TempDir(), "DejaVuSans.ttf"))
	if err == nil || !strings.Contains(err.Error(), "fonts-dejavu-core") {
		t.Errorf("New with no font file: %v, want an error naming fonts-dejavu-core", err)
	}
}

// TestNewOnePerProcess: pdfcpu's directories are process-wide; a second Stamper
// elsewhere would silently move the first one's fonts.
func TestNewOnePerProcess(t *testing.T) {
	if _, err := New(dataDir, ""); err != nil {
		t.Errorf("New again with the same directory: %v", err)
	}
	if _, err := New(t.TempDir(), ""); err == nil {
		t.Errorf("New with another directory: no error")
	}
}

// TestConfigInDataDir: pdfcpu's configuration and the stamp font live in the data
// directory (HOME is checked by TestMain).
func TestConfigInDataDir(t *testing.T) {
	for _, f := range []string{"pdfcpu/config.yml", "pdfcpu/fonts/" + fontName + ".gob"} {
		if _, err := os.Stat(filepath.Join(dataDir, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

func BenchmarkStamp(b *testing.B) {
	for _, bench := range []struct{ name, file string }{
		{"5p", darrois},
		{"158p", "vitam__VITAM_Gestion_habilitations.pdf"},
		{"1280p", "linuxcnc__LinuxCNC_Documentation_fr.pdf"},
	} {
		b.Run(bench.name, func(b *testing.B) {
			in, err := os.ReadFile(filepath.Join(corpusDir, bench.file))
			if err != nil {
				b.Fatal(err)
			}
			m := Mark{Name: "Łukasz Żółć", Date: day, Ref: "3 E 12/4", Request: "42"}
			b.SetBytes(int64(len(in)))
			var out bytes.Buffer
			for b.Loop() {
				out.Reset()
				if err := stamper.Stamp(context.Background(), bytes.NewReader(in), &out, m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// needTools fails when poppler is missing: these tests read the copies as a reader's
// tools do, and would prove nothing without them.
func needTools(t testing.TB, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s not installed (Debian package poppler-utils)", tool)
		}
	}
}

func open(t testing.TB, path string) *os.File {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// stampFile stamps the PDF at in and returns the path of the copy.
func stampFile(t testing.TB, in string, m Mark) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "copy.pdf")
	w, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := stamper.Stamp(context.Background(), open(t, in), w, m); err != nil {
		t.Fatalf("Stamp %s: %v", filepath.Base(in), err)
	}
	return out
}

// encrypt locks pdf with a user password, as a producer who protects a file would.
func encrypt(t testing.TB, pdf []byte, password string) []byte {
	t.Helper()
	conf := model.NewAESConfiguration(password, password+"-owner", 256)
	var out bytes.Buffer
	if err := api.Encrypt(bytes.NewReader(pdf), &out, conf); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// textPages is `pdftotext -enc UTF-8` split at its form feeds, without the word
// joiners the stamp puts in to keep pdfcpu from reading "%p" or "\n" as templates.
func textPages(t testing.TB, path string) []string {
	t.Helper()
	out, err := exec.Command("pdftotext", "-q", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext %s: %v", path, err)
	}
	pages := strings.Split(strings.ReplaceAll(string(out), wordJoiner, ""), "\f")
	return pages[:len(pages)-1] // every page, the last one too, ends with \f
}

// hasLine reports whether the page text holds line, up to spacing: pdftotext sometimes
// breaks a line that a reader sees whole.
func hasLine(page, line string) bool {
	return strings.Contains(strings.Join(strings.Fields(page), " "), line)
}

// missingLines are the non-blank lines of the original page text that the copy's page
// text does not contain.
func missingLines(original, stamped string) []string {
	var missing []string
	for _, line := range strings.Split(original, "\n") {
		if strings.TrimSpace(line) != "" && !strings.Contains(stamped, line) {
			missing = append(missing, line)
		}
	}
	return missing
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

func pdfinfo(t testing.TB, path string) map[string]string {
	t.Helper()
	out, err := exec.Command("pdfinfo", path).Output()
	if err != nil {
		t.Fatalf("pdfinfo %s: %v", path, err)
	}
	info := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok {
			info[k] = strings.TrimSpace(v)
		}
	}
	return info
}

func pageCount(t testing.TB, path string) int {
	t.Helper()
	var n int
	if _, err := fmt.Sscan(pdfinfo(t, path)["Pages"], &n); err != nil {
		t.Fatalf("pdfinfo %s: page count: %v", path, err)
	}
	return n
}

// renderDPI makes the band a whole number of pixels.
const renderDPI = 60

// render draws page 1 as the portal's reviewers looked at it.
func render(t testing.TB, pdf string) image.Image {
	t.Helper()
	prefix := filepath.Join(t.TempDir(), "page")
	if out, err := exec.Command("pdftoppm", "-cropbox", "-r", fmt.Sprint(renderDPI), "-png", "-f", "1", "-l", "1", "-singlefile", pdf, prefix).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm %s: %v: %s", pdf, err, out)
	}
	img, err := png.Decode(open(t, prefix+".png"))
	if err != nil {
		t.Fatal(err)
	}
	return img
}
