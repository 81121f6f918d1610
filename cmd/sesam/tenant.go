package main

import (
	"context"
	"errors"
	"fmt"
	"text/tabwriter"

	"sesam/access"
	"sesam/store"
)

func cmdTenant(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return errors.New("usage: sesam tenant add ID --name NAME [--publish] | sesam tenant list")
	}
	switch args[0] {
	case "add":
		return tenantAdd(ctx, e, args[1:])
	case "list":
		return tenantList(ctx, e)
	}
	return fmt.Errorf("unknown tenant command %q (add, list)", args[0])
}

func tenantAdd(ctx context.Context, e *env, args []string) error {
	fs := newFlags("tenant add", e.stderr)
	name := fs.String("name", "", "the collectivité's name (required)")
	publish := fs.Bool("publish", false, "the tenant publishes its communicable archives online")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return errors.New("usage: sesam tenant add ID --name NAME [--publish]")
	}
	st, err := openStore(ctx, e, true)
	if err != nil {
		return err
	}
	defer st.Close()
	entry := adminEntry(access.ActionTenantChange, fmt.Sprintf("add %s %q publish=%v", pos[0], *name, *publish))
	entry.Tenant = pos[0]
	if err := st.AddTenantJournalled(ctx, store.Tenant{ID: pos[0], Name: *name, Publish: *publish}, entry); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "tenant %s added\n", pos[0])
	return nil
}

func tenantList(ctx context.Context, e *env) error {
	st, err := openStore(ctx, e, true)
	if err != nil {
		return err
	}
	defer st.Close()
	ts, err := st.Tenants(ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tNAME\tPUBLISH\tUNITS")
	for _, t := range ts {
		fmt.Fprintf(w, "%s\t%s\t%v\t%d\n", t.ID, t.Name, t.Publish, t.Units)
	}
	return w.Flush()
}
