package access

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

var (
	t0       = time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	states   = []RequestState{StateDraft, StateSubmitted, StateUnderReview, StateAwaitingProducer, StateProducerAgreed, StateProducerRefused, StateGranted, StateRefused, StateClosed, StateWithdrawn}
	parties  = []Party{PartyRequester, PartyArchivist, PartyProducer}
	allTypes = []EventType{EvSubmit, EvReview, EvAskProducer, EvProducerAgree, EvProducerRefuse, EvGrant, EvRefuse, EvWithdraw, EvClose}
)

// requestIn builds a request in a state with one communicable unit (1) and one under a
// delay (2), as it would be there.
func requestIn(s RequestState) Request {
	sub := t0
	r := Request{State: s, Tenant: "cdg62/ruitz", SubmittedAt: &sub, Units: []RequestUnit{
		{UnitID: 1, Outcome: OutcomePending}, {UnitID: 2, Derogation: true, Outcome: OutcomePending}}}
	switch s {
	case StateDraft:
		r.SubmittedAt = nil
	case StateAwaitingProducer:
		r.Units[1].Agreement = AgreementAsked
	case StateProducerAgreed:
		r.Units[1].Agreement = AgreementGiven
	case StateProducerRefused:
		r.Units[1].Agreement, r.Units[1].Reasons = AgreementRefused, "secret des affaires"
	case StateGranted, StateRefused, StateClosed:
		o := OutcomeGranted
		if s == StateRefused {
			o = OutcomeRefused
		}
		r.Units[0].Outcome, r.Units[1].Outcome = o, o
		r.DecidedAt = &sub
	}
	return r
}

// allowed is every (event, state, party) the workflow accepts; everything else must be
// refused.
var allowed = map[string]bool{}

func init() {
	add := func(ev EventType, p Party, ss ...RequestState) {
		for _, s := range ss {
			allowed[fmt.Sprint(ev, s, p)] = true
		}
	}
	add(EvSubmit, PartyRequester, StateDraft)
	add(EvSubmit, PartyArchivist, StateDraft) // staff register a request for someone
	add(EvReview, PartyArchivist, StateSubmitted)
	add(EvAskProducer, PartyArchivist, StateSubmitted, StateUnderReview)
	add(EvProducerAgree, PartyProducer, StateAwaitingProducer)
	add(EvProducerRefuse, PartyProducer, StateAwaitingProducer)
	// Granting the communicable unit is possible in every open state (the unit under a
	// delay waits for the producer).
	add(EvGrant, PartyArchivist, StateSubmitted, StateUnderReview, StateAwaitingProducer, StateProducerAgreed, StateProducerRefused)
	add(EvRefuse, PartyArchivist, StateSubmitted, StateUnderReview, StateAwaitingProducer, StateProducerAgreed, StateProducerRefused)
	add(EvWithdraw, PartyRequester, StateDraft, StateSubmitted, StateUnderReview, StateAwaitingProducer, StateProducerAgreed, StateProducerRefused)
	add(EvClose, PartyArchivist, StateGranted, StateRefused)
}

func TestEveryMove(t *testing.T) {
	for _, s := range states {
		for _, ev := range allTypes {
			for _, p := range parties {
				_, err := Apply(requestIn(s), p, Event{Type: ev, Reasons: "motif", At: t0.Add(time.Hour)})
				want := allowed[fmt.Sprint(ev, s, p)]
				if (err == nil) != want {
					t.Errorf("%s by %s in %s: err = %v, want allowed = %v", ev, p, s, err, want)
				}
				if err != nil && !errors.Is(err, ErrInvalid) {
					t.Errorf("%s by %s in %s: refusal %v is not ErrInvalid (400)", ev, p, s, err)
				}
			}
		}
	}
}

func mustApply(t *testing.T, r Request, p Party, ev Event) Request {
	t.Helper()
	out, err := Apply(r, p, ev)
	if err != nil {
		t.Fatalf("%s by %s: %v", ev.Type, p, err)
	}
	return out
}

// TestDerogationPath: the walk — one communicable unit, one closed.
func TestDerogationPath(t *testing.T) {
	r := requestIn(StateDraft)
	r = mustApply(t, r, PartyRequester, Event{Type: EvSubmit, At: t0})
	if d, _ := r.Deadline(); !d.Equal(t0.AddDate(0, 2, 0)) {
		t.Errorf("deadline %v, want two months after registration", d)
	}
	r = mustApply(t, r, PartyArchivist, Event{Type: EvReview, At: t0})
	r = mustApply(t, r, PartyArchivist, Event{Type: EvGrant, Units: []int64{1}, At: t0})
	if r.Units[0].Outcome != OutcomeGranted || r.State != StateUnderReview {
		t.Fatalf("after granting the open unit: %+v", r)
	}
	if _, err := Apply(r, PartyArchivist, Event{Type: EvGrant, Units: []int64{2}, At: t0}); err == nil {
		t.Fatal("a unit under a delay was granted without the producer's agreement")
	}
	r = mustApply(t, r, PartyArchivist, Event{Type: EvAskProducer, At: t0})
	r = mustApply(t, r, PartyProducer, Event{Type: EvProducerAgree, At: t0})
	r = mustApply(t, r, PartyArchivist, Event{Type: EvGrant, Units: []int64{2}, At: t0.AddDate(0, 1, 0)})
	if r.State != StateGranted || r.DecidedAt == nil {
		t.Fatalf("after both grants: %+v", r)
	}
	if r.Overdue(t0.AddDate(0, 3, 0)) {
		t.Error("a decided request is not overdue")
	}
}

func TestRefusalNeedsReasons(t *testing.T) {
	r := requestIn(StateUnderReview)
	for _, reasons := range []string{"", "   "} {
		if _, err := Apply(r, PartyArchivist, Event{Type: EvRefuse, Reasons: reasons, At: t0}); err == nil {
			t.Errorf("refusal with reasons %q accepted", reasons)
		}
	}
	r = mustApply(t, requestIn(StateAwaitingProducer), PartyProducer, Event{Type: EvProducerRefuse, Reasons: "vie privée", At: t0})
	if r.State != StateProducerRefused {
		t.Fatalf("producer refusal: %s", r.State)
	}
	if _, err := Apply(r, PartyArchivist, Event{Type: EvGrant, Units: []int64{2}, At: t0}); err == nil {
		t.Error("a unit the producer refused was granted")
	}
	r = mustApply(t, r, PartyArchivist, Event{Type: EvGrant, Units: []int64{1}, At: t0})
	r = mustApply(t, r, PartyArchivist, Event{Type: EvRefuse, Units: []int64{2}, Reasons: "refus du producteur : vie privée (L213-2 I 3°)", At: t0})
	if r.State != StateGranted || r.Units[1].Outcome != OutcomeRefused || r.Units[1].Reasons == "" {
		t.Errorf("mixed decision: %+v", r)
	}
}

func TestOverdue(t *testing.T) {
	r := requestIn(StateUnderReview)
	due, _ := r.Deadline()
	if r.Overdue(due) || !r.Overdue(due.Add(time.Second)) {
		t.Errorf("overdue around the deadline %v: at %v, after %v", due, r.Overdue(due), r.Overdue(due.Add(time.Second)))
	}
	if requestIn(StateWithdrawn).Overdue(due.AddDate(1, 0, 0)) || requestIn(StateDraft).Overdue(due.AddDate(1, 0, 0)) {
		t.Error("a withdrawn request or a draft is never overdue")
	}
	leap := time.Date(2028, 12, 31, 0, 0, 0, 0, time.UTC)
	r.SubmittedAt = &leap
	if d, _ := r.Deadline(); d.Format("2006-01-02") != "2029-02-28" {
		t.Errorf("deadline from 31 December: %s, want the last day of February", d.Format("2006-01-02"))
	}
	aug := time.Date(2027, 8, 31, 0, 0, 0, 0, time.UTC)
	r.SubmittedAt = &aug
	if d, _ := r.Deadline(); d.Format("2006-01-02") != "2027-10-31" {
		t.Errorf("deadline from 31 August: %s", d.Format("2006-01-02"))
	}
}

func TestApplyDoesNotChangeItsInput(t *testing.T) {
	r := requestIn(StateUnderReview)
	mustApply(t, r, PartyArchivist, Event{Type: EvGrant, At: t0})
	if r.Units[0].Outcome != OutcomePending {
		t.Error("Apply changed the request it was given")
	}
}
