package pdftext

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
)

// writeFile writes data to a file in a fresh temporary directory.
func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// passwordProtected encrypts a corpus PDF with a user password, as a mayor's office
// might before sending a file by mail.
func passwordProtected(t *testing.T) string {
	t.Helper()
	quietPdfcpu()
	out := filepath.Join(t.TempDir(), "protege.pdf")
	conf := model.NewAESConfiguration("secret", "owner-secret", 256)
	if err := api.EncryptFile(corpusFile("vitam__Vademecum_glossaire.pdf"), out, conf); err != nil {
		t.Fatalf("encrypt: %v", err)
	}
	return out
}

// truncatedCopy is the first half of a real PDF: a transfer cut short.
func truncatedCopy(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(corpusFile(name))
	if err != nil {
		t.Fatal(err)
	}
	return writeFile(t, "tronque.pdf", b[:len(b)/2])
}

// TestUnreadableFiles: a file that cannot be read gives Status error and a clear French
// reason, never a panic or a hang, and the caller goes on.
func TestUnreadableFiles(t *testing.T) {
	needTools(t, "pdftotext")
	tests := []struct {
		name       string
		path       func(t *testing.T) string
		wantReason string
	}{
		{"password-protected", passwordProtected, "protégé par mot de passe"},
		{"truncated LibreOffice PDF", func(t *testing.T) string { return truncatedCopy(t, "vitam__VITAM_Regles_de_gestion.pdf") }, "fichier tronqué ou endommagé"},
		{"truncated pdfTeX PDF", func(t *testing.T) string { return truncatedCopy(t, "texlive__droit-fr.pdf") }, "fichier tronqué ou endommagé"},
		{"text file named .pdf", func(t *testing.T) string {
			return writeFile(t, "deliberation.pdf", []byte("Délibération n° 2024-12 du conseil municipal\n"))
		}, "ce n'est pas un PDF"},
		{"empty file", func(t *testing.T) string { return writeFile(t, "vide.pdf", nil) }, "ce n'est pas un PDF"},
		{"PDF header and nothing else", func(t *testing.T) string { return writeFile(t, "entete.pdf", []byte("%PDF-1.4\n")) }, "fichier tronqué ou endommagé"},
		{"missing file", func(t *testing.T) string { return filepath.Join(t.TempDir(), "absent.pdf") }, "fichier introuvable ou illisible"},
		{"directory", func(t *testing.T) string { return t.TempDir() }, "ce n'est pas un PDF"},
	}
	x := New(Options{OCR: OCROff})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := x.Extract(context.Background(), tt.path(t))
			if r.Status != StatusError || r.Reason != tt.wantReason {
				t.Errorf("got %s %q, want error %q (detail: %s)", r.Status, r.Reason, tt.wantReason, r.Detail)
			}
			if r.Detail == "" || len(r.Pages) != 0 {
				t.Errorf("detail %q, %d pages; want a technical detail and no page", r.Detail, len(r.Pages))
			}
		})
	}
}

// TestEncryptedWithPermissions: a PDF encrypted with an empty user password (permissions
// only) is read, and says it is encrypted.
func TestEncryptedWithPermissions(t *testing.T) {
	needTools(t, "pdftotext")
	r := extractCached(t, Options{OCR: OCROff}, corpusFile("vitam-sip__CCSDS_OAIS_encrypted.pdf"))
	if r.Status != StatusOK || !r.Encrypted || r.PageCount != 135 {
		t.Fatalf("got %s %q, encrypted %v, %d pages; want ok, encrypted, 135 pages", r.Status, r.Reason, r.Encrypted, r.PageCount)
	}
	if !strings.Contains(strings.Join(strings.Fields(r.Pages[0].Text), " "), "OPEN ARCHIVAL INFORMATION SYSTEM") {
		t.Errorf("page 1 = %q, want the title of the OAIS reference model", excerpt(r.Pages[0].Text))
	}
}

// TestSizeLimitRunsNothing: a file above MaxBytes is refused before any tool runs (the
// tools here do not exist, so running one would give another reason).
func TestSizeLimitRunsNothing(t *testing.T) {
	nothing := func(name string) (string, error) { return "/nonexistent/" + name, nil }
	x := New(Options{MaxBytes: 10_000, lookPath: nothing, OCR: OCROff})
	r := x.Extract(context.Background(), corpusFile("vitam__Vademecum_glossaire.pdf"))
	want := "fichier trop volumineux (42 Ko ; limite 10 Ko)"
	if r.Status != StatusError || r.Reason != want {
		t.Errorf("got %s %q, want error %q", r.Status, r.Reason, want)
	}
	r = x.Extract(context.Background(), writeFile(t, "note.pdf", []byte("pas un PDF")))
	if r.Reason != reasonNotPDF {
		t.Errorf("non-PDF: got %q, want %q before any tool runs", r.Reason, reasonNotPDF)
	}
}

// TestTimeoutKills: a command that outlives its timeout is killed and the extraction
// ends at once with "délai dépassé".
func TestTimeoutKills(t *testing.T) {
	needTools(t, "pdftotext", "sleep")
	x := New(Options{OCR: OCROff})
	sleep, _ := exec.LookPath("sleep")
	x.tools["sleep"] = sleep
	start := time.Now()
	err := x.run(context.Background(), limits{wall: 100 * time.Millisecond}, "sleep", []string{"30"}, drain)
	if reasonOf(err) != reasonTimeout || time.Since(start) > 5*time.Second {
		t.Errorf("sleep 30 with a 100 ms timeout: %v after %s; want %q at once", err, time.Since(start), reasonTimeout)
	}

	x = New(Options{Timeout: time.Millisecond, OCR: OCROff})
	start = time.Now()
	r := x.Extract(context.Background(), corpusFile("texlive__fbook_tex-pour-l-impatient.pdf"))
	if r.Status != StatusError || r.Reason != reasonTimeout || time.Since(start) > 5*time.Second {
		t.Errorf("1 ms timeout: got %s %q after %s; want error %q at once", r.Status, r.Reason, time.Since(start), reasonTimeout)
	}
}

// TestCPULimit: a tool that spins is stopped by its processor time, not by the wall
// clock (which load stretches): the wall-clock limit here is far away.
func TestCPULimit(t *testing.T) {
	needTools(t, "prlimit", "sh")
	x := New(Options{OCR: OCROff})
	sh, _ := exec.LookPath("sh")
	x.tools["sh"] = sh
	err := x.run(context.Background(), limits{cpu: time.Second, wall: time.Hour}, "sh", []string{"-c", "while :; do :; done"}, drain)
	if reasonOf(err) != reasonCPU {
		t.Errorf("a spinning shell with 1 s of processor time: %v (%q), want %q", err, reasonOf(err), reasonCPU)
	}
}

// TestMemoryLimit: a tool that needs more memory than allowed is stopped, and the
// document says so. The limit is a little above what pdftotext needs to start on this
// machine (its libraries), so that it fails at once rather than after pages of work.
func TestMemoryLimit(t *testing.T) {
	needTools(t, "pdftotext", "prlimit")
	x := New(Options{MemLimit: startupAddressSpace(t) + 2<<20, OCR: OCROff})
	r := x.Extract(context.Background(), corpusFile("texlive__lshort-fr.pdf"))
	if r.Status != StatusError || r.Reason != reasonMemory {
		t.Errorf("%d MiB address space: got %s %q (%s), want error %q", x.opts.MemLimit>>20, r.Status, r.Reason, r.Detail, reasonMemory)
	}
}

// startupAddressSpace is the least address space, to the MiB, in which pdftotext
// starts (pdftotext -v).
func startupAddressSpace(t *testing.T) uint64 {
	t.Helper()
	for mib := uint64(8); mib <= 256; mib++ {
		cmd := exec.Command("prlimit", fmt.Sprintf("--as=%d", mib<<20), "pdftotext", "-v")
		if cmd.Run() == nil {
			return mib << 20
		}
	}
	t.Fatal("pdftotext -v does not start in 256 MiB")
	return 0
}

// TestExtractAllGoesOn: a bad file among good ones does not stop the others, results
// come in the order asked, and a cancelled import still gets a result per file.
func TestExtractAllGoesOn(t *testing.T) {
	needTools(t, "pdftotext")
	paths := []string{
		corpusFile("vitam__Vademecum_glossaire.pdf"),
		writeFile(t, "faux.pdf", []byte("bonjour")),
		corpusFile("ocrmypdf__francais.pdf"),
		corpusFile("dip__20110926_DI_AN_PLF_2012_avant_propos_plaquette.pdf"),
	}
	x := New(Options{OCR: OCROff, Workers: 2})
	var got []Status
	for _, r := range x.ExtractAll(context.Background(), paths) {
		got = append(got, r.Status)
	}
	want := []Status{StatusOK, StatusError, StatusNoText, StatusOK}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for i, r := range x.ExtractAll(ctx, paths) {
		if r == nil || r.Status != StatusError {
			t.Errorf("cancelled, file %d: %+v, want an error result", i, r)
		}
	}
}

// TestCappedBuffer: a tool's error output is kept up to its cap, not more.
func TestCappedBuffer(t *testing.T) {
	c := &cappedBuffer{max: 10}
	n, err := io.WriteString(c, strings.Repeat("x", 25))
	if n != 25 || err != nil || c.String() != strings.Repeat("x", 10) {
		t.Errorf("wrote %d, %v, kept %q; want 25, nil, 10 x", n, err, c.String())
	}
}

// TestInflatingStreamsAreBounded: pdfcpu runs in the importer's process, so a small PDF
// whose page content and XMP metadata inflate to hundreds of megabytes (here 128 MiB of
// spaces each, half a megabyte compressed) must cost no more than the examination
// budgets. The page counts as drawn (so OCR may still look at it), and the whole
// inspection allocates a small fraction of what the streams inflate to (pdfcpu's own
// PageContent took 2 GB for a 1 GiB stream).
func TestInflatingStreamsAreBounded(t *testing.T) {
	const inflated, budget = 128 << 20, 48 << 20
	bomb := flateStream(t, "", spaces(inflated))
	path := writeFile(t, "bombe.pdf", buildPDF(
		[]byte("<< /Type /Catalog /Pages 2 0 R /Metadata 5 0 R >>"),
		[]byte("<< /Type /Pages /Kids [3 0 R] /Count 1 >>"),
		[]byte("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>"),
		bomb,
		bytes.Replace(bomb, []byte("<< "), []byte("<< /Type /Metadata /Subtype /XML "), 1),
	))
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f, err := inspect(context.Background(), path, []int{0}, 1, time.Minute)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatalf("inspect: %v", err)
	}
	if f.pages != 1 || f.look(0) != lookUnknown {
		t.Errorf("%d pages, look %d; want 1 page that counts as drawn (%d)", f.pages, f.look(0), lookUnknown)
	}
	alloc := after.TotalAlloc - before.TotalAlloc
	if alloc > budget {
		t.Errorf("inspecting allocated %d MiB for streams inflating to %d MiB; want at most %d MiB",
			alloc>>20, inflated>>20, budget>>20)
	}
}
