package pdftext

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/pdfcpu/pdfcpu/pkg/api"
)

// TestPDFAClaim: the PDF/A claim is read from the XMP metadata (pdfcpu), scans included.
func TestPDFAClaim(t *testing.T) {
	needTools(t, "pdftotext")
	tests := []struct {
		pdf  string
		want string
	}{
		{"dip__20110315_DI_AN_PJL_Darrois.pdf", "1B"},
		{"seda__DGP_SIAF_2010_002.pdf", "1A"},
		{"vitam-sip__RICOH_scan_pdfa.pdf", "1A"},
		{"vitam__Vademecum_glossaire.pdf", ""},
		{"vitam-sip__CCSDS_OAIS_encrypted.pdf", ""}, // XMP metadata, but no PDF/A claim
	}
	for _, tt := range tests {
		r := extractCached(t, Options{OCR: OCROff}, corpusFile(tt.pdf))
		if r.PDFA != tt.want {
			t.Errorf("%s: PDFA %q, want %q", tt.pdf, r.PDFA, tt.want)
		}
	}
}

func TestPDFAFromXMP(t *testing.T) {
	const rdf = `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">%s</rdf:RDF></x:xmpmeta>`
	tests := []struct {
		name, desc, want string
	}{
		{"elements", `<rdf:Description xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"><pdfaid:part>1</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance></rdf:Description>`, "1B"},
		{"attributes", `<rdf:Description xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/" pdfaid:part="2" pdfaid:conformance="u"/>`, "2U"},
		{"PDF/A-4 without conformance", `<rdf:Description xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/" pdfaid:part="4"/>`, "4"},
		{"no claim", `<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:format>application/pdf</dc:format></rdf:Description>`, ""},
		{"another namespace", `<rdf:Description xmlns:pdfaid="http://example.org/"><pdfaid:part>1</pdfaid:part></rdf:Description>`, ""},
		{"broken XML", `<rdf:Description xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"><pdfaid:part>3</pdfaid:part><pdfaid:conformance>A`, "3A"},
	}
	for _, tt := range tests {
		got := pdfaFromXMP([]byte(strings.Replace(rdf, "%s", tt.desc, 1)))
		if got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestPagesAndWriteText: pages are numbered from 1, and written with a form feed between
// them, as pdftotext does.
func TestPagesAndWriteText(t *testing.T) {
	needTools(t, "pdftotext")
	r := extractCached(t, Options{OCR: OCROff}, corpusFile("vitam__Vademecum_glossaire.pdf"))
	if r.Status != StatusOK || r.PageCount != 2 || len(r.Pages) != 2 {
		t.Fatalf("got %s %q, %d pages (%d listed); want ok, 2 pages", r.Status, r.Reason, r.PageCount, len(r.Pages))
	}
	for i, p := range r.Pages {
		if p.Number != i+1 || p.Source != SourceText || p.Text == "" {
			t.Errorf("page %d: number %d, source %s, %d bytes", i+1, p.Number, p.Source, len(p.Text))
		}
	}
	if !strings.HasPrefix(r.Pages[0].Text, "Notions utilisées dans la solution logicielle Vitam") {
		t.Errorf("page 1 starts %q", excerpt(r.Pages[0].Text))
	}
	var b bytes.Buffer
	if err := WriteText(&b, r); err != nil {
		t.Fatal(err)
	}
	want := r.Pages[0].Text + "\n\f" + r.Pages[1].Text + "\n"
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("WriteText (-want +got):\n%s", diff)
	}
}

// TestCompoundsKeepTheirHyphen: where a compound falls at a line end, plain pdftotext
// glues it ("soussection") although the document writes "sous-section"; we keep the
// hyphen, and still rejoin words the document writes whole.
func TestCompoundsKeepTheirHyphen(t *testing.T) {
	needTools(t, "pdftotext")
	path := corpusFile("vitam__VITAM_Gestion_habilitations.pdf")
	plain := strings.Join(plainPages(t, path), "\n")
	r := extractCached(t, Options{OCR: OCROff}, path)
	var texts []string
	for _, p := range r.Pages {
		texts = append(texts, p.Text)
	}
	ours := strings.Join(texts, "\n")
	gluedPlain, gluedOurs := strings.Count(plain, "soussection"), strings.Count(ours, "soussection")
	if gluedPlain == 0 || gluedOurs != 0 {
		t.Errorf(`"soussection": plain pdftotext %d, ours %d; want some, none`, gluedPlain, gluedOurs)
	}
	if got, min := strings.Count(ours, "sous-section"), strings.Count(plain, "sous-section")+gluedPlain; got < min {
		t.Errorf(`"sous-section": %d, want at least %d`, got, min)
	}
	if strings.Contains(ours, "-\n") && strings.Count(ours, "-\n") > strings.Count(plain, "-\n") {
		t.Errorf("%d hyphens left at line ends, plain pdftotext %d", strings.Count(ours, "-\n"), strings.Count(plain, "-\n"))
	}
}

// TestOldTeXAccents: "The TeXbook" in French, made with MiKTeX pdfTeX 1.20a, comes out of
// pdftotext with accents apart from their letters, and with î as a dotless i and a
// combining circumflex that NFC cannot compose.
func TestOldTeXAccents(t *testing.T) {
	needTools(t, "pdftotext")
	path := corpusFile("texlive__fbook_tex-pour-l-impatient.pdf")
	plain := strings.Join(plainPages(t, path), "\n")
	r := extractCached(t, Options{OCR: OCROff}, path)
	var b strings.Builder
	for _, p := range r.Pages {
		b.WriteString(p.Text + "\n")
	}
	ours := b.String()
	for _, w := range []string{"boîtes", "connaître", "système", "français", "définition", "à"} {
		if !strings.Contains(ours, w) {
			t.Errorf("%q not in our text", w)
		}
	}
	if n := strings.Count(plain, "ı\u0302"); n == 0 || strings.Contains(ours, "ı\u0302") {
		t.Errorf(`"ı̂": %d in plain pdftotext, %d in ours; want some, none`, n, strings.Count(ours, "ı\u0302"))
	}
	if strings.Contains(nfc(plain), "boîtes") {
		t.Errorf(`plain pdftotext already has "boîtes" after NFC: this test no longer tests anything`)
	}
}

// TestBlankPages: a blank page (TeX's empty left-hand pages) has no text, but the
// document lacks nothing.
func TestBlankPages(t *testing.T) {
	needTools(t, "pdftotext")
	quietPdfcpu()
	out := filepath.Join(t.TempDir(), "avec-page-blanche.pdf")
	if err := api.InsertPagesFile(corpusFile("vitam__Vademecum_glossaire.pdf"), out, []string{"2"}, true, nil, nil); err != nil {
		t.Fatalf("insert a blank page: %v", err)
	}
	r := New(Options{}).Extract(context.Background(), out)
	if diff := cmp.Diff([]Source{SourceText, SourceNone, SourceText}, sources(r)); diff != "" {
		t.Errorf("page sources (-want +got):\n%s", diff)
	}
	if r.Status != StatusOK || r.Reason != "" {
		t.Errorf("got %s %q, want ok", r.Status, r.Reason)
	}
}

// TestForgedPageCount: a document declaring more pages than its page tree holds (here
// /Count 5 for 2 pages) gets its real page count; poppler, which believes the
// declaration, repeats the last page three times.
func TestForgedPageCount(t *testing.T) {
	needTools(t, "pdftotext")
	b, err := os.ReadFile(corpusFile("vitam__Vademecum_glossaire.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Count(b, []byte("/Count 2")) != 1 {
		t.Fatal("the glossary no longer has one /Count 2 in clear")
	}
	path := writeFile(t, "count.pdf", bytes.Replace(b, []byte("/Count 2"), []byte("/Count 5"), 1))
	r := New(Options{}).Extract(context.Background(), path)
	if r.Status != StatusOK || r.PageCount != 2 || len(r.Pages) != 2 {
		t.Errorf("got %s %q, %d pages; want ok, 2 pages (detail: %s)", r.Status, r.Reason, r.PageCount, r.Detail)
	}
	if !strings.Contains(r.Detail, "declared 5, page tree 2") {
		t.Errorf("detail %q does not tell the mismatch", r.Detail)
	}
}

// TestTransient: the reasons a retry can change are told from those of the file itself.
func TestTransient(t *testing.T) {
	tests := []struct {
		status Status
		reason string
		want   bool
	}{
		{"", "", true}, // imported with --no-text
		{StatusError, reasonTimeout, true},
		{StatusError, "pdftotext non installé (paquet poppler-utils)", true},
		{StatusNoText, "pages numérisées sans couche texte ; OCR indisponible (tesseract non installé)", true},
		{StatusPartial, "1 page sur 2 sans texte : pages numérisées sans couche texte ; " + reasonOCRTimeout, true},
		{StatusError, reasonInterrupted, true},
		{StatusOK, "", false},
		{StatusError, reasonPassword, false},
		{StatusError, reasonDamaged, false},
		{StatusError, reasonCPU, false},
		{StatusNoText, "pages sans couche texte ; échec de l'OCR (temps de calcul dépassé) ; " + reasonSlowRender, false},
		{StatusNoText, causeBlank, false},
	}
	for _, tt := range tests {
		if got := Transient(tt.status, tt.reason); got != tt.want {
			t.Errorf("Transient(%q, %q) = %v, want %v", tt.status, tt.reason, got, tt.want)
		}
	}
}
