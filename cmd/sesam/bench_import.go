package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"sesam"
	"sesam/pdftext"
	"sesam/store"
)

// importCorpus creates the corpus's tenants and imports every package through
// store.Import, as `sesam import` does, one package after the other with text
// extraction on. With --reuse and a database that already holds the corpus it does
// nothing (and the run has no import figures).
func (b *bench) importCorpus(ctx context.Context) error {
	if b.opt.reuse {
		if ts, err := b.st.Tenants(ctx); err != nil || len(ts) > 0 {
			b.res.Notes = append(b.res.Notes, "--reuse: the corpus imported by an earlier run was kept; no import figures")
			return err
		}
	}
	for _, t := range b.m.Tenants {
		err := b.st.AddTenant(ctx, store.Tenant{ID: t.ID, Name: t.Name, Publish: t.Publish})
		if err != nil && !errors.Is(err, sesam.ErrConflict) {
			return err
		}
	}
	// Packages of different collectivités are imported side by side, as a Centre de
	// Gestion's transfers arrive: one import waits on PostgreSQL and on pdftotext much of
	// its time, and runs on one core.
	popts, err := pdfOptions(b.e.cfg)
	if err != nil {
		return err
	}
	text := pdftext.New(popts)
	defer text.Close()
	jobs := min(b.opt.importJobs, len(b.m.Packages))
	next := make(chan int)
	var (
		mu      sync.Mutex
		units   int
		pages   int
		textDur time.Duration
		done    int
	)
	start := time.Now()
	last := start
	g, gctx := errgroup.WithContext(ctx)
	for range jobs {
		g.Go(func() error {
			for i := range next {
				p := b.m.Packages[i]
				imp := &importTimer{}
				res, err := b.st.Import(gctx, p.Tenant, filepath.Join(b.opt.corpus, filepath.FromSlash(p.Path)),
					store.ImportOptions{Text: text, Progress: imp.progress})
				if err != nil {
					return fmt.Errorf("%s: %w", p.Path, err)
				}
				mu.Lock()
				units, pages, textDur, done = units+res.Units, pages+p.Pages, textDur+imp.text, done+1
				if time.Since(last) > 10*time.Second {
					last = time.Now()
					b.progressf("imported %d/%d packages, %d units, %.0f units/s", done, len(b.m.Packages), units,
						float64(units)/time.Since(start).Seconds())
				}
				mu.Unlock()
			}
			return nil
		})
	}
	g.Go(func() error {
		defer close(next)
		for i := range b.m.Packages {
			select {
			case next <- i:
			case <-gctx.Done():
				return nil
			}
		}
		return nil
	})
	if err := g.Wait(); err != nil {
		return err
	}
	b.res.Import = newPhase(units, "units", time.Since(start))
	// The extraction rate is per import stream: pages over the time imports spent
	// extracting, added up over the streams.
	b.res.Extraction = newPhase(pages, "pages", textDur)
	b.res.ImportJobs = jobs
	b.res.HelperPDFs = text.Helped()
	return nil
}

// importTimer adds up the time imports spend extracting text, from their progress
// reports: the "texte" stage starts at 0 done and ends when done reaches the total.
type importTimer struct {
	started time.Time
	text    time.Duration
}

func (t *importTimer) progress(stage string, done, total int64) {
	if stage != "texte" {
		return
	}
	switch {
	case done == 0:
		t.started = time.Now()
	case done == total && !t.started.IsZero():
		t.text += time.Since(t.started)
		t.started = time.Time{}
	}
}
