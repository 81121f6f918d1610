package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/user"
	"strconv"
	"strings"
	"text/tabwriter"

	"sesam/access"
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
	if args[0] == "list" {
		rights, err := access.NewRights(st.CasbinAdapter())
		if err != nil {
			return err
		}
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
	entry := adminEntry(access.ActionRoleGrant, fmt.Sprintf("%s %s %s %s", args[0], a.Subject, a.Role, a.Domain)+agencyText(agencies))
	entry.Tenant, entry.Tenants = strings.TrimSuffix(a.Domain, "/*"), []string{a.Domain}
	changed := true
	if args[0] == "grant" {
		changed, err = st.GrantRole(ctx, a, entry)
	} else {
		entry.Action = access.ActionRoleRevoke
		err = st.RevokeRole(ctx, a, entry)
	}
	if err != nil {
		return err
	}
	if !changed {
		fmt.Fprintf(e.stdout, "unchanged: %s already holds %s on %s\n", a.Subject, a.Role, a.Domain)
		return nil
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

// adminEntry is the journal entry of an administrative change made from the command
// line; the store writes it in the change's own transaction.
func adminEntry(action, detail string) access.JournalEntry {
	subject, host := cliActor()
	return access.JournalEntry{Subject: subject, Name: "sesam " + action, Action: action, Results: -1,
		Client: host, UserAgent: "sesam", Detail: detail}
}

// cliActor is who the journal records for a command: "cli:USER@HOST", the system user
// from $USER or else from the account running the process (cron and service managers
// often set no $USER), and the host it runs on (also returned alone, as the client).
func cliActor() (subject, host string) {
	name := os.Getenv("USER")
	if name == "" {
		if u, err := user.Current(); err == nil {
			name = u.Username
		}
	}
	if name == "" {
		name = "uid" + strconv.Itoa(os.Getuid())
	}
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown-host"
	}
	return "cli:" + name + "@" + host, host
}
