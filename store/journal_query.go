package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"sesam"
	"sesam/access"
)

// JournalFilter selects journal entries. Zero fields select everything.
type JournalFilter struct {
	From, To time.Time // entries at or after From, before To
	// Tenants is an auditor's scope: an entry is visible when one of the tenants it
	// concerns (its tenant or one of its tenant list) is covered by one of these
	// (access.CoversTenant); nil means every entry, an empty list none. Entries that
	// concern no tenant (a citizen's login) are covered by "*" only.
	Tenants []string
	Tenant  string   // the entries concerning this tenant or the tenants below it
	Subject string   // this actor: their subject, or their e-mail (without case)
	Action  string   // exactly this action
	Actions []string // any of these actions (with Action, both must hold)
	UnitID  int64    // the entries concerning this unit
	Limit   int      // at most this many entries (0: all)
	After   int64    // keyset paging: entries after this seq
	Before  int64    // keyset paging backwards: entries before this seq (0: no bound)
	Desc    bool     // newest first
}

// sqlArgs collects the arguments of a query as its text is built.
type sqlArgs []any

func (a *sqlArgs) add(v any) string {
	*a = append(*a, v)
	return fmt.Sprintf("$%d", len(*a))
}

// where is the filter's WHERE clause over the journal table aliased j.
func (f JournalFilter) where(args *sqlArgs) string {
	conds := []string{"true"}
	if f.Tenants != nil {
		conds = append(conds, concernsSQL(f.Tenants, args))
	}
	if f.Tenant != "" {
		conds = append(conds, concernsSQL([]string{f.Tenant}, args))
	}
	if !f.From.IsZero() {
		conds = append(conds, "j.at >= "+args.add(f.From))
	}
	if !f.To.IsZero() {
		conds = append(conds, "j.at < "+args.add(f.To))
	}
	if f.Subject != "" {
		p := args.add(f.Subject)
		conds = append(conds, "(j.subject = "+p+" OR (j.email <> '' AND lower(j.email) = lower("+p+")))")
	}
	if f.Action != "" {
		conds = append(conds, "j.action = "+args.add(f.Action))
	}
	if f.Actions != nil {
		conds = append(conds, "j.action = ANY("+args.add(f.Actions)+")")
	}
	if f.UnitID != 0 {
		p := args.add(f.UnitID)
		conds = append(conds, "(j.unit_id = "+p+" OR j.units @> ARRAY["+p+"::bigint])")
	}
	if f.After > 0 {
		conds = append(conds, "j.seq > "+args.add(f.After))
	}
	if f.Before > 0 {
		conds = append(conds, "j.seq < "+args.add(f.Before))
	}
	return "WHERE " + strings.Join(conds, " AND ")
}

// concernsSQL says that an entry concerns a tenant covered by one of the scopes: its
// tenant (format 1) or one of its tenant list (format 2) is, as access.CoversTenant
// says (tenantCoveredSQL). A role domain in the list ("cdg62/*", "*") is covered like
// a tenant path: "cdg62/*" by an auditor of cdg62 or of cdg62/*, "*" by "*" only.
func concernsSQL(scopes []string, args *sqlArgs) string {
	if len(scopes) == 0 {
		return "false"
	}
	return "(" + tenantCoveredSQL("j.tenant", scopes, args) +
		" OR EXISTS (SELECT 1 FROM unnest(j.tenants) AS c(tenant) WHERE " + tenantCoveredSQL("c.tenant", scopes, args) + "))"
}

// JournalEntries returns the entries the filter selects, in chain order (or newest
// first with Desc).
func (s *Store) JournalEntries(ctx context.Context, f JournalFilter) ([]access.JournalEntry, error) {
	var args sqlArgs
	q := "SELECT " + journalColumnList + " FROM journal j " + f.where(&args) + " ORDER BY j.seq"
	if f.Desc {
		q += " DESC"
	}
	if f.Limit > 0 {
		q += " LIMIT " + args.add(f.Limit)
	}
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read journal: %w", err)
	}
	es, err := pgx.CollectRows(rows, scanJournalEntry)
	if err != nil {
		return nil, fmt.Errorf("read journal: %w", err)
	}
	return es, nil
}

// JournalBucket is the number of entries in one period of the auditor's chart.
type JournalBucket struct {
	Start time.Time // the period's first instant, in Paris time
	Count int64
}

// JournalStats counts the selected entries per day, week (from Monday) or month, in
// Paris time, oldest first; periods with no entry are left out. Limit, paging and
// order do not apply.
func (s *Store) JournalStats(ctx context.Context, f JournalFilter, bucket string) ([]JournalBucket, error) {
	switch bucket {
	case "day", "week", "month":
	default:
		return nil, fmt.Errorf("journal chart: period %q (day, week, month): %w", bucket, sesam.ErrInvalid)
	}
	f.Limit, f.After, f.Before = 0, 0, 0
	var args sqlArgs
	b := args.add(bucket)
	q := `SELECT date_trunc(` + b + `, j.at AT TIME ZONE 'Europe/Paris') AS start, count(*)
		FROM journal j ` + f.where(&args) + ` GROUP BY start ORDER BY start`
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("journal chart: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (JournalBucket, error) {
		var local time.Time // a Paris wall-clock time, which pgx reads as UTC
		var jb JournalBucket
		err := r.Scan(&local, &jb.Count)
		jb.Start = parisWallClock(local)
		return jb, err
	})
	if err != nil {
		return nil, fmt.Errorf("journal chart: %w", err)
	}
	return out, nil
}

// parisWallClock reads the date and time of t as a wall-clock time in Paris.
func parisWallClock(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), access.JournalZone())
}

// UnitCount is how many selected entries name a unit. It carries no title: the
// journal's readers see a unit's title only where their rights show its description
// (the portal looks it up).
type UnitCount struct {
	UnitID int64
	Count  int64
}

// TopUnits returns the n units the selected entries name most often (the most
// consulted, with Actions = access.ConsultationActions), most often first.
func (s *Store) TopUnits(ctx context.Context, f JournalFilter, n int) ([]UnitCount, error) {
	f.Limit, f.After, f.Before = 0, 0, 0
	var args sqlArgs
	q := `SELECT j.unit_id, count(*) AS n
		FROM journal j ` + f.where(&args) + ` AND j.unit_id <> 0
		GROUP BY j.unit_id ORDER BY n DESC, j.unit_id LIMIT ` + args.add(n)
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("most consulted units: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (UnitCount, error) {
		var uc UnitCount
		err := r.Scan(&uc.UnitID, &uc.Count)
		return uc, err
	})
	if err != nil {
		return nil, fmt.Errorf("most consulted units: %w", err)
	}
	return out, nil
}
