package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
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
	// Each move's entry names the units it concerns, so the journal filtered by a unit
	// finds the decision that opened it (and not the one that opened the other unit).
	for unit, want := range map[string][]string{
		"E-NAISSANCES": {"submit", "grant", "ask-producer", "producer-agree"},
		"E-MARIAGES":   {"submit", "ask-producer", "producer-agree", "grant"},
	} {
		es, err := st.JournalEntries(ctx, store.JournalFilter{UnitID: ids[unit]})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range es {
			got = append(got, e.Detail)
		}
		if !slices.Equal(got, want) {
			t.Errorf("journal of %s: %v, want %v", unit, got, want)
		}
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
	q, err := st.RequestQueue(ctx, store.QueueFilter{Covered: []string{"queue"}, OpenOnly: true}, now)
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
	if q, _ := st.RequestQueue(ctx, store.QueueFilter{Covered: []string{"other"}, OpenOnly: true}, now); len(q) != 0 {
		t.Errorf("another operator sees this queue: %+v", q)
	}
	// A producer sees its own tenant's queue only, not a parent's producer a child's.
	if q, _ := st.RequestQueue(ctx, store.QueueFilter{Exact: []string{"queue/ruitz"}, OpenOnly: true}, now); len(q) != 3 {
		t.Errorf("the tenant's producer sees %d requests, want 3", len(q))
	}
	if q, _ := st.RequestQueue(ctx, store.QueueFilter{Exact: []string{"queue"}, OpenOnly: true}, now); len(q) != 0 {
		t.Errorf("the parent tenant's producer sees the child's requests: %+v", q)
	}
	// The tenant filter narrows the queue, never widens it.
	if q, _ := st.RequestQueue(ctx, store.QueueFilter{Covered: []string{"queue"}, Tenant: "queue/ruitz"}, now); len(q) != 3 {
		t.Errorf("filtered on its tenant: %d requests, want 3", len(q))
	}
	if q, _ := st.RequestQueue(ctx, store.QueueFilter{Covered: []string{"queue"}, Tenant: "queue/other"}, now); len(q) != 0 {
		t.Errorf("filtered on another tenant: %d requests", len(q))
	}
	if q, _ := st.RequestQueue(ctx, store.QueueFilter{Covered: []string{"other"}, Tenant: "queue/ruitz"}, now); len(q) != 0 {
		t.Errorf("the tenant filter widened another operator's queue: %+v", q)
	}
}

// TestDerogationOverSubtree: a unit needs a dérogation when it or any unit below it is
// still closed, since a grant opens its whole subtree.
func TestDerogationOverSubtree(t *testing.T) {
	ctx := context.Background()
	ids := ruitzUnits(t, "subtree/ruitz")
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	closed, err := st.ClosedSubtrees(ctx, []int64{ids["FONDS"], ids["SERIE-W"], ids["W-PERSONNEL"], ids["SERIE-D"], ids["D12"]}, now)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		unit       string
		derogation bool
		self       bool
		below      bool
	}{
		{"FONDS", true, false, true},       // communicable, closed files below
		{"SERIE-W", true, false, true},     // communicable, W 1234 below is closed
		{"W-PERSONNEL", true, true, false}, // itself closed, nothing below
		{"SERIE-D", false, false, false},   // everything open
		{"D12", false, false, false},       // open leaf
	}
	for _, tt := range tests {
		c := closed[ids[tt.unit]]
		if c.Derogation() != tt.derogation || c.Self != tt.self || (c.Below > 0) != tt.below {
			t.Errorf("%s: %+v, want derogation %v (self %v, closed below %v)", tt.unit, c, tt.derogation, tt.self, tt.below)
		}
		id, err := st.CreateRequest(ctx, store.NewRequest{Tenant: "subtree/ruitz", Reason: "r", Mode: store.ModeOnline,
			Requester: store.Requester{Name: "P"}, UnitIDs: []int64{ids[tt.unit]}}, now)
		if err != nil {
			t.Fatal(err)
		}
		r, err := st.Request(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if r.Units[0].Derogation != tt.derogation {
			t.Errorf("a request for %s: derogation %v, want %v", tt.unit, r.Units[0].Derogation, tt.derogation)
		}
	}
}

// TestGrantOnParentNeedsProducer: granting a communicable series does not open the
// closed file below it without the producer's agreement; with it, it does.
func TestGrantOnParentNeedsProducer(t *testing.T) {
	ctx := context.Background()
	ids := ruitzUnits(t, "parent/ruitz")
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	citizen := access.Principal{Subject: "sub-parent", Email: "parent@example.fr", Name: "Paul"}
	id, err := st.CreateRequest(ctx, store.NewRequest{Tenant: "parent/ruitz", Reason: "Histoire", Mode: store.ModeOnline,
		Requester: store.Requester{Subject: citizen.Subject, Email: citizen.Email, Name: citizen.Name}, UnitIDs: []int64{ids["SERIE-W"]}}, now)
	if err != nil {
		t.Fatal(err)
	}
	act := func(p access.Party, ev access.Event) error {
		ev.At = now
		_, err := st.ApplyRequestEvent(ctx, id, store.RequestAction{Party: p, Actor: access.Principal{Subject: "x"}, Event: ev,
			Journal: access.JournalEntry{Action: access.ActionRequestEvent}})
		return err
	}
	personnel, _ := st.Unit(ctx, ids["W-PERSONNEL"])
	visible := func() access.Visibility {
		grants, err := st.GrantsOf(ctx, citizen)
		if err != nil {
			t.Fatal(err)
		}
		return access.Scope{Grants: grants, Today: access.Today(now)}.Visibility(store.ViewOf(personnel))
	}
	if err := act(access.PartyRequester, access.Event{Type: access.EvSubmit}); err != nil {
		t.Fatal(err)
	}
	if err := act(access.PartyArchivist, access.Event{Type: access.EvGrant, Units: []int64{ids["SERIE-W"]}}); !errors.Is(err, sesam.ErrInvalid) {
		t.Errorf("grant of the series without the producer: %v, want a refusal", err)
	}
	if err := act(access.PartyArchivist, access.Event{Type: access.EvGrant}); !errors.Is(err, sesam.ErrInvalid) {
		t.Errorf("grant of everything without the producer: %v, want a refusal", err)
	}
	if v := visible(); v != access.Hidden {
		t.Fatalf("the closed file below the series is open to the requester (%v) without the producer's agreement", v)
	}
	for _, ev := range []access.Event{{Type: access.EvAskProducer}, {Type: access.EvProducerAgree}, {Type: access.EvGrant}} {
		p := access.PartyArchivist
		if ev.Type == access.EvProducerAgree {
			p = access.PartyProducer
		}
		if err := act(p, ev); err != nil {
			t.Fatalf("%s: %v", ev.Type, err)
		}
	}
	if v := visible(); v != access.Full {
		t.Errorf("after the producer's agreement and the grant, the file below is %v, want visible", v)
	}
}

// TestWithdrawAfterPartialGrant: the grant made stays, the rest is withdrawn, and the
// requester gets the decision notice (so the letter exists for the decided unit).
func TestWithdrawAfterPartialGrant(t *testing.T) {
	ctx := context.Background()
	ids := ruitzUnits(t, "withdraw/ruitz")
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	id, err := st.CreateRequest(ctx, store.NewRequest{Tenant: "withdraw/ruitz", Reason: "r", Mode: store.ModeOnline,
		Requester:    store.Requester{Name: "Lettre Seule", Contact: "12 rue de la Mairie\n62620 Ruitz\nCourriel : lettre.seule@example.fr"},
		RegisteredBy: "archiviste@cdg62.fr", UnitIDs: []int64{ids["D12"], ids["W-PERSONNEL"]}}, now)
	if err != nil {
		t.Fatal(err)
	}
	staff := access.Principal{Subject: "sub-arch", Name: "Ariane"}
	for i, ev := range []access.Event{{Type: access.EvSubmit}, {Type: access.EvGrant, Units: []int64{ids["D12"]}}, {Type: access.EvWithdraw}} {
		ev.At = now.Add(time.Duration(i) * time.Hour)
		if _, err := st.ApplyRequestEvent(ctx, id, store.RequestAction{Party: access.PartyArchivist, Actor: staff, Event: ev,
			Journal: access.JournalEntry{Action: access.ActionRequestEvent}}); err != nil {
			t.Fatalf("%s by staff: %v", ev.Type, err)
		}
	}
	r, err := st.Request(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if r.State != access.StateGranted || r.DecidedAt == nil || r.Units[0].Outcome != access.OutcomeGranted ||
		r.Units[1].Outcome != access.OutcomeWithdrawn {
		t.Errorf("after the withdrawal: state %s, decided %v, units %+v", r.State, r.DecidedAt, r.Units)
	}
	if d := r.UnitDecided[ids["D12"]]; d == nil || !d.Equal(now.Add(time.Hour)) {
		t.Errorf("the grant's date: %v, want %v", d, now.Add(time.Hour))
	}
	if _, ok := r.GrantUntil[ids["D12"]]; !ok {
		t.Errorf("the grant made before the withdrawal is gone: %+v", r.GrantUntil)
	}
	if n := count(t, `SELECT count(*) FROM outbox WHERE request_id = $1 AND subject LIKE 'Décision%' AND recipient = 'lettre.seule@example.fr'
		AND body LIKE '%demande retirée%'`, id); n != 1 {
		t.Errorf("decision notices to the address in the contact: %d, want 1", n)
	}
}

// TestNotifyRecipient: a contact is never used as an address as it is; one valid
// address is taken from it, or none.
func TestNotifyRecipient(t *testing.T) {
	tests := []struct{ contact, want string }{
		{"camille@example.fr", "camille@example.fr"},
		{"12 rue de la Mairie\n62620 Ruitz\nCamille.Martin@Example.fr", "camille.martin@example.fr"},
		{"Camille Martin <camille@example.fr>, tél. 03 21 00 00 00", "camille@example.fr"},
		{"courriel : (camille@example.fr).", "camille@example.fr"},
		{"12 rue de la Mairie, 62620 Ruitz", ""},
		{"chez @mairie, 62620 Ruitz", ""},
		{"camille@", ""},
		{"a@b@c.fr", ""},
		{"courriel : x@intranet", "x@intranet"},
	}
	for _, tt := range tests {
		if got := store.EmailIn(tt.contact); got != tt.want {
			t.Errorf("EmailIn(%q) = %q, want %q", tt.contact, got, tt.want)
		}
	}
	ctx := context.Background()
	ids := ruitzUnits(t, "notify/ruitz")
	_, err := st.CreateRequest(ctx, store.NewRequest{Tenant: "notify/ruitz", Reason: "r", Mode: store.ModeOnline,
		Requester: store.Requester{Name: "P", Email: "pas une adresse"}, UnitIDs: []int64{ids["D12"]}}, time.Now())
	if !errors.Is(err, sesam.ErrInvalid) {
		t.Errorf("a request with a bad e-mail: %v, want ErrInvalid", err)
	}
}

// TestGrantCache: a person's grants are kept a moment between requests, yet a grant
// decided through any Store of the process counts at once, and a change made by another
// process (here straight in SQL, as another portal instance or an administrator would)
// within a few seconds: a revoked dérogation stops opening its unit.
func TestGrantCache(t *testing.T) {
	ctx := context.Background()
	other := secondStore(t)
	ids := ruitzUnits(t, "req/cache")
	now := time.Now()
	citizen := access.Principal{Subject: "sub-cache", Email: "Dominique@Example.fr", Name: "Dominique Cache"}
	grants := func(s *store.Store) int {
		t.Helper()
		gs, err := s.GrantsOf(ctx, citizen)
		if err != nil {
			t.Fatal(err)
		}
		return len(gs)
	}
	id, err := st.CreateRequest(ctx, store.NewRequest{Tenant: "req/cache", Reason: "Cache", Mode: store.ModeOnline,
		Requester: store.Requester{Subject: citizen.Subject, Email: citizen.Email, Name: citizen.Name},
		UnitIDs:   []int64{ids["E-NAISSANCES"]}}, now)
	if err != nil {
		t.Fatal(err)
	}
	if grants(st) != 0 || grants(other) != 0 { // both caches now hold "no grant"
		t.Fatal("grants before any decision")
	}
	for _, ev := range []access.Event{{Type: access.EvSubmit}, {Type: access.EvGrant, Units: []int64{ids["E-NAISSANCES"]}}} {
		ev.At = now
		if _, err := st.ApplyRequestEvent(ctx, id, store.RequestAction{Party: access.PartyArchivist,
			Actor: access.Principal{Subject: "sub-arch"}, Event: ev,
			Journal: access.JournalEntry{Action: access.ActionRequestEvent, Detail: string(ev.Type)}}); err != nil {
			t.Fatalf("%s: %v", ev.Type, err)
		}
	}
	if grants(other) != 1 {
		t.Fatal("a grant decided in this process is not seen at once by the other store")
	}

	// Another process: nothing here tells the cache; it must still follow.
	if _, err := st.Pool().Exec(ctx, `UPDATE access_grant SET revoked_at = now() WHERE request_id = $1`, id); err != nil {
		t.Fatal(err)
	}
	within(t, 5*time.Second, "a grant revoked by another process stops counting", func() bool { return grants(other) == 0 && grants(st) == 0 })
}
