package store

import (
	"context"
	"strconv"
	"time"

	"sesam/access"
)

// PublicTenants lists the tenants that publish online, sorted (from the tenant cache:
// the slice is shared, read it only).
func (s *Store) PublicTenants(ctx context.Context) ([]string, error) {
	t, err := s.tenantsNow(ctx)
	if err != nil {
		return nil, err
	}
	return t.public, nil
}

// Scope is what a principal may see now: its roles (from rights), the tenants that
// publish online and its running grants. Pages, downloads, the API and the command
// line all build it here, so they all see the same thing.
func (s *Store) Scope(ctx context.Context, r *access.Rights, p access.Principal, now time.Time) (access.Scope, error) {
	public, err := s.PublicTenants(ctx)
	if err != nil {
		return access.Scope{}, err
	}
	grants, err := s.GrantsOf(ctx, p)
	if err != nil {
		return access.Scope{}, err
	}
	return r.Scope(p, public, grants, access.Today(now)), nil
}

// UnitView is what the rights need to know of a unit, read from the store: the same
// facts the index holds, so the check on a page agrees with the search filter.
func (s *Store) UnitView(ctx context.Context, id int64) (access.UnitView, error) {
	u, err := s.Unit(ctx, id)
	if err != nil {
		return access.UnitView{}, err
	}
	return ViewOf(u), nil
}

// ViewOf is the rights' view of a stored unit.
func ViewOf(u *Unit) access.UnitView {
	return access.UnitView{ID: strconv.FormatInt(u.ID, 10), Tenant: u.TenantID, Agency: u.OriginatingAgency,
		Ancestors: idStrings(u.Ancestors), OpenDay: u.OpenDay, PublishDay: u.PublishDay,
		DescriptionPublic: u.DescriptionPublic}
}
