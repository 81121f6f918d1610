package pdftext

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// scans are the corpus files without a text layer (see SOURCES.md).
var scans = map[string]bool{
	"ocrmypdf__c02-22.pdf":            true,
	"ocrmypdf__francais.pdf":          true,
	"ocrmypdf__vector.pdf":            true,
	"ocrmypdf__multipage.pdf":         true,
	"texlive__console-screenshot.pdf": true,
	"vitam-sip__RICOH_scan_pdfa.pdf":  true,
}

// textLayerFiles are the corpus PDFs with a text layer and their page counts.
func textLayerFiles(b *testing.B) ([]string, int) {
	var files []string
	pages := 0
	for _, f := range corpus(b) {
		if scans[filepath.Base(f)] {
			continue
		}
		files = append(files, f)
		pages += len(plainPages(b, f))
	}
	return files, pages
}

// BenchmarkExtract measures pages per second on the text-layer PDFs of the corpus, one
// file at a time, against plain pdftotext run alone on the same files (text mode, and the
// word list we ask for).
//
//	go test -run '^$' -bench 'Extract$' -benchtime 1x -count 5 ./pdftext/
func BenchmarkExtract(b *testing.B) {
	needTools(b, "pdftotext")
	files, pages := textLayerFiles(b)
	opts, peak := measuredTools(b, Options{OCR: OCROff, Workers: 1})
	x := New(opts)
	b.Run("sesam", func(b *testing.B) {
		defer peak.report(b)
		benchPages(b, pages, func() {
			for _, f := range files {
				if r := x.Extract(context.Background(), f); r.Status == StatusError {
					b.Fatalf("%s: %s", f, r.Reason)
				}
			}
		})
	})
	for _, mode := range []string{"text", "tsv"} {
		b.Run("pdftotext-"+mode, func(b *testing.B) {
			defer peak.report(b)
			benchPages(b, pages, func() {
				for _, f := range files {
					args := []string{"-enc", "UTF-8", f, "-"}
					if mode == "tsv" {
						args = append([]string{"-tsv"}, args...)
					}
					peak.run(b, "pdftotext", args...)
				}
			})
		})
	}
}

// BenchmarkExtractAll is BenchmarkExtract with the files in parallel, as an import does.
func BenchmarkExtractAll(b *testing.B) {
	needTools(b, "pdftotext")
	files, pages := textLayerFiles(b)
	x := New(Options{OCR: OCROff})
	benchPages(b, pages, func() { x.ExtractAll(context.Background(), files) })
}

// BenchmarkOCR measures pages per second of OCR on the scans, one page at a time, against
// pdftoppm and tesseract run alone with the same settings.
func BenchmarkOCR(b *testing.B) {
	needTools(b, "pdftoppm", "tesseract")
	opts, peak := measuredTools(b, Options{OCR: OCRAuto, Workers: 1})
	x := New(opts)
	if ok, why := x.OCRAvailable(); !ok {
		b.Skip(why)
	}
	files := []string{"ocrmypdf__francais.pdf", "ocrmypdf__c02-22.pdf", "vitam-sip__RICOH_scan_pdfa.pdf", "texlive__console-screenshot.pdf"}
	pages := 0
	for i, f := range files {
		files[i] = corpusFile(f)
		pages += len(plainPages(b, files[i]))
	}
	b.Run("sesam", func(b *testing.B) {
		defer peak.report(b)
		benchPages(b, pages, func() {
			for _, f := range files {
				if r := x.Extract(context.Background(), f); r.Status != StatusOK {
					b.Fatalf("%s: %s %s", f, r.Status, r.Reason)
				}
			}
		})
	})
	b.Run("pdftoppm+tesseract", func(b *testing.B) {
		defer peak.report(b)
		dir := b.TempDir()
		benchPages(b, pages, func() {
			for _, f := range files {
				for p := 1; p <= len(plainPages(b, f)); p++ {
					n, img := strconv.Itoa(p), filepath.Join(dir, "p")
					peak.run(b, "pdftoppm", "-r", "300", "-f", n, "-l", n, "-gray", "-singlefile", f, img)
					peak.run(b, "tesseract", img+".pgm", "stdout", "-l", "fra", "--dpi", "300")
				}
			}
		})
	})
}

// benchPages runs one pass of work per iteration and reports pages/s, the CPU time per
// page of this process and its children (steadier than wall time on a shared machine),
// and the peak resident size of this process. The children's peak cannot be had from
// their rusage: Linux carries the parent's peak over the fork and exec.
func benchPages(b *testing.B, pages int, work func()) {
	start, cpu := time.Now(), cpuTime()
	for b.Loop() {
		work()
	}
	b.ReportMetric(float64(pages*b.N)/time.Since(start).Seconds(), "pages/s")
	b.ReportMetric(float64((cpuTime()-cpu).Milliseconds())/float64(pages*b.N), "cpu-ms/page")
	if kib := selfPeakKiB(); kib > 0 {
		b.ReportMetric(float64(kib)/1024, "self-peak-MB")
	}
}

// selfPeakKiB is the peak resident size of this test process so far (Linux VmHWM).
func selfPeakKiB() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kib, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kib
		}
	}
	return 0
}

// cpuTime is the user and system time of this process and of its waited-for children.
func cpuTime() time.Duration {
	var total time.Duration
	for _, who := range []int{syscall.RUSAGE_SELF, syscall.RUSAGE_CHILDREN} {
		var ru syscall.Rusage
		if err := syscall.Getrusage(who, &ru); err == nil {
			total += time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		}
	}
	return total
}

// toolPeaks records the peak resident size of every tool run, through GNU time: a
// child's own rusage would not do, as Linux carries the peak of the Go process over to
// the child it starts (vfork, then exec).
type toolPeaks struct {
	time string // /usr/bin/time; "" when missing: no peak is reported
	log  string // where time appends one peak (KiB) per run
}

// measuredTools returns opts with the extractor's tools run through GNU time, and the
// recorder of their peaks.
func measuredTools(b *testing.B, opts Options) (Options, *toolPeaks) {
	b.Helper()
	p := &toolPeaks{log: filepath.Join(b.TempDir(), "peaks")}
	if _, err := os.Stat("/usr/bin/time"); err != nil {
		return opts, p
	}
	p.time = "/usr/bin/time"
	dir := b.TempDir()
	opts.lookPath = func(name string) (string, error) {
		real, err := exec.LookPath(name)
		if err != nil || name == "prlimit" {
			return real, err
		}
		script := filepath.Join(dir, name)
		body := fmt.Sprintf("#!/bin/sh\nexec %s -a -o '%s' -f %%M '%s' \"$@\"\n", p.time, p.log, real)
		return script, os.WriteFile(script, []byte(body), 0o755)
	}
	return opts, p
}

// run runs a tool alone, its peak recorded.
func (p *toolPeaks) run(b *testing.B, tool string, args ...string) {
	cmd := exec.Command(tool, args...)
	if p.time != "" {
		cmd = exec.Command(p.time, append([]string{"-a", "-o", p.log, "-f", "%M", tool}, args...)...)
	}
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
	if err := cmd.Run(); err != nil {
		b.Fatalf("%s %v: %v", tool, args, err)
	}
}

// report reports the highest peak of the tools run since the last report, and starts
// afresh.
func (p *toolPeaks) report(b *testing.B) {
	data, _ := os.ReadFile(p.log)
	os.Remove(p.log)
	var peak int64
	for line := range strings.Lines(string(data)) {
		if kib, err := strconv.ParseInt(strings.TrimSpace(line), 10, 64); err == nil {
			peak = max(peak, kib)
		}
	}
	if peak > 0 {
		b.ReportMetric(float64(peak)/1024, "tool-peak-MB")
	}
}
