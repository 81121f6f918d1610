package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"sesam/access"
	"sesam/store"
)

const journalUsage = "usage: sesam journal verify [--anchor FILE|DIR] | journal anchor [--dir DIR] [--print] | " +
	"journal export [--format csv|jsonl] [--from DATE] [--to DATE] [--tenant ID] [--subject S] [--action A] [--as WHO]"

func cmdJournal(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return errors.New(journalUsage)
	}
	switch args[0] {
	case "verify":
		return journalVerify(ctx, e, args[1:])
	case "anchor":
		return journalAnchor(ctx, e, args[1:])
	case "export":
		return journalExport(ctx, e, args[1:])
	}
	return fmt.Errorf("unknown journal command %q (verify, anchor, export)", args[0])
}

// journalVerify walks the chain, then checks it against the anchors given; it prints
// the first broken entry and exits 1 on a break.
func journalVerify(ctx context.Context, e *env, args []string) error {
	fs := newFlags("journal verify", e.stderr)
	anchorPath := fs.String("anchor", "", "an anchor file, or a folder of them, to check the journal against")
	if pos, err := parseArgs(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return errors.New(journalUsage)
	}
	var anchors []store.JournalAnchor
	if *anchorPath != "" {
		var err error
		if anchors, err = readAnchors(*anchorPath); err != nil {
			return err
		}
	}
	st, err := openStore(ctx, e, true)
	if err != nil {
		return err
	}
	defer st.Close()
	brk, n, err := st.VerifyJournal(ctx)
	if err == nil && brk == nil && anchors != nil {
		brk, err = st.CheckJournalAnchors(ctx, anchors)
	}
	if err != nil {
		return err
	}
	if brk != nil {
		fmt.Fprintf(e.stdout, "journal broken at entry %d: %s\n", brk.Seq, brk.Problem)
		return exitError{1}
	}
	seq, hash, err := st.JournalHead(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "journal intact: %d entries, head %d %x\n", n, seq, hash)
	if anchors != nil {
		fmt.Fprintf(e.stdout, "anchors intact: %d checked\n", len(anchors))
	}
	return nil
}

// readAnchors reads an anchor file, or every .txt file of a folder.
func readAnchors(path string) ([]store.JournalAnchor, error) {
	files := []string{path}
	if fi, err := os.Stat(path); err != nil {
		return nil, err
	} else if fi.IsDir() {
		if files, err = filepath.Glob(filepath.Join(path, "*.txt")); err != nil {
			return nil, err
		}
	}
	var anchors []store.JournalAnchor
	for _, f := range files {
		r, err := os.Open(f)
		if err != nil {
			return nil, err
		}
		as, err := store.ReadJournalAnchors(r)
		r.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		anchors = append(anchors, as...)
	}
	if len(anchors) == 0 {
		return nil, fmt.Errorf("%s: no anchor to check against", path)
	}
	return anchors, nil
}

// journalAnchor prints the journal's head and appends it to the day's anchor file.
func journalAnchor(ctx context.Context, e *env, args []string) error {
	fs := newFlags("journal anchor", e.stderr)
	dir := fs.String("dir", filepath.Join(e.cfg.DataDir, "journal-anchors"), "the folder of the daily anchor files")
	printOnly := fs.Bool("print", false, "print the anchor only, write no file")
	if pos, err := parseArgs(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return errors.New(journalUsage)
	}
	st, err := openStore(ctx, e, true)
	if err != nil {
		return err
	}
	defer st.Close()
	a, err := st.NewJournalAnchor(ctx, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, a.String())
	if *printOnly {
		return nil
	}
	path, err := store.WriteJournalAnchor(*dir, a)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "anchor appended to %s\n", path)
	return nil
}

// journalExport writes the selected entries to stdout, after recording the export
// itself in the journal (no record, no export).
func journalExport(ctx context.Context, e *env, args []string) error {
	fs := newFlags("journal export", e.stderr)
	format := fs.String("format", "csv", "csv or jsonl")
	from := fs.String("from", "", "first day, YYYY-MM-DD (Paris time)")
	to := fs.String("to", "", "last day included, YYYY-MM-DD (Paris time)")
	var f store.JournalFilter
	fs.StringVar(&f.Tenant, "tenant", "", "only this tenant and the tenants below it")
	fs.StringVar(&f.Subject, "subject", "", "only this actor")
	fs.StringVar(&f.Action, "action", "", "only this action ("+strings.Join(access.JournalActions, ", ")+")")
	as := fs.String("as", "", "who exports, as recorded in the journal (default: cli:USER@HOST)")
	if pos, err := parseArgs(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return errors.New(journalUsage)
	}
	if *format != "csv" && *format != "jsonl" {
		return fmt.Errorf("--format %q: csv or jsonl", *format)
	}
	var err error
	if f.From, err = parseDay(*from, "from", 0); err != nil {
		return err
	}
	if f.To, err = parseDay(*to, "to", 1); err != nil {
		return err
	}
	st, err := openStore(ctx, e, true)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := journalCLIExport(ctx, st, *as, f.Tenant, exportDetail(*format, *from, *to, f)); err != nil {
		return err
	}
	w := bufio.NewWriter(e.stdout)
	if _, err := st.ExportJournal(ctx, w, f, *format); err != nil {
		return err
	}
	return w.Flush()
}

// parseDay reads a YYYY-MM-DD day in Paris time and returns the start of that day
// plus add days ("" gives the zero time: no bound).
func parseDay(s, flag string, add int) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	d, err := time.ParseInLocation("2006-01-02", s, access.JournalZone())
	if err != nil {
		return time.Time{}, fmt.Errorf("--%s %q: a day as YYYY-MM-DD", flag, s)
	}
	return d.AddDate(0, 0, add), nil
}

// exportDetail says what an export selected, for its journal entry.
func exportDetail(format, from, to string, f store.JournalFilter) string {
	parts := []string{"format=" + format}
	for _, kv := range [][2]string{{"from", from}, {"to", to}, {"tenant", f.Tenant}, {"subject", f.Subject}, {"action", f.Action}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+"="+kv[1])
		}
	}
	return strings.Join(parts, " ")
}

// journalCLIExport records an export made from the command line, under the tenant
// exported (so that the tenant's auditors see it) or none.
func journalCLIExport(ctx context.Context, st *store.Store, as, tenant, detail string) error {
	e := adminEntry(access.ActionJournalExport, detail)
	e.Name, e.Tenant, e.UserAgent = "sesam journal export", tenant, "sesam journal export"
	if as != "" {
		e.Subject = as
	}
	j := store.NewJournal(st, store.JournalOptions{})
	defer j.Close()
	_, err := j.Append(ctx, e)
	if err != nil {
		return fmt.Errorf("the export could not be journalled, nothing exported: %w", err)
	}
	return nil
}
