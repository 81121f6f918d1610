package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"sesam/pdftext"
	"sesam/seda"
	"sesam/store"
)

func cmdImport(ctx context.Context, e *env, args []string) error {
	fs := newFlags("import", e.stderr)
	tenant := fs.String("tenant", "", "the tenant the packages belong to (required)")
	noText := fs.Bool("no-text", false, "do not extract the text of PDF objects")
	paths, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if *tenant == "" || len(paths) == 0 {
		return errors.New("usage: sesam import --tenant ID PATH...")
	}
	st, err := openStore(ctx, e, true)
	if err != nil {
		return err
	}
	defer st.Close()
	opt := store.ImportOptions{}
	if !*noText {
		opts, err := pdfOptions(e.cfg)
		if err != nil {
			return err
		}
		opt.Text = pdftext.New(opts)
		defer opt.Text.Close()
	}
	failed := 0
	for _, p := range paths {
		if !importOne(ctx, e, st, *tenant, p, opt) {
			failed++
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	if failed > 0 {
		return exitError{1}
	}
	return nil
}

// importOne imports a package and prints its summary line; it reports success.
func importOne(ctx context.Context, e *env, st *store.Store, tenant, path string, opt store.ImportOptions) bool {
	name := filepath.Base(path)
	var tally textTally
	log := textLogger(e)
	opt.OnText = func(b *seda.BinaryObject, r *pdftext.Result) {
		tally.add(r)
		logText(log, b.ID, b.Filename, r)
	}
	bar := newProgress(e, name)
	if bar != nil {
		opt.Progress = bar.update
		defer bar.finish()
	}
	res, err := st.Import(ctx, tenant, path, opt)
	if bar != nil {
		bar.finish()
	}
	var refusal *seda.RefusalError
	switch {
	case errors.As(err, &refusal):
		fmt.Fprintf(e.stdout, "refused   %s: %s\n", name, refusal.Reason)
		return false
	case err != nil:
		fmt.Fprintf(e.stdout, "failed    %s: %v\n", name, err)
		return false
	case res.Already:
		fmt.Fprintf(e.stdout, "unchanged %s: already imported as transfer %d, nothing written\n", name, res.TransferID)
	case res.Added > 0:
		fmt.Fprintf(e.stdout, "completed %s: transfer %d, %d objects added (imported before without their bytes), %d bytes, %.2f s%s\n",
			name, res.TransferID, res.Added, res.Bytes, res.Duration.Seconds(), tally.summary())
	default:
		fmt.Fprintf(e.stdout, "imported  %s: transfer %d, %d units, %d objects, %d bytes, %.2f s%s\n",
			name, res.TransferID, res.Units, res.Objects, res.Bytes, res.Duration.Seconds(), tally.summary())
	}
	printWarnings(e, res)
	return true
}

// shownWarnings is how many warnings the summary prints; all (up to a thousand) are
// stored with the transfer.
const shownWarnings = 20

// printWarnings lists under the summary line what the import corrected or dropped.
func printWarnings(e *env, res *store.ImportResult) {
	for i, w := range res.Warnings {
		if i == shownWarnings {
			fmt.Fprintf(e.stdout, "  warning: … and %d more, stored with transfer %d\n", len(res.Warnings)-i, res.TransferID)
			return
		}
		fmt.Fprintf(e.stdout, "  warning: %s\n", w)
	}
}

// progress draws a bar on a terminal while a long import runs.
type progress struct {
	bar   *progressbar.ProgressBar
	stage string
	done  bool
}

func newProgress(e *env, name string) *progress {
	f, ok := e.stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return &progress{bar: progressbar.NewOptions64(-1, progressbar.OptionSetWriter(f),
		progressbar.OptionSetDescription(name), progressbar.OptionClearOnFinish(),
		progressbar.OptionThrottle(100_000_000), progressbar.OptionShowCount())}
}

func (p *progress) update(stage string, done, total int64) {
	if stage != p.stage {
		p.stage = stage
		p.bar.ChangeMax64(total)
		p.bar.Describe(stage)
	}
	p.bar.Set64(done)
}

func (p *progress) finish() {
	if !p.done {
		p.done = true
		p.bar.Clear()
	}
}
