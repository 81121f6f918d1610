package store

import (
	"context"
	"fmt"
)

// IndexUnit is everything the search index holds of one unit.
type IndexUnit struct {
	Unit    *Unit
	Objects []Object
	Pages   []Page  // text of the unit's PDF objects, by object then page
	Path    []int64 // first-parent chain from the root to the parent, for breadcrumbs
}

// IndexUnits loads the index material of these units in a few queries (units, their
// objects, their pages, their first-parent chains). Ids that no longer exist are
// absent from the result.
func (s *Store) IndexUnits(ctx context.Context, ids []int64) ([]*IndexUnit, error) {
	units, err := s.Units(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]*IndexUnit, len(units))
	byID := make(map[int64]*IndexUnit, len(units))
	for i, u := range units {
		out[i] = &IndexUnit{Unit: u}
		byID[u.ID] = out[i]
	}
	if err := s.addIndexObjects(ctx, ids, byID); err != nil {
		return nil, err
	}
	if err := s.addPaths(ctx, out); err != nil {
		return nil, err
	}
	return out, nil
}

// addIndexObjects attaches the objects and their pages. An object shared by several
// units is indexed with each of them.
func (s *Store) addIndexObjects(ctx context.Context, ids []int64, byID map[int64]*IndexUnit) error {
	rows, err := s.pool.Query(ctx, `SELECT uo.unit_id, `+objectColumns+` FROM unit_object uo JOIN object o ON o.id = uo.object_id
		WHERE uo.unit_id = ANY($1) ORDER BY uo.unit_id, uo.position, o.id`, ids)
	if err != nil {
		return fmt.Errorf("objects to index: %w", err)
	}
	defer rows.Close()
	owners := map[int64][]*IndexUnit{}
	var objectIDs []int64
	for rows.Next() {
		var unitID int64
		o, err := scanObject(rows, &unitID)
		if err != nil {
			return err
		}
		iu := byID[unitID]
		iu.Objects = append(iu.Objects, o)
		if o.TextStatus == "ok" || o.TextStatus == "partial" {
			if len(owners[o.ID]) == 0 {
				objectIDs = append(objectIDs, o.ID)
			}
			owners[o.ID] = append(owners[o.ID], iu)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(objectIDs) == 0 {
		return nil
	}
	pages, err := s.Pages(ctx, objectIDs)
	if err != nil {
		return err
	}
	for _, p := range pages {
		for _, iu := range owners[p.ObjectID] {
			iu.Pages = append(iu.Pages, p)
		}
	}
	return nil
}

// addPaths computes each unit's first-parent chain (the parent with the lowest id,
// a stable choice) from one query over the units' ancestors.
func (s *Store) addPaths(ctx context.Context, units []*IndexUnit) error {
	var ids []int64
	for _, iu := range units {
		ids = append(ids, iu.Unit.ID)
		ids = append(ids, iu.Unit.Ancestors...)
	}
	first, err := s.firstParents(ctx, ids)
	if err != nil {
		return err
	}
	for _, iu := range units {
		var path []int64
		for p, ok := first[iu.Unit.ID]; ok && len(path) <= len(iu.Unit.Ancestors); p, ok = first[p] {
			path = append(path, p)
		}
		for i, j := 0, len(path)-1; i < j; i, j = i+1, j-1 {
			path[i], path[j] = path[j], path[i]
		}
		iu.Path = path
	}
	return nil
}

// firstParents maps each unit to its parent with the lowest id.
func (s *Store) firstParents(ctx context.Context, ids []int64) (map[int64]int64, error) {
	rows, err := s.pool.Query(ctx, `SELECT unit_id, min(parent_id) FROM unit_parent WHERE unit_id = ANY($1) GROUP BY unit_id`, ids)
	if err != nil {
		return nil, fmt.Errorf("parents: %w", err)
	}
	defer rows.Close()
	m := make(map[int64]int64, len(ids))
	for rows.Next() {
		var u, p int64
		if err := rows.Scan(&u, &p); err != nil {
			return nil, err
		}
		m[u] = p
	}
	return m, rows.Err()
}

// UnitIDs pages through every unit id in order, for a full rebuild of the index.
func (s *Store) UnitIDs(ctx context.Context, after int64, limit int) ([]int64, error) {
	rows, err := s.pool.Query(ctx, `SELECT id FROM unit WHERE id > $1 ORDER BY id LIMIT $2`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("unit ids: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// FirstParentPath is a unit's first-parent chain, root first (its breadcrumb).
func (s *Store) FirstParentPath(ctx context.Context, id int64) ([]int64, error) {
	var anc []int64
	if err := s.pool.QueryRow(ctx, `SELECT ancestors FROM unit WHERE id = $1`, id).Scan(&anc); err != nil {
		return nil, fmt.Errorf("path of %d: %w", id, err)
	}
	iu := &IndexUnit{Unit: &Unit{ID: id, Ancestors: anc}}
	if err := s.addPaths(ctx, []*IndexUnit{iu}); err != nil {
		return nil, err
	}
	return iu.Path, nil
}
