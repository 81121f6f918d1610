package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	neturl "net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"sesam/access"
	"sesam/corpus"
	"sesam/index"
	"sesam/store"
)

// benchOptions are bench run's flags.
type benchOptions struct {
	corpus     string
	dataDir    string
	clients    int
	duration   time.Duration
	jsonOut    string
	reset      bool
	reuse      bool
	importJobs int    // packages imported side by side
	profile    string // directory for CPU profiles of the import, indexing and API phases
	compare    bool   // also run the mix on PostgreSQL full-text search
	direct     bool   // also run the mix on the index in-process (the portal's overhead)
	only       []string
	as         []string // the principals to search as (all three when empty)
}

// bench is one benchmark run: the store, index and portal it drives, and what it found.
type bench struct {
	e      *env
	opt    benchOptions
	m      *corpus.Manifest
	st     *store.Store
	ix     *index.Index
	rights *access.Rights
	portal *benchPortal
	log    *slog.Logger
	res    *benchResult
	cpus   int // the CPUs the portal's broad searches may take (servingProcs); 0 before it starts
}

func benchRun(ctx context.Context, e *env, args []string) error {
	opt, err := parseBenchRun(e, args)
	if err != nil {
		return err
	}
	m, err := corpus.ReadManifest(opt.corpus)
	if err != nil {
		return err
	}
	b := &bench{e: e, opt: opt, m: m, res: newBenchResult(opt, m)}
	b.log = slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	defer b.close()
	steps := []struct {
		name, profile string
		fn            func(context.Context) error
	}{
		{"open the bench database", "", b.openStore},
		{"import", "import", b.importCorpus},
		{"index", "index", b.buildIndex},
		{"principals", "", b.setupPrincipals},
		{"portal", "", b.startPortal},
		{"search through the API", "api", b.measureSesam},
		{"search on the index in-process", "", b.measureIndex},
		{"PostgreSQL full-text search", "", b.measurePG},
	}
	for _, s := range steps {
		b.progressf("%s…", s.name)
		stop, err := startProfile(opt.profile, s.profile)
		if err != nil {
			return err
		}
		err = s.fn(ctx)
		stop()
		if err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
	}
	// Measured at the end: the files that the last merge replaced are removed once the
	// index is open again, not when the build returns.
	b.res.IndexBytes = dirSize(filepath.Join(opt.dataDir, "index"))
	b.res.finish()
	if err := writeBenchTable(e.stdout, b.res); err != nil {
		return err
	}
	if opt.jsonOut != "" {
		return writeBenchJSON(opt.jsonOut, b.res)
	}
	return nil
}

func parseBenchRun(e *env, args []string) (benchOptions, error) {
	fs := newFlags("bench run", e.stderr)
	var o benchOptions
	fs.StringVar(&o.corpus, "corpus", "", "corpus directory written by bench gen (required)")
	fs.StringVar(&o.dataDir, "data", filepath.Join(e.cfg.DataDir, "bench"), "blobs and index of the bench")
	fs.IntVar(&o.clients, "clients", 16, "concurrent clients")
	fs.DurationVar(&o.duration, "duration", 20*time.Second, "how long each query is run for each principal")
	fs.StringVar(&o.jsonOut, "json", "", "also write the results to this JSON file")
	fs.BoolVar(&o.reset, "reset", false, "drop the bench database and data first")
	fs.BoolVar(&o.reuse, "reuse", false, "keep what an earlier run imported (no import figures)")
	fs.IntVar(&o.importJobs, "import-jobs", runtime.NumCPU(), "packages imported side by side")
	only := fs.String("only", "", "run only these queries of the mix (comma-separated names: one_word,cote...)")
	as := fs.String("as", "", "search only as these principals (comma-separated: agent,archivist,public)")
	fs.BoolVar(&o.compare, "compare", true, "also run the mix on PostgreSQL full-text search (--compare=false: sesam only)")
	fs.BoolVar(&o.direct, "direct", true, "also run the mix on the index in-process, to measure what the portal adds (--direct=false: skip)")
	fs.StringVar(&o.profile, "profile", "", "write CPU profiles of the import, indexing and API phases to this directory")
	if _, err := parseArgs(fs, args); err != nil {
		return o, err
	}
	if *only != "" {
		o.only = strings.Split(*only, ",")
		for _, name := range o.only {
			if _, ok := mixQueryNamed(name); !ok {
				return o, fmt.Errorf("bench run: --only: no query %q in the mix", name)
			}
		}
	}
	if *as != "" {
		o.as = strings.Split(*as, ",")
		for _, name := range o.as {
			if !slices.Contains([]string{"agent", "archivist", "public"}, name) {
				return o, fmt.Errorf("bench run: --as: no principal %q (agent, archivist, public)", name)
			}
		}
	}
	switch {
	case o.corpus == "":
		return o, errors.New("usage: sesam bench run --corpus DIR [--clients 16] [--duration 20s] [--json FILE] [--reset | --reuse]")
	case o.reset && o.reuse:
		return o, errors.New("bench run: --reset and --reuse contradict each other")
	case o.clients < 1 || o.duration <= 0 || o.importJobs < 1:
		return o, errors.New("bench run: --clients, --duration and --import-jobs must be positive")
	}
	return o, nil
}

// progressf tells the person waiting what the bench is doing (stderr, one line each).
func (b *bench) progressf(format string, args ...any) {
	fmt.Fprintf(b.e.stderr, "bench: "+format+"\n", args...)
}

func (b *bench) close() {
	if b.portal != nil {
		b.portal.stop()
		if j := b.portal.journal; j.Batches() > 0 {
			b.progressf("journal: %d entries in %d commits (%.1f a commit)", j.Appended(), j.Batches(),
				float64(j.Appended())/float64(j.Batches()))
		}
	}
	if b.ix != nil {
		b.ix.Close()
	}
	if b.st != nil {
		b.st.Close()
	}
}

// openStore opens the dedicated bench database (created and migrated when needed) and
// refuses one that holds data unless told what to do with it.
func (b *bench) openStore(ctx context.Context) error {
	url := b.e.cfg.DatabaseURL
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return fmt.Errorf("SESAM_DATABASE_URL: %w", err)
	}
	if !strings.Contains(cfg.Database, "bench") && !strings.Contains(cfg.Database, "test") {
		return fmt.Errorf("SESAM_DATABASE_URL names database %q: the bench imports a whole corpus and may drop "+
			"its database, so it only runs on a dedicated one (a name containing \"bench\", e.g. sesam_bench)", cfg.Database)
	}
	if b.opt.reset {
		if err := resetBench(ctx, withoutPoolParams(url), b.opt.dataDir); err != nil {
			return err
		}
	}
	if _, err := store.EnsureDatabase(ctx, withoutPoolParams(url)); err != nil {
		return err
	}
	if b.st, err = store.Open(ctx, url, b.opt.dataDir); err != nil {
		return err
	}
	if _, err := b.st.Migrate(ctx); err != nil {
		return err
	}
	ts, err := b.st.Tenants(ctx)
	switch {
	case err != nil:
		return err
	case len(ts) > 0 && !b.opt.reuse:
		return fmt.Errorf("database %s already holds %d tenants: pass --reset to start afresh or --reuse to keep them", cfg.Database, len(ts))
	}
	b.rights, err = access.NewRights(b.st.CasbinAdapter())
	return err
}

// withoutPoolParams drops pgxpool's settings (pool_max_conns...) from a URL, for the
// plain connections that create or drop the database: the server refuses them.
func withoutPoolParams(raw string) string {
	u, err := neturl.Parse(raw)
	if err != nil || u.Scheme == "" {
		return raw
	}
	q := u.Query()
	for k := range q {
		if strings.HasPrefix(k, "pool_") {
			q.Del(k)
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// resetBench drops the bench database and removes the bench's blobs and index.
func resetBench(ctx context.Context, url, dataDir string) error {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return err
	}
	name := cfg.Database
	cfg.Database = "postgres"
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("reset: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("reset: drop database %s: %w", name, err)
	}
	for _, sub := range []string{"blobs", "index"} {
		if err := os.RemoveAll(filepath.Join(dataDir, sub)); err != nil {
			return fmt.Errorf("reset: %w", err)
		}
	}
	return nil
}

// buildIndex writes a fresh index of every unit (as `sesam reindex` does) and opens it;
// with --reuse, an index that an earlier run left up to date is kept (no figures).
func (b *bench) buildIndex(ctx context.Context) error {
	dir := filepath.Join(b.opt.dataDir, "index")
	if b.opt.reuse {
		if ok, err := b.reuseIndex(ctx, dir); ok || err != nil {
			return err
		}
	}
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	start := time.Now()
	last := start
	_, err := index.Build(ctx, dir, b.st, func(done int) {
		if time.Since(last) > 10*time.Second {
			last = time.Now()
			b.progressf("indexed %d units", done)
		}
	})
	if err != nil {
		return err
	}
	took := time.Since(start)
	if b.ix, _, err = index.Open(dir); err != nil {
		return err
	}
	n, err := b.ix.DocCount()
	if err != nil {
		return err
	}
	b.res.Indexing = newPhase(int(n), "units", took)
	return nil
}

// reuseIndex opens the index in dir when it holds every unit and has applied the
// store's whole change feed.
func (b *bench) reuseIndex(ctx context.Context, dir string) (bool, error) {
	if _, err := os.Stat(filepath.Join(dir, "CURRENT")); err != nil {
		return false, nil
	}
	ix, fresh, err := index.Open(dir)
	if err != nil || fresh {
		if ix != nil {
			ix.Close()
		}
		return false, nil
	}
	n, err := ix.DocCount()
	if err != nil {
		ix.Close()
		return false, err
	}
	applied, err := ix.Seq()
	if err != nil {
		ix.Close()
		return false, err
	}
	last, err := b.st.LastSeq(ctx)
	if err != nil || int(n) != b.m.Units || applied < last {
		ix.Close()
		return false, err
	}
	b.ix = ix
	b.res.Notes = append(b.res.Notes, "--reuse: the index built by an earlier run was kept; no indexing figures")
	return true, nil
}

// startProfile starts a CPU profile of a phase into dir/name.pprof when both are set;
// the returned function stops it.
func startProfile(dir, name string) (func(), error) {
	if dir == "" || name == "" {
		return func() {}, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	f, err := os.Create(filepath.Join(dir, name+".pprof"))
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// dirSize is the bytes of the files under dir.
func dirSize(dir string) int64 {
	var n int64
	filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			n += fi.Size()
		}
		return nil
	})
	return n
}

// restingRSS is the process's resident memory once the garbage is collected and
// returned to the system: what a portal holds between requests; and its anonymous part.
func restingRSS() (rss, anon float64) {
	runtime.GC()
	debug.FreeOSMemory()
	return procStatusMB("VmRSS"), procStatusMB("RssAnon")
}

// procStatusMB reads a memory figure of /proc/self/status (VmRSS, VmHWM) in MB; 0 when
// the system has none.
func procStatusMB(field string) float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			var kb float64
			fmt.Sscanf(strings.TrimSpace(rest), "%f", &kb)
			return kb / 1024
		}
	}
	return 0
}
