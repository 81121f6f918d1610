package portal

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"sesam"
	"sesam/access"
	"sesam/store"
)

// Requests: the basket ("Ajouter à ma demande"), "Mes demandes", a request's page with
// the moves the visitor may make, the staff queue, the producer's agreement, the
// decision letter; and the same through the API.

var errLoginRequired = &httpError{status: fiber.StatusUnauthorized, code: "login_required", msg: "msg.login_required"}

// requirePerson is the logged-in person, or a refusal asking to log in.
func requirePerson(c *fiber.Ctx) (access.Principal, error) {
	p := principalOf(c)
	if p.Public() {
		return p, errLoginRequired
	}
	return p, nil
}

// personKey names a person's basket: the subject, else the e-mail.
func personKey(p access.Principal) string {
	if p.Subject != "" {
		return p.Subject
	}
	return p.Email
}

// visibleUnitID checks that the visitor may see the unit (what one may not see cannot
// be asked for either: it is "not found").
func (a *App) visibleUnitID(c *fiber.Ctx, id int64) (store.UnitHead, error) {
	scope, err := a.scopeOf(c)
	if err != nil {
		return store.UnitHead{}, err
	}
	heads, err := a.Store.UnitHeads(c.UserContext(), []int64{id})
	if err != nil {
		return store.UnitHead{}, err
	}
	h, ok := heads[id]
	if !ok || scope.Visibility(h.View) == access.Hidden {
		return h, errNotFound
	}
	return h, nil
}

func (a *App) basketAdd(c *fiber.Ctx) error {
	p, err := requirePerson(c)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(c.FormValue("unit"), 10, 64)
	if err != nil {
		return errNotFound
	}
	if _, err := a.visibleUnitID(c, id); err != nil {
		return err
	}
	if err := a.Store.AddToBasket(c.UserContext(), personKey(p), id); err != nil {
		return err
	}
	return c.Redirect(localPath(c.FormValue("back")), fiber.StatusSeeOther)
}

func (a *App) basketRemove(c *fiber.Ctx) error {
	p, err := requirePerson(c)
	if err != nil {
		return err
	}
	id, _ := strconv.ParseInt(c.FormValue("unit"), 10, 64)
	if err := a.Store.RemoveFromBasket(c.UserContext(), personKey(p), id); err != nil {
		return err
	}
	return c.Redirect("/requests", fiber.StatusSeeOther)
}

// myRequestsData is "Mes demandes": the basket and the person's requests.
type myRequestsData struct {
	Basket   []store.UnitHead
	Requests []store.RequestSummary
	Names    map[string]string
}

func (a *App) myRequests(c *fiber.Ctx) error {
	p, err := requirePerson(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	ids, err := a.Store.Basket(ctx, personKey(p))
	if err != nil {
		return err
	}
	d := myRequestsData{}
	if d.Basket, err = a.visibleHeads(c, ids); err != nil {
		return err
	}
	if d.Requests, err = a.Store.RequestsOf(ctx, p, a.Now()); err != nil {
		return err
	}
	if d.Names, err = tenantNames(ctx, a.Store); err != nil {
		return err
	}
	pg := a.page(c, tr(langOf(c), "req.mine"))
	pg.Data = d
	return a.render(c, "requests", pg)
}

// visibleHeads keeps, in order, the units the visitor may still see.
func (a *App) visibleHeads(c *fiber.Ctx, ids []int64) ([]store.UnitHead, error) {
	scope, err := a.scopeOf(c)
	if err != nil {
		return nil, err
	}
	heads, err := a.Store.UnitHeads(c.UserContext(), ids)
	if err != nil {
		return nil, err
	}
	var out []store.UnitHead
	for _, id := range ids {
		if h, ok := heads[id]; ok && scope.Visibility(h.View) != access.Hidden {
			out = append(out, h)
		}
	}
	return out, nil
}

// requestsCreate turns the basket into submitted requests, one per tenant (each
// producer is asked about its own archives).
func (a *App) requestsCreate(c *fiber.Ctx) error {
	p, err := requirePerson(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	ids, err := a.Store.Basket(ctx, personKey(p))
	if err != nil {
		return err
	}
	heads, err := a.visibleHeads(c, ids)
	if err != nil {
		return err
	}
	created, err := a.submitRequests(c, p, heads, c.FormValue("reason"), c.FormValue("mode"), store.Requester{
		Subject: p.Subject, Email: p.Email, Name: displayName(p, langOf(c))}, "")
	if err != nil {
		return err
	}
	if err := a.Store.RemoveFromBasket(ctx, personKey(p)); err != nil {
		return err
	}
	if len(created) == 1 {
		return c.Redirect(fmt.Sprintf("/requests/%d", created[0]), fiber.StatusSeeOther)
	}
	return c.Redirect("/requests", fiber.StatusSeeOther)
}

// submitRequests creates and submits one request per tenant of the units.
func (a *App) submitRequests(c *fiber.Ctx, p access.Principal, heads []store.UnitHead, reason, mode string, who store.Requester, registeredBy string) ([]int64, error) {
	if len(heads) == 0 {
		return nil, fmt.Errorf("la demande ne contient aucune unité: %w", sesam.ErrInvalid)
	}
	byTenant := map[string][]int64{}
	var tenants []string
	for _, h := range heads {
		if _, ok := byTenant[h.View.Tenant]; !ok {
			tenants = append(tenants, h.View.Tenant)
		}
		byTenant[h.View.Tenant] = append(byTenant[h.View.Tenant], h.ID)
	}
	sort.Strings(tenants)
	party := access.PartyRequester
	if registeredBy != "" {
		party = access.PartyArchivist
	}
	var ids []int64
	for _, t := range tenants {
		id, err := a.Store.CreateRequest(c.UserContext(), store.NewRequest{Tenant: t, Requester: who, RegisteredBy: registeredBy,
			Reason: strings.TrimSpace(reason), Mode: mode, UnitIDs: byTenant[t]}, a.Now())
		if err != nil {
			return ids, err
		}
		if _, err := a.move(c, id, party, p, access.Event{Type: access.EvSubmit}); err != nil {
			return ids, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// move makes a move on a request as this principal in this capacity, with its journal
// entry and its notifications.
func (a *App) move(c *fiber.Ctx, id int64, party access.Party, p access.Principal, ev access.Event) (*store.RequestRecord, error) {
	ev.At = a.Now()
	act := store.RequestAction{Party: party, Actor: p, Event: ev, DefaultGrantDays: 365,
		Journal: a.journalEntryFor(c, p, access.JournalEntry{Action: journalActionOf(ev.Type),
			Detail: strings.TrimSpace(string(ev.Type) + " " + ev.Reasons)})}
	if ev.Type == access.EvAskProducer {
		r, err := a.Store.Request(c.UserContext(), id)
		if err != nil {
			return nil, err
		}
		act.ProducerEmails = a.producerEmails(r.Tenant)
	}
	return a.Store.ApplyRequestEvent(c.UserContext(), id, act)
}

func journalActionOf(t access.EventType) string {
	switch t {
	case access.EvGrant, access.EvRefuse:
		return access.ActionRequestDecision
	}
	return access.ActionRequestEvent
}

// producerEmails are the e-mail addresses holding the producer role on exactly the
// tenant: those who may give the agreement (partiesOf) are those told it is needed.
func (a *App) producerEmails(tenant string) []string {
	var out []string
	for _, as := range a.Rights.AllAssignments() {
		if access.TenantProducer(as, tenant) && strings.Contains(as.Subject, "@") {
			out = append(out, as.Subject)
		}
	}
	return out
}

// producerTenants are the tenants whose producing authority the principal is (the
// producer role on that very tenant, not on a parent or a pattern).
func (a *App) producerTenants(p access.Principal) []string {
	var out []string
	for _, as := range a.Rights.Assignments(p) {
		if access.TenantProducer(as, as.Domain) && !strings.Contains(as.Domain, "*") && !slices.Contains(out, as.Domain) {
			out = append(out, as.Domain)
		}
	}
	return out
}

// partiesOf lists the capacities in which the principal may act on a request.
func (a *App) partiesOf(p access.Principal, r *store.RequestRecord) []access.Party {
	var out []access.Party
	if !p.Public() && (p.Subject != "" && p.Subject == r.Requester.Subject ||
		p.Email != "" && strings.EqualFold(p.Email, r.Requester.Email)) {
		out = append(out, access.PartyRequester)
	}
	if a.Rights.Can(p, r.Tenant, access.ObjRequests, access.ActDecide) {
		out = append(out, access.PartyArchivist)
	}
	if slices.Contains(a.producerTenants(p), r.Tenant) {
		out = append(out, access.PartyProducer)
	}
	return out
}

// visibleRequest loads a request the visitor takes part in; anyone else gets 404.
func (a *App) visibleRequest(c *fiber.Ctx) (*store.RequestRecord, []access.Party, error) {
	p, err := requirePerson(c)
	if err != nil {
		return nil, nil, err
	}
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return nil, nil, errNotFound
	}
	r, err := a.Store.Request(c.UserContext(), id)
	if err != nil {
		return nil, nil, err
	}
	parties := a.partiesOf(p, r)
	if len(parties) == 0 {
		return nil, nil, errNotFound
	}
	return r, parties, nil
}

// requestData is a request's page.
type requestData struct {
	R          *store.RequestRecord
	Parties    []access.Party
	Moves      map[access.Party][]access.EventType
	Deadline   *time.Time
	Overdue    bool
	TenantName string
	Today      string
	// ClosedBelow warns, for a unit with units below it still closed, that a grant
	// would open them too (so it needs the producer's agreement).
	ClosedBelow map[int64]string
}

func (a *App) requestPage(c *fiber.Ctx) error {
	r, parties, err := a.visibleRequest(c)
	if err != nil {
		return err
	}
	d := requestData{R: r, Parties: parties, Moves: map[access.Party][]access.EventType{}, Overdue: r.Overdue(a.Now()),
		Today: a.Now().In(access.JournalZone()).Format("2006-01-02")}
	if dl, ok := r.Deadline(); ok {
		d.Deadline = &dl
	}
	if d.ClosedBelow, err = a.closedBelow(c, r); err != nil {
		return err
	}
	for _, p := range parties {
		d.Moves[p] = access.Allowed(r.Request, p)
	}
	names, err := tenantNames(c.UserContext(), a.Store)
	if err != nil {
		return err
	}
	d.TenantName = names[r.Tenant]
	pg := a.page(c, fmt.Sprintf("%s %d", tr(langOf(c), "req.request"), r.ID))
	pg.Data = d
	return a.render(c, "request", pg)
}

// closedBelow says, for each unit of the request with units below it still closed
// today, how many ("N unités de ce fonds ne sont pas encore communicables").
func (a *App) closedBelow(c *fiber.Ctx, r *store.RequestRecord) (map[int64]string, error) {
	ids := make([]int64, len(r.Units))
	for i, u := range r.Units {
		ids[i] = u.UnitID
	}
	closed, err := a.Store.ClosedSubtrees(c.UserContext(), ids, a.Now())
	if err != nil {
		return nil, err
	}
	out := map[int64]string{}
	for id, cl := range closed {
		switch {
		case cl.Below == 1:
			out[id] = tr(langOf(c), "req.closed_below.one")
		case cl.Below > 1:
			out[id] = fmt.Sprintf(tr(langOf(c), "req.closed_below.many"), cl.Below)
		}
	}
	return out, nil
}

// requestEvent makes the move a form asks for: the capacity is the one the event
// needs, and the visitor must hold it on this request.
func (a *App) requestEvent(c *fiber.Ctx) error {
	r, parties, err := a.visibleRequest(c)
	if err != nil {
		return err
	}
	ev, err := eventFromForm(c)
	if err != nil {
		return err
	}
	party, err := partyFor(ev.Type, parties)
	if err != nil {
		return err
	}
	if _, err := a.move(c, r.ID, party, principalOf(c), ev); err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/requests/%d", r.ID), fiber.StatusSeeOther)
}

func eventFromForm(c *fiber.Ctx) (access.Event, error) {
	ev := access.Event{Type: access.EventType(c.FormValue("type")), Reasons: strings.TrimSpace(c.FormValue("reasons"))}
	form, err := c.MultipartForm()
	var units []string
	if err == nil && form != nil {
		units = form.Value["unit"]
	} else {
		c.Context().PostArgs().VisitAll(func(k, v []byte) {
			if string(k) == "unit" {
				units = append(units, string(v))
			}
		})
	}
	for _, u := range units {
		id, err := strconv.ParseInt(u, 10, 64)
		if err != nil {
			return ev, fmt.Errorf("unité « %s » invalide: %w", u, sesam.ErrInvalid)
		}
		ev.Units = append(ev.Units, id)
	}
	if until := c.FormValue("until"); until != "" {
		t, err := time.Parse("2006-01-02", until)
		if err != nil {
			return ev, fmt.Errorf("date de fin « %s » invalide (AAAA-MM-JJ): %w", until, sesam.ErrInvalid)
		}
		ev.Until = t
	}
	return ev, nil
}

// partyFor is the capacity an event needs, when the visitor holds it.
func partyFor(t access.EventType, held []access.Party) (access.Party, error) {
	need := map[access.EventType][]access.Party{
		access.EvSubmit: {access.PartyRequester, access.PartyArchivist}, access.EvWithdraw: {access.PartyRequester, access.PartyArchivist},
		access.EvProducerAgree: {access.PartyProducer}, access.EvProducerRefuse: {access.PartyProducer},
	}[t]
	if need == nil {
		need = []access.Party{access.PartyArchivist}
	}
	for _, n := range need {
		for _, h := range held {
			if n == h {
				return n, nil
			}
		}
	}
	return "", &httpError{status: fiber.StatusForbidden, code: "forbidden", msg: "msg.forbidden",
		err: fmt.Errorf("event %s needs %v, visitor holds %v", t, need, held)}
}

// queueData is the staff queue.
type queueData struct {
	Requests []store.RequestSummary
	Names    map[string]string
	All      bool
	Tenants  []string // the tenants the queue may be filtered by
	Tenant   string   // the one chosen, if any
}

// staffScopes are the tenants where the visitor decides on requests or gives the
// producer's agreement.
func (a *App) staffScopes(p access.Principal) []string {
	return append(a.Rights.Domains(p, access.ObjRequests, access.ActDecide), a.producerTenants(p)...)
}

func (a *App) staffQueue(c *fiber.Ctx) error {
	p, err := requirePerson(c)
	if err != nil {
		return err
	}
	f := store.QueueFilter{Covered: a.Rights.Domains(p, access.ObjRequests, access.ActDecide), Exact: a.producerTenants(p),
		Tenant: c.Query("tenant"), OpenOnly: c.Query("all") != "1"}
	if len(f.Covered) == 0 && len(f.Exact) == 0 {
		return errNotFound
	}
	ctx := c.UserContext()
	reqs, err := a.Store.RequestQueue(ctx, f, a.Now())
	if err != nil {
		return err
	}
	names, err := tenantNames(ctx, a.Store)
	if err != nil {
		return err
	}
	d := queueData{Requests: reqs, Names: names, All: !f.OpenOnly, Tenant: f.Tenant}
	for id := range names {
		if slices.Contains(f.Exact, id) || slices.ContainsFunc(f.Covered, func(sc string) bool { return access.CoversTenant(sc, id) }) {
			d.Tenants = append(d.Tenants, id)
		}
	}
	sort.Strings(d.Tenants)
	pg := a.page(c, tr(langOf(c), "req.queue"))
	pg.Data = d
	return a.render(c, "queue", pg)
}

// staffRegister registers a request for a person without an account (a letter, a
// visit), naming the units by cote.
func (a *App) staffRegister(c *fiber.Ctx) error {
	p, err := requirePerson(c)
	if err != nil {
		return err
	}
	tenant := c.FormValue("tenant")
	if !a.Rights.Can(p, tenant, access.ObjRequests, access.ActManage) {
		return errNotFound
	}
	var ids []int64
	for _, cote := range strings.Split(c.FormValue("cotes"), "\n") {
		if cote = strings.TrimSpace(cote); cote == "" {
			continue
		}
		id, err := a.Store.UnitByCote(c.UserContext(), tenant, cote)
		if err != nil {
			if errors.Is(err, sesam.ErrNotFound) {
				return fmt.Errorf("aucune unité de cote « %s » dans %s: %w", cote, tenant, sesam.ErrInvalid)
			}
			return err
		}
		ids = append(ids, id)
	}
	heads, err := a.visibleHeads(c, ids)
	if err != nil {
		return err
	}
	who := store.Requester{Name: strings.TrimSpace(c.FormValue("name")), Email: strings.TrimSpace(c.FormValue("email")),
		Contact: strings.TrimSpace(c.FormValue("contact"))}
	created, err := a.submitRequests(c, p, heads, c.FormValue("reason"), c.FormValue("mode"), who, personKey(p))
	if err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/requests/%d", created[0]), fiber.StatusSeeOther)
}

func (a *App) staffNewForm(c *fiber.Ctx) error {
	p, err := requirePerson(c)
	if err != nil {
		return err
	}
	var tenants []string
	ts, err := a.Store.Tenants(c.UserContext())
	if err != nil {
		return err
	}
	for _, t := range ts {
		if a.Rights.Can(p, t.ID, access.ObjRequests, access.ActManage) {
			tenants = append(tenants, t.ID)
		}
	}
	if len(tenants) == 0 {
		return errNotFound
	}
	pg := a.page(c, tr(langOf(c), "req.register"))
	pg.Data = tenants
	return a.render(c, "register", pg)
}

func (a *App) outboxPage(c *fiber.Ctx) error {
	p, err := requirePerson(c)
	if err != nil {
		return err
	}
	scopes := a.Rights.Domains(p, access.ObjRequests, access.ActManage)
	if len(scopes) == 0 {
		return errNotFound
	}
	msgs, err := a.Store.Outbox(c.UserContext(), scopes, 200)
	if err != nil {
		return err
	}
	pg := a.page(c, tr(langOf(c), "req.outbox"))
	pg.Data = msgs
	return a.render(c, "outbox", pg)
}
