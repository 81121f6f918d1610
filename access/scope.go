package access

import (
	"slices"
	"strings"
	"time"
)

// Visibility is how much of a unit a principal may see.
type Visibility int

const (
	// Hidden: nothing, not even that the unit exists.
	Hidden Visibility = iota
	// MetadataOnly: the description, not the objects (a closed unit of a fonds whose
	// description the tenant made public).
	MetadataOnly
	// Full: the description and the objects.
	Full
)

// Day numbers compare civil days as integers (yyyymmdd), the form the index holds.
const (
	// AlwaysDay is the opening day of a unit under no rule (L213-1).
	AlwaysDay = 0
	// NeverDay is the opening day of a unit that never opens or whose opening day is
	// unknown (fail closed): later than any real day.
	NeverDay = 99991231
)

// DayNumber is t's civil date as yyyymmdd.
func DayNumber(t time.Time) int { return t.Year()*10000 + int(t.Month())*100 + t.Day() }

// Today is the current day number in Paris, where the law's days are counted.
func Today(now time.Time) int { return DayNumber(parisDay(now)) }

// OpenDay turns a decision into the day number the index stores: the first day the
// unit is communicable, AlwaysDay when no rule applies, NeverDay when it never opens
// or its opening day cannot be established.
func OpenDay(d Decision) int {
	t, ok := d.OpensOn()
	switch {
	case !ok:
		return NeverDay
	case t.Equal(SinceAlways) || t.Year() < 1:
		return AlwaysDay
	case t.Year() > 9999:
		return NeverDay
	}
	return DayNumber(t)
}

// UnitView is what the rights need to know about a unit: exactly the facts the index
// holds, so that the search filter and the one-unit check read the same things.
type UnitView struct {
	ID                string
	Tenant            string
	Agency            string   // originating agency identifier
	Ancestors         []string // every ancestor's id
	OpenDay           int      // access: first communicable day (AlwaysDay, NeverDay)
	PublishDay        int      // dissemination: first day it may be published online
	DescriptionPublic bool     // its fonds' description is public even while closed
}

// AgencyScope is a reader's access limited to some originating agencies of a tenant.
type AgencyScope struct {
	Tenant   string
	Agencies []string
}

// Grant opens units (and their subtrees) to one person until a day, inclusive, as an
// access-request decision says.
type Grant struct {
	UnitID    string
	UntilDay  int  // last day of the grant (day number)
	Online    bool // consultation online (copies); else in the reading room: the description only here
	RequestID string
}

// Scope is everything a principal may see, in one value: the search filter is built
// from it (index) and so is the decision for one unit (Visibility). One source of
// truth, two uses; a property test proves they agree.
type Scope struct {
	All           bool          // platform administrator: everything
	Tenants       []string      // full access to these tenants and every tenant below them
	AgencyTenants []AgencyScope // full access to these agencies' units of these tenants
	PublicTenants []string      // tenants that publish online: their public units are visible
	Grants        []Grant       // units opened to this person by access-request decisions
	Today         int           // the day the comparison is made (day number, Paris)

	// Roles are the role assignments that gave All, Tenants and AgencyTenants, for the
	// explanations (Ground); the filter and Visibility do not read them.
	Roles []Assignment
}

// Staff reports whether the scope gives the content of some tenant (an administrator,
// an archivist, an agent): the status facet and the other staff tools show then.
func (s Scope) Staff() bool { return s.All || len(s.Tenants) > 0 || len(s.AgencyTenants) > 0 }

// CoversTenant reports whether a scope tenant covers a unit's tenant: "cdg62" covers
// cdg62 and every tenant below it, "cdg62/*" only the tenants below, "*" every tenant.
func CoversTenant(scope, tenant string) bool {
	switch {
	case scope == "*":
		return true
	case strings.HasSuffix(scope, "/*"):
		return strings.HasPrefix(tenant, strings.TrimSuffix(scope, "*"))
	}
	return tenant == scope || strings.HasPrefix(tenant, scope+"/")
}

// ActiveGrants are the grants still running today.
func (s Scope) ActiveGrants() []Grant {
	var out []Grant
	for _, g := range s.Grants {
		if g.UntilDay >= s.Today {
			out = append(out, g)
		}
	}
	return out
}

// Visibility decides what the principal may see of one unit.
func (s Scope) Visibility(u UnitView) Visibility {
	return s.ground(u, false).Visibility
}

// Ground decides what the principal may see of one unit, as Visibility does, and says
// on what ground: the right that gives it or, when it is hidden, what each way in
// lacks. Its Text is what `sesam access explain` prints.
func (s Scope) Ground(u UnitView) Ground {
	return s.ground(u, true)
}

// ground is the one decision behind Visibility and Ground, in the order the first
// ground that applies is reported; details fills what a hidden unit lacks.
func (s Scope) ground(u UnitView, details bool) Ground {
	out := Ground{Kind: GroundNone, Unit: u, Today: s.Today, TenantPublishes: slices.Contains(s.PublicTenants, u.Tenant)}
	g := s.grant(u)
	switch {
	case s.All:
		out.Visibility, out.Kind = Full, GroundAll
		out.Role = s.roleFor(func(a Assignment) bool { return a.Domain == "*" && len(a.Agencies) == 0 })
	case s.ownTenant(u):
		out.Visibility, out.Kind, out.Domain = Full, GroundTenant, s.ownDomain(u)
		out.Role = s.roleFor(func(a Assignment) bool { return a.Domain == out.Domain })
	case g != nil && g.Online:
		out.Visibility, out.Kind, out.Grant = Full, GroundGrant, g
	case out.TenantPublishes && s.onlineToday(u):
		out.Visibility, out.Kind = Full, GroundPublic
	case g != nil:
		out.Visibility, out.Kind, out.Grant = MetadataOnly, GroundGrant, g
	case out.TenantPublishes && u.DescriptionPublic:
		out.Visibility, out.Kind = MetadataOnly, GroundDescription
	case details:
		out.Limit, out.Grant = s.agencyLimit(u), s.endedGrant(u)
	}
	return out
}

// GrantFor returns the running grant that opens u, if any (to name the request on a
// consultation copy).
func (s Scope) GrantFor(u UnitView) *Grant { return s.grant(u) }

func (s Scope) ownTenant(u UnitView) bool { return s.ownDomain(u) != "" }

// ownDomain is the scope tenant giving the principal u's tenant ("" when none): one
// of Tenants, or of AgencyTenants when u is of one of the reader's agencies.
func (s Scope) ownDomain(u UnitView) string {
	for _, t := range s.Tenants {
		if CoversTenant(t, u.Tenant) {
			return t
		}
	}
	for _, a := range s.AgencyTenants {
		if CoversTenant(a.Tenant, u.Tenant) && slices.Contains(a.Agencies, u.Agency) {
			return a.Tenant
		}
	}
	return ""
}

// roleFor is the first role assignment that match accepts, nil when Roles holds none.
func (s Scope) roleFor(match func(Assignment) bool) *Assignment {
	for i := range s.Roles {
		if match(s.Roles[i]) {
			return &s.Roles[i]
		}
	}
	return nil
}

// agencyLimit is a reader's access to u's tenant that stops at u's agency.
func (s Scope) agencyLimit(u UnitView) *AgencyScope {
	for i, a := range s.AgencyTenants {
		if CoversTenant(a.Tenant, u.Tenant) {
			return &s.AgencyTenants[i]
		}
	}
	return nil
}

// endedGrant is the grant on u that ended last, nil when there is none.
func (s Scope) endedGrant(u UnitView) *Grant {
	var found *Grant
	for i, g := range s.Grants {
		if g.UntilDay < s.Today && (g.UnitID == u.ID || slices.Contains(u.Ancestors, g.UnitID)) &&
			(found == nil || g.UntilDay > found.UntilDay) {
			found = &s.Grants[i]
		}
	}
	return found
}

// grant is the running grant that opens u, an online one first.
func (s Scope) grant(u UnitView) *Grant {
	var found *Grant
	for _, g := range s.ActiveGrants() {
		if g.UnitID == u.ID || slices.Contains(u.Ancestors, g.UnitID) {
			if g.Online {
				return &g
			}
			found = &g
		}
	}
	return found
}

// onlineToday: the unit is communicable today and no dissemination rule still runs;
// it is public when its tenant publishes online (looked up once, in ground: the public
// list of a large centre has a hundred collectivités).
func (s Scope) onlineToday(u UnitView) bool {
	return u.OpenDay <= s.Today && u.PublishDay <= s.Today
}
