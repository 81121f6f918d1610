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
	rows, err := s.pool.Query(ctx, "SELECT "+journalColumnList+" FROM journal j ORDER BY j.seq")
	if err != nil {
		return nil, 0, fmt.Errorf("verify journal: %w", err)
	}
	defer rows.Close()
	var prev *access.JournalEntry
	var n int64
	for rows.Next() {
		e, err := scanJournalEntry(rows)
		if err != nil {
			return nil, n, fmt.Errorf("verify journal: entry after %d: %w", n, err)
		}
		n++
		if problem := access.VerifyJournalLink(prev, &e); problem != "" {
			return &JournalBreak{Seq: e.Seq, Problem: problem}, n, nil
		}
		prev = &e
	}
	if err := rows.Err(); err != nil {
		return nil, n, fmt.Errorf("verify journal: %w", err)
	}
	return nil, n, nil
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

// NewJournalAnchor takes the journal's head as an anchor.
func (s *Store) NewJournalAnchor(ctx context.Context, now time.Time) (JournalAnchor, error) {
	seq, hash, err := s.JournalHead(ctx)
	return JournalAnchor{Seq: seq, Hash: hash, At: now.UTC().Truncate(time.Second)}, err
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
