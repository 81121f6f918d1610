package journaltest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"sesam/access"
	"sesam/store"
)

// portalRole creates a login role that holds on the journal what README "Deploying for
// real" grants the portal (SELECT and INSERT), and returns a store connected as it. The
// role is cluster-wide: it is dropped with the test.
func portalRole(t *testing.T) *store.Store {
	t.Helper()
	ctx := context.Background()
	role := fmt.Sprintf("sesam_test_portal_%d", os.Getpid())
	asSuperuser(t, `CREATE ROLE `+role+` LOGIN`, `GRANT SELECT, INSERT ON journal TO `+role)
	t.Cleanup(func() {
		asSuperuser(t, `REVOKE ALL ON journal FROM `+role, `DROP ROLE `+role)
	})
	u, err := url.Parse(testDB.URL)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.User(role)
	s, err := store.Open(ctx, u.String(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// TestPortalRoleCannotRewriteJournal: the journal belongs to sesam_journal_owner, so a
// portal connected as a role granted SELECT and INSERT appends and reads, and can
// neither change nor remove an entry, nor lift the protection (disable the trigger,
// replace its function, take the table).
func TestPortalRoleCannotRewriteJournal(t *testing.T) {
	fill(t, 3)
	ctx := context.Background()
	var owner string
	if err := st.Pool().QueryRow(ctx, `SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'journal'::regclass`).Scan(&owner); err != nil {
		t.Fatal(err)
	}
	if owner != "sesam_journal_owner" {
		t.Errorf("the journal is owned by %s, want sesam_journal_owner", owner)
	}
	portal := portalRole(t)
	j := store.NewJournal(portal, store.JournalOptions{})
	defer j.Close()
	if _, err := j.Append(ctx, view("agent", "cdg62/ruitz", 4)); err != nil {
		t.Fatalf("the portal's role cannot append: %v", err)
	}
	if brk, n, err := portal.VerifyJournal(ctx); err != nil || brk != nil || n != 4 {
		t.Fatalf("verify as the portal's role = %+v, %d, %v", brk, n, err)
	}
	for _, stmt := range []string{
		`UPDATE journal SET query = 'effacé' WHERE seq = 2`,
		`DELETE FROM journal WHERE seq = 2`,
		`TRUNCATE journal`,
		`ALTER TABLE journal DISABLE TRIGGER journal_no_update_delete`,
		`ALTER TABLE journal DISABLE TRIGGER ALL`,
		`ALTER TABLE journal OWNER TO CURRENT_USER`,
		`CREATE OR REPLACE FUNCTION journal_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$`,
		`DROP TRIGGER journal_no_update_delete ON journal`,
		`SET ROLE sesam_journal_owner`,
	} {
		err := pgx.BeginFunc(ctx, portal.Pool(), func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, stmt)
			return err
		})
		if err == nil {
			t.Errorf("the portal's role could run %s", stmt)
		} else if !strings.Contains(err.Error(), "permission denied") && !strings.Contains(err.Error(), "must be owner") {
			t.Errorf("%s: %v; want a refusal for lack of privilege", stmt, err)
		}
	}
	if brk, n, err := st.VerifyJournal(ctx); err != nil || brk != nil || n != 4 {
		t.Errorf("after the attempts: VerifyJournal = %+v, %d, %v; want 4 intact entries", brk, n, err)
	}
	if exp, err := portal.JournalExposure(ctx); err != nil || exp != "" {
		t.Errorf("JournalExposure as the portal's role = %q, %v; want none", exp, err)
	}
	if exp, err := st.JournalExposure(ctx); err != nil || !strings.Contains(exp, "superuser") {
		t.Errorf("JournalExposure as the superuser = %q, %v; want it said", exp, err)
	}
}

// TestAppendsAsPortalRoleKeepOneChain: appends from the owner's side (the superuser of
// the tests) and the portal's role interleave in one chain.
func TestAppendsAsPortalRoleKeepOneChain(t *testing.T) {
	resetJournal(t)
	portal := portalRole(t)
	ctx := context.Background()
	jp := store.NewJournal(portal, store.JournalOptions{})
	defer jp.Close()
	js := newJournal(t)
	for i := range 4 {
		j := []*store.Journal{jp, js}[i%2]
		if _, err := j.Append(ctx, access.JournalEntry{Action: access.ActionLogin, Subject: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
	}
	if brk, n, err := st.VerifyJournal(ctx); err != nil || brk != nil || n != 4 {
		t.Errorf("VerifyJournal = %+v, %d, %v", brk, n, err)
	}
}
