package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"sesam/corpus"
)

// cmdBench generates a synthetic corpus (bench gen) or measures sesam on one (bench
// run): import, text extraction, indexing, memory, and the search API's latency under
// load beside PostgreSQL full-text search over the same units.
func cmdBench(ctx context.Context, e *env, args []string) error {
	usage := errors.New("usage: sesam bench gen --units N --tenants T --out DIR [--seed S] [--pdf-share F]\n" +
		"       sesam bench run --corpus DIR [--clients 16] [--duration 20s] [--json FILE] [--reset | --reuse]")
	if len(args) == 0 {
		return usage
	}
	switch args[0] {
	case "gen":
		return benchGen(ctx, e, args[1:])
	case "run":
		return benchRun(ctx, e, args[1:])
	}
	return usage
}

func benchGen(ctx context.Context, e *env, args []string) error {
	fs := newFlags("bench gen", e.stderr)
	var opt corpus.Options
	fs.IntVar(&opt.Units, "units", 100_000, "archive units in all")
	fs.IntVar(&opt.Tenants, "tenants", 300, "collectivités")
	fs.StringVar(&opt.Out, "out", "", "directory to write the corpus to (required)")
	fs.Uint64Var(&opt.Seed, "seed", 1, "random seed: the same seed writes the same bytes")
	fs.Float64Var(&opt.PDFShare, "pdf-share", 0.1, "share of the items that carry a PDF (0: none)")
	fs.IntVar(&opt.Workers, "workers", 0, "packages written at once (default: one per CPU)")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	if opt.Out == "" {
		return errors.New("usage: sesam bench gen --units N --tenants T --out DIR")
	}
	if opt.PDFShare == 0 {
		opt.PDFShare = -1 // corpus.Options reads 0 as "the default"
	}
	s, err := corpus.Generate(ctx, opt)
	if err != nil {
		return err
	}
	printGenSummary(e, opt.Out, s)
	return nil
}

func printGenSummary(e *env, out string, s *corpus.Summary) {
	m := s.Manifest
	collectivites, publishing, operators := 0, 0, 0
	for _, t := range m.Tenants {
		switch {
		case t.Kind == "operator":
			operators++
		case t.Publish:
			publishing++
			collectivites++
		default:
			collectivites++
		}
	}
	fmt.Fprintf(e.stdout, "wrote %d packages: %d units, %d PDFs (%d pages), %.1f MB in %.1f s to %s\n",
		len(m.Packages), m.Units, s.PDFs, s.Pages, float64(s.Bytes)/1e6, s.Duration.Seconds(), out)
	fmt.Fprintf(e.stdout, "tenants: %d collectivités under %d operators, %d publishing online (%s)\n",
		collectivites, operators, publishing, filepath.Join(out, corpus.TenantsFile))
	var rules []string
	for _, c := range s.RuleCodes() {
		rules = append(rules, fmt.Sprintf("%s %d", c, s.Rules[c]))
	}
	fmt.Fprintf(e.stdout, "access rules declared (units): %s\n", strings.Join(rules, ", "))
}
