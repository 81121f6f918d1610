package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"sesam/access"
)

// SetDescriptionPublic makes the description of a unit and everything under it public
// (or not, with on false) while the documents stay closed, and returns how many units
// changed. The changed units go through the change feed to the index. The journal
// entry e records the change in the same transaction, its Detail followed by the
// number of units changed.
func (s *Store) SetDescriptionPublic(ctx context.Context, unitID int64, on bool, by string, e access.JournalEntry) (int, error) {
	if _, err := s.Unit(ctx, unitID); err != nil {
		return 0, err
	}
	var changed []int64
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		if on {
			_, err = tx.Exec(ctx, `INSERT INTO public_description (unit_id, set_by) VALUES ($1, $2) ON CONFLICT DO NOTHING`, unitID, by)
		} else {
			_, err = tx.Exec(ctx, `DELETE FROM public_description WHERE unit_id = $1`, unitID)
		}
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `UPDATE unit u SET description_public = d.flag, updated_at = now()
			FROM (SELECT v.id, EXISTS (SELECT 1 FROM public_description p WHERE p.unit_id = v.id OR p.unit_id = ANY(v.ancestors)) AS flag
			      FROM unit v WHERE v.id = $1 OR v.ancestors @> ARRAY[$1::bigint]) d
			WHERE u.id = d.id AND u.description_public IS DISTINCT FROM d.flag RETURNING u.id`, unitID)
		if err != nil {
			return err
		}
		if changed, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
			return err
		}
		if err := appendChanges(ctx, tx, changed); err != nil {
			return err
		}
		e.Detail += fmt.Sprintf(" (%d units)", len(changed))
		return appendJournalTx(ctx, tx, e)
	})
	if err != nil {
		return 0, fmt.Errorf("public description of %d: %w", unitID, err)
	}
	return len(changed), nil
}

// inheritDescriptionFlags flags the units of a transfer that come under a fonds whose
// description is public (units attached to an existing unit).
func inheritDescriptionFlags(ctx context.Context, tx pgx.Tx, transferID int64) error {
	_, err := tx.Exec(ctx, `UPDATE unit u SET description_public = true WHERE u.transfer_id = $1
		AND EXISTS (SELECT 1 FROM public_description p WHERE p.unit_id = ANY(u.ancestors))`, transferID)
	return err
}
