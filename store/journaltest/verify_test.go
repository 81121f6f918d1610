package journaltest

import (
	"context"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"sesam"
	"sesam/access"
	"sesam/store"
)

// insertRaw writes an entry as is, the way a forger would.
func insertRaw(ctx context.Context, tx pgx.Tx, e access.JournalEntry) error {
	if e.Format == 0 {
		e.Format = access.JournalFormatLatest
	}
	for _, l := range []*[]string{&e.Roles, &e.Tenants} {
		if *l == nil {
			*l = []string{}
		}
	}
	if e.Units == nil {
		e.Units = []int64{}
	}
	_, err := tx.Exec(ctx, `INSERT INTO journal (format, seq, at, subject, name, email, roles, tenant,
		tenants, action, unit_id, units, object_id, request_id, query, filters, results, grant_ref,
		client, user_agent, http_request_id, detail, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6,
		$7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)`,
		e.Format, e.Seq, e.At, e.Subject, e.Name, e.Email, e.Roles, e.Tenant, e.Tenants, e.Action,
		e.UnitID, e.Units, e.ObjectID, e.RequestID, e.Query, e.Filters, e.Results, e.Grant, e.Client,
		e.UserAgent, e.HTTPRequestID, e.Detail, e.PrevHash, e.Hash)
	return err
}

// rehash recomputes the chain from es[0] on, as a forger who knows the algorithm would.
func rehash(es []access.JournalEntry, prev []byte) {
	for i := range es {
		es[i].PrevHash = prev
		es[i].Hash = es[i].ComputeHash()
		prev = es[i].Hash
	}
}

func TestVerifyFindsTampering(t *testing.T) {
	tests := []struct {
		name        string
		tamper      func(ctx context.Context, tx pgx.Tx, es []access.JournalEntry) error
		wantSeq     int64
		wantProblem string
	}{
		{"search text changed", func(ctx context.Context, tx pgx.Tx, es []access.JournalEntry) error {
			_, err := tx.Exec(ctx, `UPDATE journal SET query = 'rien à voir' WHERE seq = 5`)
			return err
		}, 5, "hash does not match its content (changed)"},
		{"time moved back a day", func(ctx context.Context, tx pgx.Tx, es []access.JournalEntry) error {
			_, err := tx.Exec(ctx, `UPDATE journal SET at = at - interval '1 day' WHERE seq = 3`)
			return err
		}, 3, "hash does not match its content (changed)"},
		{"roles widened", func(ctx context.Context, tx pgx.Tx, es []access.JournalEntry) error {
			_, err := tx.Exec(ctx, `UPDATE journal SET roles = '{admin@*}' WHERE seq = 8`)
			return err
		}, 8, "hash does not match its content (changed)"},
		{"entry deleted in the middle", func(ctx context.Context, tx pgx.Tx, es []access.JournalEntry) error {
			_, err := tx.Exec(ctx, `DELETE FROM journal WHERE seq = 5`)
			return err
		}, 6, "sequence jumps from 4 to 6 (entries deleted)"},
		{"first entry deleted", func(ctx context.Context, tx pgx.Tx, es []access.JournalEntry) error {
			_, err := tx.Exec(ctx, `DELETE FROM journal WHERE seq = 1`)
			return err
		}, 2, "the journal starts at entry 2 instead of 1"},
		{"entry deleted and the rest renumbered", func(ctx context.Context, tx pgx.Tx, es []access.JournalEntry) error {
			for _, s := range []string{`DELETE FROM journal WHERE seq = 5`,
				`UPDATE journal SET seq = seq + 1000 WHERE seq > 5`, `UPDATE journal SET seq = seq - 1001 WHERE seq > 1000`} {
				if _, err := tx.Exec(ctx, s); err != nil {
					return err
				}
			}
			return nil
		}, 5, "previous hash does not match entry 4"},
		{"forged entry inserted with a valid hash of its own", func(ctx context.Context, tx pgx.Tx, es []access.JournalEntry) error {
			for _, s := range []string{`UPDATE journal SET seq = seq + 1000 WHERE seq >= 5`, `UPDATE journal SET seq = seq - 999 WHERE seq > 1000`} {
				if _, err := tx.Exec(ctx, s); err != nil {
					return err
				}
			}
			forged := es[4]
			forged.Subject, forged.Name, forged.UnitID = "alibi@cdg62.fr", "Alibi", 999
			forged.PrevHash = es[3].Hash
			forged.Hash = forged.ComputeHash()
			return insertRaw(ctx, tx, forged)
		}, 6, "previous hash does not match entry 5"},
		{"entry changed and rehashed", func(ctx context.Context, tx pgx.Tx, es []access.JournalEntry) error {
			e := es[4]
			e.Subject = "someone.else@cdg62.fr"
			e.Hash = e.ComputeHash()
			_, err := tx.Exec(ctx, `UPDATE journal SET subject = $1, hash = $2 WHERE seq = 5`, e.Subject, e.Hash)
			return err
		}, 6, "previous hash does not match entry 5"},
		{"forged entry appended with a made-up hash", func(ctx context.Context, tx pgx.Tx, es []access.JournalEntry) error {
			forged := es[9]
			forged.Seq, forged.UnitID = 11, 12345
			forged.PrevHash = forged.ComputeHash() // plausible-looking, but not entry 10's hash
			forged.Hash = forged.ComputeHash()
			return insertRaw(ctx, tx, forged)
		}, 11, "previous hash does not match entry 10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es := fill(t, 10)
			if brk, n, err := st.VerifyJournal(context.Background()); err != nil || brk != nil || n != 10 {
				t.Fatalf("before tampering: VerifyJournal = %+v, %d, %v", brk, n, err)
			}
			tamper(t, func(ctx context.Context, tx pgx.Tx) error { return tt.tamper(ctx, tx, es) })
			brk, _, err := st.VerifyJournal(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if brk == nil {
				t.Fatal("VerifyJournal says intact")
			}
			if brk.Seq != tt.wantSeq || !strings.Contains(brk.Problem, tt.wantProblem) {
				t.Errorf("VerifyJournal = broken at %d: %s\nwant broken at %d: %s", brk.Seq, brk.Problem, tt.wantSeq, tt.wantProblem)
			}
		})
	}
}

func TestAnchorFile(t *testing.T) {
	fill(t, 4)
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "journal-anchors")
	late := time.Date(2026, 3, 1, 23, 30, 0, 0, time.UTC) // already 2 March in Paris
	path, err := st.AnchorJournal(ctx, dir, late)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.AnchorJournal(ctx, dir, late.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "2026-03-02.txt"); path != want {
		t.Errorf("anchor written to %s, want %s", path, want)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, hash, _ := st.JournalHead(ctx)
	line := "4 " + hex.EncodeToString(hash) + " 2026-03-01T23:30:00Z"
	if lines := strings.Split(strings.TrimSpace(string(b)), "\n"); len(lines) != 2 || lines[0] != line {
		t.Errorf("anchor file:\n%s\nwant two lines, the first %q", b, line)
	}
	anchors, err := store.ReadJournalAnchors(strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	if brk, err := st.CheckJournalAnchors(ctx, anchors); err != nil || brk != nil {
		t.Errorf("CheckJournalAnchors on the untouched journal = %+v, %v", brk, err)
	}
}

// TestAnchorsCatchWhatTheChainCannot: a forger who deletes the last entries, or who
// rewrites an entry and rehashes everything after it, leaves a chain that verifies;
// the anchor an auditor kept says the journal was rewritten.
func TestAnchorsCatchWhatTheChainCannot(t *testing.T) {
	tests := []struct {
		name        string
		tamper      func(ctx context.Context, tx pgx.Tx, es []access.JournalEntry) error
		wantProblem string
	}{
		{"last entries deleted", func(ctx context.Context, tx pgx.Tx, es []access.JournalEntry) error {
			_, err := tx.Exec(ctx, `DELETE FROM journal WHERE seq > 8`)
			return err
		}, "the journal ends at entry 8, before entry 10 anchored on 2026-03-02T08:00:00Z (entries deleted at the end)"},
		{"entry changed and the tail rehashed", func(ctx context.Context, tx pgx.Tx, es []access.JournalEntry) error {
			tail := es[4:]
			tail[0].Subject = "someone.else@cdg62.fr"
			rehash(tail, es[3].Hash)
			for _, e := range tail {
				_, err := tx.Exec(ctx, `UPDATE journal SET subject = $2, prev_hash = $3, hash = $4 WHERE seq = $1`,
					e.Seq, e.Subject, e.PrevHash, e.Hash)
				if err != nil {
					return err
				}
			}
			return nil
		}, "hash differs from the anchor taken on 2026-03-02T08:00:00Z (the journal was rewritten up to this entry)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es := fill(t, 10)
			ctx := context.Background()
			early, err := st.NewJournalAnchor(ctx, time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC))
			if err != nil {
				t.Fatal(err)
			}
			early.Seq, early.Hash = 3, es[2].Hash // an older anchor, before the damage
			head, err := st.NewJournalAnchor(ctx, time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC))
			if err != nil {
				t.Fatal(err)
			}
			tamper(t, func(ctx context.Context, tx pgx.Tx) error { return tt.tamper(ctx, tx, es) })
			if brk, _, err := st.VerifyJournal(ctx); err != nil || brk != nil {
				t.Fatalf("VerifyJournal = %+v, %v; this forgery is meant to leave a sound chain", brk, err)
			}
			brk, err := st.CheckJournalAnchors(ctx, []store.JournalAnchor{early, head})
			if err != nil {
				t.Fatal(err)
			}
			want := &store.JournalBreak{Seq: 10, Problem: tt.wantProblem}
			if diff := cmp.Diff(want, brk); diff != "" {
				t.Errorf("CheckJournalAnchors (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadJournalAnchors(t *testing.T) {
	hash := strings.Repeat("ab", 32)
	tests := []struct {
		name    string
		text    string
		want    []store.JournalAnchor
		wantErr bool
	}{
		{"two anchors and a comment", "# CDG 59\n12 " + hash + " 2026-03-01T23:00:00Z\n\n0 " + strings.Repeat("00", 32) + " 2026-01-01T00:00:00Z\n",
			[]store.JournalAnchor{
				{Seq: 12, Hash: access.GenesisHash, At: time.Date(2026, 3, 1, 23, 0, 0, 0, time.UTC)},
				{Seq: 0, Hash: access.GenesisHash, At: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
			}, false},
		{"short hash", "12 abcd 2026-03-01T23:00:00Z\n", nil, true},
		{"no time", "12 " + hash + "\n", nil, true},
		{"negative sequence", "-1 " + hash + " 2026-03-01T23:00:00Z\n", nil, true},
	}
	tests[0].want[0].Hash = []byte(strings.Repeat("\xab", 32))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := store.ReadJournalAnchors(strings.NewReader(tt.text))
			if tt.wantErr {
				if !errors.Is(err, sesam.ErrInvalid) {
					t.Errorf("ReadJournalAnchors = %v, %v; want ErrInvalid", got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ReadJournalAnchors (-want +got):\n%s", diff)
			}
		})
	}
}
