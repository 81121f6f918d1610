package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"sesam/access"
)

// appendJournalTx writes one journal entry inside a caller's transaction, so that the
// change it records and the record commit together or not at all (a request's events).
// It takes the journal lock until that transaction ends: keep such transactions short.
func appendJournalTx(ctx context.Context, tx pgx.Tx, e access.JournalEntry) error {
	if err := prepareJournalEntry(&e); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", journalLock); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	var head int64
	var prev []byte
	var now time.Time
	err := tx.QueryRow(ctx, headRead, access.GenesisHash).Scan(&now, &head, &prev)
	if err != nil {
		return fmt.Errorf("journal: head: %w", err)
	}
	e.Seq, e.At, e.PrevHash = head+1, now.UTC().Truncate(time.Microsecond), prev
	e.Hash = e.ComputeHash()
	if _, err := tx.Exec(ctx, journalInsert, journalValues(e)...); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	return nil
}
