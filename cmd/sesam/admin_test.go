package main

import (
	"context"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"testing"

	"sesam/access"
	"sesam/store"
)

// journalDown makes every journal INSERT fail until the test ends (as a full disk or a
// revoked privilege would), as the database's superuser.
func journalDown(t *testing.T, st *store.Store) func() {
	t.Helper()
	ctx := context.Background()
	up := func() {
		st.Pool().Exec(ctx, `DROP TRIGGER IF EXISTS journal_down ON journal`)
	}
	if _, err := st.Pool().Exec(ctx, `CREATE TRIGGER journal_down BEFORE INSERT ON journal
		FOR EACH ROW EXECUTE FUNCTION journal_refuse_change()`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(up)
	return up
}

// entriesOf lists the journal's entries of an action.
func entriesOf(t *testing.T, st *store.Store, action string) []access.JournalEntry {
	t.Helper()
	es, err := st.JournalEntries(context.Background(), store.JournalFilter{Action: action})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// TestAdminChangesCommitWithTheirEntry: a role, tenant or referential change the
// journal cannot record is not made (it used to be made, then reported "could not be
// journalled", and a second run found it "unchanged" and never journalled it); made, it
// is journalled once, under the system user and host.
func TestAdminChangesCommitWithTheirEntry(t *testing.T) {
	st := journalStore(t)
	mustRun(t, "tenant", "add", "cdg62", "--name", "CDG 62")
	csv := filepath.Join(t.TempDir(), "regles.csv")
	os.WriteFile(csv, []byte("RuleId,RuleType,RuleValue,RuleDescription,RuleDuration,RuleMeasurement\n"+
		"AR048,AccessRule,Vie privée,Délai local,40,YEAR\n"), 0o644)

	up := journalDown(t, st)
	for _, args := range [][]string{
		{"role", "grant", "evil@x.fr", "admin", "*"},
		{"tenant", "add", "cdg62/ruitz", "--name", "Ruitz", "--publish"},
		{"rules", "load", "--tenant", "cdg62", csv},
	} {
		if code, out, _ := runSesam(args...); code == 0 {
			t.Errorf("sesam %s with the journal down: exit 0, %q", strings.Join(args, " "), out)
		}
	}
	if out := mustRun(t, "role", "list"); strings.Contains(out, "evil@x.fr") {
		t.Errorf("the role was granted with no journal entry:\n%s", out)
	}
	if out := mustRun(t, "tenant", "list"); strings.Contains(out, "cdg62/ruitz") {
		t.Errorf("the tenant was added with no journal entry:\n%s", out)
	}
	if out := mustRun(t, "rules", "list", "--tenant", "cdg62"); strings.Contains(out, "Délai local") {
		t.Errorf("the referential was loaded with no journal entry:\n%s", out)
	}

	up()
	t.Setenv("USER", "") // as under cron: the actor comes from the account itself
	if out := mustRun(t, "role", "grant", "evil@x.fr", "admin", "*"); !strings.HasPrefix(out, "grant:") {
		t.Errorf("granting once the journal is back: %q, want it granted (not 'unchanged')", out)
	}
	mustRun(t, "tenant", "add", "cdg62/ruitz", "--name", "Ruitz", "--publish")
	mustRun(t, "rules", "load", "--tenant", "cdg62", csv)
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	actor := "cli:" + u.Username + "@" + host
	for _, c := range []struct {
		action, tenant, detail string
		n                      int
	}{
		{access.ActionRoleGrant, "*", "grant evil@x.fr admin *", 1},
		{access.ActionTenantChange, "cdg62/ruitz", `add cdg62/ruitz "Ruitz" publish=true`, 2}, // after cdg62's
		{access.ActionRulesLoad, "cdg62", "1 rules from " + csv + "; 0 units recomputed", 1},
	} {
		es := entriesOf(t, st, c.action)
		if len(es) != c.n {
			t.Errorf("%d %s entries, want %d", len(es), c.action, c.n)
			continue
		}
		e := es[len(es)-1]
		if e.Subject != actor || e.Tenant != c.tenant || e.Detail != c.detail {
			t.Errorf("%s entry: subject %q tenant %q detail %q; want %q %q %q", c.action, e.Subject, e.Tenant, e.Detail,
				actor, c.tenant, c.detail)
		}
	}
	if out := mustRun(t, "role", "grant", "evil@x.fr", "admin", "*"); !strings.HasPrefix(out, "unchanged") {
		t.Errorf("granting again: %q", out)
	}
	mustRun(t, "role", "revoke", "evil@x.fr", "admin", "*")
	if es := entriesOf(t, st, access.ActionRoleGrant); len(es) != 1 {
		t.Errorf("%d role grant entries after a repeated grant, want 1", len(es))
	}
	if es := entriesOf(t, st, access.ActionRoleRevoke); len(es) != 1 || es[0].Detail != "revoke evil@x.fr admin *" {
		t.Errorf("revoke entries: %+v", es)
	}
	if out := mustRun(t, "role", "list"); strings.Contains(out, "evil@x.fr") {
		t.Errorf("still granted after the revoke:\n%s", out)
	}
}
