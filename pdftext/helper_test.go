package pdftext

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// withoutHelper finds the tools as New does, except sesam-pdftotext: one pdftotext per
// file, as on a machine where the helper was not built.
func withoutHelper(name string) (string, error) {
	if name == helperName {
		return "", exec.ErrNotFound
	}
	return lookTool(name)
}

// TestHelperWordListIsPdftotexts: for every PDF of the shared corpus, the helper prints
// pdftotext's word list to the byte (pdftotext -tsv, which textLayer reads otherwise),
// one document after another in the same process.
func TestHelperWordListIsPdftotexts(t *testing.T) {
	needTools(t, "pdftotext", helperName)
	x := New(Options{})
	h, err := x.startHelper()
	if err != nil {
		t.Fatal(err)
	}
	defer h.stop()
	for _, path := range corpus(t) {
		want, err := exec.Command("pdftotext", "-tsv", "-enc", "UTF-8", "-eol", "unix", path, "-").Output()
		if err != nil {
			t.Fatalf("pdftotext %s: %v", path, err)
		}
		abs, _ := filepath.Abs(path)
		if _, err := io.WriteString(h.in, abs+"\n"); err != nil {
			t.Fatal(err)
		}
		f := &frames{r: h.out}
		got, err := io.ReadAll(f)
		if err != nil || !f.end {
			t.Fatalf("%s: helper answered %d bytes, end %v, error %v", filepath.Base(path), len(got), f.end, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: helper's word list differs from pdftotext's at byte %d of %d/%d",
				filepath.Base(path), firstDiff(got, want), len(got), len(want))
		}
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestHelperSameResults: extracting with the helper or with one pdftotext per file gives
// the same Result, for the corpus and for the files that cannot be read (the helper's
// failures are left to pdftotext, whose verdict is recorded), and the helper really
// read the corpus.
func TestHelperSameResults(t *testing.T) {
	needTools(t, "pdftotext", helperName)
	paths := corpus(t)
	readable := len(paths)
	paths = append(paths,
		passwordProtected(t),
		truncatedCopy(t, "texlive__droit-fr.pdf"),
		writeFile(t, "entete.pdf", []byte("%PDF-1.4\n")),
		writeFile(t, "deliberation.pdf", []byte("Délibération n° 2024-12 du conseil municipal\n")),
		filepath.Join(t.TempDir(), "absent.pdf"),
	)
	with := New(Options{OCR: OCROff})
	defer with.Close()
	without := New(Options{OCR: OCROff, lookPath: withoutHelper})
	ctx := context.Background()
	got, want := with.ExtractAll(ctx, paths), without.ExtractAll(ctx, paths)
	for i, p := range paths {
		if d := cmp.Diff(want[i], got[i]); d != "" {
			t.Errorf("%s: with the helper (-pdftotext +helper):\n%s", filepath.Base(p), d)
		}
	}
	if n := with.helped.Load(); n < int64(readable) {
		t.Errorf("the helper read %d documents, want at least the %d of the corpus", n, readable)
	}
	if n := without.helped.Load(); n != 0 {
		t.Errorf("without the helper, %d documents were read by one", n)
	}
}

// TestHelperFailuresFallBack: a helper that dies, hangs, refuses or garbles its answer
// costs time, not text: pdftotext reads the file and the Result is the same.
func TestHelperFailuresFallBack(t *testing.T) {
	needTools(t, "pdftotext")
	path := corpusFile("dip__20110315_DI_AN_PJL_Darrois.pdf")
	want := New(Options{OCR: OCROff, lookPath: withoutHelper}).Extract(context.Background(), path)
	if want.Status != StatusOK {
		t.Fatalf("reference extraction: %s %q", want.Status, want.Reason)
	}
	fakes := map[string]string{
		"exits at once":      "exit 0",
		"crashes mid-answer": `read l; echo 40; printf 'level\tpage_num'; kill -SEGV $$`,
		"refuses":            `while read l; do echo "-cannot read"; done`,
		"garbles":            `while read l; do echo "twelve"; done`,
		"promises more":      `while read l; do echo 100000; printf 'level'; done`, // then hangs: killed at the deadline
		"hangs":              `exec sleep 60`,
	}
	for name, script := range fakes {
		t.Run(name, func(t *testing.T) {
			fake := writeFile(t, "fake-helper", []byte("#!/bin/sh\n"+script+"\n"))
			if err := os.Chmod(fake, 0o755); err != nil {
				t.Fatal(err)
			}
			x := New(Options{OCR: OCROff, CPUTime: 2 * time.Second})
			defer x.Close()
			x.tools[helperName] = fake
			start := time.Now()
			got := x.Extract(context.Background(), path)
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("with a helper that %s (-pdftotext +got):\n%s", name, d)
			}
			if n := x.helped.Load(); n != 0 {
				t.Errorf("%d documents counted as read by a helper that %s", n, name)
			}
			if el := time.Since(start); el > time.Minute {
				t.Errorf("took %s: the helper's deadline did not stop it", el)
			}
		})
	}
}

// TestHelperStopsWithClose: an idle helper ends when its Extractor is closed, and a
// helper serves one document after another while it lives.
func TestHelperStopsWithClose(t *testing.T) {
	needTools(t, "pdftotext", helperName)
	x := New(Options{OCR: OCROff, Workers: 1})
	paths := []string{corpusFile("dip__20110315_DI_AN_PJL_Darrois.pdf"), corpusFile("texlive__facture-exemple.pdf")}
	for _, r := range x.ExtractAll(context.Background(), paths) {
		if r.Status != StatusOK {
			t.Fatalf("got %s %q", r.Status, r.Reason)
		}
	}
	var h *helper
	select {
	case h = <-x.idle:
		x.idle <- h
	default:
		t.Fatal("no helper waits after the extraction")
	}
	if h.docs != 2 || x.helped.Load() != 2 {
		t.Fatalf("the helper read %d documents (%d in all), want both in one process", h.docs, x.helped.Load())
	}
	x.Close()
	deadline := time.Now().Add(10 * time.Second)
	for !errors.Is(syscall.Kill(h.cmd.Process.Pid, 0), syscall.ESRCH) {
		if time.Now().After(deadline) {
			t.Fatal("the helper still runs 10 s after Close")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
