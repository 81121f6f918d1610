// Package corpus generates a synthetic but realistic archive for benchmarks: SEDA 2.1
// transfers of French local authorities (fonds > series > file > item), with French
// titles and descriptions drawn from the vocabulary of the shared PDFs, cotes in the
// usual styles, persons with their dates, the mix of access rules the law gives such
// archives, and small PDFs with text for a share of the items.
//
// Everything is deterministic from a seed: the same options write byte-identical
// packages. The package knows nothing of the database; `sesam bench run` imports what
// it writes through the real import path.
package corpus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"
)

// Options say what to generate.
type Options struct {
	Units    int     // archive units in all (default 1000)
	Tenants  int     // collectivités (default 30)
	Seed     uint64  // same seed, same bytes
	PDFShare float64 // share of items with a PDF (default 0.1; negative: none)
	Out      string  // directory to write to; it must not hold a corpus already
	Workers  int     // packages written at once (default: the number of CPUs)
}

// Manifest describes a generated corpus: what `sesam bench run` needs to import it and
// to choose its queries. It is written as corpus.json beside the packages.
type Manifest struct {
	Seed     uint64        `json:"seed"`
	Units    int           `json:"units"`
	PDFShare float64       `json:"pdf_share"`
	Tenants  []Tenant      `json:"tenants"` // operators first, then collectivités by size
	Packages []PackageInfo `json:"packages"`
}

// PackageInfo is one generated transfer (one fonds).
type PackageInfo struct {
	Path   string   `json:"path"` // relative to the corpus directory
	Tenant string   `json:"tenant"`
	Units  int      `json:"units"`
	PDFs   int      `json:"pdfs"`
	Pages  int      `json:"pages"`
	Bytes  int64    `json:"bytes"`
	Fonds  string   `json:"fonds"` // the fonds' title
	Cote   string   `json:"cote"`  // the fonds' cote
	Cotes  []string `json:"cotes"` // the first file of the first series, for exact-cote queries
	Rules  []string `json:"-"`     // every declared access rule, for Summary
}

// Summary is what Generate did.
type Summary struct {
	Manifest *Manifest
	Bytes    int64
	PDFs     int
	Pages    int
	Duration time.Duration
	// Rules counts the units declaring each AccessRule code ("none": units declaring none).
	Rules map[string]int
}

// ManifestFile and TenantsFile are the files written beside the packages.
const (
	ManifestFile = "corpus.json"
	TenantsFile  = "tenants.txt"
)

func (o Options) withDefaults() Options {
	if o.Units <= 0 {
		o.Units = 1000
	}
	if o.Tenants <= 0 {
		o.Tenants = 30
	}
	if o.PDFShare == 0 {
		o.PDFShare = 0.1
	}
	if o.PDFShare < 0 {
		o.PDFShare = 0
	}
	if o.Workers <= 0 {
		o.Workers = runtime.NumCPU()
	}
	return o
}

// Generate writes the corpus into opt.Out: packages/<tenant>/<nn>-<kind>.zip, corpus.json
// and tenants.txt.
func Generate(ctx context.Context, opt Options) (*Summary, error) {
	start := time.Now()
	opt = opt.withDefaults()
	if opt.Out == "" {
		return nil, errors.New("corpus: no output directory")
	}
	if opt.Units < opt.Tenants*3 {
		return nil, fmt.Errorf("corpus: %d units cannot make %d collectivités (at least 3 units each)", opt.Units, opt.Tenants)
	}
	if _, err := os.Stat(filepath.Join(opt.Out, ManifestFile)); err == nil {
		return nil, fmt.Errorf("corpus: %s already holds a corpus: remove it or choose another directory", opt.Out)
	}
	master := rand.New(rand.NewPCG(opt.Seed, 0x5e5a))
	tenants := planTenants(master, opt.Tenants, opt.Units)
	var plans []*packagePlan
	for i := range tenants {
		plans = append(plans, planPackages(master, &tenants[i], i, opt)...)
	}
	infos, err := writePackages(ctx, opt, plans)
	if err != nil {
		return nil, err
	}
	m := &Manifest{Seed: opt.Seed, Units: opt.Units, PDFShare: opt.PDFShare,
		Tenants: append(operatorTenants(tenants), tenants...), Packages: infos}
	if err := writeManifests(opt.Out, m); err != nil {
		return nil, err
	}
	return summarize(m, time.Since(start)), nil
}

// writePackages builds and writes the packages with opt.Workers workers; each package
// has its own generator, so the bytes do not depend on the order they are written in.
func writePackages(ctx context.Context, opt Options, plans []*packagePlan) ([]PackageInfo, error) {
	infos := make([]PackageInfo, len(plans))
	errs := make([]error, len(plans))
	next := make(chan int)
	var wg sync.WaitGroup
	for range opt.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				infos[i], errs[i] = writePackage(opt.Out, plans[i])
			}
		}()
	}
	for i := range plans {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return infos, errors.Join(errs...)
}

// writeManifests writes corpus.json and tenants.txt (id, publish, units, name: one
// tenant a line, operators first, so that each parent comes before its children).
func writeManifests(dir string, m *Manifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, ManifestFile), append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("corpus: %w", err)
	}
	var sb strings.Builder
	sb.WriteString("# id\tpublish\tunits\tname\n")
	for _, t := range m.Tenants {
		fmt.Fprintf(&sb, "%s\t%v\t%d\t%s\n", t.ID, t.Publish, t.Units, t.Name)
	}
	if err := os.WriteFile(filepath.Join(dir, TenantsFile), []byte(sb.String()), 0o644); err != nil {
		return fmt.Errorf("corpus: %w", err)
	}
	return nil
}

func summarize(m *Manifest, took time.Duration) *Summary {
	s := &Summary{Manifest: m, Duration: took, Rules: map[string]int{}}
	for _, p := range m.Packages {
		s.Bytes += p.Bytes
		s.PDFs += p.PDFs
		s.Pages += p.Pages
		for _, r := range p.Rules {
			s.Rules[r]++
		}
	}
	return s
}

// ReadManifest reads the corpus.json of a corpus directory.
func ReadManifest(dir string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return nil, fmt.Errorf("corpus: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("corpus: %s: %w", ManifestFile, err)
	}
	return &m, nil
}

// RuleCodes lists the codes of a Summary's rule counts, most used first.
func (s *Summary) RuleCodes() []string {
	var codes []string
	for c := range s.Rules {
		codes = append(codes, c)
	}
	sort.Slice(codes, func(i, j int) bool {
		if s.Rules[codes[i]] != s.Rules[codes[j]] {
			return s.Rules[codes[i]] > s.Rules[codes[j]]
		}
		return codes[i] < codes[j]
	})
	return codes
}
