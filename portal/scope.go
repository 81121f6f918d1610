package portal

import (
	"context"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"sesam/access"
	"sesam/store"
)

// scopeOf is what the visitor may see, computed once per request from the store (the
// roles, the publishing tenants, the running grants) and the clock.
func (a *App) scopeOf(c *fiber.Ctx) (access.Scope, error) {
	if s, ok := c.Locals("scope").(access.Scope); ok {
		return s, nil
	}
	s, err := a.Store.Scope(c.UserContext(), a.Rights, principalOf(c), a.Now())
	if err != nil {
		return s, err
	}
	c.Locals("scope", s)
	return s, nil
}

// crumb is one step of a breadcrumb; a step the visitor may not see has no title.
type crumb struct {
	ID     int64
	Title  string
	Hidden bool
}

// breadcrumbs resolves paths of unit ids into titles, hiding the steps the scope may
// not see (an open file inside a closed fonds must not reveal the fonds' title).
func breadcrumbs(ctx context.Context, st headReader, scope access.Scope, paths ...[]int64) (map[int64]crumb, error) {
	var ids []int64
	for _, p := range paths {
		ids = append(ids, p...)
	}
	out := map[int64]crumb{}
	if len(ids) == 0 {
		return out, nil
	}
	heads, err := st.UnitHeads(ctx, ids)
	if err != nil {
		return nil, err
	}
	for id, h := range heads {
		if scope.Visibility(h.View) == access.Hidden {
			out[id] = crumb{ID: id, Hidden: true}
			continue
		}
		out[id] = crumb{ID: id, Title: h.Title}
	}
	return out, nil
}

func pathCrumbs(path []int64, m map[int64]crumb) []crumb {
	out := make([]crumb, 0, len(path))
	for _, id := range path {
		if c, ok := m[id]; ok {
			out = append(out, c)
		}
	}
	return out
}

// visibleUnit loads a unit and decides, against the store, what the visitor may see
// of it. Hidden is "not found", whatever the reason.
func (a *App) visibleUnit(c *fiber.Ctx, idParam string) (*store.Unit, access.Visibility, access.Scope, error) {
	id, err := strconv.ParseInt(idParam, 10, 64)
	if err != nil || id <= 0 {
		return nil, access.Hidden, access.Scope{}, errNotFound
	}
	scope, err := a.scopeOf(c)
	if err != nil {
		return nil, access.Hidden, scope, err
	}
	u, err := a.Store.Unit(c.UserContext(), id)
	if err != nil {
		return nil, access.Hidden, scope, err
	}
	v := scope.Visibility(store.ViewOf(u))
	if v == access.Hidden {
		return nil, v, scope, errNotFound
	}
	return u, v, scope, nil
}
