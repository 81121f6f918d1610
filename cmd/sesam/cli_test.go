package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"sesam/access"
	"sesam/index"
	"sesam/portal"
	"sesam/store"
	"sesam/store/storetest"
)

// freshDatabase gives a command test an empty database (no schema) named to the
// commands through SESAM_DATABASE_URL, and a data directory.
func freshDatabase(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	db, err := storetest.Create(ctx, "cli")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Drop(context.Background()) })
	dataDir := t.TempDir()
	t.Setenv("SESAM_DATABASE_URL", db.URL)
	t.Setenv("SESAM_DATA_DIR", dataDir)
	t.Setenv("SESAM_INDEX_DIR", "")
	return dataDir
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errb := runSesam(args...)
	if code != 0 {
		t.Fatalf("sesam %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errb)
	}
	return out
}

func sample(dir, name string) string {
	return filepath.Join("..", "..", "..", "shared", "testdata", "seda", dir, name)
}

func TestImportCommand(t *testing.T) {
	freshDatabase(t)
	code, _, errb := runSesam("tenant", "add", "cdg62", "--name", "CDG 62")
	if code != 1 || !strings.Contains(errb, "sesam migrate") {
		t.Errorf("before migrate: exit %d, %q; want a message saying to migrate", code, errb)
	}
	mustRun(t, "migrate")
	mustRun(t, "tenant", "add", "cdg62", "--name", "CDG 62")
	if code, _, errb := runSesam("tenant", "add", "cdg99/x", "--name", "X"); code != 1 || !strings.Contains(errb, "add it first") {
		t.Errorf("tenant without parent: exit %d %q", code, errb)
	}
	good, bad := sample("sip", "itests__OK_SIP_2_GO.zip"), sample("invalid", "vitam__SIP_KO_PathTraversalInFileName.zip")
	code, out, _ := runSesam("import", "--tenant", "cdg62", good, bad)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 1 || len(lines) != 2 || !strings.HasPrefix(lines[0], "imported  itests__OK_SIP_2_GO.zip: transfer 1, 7 units, 4 objects") ||
		!strings.HasPrefix(lines[1], "refused   vitam__SIP_KO_PathTraversalInFileName.zip: ") {
		t.Errorf("import: exit %d\n%s", code, out)
	}
	out = mustRun(t, "import", "--tenant", "cdg62", good)
	if !strings.HasPrefix(out, "unchanged itests__OK_SIP_2_GO.zip: already imported as transfer 1") {
		t.Errorf("re-import: %s", out)
	}
	if out := mustRun(t, "tenant", "list"); !strings.Contains(out, "cdg62") || !strings.Contains(out, " 7\n") {
		t.Errorf("tenant list: %s", out)
	}
}

// ruitzSetUp migrates a fresh database and imports the hand-made Ruitz transfer into
// cdg62/ruitz (which publishes online), with importFlags given to sesam import.
func ruitzSetUp(t *testing.T, importFlags ...string) string {
	t.Helper()
	dataDir := freshDatabase(t)
	mustRun(t, "migrate")
	mustRun(t, "tenant", "add", "cdg62", "--name", "CDG 62")
	mustRun(t, "tenant", "add", "cdg62/ruitz", "--name", "Commune de Ruitz", "--publish")
	dir, err := storetest.RuitzPackage(t.TempDir(), filepath.Join("..", "..", "..", "shared", "testdata", "pdf"))
	if err != nil {
		t.Fatal(err)
	}
	mustRun(t, append(append([]string{"import"}, importFlags...), "--tenant", "cdg62/ruitz", dir)...)
	return dataDir
}

// TestSearchJSONIsTheAPIDocument: `sesam search --json` prints what the API returns
// (both are portal.Search), as the principal named by --as.
func TestSearchJSONIsTheAPIDocument(t *testing.T) {
	dataDir := ruitzSetUp(t)
	var got portal.SearchDoc
	if err := json.Unmarshal([]byte(mustRun(t, "search", "--json", "registre")), &got); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, os.Getenv("SESAM_DATABASE_URL"), dataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ix, _, err := index.Open(filepath.Join(dataDir, "index"))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	rights, _ := access.NewRights(st.CasbinAdapter())
	scope, _ := st.Scope(ctx, rights, access.Principal{}, time.Now())
	want, err := portal.Search(ctx, st, ix, scope, index.Request{Query: "registre", Size: 20, Facets: true}, "fr")
	if err != nil {
		t.Fatal(err)
	}
	ignoreTook := cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".TookMS" }, cmp.Ignore())
	if diff := cmp.Diff(want, &got, ignoreTook); diff != "" {
		t.Errorf("search --json differs from the API document (-api +cli):\n%s", diff)
	}
	if got.Total != 3 {
		t.Errorf("the public finds %d registers, want 3 (the 1960 marriages are closed until 2035)", got.Total)
	}
	ix.Close()
	// An agent of Ruitz finds the closed one too.
	mustRun(t, "role", "grant", "Agent@Ruitz.fr", "reader", "cdg62/ruitz")
	if err := json.Unmarshal([]byte(mustRun(t, "search", "--json", "--as", "agent@ruitz.fr", "registre")), &got); err != nil {
		t.Fatal(err)
	}
	if got.Total != 4 {
		t.Errorf("the agent finds %d registers, want 4", got.Total)
	}
	if out := mustRun(t, "role", "grant", "agent@ruitz.fr", "reader", "cdg62/ruitz"); !strings.HasPrefix(out, "unchanged") {
		t.Errorf("granting again: %s", out)
	}
	if code, _, errb := runSesam("role", "grant", "x@y.fr", "king", "cdg62"); code != 1 || !strings.Contains(errb, "unknown role") {
		t.Errorf("unknown role: %d %s", code, errb)
	}
}

// TestSearchCommandPages: the cursor printed at the end of a page is followed with
// --after, pages are also reached with --page, the year fields narrow the search, and
// snippets print as text (no HTML entities).
func TestSearchCommandPages(t *testing.T) {
	ruitzSetUp(t)
	mustRun(t, "role", "grant", "agent@ruitz.fr", "reader", "cdg62/ruitz")
	search := func(args ...string) (ids []string, next string, out string) {
		out = mustRun(t, append([]string{"search", "--as", "agent@ruitz.fr"}, args...)...)
		for _, line := range strings.Split(out, "\n") {
			if f := strings.Fields(line); len(f) > 1 && !strings.HasPrefix(line, " ") && f[0] != "" && f[0][0] >= '0' && f[0][0] <= '9' && !strings.Contains(line, "résultats") {
				ids = append(ids, f[0])
			}
			if c, ok := strings.CutPrefix(line, "(suite : --after "); ok {
				next = strings.TrimSuffix(c, ")")
			}
		}
		return ids, next, out
	}
	first, next, _ := search("--size", "2", "--sort", "cote", "registre")
	if len(first) != 2 || next == "" {
		t.Fatalf("first page: %v, cursor %q", first, next)
	}
	second, _, _ := search("--size", "2", "--sort", "cote", "--after", next, "registre")
	page2, _, _ := search("--size", "2", "--sort", "cote", "--page", "2", "registre")
	if len(second) != 2 || !slices.Equal(second, page2) || slices.Contains(second, first[0]) || slices.Contains(second, first[1]) {
		t.Errorf("--after gives %v, --page 2 gives %v, after the first page %v", second, page2, first)
	}
	all, _, _ := search("registre")
	years, _, _ := search("--from", "1955", "--to", "1975", "registre")
	inside, _, _ := search("--from", "1955", "--to", "1975", "--incl", "registre")
	if len(all) != 4 || len(years) != 2 || len(inside) != 1 {
		t.Errorf("registre: %v; 1955-1975 overlapping: %v; inside: %v", all, years, inside)
	}
	if code, _, errb := runSesam("search", "--from", "1950s", "registre"); code != 2 || !strings.Contains(errb, "not a year") {
		t.Errorf("--from 1950s: exit %d %q", code, errb)
	}
	_, _, out := search("architecte")
	if !strings.Contains(out, "de l'[architecte]") || strings.Contains(out, "&#") {
		t.Errorf("snippets print HTML entities or no mark:\n%s", out)
	}
}

// TestSearchPublicDescription: once a closed fonds' description is public, the public
// finds its closed units by their description, never by the text of their documents
// (the staff files, closed until 2040, hold a speech with "ricanements" on page 1).
func TestSearchPublicDescription(t *testing.T) {
	ruitzSetUp(t)
	mustRun(t, "role", "grant", "agent@ruitz.fr", "reader", "cdg62/ruitz")
	search := func(as, q string) portal.SearchDoc {
		var doc portal.SearchDoc
		if err := json.Unmarshal([]byte(mustRun(t, "search", "--json", "--as", as, q)), &doc); err != nil {
			t.Fatal(err)
		}
		return doc
	}
	fonds := search("agent@ruitz.fr", `cote:"RUITZ"`)
	if len(fonds.Hits) == 0 {
		t.Fatal("the agent does not find the fonds")
	}
	agent := search("agent@ruitz.fr", "ricanements")
	if agent.Total != 1 || len(agent.Hits[0].Snippets) == 0 || agent.Hits[0].Snippets[0].Page != 1 {
		t.Fatalf("the agent finds %d units for a word of the staff files' PDF: %+v", agent.Total, agent.Hits)
	}
	mustRun(t, "access", "public-description", "--unit", strconv.FormatInt(fonds.Hits[0].ID, 10))
	if doc := search("public", "titre:personnel"); doc.Total != 1 || doc.Hits[0].ID != agent.Hits[0].ID {
		t.Errorf("the public does not find the staff files by their described title: %+v", doc.Hits)
	} else if len(doc.Hits[0].Snippets) > 0 || doc.Hits[0].Communicable {
		t.Errorf("the staff files shown to the public with %+v, communicable %v", doc.Hits[0].Snippets, doc.Hits[0].Communicable)
	}
	for _, q := range []string{"ricanements", "texte:ricanements", "titre:personnel ricanements"} {
		if doc := search("public", q); doc.Total != 0 || len(doc.Hits) != 0 {
			t.Errorf("the public finds %q in a closed unit's PDF: %+v", q, doc.Hits)
		}
	}
}

func TestAccessExplainCommand(t *testing.T) {
	ruitzSetUp(t)
	ctx := context.Background()
	st, err := store.Open(ctx, os.Getenv("SESAM_DATABASE_URL"), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var id string
	st.Pool().QueryRow(ctx, `SELECT id::text FROM unit WHERE seda_id = 'W-PERSONNEL'`).Scan(&id)
	st.Close()
	var d explainDoc
	explain := func(at string, more ...string) {
		t.Helper()
		args := append([]string{"access", "explain", "--unit", id, "--at", at, "--json"}, more...)
		if err := json.Unmarshal([]byte(mustRun(t, args...)), &d); err != nil {
			t.Fatal(err)
		}
	}
	explain("2040-12-30")
	if d.Communicable || d.CommunicableFrom == nil || *d.CommunicableFrom != "2040-12-31" || d.Public || d.VisibleToPrincipal ||
		len(d.Rules) != 1 || d.Rules[0].Code != "AR048" || d.Rules[0].Origin != id || d.Reason == "" {
		t.Errorf("the day before: %+v", d)
	}
	if want := "Non visible : aucun rôle ne donne accès aux archives de cdg62/ruitz ; cdg62/ruitz publie en ligne, mais l'unité n'est communicable qu'à partir du 31 décembre 2040 ; aucune autorisation en cours sur cette unité."; d.VisibilityReason != want || d.VisibilityGround != "none" {
		t.Errorf("why the public cannot see it the day before: %q (%s), want %q", d.VisibilityReason, d.VisibilityGround, want)
	}
	explain("2040-12-31")
	if !d.Communicable || !d.Public || !d.VisibleToPrincipal {
		t.Errorf("on the opening day (Ruitz publishes online): %+v", d)
	}
	if want := "Visible de tous : cdg62/ruitz publie en ligne, l'unité est communicable depuis le 31 décembre 2040."; d.VisibilityReason != want || d.VisibilityGround != "public" {
		t.Errorf("why the public sees it on the opening day: %q (%s), want %q", d.VisibilityReason, d.VisibilityGround, want)
	}
	mustRun(t, "role", "grant", "agent@ruitz.fr", "reader", "cdg62/ruitz")
	explain("2030-01-01", "--as", "agent@ruitz.fr", "--lang", "en")
	if want := "Visible: role reader on “cdg62/ruitz”, which covers cdg62/ruitz (its archives whatever their delay)."; d.VisibilityReason != want || !d.VisibleToPrincipal {
		t.Errorf("why the agent sees it: %q, want %q", d.VisibilityReason, want)
	}
	out := mustRun(t, "access", "explain", "--unit", id, "--at", "2030-01-01")
	if !strings.Contains(out, "AR048") || !strings.Contains(out, "31 décembre 2040") ||
		!strings.Contains(out, "public ne peut pas voir cette unité. Non visible : aucun rôle ne donne accès aux archives de cdg62/ruitz") {
		t.Errorf("explain text:\n%s", out)
	}
}

func TestRulesLoadCommand(t *testing.T) {
	ruitzSetUp(t)
	csv := filepath.Join(t.TempDir(), "regles.csv")
	// The tenant shortens the private-life delay to 40 years: the staff files open in 2030.
	os.WriteFile(csv, []byte("RuleId,RuleType,RuleValue,RuleDescription,RuleDuration,RuleMeasurement\n"+
		"AR048,AccessRule,Vie privée,Délai local,40,YEAR\n"), 0o644)
	out := mustRun(t, "rules", "load", "--tenant", "cdg62/ruitz", csv)
	if !strings.Contains(out, "loaded 1 rules for cdg62/ruitz; 1 units changed") {
		t.Errorf("rules load: %s", out)
	}
	bad := filepath.Join(t.TempDir(), "bad.csv")
	os.WriteFile(bad, []byte("RuleId,RuleType,RuleValue,RuleDescription,RuleDuration,RuleMeasurement\nX,AccessRule,x,x,dix,YEAR\n"), 0o644)
	if code, _, errb := runSesam("rules", "load", "--tenant", "cdg62/ruitz", bad); code != 1 || !strings.Contains(errb, "ligne 2") {
		t.Errorf("bad referential: %d %s", code, errb)
	}
}

// TestServeRefusesABadSearchRate: a misspelt setting stops the start with its name,
// rather than serving with a limit nobody chose.
func TestServeRefusesABadSearchRate(t *testing.T) {
	t.Setenv("SESAM_SEARCH_RATE", "beaucoup")
	code, _, errb := runSesam("serve", "--addr", "127.0.0.1:0")
	if code != 1 || !strings.Contains(errb, "SESAM_SEARCH_RATE") {
		t.Errorf("serve with SESAM_SEARCH_RATE=beaucoup: exit %d, %q", code, errb)
	}
}
