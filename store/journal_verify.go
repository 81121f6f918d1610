package store

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"sesam"
	"sesam/access"
)

// JournalBreak is the first entry where the journal's chain is broken.
type JournalBreak struct {
	Seq     int64
	Problem string // what is wrong, as access.VerifyJournalLink says
}

// VerifyJournal walks the whole chain in one snapshot and returns the first broken
// entry (nil when the chain is intact) and the number of entries checked. A chain can
// only prove what lies before its head: entries removed at the end, or a whole tail
// rewritten and rehashed, are caught by comparing with an anchor (CheckJournalAnchors).
func (s *Store) VerifyJournal(ctx context.Context) (*JournalBreak, int64, error) {
	brk, n, _, err := s.verifyJournal(ctx)
	return brk, n, err
}

// verifyJournal is VerifyJournal, which also returns the last entry checked (nil when
// the journal is empty or broken).
func (s *Store) verifyJournal(ctx context.Context) (*JournalBreak, int64, *access.JournalEntry, error) {
	brk, n, last, err := s.walkJournal(ctx)
	if brk != nil || err != nil {
		last = nil
	}
	return brk, n, last, err
}

func (s *Store) walkJournal(ctx context.Context) (*JournalBreak, int64, *access.JournalEntry, error) {
	rows, err := s.pool.Query(ctx, "SELECT "+journalColumnList+" FROM journal j ORDER BY j.seq")
	if err != nil {
		return nil, 0, nil, fmt.Errorf("verify journal: %w", err)
	}
	defer rows.Close()
	var prev *access.JournalEntry
	var n int64
	for rows.Next() {
		e, nulls, err := scanVerifiedEntry(rows)
		if err != nil {
			return nil, n, prev, fmt.Errorf("verify journal: entry after %d: %w", n, err)
		}
		n++
		if len(nulls) > 0 {
			return &JournalBreak{Seq: e.Seq, Problem: fmt.Sprintf("NULL in %s, which sesam never writes (changed behind the table's constraints)",
				strings.Join(nulls, ", "))}, n, prev, nil
		}
		if problem := access.VerifyJournalLink(prev, &e); problem != "" {
			return &JournalBreak{Seq: e.Seq, Problem: problem}, n, prev, nil
		}
		prev = &e
	}
	if err := rows.Err(); err != nil {
		return nil, n, prev, fmt.Errorf("verify journal: %w", err)
	}
	return nil, n, prev, nil
}

// scanVerifiedEntry reads an entry for verify, where any column may hold a NULL put
// there by someone able to lift the table's constraints: rather than fail on it, it
// names the columns (or lists with an element) found NULL.
func scanVerifiedEntry(rows pgx.Rows) (access.JournalEntry, []string, error) {
	var e access.JournalEntry
	var format *int
	var at *time.Time
	var texts [12]*string
	var lists [2]*[]*string
	var units *[]*int64
	var nums [4]*int64
	var hashes [2]*[]byte
	err := rows.Scan(&format, &e.Seq, &at, &texts[0], &texts[1], &texts[2], &lists[0], &texts[3],
		&lists[1], &texts[4], &nums[0], &units, &nums[1], &nums[2], &texts[5], &texts[6], &nums[3],
		&texts[7], &texts[8], &texts[9], &texts[10], &texts[11], &hashes[0], &hashes[1])
	if err != nil {
		return e, nil, err
	}
	var nulls []string
	note := func(isNull bool, column string) {
		if isNull {
			nulls = append(nulls, column)
		}
	}
	note(format == nil, "format")
	note(at == nil, "at")
	for i, p := range []*string{&e.Subject, &e.Name, &e.Email, &e.Tenant, &e.Action, &e.Query, &e.Filters,
		&e.Grant, &e.Client, &e.UserAgent, &e.HTTPRequestID, &e.Detail} {
		note(texts[i] == nil, []string{"subject", "name", "email", "tenant", "action", "query", "filters",
			"grant_ref", "client", "user_agent", "http_request_id", "detail"}[i])
		*p = deref(texts[i])
	}
	for i, p := range []*int64{&e.UnitID, &e.ObjectID, &e.RequestID, &e.Results} {
		note(nums[i] == nil, []string{"unit_id", "object_id", "request_id", "results"}[i])
		*p = deref(nums[i])
	}
	var ok bool
	e.Roles, ok = derefList(lists[0])
	note(!ok, "roles")
	e.Tenants, ok = derefList(lists[1])
	note(!ok, "tenants")
	e.Units, ok = derefList(units)
	note(!ok, "units")
	note(hashes[0] == nil, "prev_hash")
	note(hashes[1] == nil, "hash")
	e.Format, e.At, e.PrevHash, e.Hash = deref(format), deref(at).UTC(), deref(hashes[0]), deref(hashes[1])
	return e, nulls, nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// derefList reads a list that may be NULL or hold NULLs: ok is false when it does.
func derefList[T any](l *[]*T) ([]T, bool) {
	if l == nil {
		return nil, false
	}
	out := make([]T, 0, len(*l))
	for _, p := range *l {
		if p == nil {
			return out, false
		}
		out = append(out, *p)
	}
	return out, true
}

// JournalHead returns the last entry's sequence number and hash (0 and the zero hash
// when the journal is empty).
func (s *Store) JournalHead(ctx context.Context) (int64, []byte, error) {
	seq, hash := int64(0), access.GenesisHash
	err := s.pool.QueryRow(ctx, `SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1`).Scan(&seq, &hash)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return 0, nil, fmt.Errorf("journal head: %w", err)
	}
	return seq, hash, nil
}

// JournalAnchor is the head of the journal at one moment, kept outside the system by
// an auditor: as long as the entry Seq still has Hash, nothing before it was rewritten.
type JournalAnchor struct {
	Seq  int64
	Hash []byte
	At   time.Time // when the anchor was taken
}

// String is the anchor as one line of an anchor file: "SEQ HASH TIME".
func (a JournalAnchor) String() string {
	return fmt.Sprintf("%d %x %s", a.Seq, a.Hash, a.At.UTC().Format(time.RFC3339))
}

// JournalBrokenError is the refusal to anchor a broken journal: an anchor vouches for
// everything before it, so it is taken only after the whole chain was verified.
type JournalBrokenError struct{ Break JournalBreak }

func (e *JournalBrokenError) Error() string {
	return fmt.Sprintf("journal broken at entry %d: %s; no anchor taken", e.Break.Seq, e.Break.Problem)
}

// NewJournalAnchor verifies the whole chain, then takes its last verified entry as an
// anchor (entries appended meanwhile wait for the next anchor). A broken chain gets no
// anchor: the error is a *JournalBrokenError naming the first broken entry.
func (s *Store) NewJournalAnchor(ctx context.Context, now time.Time) (JournalAnchor, error) {
	a := JournalAnchor{Hash: access.GenesisHash, At: now.UTC().Truncate(time.Second)}
	brk, _, last, err := s.verifyJournal(ctx)
	switch {
	case err != nil:
		return a, fmt.Errorf("journal anchor: %w", err)
	case brk != nil:
		return a, &JournalBrokenError{Break: *brk}
	case last != nil:
		a.Seq, a.Hash = last.Seq, last.Hash
	}
	return a, nil
}

// AnchorJournal appends the journal's head to the file of the day (Paris) in dir,
// YYYY-MM-DD.txt, and returns its path. The portal calls it daily; the files are for
// an auditor to copy out of the system.
func (s *Store) AnchorJournal(ctx context.Context, dir string, now time.Time) (string, error) {
	a, err := s.NewJournalAnchor(ctx, now)
	if err != nil {
		return "", err
	}
	return WriteJournalAnchor(dir, a)
}

// WriteJournalAnchor appends the anchor's line to the file of its day in dir.
func WriteJournalAnchor(dir string, a JournalAnchor) (string, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", fmt.Errorf("journal anchor: %w", err)
	}
	path := filepath.Join(dir, a.At.In(access.JournalZone()).Format("2006-01-02")+".txt")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return "", fmt.Errorf("journal anchor: %w", err)
	}
	_, err = fmt.Fprintln(f, a.String())
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("journal anchor %s: %w", path, err)
	}
	return path, nil
}

// ReadJournalAnchors reads anchor lines ("SEQ HASH TIME"); blank lines and lines
// starting with # are skipped.
func ReadJournalAnchors(r io.Reader) ([]JournalAnchor, error) {
	var out []JournalAnchor
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		a, err := parseJournalAnchor(text)
		if err != nil {
			return nil, fmt.Errorf("anchor line %d: %w", line, err)
		}
		out = append(out, a)
	}
	return out, sc.Err()
}

func parseJournalAnchor(text string) (JournalAnchor, error) {
	fields := strings.Fields(text)
	if len(fields) != 3 {
		return JournalAnchor{}, fmt.Errorf("%q: want SEQ HASH TIME: %w", text, sesam.ErrInvalid)
	}
	seq, err := strconv.ParseInt(fields[0], 10, 64)
	if err != nil || seq < 0 {
		return JournalAnchor{}, fmt.Errorf("sequence number %q: %w", fields[0], sesam.ErrInvalid)
	}
	hash, err := hex.DecodeString(fields[1])
	if err != nil || len(hash) != len(access.GenesisHash) {
		return JournalAnchor{}, fmt.Errorf("hash %q: 64 hexadecimal digits expected: %w", fields[1], sesam.ErrInvalid)
	}
	at, err := time.Parse(time.RFC3339, fields[2])
	if err != nil {
		return JournalAnchor{}, fmt.Errorf("time %q: %w", fields[2], sesam.ErrInvalid)
	}
	return JournalAnchor{Seq: seq, Hash: hash, At: at}, nil
}

// CheckJournalAnchors checks that the journal still holds every anchored entry with
// its anchored hash, and returns the first anchor it contradicts (nil when none).
// With an intact chain, that proves nothing up to each anchor was rewritten.
func (s *Store) CheckJournalAnchors(ctx context.Context, anchors []JournalAnchor) (*JournalBreak, error) {
	head, _, err := s.JournalHead(ctx)
	if err != nil {
		return nil, err
	}
	for _, a := range anchors {
		hash := access.GenesisHash
		if a.Seq > 0 {
			err := s.pool.QueryRow(ctx, `SELECT hash FROM journal WHERE seq = $1`, a.Seq).Scan(&hash)
			switch {
			case errors.Is(err, pgx.ErrNoRows) && a.Seq > head:
				return &JournalBreak{Seq: a.Seq, Problem: fmt.Sprintf(
					"the journal ends at entry %d, before entry %d anchored on %s (entries deleted at the end)",
					head, a.Seq, a.At.UTC().Format(time.RFC3339))}, nil
			case errors.Is(err, pgx.ErrNoRows):
				return &JournalBreak{Seq: a.Seq, Problem: fmt.Sprintf("entry anchored on %s is missing (deleted)",
					a.At.UTC().Format(time.RFC3339))}, nil
			case err != nil:
				return nil, fmt.Errorf("check journal anchor %d: %w", a.Seq, err)
			}
		}
		if !bytes.Equal(hash, a.Hash) {
			return &JournalBreak{Seq: a.Seq, Problem: fmt.Sprintf(
				"hash differs from the anchor taken on %s (the journal was rewritten up to this entry)",
				a.At.UTC().Format(time.RFC3339))}, nil
		}
	}
	return nil, nil
}

// JournalExposure says how the role sesam connects as could rewrite the journal behind
// its trigger ("" when it cannot): as a superuser, as the table's owner (who can
// disable the trigger) or with UPDATE, DELETE or TRUNCATE granted. `sesam serve` logs
// it at start-up; README "Deploying for real" says how to run with none.
func (s *Store) JournalExposure(ctx context.Context) (string, error) {
	var role string
	var super, owner, write bool
	err := s.pool.QueryRow(ctx, `SELECT current_user, r.rolsuper, pg_has_role(c.relowner, 'MEMBER'),
			has_table_privilege('journal', 'UPDATE') OR has_table_privilege('journal', 'DELETE')
			OR has_table_privilege('journal', 'TRUNCATE')
		FROM pg_class c, pg_roles r WHERE c.oid = 'journal'::regclass AND r.rolname = current_user`).
		Scan(&role, &super, &owner, &write)
	switch {
	case err != nil:
		return "", fmt.Errorf("journal privileges: %w", err)
	case super:
		return fmt.Sprintf("connected as %s, a superuser, who can rewrite the journal (verify and the anchors would show it)", role), nil
	case owner:
		return fmt.Sprintf("connected as %s, which owns the journal table and could disable its trigger", role), nil
	case write:
		return fmt.Sprintf("connected as %s, which may UPDATE, DELETE or TRUNCATE the journal (its trigger still refuses)", role), nil
	}
	return "", nil
}
