package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"runtime"
	"slices"
	"strconv"

	"sesam/access"
	"sesam/corpus"
	"sesam/index"
	"sesam/portal"
)

// querySpec is one concrete query of the mix, with the same meaning on both engines.
type querySpec struct {
	Text   string // as a user types it: words, "a phrase"; "" browses
	Cote   string // an exact cote (the API query is then cote:"…")
	Sort   string // "" (relevance, or cote order when browsing) or "date"
	Within int64  // only units under this fonds
	Offset int    // first hit of the page
	Facets bool   // the facets and the year histogram are asked for
	after  string // the API's search-after cursor at Offset, found before the run
}

// mixQuery is a query of the mix: a few variants (words, cotes) that clients take in
// turn, so that no single term's cache decides the figures.
type mixQuery struct {
	Name     string
	Label    string
	variants func(p *principal) []querySpec
	// Beside names the query of the mix that the other clients run meanwhile: one
	// client times this query while the engine is busy with heavier ones ("": none).
	Beside string
}

// deepOffset is the deep page: the API's deepest plain offset, reached with the
// search-after cursor (index.MaxOffset).
const deepOffset = 10_000

// pageSize is the hits per page of every query.
const pageSize = 20

// benchMix is the query mix of issue 9.
func benchMix() []mixQuery {
	w := corpus.CommonWords(8)
	each := func(f func(i int) querySpec) []querySpec {
		out := make([]querySpec, 4)
		for i := range out {
			out[i] = f(i)
		}
		return out
	}
	phrases := []string{`"conseil municipal"`, `"permis de construire"`, `"état civil"`, `"aide sociale"`}
	return []mixQuery{
		{"one_word", "one word", func(*principal) []querySpec {
			return each(func(i int) querySpec { return querySpec{Text: w[i]} })
		}, ""},
		{"two_words", "two words", func(*principal) []querySpec {
			return each(func(i int) querySpec { return querySpec{Text: w[i] + " " + w[i+4]} })
		}, ""},
		{"phrase", "phrase", func(*principal) []querySpec {
			return each(func(i int) querySpec { return querySpec{Text: phrases[i]} })
		}, ""},
		{"cote", "exact cote", cotes, ""},
		{"faceted", "word+facets+highlight", func(*principal) []querySpec {
			return each(func(i int) querySpec { return querySpec{Text: w[i], Facets: true} })
		}, ""},
		{"browse", "browse+histogram", func(*principal) []querySpec {
			return []querySpec{{Facets: true}}
		}, ""},
		{"deep_page", "page at 10,000", func(*principal) []querySpec {
			return []querySpec{{Text: w[0], Sort: "date", Offset: deepOffset}}
		}, ""},
		{"within_fonds", "within a fonds", func(p *principal) []querySpec {
			if p.fonds == 0 {
				return nil
			}
			return each(func(i int) querySpec { return querySpec{Text: w[i], Within: p.fonds} })
		}, ""},
		// A staff member looking up a cote while the others run broad faceted searches:
		// what a quick request waits for (a search slot, a CPU, its journal commit) on
		// a busy portal, side by side with PostgreSQL as busy.
		{"cote_beside_faceted", "exact cote, busy", cotes, "faceted"},
	}
}

// cotes are the exact cote lookups of the mix: a few cotes of units the principal sees.
func cotes(p *principal) []querySpec {
	var out []querySpec
	for _, c := range p.cotes {
		out = append(out, querySpec{Cote: c})
	}
	return out
}

// mixQueryNamed is the query of the whole mix with that name.
func mixQueryNamed(name string) (mixQuery, bool) {
	mix := benchMix()
	i := slices.IndexFunc(mix, func(mq mixQuery) bool { return mq.Name == name })
	if i < 0 {
		return mixQuery{}, false
	}
	return mix[i], true
}

// mix is the query mix, or the queries --only names.
func (b *bench) mix() []mixQuery {
	var out []mixQuery
	for _, mq := range benchMix() {
		if len(b.opt.only) == 0 || slices.Contains(b.opt.only, mq.Name) {
			out = append(out, mq)
		}
	}
	return out
}

// apiPath is the request of GET /api/v1/search for q. A query without facets says so
// (facets=0), for when the API learns to skip them.
func (q querySpec) apiPath() string {
	v := url.Values{}
	switch {
	case q.Cote != "":
		v.Set("q", `cote:"`+q.Cote+`"`)
	case q.Text != "":
		v.Set("q", q.Text)
	}
	if q.Sort != "" {
		v.Set("sort", q.Sort)
	}
	if q.Within != 0 {
		v.Set("within", strconv.FormatInt(q.Within, 10))
	}
	if !q.Facets {
		v.Set("facets", "0")
	}
	v.Set("size", strconv.Itoa(pageSize))
	if q.after != "" {
		v.Set("after", q.after)
	}
	return "/api/v1/search?" + v.Encode()
}

// apiDoc is what the bench reads of a search answer.
type apiDoc struct {
	Total  int64           `json:"total"`
	Facets json.RawMessage `json:"facets"`
	Next   string          `json:"next"`
	Hits   []struct {
		TitleHTML string            `json:"title_html"`
		Snippets  []json.RawMessage `json:"snippets"`
	} `json:"hits"`
}

// probe is what a first pass over a query's variants found: how many hits, and what
// the API computed (so that PostgreSQL computes the same).
type probe struct {
	hits        int64 // mean total over the variants
	facets      bool  // the answers carry facets
	highlighted bool  // hits carry marked titles or snippets
}

// prepare finds the deep page's cursor and runs every variant once (a warm-up that
// also checks the answers). It returns no variant when the query does not apply to
// the principal (not enough hits for the deep page, no fonds to search within).
func (b *bench) prepare(ctx context.Context, p *principal, specs []querySpec) ([]querySpec, probe, error) {
	var pr probe
	for i := range specs {
		if specs[i].Offset > 0 {
			after, ok, err := b.cursorAt(ctx, p, specs[i])
			if err != nil || !ok {
				return nil, pr, err
			}
			specs[i].after = after
		}
		doc, err := b.apiSearch(ctx, p, specs[i].apiPath())
		if err != nil {
			return nil, pr, err
		}
		pr.hits += doc.Total
		pr.facets = pr.facets || len(doc.Facets) > 2
		for _, h := range doc.Hits {
			pr.highlighted = pr.highlighted || h.TitleHTML != "" || len(h.Snippets) > 0
		}
	}
	if len(specs) > 0 {
		pr.hits /= int64(len(specs))
	}
	return specs, pr, nil
}

// cursorAt walks to the hit at q.Offset as a user following "next" links does, with
// the largest plain pages the API allows (index.MaxOffset bounds them), and returns
// the cursor of the page that starts there; ok is false when there are not enough hits.
func (b *bench) cursorAt(ctx context.Context, p *principal, q querySpec) (string, bool, error) {
	const big = 100
	v := url.Values{"q": {q.Text}, "size": {strconv.Itoa(big)}, "page": {strconv.Itoa(q.Offset / big)}, "facets": {"0"}}
	if q.Sort != "" {
		v.Set("sort", q.Sort)
	}
	doc, err := b.apiSearch(ctx, p, "/api/v1/search?"+v.Encode())
	if err != nil || doc.Total < int64(q.Offset+pageSize) || doc.Next == "" {
		return "", false, err
	}
	return doc.Next, true, nil
}

// apiSearch runs one request and decodes its answer; an answer that is not 200 is an
// error naming the request.
func (b *bench) apiSearch(ctx context.Context, p *principal, path string) (*apiDoc, error) {
	status, body, err := b.portal.get(ctx, p, 0, path)
	if err != nil {
		return nil, err
	}
	if status != 200 {
		return nil, fmt.Errorf("GET %s as %s: HTTP %d: %.200s", path, p.Name, status, body)
	}
	var doc apiDoc
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("GET %s: %w", path, err)
	}
	return &doc, nil
}

// measureSesam runs the mix through the HTTP API for each principal, each query for
// the run's duration with its clients, and samples the process's memory meanwhile.
func (b *bench) measureSesam(ctx context.Context) error {
	for _, p := range b.res.Principals { // warm the caches the first queries would fill
		for _, mq := range b.mix() {
			if _, _, err := b.prepare(ctx, p, mq.variants(p)); err != nil {
				return err
			}
		}
	}
	b.res.RSSRestMB, b.res.AnonRestMB = restingRSS()
	sampler := startRSSSampler()
	defer func() { b.res.RSSLoadMB, b.res.AnonLoadMB = sampler.stop() }()
	for _, mq := range b.mix() {
		for _, p := range b.res.Principals {
			row := b.res.row(mq, p)
			specs, pr, err := b.prepare(ctx, p, mq.variants(p))
			if err != nil {
				return err
			}
			row.specs, row.probe, row.Hits = specs, pr, pr.hits
			if note := notApplicable(mq, p, specs, b.opt.clients); note != "" {
				row.Hits, row.Note, row.specs = -1, note, nil
				continue
			}
			if mq.Beside != "" {
				if row.beside, row.besideProbe, err = b.prepareBeside(ctx, p, mq); err != nil {
					return err
				}
				row.Beside = mq.Beside
			}
			b.progressf("sesam %s as %s (%d hits)", mq.Name, p.Name, pr.hits)
			sum, count, err := b.portal.journalWaits(ctx)
			if err != nil {
				return err
			}
			var heavy loadFunc
			if row.beside != nil {
				heavy = b.sesamLoad(p, row.beside)
			}
			row.Sesam = b.timeRow(ctx, row, "sesam", b.sesamLoad(p, specs), heavy)
			sum2, count2, err := b.portal.journalWaits(ctx)
			if err != nil {
				return err
			}
			if count2 > count {
				row.JournalMS = 1000 * (sum2 - sum) / (count2 - count)
			}
		}
	}
	return nil
}

// loadFunc is a client's loop body: its iter-th request.
type loadFunc = func(ctx context.Context, client, iter int) error

// timeRow runs light for the run's duration with every client or, when heavy is set
// (a busy row), with one client while the others run heavy; what they got is recorded
// as the row's busy figures for engine.
func (b *bench) timeRow(ctx context.Context, row *benchRow, engine string, light, heavy loadFunc) *latency {
	if heavy == nil {
		return runLoad(ctx, b.opt.clients, b.opt.duration, light)
	}
	lat, busy := runBeside(ctx, b.opt.clients, b.opt.duration, light, heavy)
	row.busy(engine, busy)
	return lat
}

// sesamLoad is a client's loop body sending the variants through the HTTP API in turn.
func (b *bench) sesamLoad(p *principal, specs []querySpec) loadFunc {
	return func(ctx context.Context, client, iter int) error {
		q := specs[(client+iter)%len(specs)]
		status, body, err := b.portal.get(ctx, p, client, q.apiPath())
		if err == nil && status != 200 {
			err = fmt.Errorf("HTTP %d: %.200s", status, body)
		}
		return err
	}
}

// prepareBeside prepares, for p, the variants of the query the other clients run
// while mq is timed.
func (b *bench) prepareBeside(ctx context.Context, p *principal, mq mixQuery) ([]querySpec, probe, error) {
	other, ok := mixQueryNamed(mq.Beside)
	if !ok {
		return nil, probe{}, fmt.Errorf("%s: no query %q in the mix to run beside it", mq.Name, mq.Beside)
	}
	specs, pr, err := b.prepare(ctx, p, other.variants(p))
	if err == nil && len(specs) == 0 {
		err = fmt.Errorf("%s: %s does not apply to %s", mq.Name, mq.Beside, p.Name)
	}
	return specs, pr, err
}

// measureIndex runs the same mix on the index in-process, with the requests the API
// builds and the same clients: what the portal adds (HTTP, the session, the scope, the
// journal, the JSON document with breadcrumbs and tenant names) is the difference.
func (b *bench) measureIndex(ctx context.Context) error {
	if !b.opt.direct {
		return nil
	}
	// On the CPUs alone: the portal's spare processor (servingProcs) is the portal's,
	// and with it the index alone ran 16 clients on one processor more than the machine has.
	if b.cpus > 0 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(b.cpus))
	}
	for _, row := range b.res.Rows {
		if len(row.specs) == 0 {
			continue
		}
		scope := row.principal.scope
		reqs, err := b.indexRequests(ctx, row, row.specs)
		if err != nil {
			return err
		}
		var heavy loadFunc
		if row.beside != nil {
			others, err := b.indexRequests(ctx, row, row.beside)
			if err != nil {
				return err
			}
			heavy = b.indexLoad(scope, others)
		}
		b.progressf("index %s as %s", row.Query, row.Principal)
		row.Index = b.timeRow(ctx, row, "index", b.indexLoad(scope, reqs), heavy)
	}
	return nil
}

// indexRequests are the index requests the API makes of specs, each run once (a
// warm-up).
func (b *bench) indexRequests(ctx context.Context, row *benchRow, specs []querySpec) ([]index.Request, error) {
	scope := row.principal.scope
	reqs := make([]index.Request, len(specs))
	for i, q := range specs {
		u, err := url.Parse(q.apiPath())
		if err != nil {
			return nil, err
		}
		if reqs[i], err = portal.RequestFromQuery(u.Query(), scope.Staff()); err != nil {
			return nil, fmt.Errorf("%s as %s: %w", row.Query, row.Principal, err)
		}
		if _, err := b.ix.Search(ctx, scope, reqs[i], index.StorePages{Store: b.st}); err != nil {
			return nil, fmt.Errorf("%s as %s: %w", row.Query, row.Principal, err)
		}
	}
	return reqs, nil
}

// indexLoad is a client's loop body running the requests on the index in-process in turn.
func (b *bench) indexLoad(scope access.Scope, reqs []index.Request) loadFunc {
	pages := index.StorePages{Store: b.st}
	return func(ctx context.Context, client, iter int) error {
		_, err := b.ix.Search(ctx, scope, reqs[(client+iter)%len(reqs)], pages)
		return err
	}
}

func notApplicable(mq mixQuery, p *principal, specs []querySpec, clients int) string {
	switch {
	case len(specs) > 0 && mq.Beside != "" && clients < 2:
		return "n/a: one client, no one to keep the engine busy"
	case len(specs) > 0:
		return ""
	}
	switch mq.Name {
	case "deep_page":
		return fmt.Sprintf("n/a: %s sees fewer than %d hits", p.Name, deepOffset+pageSize)
	case "within_fonds":
		return "n/a: no fonds to search within"
	}
	return "n/a"
}
