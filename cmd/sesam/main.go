// Command sesam is the search and access portal of a shared electronic archive:
// it imports SEDA packages, indexes them, serves the portal and keeps the journal.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"sort"
	"syscall"
)

// command is one subcommand of sesam.
type command struct {
	name  string
	usage string
	run   func(ctx context.Context, env *env, args []string) error
}

// env is what every subcommand gets: its output streams and the configuration.
type env struct {
	stdout io.Writer
	stderr io.Writer
	cfg    config
}

// exitError carries an exit status without printing anything more.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func commands() []command {
	return []command{
		{"bench", "sesam bench gen --units N --tenants T --out DIR | bench run --corpus DIR", cmdBench},
		{"access", "sesam access explain --unit ID [--as SUBJECT|public] [--at DATE] [--json]", cmdAccess},
		{"import", "sesam import --tenant ID PATH...", cmdImport},
		{"journal", "sesam journal verify | anchor | export [--format csv|jsonl] [--from DATE] [--to DATE] [--tenant ID] [--subject S]", cmdJournal},
		{"migrate", "sesam migrate", cmdMigrate},
		{"pdftext", "sesam pdftext [--ocr] FILE.pdf", cmdPdftext},
		{"reindex", "sesam reindex", cmdReindex},
		{"role", "sesam role grant|revoke SUBJECT ROLE DOMAIN [--agency A]... | role list", cmdRole},
		{"rules", "sesam rules load --tenant ID FILE.csv | rules list [--tenant ID]", cmdRules},
		{"search", "sesam search [--as SUBJECT|public] [--json] QUERY", cmdSearch},
		{"serve", "sesam serve [--dev-login]", cmdServe},
		{"tenant", "sesam tenant add ID --name NAME [--publish] | tenant list", cmdTenant},
	}
}

func main() {
	tuneGC()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// tuneGC lets the heap grow to three times the live data before collecting, under a
// soft limit of 900 MiB near which the collector works harder: indexing spent a fifth
// of its CPU collecting at Go's default (a rebuild of 10,000 units: 10.8 s -> 8.4 s of
// CPU), and a portal or an import stays within a gigabyte. GOGC and GOMEMLIMIT, when
// set, decide instead.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(300)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(900 << 20)
	}
}

// servingGC lets a serving portal's heap grow by twice its live data between collections
// (GOGC 200) rather than three times: its garbage is short-lived search state, not an
// index build's. On the 1M bench (16 clients, the archivist's one word, faceted and
// browse, two alternated rounds) the RSS under load went from 850 to 745 MB with the
// same searches per second. GOGC, when set, decides instead.
func servingGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(200)
	}
}

// servingProcs runs Go on one processor more than the CPUs it may use (GOMAXPROCS's
// value: the environment variable when set, else the CPUs or the container's share of
// them) and returns those CPUs: the portal lets broad searches take one each, so that
// the spare processor is free for quick requests (see portal.Config.BroadSearches).
func servingProcs() int {
	cpus := runtime.GOMAXPROCS(0)
	runtime.GOMAXPROCS(cpus + 1)
	return cpus
}

// run dispatches to the subcommand and turns its error into an exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cmds := commands()
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].name < cmds[j].name })
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr, cmds)
		return 2
	}
	for _, c := range cmds {
		if c.name != args[0] {
			continue
		}
		e := &env{stdout: stdout, stderr: stderr, cfg: configFromEnv(os.Getenv)}
		err := c.run(ctx, e, args[1:])
		var ee exitError
		switch {
		case err == nil:
			return 0
		case errors.As(err, &ee):
			return ee.code
		default:
			fmt.Fprintf(stderr, "sesam %s: %v\n", c.name, err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "sesam: unknown command %q\n\n", args[0])
	usage(stderr, cmds)
	return 2
}

func usage(w io.Writer, cmds []command) {
	fmt.Fprintln(w, "usage:")
	for _, c := range cmds {
		fmt.Fprintf(w, "  %s\n", c.usage)
	}
}
