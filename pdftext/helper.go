package pdftext

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// helperName is the long-lived pdftotext built from helper/sesam-pdftotext.cc. Starting
// pdftotext costs about 20 ms of processor time (poppler's libraries and global
// parameters), reading a one-page letter under 1 ms: at a million units with 54,000 PDFs
// the starts alone were 20 minutes of processor time. The helper reads one file after
// another and prints pdftotext's word list for each, to the byte.
const helperName = "sesam-pdftotext"

// helperDocs is how many documents a helper reads before it is replaced, so that what
// poppler keeps or leaks from one document to the next stays bounded.
const helperDocs = 1000

// helper is one running sesam-pdftotext.
type helper struct {
	cmd  *exec.Cmd
	in   io.WriteCloser
	out  *bufio.Reader
	docs int

	mu   sync.Mutex
	dead bool // killed or stopped: never reused
}

// helperLayer reads the text layer of path with a helper. ok is false when no helper is
// installed or it could not read the file, whatever the reason (refused, crashed, too
// slow, too much text): pdftotext then reads the file under its own limits and gives
// its verdict, so that the helper changes how fast a file is read, never what is
// recorded about it.
func (x *Extractor) helperLayer(ctx context.Context, path string, lim limits) (pages []string, ok bool) {
	if x.tools[helperName] == "" || strings.ContainsAny(path, "\r\n") {
		return nil, false
	}
	if err := x.acquire(ctx); err != nil {
		return nil, false
	}
	defer x.release()
	h := x.takeHelper()
	if h == nil {
		return nil, false
	}
	pages, err := h.read(ctx, path, lim.cpu)
	if err != nil {
		h.kill()
		return nil, false
	}
	x.helped.Add(1)
	x.putHelper(h)
	return pages, true
}

// takeHelper returns an idle helper or starts one; nil when it cannot start.
func (x *Extractor) takeHelper() *helper {
	select {
	case h := <-x.idle:
		return h
	default:
	}
	h, err := x.startHelper()
	if err != nil {
		return nil
	}
	return h
}

// putHelper keeps h for the next document, or stops it when it has read its share or
// enough helpers are waiting.
func (x *Extractor) putHelper(h *helper) {
	if h.docs >= helperDocs {
		h.stop()
		return
	}
	select {
	case x.idle <- h:
	default:
		h.stop()
	}
}

// Helped is the number of documents whose text layer a helper read (the others, if
// any, were read by one pdftotext each).
func (x *Extractor) Helped() int64 { return x.helped.Load() }

// Close stops the helpers that wait for documents. Extractions still running finish.
func (x *Extractor) Close() {
	for {
		select {
		case h := <-x.idle:
			h.stop()
		default:
			return
		}
	}
}

// startHelper starts a helper under the address-space limit of the tools (prlimit): no
// processor-time limit, which would add up over its documents; each document has a
// deadline instead (read).
func (x *Extractor) startHelper() (*helper, error) {
	path := x.tools[helperName]
	var cmd *exec.Cmd
	if lim := x.tools["prlimit"]; lim != "" {
		args := append(x.prlimits(0), "--core=0", "--", path)
		cmd = exec.Command(lim, args...)
	} else {
		cmd = exec.Command(path)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	h := &helper{cmd: cmd, in: in, out: bufio.NewReaderSize(out, 64<<10)}
	go func() { _ = cmd.Wait() }() // reaps it, whoever ends it
	return h, nil
}

// read asks for the word list of one file and parses it as pdftotext's. The helper is
// killed when ctx ends or after wall (the processor-time limit pdftotext would get: a
// document that takes longer is left to pdftotext and its limits).
func (h *helper) read(ctx context.Context, path string, wall time.Duration) ([]string, error) {
	h.docs++
	stop := context.AfterFunc(ctx, h.kill)
	defer stop()
	timer := time.AfterFunc(wall, h.kill)
	defer timer.Stop()
	if _, err := io.WriteString(h.in, path+"\n"); err != nil {
		return nil, err
	}
	f := &frames{r: h.out}
	pages, err := parseTSV(f, maxTextBytes)
	switch {
	case err != nil:
		return nil, err
	case !f.end:
		return nil, errors.New("sesam-pdftotext: word list not terminated")
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.dead {
		return nil, errors.New("sesam-pdftotext: killed")
	}
	return pages, nil
}

// kill ends the helper at once (its process group, as for the tools).
func (h *helper) kill() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.dead {
		h.dead = true
		_ = syscall.Kill(-h.cmd.Process.Pid, syscall.SIGKILL)
	}
}

// stop lets an idle helper end: it exits when its input closes.
func (h *helper) stop() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.dead {
		h.dead = true
		_ = h.in.Close()
	}
}

// frames reads one document's answer from a helper: chunks of the word list ("<n>\n"
// then n bytes), then "0\n" at the end, or "-<reason>\n" when the helper could not read
// the file. It ends with io.EOF after "0\n".
type frames struct {
	r    *bufio.Reader
	left int  // bytes left in the current chunk
	end  bool // "0\n" was read
	err  error
}

func (f *frames) Read(p []byte) (int, error) {
	for f.left == 0 {
		if f.err != nil {
			return 0, f.err
		}
		f.err = f.next()
	}
	n, err := f.r.Read(p[:min(len(p), f.left)])
	f.left -= n
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

// next reads the head of the next chunk.
func (f *frames) next() error {
	line, err := f.r.ReadString('\n')
	if err != nil {
		return io.ErrUnexpectedEOF
	}
	line = strings.TrimSuffix(line, "\n")
	if why, refused := strings.CutPrefix(line, "-"); refused {
		return fmt.Errorf("sesam-pdftotext: %s", why)
	}
	n, err := strconv.Atoi(line)
	switch {
	case err != nil || n < 0:
		return fmt.Errorf("sesam-pdftotext: bad chunk head %q", line)
	case n == 0:
		f.end = true
		return io.EOF
	}
	f.left = n
	return nil
}
