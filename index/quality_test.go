package index

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"sesam/access"
)

// qualityCase is one "?" block of testdata/search/quality.txt.
type qualityCase struct {
	line    int
	query   string
	options map[string]string
	checks  []string // the lines after the query
}

func readQualityCases(t *testing.T, path string) []qualityCase {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []qualityCase
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "?"):
			q, opts, _ := strings.Cut(strings.TrimSpace(line[1:]), "|")
			c := qualityCase{line: n, query: strings.TrimSpace(q), options: map[string]string{}}
			for _, o := range strings.Fields(opts) {
				k, v, _ := strings.Cut(o, "=")
				c.options[k] = v
			}
			cases = append(cases, c)
		case len(cases) == 0:
			t.Fatalf("%s:%d: check before any query", path, n)
		default:
			cases[len(cases)-1].checks = append(cases[len(cases)-1].checks, line)
		}
	}
	return cases
}

func TestSearchQuality(t *testing.T) {
	path := filepath.Join("testdata", "search", "quality.txt")
	for _, c := range readQualityCases(t, path) {
		t.Run(fmt.Sprintf("%d_%s", c.line, c.query), func(t *testing.T) {
			req, scope := c.request(t)
			res, err := testIndex.Search(context.Background(), scope, req, StorePages{Store: testStore})
			if err != nil {
				t.Fatalf("%s:%d: %v", path, c.line, err)
			}
			var got []string
			for _, h := range res.Hits {
				got = append(got, ruitzName(h.ID))
			}
			for _, check := range c.checks {
				if msg := c.check(check, got, res); msg != "" {
					t.Errorf("%s:%d: %q: %s\n  got %v", path, c.line, c.query, msg, got)
				}
			}
		})
	}
}

func (c qualityCase) request(t *testing.T) (Request, access.Scope) {
	req := Request{Query: c.query, Size: 100, Sort: c.options["sort"]}
	scope := access.Scope{Tenants: []string{"cdg62"}, Today: access.Today(time.Now())}
	for k, v := range c.options {
		switch k {
		case "within":
			req.Filters.Within = ruitzIDs[v]
		case "from", "to":
			y, err := strconv.Atoi(v)
			if err != nil {
				t.Fatal(err)
			}
			if k == "from" {
				req.Filters.FromYear = &y
			} else {
				req.Filters.ToYear = &y
			}
		case "incl":
			req.Filters.Inclusion = true
		case "as":
			scope.Tenants = []string{v}
			if v == "public" {
				scope.Tenants, scope.PublicTenants = nil, []string{"cdg62/ruitz"}
			}
		}
	}
	return req, scope
}

// check returns what is wrong with the results, or "".
func (c qualityCase) check(check string, got []string, res *Result) string {
	op, rest := check[:1], strings.TrimSpace(check[1:])
	want := strings.Fields(rest)
	switch op {
	case ">":
		if len(got) < len(want) || !slices.Equal(got[:len(want)], want) {
			return fmt.Sprintf("want first %v", want)
		}
	case "=":
		a, b := slices.Clone(got), slices.Clone(want)
		slices.Sort(a)
		slices.Sort(b)
		if !slices.Equal(a, b) {
			return fmt.Sprintf("want exactly %v", want)
		}
	case "+":
		if rest == "*" {
			if len(got) == 0 {
				return "want some results"
			}
			return ""
		}
		for _, w := range want {
			if !slices.Contains(got, w) {
				return fmt.Sprintf("want %s among the results", w)
			}
		}
	case "-":
		for _, w := range want {
			if slices.Contains(got, w) {
				return fmt.Sprintf("want %s not among the results", w)
			}
		}
	case "@":
		return checkPage(want, res)
	case "!":
		if rest == "" && (len(got) != 0 || res.Suggestion != "") {
			return fmt.Sprintf("want no result and no suggestion, got suggestion %q", res.Suggestion)
		}
		if len(got) != 0 || !strings.HasPrefix(strings.ToLower(res.Suggestion), strings.ToLower(rest)) {
			return fmt.Sprintf("want no result and a suggestion starting with %q, got suggestion %q", rest, res.Suggestion)
		}
	default:
		return "unknown check " + op
	}
	return ""
}

// checkPage: "@ UNIT page N" wants a PDF snippet of UNIT on page N with a mark.
func checkPage(want []string, res *Result) string {
	if len(want) != 3 || want[1] != "page" {
		return "bad @ line"
	}
	page, _ := strconv.Atoi(want[2])
	for _, h := range res.Hits {
		if ruitzName(h.ID) != want[0] {
			continue
		}
		for _, s := range h.Snippets {
			if s.Field == fPage && s.Page == page && strings.Contains(s.HTML, "<mark>") {
				return ""
			}
		}
		return fmt.Sprintf("want a snippet of %s on page %d, got %+v", want[0], page, h.Snippets)
	}
	return fmt.Sprintf("%s not found", want[0])
}
