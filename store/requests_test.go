package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"sesam"
	"sesam/access"
	"sesam/store"
	"sesam/store/storetest"
)

// ruitzUnits imports the hand-made Ruitz transfer into a tenant and returns its unit
// ids by manifest id.
func ruitzUnits(t *testing.T, tenant string) map[string]int64 {
	t.Helper()
	dir, err := storetest.RuitzPackage(t.TempDir(), filepath.Join("..", "..", "shared", "testdata", "pdf"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := st.Import(context.Background(), addTenant(t, tenant), dir, store.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return sedaIDs(t, res.TransferID)
}

func journalCount(t *testing.T) int64 { return count(t, `SELECT count(*) FROM journal`) }

func TestRequestWorkflowInStore(t *testing.T) {
	ctx := context.Background()
	ids := ruitzUnits(t, "req/ruitz")
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	citizen := access.Principal{Subject: "sub-citoyen", Email: "Camille@Example.fr", Name: "Camille Martin"}
	id, err := st.CreateRequest(ctx, store.NewRequest{Tenant: "req/ruitz", Reason: "Recherche généalogique", Mode: store.ModeOnline,
		Requester: store.Requester{Subject: citizen.Subject, Email: citizen.Email, Name: citizen.Name},
		UnitIDs:   []int64{ids["E-NAISSANCES"], ids["E-MARIAGES"]}}, now)
	if err != nil {
		t.Fatal(err)
	}
	r, err := st.Request(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if r.State != access.StateDraft || r.Units[0].Derogation || !r.Units[1].Derogation {
		t.Fatalf("draft: %+v", r.Request)
	}
	move := func(p access.Party, who access.Principal, ev access.Event, producers ...string) *store.RequestRecord {
		t.Helper()
		ev.At = now
		r, err := st.ApplyRequestEvent(ctx, id, store.RequestAction{Party: p, Actor: who, Event: ev, ProducerEmails: producers,
			Journal: access.JournalEntry{Action: access.ActionRequestEvent, Subject: who.Subject, Detail: string(ev.Type)}})
		if err != nil {
			t.Fatalf("%s: %v", ev.Type, err)
		}
		return r
	}
	archivist := access.Principal{Subject: "sub-arch", Name: "Ariane Archiviste"}
	j0 := journalCount(t)
	move(access.PartyRequester, citizen, access.Event{Type: access.EvSubmit})
	if n := count(t, `SELECT count(*) FROM outbox WHERE request_id = $1 AND recipient = 'camille@example.fr'`, id); n != 1 {
		t.Errorf("acknowledgement to the requester: %d messages", n)
	}
	move(access.PartyArchivist, archivist, access.Event{Type: access.EvGrant, Units: []int64{ids["E-NAISSANCES"]}})
	grants, err := st.GrantsOf(ctx, access.Principal{Email: "camille@example.fr"})
	if err != nil || len(grants) != 1 || !grants[0].Online {
		t.Fatalf("grants after the first decision: %+v %v", grants, err)
	}
	// A refusal without reasons is refused and writes nothing.
	before := count(t, `SELECT count(*) FROM access_request_event WHERE request_id = $1`, id)
	_, err = st.ApplyRequestEvent(ctx, id, store.RequestAction{Party: access.PartyArchivist, Actor: archivist,
		Event: access.Event{Type: access.EvRefuse, At: now}, Journal: access.JournalEntry{Action: access.ActionRequestDecision}})
	if !errors.Is(err, sesam.ErrInvalid) {
		t.Errorf("refusal without reasons: %v", err)
	}
	if after := count(t, `SELECT count(*) FROM access_request_event WHERE request_id = $1`, id); after != before {
		t.Errorf("a refused move wrote %d events", after-before)
	}
	move(access.PartyArchivist, archivist, access.Event{Type: access.EvAskProducer}, "maire@ruitz.fr")
	if n := count(t, `SELECT count(*) FROM outbox WHERE request_id = $1 AND recipient = 'maire@ruitz.fr'`, id); n != 1 {
		t.Errorf("producer asked: %d messages", n)
	}
	move(access.PartyProducer, access.Principal{Subject: "sub-maire"}, access.Event{Type: access.EvProducerAgree})
	r = move(access.PartyArchivist, archivist, access.Event{Type: access.EvGrant, Units: []int64{ids["E-MARIAGES"]},
		Until: now.AddDate(0, 6, 0)})
	if r.State != access.StateGranted || len(r.Events) != 5 {
		t.Errorf("after the dérogation: state %s, %d events", r.State, len(r.Events))
	}
	if got := journalCount(t) - j0; got != 5 {
		t.Errorf("%d journal entries for 5 moves", got)
	}
	if n := count(t, `SELECT count(*) FROM outbox WHERE request_id = $1 AND subject LIKE 'Décision%'`, id); n != 1 {
		t.Errorf("decision notices: %d", n)
	}
	unsent, err := st.UnsentMessages(ctx, 100)
	if err != nil || len(unsent) < 3 {
		t.Fatalf("unsent messages: %d %v", len(unsent), err)
	}
	if err := st.MarkSent(ctx, unsent[0].ID, nil, now); err != nil {
		t.Fatal(err)
	}
	if again, _ := st.UnsentMessages(ctx, 100); len(again) != len(unsent)-1 {
		t.Errorf("a sent message is still waiting")
	}
	// The grants feed the scope: the marriage register is visible to the citizen only,
	// until its day.
	grants, _ = st.GrantsOf(ctx, citizen)
	scope := access.Scope{Grants: grants, Today: access.DayNumber(now)}
	u, _ := st.Unit(ctx, ids["E-MARIAGES"])
	if scope.Visibility(store.ViewOf(u)) != access.Full {
		t.Errorf("the granted closed unit is not visible to the requester")
	}
	scope.Today = access.DayNumber(now.AddDate(0, 6, 1))
	if scope.Visibility(store.ViewOf(u)) != access.Hidden {
		t.Errorf("the grant did not expire")
	}
	other, _ := st.GrantsOf(ctx, access.Principal{Subject: "someone-else", Email: "x@y.fr"})
	if len(other) != 0 {
		t.Errorf("another person has the grants: %+v", other)
	}
}

func TestRequestQueueOrder(t *testing.T) {
	ctx := context.Background()
	ids := ruitzUnits(t, "queue/ruitz")
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	mk := func(submitted time.Time) int64 {
		id, err := st.CreateRequest(ctx, store.NewRequest{Tenant: "queue/ruitz", Reason: "r", Mode: store.ModeReadingRoom,
			Requester: store.Requester{Name: "P", Contact: "1 rue de la Mairie, Ruitz"}, UnitIDs: []int64{ids["D12"]}}, submitted)
		if err != nil {
			t.Fatal(err)
		}
		_, err = st.ApplyRequestEvent(ctx, id, store.RequestAction{Party: access.PartyArchivist, Actor: access.Principal{Subject: "a"},
			Event: access.Event{Type: access.EvSubmit, At: submitted}, Journal: access.JournalEntry{Action: access.ActionRequestEvent}})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	recent := mk(now.AddDate(0, 0, -10))
	old := mk(now.AddDate(0, -3, 0)) // overdue
	middle := mk(now.AddDate(0, -1, 0))
	q, err := st.RequestQueue(ctx, []string{"queue"}, true, now)
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, r := range q {
		got = append(got, r.ID)
	}
	if len(got) != 3 || got[0] != old || got[1] != middle || got[2] != recent || !q[0].Overdue || q[1].Overdue {
		t.Errorf("queue order = %v (overdue %v), want %v", got, q[0].Overdue, []int64{old, middle, recent})
	}
	if q, _ := st.RequestQueue(ctx, []string{"other"}, true, now); len(q) != 0 {
		t.Errorf("another operator sees this queue: %+v", q)
	}
}
