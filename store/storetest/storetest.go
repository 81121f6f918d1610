// Package storetest gives integration tests a fresh PostgreSQL database of their own,
// migrated, and drops it afterwards.
package storetest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"sesam/store"
)

// BaseURL is the server tests create their databases on: SESAM_TEST_DATABASE_URL, else
// the local server with trust authentication.
func BaseURL() string {
	if u := os.Getenv("SESAM_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// DB is a throwaway database.
type DB struct {
	Name string
	URL  string
}

// Create makes an empty database whose name starts with prefix.
func Create(ctx context.Context, prefix string) (*DB, error) {
	base := BaseURL()
	name := fmt.Sprintf("sesam_test_%s_%d_%d", sanitize(prefix), os.Getpid(), time.Now().UnixNano()%1_000_000)
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return nil, fmt.Errorf("test database server %s: %w (set SESAM_TEST_DATABASE_URL)", base, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return nil, fmt.Errorf("create test database: %w", err)
	}
	u, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	u.Path = "/" + name
	return &DB{Name: name, URL: u.String()}, nil
}

// Drop removes the database, closing the connections still open on it.
func (d *DB) Drop(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, BaseURL())
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{d.Name}.Sanitize()+" WITH (FORCE)")
	return err
}

// NewStore creates a database, migrates it and opens a store on it with its blobs
// under dataDir. The returned cleanup closes the store and drops the database.
func NewStore(ctx context.Context, prefix, dataDir string) (*store.Store, *DB, func(), error) {
	db, err := Create(ctx, prefix)
	if err != nil {
		return nil, nil, nil, err
	}
	st, err := store.Open(ctx, db.URL, dataDir)
	if err != nil {
		db.Drop(ctx)
		return nil, nil, nil, err
	}
	if _, err := st.Migrate(ctx); err != nil {
		st.Close()
		db.Drop(ctx)
		return nil, nil, nil, err
	}
	return st, db, func() { st.Close(); db.Drop(context.Background()) }, nil
}

func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, strings.ToLower(s))
}

// SedaIDs maps the manifest ids of a transfer's units to their unit ids.
func SedaIDs(ctx context.Context, st *store.Store, transferID int64) (map[string]int64, error) {
	rows, err := st.Pool().Query(ctx, `SELECT seda_id, id FROM unit WHERE transfer_id = $1`, transferID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[string]int64{}
	for rows.Next() {
		var s string
		var id int64
		if err := rows.Scan(&s, &id); err != nil {
			return nil, err
		}
		m[s] = id
	}
	return m, rows.Err()
}
