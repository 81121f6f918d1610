package access

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"

	"sesam/policies"
)

// Roles.
const (
	RoleReader    = "reader"
	RoleArchivist = "archivist"
	RoleProducer  = "producer"
	RoleAuditor   = "auditor"
	RoleAdmin     = "admin"
)

// Roles lists the roles one may grant.
var Roles = []string{RoleReader, RoleArchivist, RoleProducer, RoleAuditor, RoleAdmin}

// Objects and actions of the policy.
const (
	ObjUnits    = "units"
	ObjRequests = "requests"
	ObjJournal  = "journal"
	ObjRoles    = "roles"

	ActRead   = "read"
	ActManage = "manage"
	ActDecide = "decide"
	ActAgree  = "agree"
)

// Principal is who is asking: a person logged in, or nobody (the public).
type Principal struct {
	Subject string // OIDC subject; "" for the public
	Email   string
	Name    string
	// Groups from the OIDC groups claim; a group "sesam:ROLE:DOMAIN" (for example
	// "sesam:archivist:cdg62") gives that role on that domain for the session.
	Groups []string
}

// Public reports whether the principal is nobody in particular.
func (p Principal) Public() bool { return p.Subject == "" && p.Email == "" }

// ids are the names under which roles may have been granted to the principal.
func (p Principal) ids() []string {
	var out []string
	for _, s := range []string{p.Subject, strings.ToLower(p.Email)} {
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// Assignment is a role held on a domain, with the agencies a reader is limited to.
type Assignment struct {
	Subject  string
	Role     string
	Domain   string   // tenant path, "tenant/*" or "*"
	Agencies []string // for a reader: only these originating agencies (empty: all)
}

// Rights answers what principals may do, from the Casbin model and default policy of
// package policies and the role assignments an adapter loads (the store's).
type Rights struct {
	e *casbin.SyncedEnforcer
}

// NewRights builds the enforcer over an adapter holding the role assignments.
func NewRights(a persist.Adapter) (*Rights, error) {
	m, err := model.NewModelFromString(policies.Model)
	if err != nil {
		return nil, fmt.Errorf("rights model: %w", err)
	}
	e, err := casbin.NewSyncedEnforcer(m, defaultPolicy{a})
	if err != nil {
		return nil, fmt.Errorf("rights: %w", err)
	}
	e.AddNamedDomainMatchingFunc("g", "tenantMatch", tenantMatch)
	if err := e.LoadPolicy(); err != nil {
		return nil, fmt.Errorf("rights: load policy: %w", err)
	}
	return &Rights{e: e}, nil
}

// Reload reads the role assignments again (after a change made by another process).
func (r *Rights) Reload() error { return r.e.LoadPolicy() }

// tenantMatch is Casbin's domain matching: a role held on pattern covers tenant as
// CoversTenant says.
func tenantMatch(tenant, pattern string) bool { return CoversTenant(pattern, tenant) }

// ValidDomain checks a domain given to grant a role.
func ValidDomain(d string) bool {
	if d == "*" {
		return true
	}
	d = strings.TrimSuffix(d, "/*")
	for _, seg := range strings.Split(d, "/") {
		if seg == "" || strings.ContainsAny(seg, "* ") {
			return false
		}
	}
	return true
}

// Can reports whether the principal may act on obj in a tenant.
func (r *Rights) Can(p Principal, tenant, obj, act string) bool {
	for _, a := range r.Assignments(p) {
		if tenantMatch(tenant, a.Domain) && r.roleCan(a.Role, obj, act) {
			return true
		}
	}
	return false
}

// roleCan asks the policy whether a role has a permission (its p lines hold "*").
func (r *Rights) roleCan(role, obj, act string) bool {
	ok, err := r.e.HasPolicy(role, "*", obj, act)
	return err == nil && ok
}

// Assignments lists the roles the principal holds: granted in the store under its
// subject or e-mail, and from its OIDC groups.
func (r *Rights) Assignments(p Principal) []Assignment {
	var out []Assignment
	for _, id := range p.ids() {
		gs, _ := r.e.GetFilteredGroupingPolicy(0, id)
		for _, g := range gs {
			if len(g) >= 3 {
				out = append(out, Assignment{Subject: id, Role: g[1], Domain: g[2], Agencies: r.agencies(id, g[2])})
			}
		}
	}
	for _, grp := range p.Groups {
		parts := strings.SplitN(grp, ":", 3)
		if len(parts) == 3 && parts[0] == "sesam" && slices.Contains(Roles, parts[1]) && ValidDomain(parts[2]) {
			out = append(out, Assignment{Subject: p.Subject, Role: parts[1], Domain: parts[2]})
		}
	}
	return out
}

func (r *Rights) agencies(subject, domain string) []string {
	rows, _ := r.e.GetFilteredNamedPolicy("p2", 0, subject, domain)
	var out []string
	for _, row := range rows {
		if len(row) >= 3 {
			out = append(out, row[2])
		}
	}
	sort.Strings(out)
	return out
}

// Scope is what the principal may see: the tenants where a role gives units:read
// (readers limited to their agencies), the tenants that publish online, and the
// principal's running grants, as of today (a day number, Paris).
func (r *Rights) Scope(p Principal, publicTenants []string, grants []Grant, today int) Scope {
	s := Scope{PublicTenants: publicTenants, Grants: grants, Today: today}
	for _, a := range r.Assignments(p) {
		if !r.roleCan(a.Role, ObjUnits, ActRead) {
			continue
		}
		s.Roles = append(s.Roles, a)
		switch {
		case a.Domain == "*" && len(a.Agencies) == 0:
			s.All = true
		case a.Role == RoleReader && len(a.Agencies) > 0:
			s.AgencyTenants = append(s.AgencyTenants, AgencyScope{Tenant: a.Domain, Agencies: a.Agencies})
		case !slices.Contains(s.Tenants, a.Domain):
			s.Tenants = append(s.Tenants, a.Domain)
		}
	}
	return s
}

// defaultPolicy puts the embedded default policy (each role's permissions) in front of
// what the store's adapter holds (the role assignments); writes go to the store.
type defaultPolicy struct{ persist.Adapter }

func (d defaultPolicy) LoadPolicy(m model.Model) error {
	for _, line := range strings.Split(policies.Default, "\n") {
		if err := persist.LoadPolicyLine(strings.TrimSpace(line), m); err != nil {
			return fmt.Errorf("default policy: %w", err)
		}
	}
	return d.Adapter.LoadPolicy(m)
}

// Grant gives a role on a domain, with a reader's agency limits. Saved by the adapter.
// It reports whether anything changed (granting a role held already changes nothing).
func (r *Rights) Grant(a Assignment) (bool, error) {
	a, err := NormalAssignment(a)
	if err != nil {
		return false, err
	}
	changed, err := r.e.AddGroupingPolicy(a.Subject, a.Role, a.Domain)
	if err != nil {
		return false, fmt.Errorf("grant %s %s on %s: %w", a.Subject, a.Role, a.Domain, err)
	}
	for _, ag := range a.Agencies {
		added, err := r.e.AddNamedPolicy("p2", a.Subject, a.Domain, ag)
		if err != nil {
			return false, fmt.Errorf("limit %s to %s: %w", a.Subject, ag, err)
		}
		changed = changed || added
	}
	return changed, nil
}

// Revoke takes a role back (and the agency limits that went with it).
func (r *Rights) Revoke(a Assignment) error {
	a.Subject = subjectKey(a.Subject)
	if err := checkAssignment(a); err != nil {
		return err
	}
	ok, err := r.e.RemoveGroupingPolicy(a.Subject, a.Role, a.Domain)
	if err != nil {
		return fmt.Errorf("revoke %s %s on %s: %w", a.Subject, a.Role, a.Domain, err)
	}
	if !ok {
		return fmt.Errorf("%s does not hold %s on %s: %w", a.Subject, a.Role, a.Domain, ErrInvalid)
	}
	if a.Role == RoleReader {
		if _, err := r.e.RemoveFilteredNamedPolicy("p2", 0, a.Subject, a.Domain); err != nil {
			return err
		}
	}
	return nil
}

// NormalAssignment checks an assignment and returns it as it is stored (the subject
// as subjectKey makes it), for a store that writes assignments itself.
func NormalAssignment(a Assignment) (Assignment, error) {
	a.Subject = subjectKey(a.Subject)
	return a, checkAssignment(a)
}

// subjectKey is how a subject is stored: e-mail addresses in lower case (they are
// compared without case), OIDC subjects as they are.
func subjectKey(s string) string {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "@") {
		return strings.ToLower(s)
	}
	return s
}

func checkAssignment(a Assignment) error {
	switch {
	case strings.TrimSpace(a.Subject) == "":
		return fmt.Errorf("a subject (e-mail or OIDC subject) is required: %w", ErrInvalid)
	case !slices.Contains(Roles, a.Role):
		return fmt.Errorf("unknown role %q (%s): %w", a.Role, strings.Join(Roles, ", "), ErrInvalid)
	case !ValidDomain(a.Domain):
		return fmt.Errorf("bad domain %q: a tenant path, tenant/* or *: %w", a.Domain, ErrInvalid)
	case len(a.Agencies) > 0 && a.Role != RoleReader:
		return fmt.Errorf("only a reader can be limited to agencies: %w", ErrInvalid)
	}
	return nil
}

// AllAssignments lists every stored role assignment, for `sesam role list`.
func (r *Rights) AllAssignments() []Assignment {
	gs, _ := r.e.GetGroupingPolicy()
	out := make([]Assignment, 0, len(gs))
	for _, g := range gs {
		if len(g) >= 3 {
			out = append(out, Assignment{Subject: g[0], Role: g[1], Domain: g[2], Agencies: r.agencies(g[0], g[2])})
		}
	}
	return out
}

// Domains lists the domains where the principal holds a role giving obj:act (the
// tenants whose queue, journal or outbox they may see), each once.
func (r *Rights) Domains(p Principal, obj, act string) []string {
	var out []string
	for _, a := range r.Assignments(p) {
		if r.roleCan(a.Role, obj, act) && !slices.Contains(out, a.Domain) {
			out = append(out, a.Domain)
		}
	}
	return out
}
