package journaltest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"sesam/access"
	"sesam/store"
)

// TestAuditorSeesEntriesConcerningTheirTenants: entries that concern several tenants,
// or none but the actor's role domains (logins, searches across tenants), are seen by
// the auditors of each tenant they concern, and by no other.
func TestAuditorSeesEntriesConcerningTheirTenants(t *testing.T) {
	resetJournal(t)
	j := newJournal(t)
	ctx := context.Background()
	add := func(name, action string, tenants ...string) {
		e := access.JournalEntry{Subject: name, Name: name, Action: action, Tenants: tenants, Results: -1}
		if _, err := j.Append(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	add("ruitz-login", access.ActionLogin, "cdg62/ruitz")
	add("search-both", access.ActionSearch, "cdg59/lille", "cdg62/ruitz")
	add("cdg62-communes-login", access.ActionLogin, "cdg62/*")
	add("platform-login", access.ActionLogin, "*")
	add("citizen-login", access.ActionLogin)
	add("lille-search", access.ActionSearch, "cdg59/lille")
	names := func(es []access.JournalEntry) []string {
		var out []string
		for _, e := range es {
			out = append(out, e.Subject)
		}
		return out
	}
	tests := []struct {
		name string
		f    store.JournalFilter
		want []string
	}{
		{"auditor of cdg62", store.JournalFilter{Tenants: []string{"cdg62"}},
			[]string{"ruitz-login", "search-both", "cdg62-communes-login"}},
		{"auditor of the communes under cdg62", store.JournalFilter{Tenants: []string{"cdg62/*"}},
			[]string{"ruitz-login", "search-both", "cdg62-communes-login"}},
		{"auditor of Ruitz", store.JournalFilter{Tenants: []string{"cdg62/ruitz"}}, []string{"ruitz-login", "search-both"}},
		{"auditor of cdg59", store.JournalFilter{Tenants: []string{"cdg59"}}, []string{"search-both", "lille-search"}},
		{"platform auditor", store.JournalFilter{Tenants: []string{"*"}}, []string{"ruitz-login", "search-both",
			"cdg62-communes-login", "platform-login", "citizen-login", "lille-search"}},
		{"auditor of cdg62 asking for Ruitz", store.JournalFilter{Tenants: []string{"cdg62"}, Tenant: "cdg62/ruitz"},
			[]string{"ruitz-login", "search-both"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es, err := st.JournalEntries(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, names(es)); diff != "" {
				t.Errorf("entries seen (-want +got):\n%s", diff)
			}
		})
	}
}

// TestEntriesListTenantsAndUnitsOnce: the store sorts the lists, drops repeats and
// empty values, and counts the main tenant and unit in them.
func TestEntriesListTenantsAndUnitsOnce(t *testing.T) {
	resetJournal(t)
	j := newJournal(t)
	got, err := j.Append(context.Background(), access.JournalEntry{Action: access.ActionSearch, Tenant: "cdg62",
		Tenants: []string{"cdg62/ruitz", "", "cdg59", "cdg62/ruitz"}, UnitID: 7, Units: []int64{9, 7, 0, 9}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"cdg59", "cdg62", "cdg62/ruitz"}, got.Tenants); diff != "" {
		t.Errorf("tenants (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int64{7, 9}, got.Units); diff != "" {
		t.Errorf("units (-want +got):\n%s", diff)
	}
	if got.Format != access.JournalFormatLatest {
		t.Errorf("format %d, want %d", got.Format, access.JournalFormatLatest)
	}
}

// TestFilterByEmailAndUnitList: the person filter takes an e-mail (in any case) as
// well as a subject; the unit filter finds the entries that list a unit among others
// (a decision on a request of several units).
func TestFilterByEmailAndUnitList(t *testing.T) {
	resetJournal(t)
	j := newJournal(t)
	ctx := context.Background()
	for _, e := range []access.JournalEntry{
		{Subject: "oidc-sub-1", Email: "Marie.Durand@cdg62.fr", Action: access.ActionLogin},
		{Subject: "oidc-sub-2", Email: "paul@cdg62.fr", Action: access.ActionRequestDecision, RequestID: 3, Units: []int64{40, 41}},
		{Subject: "oidc-sub-1", Email: "Marie.Durand@cdg62.fr", Action: access.ActionUnitView, UnitID: 41},
	} {
		if _, err := j.Append(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name string
		f    store.JournalFilter
		want []int64
	}{
		{"e-mail in another case", store.JournalFilter{Subject: "marie.durand@CDG62.fr"}, []int64{1, 3}},
		{"subject", store.JournalFilter{Subject: "oidc-sub-2"}, []int64{2}},
		{"unit in a list", store.JournalFilter{UnitID: 40}, []int64{2}},
		{"unit in a list or as the unit", store.JournalFilter{UnitID: 41}, []int64{2, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es, err := st.JournalEntries(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var seqs []int64
			for _, e := range es {
				seqs = append(seqs, e.Seq)
			}
			if diff := cmp.Diff(tt.want, seqs); diff != "" {
				t.Errorf("entries (-want +got):\n%s", diff)
			}
		})
	}
}

// v1Entries writes n entries in format 1, as sesam wrote them before format 2, with
// their format-1 hashes.
func v1Entries(t *testing.T, n int) []access.JournalEntry {
	t.Helper()
	resetJournal(t)
	var es []access.JournalEntry
	prev := access.GenesisHash
	for i := range n {
		e := view("ancien@cdg62.fr", "cdg62/ruitz", int64(i+1))
		e.Format, e.Seq, e.At, e.PrevHash = access.JournalFormatV1, int64(i+1), testTime(i), prev
		e.Hash = e.ComputeHash()
		prev = e.Hash
		es = append(es, e)
	}
	tamper(t, func(ctx context.Context, tx pgx.Tx) error {
		for _, e := range es {
			if err := insertRaw(ctx, tx, e); err != nil {
				return err
			}
		}
		return nil
	})
	return es
}

// TestVerifyBothFormats: a journal begun in format 1 and continued in format 2
// verifies, and tampering is caught in either part, including with the format itself.
func TestVerifyBothFormats(t *testing.T) {
	tests := []struct {
		name        string
		stmt        string
		wantSeq     int64
		wantProblem string
	}{
		{"untouched", "", 0, ""},
		{"format 1 entry changed", `UPDATE journal SET unit_id = 99 WHERE seq = 2`, 2, "hash does not match its content"},
		{"format 2 entry's tenant list changed", `UPDATE journal SET tenants = '{cdg59}' WHERE seq = 5`, 5, "hash does not match its content"},
		{"format 2 entry's e-mail changed", `UPDATE journal SET email = 'x@y.fr' WHERE seq = 4`, 4, "hash does not match its content"},
		{"format 2 entry passed off as format 1", `UPDATE journal SET format = 1, tenants = '{}', units = '{}' WHERE seq = 4`, 4, "hash does not match its content"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v1Entries(t, 3)
			j := newJournal(t)
			for i := range 3 {
				e := view("nouveau@cdg62.fr", "cdg62/ruitz", int64(10+i))
				e.Email = "nouveau@cdg62.fr"
				if _, err := j.Append(context.Background(), e); err != nil {
					t.Fatal(err)
				}
			}
			if tt.stmt != "" {
				asSuperuser(t, tt.stmt)
			}
			brk, n, err := st.VerifyJournal(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantSeq == 0 {
				if brk != nil || n != 6 {
					t.Errorf("VerifyJournal = %+v after %d entries; want intact after 6", brk, n)
				}
				return
			}
			if brk == nil || brk.Seq != tt.wantSeq || !strings.Contains(brk.Problem, tt.wantProblem) {
				t.Errorf("VerifyJournal = %+v; want broken at %d: %s", brk, tt.wantSeq, tt.wantProblem)
			}
		})
	}
}

// TestVerifyNamesEntryWithNull: NULLs that a superuser put in behind the constraints
// make verify name the entry and the column, rather than fail to read the journal.
func TestVerifyNamesEntryWithNull(t *testing.T) {
	tests := []struct {
		name   string
		stmts  []string
		column string
	}{
		{"a NULL among the roles", []string{`UPDATE journal SET roles = ARRAY[NULL]::text[] WHERE seq = 3`}, "roles"},
		{"NULL roles", []string{`ALTER TABLE journal ALTER COLUMN roles DROP NOT NULL`,
			`UPDATE journal SET roles = NULL WHERE seq = 3`}, "roles"},
		{"NULL detail", []string{`ALTER TABLE journal ALTER COLUMN detail DROP NOT NULL`,
			`UPDATE journal SET detail = NULL WHERE seq = 3`}, "detail"},
		{"NULL unit list", []string{`ALTER TABLE journal ALTER COLUMN units DROP NOT NULL`,
			`UPDATE journal SET units = NULL WHERE seq = 3`}, "units"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fill(t, 4)
			t.Cleanup(func() {
				resetJournal(t)
				asSuperuser(t, `ALTER TABLE journal ALTER COLUMN roles SET NOT NULL`,
					`ALTER TABLE journal ALTER COLUMN detail SET NOT NULL`, `ALTER TABLE journal ALTER COLUMN units SET NOT NULL`)
			})
			asSuperuser(t, tt.stmts...)
			brk, _, err := st.VerifyJournal(context.Background())
			if err != nil {
				t.Fatalf("VerifyJournal failed instead of naming the entry: %v", err)
			}
			if brk == nil || brk.Seq != 3 || !strings.Contains(brk.Problem, "NULL in "+tt.column) {
				t.Errorf("VerifyJournal = %+v; want broken at 3: NULL in %s", brk, tt.column)
			}
		})
	}
}

// TestAnchorRefusesBrokenChain: the daily anchor vouches for everything before it, so
// a broken journal gets none, and the refusal names the broken entry.
func TestAnchorRefusesBrokenChain(t *testing.T) {
	fill(t, 5)
	asSuperuser(t, `UPDATE journal SET query = 'effacé' WHERE seq = 2`)
	dir := filepath.Join(t.TempDir(), "anchors")
	_, err := st.AnchorJournal(context.Background(), dir, testTime(0))
	var broken *store.JournalBrokenError
	if !errors.As(err, &broken) || broken.Break.Seq != 2 || !strings.Contains(err.Error(), "no anchor taken") {
		t.Fatalf("AnchorJournal on a broken journal = %v; want a JournalBrokenError at entry 2", err)
	}
	if files, _ := os.ReadDir(dir); len(files) > 0 {
		t.Errorf("an anchor file was written for a broken journal: %v", files)
	}
}

// testTime is a fixed time, i seconds after 9:00 on 1 March 2026 (UTC).
func testTime(i int) time.Time { return time.Date(2026, 3, 1, 9, 0, i, 0, time.UTC) }
