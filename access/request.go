package access

import (
	"fmt"
	"strings"
	"time"
)

// The request workflow (demande de communication, dérogation under CP L213-3), as pure
// functions: a request's state, the events that move it, and who may make each move.
//
//	draft → submitted (registered: the two-month clock starts) → under_review
//	      → [awaiting_producer → producer_agreed | producer_refused]
//	      → granted | refused (reasons required) → closed
//	withdrawn by the requester at any time before a decision.
//
// Each unit gets its own outcome: a request may mix units that are communicable (the
// archivist grants them) and units under a delay (they need the producer's agreement
// first; a producer's refusal leaves only a refusal). The request is decided when every
// unit is: granted if one unit is granted, refused otherwise. A withdrawal withdraws the
// units still undecided; those already decided keep their outcome, so a request
// withdrawn after a partial decision is decided (its letter and notice exist for the
// decided units). Two months after
// registration without a decision, the request is overdue: silence means refusal
// (CRPA R311-12, as L213-3 applies it), which the requester is told.

// RequestState is where a request stands.
type RequestState string

// Request states.
const (
	StateDraft            RequestState = "draft"
	StateSubmitted        RequestState = "submitted"
	StateUnderReview      RequestState = "under_review"
	StateAwaitingProducer RequestState = "awaiting_producer"
	StateProducerAgreed   RequestState = "producer_agreed"
	StateProducerRefused  RequestState = "producer_refused"
	StateGranted          RequestState = "granted"
	StateRefused          RequestState = "refused"
	StateClosed           RequestState = "closed"
	StateWithdrawn        RequestState = "withdrawn"
)

// EventType is a move in the workflow.
type EventType string

// Events.
const (
	EvSubmit         EventType = "submit"
	EvReview         EventType = "review"
	EvAskProducer    EventType = "ask-producer"
	EvProducerAgree  EventType = "producer-agree"
	EvProducerRefuse EventType = "producer-refuse"
	EvGrant          EventType = "grant"
	EvRefuse         EventType = "refuse"
	EvWithdraw       EventType = "withdraw"
	EvClose          EventType = "close"
)

// Party is the capacity in which someone acts on a request.
type Party string

// Parties.
const (
	PartyRequester Party = "requester" // the person who asks (or staff registering for them)
	PartyArchivist Party = "archivist" // an archivist of an operator covering the tenant
	PartyProducer  Party = "producer"  // the producing authority (the producer role on exactly the tenant)
)

// TenantProducer reports whether an assignment makes its holder the producing authority
// of a tenant: the producer role on exactly that tenant. A producer of a parent tenant,
// of "tenant/*" or of "*" is not: the dérogation needs the agreement of the authority the
// documents come from (L213-3), and only that one is notified.
func TenantProducer(a Assignment, tenant string) bool {
	return a.Role == RoleProducer && a.Domain == tenant && tenant != ""
}

// Outcome is a unit's own answer.
type Outcome string

// Unit outcomes.
const (
	OutcomePending Outcome = "pending"
	OutcomeGranted Outcome = "granted"
	OutcomeRefused Outcome = "refused"
	// OutcomeWithdrawn: the requester withdrew the unit before it was decided.
	OutcomeWithdrawn Outcome = "withdrawn"
)

// Agreement is the producer's answer on a unit that needs a dérogation.
type Agreement string

// Producer agreements.
const (
	AgreementNone    Agreement = ""
	AgreementAsked   Agreement = "asked"
	AgreementGiven   Agreement = "agreed"
	AgreementRefused Agreement = "refused"
)

// DecisionDelay is the law's two months from registration (L213-3).
const DecisionDelay = 2 // months

// RequestUnit is a unit of a request and its own outcome.
type RequestUnit struct {
	UnitID     int64
	Derogation bool // not communicable at registration: needs the producer's agreement
	Agreement  Agreement
	Outcome    Outcome
	Reasons    string // of a refusal
}

// Request is the part of a request the workflow reasons about.
type Request struct {
	State  RequestState
	Tenant string
	// ByStaff: registered by staff for the requester (a letter, a visit). Staff then
	// record its submission and its withdrawal for them.
	ByStaff     bool
	Units       []RequestUnit
	SubmittedAt *time.Time
	DecidedAt   *time.Time
}

// Event is a move, with what it carries.
type Event struct {
	Type    EventType
	Units   []int64 // the units a grant or a refusal concerns (empty: every pending unit)
	Reasons string  // required for a refusal (L213-5), by the producer too
	At      time.Time
	Until   time.Time // a grant's last day, a civil date (the store writes the grants)
}

// MaxGrantYears is the longest a grant may run: beyond, the date is a typing error.
const MaxGrantYears = 100

// Deadline is the instant the decision is due: registration + two months on the
// calendar of Paris, where the law's days are counted (a request registered at 00:30 in
// Paris on 31 August is due on 31 October, whatever the server's zone). A day that does
// not exist in the target month is the month's last day (31 December + 2 months = 28
// February): the administration gets no extra days. The deadline is in Paris time.
func (r Request) Deadline() (time.Time, bool) {
	if r.SubmittedAt == nil {
		return time.Time{}, false
	}
	s := r.SubmittedAt.In(parisZone())
	d := time.Date(s.Year(), s.Month()+DecisionDelay, 1, s.Hour(), s.Minute(), s.Second(), s.Nanosecond(), s.Location())
	last := d.AddDate(0, 1, -1).Day()
	return d.AddDate(0, 0, min(s.Day(), last)-1), true
}

// Overdue says two months have passed since registration without a decision: the law
// treats the silence as a refusal.
func (r Request) Overdue(now time.Time) bool {
	d, ok := r.Deadline()
	return ok && r.DecidedAt == nil && !r.finished() && now.After(d)
}

func (r Request) finished() bool {
	switch r.State {
	case StateGranted, StateRefused, StateClosed, StateWithdrawn:
		return true
	}
	return false
}

// moves lists, for each event, who may make it and from which states.
var moves = map[EventType]struct {
	by   Party
	from []RequestState
}{
	EvSubmit:         {PartyRequester, []RequestState{StateDraft}},
	EvReview:         {PartyArchivist, []RequestState{StateSubmitted}},
	EvAskProducer:    {PartyArchivist, []RequestState{StateSubmitted, StateUnderReview, StateProducerAgreed, StateProducerRefused}},
	EvProducerAgree:  {PartyProducer, []RequestState{StateAwaitingProducer}},
	EvProducerRefuse: {PartyProducer, []RequestState{StateAwaitingProducer}},
	EvGrant:          {PartyArchivist, []RequestState{StateSubmitted, StateUnderReview, StateProducerAgreed, StateProducerRefused, StateAwaitingProducer}},
	EvRefuse:         {PartyArchivist, []RequestState{StateSubmitted, StateUnderReview, StateProducerAgreed, StateProducerRefused, StateAwaitingProducer}},
	EvWithdraw:       {PartyRequester, []RequestState{StateDraft, StateSubmitted, StateUnderReview, StateAwaitingProducer, StateProducerAgreed, StateProducerRefused}},
	EvClose:          {PartyArchivist, []RequestState{StateGranted, StateRefused}},
}

// ErrTransition is a move that the workflow does not allow; it is an ErrInvalid.
type ErrTransition struct{ Msg string }

func (e *ErrTransition) Error() string { return e.Msg }
func (e *ErrTransition) Unwrap() error { return ErrInvalid }

func refuseMove(format string, args ...any) error {
	return &ErrTransition{Msg: fmt.Sprintf(format, args...)}
}

// Apply makes a move: it checks that this party may make it now, and returns the
// request as it is afterwards. The request given is not changed.
func Apply(r Request, by Party, ev Event) (Request, error) {
	m, ok := moves[ev.Type]
	if !ok {
		return r, refuseMove("événement inconnu « %s »", ev.Type)
	}
	if by != m.by && !staffForRequester(r, by, ev.Type) {
		return r, refuseMove("« %s » ne peut être fait que par %s", ev.Type, m.by)
	}
	if !containsState(m.from, r.State) {
		return r, refuseMove("« %s » est impossible dans l'état « %s »", ev.Type, r.State)
	}
	out := r
	out.Units = append([]RequestUnit(nil), r.Units...)
	var err error
	switch ev.Type {
	case EvSubmit:
		if len(out.Units) == 0 {
			return r, refuseMove("une demande doit porter sur au moins une unité")
		}
		at := ev.At
		out.State, out.SubmittedAt = StateSubmitted, &at
	case EvReview:
		out.State = StateUnderReview
	case EvAskProducer:
		err = out.askProducer()
	case EvProducerAgree, EvProducerRefuse:
		err = out.producerAnswer(ev)
	case EvGrant:
		err = out.decide(ev, OutcomeGranted)
	case EvRefuse:
		err = out.decide(ev, OutcomeRefused)
	case EvWithdraw:
		out.withdraw(ev.At)
	case EvClose:
		out.State = StateClosed
	}
	if err != nil {
		return r, err
	}
	return out, nil
}

// staffForRequester: staff submit a request they register, and record the withdrawal
// of one they registered (the person may have no account to do it themselves).
func staffForRequester(r Request, by Party, t EventType) bool {
	return by == PartyArchivist && (t == EvSubmit || t == EvWithdraw && r.ByStaff)
}

func containsState(xs []RequestState, s RequestState) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// askProducer asks for the producer's agreement on every pending unit under a delay not
// asked yet (after an answer too: a unit found to need a dérogation later, such as one
// whose subtree holds closed units, is asked then).
func (r *Request) askProducer() error {
	asked := 0
	for i, u := range r.Units {
		if u.Derogation && u.Outcome == OutcomePending && u.Agreement == AgreementNone {
			r.Units[i].Agreement = AgreementAsked
			asked++
		}
	}
	if asked == 0 {
		return refuseMove("aucune unité en attente ne demande l'accord du producteur")
	}
	r.State = StateAwaitingProducer
	return nil
}

// producerAnswer records the producer's agreement or refusal on the units asked (a
// refusal must state its reasons too: they go into the archivist's decision).
func (r *Request) producerAnswer(ev Event) error {
	ans, state := AgreementGiven, StateProducerAgreed
	if ev.Type == EvProducerRefuse {
		if strings.TrimSpace(ev.Reasons) == "" {
			return refuseMove("le refus du producteur doit être motivé")
		}
		ans, state = AgreementRefused, StateProducerRefused
	}
	for i, u := range r.Units {
		if u.Agreement == AgreementAsked && selected(ev.Units, u.UnitID) {
			r.Units[i].Agreement = ans
			if ans == AgreementRefused {
				r.Units[i].Reasons = ev.Reasons
			}
		}
	}
	for _, u := range r.Units {
		if u.Agreement == AgreementAsked { // part answered: still waiting for the rest
			return nil
		}
	}
	r.State = state
	return nil
}

// decide grants or refuses units. A unit under a delay can be granted only with the
// producer's agreement; a refusal states its reasons (L213-5).
func (r *Request) decide(ev Event, o Outcome) error {
	if o == OutcomeRefused && strings.TrimSpace(ev.Reasons) == "" {
		return refuseMove("un refus doit être motivé (Code du patrimoine, L213-5)")
	}
	if o == OutcomeGranted {
		if err := checkUntil(ev); err != nil {
			return err
		}
	}
	n := 0
	for i, u := range r.Units {
		if u.Outcome != OutcomePending || !selected(ev.Units, u.UnitID) {
			continue
		}
		if o == OutcomeGranted && u.Derogation && u.Agreement != AgreementGiven {
			if len(ev.Units) > 0 {
				return refuseMove("l'unité %d est sous délai : elle ne peut être accordée qu'avec l'accord du producteur", u.UnitID)
			}
			continue // granting "everything" grants what may be granted
		}
		r.Units[i].Outcome = o
		if o == OutcomeRefused {
			r.Units[i].Reasons = ev.Reasons
		}
		n++
	}
	if n == 0 {
		return refuseMove("aucune unité de la demande ne peut recevoir cette décision")
	}
	r.settle(ev.At)
	return nil
}

// checkUntil refuses a grant's last day that has passed (the grant would open nothing)
// or that lies more than MaxGrantYears ahead (a typing error). A zero Until leaves the
// length to the store's default. Days are compared on the calendar of Paris.
func checkUntil(ev Event) error {
	if ev.Until.IsZero() {
		return nil
	}
	until, today := DayNumber(ev.Until), Today(ev.At)
	if until < today {
		return refuseMove("la date de fin de l'accès (%s) est passée : elle doit être aujourd'hui ou plus tard", ev.Until.Format("02/01/2006"))
	}
	if until > DayNumber(parisDay(ev.At).AddDate(MaxGrantYears, 0, 0)) {
		return refuseMove("la date de fin de l'accès (%s) est à plus de %d ans", ev.Until.Format("02/01/2006"), MaxGrantYears)
	}
	return nil
}

func selected(ids []int64, id int64) bool {
	if len(ids) == 0 {
		return true
	}
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// settle decides the request once every unit has its outcome: granted when a unit is
// granted, refused when one is refused; withdrawn units do not count.
func (r *Request) settle(at time.Time) {
	granted, refused := false, false
	for _, u := range r.Units {
		switch u.Outcome {
		case OutcomePending:
			return
		case OutcomeGranted:
			granted = true
		case OutcomeRefused:
			refused = true
		}
	}
	switch {
	case granted:
		r.State = StateGranted
	case refused:
		r.State = StateRefused
	default:
		r.State = StateWithdrawn
		return
	}
	r.DecidedAt = &at
}

// withdraw withdraws the units not decided yet. With no unit decided the request is
// withdrawn; otherwise it is decided on the units that were (settle).
func (r *Request) withdraw(at time.Time) {
	for i, u := range r.Units {
		if u.Outcome == OutcomePending {
			r.Units[i].Outcome = OutcomeWithdrawn
		}
	}
	r.settle(at)
}

// Allowed lists the moves a party may make now (for the pages to offer).
func Allowed(r Request, by Party) []EventType {
	var out []EventType
	for _, t := range []EventType{EvSubmit, EvReview, EvAskProducer, EvProducerAgree, EvProducerRefuse, EvGrant, EvRefuse, EvWithdraw, EvClose} {
		ev := Event{Type: t, Reasons: "motif", At: time.Now()}
		if _, err := Apply(r, by, ev); err == nil {
			out = append(out, t)
		}
	}
	return out
}
