package store

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"sesam"
	"sesam/access"
)

// Requester is the person a request is for.
type Requester struct {
	Subject string // OIDC subject; "" for a person registered by staff
	Email   string
	Name    string
	Contact string // postal or e-mail contact given to staff
}

// NewRequest is a request to create (as a draft).
type NewRequest struct {
	Tenant       string
	Requester    Requester
	RegisteredBy string // the archivist registering it for someone, if any
	Reason       string
	Mode         string // online or reading_room
	UnitIDs      []int64
}

// Request modes.
const (
	ModeOnline      = "online"
	ModeReadingRoom = "reading_room"
)

// RequestRecord is a stored request with its units and history.
type RequestRecord struct {
	ID           int64
	Requester    Requester
	RegisteredBy string
	Reason       string
	Mode         string
	CreatedAt    time.Time
	ClosedAt     *time.Time
	access.Request
	Heads  map[int64]UnitHead // the units' titles and cotes
	Events []RequestEvent
	// UnitDecided is the day each decided unit got its outcome, by unit.
	UnitDecided map[int64]*time.Time
	// GrantUntil is the last day (day number) of each grant the request made, by unit.
	GrantUntil map[int64]int
}

// RequestEvent is one dated step of a request's history.
type RequestEvent struct {
	At           time.Time
	ActorSubject string
	ActorName    string
	Party        string
	Type         string
	Units        []int64
	Reasons      string
	State        string
}

// CreateRequest records a draft request. The units must belong to the tenant; each is
// marked as needing a dérogation when it or any unit below it is not communicable
// today: a grant opens the unit's whole subtree, so a communicable fonds holding closed
// files needs the producer's agreement too.
func (s *Store) CreateRequest(ctx context.Context, nr NewRequest, now time.Time) (int64, error) {
	if err := checkNewRequest(nr); err != nil {
		return 0, err
	}
	var id int64
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		heads, err := unitHeads(ctx, tx, nr.UnitIDs)
		if err != nil {
			return err
		}
		closed, err := closedSubtrees(ctx, tx, nr.UnitIDs, access.Today(now))
		if err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO access_request (tenant_id, requester_subject, requester_email, requester_name,
			requester_contact, registered_by, reason, mode, state, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
			nr.Tenant, nr.Requester.Subject, strings.ToLower(strings.TrimSpace(nr.Requester.Email)), nr.Requester.Name, nr.Requester.Contact,
			nr.RegisteredBy, nr.Reason, nr.Mode, string(access.StateDraft), now).Scan(&id); err != nil {
			return err
		}
		for i, uid := range nr.UnitIDs {
			h, ok := heads[uid]
			if !ok || h.View.Tenant != nr.Tenant {
				return fmt.Errorf("l'unité %d n'appartient pas à %s: %w", uid, nr.Tenant, sesam.ErrInvalid)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO access_request_unit (request_id, unit_id, position, derogation) VALUES ($1, $2, $3, $4)`,
				id, uid, i, closed[uid].Derogation()); err != nil {
				return err
			}
		}
		return nil
	})
	return id, err
}

// checkNewRequest refuses a request that names no requester, reason or unit, an unknown
// mode, or an e-mail address that is not one.
func checkNewRequest(nr NewRequest) error {
	if strings.TrimSpace(nr.Requester.Name) == "" || strings.TrimSpace(nr.Reason) == "" || len(nr.UnitIDs) == 0 {
		return fmt.Errorf("une demande doit nommer le demandeur, son motif et au moins une unité: %w", sesam.ErrInvalid)
	}
	if nr.Mode != ModeOnline && nr.Mode != ModeReadingRoom {
		return fmt.Errorf("mode de consultation inconnu %q: %w", nr.Mode, sesam.ErrInvalid)
	}
	if e := strings.TrimSpace(nr.Requester.Email); e != "" && EmailIn(e) != strings.ToLower(e) {
		return fmt.Errorf("adresse électronique « %s » invalide: %w", e, sesam.ErrInvalid)
	}
	return nil
}

// EmailIn is the first valid e-mail address in a contact (a postal address with an
// e-mail on one of its lines, "Name <a@b.fr>", "a@b.fr, tel. ..."), in lower case, or ""
// when there is none: a contact is never sent to as it is.
func EmailIn(contact string) string {
	fields := strings.FieldsFunc(contact, func(r rune) bool {
		return r == ',' || r == ';' || r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '(' || r == ')'
	})
	for _, f := range fields {
		if !strings.Contains(f, "@") {
			continue
		}
		f = strings.Trim(f, "<>.:\"'")
		a, err := mail.ParseAddress(f)
		if err != nil || a.Name != "" || a.Address != f {
			continue
		}
		return strings.ToLower(a.Address)
	}
	return ""
}

// SubtreeClosure says what is still closed in a unit's subtree, today.
type SubtreeClosure struct {
	Self  bool // the unit itself is not communicable
	Below int  // units below it that are not communicable
}

// Derogation reports whether a grant of the unit needs the producer's agreement.
func (c SubtreeClosure) Derogation() bool { return c.Self || c.Below > 0 }

// ClosedSubtrees says, for each unit, whether it and how many units below it are not
// communicable today (for the decision form's warning).
func (s *Store) ClosedSubtrees(ctx context.Context, ids []int64, now time.Time) (map[int64]SubtreeClosure, error) {
	return closedSubtrees(ctx, s.pool, ids, access.Today(now))
}

func closedSubtrees(ctx context.Context, q querier, ids []int64, today int) (map[int64]SubtreeClosure, error) {
	rows, err := q.Query(ctx, `SELECT u.id, u.open_day > $2,
		(SELECT count(*) FROM unit d WHERE d.ancestors @> ARRAY[u.id] AND d.open_day > $2)
		FROM unit u WHERE u.id = ANY($1)`, ids, today)
	if err != nil {
		return nil, fmt.Errorf("closed subtrees: %w", err)
	}
	defer rows.Close()
	out := make(map[int64]SubtreeClosure, len(ids))
	for rows.Next() {
		var id int64
		var c SubtreeClosure
		if err := rows.Scan(&id, &c.Self, &c.Below); err != nil {
			return nil, err
		}
		out[id] = c
	}
	return out, rows.Err()
}

// Request loads a request with its units and history.
func (s *Store) Request(ctx context.Context, id int64) (*RequestRecord, error) {
	return loadRequest(ctx, s.pool, id, false)
}

func loadRequest(ctx context.Context, q querier, id int64, forUpdate bool) (*RequestRecord, error) {
	r := &RequestRecord{}
	lock := ""
	if forUpdate {
		lock = " FOR UPDATE"
	}
	var state string
	err := q.QueryRow(ctx, `SELECT id, tenant_id, requester_subject, requester_email, requester_name, requester_contact,
		registered_by, reason, mode, state, created_at, submitted_at, decided_at, closed_at FROM access_request WHERE id = $1`+lock, id).
		Scan(&r.ID, &r.Tenant, &r.Requester.Subject, &r.Requester.Email, &r.Requester.Name, &r.Requester.Contact,
			&r.RegisteredBy, &r.Reason, &r.Mode, &state, &r.CreatedAt, &r.SubmittedAt, &r.DecidedAt, &r.ClosedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("request %d: %w", id, sesam.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("request %d: %w", id, err)
	}
	r.State, r.ByStaff = access.RequestState(state), r.RegisteredBy != ""
	if err := loadRequestUnits(ctx, q, r); err != nil {
		return nil, err
	}
	ids := make([]int64, len(r.Units))
	for i, u := range r.Units {
		ids[i] = u.UnitID
	}
	if r.Heads, err = unitHeads(ctx, q, ids); err != nil {
		return nil, err
	}
	rows, err := q.Query(ctx, `SELECT at, actor_subject, actor_name, party, type, units, reasons, state
		FROM access_request_event WHERE request_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	r.Events, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (RequestEvent, error) {
		var e RequestEvent
		err := row.Scan(&e.At, &e.ActorSubject, &e.ActorName, &e.Party, &e.Type, &e.Units, &e.Reasons, &e.State)
		return e, err
	})
	if err != nil {
		return nil, err
	}
	r.GrantUntil, err = requestGrants(ctx, q, id)
	return r, err
}

// loadRequestUnits reads a request's units in order, with each one's decision date.
func loadRequestUnits(ctx context.Context, q querier, r *RequestRecord) error {
	rows, err := q.Query(ctx, `SELECT unit_id, derogation, agreement, outcome, reasons, decided_at FROM access_request_unit
		WHERE request_id = $1 ORDER BY position`, r.ID)
	if err != nil {
		return err
	}
	r.UnitDecided = map[int64]*time.Time{}
	r.Units, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (access.RequestUnit, error) {
		var u access.RequestUnit
		var ag, out string
		var decided *time.Time
		err := row.Scan(&u.UnitID, &u.Derogation, &ag, &out, &u.Reasons, &decided)
		u.Agreement, u.Outcome = access.Agreement(ag), access.Outcome(out)
		if decided != nil {
			r.UnitDecided[u.UnitID] = decided
		}
		return u, err
	})
	return err
}

// RequestAction is a move made on a request, with what the store needs around it.
type RequestAction struct {
	Party access.Party
	Actor access.Principal
	Event access.Event
	// ProducerEmails are told when the producer's agreement is asked.
	ProducerEmails []string
	// Journal is the entry recording the move, written in the same transaction: no
	// move without its journal entry.
	Journal access.JournalEntry
	// DefaultGrantDays is how long a grant lasts when the event gives no Until.
	DefaultGrantDays int
}

// ApplyRequestEvent makes a move on a request in one transaction: the workflow's
// check (access.Apply), the new state, the unit outcomes, the history, the grants of
// newly granted units, the notifications and the journal entry.
func (s *Store) ApplyRequestEvent(ctx context.Context, id int64, a RequestAction) (*RequestRecord, error) {
	defer grantChanged() // once committed: a reading before would miss a new grant
	var out *RequestRecord
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		r, err := loadRequest(ctx, tx, id, true)
		if err != nil {
			return err
		}
		next, err := access.Apply(r.Request, a.Party, a.Event)
		if err != nil {
			return err
		}
		if err := saveRequest(ctx, tx, r, next, a); err != nil {
			return err
		}
		if err := s.notify(ctx, tx, r, next, a); err != nil {
			return err
		}
		a.Journal.RequestID, a.Journal.Tenant, a.Journal.Units = id, r.Tenant, eventUnits(r, a.Event)
		if err := appendJournalTx(ctx, tx, a.Journal); err != nil {
			return err
		}
		out, err = loadRequest(ctx, tx, id, false)
		return err
	})
	return out, err
}

// eventUnits are the units a request's event concerns, for its journal entry: those it
// names, or else every unit of the request (filing, registration, closing).
func eventUnits(r *RequestRecord, ev access.Event) []int64 {
	if len(ev.Units) > 0 {
		return ev.Units
	}
	out := make([]int64, 0, len(r.Units))
	for _, u := range r.Units {
		out = append(out, u.UnitID)
	}
	return out
}

func saveRequest(ctx context.Context, tx pgx.Tx, before *RequestRecord, next access.Request, a RequestAction) error {
	at := a.Event.At
	var closed any
	if next.State == access.StateClosed {
		closed = at
	}
	if _, err := tx.Exec(ctx, `UPDATE access_request SET state = $2, submitted_at = $3, decided_at = $4,
		closed_at = coalesce(closed_at, $5) WHERE id = $1`, before.ID, string(next.State), next.SubmittedAt, next.DecidedAt, closed); err != nil {
		return err
	}
	for i, u := range next.Units {
		old := before.Units[i]
		if u == old {
			continue
		}
		var decided any
		if u.Outcome != old.Outcome {
			decided = at
		}
		if _, err := tx.Exec(ctx, `UPDATE access_request_unit SET agreement = $3, outcome = $4, reasons = $5,
			decided_at = coalesce($6, decided_at) WHERE request_id = $1 AND unit_id = $2`,
			before.ID, u.UnitID, string(u.Agreement), string(u.Outcome), u.Reasons, decided); err != nil {
			return err
		}
		if u.Outcome == access.OutcomeGranted && old.Outcome != access.OutcomeGranted {
			if err := insertGrant(ctx, tx, before, u.UnitID, a); err != nil {
				return err
			}
		}
	}
	name := a.Actor.Name
	if name == "" {
		name = a.Actor.Email
	}
	units := a.Event.Units
	if units == nil {
		units = []int64{}
	}
	_, err := tx.Exec(ctx, `INSERT INTO access_request_event (request_id, at, actor_subject, actor_name, party, type, units, reasons, state)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, before.ID, at, actorKey(a.Actor), name, string(a.Party),
		string(a.Event.Type), units, a.Event.Reasons, string(next.State))
	return err
}

func actorKey(p access.Principal) string {
	if p.Subject != "" {
		return p.Subject
	}
	return p.Email
}

// insertGrant opens a granted unit to the requester until the decision's day (or the
// default length), online or in the reading room as the request asked.
func insertGrant(ctx context.Context, tx pgx.Tx, r *RequestRecord, unitID int64, a RequestAction) error {
	until := a.Event.Until
	if until.IsZero() {
		days := a.DefaultGrantDays
		if days == 0 {
			days = 365
		}
		until = a.Event.At.In(access.JournalZone()).AddDate(0, 0, days) // days counted in Paris
	}
	_, err := tx.Exec(ctx, `INSERT INTO access_grant (request_id, unit_id, subject, email, until_day, online)
		VALUES ($1, $2, $3, $4, $5, $6)`, r.ID, unitID, r.Requester.Subject, r.Requester.Email,
		access.DayNumber(until), r.Mode == ModeOnline)
	return err
}

// readGrants reads a principal's grants from the table (GrantsOf keeps them a moment).
func (s *Store) readGrants(ctx context.Context, p access.Principal) ([]access.Grant, error) {
	rows, err := s.pool.Query(ctx, `SELECT unit_id::text, until_day, online, request_id::text FROM access_grant
		WHERE revoked_at IS NULL AND ((subject <> '' AND subject = $1) OR (email <> '' AND email = $2))`,
		p.Subject, strings.ToLower(p.Email))
	if err != nil {
		return nil, fmt.Errorf("grants: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (access.Grant, error) {
		var g access.Grant
		err := r.Scan(&g.UnitID, &g.UntilDay, &g.Online, &g.RequestID)
		return g, err
	})
}

// RequestSummary is a line of a list of requests.
type RequestSummary struct {
	ID            int64
	Tenant        string
	RequesterName string
	State         access.RequestState
	Mode          string
	Units         int
	CreatedAt     time.Time
	SubmittedAt   *time.Time
	DecidedAt     *time.Time
	Deadline      *time.Time
	Overdue       bool
	// The first and the last day the request's grants end (day numbers; 0: no grant).
	GrantFirstEnd, GrantLastEnd int
}

const summaryColumns = `r.id, r.tenant_id, r.requester_name, r.state, r.mode,
	(SELECT count(*) FROM access_request_unit u WHERE u.request_id = r.id), r.created_at, r.submitted_at, r.decided_at,
	g.first_end, g.last_end`

// summaryGrants joins each request's grant end days to the summary's columns.
const summaryGrants = ` CROSS JOIN LATERAL (SELECT coalesce(min(until_day), 0) AS first_end, coalesce(max(until_day), 0) AS last_end
	FROM access_grant WHERE request_id = r.id AND revoked_at IS NULL) g`

func scanSummaries(rows pgx.Rows, now time.Time) ([]RequestSummary, error) {
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (RequestSummary, error) {
		var s RequestSummary
		var state string
		err := row.Scan(&s.ID, &s.Tenant, &s.RequesterName, &state, &s.Mode, &s.Units, &s.CreatedAt, &s.SubmittedAt, &s.DecidedAt,
			&s.GrantFirstEnd, &s.GrantLastEnd)
		s.State = access.RequestState(state)
		r := access.Request{State: s.State, SubmittedAt: s.SubmittedAt, DecidedAt: s.DecidedAt}
		if d, ok := r.Deadline(); ok {
			s.Deadline = &d
		}
		s.Overdue = r.Overdue(now)
		return s, err
	})
}

// RequestsOf lists a person's own requests, newest first.
func (s *Store) RequestsOf(ctx context.Context, p access.Principal, now time.Time) ([]RequestSummary, error) {
	if p.Public() {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT `+summaryColumns+` FROM access_request r`+summaryGrants+`
		WHERE (r.requester_subject <> '' AND r.requester_subject = $1) OR (r.requester_email <> '' AND r.requester_email = $2)
		ORDER BY r.created_at DESC, r.id DESC`, p.Subject, strings.ToLower(p.Email))
	if err != nil {
		return nil, fmt.Errorf("requests: %w", err)
	}
	return scanSummaries(rows, now)
}

// QueueFilter chooses the requests of a staff queue.
type QueueFilter struct {
	// Covered are scope patterns (as access.CoversTenant reads them): the requests of
	// these tenants and of the tenants below them (an archivist's).
	Covered []string
	// Exact are tenants whose own requests only are in the queue (a producer's).
	Exact []string
	// Tenant, when set, keeps that tenant's requests only (within the above).
	Tenant string
	// OpenOnly leaves out closed and withdrawn requests.
	OpenOnly bool
}

// RequestQueue lists the submitted requests a staff member may see, overdue first, then
// by deadline.
func (s *Store) RequestQueue(ctx context.Context, f QueueFilter, now time.Time) ([]RequestSummary, error) {
	var args sqlArgs
	cond := tenantCoveredSQL("r.tenant_id", f.Covered, &args)
	if len(f.Exact) > 0 {
		cond = "(" + cond + " OR r.tenant_id = ANY(" + args.add(f.Exact) + "))"
	}
	if f.Tenant != "" {
		cond += " AND r.tenant_id = " + args.add(f.Tenant)
	}
	if f.OpenOnly {
		cond += ` AND r.state NOT IN ('draft', 'closed', 'withdrawn')`
	} else {
		cond += ` AND r.state <> 'draft'`
	}
	rows, err := s.pool.Query(ctx, `SELECT `+summaryColumns+` FROM access_request r`+summaryGrants+` WHERE `+cond+`
		ORDER BY r.decided_at IS NOT NULL, r.submitted_at, r.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("request queue: %w", err)
	}
	out, err := scanSummaries(rows, now)
	if err != nil {
		return nil, err
	}
	// Overdue first, then by deadline (the SQL order already holds within each group).
	var overdue, rest []RequestSummary
	for _, r := range out {
		if r.Overdue {
			overdue = append(overdue, r)
		} else {
			rest = append(rest, r)
		}
	}
	return append(overdue, rest...), nil
}

// tenantCoveredSQL is access.CoversTenant in SQL over a tenant column.
func tenantCoveredSQL(column string, scopes []string, args *sqlArgs) string {
	var ors []string
	for _, sc := range scopes {
		switch {
		case sc == "*":
			ors = append(ors, "true")
		case strings.HasSuffix(sc, "/*"):
			ors = append(ors, "starts_with("+column+", "+args.add(strings.TrimSuffix(sc, "*"))+")")
		default:
			p := args.add(sc)
			ors = append(ors, "("+column+" = "+p+" OR starts_with("+column+", "+p+" || '/'))")
		}
	}
	if len(ors) == 0 {
		return "false"
	}
	return "(" + strings.Join(ors, " OR ") + ")"
}

// requestGrants gives the last day of each grant a request made, by unit.
func requestGrants(ctx context.Context, q querier, requestID int64) (map[int64]int, error) {
	rows, err := q.Query(ctx, `SELECT unit_id, until_day FROM access_grant WHERE request_id = $1 AND revoked_at IS NULL`, requestID)
	if err != nil {
		return nil, fmt.Errorf("grants of request %d: %w", requestID, err)
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var u int64
		var d int
		if err := rows.Scan(&u, &d); err != nil {
			return nil, err
		}
		out[u] = d
	}
	return out, rows.Err()
}
