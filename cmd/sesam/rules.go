package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"text/tabwriter"

	"sesam/access"
)

func cmdRules(ctx context.Context, e *env, args []string) error {
	usage := errors.New("usage: sesam rules load --tenant ID FILE.csv | sesam rules list [--tenant ID]")
	if len(args) == 0 {
		return usage
	}
	fs := newFlags("rules "+args[0], e.stderr)
	tenant := fs.String("tenant", "", "the tenant")
	pos, err := parseArgs(fs, args[1:])
	if err != nil {
		return err
	}
	st, err := openStore(ctx, e, true)
	if err != nil {
		return err
	}
	defer st.Close()
	switch {
	case args[0] == "list" && len(pos) == 0:
		ref, err := st.Referential(ctx, *tenant)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tCATEGORY\tDURATION\tFROM\tSOURCE\tLABEL")
		for _, r := range ref.Rules() {
			dur := fmt.Sprintf("%d %s", r.Duration.N, r.Duration.Unit)
			if r.Never() {
				dur = "never"
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Category, dur, r.Basis, r.Source, r.Label)
		}
		return w.Flush()
	case args[0] == "load" && len(pos) == 1 && *tenant != "":
		f, err := os.Open(pos[0])
		if err != nil {
			return err
		}
		defer f.Close()
		defs, err := access.ParseVitamCSV(f)
		if err != nil {
			return fmt.Errorf("%s: %w", pos[0], err)
		}
		entry := adminEntry(access.ActionRulesLoad, fmt.Sprintf("%d rules from %s", len(defs), pos[0]))
		entry.Tenant = *tenant
		changed, err := st.LoadRules(ctx, *tenant, defs, entry)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "loaded %d rules for %s; %d units changed and will be reindexed\n", len(defs), *tenant, changed)
		return nil
	}
	return usage
}
