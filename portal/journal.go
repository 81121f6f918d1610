package portal

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"sesam/access"
	"sesam/index"
	"sesam/store"
)

// journal appends an entry for this request, filling in who, from where and under
// which roles. It fails closed: when the entry cannot be committed the caller must
// not serve what it was about to serve.
func (a *App) journal(c *fiber.Ctx, p access.Principal, e access.JournalEntry) error {
	return a.journalWhile(c, p, e, nil)
}

// journalWhile is journal, with prepare (when set) making the answer while the entry
// commits: the commit is most of a journalled request on an idle portal (0.75 ms of
// a staff search by cote), and the answer need not wait for it to be made, only to be
// sent. The caller sends what prepare made only when journalWhile returns nil: no
// journal, no access. prepare runs on the request's goroutine and may use c; the
// append, on its own, does not.
func (a *App) journalWhile(c *fiber.Ctx, p access.Principal, e access.JournalEntry, prepare func() error) error {
	e = a.journalEntryFor(c, p, e)
	ctx := c.UserContext()
	var took time.Duration
	var err, perr error
	appendEntry := func() {
		start := time.Now()
		_, err = a.Journal.Append(ctx, e)
		took = time.Since(start) // the commit's latency, whatever prepare takes
	}
	if prepare == nil {
		appendEntry()
	} else {
		appended := make(chan struct{})
		go func() {
			defer close(appended)
			appendEntry()
		}()
		perr = prepare()
		<-appended
	}
	if err != nil {
		a.metrics.journalFailures.Inc()
		a.Log.Error("journal write failed: consultation refused", "request_id", requestID(c), "action", e.Action, "err", err)
		return &httpError{status: fiber.StatusServiceUnavailable, code: "journal_unavailable", msg: "msg.journal", err: err}
	}
	a.metrics.journalWait.Observe(took.Seconds())
	a.metrics.journalWrites.Inc()
	return perr
}

// journalEntryFor fills in an entry's who, from where and under which roles. The
// entries of what a person does rather than what they open (logins, searches, journal
// reads) concern the tenants where they hold their roles, so that those tenants'
// auditors see them.
func (a *App) journalEntryFor(c *fiber.Ctx, p access.Principal, e access.JournalEntry) access.JournalEntry {
	e.Subject = p.Subject
	if e.Subject == "" {
		e.Subject = p.Email
	}
	e.Name, e.Email = p.Name, p.Email
	for _, as := range a.Rights.Assignments(p) {
		e.Roles = append(e.Roles, as.Role+"@"+as.Domain)
		if slices.Contains(actorTenantActions, e.Action) {
			e.Tenants = append(e.Tenants, as.Domain)
		}
	}
	e.Client, e.UserAgent, e.HTTPRequestID = c.IP(), truncate(c.Get(fiber.HeaderUserAgent), 300), requestID(c)
	if e.Results == 0 && e.Action != access.ActionSearch {
		e.Results = -1
	}
	return e
}

// actorTenantActions are the actions whose entries concern the actor's role domains.
var actorTenantActions = []string{access.ActionLogin, access.ActionLogout, access.ActionSearch,
	access.ActionJournalView, access.ActionJournalExport}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// journalSearch records a search made by an authenticated person (the public's
// searches are not personal data worth a record). It concerns the tenants searched,
// those of the units found (the page's, and every tenant the facets counted hits in)
// and the searcher's role domains; it lists the units of the page. prepare makes the
// answer meanwhile, as journalWhile says.
func (a *App) journalSearch(c *fiber.Ctx, req index.Request, doc *SearchDoc, prepare func() error) error {
	p := principalOf(c)
	if p.Public() {
		return prepare()
	}
	filters, _ := json.Marshal(req.Filters)
	e := access.JournalEntry{Action: access.ActionSearch, Query: req.Query, Filters: string(filters),
		Results: int64(doc.Total), Tenant: firstOr(req.Filters.Tenants, ""), Tenants: slices.Clone(req.Filters.Tenants)}
	for _, h := range doc.Hits {
		e.Tenants = append(e.Tenants, h.Tenant)
		e.Units = append(e.Units, h.ID)
	}
	for _, v := range doc.Facets["tenant"] {
		if v.Count > 0 {
			e.Tenants = append(e.Tenants, v.Value)
		}
	}
	return a.journalWhile(c, p, e, prepare)
}

func firstOr(xs []string, def string) string {
	if len(xs) > 0 {
		return xs[0]
	}
	return def
}

// journalUnitView records the view of a unit that is not public: what the public may
// see anyway needs no trace, a closed file opened by someone does. prepare (when set)
// makes the answer meanwhile, as journalWhile says.
func (a *App) journalUnitView(c *fiber.Ctx, u *store.Unit, vis access.Visibility, prepare func() error) error {
	return a.journalUnitViewOf(c, u, vis, "", nil, prepare)
}

// journalUnitViewOf records a view of a unit that is not public, with a detail
// ("children" for a listing of its children) and the other units shown.
func (a *App) journalUnitViewOf(c *fiber.Ctx, u *store.Unit, vis access.Visibility, detail string, shown []int64, prepare func() error) error {
	scope, err := a.scopeOf(c)
	if err != nil {
		return err
	}
	public := access.Scope{PublicTenants: scope.PublicTenants, Today: scope.Today}
	if public.Visibility(store.ViewOf(u)) == access.Full {
		if prepare == nil {
			return nil
		}
		return prepare()
	}
	e := access.JournalEntry{Action: access.ActionUnitView, Tenant: u.TenantID, UnitID: u.ID, Units: shown, Detail: detail}
	if g := scope.GrantFor(store.ViewOf(u)); g != nil {
		e.Grant = g.RequestID
	}
	if vis == access.MetadataOnly {
		e.Detail = strings.TrimPrefix(e.Detail+", description only", ", ")
	}
	return a.journalWhile(c, principalOf(c), e, prepare)
}

// journalChildren records the listing of a unit's children when the unit is not
// public, as a view of it would be: the titles listed are consulted as much as the
// unit's own. The entry names the parent and lists the children shown.
func (a *App) journalChildren(c *fiber.Ctx, u *store.Unit, vis access.Visibility, kids []store.ChildRef) error {
	ids := make([]int64, len(kids))
	for i, k := range kids {
		ids[i] = k.ID
	}
	return a.journalUnitViewOf(c, u, vis, "children", ids, nil)
}

// journalObject records every download or view of an object, before the first byte.
// It names the object by id, not by file name: the auditors who read the journal may
// not be allowed to see the unit's description, of which the file name is a part.
func (a *App) journalObject(c *fiber.Ctx, unit store.UnitHead, o *store.Object, inline bool, g *access.Grant) error {
	e := access.JournalEntry{Action: access.ActionObjectDownload, Tenant: unit.View.Tenant, UnitID: unit.ID, ObjectID: o.ID}
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
