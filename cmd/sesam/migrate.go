package main

import (
	"context"
	"fmt"

	"sesam/store"
)

func cmdMigrate(ctx context.Context, e *env, args []string) error {
	fs := newFlags("migrate", e.stderr)
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	if created, err := store.EnsureDatabase(ctx, e.cfg.DatabaseURL); err != nil {
		return err
	} else if created {
		fmt.Fprintln(e.stdout, "created the database")
	}
	st, err := openStore(ctx, e, false)
	if err != nil {
		return err
	}
	defer st.Close()
	applied, err := st.Migrate(ctx)
	for _, name := range applied {
		fmt.Fprintf(e.stdout, "applied %s\n", name)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "schema at version %d\n", store.SchemaVersion())
	return nil
}
