package portal

import (
	"bufio"
	"context"
	"encoding/json"
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
	audit62 := &store.Session{Subject: "sub-audit62", Email: "audit@cdg62.fr", Name: "Auditeur 62"}
	audit59 := &store.Session{Subject: "sub-audit59", Email: "audit@cdg59.fr", Name: "Auditeur 59"}
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
