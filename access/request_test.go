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
	if d, _ := r.Deadline(); d.In(parisZone()).Format("2006-01-02") != "2026-05-10" {
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

// TestDeadlineInParis: the two months are counted on the calendar of Paris, whatever
// the server's zone, across midnight and the changes of summer time.
func TestDeadlineInParis(t *testing.T) {
	tests := []struct {
		name      string
		submitted time.Time
		want      string // the deadline's day in Paris
	}{
		{"22:30 UTC on 30 August is 31 August in Paris", time.Date(2026, 8, 30, 22, 30, 0, 0, time.UTC), "2026-10-31"},
		{"21:30 UTC on 30 August is still 30 August in Paris", time.Date(2026, 8, 30, 21, 30, 0, 0, time.UTC), "2026-10-30"},
		{"the night summer time starts", time.Date(2026, 3, 28, 23, 30, 0, 0, time.UTC), "2026-05-29"},
		{"the night summer time ends", time.Date(2026, 10, 24, 22, 30, 0, 0, time.UTC), "2026-12-25"},
		{"New Year's night in Paris", time.Date(2028, 12, 31, 23, 30, 0, 0, time.UTC), "2029-03-01"},
		{"31 December in Paris: the last day of February", time.Date(2028, 12, 31, 22, 30, 0, 0, time.UTC), "2029-02-28"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.submitted
			r := Request{State: StateSubmitted, SubmittedAt: &s}
			d, _ := r.Deadline()
			if got := d.In(parisZone()).Format("2006-01-02"); got != tt.want {
				t.Errorf("deadline of a request registered at %v: %s, want %s", s, got, tt.want)
			}
			if r.Overdue(d) || !r.Overdue(d.Add(time.Second)) {
				t.Errorf("overdue around %v: at %v, after %v", d, r.Overdue(d), r.Overdue(d.Add(time.Second)))
			}
		})
	}
}

// TestGrantUntil: a grant's last day may not have passed (in Paris) nor lie absurdly far.
func TestGrantUntil(t *testing.T) {
	night := time.Date(2026, 8, 30, 22, 30, 0, 0, time.UTC) // 31 August, 00:30 in Paris
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		name  string
		at    time.Time
		until time.Time
		ok    bool
	}{
		{"no date: the default length", t0, time.Time{}, true},
		{"long ago", t0, day(2000, 1, 1), false},
		{"yesterday", t0, day(2026, 3, 9), false},
		{"today: its last day", t0, day(2026, 3, 10), true},
		{"a year on", t0, day(2027, 3, 10), true},
		{"one hundred years on", t0, day(2126, 3, 10), true},
		{"one hundred years and a day", t0, day(2126, 3, 11), false},
		{"30 August is yesterday in Paris at 22:30 UTC", night, day(2026, 8, 30), false},
		{"31 August is today in Paris at 22:30 UTC", night, day(2026, 8, 31), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Apply(requestIn(StateUnderReview), PartyArchivist, Event{Type: EvGrant, Units: []int64{1}, At: tt.at, Until: tt.until})
			if (err == nil) != tt.ok {
				t.Errorf("grant until %s at %v: err = %v, want accepted = %v", tt.until.Format("2006-01-02"), tt.at, err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrInvalid) {
				t.Errorf("refusal %v is not ErrInvalid (400)", err)
			}
		})
	}
}

// TestWithdrawAfterPartialDecision: a withdrawal withdraws the undecided units only; the
// decided ones keep their outcome and the request is decided (it has its letter).
func TestWithdrawAfterPartialDecision(t *testing.T) {
	r := mustApply(t, requestIn(StateUnderReview), PartyArchivist, Event{Type: EvGrant, Units: []int64{1}, At: t0})
	at := t0.Add(time.Hour)
	r = mustApply(t, r, PartyRequester, Event{Type: EvWithdraw, At: at})
	if r.Units[0].Outcome != OutcomeGranted || r.Units[1].Outcome != OutcomeWithdrawn {
		t.Errorf("outcomes after the withdrawal: %+v", r.Units)
	}
	if r.State != StateGranted || r.DecidedAt == nil || !r.DecidedAt.Equal(at) {
		t.Errorf("a request withdrawn after a grant: state %s, decided %v; want granted, decided at the withdrawal", r.State, r.DecidedAt)
	}
	refused := mustApply(t, requestIn(StateUnderReview), PartyArchivist, Event{Type: EvRefuse, Units: []int64{2}, Reasons: "vie privée", At: t0})
	refused = mustApply(t, refused, PartyRequester, Event{Type: EvWithdraw, At: at})
	if refused.State != StateRefused || refused.DecidedAt == nil || refused.Units[0].Outcome != OutcomeWithdrawn {
		t.Errorf("a request withdrawn after a refusal: %+v", refused)
	}
	none := mustApply(t, requestIn(StateSubmitted), PartyRequester, Event{Type: EvWithdraw, At: at})
	if none.State != StateWithdrawn || none.DecidedAt != nil {
		t.Errorf("a request withdrawn before any decision: state %s, decided %v", none.State, none.DecidedAt)
	}
}

// TestStaffRecordWithdrawal: staff record the withdrawal of a request they registered
// (the person may have no account), not of a request someone made on line.
func TestStaffRecordWithdrawal(t *testing.T) {
	for _, byStaff := range []bool{true, false} {
		for _, p := range parties {
			r := requestIn(StateUnderReview)
			r.ByStaff = byStaff
			_, err := Apply(r, p, Event{Type: EvWithdraw, At: t0})
			want := p == PartyRequester || p == PartyArchivist && byStaff
			if (err == nil) != want {
				t.Errorf("withdrawal by %s of a request registered by staff = %v: err = %v, want allowed = %v", p, byStaff, err, want)
			}
		}
	}
}

// TestAskProducerAgain: after the producer answered, a unit under a delay not asked yet
// can still be asked about (no unit, no ask).
func TestAskProducerAgain(t *testing.T) {
	r := requestIn(StateProducerAgreed)
	r.Units = append(r.Units, RequestUnit{UnitID: 3, Derogation: true, Outcome: OutcomePending})
	r = mustApply(t, r, PartyArchivist, Event{Type: EvAskProducer, At: t0})
	if r.State != StateAwaitingProducer || r.Units[2].Agreement != AgreementAsked || r.Units[1].Agreement != AgreementGiven {
		t.Errorf("asked again: %+v", r)
	}
}

func TestTenantProducer(t *testing.T) {
	tests := []struct {
		a    Assignment
		want bool
	}{
		{Assignment{Role: RoleProducer, Domain: "cdg62/ruitz"}, true},
		{Assignment{Role: RoleProducer, Domain: "cdg62"}, false},
		{Assignment{Role: RoleProducer, Domain: "cdg62/*"}, false},
		{Assignment{Role: RoleProducer, Domain: "*"}, false},
		{Assignment{Role: RoleProducer, Domain: "cdg62/ruitz/annexe"}, false},
		{Assignment{Role: RoleArchivist, Domain: "cdg62/ruitz"}, false},
		{Assignment{Role: RoleReader, Domain: "cdg62/ruitz"}, false},
	}
	for _, tt := range tests {
		if got := TenantProducer(tt.a, "cdg62/ruitz"); got != tt.want {
			t.Errorf("%+v producer of cdg62/ruitz = %v, want %v", tt.a, got, tt.want)
		}
	}
}
