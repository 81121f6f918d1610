package store

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migration is one numbered SQL file.
type migration struct {
	version int
	name    string
	sql     string
}

// migrationLock is the advisory lock key that serialises concurrent migrate runs.
const migrationLock = 0x5e5a_0001

func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with its number", e.Name())
		}
		b, err := migrationFS.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: expected number %d", m.name, i+1)
		}
	}
	return ms, nil
}

// SchemaVersion is the schema version this build of sesam needs.
func SchemaVersion() int {
	ms, err := migrations()
	if err != nil {
		panic(err) // the embedded files are part of the build
	}
	return len(ms)
}

// Migrate applies the migrations not yet applied, each in its own transaction, and
// returns the names of those it applied. Safe to run concurrently and repeatedly.
func (s *Store) Migrate(ctx context.Context) ([]string, error) {
	ms, err := migrations()
	if err != nil {
		return nil, err
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, migrationLock); err != nil {
		return nil, fmt.Errorf("lock migrations: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrationLock)
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migration (
		version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return nil, fmt.Errorf("create schema_migration: %w", err)
	}
	var current int
	if err := conn.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migration`).Scan(&current); err != nil {
		return nil, err
	}
	var applied []string
	for _, m := range ms[current:] {
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migration (version, name) VALUES ($1, $2)`, m.version, m.name)
			return err
		})
		if err != nil {
			return applied, fmt.Errorf("migration %s: %w", m.name, err)
		}
		applied = append(applied, m.name)
	}
	if err := s.syncSeed(ctx); err != nil {
		return applied, fmt.Errorf("write the seed referential: %w", err)
	}
	return applied, nil
}

// ErrOldSchema says the database needs `sesam migrate` before this command can run.
type ErrOldSchema struct{ Have, Want int }

func (e *ErrOldSchema) Error() string {
	if e.Have > e.Want {
		return fmt.Sprintf("the database schema is at version %d, newer than this sesam (%d): upgrade sesam", e.Have, e.Want)
	}
	return fmt.Sprintf("the database schema is at version %d, this sesam needs %d: run `sesam migrate` first", e.Have, e.Want)
}

// CheckSchema refuses an old (or newer) schema with a message saying what to do.
func (s *Store) CheckSchema(ctx context.Context) error {
	var have int
	err := s.pool.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migration`).Scan(&have)
	if pe := (*pgconn.PgError)(nil); errors.As(err, &pe) && pe.Code == "42P01" { // undefined_table
		have, err = 0, nil
	}
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if want := SchemaVersion(); have != want {
		return &ErrOldSchema{Have: have, Want: want}
	}
	return nil
}

// EnsureDatabase creates the database named in url when the server says it does not
// exist, connecting to the server's "postgres" database to do so. `sesam migrate` calls
// it so that a fresh machine needs no psql.
func EnsureDatabase(ctx context.Context, url string) (created bool, err error) {
	pcfg, err := pgxpool.ParseConfig(url) // accepts the pool's own settings (pool_max_conns...)
	if err != nil {
		return false, fmt.Errorf("database URL: %w", err)
	}
	cfg := pcfg.ConnConfig
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err == nil {
		conn.Close(ctx)
		return false, nil
	}
	if pe := (*pgconn.PgError)(nil); !errors.As(err, &pe) || pe.Code != "3D000" { // invalid_catalog_name
		return false, fmt.Errorf("connect to database %s: %w", redact(cfg), err)
	}
	name := cfg.Database
	cfg.Database = "postgres"
	conn, err = pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return false, fmt.Errorf("create database %s: %w", name, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return false, fmt.Errorf("create database %s: %w", name, err)
	}
	return true, nil
}
