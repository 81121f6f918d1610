package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"sesam"
	"sesam/access"
	"sesam/seda"
)

// Unit is an archive unit as stored.
type Unit struct {
	ID                int64
	TenantID          string
	TransferID        int64
	SedaID            string
	Level             string
	Title             string
	Cote              string
	OriginatingAgency string
	StartDate         *time.Time
	EndDate           *time.Time
	Ancestors         []int64 // every ancestor, through every parent
	Parents           []int64 // direct parents, in id order
	Depth             int
	Content           seda.Unit       // descriptive metadata (graph fields empty)
	Management        seda.Management // rules declared here (transfer defaults merged on roots)
	UpdatedAt         time.Time

	// Computed by the access engine (see migration 0003).
	OpenDay           int    // first communicable day, yyyymmdd; 0 always, 99991231 never or unknown
	PublishDay        int    // first day online publication is allowed
	AccessStatus      string // open, never, unknown
	AccessReason      string // the engine's one-sentence reason (French)
	PublishReason     string
	DescriptionPublic bool
}

const unitColumns = `u.id, u.tenant_id, u.transfer_id, u.seda_id, u.level, u.title, u.cote, u.originating_agency,
	u.start_date, u.end_date, u.ancestors, u.depth, u.content, u.management, u.updated_at,
	u.open_day, u.publish_day, u.access_status, u.access_reason, u.publish_reason, u.description_public,
	coalesce((SELECT array_agg(p.parent_id ORDER BY p.parent_id) FROM unit_parent p WHERE p.unit_id = u.id), '{}')`

func scanUnit(r pgx.Row) (*Unit, error) {
	var u Unit
	var content, mgt []byte
	err := r.Scan(&u.ID, &u.TenantID, &u.TransferID, &u.SedaID, &u.Level, &u.Title, &u.Cote, &u.OriginatingAgency,
		&u.StartDate, &u.EndDate, &u.Ancestors, &u.Depth, &content, &mgt, &u.UpdatedAt,
		&u.OpenDay, &u.PublishDay, &u.AccessStatus, &u.AccessReason, &u.PublishReason, &u.DescriptionPublic, &u.Parents)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(content, &u.Content); err != nil {
		return nil, fmt.Errorf("unit %d content: %w", u.ID, err)
	}
	if err := json.Unmarshal(mgt, &u.Management); err != nil {
		return nil, fmt.Errorf("unit %d management: %w", u.ID, err)
	}
	return &u, nil
}

// Unit returns one unit.
func (s *Store) Unit(ctx context.Context, id int64) (*Unit, error) {
	u, err := scanUnit(s.pool.QueryRow(ctx, `SELECT `+unitColumns+` FROM unit u WHERE u.id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("unit %d: %w", id, sesam.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("unit %d: %w", id, err)
	}
	return u, nil
}

// Units returns the units with these ids that exist, in id order.
func (s *Store) Units(ctx context.Context, ids []int64) ([]*Unit, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+unitColumns+` FROM unit u WHERE u.id = ANY($1) ORDER BY u.id`, ids)
	if err != nil {
		return nil, fmt.Errorf("units: %w", err)
	}
	defer rows.Close()
	var out []*Unit
	for rows.Next() {
		u, err := scanUnit(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// ChildRef is a child in a listing: enough for a line, not the whole unit.
type ChildRef struct {
	ID        int64
	Position  int
	Level     string
	Title     string
	Cote      string
	StartDate *time.Time
	EndDate   *time.Time
	Children  int64 // its own number of children
}

// Children lists a unit's children in manifest order, limit at a time, after the
// child at (afterPos, afterID): keyset paging, so the thousandth page of a fonds with
// 100,000 children costs what the first does.
func (s *Store) Children(ctx context.Context, parentID int64, afterPos int, afterID int64, limit int) ([]ChildRef, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT u.id, p.position, u.level, u.title, u.cote, u.start_date, u.end_date,
		       (SELECT count(*) FROM unit_parent c WHERE c.parent_id = u.id)
		FROM unit_parent p JOIN unit u ON u.id = p.unit_id
		WHERE p.parent_id = $1 AND (p.position, p.unit_id) > ($2, $3)
		ORDER BY p.position, p.unit_id LIMIT $4`, parentID, afterPos, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("children of %d: %w", parentID, err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (ChildRef, error) {
		var c ChildRef
		err := r.Scan(&c.ID, &c.Position, &c.Level, &c.Title, &c.Cote, &c.StartDate, &c.EndDate, &c.Children)
		return c, err
	})
}

// CountChildren is the number of a unit's children.
func (s *Store) CountChildren(ctx context.Context, parentID int64) (int64, error) {
	var n int64
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM unit_parent WHERE parent_id = $1`, parentID).Scan(&n)
	return n, err
}

// UnitHead is the little a list or a breadcrumb shows of a unit, with what the rights
// need to decide whether it may be shown.
type UnitHead struct {
	ID    int64
	Title string
	Cote  string
	Level string
	View  access.UnitView
}

// UnitHeads returns the heads of these units (those that exist), by id.
func (s *Store) UnitHeads(ctx context.Context, ids []int64) (map[int64]UnitHead, error) {
	return unitHeads(ctx, s.pool, ids)
}

func unitHeads(ctx context.Context, q querier, ids []int64) (map[int64]UnitHead, error) {
	rows, err := q.Query(ctx, `SELECT id, title, cote, level, tenant_id, originating_agency, ancestors,
		open_day, publish_day, description_public FROM unit WHERE id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("unit heads: %w", err)
	}
	defer rows.Close()
	out := make(map[int64]UnitHead, len(ids))
	for rows.Next() {
		var h UnitHead
		var anc []int64
		if err := rows.Scan(&h.ID, &h.Title, &h.Cote, &h.Level, &h.View.Tenant, &h.View.Agency, &anc,
			&h.View.OpenDay, &h.View.PublishDay, &h.View.DescriptionPublic); err != nil {
			return nil, err
		}
		h.View.ID, h.View.Ancestors = strconv.FormatInt(h.ID, 10), idStrings(anc)
		out[h.ID] = h
	}
	return out, rows.Err()
}

// UnitByCote finds a tenant's unit by its cote, ignoring case and spacing as archivists
// type them ("3 E 12/4" = "3e 12/4").
func (s *Store) UnitByCote(ctx context.Context, tenant, cote string) (int64, error) {
	var id int64
	err := s.pool.QueryRow(ctx, `SELECT id FROM unit WHERE tenant_id = $1 AND cote <> ''
		AND lower(regexp_replace(cote, '\s+', '', 'g')) = lower(regexp_replace($2, '\s+', '', 'g'))
		ORDER BY id LIMIT 1`, tenant, cote).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, fmt.Errorf("cote %q in %s: %w", cote, tenant, sesam.ErrNotFound)
	}
	return id, err
}
