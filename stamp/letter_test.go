package stamp

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"image/color"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"sesam"
)

var letterPNG = flag.Bool("letter-png", false, "write page 1 of the sample letter to testdata/letter-page1.png")

var (
	registered = time.Date(2026, 10, 1, 9, 30, 0, 0, time.UTC)
	decided    = time.Date(2026, 11, 25, 16, 0, 0, 0, time.UTC)
	until      = time.Date(2027, 11, 25, 0, 0, 0, 0, time.UTC)
)

// sampleLetter grants one unit online and refuses another, which needed a dérogation.
func sampleLetter() Letter {
	return Letter{
		Authority:   "Centre de gestion du Pas-de-Calais — service d’archives",
		Place:       "Arras",
		Tenant:      "Commune de Ruitz",
		RequestID:   42,
		Requester:   "Anne Dupré",
		Address:     []string{"anne.dupre@example.org"},
		SubmittedAt: registered,
		DecidedAt:   decided,
		Mode:        "online",
		Signatory:   "Marc Lefèvre",
		Units: []LetterUnit{
			{Cote: "1 D 12", Title: "Registre des délibérations du conseil municipal (1990-1995)", Granted: true, Until: until},
			{Cote: "4 W 18", Title: "Dossiers individuels de carrière des agents communaux", Derogation: true,
				Reasons: "Les dossiers contiennent des appréciations sur des personnes nommément désignées (article L213-2, I, 3° du code du patrimoine).\nLa commune a refusé son accord."},
		},
	}
}

// TestLetterSaysTheDecision reads the letters as the requester's tools would and looks
// for what the requester must be told: every unit, its decision, the reasons of a
// refusal and, only when something is refused, how to contest it.
func TestLetterSaysTheDecision(t *testing.T) {
	needTools(t, "pdftotext", "pdfinfo")
	allGranted := sampleLetter()
	allGranted.Units = allGranted.Units[:1]
	readingRoom := sampleLetter()
	readingRoom.Mode = "reading_room"
	readingRoom.Units[1].Granted, readingRoom.Units[1].Until, readingRoom.Units[1].Reasons = true, time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC), ""
	readingRoom.Units[1].Producer = ProducerAgreed
	tests := []struct {
		name          string
		letter        Letter
		want, wantNot []string
	}{
		{"one granted online, one refused", sampleLetter(), []string{
			"Centre de gestion du Pas-de-Calais — service d’archives",
			"Anne Dupré", "anne.dupre@example.org",
			"Arras, le 25 novembre 2026",
			"Objet : votre demande de communication n° 42 du 1er octobre 2026",
			"1 D 12 — Registre des délibérations du conseil municipal (1990-1995)",
			"Décision : accordée jusqu’au 25 novembre 2027, consultation en ligne",
			"4 W 18 — Dossiers individuels de carrière des agents communaux",
			"Décision : refusée (demande de dérogation, article L213-3 du code du patrimoine)",
			"Motifs : Les dossiers contiennent des appréciations sur des personnes nommément désignées (article L213-2, I, 3° du code du patrimoine).",
			"La commune a refusé son accord.",
			"L213-1", "L213-3", "L213-5",
			"Commission d’accès aux documents administratifs (CADA)",
			"dans un délai de deux mois à compter de la notification de la présente décision",
			"préalable obligatoire au recours contentieux devant le tribunal administratif",
			"Marc Lefèvre",
		}, nil},
		{"all granted: no remedies", allGranted,
			[]string{"Décision : accordée jusqu’au 25 novembre 2027, consultation en ligne"},
			[]string{"CADA", "recours", "refusé", "Motifs", "4 W 18", "dérogation, l’accord"}},
		{"reading room, dérogation granted", readingRoom, []string{
			"Décision : accordée jusqu’au 25 novembre 2027, consultation en salle de lecture",
			"Décision : accordée par dérogation (article L213-3 du code du patrimoine), après accord de l’autorité productrice, jusqu’au 1er mars 2027, consultation en salle de lecture",
			"l’accord de l’autorité productrice (Commune de Ruitz) a été sollicité",
		}, []string{"CADA", "Motifs"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pdf := writeLetter(t, tt.letter)
			text := readable(t, strings.Join(layoutPages(t, pdf), "\n"))
			for _, want := range tt.want {
				if !strings.Contains(text, want) {
					t.Errorf("the letter does not say %q; it says:\n%s", want, text)
				}
			}
			for _, not := range tt.wantNot {
				if strings.Contains(text, not) {
					t.Errorf("the letter says %q", not)
				}
			}
			checkPageNumbers(t, pdf)
		})
	}
}

// TestLetterSaysWhatTheProducerAnswered reads the letter's text model (no PDF tools):
// the letter says the producing authority was asked only when it was, names its refusal,
// and lists a withdrawn unit without reasons or remedies.
func TestLetterSaysWhatTheProducerAnswered(t *testing.T) {
	const asked = "l’accord de l’autorité productrice (Commune de Ruitz) a été sollicité"
	with := func(change func(u *LetterUnit)) Letter {
		l := sampleLetter()
		change(&l.Units[1])
		return l
	}
	partly := sampleLetter()
	partly.Units = append(partly.Units, LetterUnit{Cote: "4 W 19", Title: "Dossiers disciplinaires", Derogation: true,
		Producer: ProducerRefused, Reasons: "Refus de la commune."})
	tests := []struct {
		name          string
		letter        Letter
		want, wantNot []string
	}{
		{"dérogation refused without asking the producer", sampleLetter(),
			[]string{"Décision : refusée (demande de dérogation, article L213-3 du code du patrimoine)"},
			[]string{"a été sollicité", "autorité productrice ayant", "après accord de l’autorité productrice"}},
		{"the producer refused", with(func(u *LetterUnit) { u.Producer = ProducerRefused }),
			[]string{"Pour les documents qui relevaient d’une dérogation, " + asked + " avant la décision.",
				"Décision : refusée, l’autorité productrice ayant refusé son accord (demande de dérogation"}, nil},
		{"asked, no answer", with(func(u *LetterUnit) { u.Producer = ProducerAsked }),
			[]string{asked, "l’autorité productrice, consultée, n’avait pas répondu"}, []string{"ayant refusé", "après accord de l’autorité productrice"}},
		{"the producer agreed, the archivist refused", with(func(u *LetterUnit) { u.Producer = ProducerAgreed }),
			[]string{asked, "refusée malgré l’accord de l’autorité productrice"}, []string{"ayant refusé"}},
		{"asked for one dérogation of two", partly,
			[]string{"Pour certains des documents qui relevaient d’une dérogation, " + asked + " avant la décision, comme indiqué ci-dessous."}, nil},
		{"withdrawn", with(func(u *LetterUnit) { u.Withdrawn, u.Reasons, u.Derogation = true, "", true }),
			[]string{"4 W 18", "Décision : demande retirée avant la décision"}, []string{"CADA", "Motifs", "a été sollicité"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := tt.letter.compose()
			if err != nil {
				t.Fatal(err)
			}
			text := strings.ReplaceAll(doc.text(), nbsp, " ")
			for _, want := range tt.want {
				if !strings.Contains(text, want) {
					t.Errorf("the letter does not say %q; it says:\n%s", want, text)
				}
			}
			for _, not := range tt.wantNot {
				if strings.Contains(text, not) {
					t.Errorf("the letter says %q; it says:\n%s", not, text)
				}
			}
		})
	}
}

// TestLetterNames: the requester's name and address print as written, whatever their
// alphabet (core fonts would print "ukasz ó"), decomposed accents are composed, and
// what pdfcpu would read as templates elsewhere ("%p", a backslash-n) is plain text.
func TestLetterNames(t *testing.T) {
	needTools(t, "pdftotext", "pdfinfo")
	l := sampleLetter()
	l.Requester = "Łukasz Z\u0307o\u0301łc\u0301" // Łukasz Żółć, decomposed
	l.Address = []string{"Ul. Świętokrzyska 14 m. 7", "00-050 Warszawa", "Pologne"}
	l.Units[0].Title = `Taux de 100%p et %P, C:\new (voir <annexe>)`
	text := readable(t, strings.Join(layoutPages(t, writeLetter(t, l)), "\n"))
	for _, want := range []string{"Łukasz Żółć", "Ul. Świętokrzyska 14 m. 7", "00-050 Warszawa", "Pologne",
		`1 D 12 — Taux de 100%p et %P, C:\new (voir <annexe>)`} {
		if !strings.Contains(text, want) {
			t.Errorf("the letter does not say %q; it says:\n%s", want, text)
		}
	}
}

// TestLetterLong: a request for 40 units with long titles and reasons, one unit whose
// reasons are longer than a page and a cote too long for a line. The letter flows onto
// further pages and loses nothing: every cote exactly once, every title and reason
// whole, every word inside the margins, no two words on top of each other, every page
// numbered out of the total.
func TestLetterLong(t *testing.T) {
	needTools(t, "pdftotext", "pdfinfo")
	l := longLetter()
	pdf := writeLetter(t, l)
	pages := layoutPages(t, pdf)
	if len(pages) < 3 {
		t.Fatalf("%d pages for 40 units with long reasons", len(pages))
	}
	checkPageNumbers(t, pdf)
	text := readable(t, strings.Join(pages, "\n"))
	squeezed := strings.Join(strings.Fields(text), "")
	for _, u := range l.Units {
		cote := strings.Join(strings.Fields(u.Cote), "")
		if n := strings.Count(squeezed, cote); n != 1 {
			t.Errorf("cote %q is in the letter %d times", u.Cote, n)
		}
		if !strings.Contains(text, u.Title) {
			t.Errorf("title of %s is not whole in the letter: %q", u.Cote, u.Title)
		}
		for _, r := range strings.Split(u.Reasons, "\n") {
			if !strings.Contains(text, r) {
				t.Errorf("reason of %s is not whole in the letter: %q", u.Cote, r)
			}
		}
	}
	for _, want := range []string{"CADA", "Marc Lefèvre"} {
		if !strings.Contains(text, want) {
			t.Errorf("the letter does not say %q", want)
		}
	}
	checkPlacement(t, pdf)
}

func longLetter() Letter {
	l := sampleLetter()
	l.Units = nil
	for i := 1; i <= 40; i++ {
		u := LetterUnit{
			Cote:  fmt.Sprintf("3 E %03d", i),
			Title: fmt.Sprintf("Dossier %d : correspondance, rapports et pièces justificatives relatifs à l’aménagement du secteur %d, avec plans, devis estimatifs et délibérations afférentes", i, i),
		}
		switch {
		case i%3 == 0:
			u.Granted, u.Until = true, until
		case i == 20:
			// Reasons longer than a page: the entry must be split, not cut.
			var rr []string
			for j := 1; j <= 60; j++ {
				rr = append(rr, fmt.Sprintf("Motif détaillé numéro %d : le document contient des informations relatives à la vie privée de personnes identifiables.", j))
			}
			u.Reasons = strings.Join(rr, "\n")
		default:
			u.Derogation = i%2 == 0
			u.Reasons = fmt.Sprintf("Le dossier %d comporte des informations dont la communication porterait atteinte à la protection de la vie privée (article L213-2, I, 3° du code du patrimoine) ; le délai de cinquante ans n’est pas échu et l’autorité productrice n’a pas donné son accord.", i)
		}
		l.Units = append(l.Units, u)
	}
	l.Units[7].Cote = "FRAD062_RUITZ_" + strings.Repeat("0123456789", 12) // no space to break at
	return l
}

// TestLetterRefuses: no letter rather than a wrong one.
func TestLetterRefuses(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Letter)
		want   error
		says   string
	}{
		{"a character the font lacks", func(l *Letter) { l.Requester = "王小明" }, ErrCannotStamp, "U+738B"},
		{"refusal without reasons", func(l *Letter) { l.Units[1].Reasons = " \n " }, sesam.ErrInvalid, "L213-5"},
		{"unknown mode", func(l *Letter) { l.Mode = "postal" }, sesam.ErrInvalid, "postal"},
		{"no unit", func(l *Letter) { l.Units = nil }, sesam.ErrInvalid, "Units"},
		{"no signatory", func(l *Letter) { l.Signatory = "\t" }, sesam.ErrInvalid, "Signatory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := sampleLetter()
			tt.change(&l)
			var out bytes.Buffer
			err := stamper.Letter(context.Background(), &out, l)
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.says) {
				t.Errorf("Letter: %v, want an error wrapping %v that says %q", err, tt.want, tt.says)
			}
			if out.Len() > 0 {
				t.Errorf("%d bytes written", out.Len())
			}
		})
	}
}

// TestLetterConcurrent writes letters to people whose names use different glyphs at
// the same time: each letter embeds the glyphs of its own text, and only those.
func TestLetterConcurrent(t *testing.T) {
	needTools(t, "pdftotext")
	names := []string{"Łukasz Żółć", "Ċensu Борисов", "Ἀλέξανδρος Παπαδόπουλος", "Nguyễn Thị Ánh Tuyết", "Şükrü Ağaoğlu", "Jiří Dvořák"}
	pdfs := make([][]byte, len(names))
	errs := make([]error, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Go(func() {
			l := sampleLetter()
			l.Requester = name
			var out bytes.Buffer
			errs[i] = stamper.Letter(context.Background(), &out, l)
			pdfs[i] = out.Bytes()
		})
	}
	wg.Wait()
	for i, name := range names {
		if errs[i] != nil {
			t.Errorf("letter to %s: %v", name, errs[i])
			continue
		}
		path := filepath.Join(t.TempDir(), "lettre.pdf")
		if err := os.WriteFile(path, pdfs[i], 0o644); err != nil {
			t.Fatal(err)
		}
		if text := readable(t, strings.Join(layoutPages(t, path), "\n")); !strings.Contains(text, name) {
			t.Errorf("the letter to %s does not name them; it begins:\n%.300s", name, text)
		}
	}
}

func TestLetterCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out bytes.Buffer
	if err := stamper.Letter(ctx, &out, sampleLetter()); !errors.Is(err, context.Canceled) {
		t.Errorf("Letter with a cancelled context: %v", err)
	}
}

func TestFrenchDate(t *testing.T) {
	tests := []struct {
		day  time.Time
		want string
	}{
		{time.Date(2026, 11, 25, 23, 59, 0, 0, time.UTC), "25 novembre 2026"},
		{time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC), "1er mars 2027"},
		{time.Date(2027, 8, 15, 0, 0, 0, 0, time.UTC), "15 août 2027"},
		{time.Date(2027, 2, 2, 0, 0, 0, 0, time.UTC), "2 février 2027"},
		{time.Date(2027, 12, 31, 0, 0, 0, 0, time.UTC), "31 décembre 2027"},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, strings.ReplaceAll(frenchDate(tt.day), nbsp, " ")); diff != "" {
			t.Errorf("frenchDate(%s) (-want +got):\n%s", tt.day.Format(time.DateOnly), diff)
		}
	}
}

// TestLetterPageOne renders page 1 as a reader's viewer would: nothing is drawn in the
// side margins, and the recipient's block sits in an envelope's window (right half,
// 110 mm from the left edge).
func TestLetterPageOne(t *testing.T) {
	needTools(t, "pdftoppm")
	pdf := writeLetter(t, sampleLetter())
	img := render(t, pdf)
	scale := float64(renderDPI) / 72
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			inside := float64(x) >= (marginL-1)*scale && float64(x) < (pageW-marginR+1)*scale
			if !inside && !white(img.At(x, y)) {
				t.Fatalf("ink in the margin at (%d, %d) px", x, y)
			}
		}
	}
	if *letterPNG {
		out, err := exec.Command("pdftoppm", "-r", "66", "-gray", "-png", "-f", "1", "-l", "1", "-singlefile", pdf, filepath.Join("testdata", "letter-page1")).CombinedOutput()
		if err != nil {
			t.Fatalf("pdftoppm: %v: %s", err, out)
		}
	}
}

func white(c color.Color) bool {
	r, g, b, _ := c.RGBA()
	return r > 0xf000 && g > 0xf000 && b > 0xf000
}

func BenchmarkLetter(b *testing.B) {
	l := sampleLetter()
	var out bytes.Buffer
	for b.Loop() {
		out.Reset()
		if err := stamper.Letter(context.Background(), &out, l); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(out.Len()), "bytes/letter")
}

// writeLetter writes l to a file and returns its path.
func writeLetter(t testing.TB, l Letter) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "lettre.pdf")
	var out bytes.Buffer
	if err := stamper.Letter(context.Background(), &out, l); err != nil {
		t.Fatalf("Letter: %v", err)
	}
	if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// layoutPages is `pdftotext -enc UTF-8 -layout`, page by page.
func layoutPages(t testing.TB, path string) []string {
	t.Helper()
	out, err := exec.Command("pdftotext", "-q", "-enc", "UTF-8", "-layout", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext %s: %v", path, err)
	}
	pages := strings.Split(string(out), "\f")
	return pages[:len(pages)-1]
}

// readable joins the text's words with single spaces, so that what the letter wraps
// reads as one line; the no-break spaces of French typography count as spaces. The
// footer lines are left out: they repeat on every page.
func readable(t testing.TB, text string) string {
	t.Helper()
	var kept []string
	for _, ln := range strings.Split(text, "\n") {
		if !strings.Contains(strings.Join(strings.Fields(ln), " "), "Demande de communication n° 42 du") {
			kept = append(kept, ln)
		}
	}
	return strings.Join(strings.Fields(strings.Join(kept, "\n")), " ")
}

var pageNumber = regexp.MustCompile(`page (\d+)/(\d+)\s*$`)

// checkPageNumbers checks that every page ends with "page i/N", N the page count.
func checkPageNumbers(t *testing.T, pdf string) {
	t.Helper()
	n := pageCount(t, pdf)
	pages := layoutPages(t, pdf)
	if len(pages) != n {
		t.Fatalf("pdftotext: %d pages, pdfinfo: %d", len(pages), n)
	}
	for i, page := range pages {
		m := pageNumber.FindStringSubmatch(page)
		if m == nil || m[1] != strconv.Itoa(i+1) || m[2] != strconv.Itoa(n) {
			t.Errorf("page %d does not end with \"page %d/%d\":\n%s", i+1, i+1, n, lastLines(page, 2))
		}
	}
}

var wordBox = regexp.MustCompile(`<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>`)

// checkPlacement reads every word's box (pdftotext -bbox): each must lie within the
// margins, above the page's bottom edge, and overlap no other word.
func checkPlacement(t *testing.T, pdf string) {
	t.Helper()
	out, err := exec.Command("pdftotext", "-q", "-enc", "UTF-8", "-bbox", pdf, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext -bbox: %v", err)
	}
	type box struct {
		x0, y0, x1, y1 float64
		text           string
	}
	for i, page := range strings.Split(string(out), "<page ")[1:] {
		var boxes []box
		for _, m := range wordBox.FindAllStringSubmatch(page, -1) {
			var b box
			for j, f := range []*float64{&b.x0, &b.y0, &b.x1, &b.y1} {
				*f, _ = strconv.ParseFloat(m[j+1], 64)
			}
			b.text = m[5]
			if b.x0 < marginL-0.5 || b.x1 > pageW-marginR+0.5 || b.y0 < marginT-20 || b.y1 > pageH-footerY+6 {
				t.Errorf("page %d: %q at x %.1f–%.1f, y %.1f–%.1f is outside the margins", i+1, b.text, b.x0, b.x1, b.y0, b.y1)
			}
			for _, o := range boxes {
				if w, h := min(b.x1, o.x1)-max(b.x0, o.x0), min(b.y1, o.y1)-max(b.y0, o.y0); w > 0.5 && h > 2 {
					t.Errorf("page %d: %q and %q overlap", i+1, o.text, b.text)
				}
			}
			boxes = append(boxes, b)
		}
		if len(boxes) == 0 {
			t.Errorf("page %d: no text", i+1)
		}
	}
}
