package main

import (
	"context"

	"sesam/store"
)

// openStore connects to the archive store. Every command but migrate refuses to run on
// a schema older (or newer) than this build's.
func openStore(ctx context.Context, e *env, checkSchema bool) (*store.Store, error) {
	st, err := store.Open(ctx, e.cfg.DatabaseURL, e.cfg.DataDir)
	if err != nil {
		return nil, err
	}
	if checkSchema {
		if err := st.CheckSchema(ctx); err != nil {
			st.Close()
			return nil, err
		}
	}
	return st, nil
}
