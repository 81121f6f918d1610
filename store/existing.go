package store

import (
	"context"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"

	"sesam/access"
	"sesam/seda"
)

// existingUnit is a unit already in the store that a transfer attaches new units to
// (Vitam's UpdateOperation).
type existingUnit struct {
	id        int64
	ancestors []int64
	depth     int
}

// existingColumn maps the metadata names an UpdateOperation may use to the store.
var existingColumn = map[string]string{
	"Title":                                   "u.title = $2",
	"ArchivalAgencyArchiveUnitIdentifier":     "u.cote = $2",
	"OriginatingAgencyArchiveUnitIdentifier":  "u.content->'OriginatingAgencyIDs' ? $2",
	"TransferringAgencyArchiveUnitIdentifier": "u.content->'TransferringAgencyIDs' ? $2",
}

// resolveExisting finds, in the tenant, the units the transfer says exist already.
// Found once: the transfer's units attach under it and it is not created again. Not
// found: the unit is created from the description the transfer gives (Vitam would
// refuse; a portal importing an SAE's exports must not lose them). Found several
// times: refused, as the attachment would be a guess.
func (w *transferWriter) resolveExisting(ctx context.Context) error {
	w.existing = map[string]*existingUnit{}
	for _, u := range w.tr.Units {
		if u.Existing == nil {
			continue
		}
		found, err := findExisting(ctx, w.tx, w.tenant, u.Existing)
		if err != nil {
			return err
		}
		switch len(found) {
		case 0:
			w.tr.Warnings = append(w.tr.Warnings, fmt.Sprintf("unit %s: the existing unit it names was not found; created from its description", u.ID))
		case 1:
			w.existing[u.ID] = &found[0]
		default:
			return &seda.RefusalError{Reason: fmt.Sprintf("unit %s: the existing unit it names (%s) matches %d units of tenant %s",
				u.ID, describeExisting(u.Existing), len(found), w.tenant)}
		}
	}
	return nil
}

func describeExisting(e *seda.ExistingUnit) string {
	if e.SystemID != "" {
		return "SystemId " + e.SystemID
	}
	return fmt.Sprintf("%s = %q", e.MetadataName, e.MetadataValue)
}

func findExisting(ctx context.Context, tx pgx.Tx, tenant string, e *seda.ExistingUnit) ([]existingUnit, error) {
	cond, arg := "", any(nil)
	if e.SystemID != "" {
		id, err := strconv.ParseInt(e.SystemID, 10, 64)
		if err != nil {
			return nil, nil // not one of our ids
		}
		cond, arg = "u.id = $2", id
	} else if c, ok := existingColumn[e.MetadataName]; ok {
		cond, arg = c, e.MetadataValue
	} else {
		return nil, nil
	}
	rows, err := tx.Query(ctx, `SELECT u.id, u.ancestors, u.depth FROM unit u
		WHERE u.tenant_id = $1 AND `+cond+` LIMIT 3`, tenant, arg)
	if err != nil {
		return nil, fmt.Errorf("find existing unit: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (existingUnit, error) {
		var x existingUnit
		err := r.Scan(&x.id, &x.ancestors, &x.depth)
		return x, err
	})
}

// newUnits are the transfer's units to create (not those standing for existing ones).
func (w *transferWriter) newUnits() []*seda.Unit {
	out := make([]*seda.Unit, 0, len(w.tr.Units))
	for _, u := range w.tr.Units {
		if w.existing[u.ID] == nil {
			out = append(out, u)
		}
	}
	return out
}

// existingFacts adds to the engine's graph the existing units the transfer attaches
// to, as stored, with all their ancestors (whatever transfers hold them), under the
// transfer's ids for them: the new units then inherit exactly what the existing unit
// carries.
func (w *transferWriter) existingFacts(ctx context.Context, g access.MapGraph) error {
	if len(w.existing) == 0 {
		return nil
	}
	var ids []int64
	for _, x := range w.existing {
		ids = append(ids, x.id)
	}
	stored, _, err := storedGraph(ctx, w.tx, ids, "db:")
	if err != nil {
		return err
	}
	for k, f := range stored {
		g[k] = f
	}
	for sedaID, x := range w.existing {
		f := *stored["db:"+strconv.FormatInt(x.id, 10)]
		f.ID = sedaID
		g[sedaID] = &f
	}
	return nil
}
