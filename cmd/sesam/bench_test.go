package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"sesam/corpus"
	"sesam/store/storetest"
)

// genBenchCorpus writes a small corpus with `sesam bench gen` and returns its directory.
func genBenchCorpus(t *testing.T, units, tenants string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "corpus")
	code, out, errOut := runSesam("bench", "gen", "--units", units, "--tenants", tenants, "--out", dir, "--pdf-share", "0.2")
	if code != 0 {
		t.Fatalf("bench gen: exit %d\n%s%s", code, out, errOut)
	}
	return dir
}

func TestBenchGenWritesTheCorpusAndSaysWhat(t *testing.T) {
	dir := genBenchCorpus(t, "300", "6")
	m, err := corpus.ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	units, packages := 0, 0
	for _, p := range m.Packages {
		units += p.Units
		if _, err := os.Stat(filepath.Join(dir, p.Path)); err == nil {
			packages++
		}
	}
	if units != 300 || packages != len(m.Packages) {
		t.Errorf("corpus.json lists %d units in %d packages, %d of them on disk; want 300 units, all on disk", units, len(m.Packages), packages)
	}
	tenants, err := os.ReadFile(filepath.Join(dir, corpus.TenantsFile))
	if err != nil || strings.Count(string(tenants), "/") != 6 {
		t.Errorf("tenants.txt should list 6 collectivités: %v\n%s", err, tenants)
	}
	_, out, _ := runSesam("bench", "gen", "--units", "300", "--tenants", "6", "--out", filepath.Join(t.TempDir(), "c"))
	for _, want := range []string{"packages: 300 units", "6 collectivités", "access rules declared"} {
		if !strings.Contains(out, want) {
			t.Errorf("bench gen output lacks %q:\n%s", want, out)
		}
	}
}

func TestBenchRunRefusesADatabaseThatIsNotDedicated(t *testing.T) {
	dir := genBenchCorpus(t, "30", "2")
	t.Setenv("SESAM_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sesam?sslmode=disable")
	code, _, errOut := runSesam("bench", "run", "--corpus", dir, "--data", t.TempDir())
	if code == 0 || !strings.Contains(errOut, "dedicated") {
		t.Errorf("bench run on database sesam: exit %d, %q; want a refusal naming a dedicated database", code, errOut)
	}
}

// TestBenchRunPrintsEveryRow runs the whole bench on a tiny corpus for a few
// milliseconds per query: the table and the JSON must have every phase and every
// query of the mix for the three principals (no timing is checked), and browsing must
// find the same units through the API and in PostgreSQL for each principal (the two
// security filters agree). Every collectivité publishes, so that the public's filter
// has closed units to leave out.
func TestBenchRunPrintsEveryRow(t *testing.T) {
	dir := genBenchCorpus(t, "400", "6")
	publishAll(t, dir)
	ctx := context.Background()
	db, err := storetest.Create(ctx, "cmdbench")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Drop(context.Background()) })
	t.Setenv("SESAM_DATABASE_URL", db.URL)
	jsonPath := filepath.Join(t.TempDir(), "results.json")
	start := time.Now()
	code, out, errOut := runSesam("bench", "run", "--corpus", dir, "--data", t.TempDir(), "--clients", "2",
		"--duration", "20ms", "--json", jsonPath)
	if code != 0 {
		t.Fatalf("bench run: exit %d\n%s\n%s", code, out, errOut)
	}
	t.Logf("bench run took %s", time.Since(start))
	for _, want := range []string{"import", "extraction", "indexing", "index size", "portal RSS", "agent", "archivist", "public"} {
		if !strings.Contains(out, "\n"+want) {
			t.Errorf("the table has no %q line:\n%s", want, out)
		}
	}
	b, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	var res benchResult
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	var got, want []string
	for _, mq := range benchMix() {
		for _, p := range []string{"agent", "archivist", "public"} {
			want = append(want, mq.Name+" "+p)
			if !strings.Contains(out, mq.Label) {
				t.Errorf("the table has no %q row", mq.Label)
			}
		}
	}
	for _, row := range res.Rows {
		got = append(got, row.Query+" "+row.Principal)
		measured := row.Sesam != nil && row.PG != nil && row.Sesam.Requests > 0 && row.PG.Requests > 0
		if !measured && row.Note == "" {
			t.Errorf("row %s as %s has neither figures nor a reason why not", row.Query, row.Principal)
		}
		// The staff's searches are journaled, the public's are not: the table says what
		// the commit added to each staff request, and nothing for the public.
		if measured && (row.Principal == "public") != (row.JournalMS == 0) {
			t.Errorf("%s as %s: journal wait %.3f ms", row.Query, row.Principal, row.JournalMS)
		}
		// A busy row is timed while the other client keeps each engine busy.
		if mq, _ := mixQueryNamed(row.Query); measured && mq.Beside != "" {
			for _, engine := range []string{"sesam", "index", "postgresql"} {
				if l := row.Busy[engine]; l == nil || l.Requests == 0 {
					t.Errorf("%s as %s: nothing ran beside it on %s: %+v", row.Query, row.Principal, engine, l)
				}
			}
		}
		if row.Query == "browse" && row.Hits != row.PGHits {
			t.Errorf("browse as %s: %d units through the API, %d in PostgreSQL", row.Principal, row.Hits, row.PGHits)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("JSON rows (-want +got):\n%s", diff)
	}
	if res.Import == nil || res.Import.Items != 400 || res.Indexing == nil || res.Indexing.Items != 400 || res.PGBuild == nil {
		t.Errorf("phases: import %+v, indexing %+v, PostgreSQL build %+v; want 400 units imported and indexed",
			res.Import, res.Indexing, res.PGBuild)
	}
}

// publishAll rewrites a corpus's manifest so that every collectivité publishes online.
func publishAll(t *testing.T, dir string) {
	t.Helper()
	m, err := corpus.ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i := range m.Tenants {
		m.Tenants[i].Publish = m.Tenants[i].Kind != "operator"
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, corpus.ManifestFile), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestPercentile(t *testing.T) {
	ms := func(ns ...int) []time.Duration {
		var out []time.Duration
		for _, n := range ns {
			out = append(out, time.Duration(n)*time.Millisecond)
		}
		return out
	}
	for _, tc := range []struct {
		ds   []time.Duration
		p    float64
		want float64
	}{
		{nil, 50, 0},
		{ms(7), 99, 7},
		{ms(5, 1, 4, 2, 3), 50, 3},
		{ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 95, 10},
		{ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 50, 5},
	} {
		if got := percentileMS(tc.ds, tc.p); got != tc.want {
			t.Errorf("percentileMS(%v, %v) = %v, want %v", tc.ds, tc.p, got, tc.want)
		}
	}
}
