package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"sesam/access"
	"sesam/index"
	"sesam/portal"
	"sesam/store"
)

// principalFlag reads --as: "public" (the default), an e-mail or an OIDC subject.
func principalFlag(as string) access.Principal {
	if as == "" || as == "public" {
		return access.Principal{}
	}
	if strings.Contains(as, "@") {
		return access.Principal{Subject: as, Email: strings.ToLower(as)}
	}
	return access.Principal{Subject: as}
}

func cmdSearch(ctx context.Context, e *env, args []string) error {
	fs := newFlags("search", e.stderr)
	as := fs.String("as", "public", "search as this principal: public, an e-mail or an OIDC subject")
	asJSON := fs.Bool("json", false, "print the API's JSON document")
	sort := fs.String("sort", "", "pertinence, date, -date, titre, cote, -ouverture")
	size := fs.Int("size", 20, "hits per page (at most 100)")
	page := fs.Int("page", 1, "page number (up to 10,000 hits deep; further, follow --after)")
	after := fs.String("after", "", "the page after this cursor (printed at the end of a page)")
	within := fs.Int64("within", 0, "search under this unit")
	var filters index.Filters
	fs.Func("from", "units dated from this year", yearFlag(&filters.FromYear))
	fs.Func("to", "units dated up to this year", yearFlag(&filters.ToYear))
	fs.BoolVar(&filters.Inclusion, "incl", false, "units dated within --from and --to (by default: overlapping them)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	filters.Within = *within
	st, ix, err := openSearch(ctx, e)
	if err != nil {
		return err
	}
	defer st.Close()
	defer ix.Close()
	rights, err := access.NewRights(st.CasbinAdapter())
	if err != nil {
		return err
	}
	p := principalFlag(*as)
	scope, err := st.Scope(ctx, rights, p, time.Now())
	if err != nil {
		return err
	}
	req := index.Request{Query: strings.Join(pos, " "), Sort: *sort, Size: *size, Page: *page, After: *after,
		Facets: true, Staff: scope.Staff(), Filters: filters}
	doc, err := portal.Search(ctx, st, ix, scope, req, "fr")
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(doc)
	}
	printHits(e, doc)
	return nil
}

func printHits(e *env, doc *portal.SearchDoc) {
	fmt.Fprintf(e.stdout, "%d résultats (%.0f ms)\n", doc.Total, doc.TookMS)
	if doc.Suggestion != "" {
		fmt.Fprintf(e.stdout, "Essayez plutôt : %s\n", doc.Suggestion)
	}
	for _, h := range doc.Hits {
		state := "communicable"
		if !h.Communicable {
			state = "non communicable"
		}
		fmt.Fprintf(e.stdout, "\n%d  %s\n    %s · %s · %s–%s · %s · %s\n", h.ID, h.Title, h.Cote, h.Level, h.Dates.Start, h.Dates.End, h.Tenant, state)
		for _, s := range h.Snippets {
			text := snippetText(s.HTML)
			if s.Page > 0 {
				fmt.Fprintf(e.stdout, "    p. %d : %s\n", s.Page, text)
			} else if s.Field != "title" {
				fmt.Fprintf(e.stdout, "    %s\n", text)
			}
		}
	}
	if doc.Next != "" {
		fmt.Fprintf(e.stdout, "\n(suite : --after %s)\n", doc.Next)
	}
}

// snippetText is a snippet for a terminal: the marked words in [brackets], the rest
// as written (the HTML's entities decoded).
func snippetText(h string) string {
	return html.UnescapeString(strings.NewReplacer("<mark>", "[", "</mark>", "]").Replace(h))
}

// yearFlag reads a year into *dst.
func yearFlag(dst **int) func(string) error {
	return func(s string) error {
		y, err := strconv.Atoi(s)
		if err != nil || y < -9999 || y > 9999 {
			return fmt.Errorf("%q is not a year", s)
		}
		*dst = &y
		return nil
	}
}

// indexDir is where this process keeps its index.
func indexDir(cfg config) string {
	if cfg.IndexDir != "" {
		return cfg.IndexDir
	}
	return filepath.Join(cfg.DataDir, "index")
}

// openSearch opens the store and an up-to-date index. When a running portal holds the
// shared index, the command line keeps its own beside it (built on first use).
func openSearch(ctx context.Context, e *env) (*store.Store, *index.Index, error) {
	st, err := openStore(ctx, e, true)
	if err != nil {
		return nil, nil, err
	}
	dir := indexDir(e.cfg)
	ix, fresh, err := index.Open(dir)
	if errors.Is(err, index.ErrLocked) {
		dir += "-cli"
		fmt.Fprintf(e.stderr, "note: the index is in use by a running portal; using %s\n", dir)
		ix, fresh, err = index.Open(dir)
	}
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	if fresh {
		fmt.Fprintln(e.stderr, "building the index…")
		err = ix.Rebuild(ctx, st, nil)
	} else {
		_, err = ix.CatchUp(ctx, st)
	}
	if err != nil {
		ix.Close()
		st.Close()
		return nil, nil, err
	}
	return st, ix, nil
}

func cmdReindex(ctx context.Context, e *env, args []string) error {
	if _, err := parseArgs(newFlags("reindex", e.stderr), args); err != nil {
		return err
	}
	st, err := openStore(ctx, e, true)
	if err != nil {
		return err
	}
	defer st.Close()
	start := time.Now()
	last := time.Now()
	name, err := index.Build(ctx, indexDir(e.cfg), st, func(done int) {
		if time.Since(last) > 2*time.Second {
			fmt.Fprintf(e.stderr, "%d units indexed\n", done)
			last = time.Now()
		}
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "reindexed in %.1f s: generation %s is live (a running portal switches to it within seconds)\n",
		time.Since(start).Seconds(), name)
	return nil
}
