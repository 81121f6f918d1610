package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// AddToBasket puts a unit in a person's basket (the units of their next request).
func (s *Store) AddToBasket(ctx context.Context, subject string, unitID int64) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO basket (subject, unit_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, subject, unitID)
	if err != nil {
		return fmt.Errorf("basket: %w", err)
	}
	return nil
}

// RemoveFromBasket takes units out of a basket (all of them when none is given).
func (s *Store) RemoveFromBasket(ctx context.Context, subject string, unitIDs ...int64) error {
	var err error
	if len(unitIDs) == 0 {
		_, err = s.pool.Exec(ctx, `DELETE FROM basket WHERE subject = $1`, subject)
	} else {
		_, err = s.pool.Exec(ctx, `DELETE FROM basket WHERE subject = $1 AND unit_id = ANY($2)`, subject, unitIDs)
	}
	return err
}

// Basket lists the units in a person's basket, in the order they were added.
func (s *Store) Basket(ctx context.Context, subject string) ([]int64, error) {
	rows, err := s.pool.Query(ctx, `SELECT unit_id FROM basket WHERE subject = $1 ORDER BY added_at, unit_id`, subject)
	if err != nil {
		return nil, fmt.Errorf("basket: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}
