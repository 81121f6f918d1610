package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strings"
	"text/tabwriter"
	"time"

	"sesam/corpus"
)

// benchResult is everything a run measured; it is also the JSON written with --json,
// so that runs can be compared.
type benchResult struct {
	Date       string       `json:"date"`
	Commit     string       `json:"commit,omitempty"`
	GoVersion  string       `json:"go"`
	CPUs       int          `json:"cpus"`
	PGVersion  string       `json:"postgresql"`
	Corpus     benchCorpus  `json:"corpus"`
	Clients    int          `json:"clients"`
	DurationS  float64      `json:"duration_s"` // per query and principal, for each engine
	Import     *phase       `json:"import,omitempty"`
	ImportJobs int          `json:"import_jobs,omitempty"` // packages imported side by side
	Extraction *phase       `json:"extraction,omitempty"`
	HelperPDFs int64        `json:"helper_pdfs"` // PDFs read by sesam-pdftotext rather than one pdftotext each
	Indexing   *phase       `json:"indexing,omitempty"`
	IndexBytes int64        `json:"index_bytes"`
	PGBuild    *phase       `json:"postgresql_build,omitempty"` // bench_fts table and its indexes
	PGBytes    int64        `json:"postgresql_bytes"`
	RSSRestMB  float64      `json:"rss_rest_mb"`
	RSSLoadMB  float64      `json:"rss_load_mb"`  // the peak while the API was under load
	RSSPeakMB  float64      `json:"rss_peak_mb"`  // the process's peak over the whole run
	AnonRestMB float64      `json:"anon_rest_mb"` // RssAnon: the heap, without the mapped index files
	AnonLoadMB float64      `json:"anon_load_mb"`
	Principals []*principal `json:"principals"`
	Rows       []*benchRow  `json:"rows"`
	Notes      []string     `json:"notes,omitempty"`
}

type benchCorpus struct {
	Dir      string `json:"dir"`
	Seed     uint64 `json:"seed"`
	Units    int    `json:"units"`
	Tenants  int    `json:"tenants"`
	Packages int    `json:"packages"`
	PDFs     int    `json:"pdfs"`
	Pages    int    `json:"pages"`
}

// phase is a throughput: items (units, pages) in seconds.
type phase struct {
	Items     int     `json:"items"`
	Unit      string  `json:"unit"`
	Seconds   float64 `json:"seconds"`
	PerSecond float64 `json:"per_second"`
}

func newPhase(items int, unit string, d time.Duration) *phase {
	p := &phase{Items: items, Unit: unit, Seconds: d.Seconds()}
	if d > 0 {
		p.PerSecond = float64(items) / d.Seconds()
	}
	return p
}

// benchRow is a query of the mix as one principal, on both engines.
type benchRow struct {
	Query     string   `json:"query"`
	Label     string   `json:"label"`
	Principal string   `json:"principal"`
	Hits      int64    `json:"hits"`            // mean total of the variants through the API (-1: n/a)
	PGHits    int64    `json:"postgresql_hits"` // the same in PostgreSQL (French stemming differs)
	Facets    bool     `json:"facets"`
	Highlight bool     `json:"highlight"`
	Sesam     *latency `json:"sesam,omitempty"`
	JournalMS float64  `json:"journal_ms,omitempty"`      // the mean time of the journal's commit (staff), overlapping the answer's making
	Index     *latency `json:"index,omitempty"`           // the same requests on the index in-process
	Overhead  float64  `json:"portal_overhead,omitempty"` // index q/s / sesam q/s - 1
	PG        *latency `json:"postgresql,omitempty"`
	RatioP50  float64  `json:"ratio_p50,omitempty"` // PostgreSQL p50 / sesam p50
	RatioQPS  float64  `json:"ratio_qps,omitempty"` // sesam q/s / PostgreSQL q/s
	Note      string   `json:"note,omitempty"`
	// Beside is the query the other clients ran meanwhile (Mix.Beside), and Busy what
	// they got on each engine ("sesam", "index", "postgresql").
	Beside string              `json:"beside,omitempty"`
	Busy   map[string]*latency `json:"busy,omitempty"`

	principal   *principal
	specs       []querySpec
	probe       probe
	beside      []querySpec // the other clients' variants
	besideProbe probe
}

// busy records what the other clients got on an engine while the row was timed.
func (row *benchRow) busy(engine string, l *latency) {
	if l == nil {
		return
	}
	if row.Busy == nil {
		row.Busy = map[string]*latency{}
	}
	row.Busy[engine] = l
}

func newBenchResult(opt benchOptions, m *corpus.Manifest) *benchResult {
	r := &benchResult{Date: time.Now().Format(time.RFC3339), GoVersion: runtime.Version(), CPUs: runtime.NumCPU(),
		Clients: opt.clients, DurationS: opt.duration.Seconds(),
		Corpus: benchCorpus{Dir: opt.corpus, Seed: m.Seed, Units: m.Units, Packages: len(m.Packages)}}
	for _, t := range m.Tenants {
		if t.Kind != "operator" {
			r.Corpus.Tenants++
		}
	}
	for _, p := range m.Packages {
		r.Corpus.PDFs += p.PDFs
		r.Corpus.Pages += p.Pages
	}
	r.Commit = commit()
	return r
}

// commit is the build's revision, or the working tree's when the build has none
// (built with -buildvcs=false): runs are compared by it.
func commit() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				return s.Value
			}
		}
	}
	out, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// row adds the row of a query as a principal.
func (r *benchResult) row(mq mixQuery, p *principal) *benchRow {
	row := &benchRow{Query: mq.Name, Label: mq.Label, Principal: p.Name, principal: p}
	r.Rows = append(r.Rows, row)
	return row
}

// finish computes the ratios and the notes once both engines have run.
func (r *benchResult) finish() {
	// VmHWM is updated lazily per thread: never report a peak below a sample.
	r.RSSPeakMB = max(procStatusMB("VmHWM"), r.RSSLoadMB, r.RSSRestMB)
	asked := false
	for _, row := range r.Rows {
		if len(row.specs) > 0 {
			row.Facets = row.specs[0].Facets || row.probe.facets
			row.Highlight = row.probe.highlighted
			asked = asked || row.probe.facets && !row.specs[0].Facets
		}
		if row.Query == "browse" && row.PG != nil && row.PGHits != row.Hits {
			r.Notes = append(r.Notes, fmt.Sprintf("WARNING: browsing as %s finds %d units through the API and %d in "+
				"PostgreSQL: the two security filters disagree", row.Principal, row.Hits, row.PGHits))
		}
		if row.Sesam != nil && row.PG != nil && row.Sesam.P50MS > 0 && row.PG.QPS > 0 {
			row.RatioP50 = row.PG.P50MS / row.Sesam.P50MS
			row.RatioQPS = row.Sesam.QPS / row.PG.QPS
		}
		if row.Beside != "" && row.Sesam != nil {
			row.Note = busyNote(row, r.Clients)
		}
		// Throughput, not latency: in-process, a call waits for a CPU before its clock
		// starts, while an HTTP request's latency includes that queue.
		if row.Sesam != nil && row.Index != nil && row.Sesam.QPS > 0 {
			row.Overhead = row.Index.QPS/row.Sesam.QPS - 1
		}
	}
	r.Notes = append(r.Notes,
		fmt.Sprintf("deep page: the search-after cursor at offset %d is found once (page=%d&size=100, then `next`); "+
			"the timed request is q=…&sort=date&after=CURSOR&size=%d; PostgreSQL uses OFFSET %d", deepOffset, deepOffset/100, pageSize, deepOffset),
		"PostgreSQL does what the API did for each query: the page of hits, the total, facets when the API returned "+
			"facets, ts_headline of titles and descriptions when the API marked hits; it is queried directly (no HTTP, "+
			"no session, scope, breadcrumbs or journal), so its figures flatter it")
	if asked {
		r.Notes = append(r.Notes, "the API computes facets and the histogram for every search (it has no way to skip "+
			"them, facets=0 is ignored): queries sent without facets were faceted anyway")
	}
}

// writeBenchTable prints the run as one table.
func writeBenchTable(w io.Writer, r *benchResult) error {
	c := r.Corpus
	fmt.Fprintf(w, "sesam bench — %s, %s, %d CPUs, PostgreSQL %s, commit %.12s\n", r.Date, r.GoVersion, r.CPUs, r.PGVersion, r.Commit)
	fmt.Fprintf(w, "corpus: %s: %d units, %d collectivités, %d packages, %d PDFs (%d pages), seed %d\n",
		c.Dir, c.Units, c.Tenants, c.Packages, c.PDFs, c.Pages, c.Seed)
	fmt.Fprintf(w, "load: %d clients, %s per query and principal on each engine; a shared machine is noisy: compare runs, not single figures\n\n",
		r.Clients, time.Duration(r.DurationS*float64(time.Second)))
	writePhase(w, "import", r.Import)
	if r.ImportJobs > 1 {
		fmt.Fprintf(w, "%-12s %d packages side by side; extraction is the rate of one import stream\n", "", r.ImportJobs)
	}
	writePhase(w, "extraction", r.Extraction)
	if r.Extraction != nil {
		fmt.Fprintf(w, "%-12s %d of %d PDFs read by sesam-pdftotext, the others by one pdftotext each\n", "", r.HelperPDFs, c.PDFs)
	}
	writePhase(w, "indexing", r.Indexing)
	fmt.Fprintf(w, "%-12s %8.1f MB", "index size", float64(r.IndexBytes)/1e6)
	if r.PGBuild != nil {
		fmt.Fprintf(w, "   (PostgreSQL bench_fts with its indexes: %.1f MB, built in %.1f s)", float64(r.PGBytes)/1e6, r.PGBuild.Seconds)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "%-12s %8.1f MB at rest, %.1f MB under load (process peak %.1f MB, import and indexing included)\n",
		"portal RSS", r.RSSRestMB, r.RSSLoadMB, r.RSSPeakMB)
	fmt.Fprintf(w, "%-12s %8.1f MB at rest, %.1f MB under load without the mapped index files (RssAnon; the bench's own HTTP clients included)\n\n",
		"", r.AnonRestMB, r.AnonLoadMB)
	for _, p := range r.Principals {
		fmt.Fprintf(w, "%-9s  %s\n", p.Name, p.describe())
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "query\tprincipal\thits\t|\tsesam p50\tp95\tp99\tq/s\terr\tjrnl\t|\tindex p50\tq/s\t+portal\t|\tPG p50\tp95\tp99\tq/s\terr\t|\t×p50\t×q/s\t")
	for _, row := range r.Rows {
		hits := "-"
		if row.Hits >= 0 {
			hits = fmt.Sprint(row.Hits)
		}
		jrnl := "-"
		if row.JournalMS > 0 {
			jrnl = fmt.Sprintf("%.2f", row.JournalMS)
		}
		fmt.Fprintf(tw, "%-22s\t%-9s\t%s\t|\t%s%s\t|\t%s|\t%s|\t%s\t\n", row.Label, row.Principal, hits, cells(row.Sesam), jrnl,
			indexCells(row), cells(row.PG), ratios(row))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nlatencies in ms; jrnl = the mean time of a request's journal commit (staff only; its answer is made meanwhile);")
	fmt.Fprintln(w, "index = the same requests on the index in-process, +portal = index q/s / sesam q/s - 1 (the CPU the portal adds;")
	fmt.Fprintln(w, "in-process latencies leave out the wait for a CPU, which HTTP latencies include, so compare p50s only at 1 client);")
	fmt.Fprintln(w, "×p50 = PostgreSQL p50 / sesam p50, ×q/s = sesam q/s / PostgreSQL q/s")
	for _, row := range r.Rows {
		if row.Note != "" {
			fmt.Fprintf(w, "- %s as %s: %s\n", row.Label, row.Principal, row.Note)
		}
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "- %s\n", n)
	}
	return nil
}

// busyNote says what kept the engines busy while a row was timed.
func busyNote(row *benchRow, clients int) string {
	label := row.Beside
	if mq, ok := mixQueryNamed(row.Beside); ok {
		label = mq.Label
	}
	var got []string
	for _, e := range []struct{ key, name string }{{"sesam", "sesam"}, {"index", "index"}, {"postgresql", "PostgreSQL"}} {
		if l := row.Busy[e.key]; l != nil {
			got = append(got, fmt.Sprintf("%s %.1f q/s, p50 %.1f ms", e.name, l.QPS, l.P50MS))
		}
	}
	return fmt.Sprintf("one client timed while %s ran %s as %s meanwhile (%s); jrnl is the mean of every client's requests",
		plural(clients-1, "other client"), label, row.Principal, strings.Join(got, "; "))
}

func writePhase(w io.Writer, name string, p *phase) {
	if p == nil {
		fmt.Fprintf(w, "%-12s %8s\n", name, "-")
		return
	}
	fmt.Fprintf(w, "%-12s %8.0f %s/s (%d %s in %.1f s)\n", name, p.PerSecond, p.Unit, p.Items, p.Unit, p.Seconds)
}

func cells(l *latency) string {
	if l == nil {
		return "-\t-\t-\t-\t-\t"
	}
	return fmt.Sprintf("%.1f\t%.1f\t%.1f\t%.1f\t%d\t", l.P50MS, l.P95MS, l.P99MS, l.QPS, l.Errors)
}

func indexCells(row *benchRow) string {
	if row.Index == nil {
		return "-\t-\t-\t"
	}
	return fmt.Sprintf("%.1f\t%.1f\t%+.0f%%\t", row.Index.P50MS, row.Index.QPS, 100*row.Overhead)
}

func ratios(row *benchRow) string {
	if row.RatioP50 == 0 {
		return "-\t-"
	}
	return fmt.Sprintf("%.1f\t%.1f", row.RatioP50, row.RatioQPS)
}

// describe says who the principal is and how much it covers.
func (p *principal) describe() string {
	if p.Subject == "" {
		return fmt.Sprintf("anyone, not logged in: the public units of the %s that publish online", plural(p.Tenants, "collectivité"))
	}
	return fmt.Sprintf("%s, %s on %s (%s)", p.Subject, p.Role, strings.Join(p.Domains, ", "), plural(p.Tenants, "collectivité"))
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func writeBenchJSON(path string, r *benchResult) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
