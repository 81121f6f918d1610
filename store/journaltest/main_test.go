package journaltest

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"sesam/access"
	"sesam/store"
	"sesam/store/storetest"
)

var (
	st     *store.Store
	testDB *storetest.DB
)

// helperEnv, when set, makes the test binary a second portal process that appends to
// the journal of the database it names (see runHelper).
const helperEnv = "SESAM_JOURNAL_TEST_HELPER"

func TestMain(m *testing.M) {
	if url := os.Getenv(helperEnv); url != "" {
		os.Exit(runHelper(url, os.Getenv(helperEnv+"_COUNT")))
	}
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	ctx := context.Background()
	dataDir, err := os.MkdirTemp("", "sesam-journal-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dataDir)
	var cleanup func()
	st, testDB, cleanup, err = storetest.NewStore(ctx, "journal", dataDir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer cleanup()
	return m.Run()
}

// runHelper is the second process: it opens its own store and journal, says "ready",
// waits for a line on stdin so that both processes start together, then appends
// "goroutines×each" entries as subject "subprocess" and exits.
func runHelper(url, count string) int {
	var goroutines, each int
	if _, err := fmt.Sscanf(count, "%dx%d", &goroutines, &each); err != nil {
		fmt.Fprintln(os.Stderr, "helper count:", err)
		return 2
	}
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "sesam-journal-helper-")
	defer os.RemoveAll(dir)
	s, err := store.Open(ctx, url, dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer s.Close()
	j := store.NewJournal(s, store.JournalOptions{})
	defer j.Close()
	fmt.Println("ready")
	bufio.NewReader(os.Stdin).ReadString('\n')
	if err := appendMany(ctx, j, "subprocess", goroutines, each); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// appendMany appends goroutines×each unit views as subject, from that many goroutines.
func appendMany(ctx context.Context, j *store.Journal, subject string, goroutines, each int) error {
	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				_, err := j.Append(ctx, view(subject, "cdg62/ruitz", int64(g*each+i+1)))
				if err != nil {
					errs <- fmt.Errorf("%s goroutine %d append %d: %w", subject, g, i, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// view is a unit view entry.
func view(subject, tenant string, unitID int64) access.JournalEntry {
	return access.JournalEntry{
		Subject: subject, Name: "Agent " + subject, Roles: []string{"archivist@" + tenant},
		Tenant: tenant, Action: access.ActionUnitView, UnitID: unitID, Results: -1,
		Client: "192.0.2.7", UserAgent: "Mozilla/5.0", HTTPRequestID: "req-" + strconv.FormatInt(unitID, 10),
	}
}

// newJournal is a journal on the test store, closed with the test.
func newJournal(t testing.TB) *store.Journal {
	t.Helper()
	j := store.NewJournal(st, store.JournalOptions{})
	t.Cleanup(j.Close)
	return j
}

// tamper runs fn in a transaction with triggers off, as someone with the database's
// superuser rights would to change the journal behind sesam's back.
func tamper(t testing.TB, fn func(ctx context.Context, tx pgx.Tx) error) {
	t.Helper()
	ctx := context.Background()
	err := pgx.BeginFunc(ctx, st.Pool(), func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET LOCAL session_replication_role = replica`); err != nil {
			return err
		}
		return fn(ctx, tx)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// asSuperuser runs statements with triggers off (see tamper).
func asSuperuser(t testing.TB, stmts ...string) {
	t.Helper()
	tamper(t, func(ctx context.Context, tx pgx.Tx) error {
		for _, s := range stmts {
			if _, err := tx.Exec(ctx, s); err != nil {
				return fmt.Errorf("%s: %w", s, err)
			}
		}
		return nil
	})
}

// resetJournal empties the journal (as the superuser: the table refuses TRUNCATE).
func resetJournal(t testing.TB) {
	t.Helper()
	asSuperuser(t, `TRUNCATE journal`)
}

// fill resets the journal and appends n unit views.
func fill(t testing.TB, n int) []access.JournalEntry {
	t.Helper()
	resetJournal(t)
	j := newJournal(t)
	var out []access.JournalEntry
	for i := range n {
		e, err := j.Append(context.Background(), view("marie.durand@cdg62.fr", "cdg62/ruitz", int64(i+1)))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

func count(t testing.TB, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := st.Pool().QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}
