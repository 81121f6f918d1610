// Package store holds all of sesam's SQL: the archive store on PostgreSQL (tenants,
// transfers, units, objects, rules, the change feed), its migrations, and the blob store
// for object bytes.
package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Store is the archive store: a PostgreSQL pool and the blob files.
type Store struct {
	pool    *pgxpool.Pool
	blobs   *Blobs
	tenants tenantCache
	grants  grantCache
	// sessions: see ListenSessions
	sessions sessionCache
}

// Open connects to the database at url and the blob store under dataDir. It does not
// check the schema: commands that need it call CheckSchema (migrate does not).
func Open(ctx context.Context, url, dataDir string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("database URL: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to database %s: %w", redact(cfg.ConnConfig), err)
	}
	blobs, err := NewBlobs(dataDir)
	if err != nil {
		pool.Close()
		return nil, err
	}
	return &Store{pool: pool, blobs: blobs}, nil
}

// Close releases the pool.
func (s *Store) Close() { s.pool.Close() }

// Pool gives the pool to the packages that keep their own tables in this database
// (sessions, journal) through their own store files.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Blobs is the blob store.
func (s *Store) Blobs() *Blobs { return s.blobs }

// inTx runs fn in a transaction, committing when it returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, fn)
}

func redact(c *pgx.ConnConfig) string {
	return fmt.Sprintf("%s@%s:%d/%s", c.User, c.Host, c.Port, c.Database)
}

// isUniqueViolation reports a unique constraint failure, optionally on one constraint.
func isUniqueViolation(err error, constraint string) bool {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "23505" {
		return false
	}
	return constraint == "" || pe.ConstraintName == constraint
}
