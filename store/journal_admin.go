package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"sesam"
	"sesam/access"
)

// The administrative changes made from the command line (roles, tenants, referentials,
// public descriptions) each commit with their journal entry in one transaction, as a
// request's events do: a change the journal cannot record is not made, and a change
// that is made is always recorded (a change made first and journalled after could stay
// made with no record, and a second run would find nothing left to record).

// GrantRole gives a role on a domain, with a reader's agency limits, and journals it
// (entry e) in the same transaction. It reports whether anything changed: granting a
// role held already changes nothing and journals nothing. Running portals reload the
// assignments when the transaction commits (PolicyChannel).
func (s *Store) GrantRole(ctx context.Context, a access.Assignment, e access.JournalEntry) (bool, error) {
	a, err := access.NormalAssignment(a)
	if err != nil {
		return false, err
	}
	rows := [][4]string{{"g", a.Subject, a.Role, a.Domain}}
	for _, ag := range a.Agencies {
		rows = append(rows, [4]string{"p2", a.Subject, a.Domain, ag})
	}
	changed := false
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		for _, r := range rows {
			tag, err := tx.Exec(ctx, `INSERT INTO casbin_rule (ptype, v0, v1, v2) VALUES ($1, $2, $3, $4)
				ON CONFLICT DO NOTHING`, r[0], r[1], r[2], r[3])
			if err != nil {
				return err
			}
			changed = changed || tag.RowsAffected() > 0
		}
		if !changed {
			return nil
		}
		return policyChanged(ctx, tx, e)
	})
	if err != nil {
		return false, fmt.Errorf("grant %s %s on %s: %w", a.Subject, a.Role, a.Domain, err)
	}
	return changed, nil
}

// RevokeRole takes a role back (and a reader's agency limits on that domain) and
// journals it in the same transaction. Revoking a role not held is ErrInvalid.
func (s *Store) RevokeRole(ctx context.Context, a access.Assignment, e access.JournalEntry) error {
	a, err := access.NormalAssignment(a)
	if err != nil {
		return err
	}
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM casbin_rule WHERE ptype = 'g' AND v0 = $1 AND v1 = $2 AND v2 = $3
			AND v3 = '' AND v4 = '' AND v5 = ''`, a.Subject, a.Role, a.Domain)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("%s does not hold %s on %s: %w", a.Subject, a.Role, a.Domain, sesam.ErrInvalid)
		}
		if a.Role == access.RoleReader {
			if _, err := tx.Exec(ctx, `DELETE FROM casbin_rule WHERE ptype = 'p2' AND v0 = $1 AND v1 = $2`,
				a.Subject, a.Domain); err != nil {
				return err
			}
		}
		return policyChanged(ctx, tx, e)
	})
	if err != nil {
		return fmt.Errorf("revoke %s %s on %s: %w", a.Subject, a.Role, a.Domain, err)
	}
	return nil
}

// policyChanged tells the portals to reload the assignments (at commit) and journals
// the change.
func policyChanged(ctx context.Context, tx pgx.Tx, e access.JournalEntry) error {
	if _, err := tx.Exec(ctx, `SELECT pg_notify($1, '')`, PolicyChannel); err != nil {
		return err
	}
	return appendJournalTx(ctx, tx, e)
}

// AddTenantJournalled creates a tenant (AddTenant) and journals it, with whether it
// publishes online, in the same transaction. AddTenant alone is for set-up code (tests,
// benchmarks); the command line uses this.
func (s *Store) AddTenantJournalled(ctx context.Context, t Tenant, e access.JournalEntry) error {
	if err := checkNewTenant(ctx, s.pool, t); err != nil {
		return err
	}
	defer tenantChanged() // once committed: a reading before would see the old table
	return s.inTx(ctx, func(tx pgx.Tx) error {
		if err := insertTenant(ctx, tx, t); err != nil {
			return err
		}
		return appendJournalTx(ctx, tx, e)
	})
}
