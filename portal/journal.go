package portal

import (
	"encoding/json"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"sesam/access"
	"sesam/index"
	"sesam/store"
)

// journal appends an entry for this request, filling in who, from where and under
// which roles. It fails closed: when the entry cannot be committed the caller must
// not serve what it was about to serve.
func (a *App) journal(c *fiber.Ctx, p access.Principal, e access.JournalEntry) error {
	e = a.journalEntryFor(c, p, e)
	if _, err := a.Journal.Append(c.UserContext(), e); err != nil {
		a.metrics.journalFailures.Inc()
		a.Log.Error("journal write failed: consultation refused", "request_id", requestID(c), "action", e.Action, "err", err)
		return &httpError{status: fiber.StatusServiceUnavailable, code: "journal_unavailable", msg: "msg.journal", err: err}
	}
	a.metrics.journalWrites.Inc()
	return nil
}

// journalEntryFor fills in an entry's who, from where and under which roles.
func (a *App) journalEntryFor(c *fiber.Ctx, p access.Principal, e access.JournalEntry) access.JournalEntry {
	e.Subject = p.Subject
	if e.Subject == "" {
		e.Subject = p.Email
	}
	e.Name = p.Name
	for _, as := range a.Rights.Assignments(p) {
		e.Roles = append(e.Roles, as.Role+"@"+as.Domain)
	}
	e.Client, e.UserAgent, e.HTTPRequestID = c.IP(), truncate(c.Get(fiber.HeaderUserAgent), 300), requestID(c)
	if e.Results == 0 && e.Action != access.ActionSearch {
		e.Results = -1
	}
	return e
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// journalSearch records a search made by an authenticated person (the public's
// searches are not personal data worth a record).
func (a *App) journalSearch(c *fiber.Ctx, req index.Request, total uint64) error {
	p := principalOf(c)
	if p.Public() {
		return nil
	}
	filters, _ := json.Marshal(req.Filters)
	return a.journal(c, p, access.JournalEntry{Action: access.ActionSearch, Query: req.Query, Filters: string(filters),
		Results: int64(total), Tenant: firstOr(req.Filters.Tenants, "")})
}

func firstOr(xs []string, def string) string {
	if len(xs) > 0 {
		return xs[0]
	}
	return def
}

// journalUnitView records the view of a unit that is not public: what the public may
// see anyway needs no trace, a closed file opened by someone does.
func (a *App) journalUnitView(c *fiber.Ctx, u *store.Unit, vis access.Visibility) error {
	scope, err := a.scopeOf(c)
	if err != nil {
		return err
	}
	public := access.Scope{PublicTenants: scope.PublicTenants, Today: scope.Today}
	if public.Visibility(store.ViewOf(u)) == access.Full {
		return nil
	}
	e := access.JournalEntry{Action: access.ActionUnitView, Tenant: u.TenantID, UnitID: u.ID}
	if g := scope.GrantFor(store.ViewOf(u)); g != nil {
		e.Grant = g.RequestID
	}
	if vis == access.MetadataOnly {
		e.Detail = "description only"
	}
	return a.journal(c, principalOf(c), e)
}

// journalObject records every download or view of an object, before the first byte.
func (a *App) journalObject(c *fiber.Ctx, unit store.UnitHead, o *store.Object, inline bool, g *access.Grant) error {
	e := access.JournalEntry{Action: access.ActionObjectDownload, Tenant: unit.View.Tenant, UnitID: unit.ID, ObjectID: o.ID,
		Detail: o.Filename}
	if inline {
		e.Action = access.ActionObjectView
	}
	if g != nil {
		e.Grant = g.RequestID
		if e.Grant == "" {
			e.Grant = "grant:" + strconv.FormatInt(unit.ID, 10)
		}
	}
	return a.journal(c, principalOf(c), e)
}

// journalAuth records a login or a logout.
func (a *App) journalAuth(c *fiber.Ctx, p access.Principal, action string) error {
	return a.journal(c, p, access.JournalEntry{Action: action})
}
