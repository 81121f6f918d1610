package portal

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"sesam/access"
	"sesam/store"
)

// TestAuditorPages: an auditor of cdg62 finds the consultations of cdg62's units, not
// cdg59's; the page shows the chart and the most consulted units; an export is itself
// journalled; people without the role get nothing.
func TestAuditorPages(t *testing.T) {
	for _, a := range []access.Assignment{{Subject: "audit@cdg62.fr", Role: access.RoleAuditor, Domain: "cdg62"},
		{Subject: "audit@cdg59.fr", Role: access.RoleAuditor, Domain: "cdg59"}} {
		if _, err := tRights.Grant(a); err != nil {
			t.Fatal(err)
		}
	}
	// Consultations: Ruitz's agent opens a closed Ruitz unit; Lille's agent opens a Lille unit.
	if r := get(t, tApp, agentRuitz, unitPath("E-MARIAGES")); r.status != 200 {
		t.Fatal(r.status)
	}
	var lilleUnit int64
	tStore.Pool().QueryRow(context.Background(), `SELECT id FROM unit WHERE tenant_id = 'cdg59/lille' LIMIT 1`).Scan(&lilleUnit)
	if r := get(t, tApp, agentLille, "/units/"+itoa(int(lilleUnit))); r.status != 200 {
		t.Fatal(r.status)
	}
	r := get(t, tApp, audit62, "/audit?action=unit_view")
	if r.status != 200 {
		t.Fatalf("auditor page: %d", r.status)
	}
	mustContain(t, "cdg62 auditor", r.body, "Louis Agent", "cdg62/ruitz", "unité "+itoa(int(ruitz["E-MARIAGES"])), `<svg viewBox="0 0 600 100"`,
		"Unités les plus consultées")
	mustNotContain(t, "cdg62 auditor", r.body, "Łukasz Żółć", "cdg59/lille")
	mustContain(t, "cdg59 auditor", get(t, tApp, audit59, "/audit?action=unit_view").body, "Łukasz Żółć")
	// Auditors see the record, not the archives.
	if r := get(t, tApp, audit62, unitPath("E-MARIAGES")); r.status != 404 {
		t.Errorf("an auditor opened a closed unit: %d", r.status)
	}
	for _, who := range []as{nil, agentRuitz} {
		if r := get(t, tApp, who, "/audit"); r.status == 200 {
			t.Errorf("the journal was shown to %v", who)
		}
	}
	// The JSON Lines export holds only cdg62 entries, and is itself journalled.
	before := countJournal(t, access.ActionJournalExport)
	r = get(t, tApp, audit62, "/audit/export?format=jsonl&action=unit_view")
	if r.status != 200 || r.header.Get("Content-Type") != "application/x-ndjson" {
		t.Fatalf("export: %d %s", r.status, r.header.Get("Content-Type"))
	}
	sc := bufio.NewScanner(strings.NewReader(r.body))
	n := 0
	for sc.Scan() {
		var e struct{ Tenant string }
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		if !access.CoversTenant("cdg62", e.Tenant) {
			t.Errorf("the cdg62 export holds an entry of %q", e.Tenant)
		}
		n++
	}
	if n == 0 {
		t.Error("empty export")
	}
	if got := countJournal(t, access.ActionJournalExport) - before; got != 1 {
		t.Errorf("%d export entries, want 1", got)
	}
	if r := get(t, tApp, audit62, "/audit/export?format=xml"); r.status != 400 {
		t.Errorf("unknown format: %d", r.status)
	}
}

// grantAuditors gives the auditors of the tests their roles.
func grantAuditors(t *testing.T, as ...access.Assignment) {
	t.Helper()
	for _, a := range as {
		if _, err := tRights.Grant(a); err != nil {
			t.Fatal(err)
		}
	}
}

var (
	audit62 = &store.Session{Subject: "sub-audit62", Email: "audit@cdg62.fr", Name: "Auditeur 62"}
	audit59 = &store.Session{Subject: "sub-audit59", Email: "audit@cdg59.fr", Name: "Auditeur 59"}
)

// devLoginAs logs in through the dev login (journalled as a login) and returns the
// session cookie.
func devLoginAs(t *testing.T, subject string) string {
	t.Helper()
	resp, err := tApp.Handler().Test(httptest.NewRequest(http.MethodGet, "/login", nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	var csrf string
	for _, c := range resp.Cookies() {
		if c.Name == csrfCookie {
			csrf = c.Value
		}
	}
	req := httptest.NewRequest(http.MethodPost, "/login/dev", strings.NewReader(url.Values{"_csrf": {csrf}, "subject": {subject}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: csrfCookie, Value: csrf})
	if resp, err = tApp.Handler().Test(req, -1); err != nil {
		t.Fatal(err)
	}
	for _, c := range resp.Cookies() {
		if c.Name == sessionCookie {
			return c.Value
		}
	}
	t.Fatalf("dev login as %s: %d, no session", subject, resp.StatusCode)
	return ""
}

// exportedSubjects lists the subject and action of each entry of a JSON Lines export.
func exportedSubjects(t *testing.T, body string) []string {
	t.Helper()
	var out []string
	sc := bufio.NewScanner(strings.NewReader(body))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var e struct{ Subject, Action, Query string }
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		out = append(out, e.Subject+" "+e.Action+" "+e.Query)
	}
	return out
}

// TestAuditorSeesTheirPeople: the auditors of cdg62 see the logins of cdg62's people,
// their searches (also when no tenant was asked for), and their own journal reads; the
// auditors of cdg59 see none of it.
func TestAuditorSeesTheirPeople(t *testing.T) {
	grantAuditors(t, access.Assignment{Subject: "audit@cdg62.fr", Role: access.RoleAuditor, Domain: "cdg62"},
		access.Assignment{Subject: "audit@cdg59.fr", Role: access.RoleAuditor, Domain: "cdg59"},
		access.Assignment{Subject: "agent.ruitz@demo.sesam", Role: access.RoleReader, Domain: "cdg62/ruitz"})
	devLoginAs(t, "dev-agent-ruitz")
	// A search across tenants that finds a closed Ruitz unit.
	if r := get(t, tApp, agentRuitz, searchPath("mariages")); r.status != 200 || !strings.Contains(r.body, "Registre des mariages") {
		t.Fatalf("the agent's search: %d", r.status)
	}
	if r := get(t, tApp, audit62, "/audit?subject=dev-agent-ruitz"); r.status != 200 {
		t.Fatalf("auditor page: %d", r.status)
	}
	r := get(t, tApp, audit62, "/audit/export?format=jsonl")
	if r.status != 200 {
		t.Fatalf("export: %d", r.status)
	}
	got := strings.Join(exportedSubjects(t, r.body), "\n")
	for _, want := range []string{"dev-agent-ruitz login ", "sub-agent-ruitz search mariages", "sub-audit62 journal_view "} {
		if !strings.Contains(got, want) {
			t.Errorf("the cdg62 auditor's export lacks %q", want)
		}
	}
	other := strings.Join(exportedSubjects(t, get(t, tApp, audit59, "/audit/export?format=jsonl").body), "\n")
	for _, not := range []string{"dev-agent-ruitz login", "sub-agent-ruitz search", "sub-audit62"} {
		if strings.Contains(other, not) {
			t.Errorf("the cdg59 auditor's export holds %q", not)
		}
	}
	// The person filter takes the e-mail too.
	if r := get(t, tApp, audit62, "/audit?action=search&subject=Agent@Ruitz.fr"); !strings.Contains(r.body, "« mariages »") {
		t.Errorf("the search is not found by the searcher's e-mail")
	}
}

// TestAuditorStaysInTheirTenants: asking for another tenant's journal is refused, not
// answered with an empty page that looks like "nothing happened".
func TestAuditorStaysInTheirTenants(t *testing.T) {
	grantAuditors(t, access.Assignment{Subject: "audit@cdg62.fr", Role: access.RoleAuditor, Domain: "cdg62"})
	for _, path := range []string{"/audit?tenant=cdg59", "/audit?tenant=cdg59/lille", "/audit/export?format=csv&tenant=cdg59",
		"/audit?tenant=*"} {
		if r := get(t, tApp, audit62, path); r.status != 400 {
			t.Errorf("%s as the cdg62 auditor: %d, want 400", path, r.status)
		}
	}
	if r := get(t, tApp, audit62, "/audit?tenant=cdg62/ruitz"); r.status != 200 {
		t.Errorf("a tenant under cdg62: %d", r.status)
	}
}

// TestAuditorSeesNoClosedTitles: the most consulted units and the entries show a
// closed unit's number, not its title nor its documents' file names.
func TestAuditorSeesNoClosedTitles(t *testing.T) {
	grantAuditors(t, access.Assignment{Subject: "audit@cdg62.fr", Role: access.RoleAuditor, Domain: "cdg62"})
	if r := get(t, tApp, agentRuitz, unitPath("W-PERSONNEL")); r.status != 200 {
		t.Fatal(r.status)
	}
	// An entry written before file names were left out of object entries.
	if _, err := tJournal.Append(context.Background(), access.JournalEntry{Subject: "sub-agent-ruitz", Action: access.ActionObjectDownload,
		Tenant: "cdg62/ruitz", UnitID: ruitz["W-PERSONNEL"], ObjectID: 1, Detail: "dossier-dufour-jeanne.pdf"}); err != nil {
		t.Fatal(err)
	}
	r := get(t, tApp, audit62, "/audit?unit="+itoa(int(ruitz["W-PERSONNEL"])))
	if r.status != 200 {
		t.Fatal(r.status)
	}
	mustContain(t, "closed unit", r.body, "unité "+itoa(int(ruitz["W-PERSONNEL"])), "Unités les plus consultées")
	mustNotContain(t, "closed unit", r.body, "Personnel communal", "dossier-dufour-jeanne.pdf")
	// A public unit's title shows (anyone may see it).
	get(t, tApp, agentRuitz, "/objects/"+itoa(int(objectOf(t, "W-DISCOURS"))))
	r = get(t, tApp, audit62, "/audit?unit="+itoa(int(ruitz["W-DISCOURS"])))
	mustContain(t, "public unit", r.body, "Discours sur la réforme")
}

// objectOf is the first object of a Ruitz unit.
func objectOf(t *testing.T, unit string) int64 {
	t.Helper()
	var id int64
	if err := tStore.Pool().QueryRow(context.Background(), `SELECT object_id FROM unit_object WHERE unit_id = $1 LIMIT 1`,
		ruitz[unit]).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestAuditChartCountsConsultations: the chart titled "consultations" counts
// consultations; another action asked for gets a chart saying so.
func TestAuditChartCountsConsultations(t *testing.T) {
	grantAuditors(t, access.Assignment{Subject: "audit@cdg62.fr", Role: access.RoleAuditor, Domain: "cdg62"},
		access.Assignment{Subject: "chercheur@ruitz.fr", Role: access.RoleReader, Domain: "cdg62/ruitz"})
	chercheur := &store.Session{Subject: "sub-chercheur", Email: "chercheur@ruitz.fr", Name: "Chercheur"}
	get(t, tApp, chercheur, searchPath("registre")) // searches only: no consultation
	r := get(t, tApp, audit62, "/audit?subject=sub-chercheur")
	mustContain(t, "searches only", r.body, "« registre »")
	mustNotContain(t, "searches only", r.body, `<svg viewBox="0 0 600 100"`)
	r = get(t, tApp, audit62, "/audit?subject=sub-chercheur&action=search")
	mustContain(t, "searches asked for", r.body, `<svg viewBox="0 0 600 100"`, "Entrées dans le temps : recherche")
}

// TestChildrenOfClosedUnitJournalled: listing the children of a unit that is not
// public is a consultation like opening it, and is journalled; the public's listing of
// a public unit is not.
func TestChildrenOfClosedUnitJournalled(t *testing.T) {
	var parent int64
	if err := tStore.Pool().QueryRow(context.Background(), `SELECT p.parent_id FROM unit_parent p JOIN unit u ON u.id = p.parent_id
		WHERE u.tenant_id = 'cdg59/lille' LIMIT 1`).Scan(&parent); err != nil {
		t.Fatal(err)
	}
	before := countJournal(t, access.ActionUnitView)
	if r := get(t, tApp, agentLille, "/api/v1/units/"+itoa(int(parent))+"/children"); r.status != 200 {
		t.Fatalf("children: %d", r.status)
	}
	if got := countJournal(t, access.ActionUnitView) - before; got != 1 {
		t.Errorf("%d entries for the children of a closed unit, want 1", got)
	}
	es, err := tStore.JournalEntries(context.Background(), store.JournalFilter{Action: access.ActionUnitView, Desc: true, Limit: 1})
	if err != nil || len(es) != 1 || es[0].UnitID != parent || es[0].Detail != "children" || len(es[0].Units) < 2 {
		t.Errorf("children entry: %+v %v", es, err)
	}
	before = countJournal(t, access.ActionUnitView)
	get(t, tApp, nil, "/api/v1"+unitPath("SERIE-E")+"/children")
	if got := countJournal(t, access.ActionUnitView) - before; got != 0 {
		t.Errorf("%d entries for the public's listing of a public unit", got)
	}
}

// TestAuditExportIsStreamed: the export is sent as it is read (chunked, no length
// known beforehand), not built whole in memory first.
func TestAuditExportIsStreamed(t *testing.T) {
	grantAuditors(t, access.Assignment{Subject: "audit@cdg62.fr", Role: access.RoleAuditor, Domain: "cdg62"})
	req := withSession(t, audit62, httptest.NewRequest(http.MethodGet, "/audit/export?format=csv", nil))
	resp, err := tApp.Handler().Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.HasPrefix(string(body), "seq,at,subject") {
		t.Fatalf("export: %d %.80q", resp.StatusCode, body)
	}
	if resp.ContentLength != -1 || !slices.Equal(resp.TransferEncoding, []string{"chunked"}) {
		t.Errorf("export sent with length %d, transfer encoding %v: want a chunked stream", resp.ContentLength, resp.TransferEncoding)
	}
}
