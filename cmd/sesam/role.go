package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"sesam/access"
	"sesam/store"
)

// stringList is a repeatable flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func cmdRole(ctx context.Context, e *env, args []string) error {
	usage := errors.New("usage: sesam role grant|revoke SUBJECT ROLE DOMAIN [--agency A]... | sesam role list")
	if len(args) == 0 {
		return usage
	}
	st, err := openStore(ctx, e, true)
	if err != nil {
		return err
	}
	defer st.Close()
	rights, err := access.NewRights(st.CasbinAdapter())
	if err != nil {
		return err
	}
	if args[0] == "list" {
		return roleList(e, rights)
	}
	fs := newFlags("role "+args[0], e.stderr)
	var agencies stringList
	fs.Var(&agencies, "agency", "limit a reader to this originating agency (repeatable)")
	pos, err := parseArgs(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) != 3 || (args[0] != "grant" && args[0] != "revoke") {
		return usage
	}
	a := access.Assignment{Subject: pos[0], Role: pos[1], Domain: pos[2], Agencies: agencies}
	action, changed := access.ActionRoleGrant, true
	if args[0] == "grant" {
		changed, err = rights.Grant(a)
	} else {
		action = access.ActionRoleRevoke
		err = rights.Revoke(a)
	}
	if err != nil {
		return err
	}
	if !changed {
		fmt.Fprintf(e.stdout, "unchanged: %s already holds %s on %s\n", a.Subject, a.Role, a.Domain)
		return nil
	}
	if err := journalAdmin(ctx, st, access.JournalEntry{Action: action, Tenant: strings.TrimSuffix(a.Domain, "/*"),
		Detail: fmt.Sprintf("%s %s %s %s", args[0], a.Subject, a.Role, a.Domain) + agencyText(agencies)}); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s: %s %s on %s%s\n", args[0], a.Subject, a.Role, a.Domain, agencyText(agencies))
	return nil
}

func agencyText(ag []string) string {
	if len(ag) == 0 {
		return ""
	}
	return " (agencies " + strings.Join(ag, ", ") + ")"
}

func roleList(e *env, r *access.Rights) error {
	w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "SUBJECT\tROLE\tDOMAIN\tAGENCIES")
	for _, a := range r.AllAssignments() {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", a.Subject, a.Role, a.Domain, strings.Join(a.Agencies, ","))
	}
	return w.Flush()
}

// journalAdmin records an administrative change made from the command line, under the
// system user's name.
func journalAdmin(ctx context.Context, st *store.Store, e access.JournalEntry) error {
	j := store.NewJournal(st, store.JournalOptions{})
	defer j.Close()
	e.Subject = "cli:" + os.Getenv("USER")
	e.Name = "sesam " + e.Action
	e.Results = -1
	if _, err := j.Append(ctx, e); err != nil {
		return fmt.Errorf("the change was made but could not be journalled: %w", err)
	}
	return nil
}
