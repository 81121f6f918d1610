package journaltest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"sesam"
	"sesam/access"
	"sesam/store"
)

func TestAppendChainsEntries(t *testing.T) {
	resetJournal(t)
	j := newJournal(t)
	ctx := context.Background()
	before := time.Now().Add(-time.Minute)
	search := access.JournalEntry{
		Subject: "jean.martin@cdg59.fr", Name: "Jean Martin", Roles: []string{"reader@cdg59/lille"},
		Tenant: "cdg59/lille", Action: access.ActionSearch, Query: "état civil 1890",
		Filters: `{"level":["File"]}`, Results: 42, Client: "198.51.100.4",
		// What the store assigns is ignored:
		Seq: 99, At: time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC), Hash: []byte("forged"),
	}
	var got []access.JournalEntry
	for _, e := range []access.JournalEntry{search, view("jean.martin@cdg59.fr", "cdg59/lille", 7)} {
		stored, err := j.Append(ctx, e)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, stored)
	}
	for i, e := range got {
		if e.Seq != int64(i+1) {
			t.Errorf("entry %d has seq %d", i+1, e.Seq)
		}
		if e.At.Before(before) || e.At.After(time.Now().Add(time.Minute)) || e.At.Location() != time.UTC {
			t.Errorf("entry %d at %v, want now in UTC", e.Seq, e.At)
		}
		wantPrev := access.GenesisHash
		if i > 0 {
			wantPrev = got[i-1].Hash
		}
		if problem := verifyOne(wantPrev, e); problem != "" {
			t.Errorf("entry %d: %s", e.Seq, problem)
		}
	}
	read, err := st.JournalEntries(ctx, store.JournalFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(got, read); diff != "" {
		t.Errorf("entries read back differ from those appended (-appended +read):\n%s", diff)
	}
	if got[0].Query != "état civil 1890" || got[0].Results != 42 {
		t.Errorf("search entry stored as %+v", got[0])
	}
}

// verifyOne checks an entry's link and hash the way an auditor would.
func verifyOne(prevHash []byte, e access.JournalEntry) string {
	if !bytes.Equal(e.PrevHash, prevHash) {
		return "previous hash is not the previous entry's hash"
	}
	if !bytes.Equal(e.Hash, e.ComputeHash()) {
		return "hash is not the hash of the content"
	}
	return ""
}

func TestAppendStoresAwkwardText(t *testing.T) {
	resetJournal(t)
	j := newJournal(t)
	e := view("", "cdg62", 1)
	e.UserAgent = "curl\x00/8\xff"        // NUL and invalid UTF-8: PostgreSQL text refuses both
	e.Query = strings.Repeat("é", 40_000) // 80 000 bytes
	stored, err := j.Append(context.Background(), e)
	if err != nil {
		t.Fatalf("an odd user agent made the append fail: %v", err)
	}
	if want := "curl\uFFFD/8\uFFFD"; stored.UserAgent != want {
		t.Errorf("user agent stored as %q, want %q", stored.UserAgent, want)
	}
	if len(stored.Query) > 64<<10 || !strings.HasSuffix(stored.Query, " [tronqué]") {
		t.Errorf("overlong query stored with %d bytes, suffix %q", len(stored.Query), stored.Query[len(stored.Query)-12:])
	}
	if brk, _, err := st.VerifyJournal(context.Background()); err != nil || brk != nil {
		t.Errorf("VerifyJournal = %+v, %v; want intact", brk, err)
	}
}

func TestAppendRefusesUnknownAction(t *testing.T) {
	resetJournal(t)
	j := newJournal(t)
	e := view("x", "cdg62", 1)
	e.Action = "unit-view"
	if _, err := j.Append(context.Background(), e); !errors.Is(err, sesam.ErrInvalid) {
		t.Errorf("Append with action %q = %v, want ErrInvalid", e.Action, err)
	}
	if n := count(t, `SELECT count(*) FROM journal`); n != 0 {
		t.Errorf("%d entries written", n)
	}
}

func TestJournalIsAppendOnly(t *testing.T) {
	fill(t, 3)
	for _, stmt := range []string{
		`UPDATE journal SET query = 'rien' WHERE seq = 2`,
		`DELETE FROM journal WHERE seq = 3`,
		`TRUNCATE journal`,
	} {
		t.Run(strings.Fields(stmt)[0], func(t *testing.T) {
			_, err := st.Pool().Exec(context.Background(), stmt)
			if err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s as the table's owner: %v, want refused", stmt, err)
			}
		})
	}
	if n := count(t, `SELECT count(*) FROM journal WHERE query = ''`); n != 3 {
		t.Errorf("%d untouched entries, want 3", n)
	}
}

// TestConcurrentAppends: goroutines on one journal, a second journal on its own pool
// and a second process append at the same time; the chain stays one, with every entry.
func TestConcurrentAppends(t *testing.T) {
	resetJournal(t)
	ctx := context.Background()
	helper := exec.Command(os.Args[0], "-test.run=^$")
	helper.Env = append(os.Environ(), helperEnv+"="+testDB.URL, helperEnv+"_COUNT=4x150")
	stdin, _ := helper.StdinPipe()
	var stdout, stderr bytes.Buffer
	ready := make(chan struct{})
	helper.Stdout = &lineWatcher{buf: &stdout, want: "ready", ready: ready}
	helper.Stderr = &stderr
	if err := helper.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ready:
	case <-time.After(30 * time.Second):
		helper.Process.Kill()
		t.Fatalf("the helper process did not start: %s", stderr.String())
	}

	other, err := store.Open(ctx, testDB.URL, t.TempDir()) // another portal instance
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	jA, jB := newJournal(t), store.NewJournal(other, store.JournalOptions{})
	defer jB.Close()
	errs := make(chan error, 2)
	fmt.Fprintln(stdin, "go")
	go func() { errs <- appendMany(ctx, jA, "instance-a", 8, 200) }()
	go func() { errs <- appendMany(ctx, jB, "instance-b", 4, 150) }()
	for range 2 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if err := helper.Wait(); err != nil {
		t.Fatalf("helper process: %v: %s", err, stderr.String())
	}

	want := map[string]int64{"instance-a": 1600, "instance-b": 600, "subprocess": 600}
	got := map[string]int64{}
	for subject := range want {
		got[subject] = count(t, `SELECT count(*) FROM journal WHERE subject = $1`, subject)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("entries per writer (-want +got):\n%s", diff)
	}
	brk, n, err := st.VerifyJournal(ctx)
	if err != nil || brk != nil || n != 2800 {
		t.Errorf("VerifyJournal = %+v, %d entries, %v; want intact with 2800", brk, n, err)
	}
	if max := count(t, `SELECT max(seq) FROM journal`); max != 2800 {
		t.Errorf("last seq %d, want 2800 (no gap)", max)
	}
	t.Logf("instance a: %d entries in %d batches; instance b: %d in %d; the processes' entries interleave in %d runs",
		jA.Appended(), jA.Batches(), jB.Appended(), jB.Batches(),
		count(t, `SELECT count(*) FROM (SELECT subject, lag(subject) OVER (ORDER BY seq) AS prev FROM journal) r WHERE prev IS DISTINCT FROM subject`))
}

// TestJournalDatesByTheDatabase: every writer dates its entries by the database's clock,
// whatever its own says (two instances here, an hour ahead and an hour behind), so
// that the entries' times follow the chain and the time of the day.
func TestJournalDatesByTheDatabase(t *testing.T) {
	resetJournal(t)
	ctx := context.Background()
	ahead := store.NewJournal(st, store.JournalOptions{Clock: func() time.Time { return time.Now().Add(time.Hour) }})
	defer ahead.Close()
	behind := store.NewJournal(st, store.JournalOptions{Clock: func() time.Time { return time.Now().Add(-time.Hour) }})
	defer behind.Close()
	// Runs of one writer (after its first batch, it knows the head it left), then the other.
	for round := range 3 {
		for _, j := range []*store.Journal{ahead, behind, ahead} {
			for i := range 5 {
				if _, err := j.Append(ctx, view("horloge@cdg62.fr", "cdg62/ruitz", int64(round*100+i+1))); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if n := count(t, `SELECT count(*) FROM journal WHERE abs(extract(epoch FROM at - now())) > 60`); n != 0 {
		t.Errorf("%d entries of %d dated more than a minute off the database's clock", n, count(t, `SELECT count(*) FROM journal`))
	}
	if n := count(t, `SELECT count(*) FROM (SELECT at, lag(at) OVER (ORDER BY seq) AS prev FROM journal) e WHERE at < prev`); n != 0 {
		t.Errorf("%d entries are dated before the entry they follow", n)
	}
	if brk, n, err := st.VerifyJournal(ctx); err != nil || brk != nil || n != 45 {
		t.Errorf("VerifyJournal = %+v, %d entries, %v; want intact with 45", brk, n, err)
	}
}

// lineWatcher closes ready when a line equal to want is written.
type lineWatcher struct {
	buf   *bytes.Buffer
	want  string
	ready chan struct{}
	seen  bool
}

func (w *lineWatcher) Write(p []byte) (int, error) {
	w.buf.Write(p)
	if !w.seen && strings.Contains(w.buf.String(), w.want+"\n") {
		w.seen = true
		close(w.ready)
	}
	return len(p), nil
}

// TestAppendFailsClosed: when the journal cannot be written, Append says so, the
// failure is counted, and nothing pretends to be recorded.
func TestAppendFailsClosed(t *testing.T) {
	resetJournal(t)
	ctx := context.Background()
	role := fmt.Sprintf("sesam_portal_test_%d", os.Getpid())
	admin := st.Pool()
	for _, s := range []string{
		`CREATE ROLE ` + role + ` LOGIN`,
		`GRANT SELECT, INSERT ON journal TO ` + role,
	} {
		if _, err := admin.Exec(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	portal, err := store.Open(ctx, strings.Replace(testDB.URL, "postgres@", role+"@", 1), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		portal.Close()
		admin.Exec(ctx, `DROP OWNED BY `+role)
		admin.Exec(ctx, `DROP ROLE `+role)
	})
	j := store.NewJournal(portal, store.JournalOptions{})
	defer j.Close()
	if _, err := j.Append(ctx, view("portal", "cdg62", 1)); err != nil {
		t.Fatalf("append as a role allowed to insert: %v", err)
	}
	if _, err := portal.Pool().Exec(ctx, `DELETE FROM journal`); err == nil {
		t.Error("the portal's role could delete journal entries")
	}
	if _, err := admin.Exec(ctx, `REVOKE INSERT ON journal FROM `+role); err != nil {
		t.Fatal(err)
	}
	_, err = j.Append(ctx, view("portal", "cdg62", 2))
	if err == nil {
		t.Fatal("Append succeeded on an unwritable journal")
	}
	t.Logf("the error the portal turns into a refusal: %v", err)
	if j.Failures() != 1 || j.Appended() != 1 {
		t.Errorf("Failures = %d, Appended = %d; want 1 and 1", j.Failures(), j.Appended())
	}
	if n := count(t, `SELECT count(*) FROM journal`); n != 1 {
		t.Errorf("%d entries in the journal, want 1", n)
	}
	j.Close()
	if _, err := j.Append(ctx, view("portal", "cdg62", 3)); !errors.Is(err, store.ErrJournalClosed) {
		t.Errorf("Append after Close = %v, want ErrJournalClosed", err)
	}
}

func TestAppendGivesUpWithItsContext(t *testing.T) {
	resetJournal(t)
	j := newJournal(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := j.Append(ctx, view("x", "cdg62", 1)); !errors.Is(err, context.Canceled) {
		t.Errorf("Append with a cancelled context = %v, want context.Canceled", err)
	}
	if j.Failures() != 1 {
		t.Errorf("Failures = %d, want 1", j.Failures())
	}
}
