package index

import (
	"slices"
	"strconv"

	"sesam/access"
)

// scopeFilter is the security filter of the units a scope sees in full, worked out per
// hit from the columns: Bleve then matches only the words and the user's filters, and
// does not test every hit against a query of the scope's tenants (that test was 40%
// of a staff search). It decides as access.Scope.Visibility does for Full; the
// property test of security_test.go holds them to the same answers.
type scopeFilter struct {
	today    int32
	tenant   []bool                     // by facet value id: a tenant the scope covers
	agencies map[uint32]map[uint32]bool // tenant value id → producer value ids seen in full
	public   []bool                     // by facet value id: a tenant that publishes online
	grants   map[uint64]bool            // units (and their subtrees) granted online
}

// maxScopeFilters bounds the compiled scopes a dictionary keeps (each holds two flags
// per facet value): the people searching lately, and the public.
const maxScopeFilters = 64

// scopeFilterOf is the scope compiled against the dictionary (nil when it sees
// everything), kept until the dictionary has new tenants or producers, or the day
// changes: compiling the public's 112 collectivités, or an archivist's 300, against
// every tenant took a tenth of an exact cote's search.
func scopeFilterOf(s access.Scope, d *facetDict) *scopeFilter {
	if s.All || slices.Contains(s.Tenants, "*") {
		return nil
	}
	tenants, producers := d.scopeSize()
	key := scopeKey(s, tenants, producers)
	d.fmu.Lock()
	f, ok := d.filters[key]
	d.fmu.Unlock()
	if ok {
		return f
	}
	f = newScopeFilter(s, d)
	d.fmu.Lock()
	if len(d.filters) >= maxScopeFilters {
		clear(d.filters)
	}
	d.filters[key] = f
	d.fmu.Unlock()
	return f
}

// scopeKey names what a scope's filter depends on, with the number of tenants and
// producers the dictionary holds: two scopes of one key see the same units. Every
// string is written with its length, so that no value can pass for another's.
func scopeKey(s access.Scope, tenants, producers int) string {
	b := make([]byte, 0, 256)
	str := func(tag byte, x string) {
		b = append(b, tag)
		b = strconv.AppendInt(b, int64(len(x)), 10)
		b = append(b, ':')
		b = append(b, x...)
	}
	b = strconv.AppendInt(b, int64(tenants), 10)
	b = append(b, '/')
	b = strconv.AppendInt(b, int64(producers), 10)
	b = append(b, '/')
	b = strconv.AppendInt(b, int64(s.Today), 10)
	for _, t := range s.Tenants {
		str('t', t)
	}
	for _, a := range s.AgencyTenants {
		str('a', a.Tenant)
		for _, g := range a.Agencies {
			str('g', g)
		}
	}
	for _, t := range s.PublicTenants {
		str('p', t)
	}
	for _, g := range s.ActiveGrants() {
		if g.Online {
			str('o', g.UnitID)
		}
	}
	return string(b)
}

// newScopeFilter compiles a scope that does not see everything (see scopeFilterOf)
// against the dictionary's tenants and producers.
func newScopeFilter(s access.Scope, d *facetDict) *scopeFilter {
	f := &scopeFilter{today: int32(s.Today), agencies: map[uint32]map[uint32]bool{}, grants: map[uint64]bool{}}
	ids, tenants := d.valuesOf("tenant")
	pids, producers := d.valuesOf("producer")
	size := 0
	for _, id := range ids {
		size = max(size, int(id)+1)
	}
	f.tenant, f.public = make([]bool, size), make([]bool, size)
	// Sets, not lists: the public of 300 collectivités of which 112 publish compared
	// 33,600 strings per search, a tenth of an exact cote's.
	public := setOf(s.PublicTenants)
	agencies := make([]map[string]bool, len(s.AgencyTenants))
	for i, a := range s.AgencyTenants {
		agencies[i] = setOf(a.Agencies)
	}
	for i, id := range ids {
		t := tenants[i]
		f.public[id] = public[t]
		for _, st := range s.Tenants {
			f.tenant[id] = f.tenant[id] || access.CoversTenant(st, t)
		}
		for k, a := range s.AgencyTenants {
			if !access.CoversTenant(a.Tenant, t) {
				continue
			}
			for j, p := range producers {
				if agencies[k][p] {
					if f.agencies[id] == nil {
						f.agencies[id] = map[uint32]bool{}
					}
					f.agencies[id][pids[j]] = true
				}
			}
		}
	}
	for _, g := range s.ActiveGrants() {
		if !g.Online {
			continue
		}
		if id, ok := parseUnitID(g.UnitID); ok {
			f.grants[id] = true
		}
	}
	return f
}

// full says whether the scope sees document doc in full.
func (f *scopeFilter) full(sc *segColumns, doc uint32) bool {
	t := sc.tenant[doc]
	if int(t) < len(f.tenant) && (f.tenant[t] || f.public[t] && sc.onlineDay[doc] <= f.today) {
		return true
	}
	if a := f.agencies[t]; a != nil && a[sc.producer[doc]] {
		return true
	}
	if len(f.grants) > 0 {
		if f.grants[sc.uid[doc]] {
			return true
		}
		for _, a := range sc.anc[sc.aStart[doc]:sc.aStart[doc+1]] {
			if f.grants[a] {
				return true
			}
		}
	}
	return false
}

func parseUnitID(s string) (uint64, bool) {
	id, err := strconv.ParseUint(s, 10, 64)
	return id, err == nil
}

func setOf(xs []string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}
