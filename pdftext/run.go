package pdftext

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// failure is why a document could not be read: a French reason for the object's status
// and an English detail for the logs.
type failure struct {
	reason string
	detail string
}

func (f *failure) Error() string { return f.detail }

func fail(reason, format string, args ...any) *failure {
	return &failure{reason: reason, detail: fmt.Sprintf(format, args...)}
}

// Reasons shared by several steps.
const (
	reasonTimeout     = "délai dépassé"
	reasonCPU         = "temps de calcul dépassé"
	reasonMemory      = "mémoire insuffisante pour lire ce fichier"
	reasonInterrupted = "extraction interrompue"
	reasonDamaged     = "fichier tronqué ou endommagé"
	reasonPassword    = "protégé par mot de passe"
	reasonNotPDF      = "ce n'est pas un PDF"
)

// maxStderr bounds what is kept of a tool's error output: a broken PDF can make poppler
// print one line per object.
const maxStderr = 16 << 10

// limits bound one run of a tool: cpu is its processor time (prlimit --cpu), which
// stops a tool that spins whatever the machine's load; wall is a much looser wall-clock
// time, which stops a tool that waits for nothing (and bounds the run when prlimit is
// missing).
type limits struct {
	cpu, wall time.Duration
}

// scaled multiplies both limits by n.
func (l limits) scaled(n int64) limits {
	return limits{cpu: l.cpu * time.Duration(n), wall: l.wall * time.Duration(n)}
}

// run runs one external tool, never through a shell, in its own process group, under
// the address-space and processor-time limits (prlimit) and the wall-clock timeout,
// holding one of the extractor's slots. consume reads its standard output as it comes;
// if consume fails, the tool is killed. Errors are *failure values.
func (x *Extractor) run(ctx context.Context, lim limits, tool string, args []string, consume func(io.Reader) error) error {
	if err := x.acquire(ctx); err != nil {
		return fail(reasonInterrupted, "%s: %v", tool, err)
	}
	defer x.release()
	cctx, cancel := context.WithTimeout(ctx, lim.wall)
	defer cancel()
	cmd := x.command(cctx, tool, lim.cpu, args)
	stderr := &cappedBuffer{max: maxStderr}
	cmd.Stderr = stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return fail("erreur interne d'extraction", "%s: stdout pipe: %v", tool, err)
	}
	if err := cmd.Start(); err != nil {
		return fail("outil d'extraction introuvable ou inutilisable", "%s: start: %v", tool, err)
	}
	cerr := consume(out)
	if cerr != nil {
		cancel()
	}
	_, _ = io.Copy(io.Discard, out)
	werr := cmd.Wait()
	return x.classify(ctx, cctx, tool, lim, cerr, werr, stderr.String())
}

// classify turns how a tool ended into a failure, or nil when it succeeded.
func (x *Extractor) classify(parent, cctx context.Context, tool string, lim limits, cerr, werr error, stderr string) error {
	switch {
	case parent.Err() != nil:
		return fail(reasonInterrupted, "%s: %v", tool, parent.Err())
	case errors.Is(cctx.Err(), context.DeadlineExceeded):
		return fail(reasonTimeout, "%s: killed after %s (wall clock)", tool, lim.wall)
	case cerr != nil:
		var f *failure
		if errors.As(cerr, &f) {
			return f
		}
		return fail("sortie illisible de l'outil d'extraction", "%s: reading output: %v", tool, cerr)
	case werr == nil:
		return nil
	}
	detail := fmt.Sprintf("%s: %v: %s", tool, werr, firstLines(stderr, 5))
	switch {
	case outOfCPU(werr):
		return &failure{reason: reasonCPU, detail: fmt.Sprintf("%s (processor time limit %s)", detail, lim.cpu)}
	case outOfMemory(werr, stderr):
		return &failure{reason: reasonMemory, detail: detail}
	}
	return &failure{reason: toolReason(tool, werr, stderr), detail: detail}
}

// outOfCPU recognises a tool stopped by its processor-time limit: the kernel sends
// SIGXCPU at the soft limit, SIGKILL at the hard one (we kill only on the wall clock,
// which classify has already told apart).
func outOfCPU(werr error) bool {
	var ee *exec.ExitError
	if errors.As(werr, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return ws.Signal() == syscall.SIGXCPU || ws.Signal() == syscall.SIGKILL
		}
	}
	return false
}

// outOfMemory recognises a tool that hit the address-space limit: allocation failures
// end in an abort, a "bad_alloc" or poppler's "Out of memory".
func outOfMemory(werr error, stderr string) bool {
	if strings.Contains(stderr, "Out of memory") || strings.Contains(stderr, "bad_alloc") ||
		strings.Contains(stderr, "Cannot allocate memory") {
		return true
	}
	var ee *exec.ExitError
	if errors.As(werr, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return ws.Signal() == syscall.SIGABRT
		}
	}
	return false
}

// toolReason reads poppler's messages: they say whether the file is protected, damaged
// or not a PDF at all.
func toolReason(tool string, werr error, stderr string) string {
	switch {
	case strings.Contains(stderr, "Incorrect password"):
		return reasonPassword
	case strings.Contains(stderr, "May not be a PDF file"):
		return reasonNotPDF
	case strings.Contains(stderr, "Couldn't read xref table"), strings.Contains(stderr, "Couldn't find trailer"),
		strings.Contains(stderr, "Syntax Error"):
		return reasonDamaged
	case strings.Contains(stderr, "Copying of text from this document is not allowed"):
		return "extraction du texte interdite par les permissions du fichier"
	}
	var ee *exec.ExitError
	if errors.As(werr, &ee) && ee.ExitCode() < 0 {
		return "l'outil d'extraction " + tool + " s'est arrêté brutalement"
	}
	return "fichier illisible par " + tool
}

// command builds the process: prlimit in front when available (it execs the tool, so the
// limits and the process are the same), a fresh process group so that a kill reaches
// anything the tool started, and a bounded wait for its pipes after the kill. The
// processor-time hard limit comes a second after the soft one, so that the tool first
// gets SIGXCPU.
func (x *Extractor) command(ctx context.Context, tool string, cpu time.Duration, args []string) *exec.Cmd {
	path := x.tools[tool]
	var cmd *exec.Cmd
	if lim := x.tools["prlimit"]; lim != "" {
		full := append(x.prlimits(cpu), "--core=0", "--", path)
		cmd = exec.CommandContext(ctx, lim, append(full, args...)...)
	} else {
		cmd = exec.CommandContext(ctx, path, args...)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 2 * time.Second
	// Tesseract would start one thread per core in each of our parallel workers.
	cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
	return cmd
}

// prlimits are prlimit's options for the address space and the processor time.
func (x *Extractor) prlimits(cpu time.Duration) []string {
	var opts []string
	if x.opts.MemLimit > 0 {
		opts = append(opts, "--as="+strconv.FormatUint(x.opts.MemLimit, 10))
	}
	if secs := int64((cpu + time.Second - 1) / time.Second); secs > 0 {
		opts = append(opts, fmt.Sprintf("--cpu=%d:%d", secs, secs+1))
	}
	return opts
}

func (x *Extractor) acquire(ctx context.Context) error {
	select {
	case x.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (x *Extractor) release() { <-x.slots }

// cappedBuffer keeps the first max bytes written to it and drops the rest.
type cappedBuffer struct {
	buf bytes.Buffer
	max int
}

func (c *cappedBuffer) Write(p []byte) (int, error) {
	if room := c.max - c.buf.Len(); room > 0 {
		c.buf.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}

func (c *cappedBuffer) String() string { return c.buf.String() }

// firstLines keeps the first n distinct lines of s, for log details.
func firstLines(s string, n int) string {
	var keep []string
	seen := map[string]bool{}
	for line := range strings.Lines(s) {
		line = strings.TrimSpace(line)
		if line == "" || seen[line] {
			continue
		}
		seen[line] = true
		keep = append(keep, line)
		if len(keep) == n {
			break
		}
	}
	return strings.Join(keep, " | ")
}
