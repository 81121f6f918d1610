package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"sesam"
	"sesam/access"
	"sesam/seda"
)

// querier is what the pool, a connection and a transaction all offer.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// tenantChain lists a tenant and the tenants above it, top first: cdg62, cdg62/ruitz.
func tenantChain(tenant string) []string {
	var out []string
	for i := range tenant {
		if tenant[i] == '/' {
			out = append(out, tenant[:i])
		}
	}
	return append(out, tenant)
}

// Referential is the rule referential in force for a tenant: sesam's seed, overlaid by
// the referentials loaded for the tenants above it, then by its own.
func (s *Store) Referential(ctx context.Context, tenant string) (access.Referential, error) {
	return referential(ctx, s.pool, tenant)
}

func referential(ctx context.Context, q querier, tenant string) (access.Referential, error) {
	ref := access.Seed()
	for _, t := range tenantChain(tenant) {
		defs, err := tenantRules(ctx, q, t)
		if err != nil {
			return ref, err
		}
		if len(defs) > 0 {
			ref = ref.Overlay(defs)
		}
	}
	return ref, nil
}

// tenantRules reads the rules loaded for exactly one tenant.
func tenantRules(ctx context.Context, q querier, tenant string) ([]access.RuleDef, error) {
	rows, err := q.Query(ctx, `SELECT id, category, duration, measurement, basis, legal_basis, label, description,
		alt_group, fallback FROM rule_def WHERE tenant_id = $1 ORDER BY id`, tenant)
	if err != nil {
		return nil, fmt.Errorf("referential of %s: %w", tenant, err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (access.RuleDef, error) {
		var d access.RuleDef
		var cat, unit, basis string
		var dur *int
		err := r.Scan(&d.ID, &cat, &dur, &unit, &basis, &d.LegalBasis, &d.Label, &d.Description, &d.Group, &d.Fallback)
		d.Category, d.Basis, d.Source = access.Category(cat), access.Basis(basis), "tenant"
		d.Duration = access.Duration{Unit: access.DurationUnit(unit), Unlimited: dur == nil}
		if dur != nil {
			d.Duration.N = *dur
		}
		return d, err
	})
}

// writeRules replaces a tenant's rows of the referential (” is the seed).
func writeRules(ctx context.Context, tx pgx.Tx, tenant string, defs []access.RuleDef) error {
	if _, err := tx.Exec(ctx, `DELETE FROM rule_def WHERE tenant_id = $1`, tenant); err != nil {
		return err
	}
	rows := make([][]any, 0, len(defs))
	for _, d := range defs {
		var dur any
		if !d.Duration.Unlimited {
			dur = d.Duration.N
		}
		unit := string(d.Duration.Unit)
		if unit == "" {
			unit = string(access.Year)
		}
		rows = append(rows, []any{tenant, d.ID, string(d.Category), dur, unit, string(d.Basis), d.LegalBasis,
			d.Label, d.Description, d.Group, d.Fallback})
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"rule_def"}, []string{"tenant_id", "id", "category", "duration",
		"measurement", "basis", "legal_basis", "label", "description", "alt_group", "fallback"}, pgx.CopyFromRows(rows))
	return err
}

// syncSeed writes the binary's seed referential into rule_def (tenant ”), so that the
// store shows what sesam applies; migrate calls it.
func (s *Store) syncSeed(ctx context.Context) error {
	return s.inTx(ctx, func(tx pgx.Tx) error { return writeRules(ctx, tx, "", access.Seed().Rules()) })
}

// accessOutcome is what the engine decided for one unit, as stored.
type accessOutcome struct {
	openDay, publishDay   int
	status                string
	reason, publishReason string
}

// evaluate decides access and dissemination for the given units of a graph.
func evaluate(g access.Graph, ids []string, ref access.Referential) map[string]accessOutcome {
	acc := access.NewEvaluator(g, access.AccessRule, ref)
	dis := access.NewEvaluator(g, access.DisseminationRule, ref)
	out := make(map[string]accessOutcome, len(ids))
	for _, id := range ids {
		a, d := acc.Evaluate(id), dis.Evaluate(id)
		out[id] = accessOutcome{openDay: access.OpenDay(a), publishDay: access.OpenDay(d), status: string(a.Status),
			reason: a.Reason, publishReason: d.Reason}
	}
	return out
}

// factsOf is the engine's view of a unit: its parents, its declared blocks and the
// dates rules may count from.
func factsOf(id string, parents []string, m seda.Management, end *time.Time, persons []seda.Person) *access.UnitFacts {
	f := &access.UnitFacts{ID: id, Parents: parents, EndDate: end, Blocks: map[access.Category]access.RuleBlock{}}
	for cat, rs := range m.Rules {
		b := access.RuleBlock{PreventInheritance: rs.PreventInheritance, RefNonRuleIDs: rs.RefNonRuleIDs}
		for _, r := range rs.Rules {
			b.Rules = append(b.Rules, access.DeclaredRule{RuleID: r.ID, StartDate: r.StartDate})
		}
		f.Blocks[access.Category(cat)] = b
	}
	// A person named without a death date may be alive: the engine then runs no death
	// clock here, nor on the units that inherit a death-based rule from here.
	for _, p := range persons {
		if p.BirthDate != nil {
			f.BirthDates = append(f.BirthDates, *p.BirthDate)
		}
		if p.DeathDate != nil {
			f.DeathDates = append(f.DeathDates, *p.DeathDate)
		} else {
			f.UndatedDeath = true
		}
	}
	return f
}

// transferGraph is the engine's view of a transfer being imported, by manifest id.
func transferGraph(tr *seda.Transfer) access.MapGraph {
	g := make(access.MapGraph, len(tr.Units))
	for _, u := range tr.Units {
		g[u.ID] = factsOf(u.ID, u.Parents, u.Management, u.EndDate, u.Persons)
	}
	return g
}

// storedGraph loads the engine's view of units and of every ancestor they have, whatever
// transfer holds it (a unit attached under an existing unit inherits from another
// transfer), keyed by prefix + unit id. It also gives each unit's tenant.
func storedGraph(ctx context.Context, q querier, unitIDs []int64, prefix string) (access.MapGraph, map[string]string, error) {
	rows, err := q.Query(ctx, `WITH wanted AS (
			SELECT id FROM unit WHERE id = ANY($1)
			UNION SELECT unnest(ancestors) FROM unit WHERE id = ANY($1))
		SELECT u.id, u.tenant_id, u.management, u.end_date, u.content->'Persons',
		coalesce((SELECT array_agg(p.parent_id ORDER BY p.position) FROM unit_parent p WHERE p.unit_id = u.id), '{}')
		FROM unit u JOIN wanted w ON w.id = u.id`, unitIDs)
	if err != nil {
		return nil, nil, fmt.Errorf("load rules: %w", err)
	}
	defer rows.Close()
	g := access.MapGraph{}
	tenants := map[string]string{}
	for rows.Next() {
		var id int64
		var tenant string
		var mgt, persons []byte
		var end *time.Time
		var parents []int64
		if err := rows.Scan(&id, &tenant, &mgt, &end, &persons, &parents); err != nil {
			return nil, nil, err
		}
		f, err := storedFacts(id, mgt, persons, end, parents, prefix)
		if err != nil {
			return nil, nil, err
		}
		g[f.ID] = f
		tenants[f.ID] = tenant
	}
	return g, tenants, rows.Err()
}

// storedFacts decodes one unit's row into the engine's facts, ids prefixed.
func storedFacts(id int64, mgt, persons []byte, end *time.Time, parents []int64, prefix string) (*access.UnitFacts, error) {
	var m seda.Management
	var ps []seda.Person
	if err := json.Unmarshal(mgt, &m); err != nil {
		return nil, fmt.Errorf("unit %d management: %w", id, err)
	}
	if len(persons) > 0 && string(persons) != "null" {
		if err := json.Unmarshal(persons, &ps); err != nil {
			return nil, fmt.Errorf("unit %d persons: %w", id, err)
		}
	}
	keys := idStrings(parents)
	for i := range keys {
		keys[i] = prefix + keys[i]
	}
	return factsOf(prefix+strconv.FormatInt(id, 10), keys, m, end, ps), nil
}

func idStrings(ids []int64) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = strconv.FormatInt(id, 10)
	}
	return out
}

// Explain evaluates a unit's access and dissemination from the store, with the whole
// explanation (which rules, from where, blocked where), as of the current referential.
func (s *Store) Explain(ctx context.Context, unitID int64) (acc, dis access.Decision, err error) {
	g, tenants, err := storedGraph(ctx, s.pool, []int64{unitID}, "")
	if err != nil {
		return acc, dis, err
	}
	key := strconv.FormatInt(unitID, 10)
	tenant, ok := tenants[key]
	if !ok {
		return acc, dis, fmt.Errorf("unit %d: %w", unitID, sesam.ErrNotFound)
	}
	ref, err := s.Referential(ctx, tenant)
	if err != nil {
		return acc, dis, err
	}
	return access.Evaluate(g, key, access.AccessRule, ref), access.Evaluate(g, key, access.DisseminationRule, ref), nil
}

// LoadRules replaces a tenant's referential (as Vitam does: the file is the whole
// referential) and recomputes the units it affects: those of the tenant and the tenants
// below it on which, or on an ancestor of which, a rule whose definition changed is
// declared. It returns how many units changed. The journal entry e records the load in
// the same transaction, its Detail followed by the number of units recomputed.
func (s *Store) LoadRules(ctx context.Context, tenant string, defs []access.RuleDef, e access.JournalEntry) (int, error) {
	if _, err := s.Tenant(ctx, tenant); err != nil {
		return 0, err
	}
	changed := 0
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		old, err := tenantRules(ctx, tx, tenant)
		if err != nil {
			return err
		}
		if err := writeRules(ctx, tx, tenant, defs); err != nil {
			return err
		}
		if ids := changedRuleIDs(old, defs); len(ids) > 0 {
			if changed, err = recomputeTenant(ctx, tx, tenant, ids); err != nil {
				return err
			}
		}
		e.Detail += fmt.Sprintf("; %d units recomputed", changed)
		return appendJournalTx(ctx, tx, e)
	})
	return changed, err
}

// changedRuleIDs lists the ids whose definition differs between two rule sets.
func changedRuleIDs(old, new []access.RuleDef) []string {
	before := map[string]access.RuleDef{}
	for _, d := range old {
		before[d.ID] = d
	}
	var out []string
	seen := map[string]bool{}
	for _, d := range new {
		seen[d.ID] = true
		if b, ok := before[d.ID]; !ok || b != d {
			out = append(out, d.ID)
		}
	}
	for id := range before {
		if !seen[id] {
			out = append(out, id)
		}
	}
	return out
}

// recomputeTenant re-evaluates the units (of tenant and below) that one of the rule
// ids may reach: declared on the unit or on any of its ancestors, whichever transfer
// holds them. It writes the units whose outcome changed.
func recomputeTenant(ctx context.Context, tx pgx.Tx, tenant string, ruleIDs []string) (int, error) {
	rows, err := tx.Query(ctx, `WITH declaring AS (
			SELECT array_agg(DISTINCT unit_id) AS ids FROM unit_rule WHERE rule_id = ANY($1))
		SELECT u.id FROM unit u, declaring d
		WHERE (u.tenant_id = $2 OR u.tenant_id LIKE $3) AND (u.id = ANY(d.ids) OR u.ancestors && d.ids)`,
		ruleIDs, tenant, strings.ReplaceAll(tenant, "_", `\_`)+"/%")
	if err != nil {
		return 0, err
	}
	units, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil || len(units) == 0 {
		return 0, err
	}
	return recompute(ctx, tx, units)
}

// recompute re-evaluates these units (from them and all their ancestors) and writes
// those that changed.
func recompute(ctx context.Context, tx pgx.Tx, unitIDs []int64) (int, error) {
	g, tenants, err := storedGraph(ctx, tx, unitIDs, "")
	if err != nil {
		return 0, err
	}
	byTenant := map[string][]string{}
	for _, id := range idStrings(unitIDs) {
		byTenant[tenants[id]] = append(byTenant[tenants[id]], id)
	}
	var changed []int64
	for tenant, ids := range byTenant {
		ref, err := referential(ctx, tx, tenant)
		if err != nil {
			return 0, err
		}
		outs := evaluate(g, ids, ref)
		n, err := writeOutcomes(ctx, tx, outs)
		if err != nil {
			return 0, err
		}
		changed = append(changed, n...)
	}
	return len(changed), appendChanges(ctx, tx, changed)
}

// writeOutcomes updates the units whose stored outcome differs and returns their ids.
func writeOutcomes(ctx context.Context, tx pgx.Tx, outs map[string]accessOutcome) ([]int64, error) {
	var ids []int64
	var open, publish []int32
	var status, reason, preason []string
	for key, o := range outs {
		id, _ := strconv.ParseInt(key, 10, 64)
		ids = append(ids, id)
		open, publish = append(open, int32(o.openDay)), append(publish, int32(o.publishDay))
		status, reason, preason = append(status, o.status), append(reason, o.reason), append(preason, o.publishReason)
	}
	rows, err := tx.Query(ctx, `UPDATE unit u SET open_day = v.o, publish_day = v.p, access_status = v.s,
			access_reason = v.r, publish_reason = v.pr, updated_at = now()
		FROM unnest($1::bigint[], $2::int[], $3::int[], $4::text[], $5::text[], $6::text[]) AS v(id, o, p, s, r, pr)
		WHERE u.id = v.id AND (u.open_day, u.publish_day, u.access_status, u.access_reason, u.publish_reason)
			IS DISTINCT FROM (v.o, v.p, v.s, v.r, v.pr)
		RETURNING u.id`, ids, open, publish, status, reason, preason)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}
