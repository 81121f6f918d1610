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
	g := s.grant(u)
	switch {
	case s.All, s.ownTenant(u), g != nil && g.Online, s.isPublic(u):
		return Full
	case g != nil, slices.Contains(s.PublicTenants, u.Tenant) && u.DescriptionPublic:
		return MetadataOnly
	}
	return Hidden
}

// GrantFor returns the running grant that opens u, if any (to name the request on a
// consultation copy).
func (s Scope) GrantFor(u UnitView) *Grant { return s.grant(u) }

func (s Scope) ownTenant(u UnitView) bool {
	for _, t := range s.Tenants {
		if CoversTenant(t, u.Tenant) {
			return true
		}
	}
	for _, a := range s.AgencyTenants {
		if CoversTenant(a.Tenant, u.Tenant) && slices.Contains(a.Agencies, u.Agency) {
			return true
		}
	}
	return false
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

// isPublic: the tenant publishes online, the unit is communicable today and no
// dissemination rule still runs.
func (s Scope) isPublic(u UnitView) bool {
	return slices.Contains(s.PublicTenants, u.Tenant) && u.OpenDay <= s.Today && u.PublishDay <= s.Today
}
