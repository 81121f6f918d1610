package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"
)

// PolicyChannel is notified when role assignments change, so portals reload them.
const PolicyChannel = "sesam_policy"

// CasbinAdapter keeps Casbin policy rows (role assignments) in the casbin_rule table.
// The ready-made PostgreSQL adapters cannot be had here; this one is the whole
// persist.Adapter interface in a few queries.
type CasbinAdapter struct {
	s *Store
}

// CasbinAdapter returns the store's adapter.
func (s *Store) CasbinAdapter() *CasbinAdapter { return &CasbinAdapter{s: s} }

var _ persist.Adapter = (*CasbinAdapter)(nil)

// LoadPolicy loads every row into the model.
func (a *CasbinAdapter) LoadPolicy(m model.Model) error {
	ctx := context.Background()
	rows, err := a.s.pool.Query(ctx, `SELECT ptype, v0, v1, v2, v3, v4, v5 FROM casbin_rule ORDER BY id`)
	if err != nil {
		return fmt.Errorf("load policy: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var v [7]string
		if err := rows.Scan(&v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6]); err != nil {
			return err
		}
		if err := persist.LoadPolicyArray(trimEmpty(v[:]), m); err != nil {
			return err
		}
	}
	return rows.Err()
}

// trimEmpty drops the unused trailing columns of a row.
func trimEmpty(v []string) []string {
	for len(v) > 0 && v[len(v)-1] == "" {
		v = v[:len(v)-1]
	}
	return v
}

// SavePolicy is not used: rows are added and removed one by one (auto-save). Writing
// the whole model here would also copy the built-in default policy into the table.
func (a *CasbinAdapter) SavePolicy(model.Model) error {
	return errors.New("casbin adapter: SavePolicy is not supported; use AddPolicy and RemovePolicy")
}

func ruleArgs(ptype string, rule []string) []any {
	args := []any{ptype, "", "", "", "", "", ""}
	for i, v := range rule {
		if i < 6 {
			args[i+1] = v
		}
	}
	return args
}

// AddPolicy adds one row (a no-op when it is there already).
func (a *CasbinAdapter) AddPolicy(sec, ptype string, rule []string) error {
	_, err := a.s.pool.Exec(context.Background(), `
		WITH ins AS (INSERT INTO casbin_rule (ptype, v0, v1, v2, v3, v4, v5) VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT DO NOTHING RETURNING 1)
		SELECT pg_notify('`+PolicyChannel+`', '') FROM ins`, ruleArgs(ptype, rule)...)
	return err
}

// RemovePolicy removes one row.
func (a *CasbinAdapter) RemovePolicy(sec, ptype string, rule []string) error {
	_, err := a.s.pool.Exec(context.Background(), `
		WITH del AS (DELETE FROM casbin_rule WHERE ptype = $1 AND v0 = $2 AND v1 = $3 AND v2 = $4 AND v3 = $5
			AND v4 = $6 AND v5 = $7 RETURNING 1)
		SELECT pg_notify('`+PolicyChannel+`', '') FROM del LIMIT 1`, ruleArgs(ptype, rule)...)
	return err
}

// RemoveFilteredPolicy removes the rows whose fields from fieldIndex on match the
// given values ("" matches anything).
func (a *CasbinAdapter) RemoveFilteredPolicy(sec, ptype string, fieldIndex int, fieldValues ...string) error {
	q := `DELETE FROM casbin_rule WHERE ptype = $1`
	args := []any{ptype}
	for i, v := range fieldValues {
		if v == "" || fieldIndex+i > 5 {
			continue
		}
		args = append(args, v)
		q += fmt.Sprintf(" AND v%d = $%d", fieldIndex+i, len(args))
	}
	ctx := context.Background()
	if _, err := a.s.pool.Exec(ctx, q, args...); err != nil {
		return err
	}
	_, err := a.s.pool.Exec(ctx, `SELECT pg_notify($1, '')`, PolicyChannel)
	return err
}
