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
	// Tenants is an auditor's scope: an entry is visible when its tenant is covered by
	// one of these (access.CoversTenant); nil means every entry, an empty list none.
	// Entries with no tenant (logins, searches across tenants) are covered by "*" only.
	Tenants []string
	Tenant  string   // the entries of this tenant and of the tenants below it
	Subject string   // exactly this actor
	Action  string   // exactly this action
	Actions []string // any of these actions (with Action, both must hold)
	UnitID  int64
	Limit   int   // at most this many entries (0: all)
	After   int64 // keyset paging: entries after this seq
	Before  int64 // keyset paging backwards: entries before this seq (0: no bound)
	Desc    bool  // newest first
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
		conds = append(conds, coveredSQL(f.Tenants, args))
	}
	if f.Tenant != "" {
		conds = append(conds, coveredSQL([]string{f.Tenant}, args))
	}
	if !f.From.IsZero() {
		conds = append(conds, "j.at >= "+args.add(f.From))
	}
	if !f.To.IsZero() {
		conds = append(conds, "j.at < "+args.add(f.To))
	}
	if f.Subject != "" {
		conds = append(conds, "j.subject = "+args.add(f.Subject))
	}
	if f.Action != "" {
		conds = append(conds, "j.action = "+args.add(f.Action))
	}
	if f.Actions != nil {
		conds = append(conds, "j.action = ANY("+args.add(f.Actions)+")")
	}
	if f.UnitID != 0 {
		conds = append(conds, "j.unit_id = "+args.add(f.UnitID))
	}
	if f.After > 0 {
		conds = append(conds, "j.seq > "+args.add(f.After))
	}
	if f.Before > 0 {
		conds = append(conds, "j.seq < "+args.add(f.Before))
	}
	return "WHERE " + strings.Join(conds, " AND ")
}

// coveredSQL is access.CoversTenant in SQL: the entry's tenant is covered by one of
// the scopes. starts_with, not LIKE: "_" is a wildcard for LIKE and may be in an id.
func coveredSQL(scopes []string, args *sqlArgs) string {
	var ors []string
	for _, sc := range scopes {
		switch {
		case sc == "*":
			ors = append(ors, "true")
		case strings.HasSuffix(sc, "/*"):
			ors = append(ors, "starts_with(j.tenant, "+args.add(strings.TrimSuffix(sc, "*"))+")")
		default:
			p := args.add(sc)
			ors = append(ors, "(j.tenant = "+p+" OR starts_with(j.tenant, "+p+" || '/'))")
		}
	}
	if len(ors) == 0 {
		return "false"
	}
	return "(" + strings.Join(ors, " OR ") + ")"
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

// UnitCount is how many selected entries name a unit.
type UnitCount struct {
	UnitID int64
	Title  string // "" when the unit is no longer in the store
	Count  int64
}

// TopUnits returns the n units the selected entries name most often (the most
// consulted, with Actions = access.ConsultationActions), most often first.
func (s *Store) TopUnits(ctx context.Context, f JournalFilter, n int) ([]UnitCount, error) {
	f.Limit, f.After, f.Before = 0, 0, 0
	var args sqlArgs
	q := `SELECT j.unit_id, coalesce(min(u.title), ''), count(*) AS n
		FROM journal j LEFT JOIN unit u ON u.id = j.unit_id ` + f.where(&args) + ` AND j.unit_id <> 0
		GROUP BY j.unit_id ORDER BY n DESC, j.unit_id LIMIT ` + args.add(n)
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("most consulted units: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (UnitCount, error) {
		var uc UnitCount
		err := r.Scan(&uc.UnitID, &uc.Title, &uc.Count)
		return uc, err
	})
	if err != nil {
		return nil, fmt.Errorf("most consulted units: %w", err)
	}
	return out, nil
}
