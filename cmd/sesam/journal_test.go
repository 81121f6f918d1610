package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"sesam/access"
	"sesam/store"
	"sesam/store/storetest"
)

// journalStore gives a command test its own database, named to the commands through
// SESAM_DATABASE_URL, with the given entries appended.
func journalStore(t *testing.T, es ...access.JournalEntry) *store.Store {
	t.Helper()
	ctx := context.Background()
	dataDir := t.TempDir()
	st, db, cleanup, err := storetest.NewStore(ctx, "cmdjournal", dataDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cleanup)
	t.Setenv("SESAM_DATABASE_URL", db.URL)
	t.Setenv("SESAM_DATA_DIR", dataDir)
	j := store.NewJournal(st, store.JournalOptions{})
	defer j.Close()
	for _, e := range es {
		if _, err := j.Append(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

func viewOf(subject, tenant string, unit int64) access.JournalEntry {
	return access.JournalEntry{Subject: subject, Name: subject, Roles: []string{"archivist@" + tenant},
		Tenant: tenant, Action: access.ActionUnitView, UnitID: unit, Results: -1}
}

// tamperWith runs a statement with triggers off, as the database's superuser could.
func tamperWith(t *testing.T, st *store.Store, stmt string) {
	t.Helper()
	ctx := context.Background()
	err := pgx.BeginFunc(ctx, st.Pool(), func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET LOCAL session_replication_role = replica`); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, stmt)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func runSesam(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestJournalVerifyCommand(t *testing.T) {
	st := journalStore(t, viewOf("marie", "cdg62", 1), viewOf("marie", "cdg62", 2), viewOf("paul", "cdg59", 3))
	_, head, err := st.JournalHead(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runSesam("journal", "verify")
	if want := fmt.Sprintf("journal intact: 3 entries, head 3 %x\n", head); code != 0 || out != want {
		t.Errorf("intact journal: exit %d, stdout %q, stderr %q; want exit 0, %q", code, out, errOut, want)
	}
	tamperWith(t, st, `UPDATE journal SET subject = 'quelqu''un d''autre' WHERE seq = 2`)
	code, out, _ = runSesam("journal", "verify")
	if want := "journal broken at entry 2: hash does not match its content (changed)\n"; code != 1 || out != want {
		t.Errorf("changed journal: exit %d, stdout %q; want exit 1, %q", code, out, want)
	}
}

func TestJournalAnchorCommand(t *testing.T) {
	st := journalStore(t, viewOf("marie", "cdg62", 1), viewOf("marie", "cdg62", 2), viewOf("paul", "cdg59", 3))
	dir := filepath.Join(t.TempDir(), "anchors")
	code, out, errOut := runSesam("journal", "anchor", "--dir", dir)
	if code != 0 || !strings.HasPrefix(out, "3 ") {
		t.Fatalf("anchor: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.txt"))
	if want := time.Now().In(access.JournalZone()).Format("2006-01-02") + ".txt"; len(files) != 1 || filepath.Base(files[0]) != want {
		t.Fatalf("anchor files %v, want one named %s", files, want)
	}
	if b, _ := os.ReadFile(files[0]); string(b) != out {
		t.Errorf("anchor file holds %q, the command printed %q", b, out)
	}
	code, out, _ = runSesam("journal", "verify", "--anchor", dir)
	if code != 0 || !strings.HasSuffix(out, "anchors intact: 1 checked\n") {
		t.Errorf("verify against the anchor: exit %d, stdout %q", code, out)
	}
	tamperWith(t, st, `UPDATE journal SET subject = 'x' WHERE seq = 2`)
	code, out, errOut = runSesam("journal", "anchor", "--dir", dir)
	if code != 1 || out != "" || !strings.Contains(errOut, "journal broken at entry 2") || !strings.Contains(errOut, "no anchor taken") {
		t.Errorf("anchor of a broken journal: exit %d, stdout %q, stderr %q; want a refusal naming entry 2", code, out, errOut)
	}
	if b, _ := os.ReadFile(files[0]); strings.Count(string(b), "\n") != 1 {
		t.Errorf("a broken journal was anchored:\n%s", b)
	}
	tamperWith(t, st, `UPDATE journal SET subject = 'marie' WHERE seq = 2`)
	tamperWith(t, st, `DELETE FROM journal WHERE seq = 3`) // the chain alone cannot tell
	code, out, _ = runSesam("journal", "verify", "--anchor", files[0])
	if code != 1 || !strings.HasPrefix(out, "journal broken at entry 3: the journal ends at entry 2, before entry 3 anchored on") {
		t.Errorf("verify after the last entry was deleted: exit %d, stdout %q", code, out)
	}
}

func TestJournalExportCommand(t *testing.T) {
	st := journalStore(t, viewOf("marie", "cdg62", 1), viewOf("paul", "cdg59", 2), viewOf("marie", "cdg62/ruitz", 3))
	code, out, errOut := runSesam("journal", "export", "--tenant", "cdg62", "--as", "auditrice@cdg62.fr")
	if code != 0 {
		t.Fatalf("export: exit %d, stderr %q", code, errOut)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var got [][]string
	for _, r := range recs {
		got = append(got, []string{r[0], r[2], r[5], r[6], r[17]}) // seq, subject, tenant, action, detail
	}
	want := [][]string{
		{"seq", "subject", "tenant", "action", "detail"},
		{"1", "marie", "cdg62", "unit_view", ""},
		{"3", "marie", "cdg62/ruitz", "unit_view", ""},
		{"4", "auditrice@cdg62.fr", "cdg62", "journal_export", "format=csv tenant=cdg62"}, // the export itself
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("CSV export (-want +got):\n%s", diff)
	}

	today := time.Now().In(access.JournalZone()).Format("2006-01-02")
	code, out, errOut = runSesam("journal", "export", "--format", "jsonl", "--subject", "marie", "--from", today, "--to", today)
	if code != 0 {
		t.Fatalf("jsonl export: exit %d, stderr %q", code, errOut)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	var units []int64
	for _, l := range lines {
		var e struct {
			UnitID int64 `json:"unit_id"`
		}
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		units = append(units, e.UnitID)
	}
	if diff := cmp.Diff([]int64{1, 3}, units); diff != "" {
		t.Errorf("units of marie's entries today (-want +got):\n%s", diff)
	}

	tomorrow := time.Now().In(access.JournalZone()).AddDate(0, 0, 1).Format("2006-01-02")
	if code, out, _ = runSesam("journal", "export", "--from", tomorrow); code != 0 || strings.Count(out, "\n") != 1 {
		t.Errorf("export from tomorrow: exit %d, stdout %q; want the header alone", code, out)
	}

	before, _, _ := st.JournalHead(context.Background())
	for _, args := range [][]string{{"--format", "xml"}, {"--from", "01/03/2026"}} {
		if code, _, errOut := runSesam(append([]string{"journal", "export"}, args...)...); code != 1 || errOut == "" {
			t.Errorf("export %v: exit %d, stderr %q; want a refusal", args, code, errOut)
		}
	}
	if after, _, _ := st.JournalHead(context.Background()); after != before {
		t.Errorf("refused exports were journalled: head %d → %d", before, after)
	}
}
