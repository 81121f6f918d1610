package portal

import (
	"crypto/subtle"
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"sesam"
	"sesam/access"
	"sesam/store"
)

// apiCSRF: a write through the API with the session cookie must carry the session's
// CSRF token in X-CSRF-Token (a bearer token is not sent by browsers on their own).
func (a *App) apiCSRF(c *fiber.Ctx) error {
	if _, bearer := c.Locals("principal").(access.Principal); bearer {
		return c.Next()
	}
	s := sessionOf(c)
	if s == nil {
		return errLoginRequired
	}
	if subtle.ConstantTimeCompare([]byte(c.Get("X-CSRF-Token")), []byte(s.CSRF)) != 1 {
		return &httpError{status: fiber.StatusForbidden, code: "csrf", msg: "msg.csrf"}
	}
	return c.Next()
}

// requestInput is the body of POST /api/v1/requests.
type requestInput struct {
	Units  []int64 `json:"units"`
	Reason string  `json:"reason"`
	Mode   string  `json:"mode"` // online or reading_room
	// Staff registering a request for someone without an account.
	Tenant    string   `json:"tenant,omitempty"`
	Cotes     []string `json:"cotes,omitempty"`
	Requester *struct {
		Name    string `json:"name"`
		Email   string `json:"email"`
		Contact string `json:"contact"`
	} `json:"requester,omitempty"`
}

// apiCreateRequest creates and submits requests (one per tenant of the units).
func (a *App) apiCreateRequest(c *fiber.Ctx) error {
	p, err := requirePerson(c)
	if err != nil {
		return err
	}
	var in requestInput
	if err := c.BodyParser(&in); err != nil {
		return fmt.Errorf("corps JSON invalide: %w", sesam.ErrInvalid)
	}
	who := store.Requester{Subject: p.Subject, Email: p.Email, Name: displayName(p, langOf(c))}
	registeredBy := ""
	if in.Requester != nil {
		if !a.Rights.Can(p, in.Tenant, access.ObjRequests, access.ActManage) {
			return errNotFound
		}
		who = store.Requester{Name: in.Requester.Name, Email: in.Requester.Email, Contact: in.Requester.Contact}
		registeredBy = personKey(p)
	}
	ids := in.Units
	for _, cote := range in.Cotes {
		id, err := a.Store.UnitByCote(c.UserContext(), in.Tenant, strings.TrimSpace(cote))
		if err != nil {
			return err
		}
		ids = append(ids, id)
	}
	heads, err := a.visibleHeads(c, ids)
	if err != nil {
		return err
	}
	if len(heads) != len(ids) {
		return errNotFound // a unit the caller may not see cannot be asked for
	}
	created, err := a.submitRequests(c, p, heads, in.Reason, in.Mode, who, registeredBy)
	if err != nil {
		return err
	}
	out := make([]requestDoc, 0, len(created))
	for _, id := range created {
		r, err := a.Store.Request(c.UserContext(), id)
		if err != nil {
			return err
		}
		doc, err := a.requestDoc(c, r)
		if err != nil {
			return err
		}
		out = append(out, doc)
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"requests": out})
}

// requestDoc is a request for the API.
type requestDoc struct {
	ID          int64             `json:"id"`
	Tenant      string            `json:"tenant"`
	State       string            `json:"state"`
	Mode        string            `json:"mode"`
	Reason      string            `json:"reason"`
	Requester   string            `json:"requester"`
	SubmittedAt *time.Time        `json:"submitted_at,omitempty"`
	Deadline    *time.Time        `json:"deadline,omitempty"`
	Overdue     bool              `json:"overdue"`
	DecidedAt   *time.Time        `json:"decided_at,omitempty"`
	Units       []requestUnitDoc  `json:"units"`
	Events      []requestEventDoc `json:"events"`
}

type requestUnitDoc struct {
	ID           int64      `json:"id"`
	Title        string     `json:"title"`
	Cote         string     `json:"cote,omitempty"`
	Derogation   bool       `json:"derogation"`
	Agreement    string     `json:"agreement,omitempty"`
	Outcome      string     `json:"outcome"`
	Reasons      string     `json:"reasons,omitempty"`
	DecidedAt    *time.Time `json:"decided_at,omitempty"`
	GrantedUntil string     `json:"granted_until,omitempty"` // YYYY-MM-DD
	ClosedBelow  int        `json:"closed_below,omitempty"`
}

type requestEventDoc struct {
	At      time.Time `json:"at"`
	Type    string    `json:"type"`
	Party   string    `json:"party"`
	Actor   string    `json:"actor"`
	Units   []int64   `json:"units,omitempty"`
	Reasons string    `json:"reasons,omitempty"`
	State   string    `json:"state"`
}

// requestDoc is the request for the API, with what is still closed below its units.
func (a *App) requestDoc(c *fiber.Ctx, r *store.RequestRecord) (requestDoc, error) {
	d := requestDoc{ID: r.ID, Tenant: r.Tenant, State: string(r.State), Mode: r.Mode, Reason: r.Reason, Requester: r.Requester.Name,
		SubmittedAt: r.SubmittedAt, DecidedAt: r.DecidedAt, Overdue: r.Overdue(a.Now()), Units: []requestUnitDoc{}, Events: []requestEventDoc{}}
	if dl, ok := r.Deadline(); ok {
		d.Deadline = &dl
	}
	ids := make([]int64, len(r.Units))
	for i, u := range r.Units {
		ids[i] = u.UnitID
	}
	closed, err := a.Store.ClosedSubtrees(c.UserContext(), ids, a.Now())
	if err != nil {
		return d, err
	}
	for _, u := range r.Units {
		h := r.Heads[u.UnitID]
		ud := requestUnitDoc{ID: u.UnitID, Title: h.Title, Cote: h.Cote, Derogation: u.Derogation, Agreement: string(u.Agreement),
			Outcome: string(u.Outcome), Reasons: u.Reasons, DecidedAt: r.UnitDecided[u.UnitID], ClosedBelow: closed[u.UnitID].Below}
		if n, ok := r.GrantUntil[u.UnitID]; ok {
			ud.GrantedUntil = fmt.Sprintf("%04d-%02d-%02d", n/10000, n/100%100, n%100)
		}
		d.Units = append(d.Units, ud)
	}
	for _, e := range r.Events {
		d.Events = append(d.Events, requestEventDoc{At: e.At, Type: e.Type, Party: e.Party, Actor: e.ActorName, Units: e.Units,
			Reasons: e.Reasons, State: e.State})
	}
	return d, nil
}

func (a *App) apiRequest(c *fiber.Ctx) error {
	r, _, err := a.visibleRequest(c)
	if err != nil {
		return err
	}
	doc, err := a.requestDoc(c, r)
	if err != nil {
		return err
	}
	return c.JSON(doc)
}

// eventInput is the body of POST /api/v1/requests/{id}/events.
type eventInput struct {
	Type    string  `json:"type"`
	Units   []int64 `json:"units"`
	Reasons string  `json:"reasons"`
	Until   string  `json:"until"` // YYYY-MM-DD
}

func (a *App) apiRequestEvent(c *fiber.Ctx) error {
	r, parties, err := a.visibleRequest(c)
	if err != nil {
		return err
	}
	var in eventInput
	if err := c.BodyParser(&in); err != nil {
		return fmt.Errorf("corps JSON invalide: %w", sesam.ErrInvalid)
	}
	ev := access.Event{Type: access.EventType(in.Type), Units: in.Units, Reasons: strings.TrimSpace(in.Reasons)}
	if in.Until != "" {
		if ev.Until, err = time.Parse("2006-01-02", in.Until); err != nil {
			return fmt.Errorf("until %q: AAAA-MM-JJ attendu: %w", in.Until, sesam.ErrInvalid)
		}
	}
	party, err := partyFor(ev.Type, parties)
	if err != nil {
		return err
	}
	next, err := a.move(c, r.ID, party, principalOf(c), ev)
	if err != nil {
		return err
	}
	doc, err := a.requestDoc(c, next)
	if err != nil {
		return err
	}
	return c.JSON(doc)
}
