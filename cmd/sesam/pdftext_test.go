package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestPdftextCommand(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext not installed (Debian package poppler-utils)")
	}
	notPDF := filepath.Join(t.TempDir(), "deliberation.pdf")
	if err := os.WriteFile(notPDF, []byte("Délibération du conseil municipal\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantPages  int    // pages in stdout, separated by form feeds; 0 when stdout is empty
		wantOut    string // a line of stdout
		wantStderr string
	}{
		{"two pages", []string{"pdftext", filepath.Join("..", "..", "..", "shared", "testdata", "pdf", "vitam__Vademecum_glossaire.pdf")},
			0, 2, "AIP : voir fiche Structuration de l’information", ""},
		{"thirteen pages", []string{"pdftext", filepath.Join("..", "..", "..", "shared", "testdata", "pdf", "dip__20101130_DI_AN_PJLO_PJL_defenseur_des_droits.pdf")},
			0, 13, "", ""},
		{"not a PDF", []string{"pdftext", notPDF}, 1, 0, "", notPDF + ": ce n'est pas un PDF"},
		{"scan with --ocr", []string{"pdftext", "--ocr", filepath.Join("..", "..", "..", "shared", "testdata", "pdf", "ocrmypdf__francais.pdf")},
			-1, -1, "", ""}, // depends on tesseract: checked below
		{"no file", []string{"pdftext"}, 1, 0, "", "usage: sesam pdftext [--ocr] FILE.pdf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(context.Background(), tt.args, &out, &errb)
			if tt.wantCode < 0 {
				checkOCRCommand(t, code, out.String(), errb.String())
				return
			}
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d; stderr %q", code, tt.wantCode, errb.String())
			}
			if got := pagesOf(out.String()); got != tt.wantPages {
				t.Errorf("%d pages in stdout, want %d", got, tt.wantPages)
			}
			if !strings.Contains(out.String(), tt.wantOut) {
				t.Errorf("stdout lacks %q", tt.wantOut)
			}
			if tt.wantStderr == "" && errb.Len() > 0 || !strings.Contains(errb.String(), tt.wantStderr) {
				t.Errorf("stderr %q, want %q", errb.String(), tt.wantStderr)
			}
		})
	}
}

// checkOCRCommand: --ocr reads a scan when tesseract is there, and says why not when it
// is not.
func checkOCRCommand(t *testing.T, code int, out, stderr string) {
	t.Helper()
	if _, err := exec.LookPath("tesseract"); err != nil {
		if code != 1 || !strings.Contains(stderr, "OCR indisponible") {
			t.Errorf("without tesseract: exit %d, stderr %q; want 1 and the reason", code, stderr)
		}
		return
	}
	if code != 0 || !strings.Contains(out, "Portez ce vieux whisky") {
		t.Errorf("exit %d, stdout %q, stderr %q; want 0 and the OCR text", code, out, stderr)
	}
}

func pagesOf(s string) int {
	if s == "" {
		return 0
	}
	return strings.Count(s, "\f") + 1
}
