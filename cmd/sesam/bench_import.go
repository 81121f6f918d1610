package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

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
	imp := &importTimer{}
	opt := store.ImportOptions{Text: pdftext.New(pdftext.Options{}), Progress: imp.progress}
	start := time.Now()
	last := start
	units, pages := 0, 0
	for i, p := range b.m.Packages {
		res, err := b.st.Import(ctx, p.Tenant, filepath.Join(b.opt.corpus, filepath.FromSlash(p.Path)), opt)
		if err != nil {
			return fmt.Errorf("%s: %w", p.Path, err)
		}
		units += res.Units
		pages += p.Pages
		if time.Since(last) > 10*time.Second {
			last = time.Now()
			b.progressf("imported %d/%d packages, %d units, %.0f units/s", i+1, len(b.m.Packages), units,
				float64(units)/time.Since(start).Seconds())
		}
	}
	b.res.Import = newPhase(units, "units", time.Since(start))
	b.res.Extraction = newPhase(pages, "pages", imp.text)
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
