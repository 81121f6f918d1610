package portal

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"sesam/access"
	"sesam/store"
)

// actor is a person of the request walk, with a session of their own.
type actor struct {
	sess  store.Session
	token string
}

func newActor(t *testing.T, s store.Session) *actor {
	t.Helper()
	a := &actor{sess: s, token: "walk-" + randomToken()}
	// The session outlives the tests' clocks moved a month or two on (an expired grant
	// must be seen by its holder still logged in, not by the public).
	a.sess.CSRF, a.sess.ExpiresAt = "csrf-"+a.token, time.Now().AddDate(1, 0, 0)
	if err := tStore.CreateSession(context.Background(), a.token, a.sess); err != nil {
		t.Fatal(err)
	}
	return a
}

// send makes a request as the actor (nil: the public) on app.
func (ac *actor) send(t *testing.T, app *App, method, path string, form url.Values) response {
	t.Helper()
	var req *http.Request
	if form != nil {
		if ac != nil {
			form.Set(csrfField, ac.sess.CSRF)
		}
		req = httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req = httptest.NewRequest(method, path, nil)
	}
	if ac != nil {
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: ac.token})
	}
	resp, err := app.Handler().Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b.String()}
}

func (ac *actor) api(t *testing.T, app *App, method, path string, body any, out any) int {
	t.Helper()
	var req *http.Request
	if body != nil {
		b, _ := json.Marshal(body)
		req = httptest.NewRequest(method, path, strings.NewReader(string(b)))
		req.Header.Set("Content-Type", "application/json")
	} else {
		req = httptest.NewRequest(method, path, nil)
	}
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: ac.token})
	req.Header.Set("X-CSRF-Token", ac.sess.CSRF)
	resp, err := app.Handler().Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode
}

// TestRequestWalk is the walk: a citizen asks for two units (one communicable,
// one closed); the archivist grants the first and asks the producer for the second;
// the producer agrees; the archivist grants it; the citizen downloads a stamped copy
// naming the request; when the grant expires, the unit is gone for them. And each
// person's attempts at the others' steps fail.
func TestRequestWalk(t *testing.T) {
	ctx := context.Background()
	for _, a := range []access.Assignment{{Subject: "maire@ruitz.fr", Role: access.RoleProducer, Domain: "cdg62/ruitz"},
		{Subject: "maire@lille.fr", Role: access.RoleProducer, Domain: "cdg59/lille"}} {
		if _, err := tRights.Grant(a); err != nil {
			t.Fatal(err)
		}
	}
	citizen := newActor(t, store.Session{Subject: "sub-camille", Email: "camille@exemple.fr", Name: "Camille Martin"})
	other := newActor(t, store.Session{Subject: "sub-dominique", Email: "dominique@exemple.fr", Name: "Dominique"})
	arch := newActor(t, *archiviste)
	maire := newActor(t, store.Session{Subject: "sub-maire", Email: "maire@ruitz.fr", Name: "Marie Maire"})
	maireLille := newActor(t, store.Session{Subject: "sub-maire-lille", Email: "maire@lille.fr", Name: "Maire de Lille"})
	open, closed := ruitz["D12"], ruitz["W-PERSONNEL"]

	// The citizen cannot see the closed unit, so cannot put it in a basket directly...
	if r := citizen.send(t, tApp, "POST", "/basket", url.Values{"unit": {strconv.FormatInt(closed, 10)}}); r.status != 404 {
		t.Errorf("basket with a hidden unit: %d", r.status)
	}
	// ...but the fonds' public description lets staff register it by cote; here the
	// citizen asks through the API for the open unit, and staff add the closed one below.
	var created struct{ Requests []requestDoc }
	if s := citizen.api(t, tApp, "POST", "/api/v1/requests", map[string]any{"units": []int64{open}, "reason": "Histoire locale",
		"mode": "online"}, &created); s != http.StatusCreated || len(created.Requests) != 1 {
		t.Fatalf("citizen's request: %d %+v", s, created)
	}
	// A request for both units registered by the archivist for the citizen (who wrote a letter).
	r := arch.send(t, tApp, "POST", "/staff/requests", url.Values{"tenant": {"cdg62/ruitz"}, "name": {"Camille Martin"},
		"email": {"camille@exemple.fr"}, "cotes": {"1 D 12\nW 1234"}, "reason": {"Histoire locale"}, "mode": {"online"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("registration: %d %s", r.status, r.body)
	}
	id, _ := strconv.ParseInt(strings.TrimPrefix(r.header.Get("Location"), "/requests/"), 10, 64)
	path := fmt.Sprintf("/requests/%d", id)
	ev := func(a *actor, typ string, extra url.Values) response {
		if extra == nil {
			extra = url.Values{}
		}
		extra.Set("type", typ)
		return a.send(t, tApp, "POST", path+"/events", extra)
	}
	mustStatus := func(what string, r response, want int) {
		t.Helper()
		if r.status != want {
			t.Fatalf("%s: %d, want %d: %.300s", what, r.status, want, r.body)
		}
	}
	// The citizen sees the request (same e-mail), others do not.
	mustStatus("requester sees it", citizen.send(t, tApp, "GET", path, nil), 200)
	mustStatus("another citizen", other.send(t, tApp, "GET", path, nil), 404)
	mustStatus("the public", (*actor)(nil).send(t, tApp, "GET", path, nil), 401)
	// The citizen cannot decide; the producer cannot grant.
	mustStatus("citizen grants", ev(citizen, "grant", nil), 403)
	mustStatus("producer grants", ev(maire, "grant", nil), 403)
	mustStatus("archivist grants the open unit", ev(arch, "grant", url.Values{"unit": {strconv.FormatInt(open, 10)}}), 303)
	mustStatus("refusal without reasons", ev(arch, "refuse", url.Values{"unit": {strconv.FormatInt(closed, 10)}}), 400)
	mustStatus("closed unit granted without agreement", ev(arch, "grant", url.Values{"unit": {strconv.FormatInt(closed, 10)}}), 400)
	mustStatus("ask the producer", ev(arch, "ask-producer", nil), 303)
	mustStatus("another tenant's producer agrees", ev(maireLille, "producer-agree", nil), 404)
	mustStatus("producer agrees", ev(maire, "producer-agree", nil), 303)
	until := time.Now().AddDate(0, 0, 30).Format("2006-01-02")
	mustStatus("archivist grants the closed unit", ev(arch, "grant", url.Values{"unit": {strconv.FormatInt(closed, 10)}, "until": {until}}), 303)

	page := citizen.send(t, tApp, "GET", path, nil)
	mustContain(t, "request page", page.body, "accordée", "Personnel communal", "Lettre de décision")
	letter := citizen.send(t, tApp, "GET", path+"/letter", nil)
	if letter.status != 200 || letter.header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("decision letter: %d %s", letter.status, letter.header.Get("Content-Type"))
	}
	if text := pdfText(t, letter.body); !strings.Contains(text, "W 1234") || !strings.Contains(text, "Camille Martin") ||
		!strings.Contains(text, "accordée") || !strings.Contains(text, "CDG 62") {
		t.Errorf("the letter must name the requester, the units and the decision: %.500q", text)
	}
	mustStatus("another citizen's letter", other.send(t, tApp, "GET", path+"/letter", nil), 404)
	if n := countJournalRequest(t, id); n != 5 {
		t.Errorf("%d journal entries for the request, want 5 (submit, 2 grants, ask, agree)", n)
	}

	// The citizen now sees the closed unit and downloads a stamped copy naming the request.
	mustStatus("granted unit", citizen.send(t, tApp, "GET", unitPath("W-PERSONNEL"), nil), 200)
	objs, _ := tStore.UnitObjects(ctx, closed)
	dl := citizen.send(t, tApp, "GET", fmt.Sprintf("/objects/%d", objs[0].ID), nil)
	mustStatus("download under the grant", dl, 200)
	if text := pdfText(t, dl.body); !strings.Contains(text, "Camille Martin") || !strings.Contains(text, fmt.Sprint(id)) {
		t.Errorf("the copy must name the reader and the request: %.300q", text)
	}
	mustStatus("someone else", other.send(t, tApp, "GET", unitPath("W-PERSONNEL"), nil), 404)
	// The citizen searches and finds it too (same rights model).
	if r := citizen.send(t, tApp, "GET", searchPath("personnel communal"), nil); !strings.Contains(r.body, "des agents") {
		t.Errorf("the granted unit is not in the citizen's search")
	}
	// Once the grant has expired the unit disappears for them.
	later, err := New(ctx, Config{Addr: "127.0.0.1:0", DevLogin: true, SearchRate: 10000, LoginRate: 10000},
		Deps{Store: tStore, Index: tIndex, Rights: tRights, Journal: tJournal, Stamper: tStamper,
			Now: func() time.Time { return time.Now().AddDate(0, 0, 31) }})
	if err != nil {
		t.Fatal(err)
	}
	mustStatus("still logged in later", citizen.send(t, later, "GET", "/requests", nil), 200)
	mustStatus("after the grant", citizen.send(t, later, "GET", unitPath("W-PERSONNEL"), nil), 404)
	if r := citizen.send(t, later, "GET", searchPath("personnel communal"), nil); strings.Contains(r.body, "des agents") {
		t.Errorf("the expired grant still shows the unit in search")
	}

	// The staff queue shows the request to the archivist, not to Lille's producer.
	mustContain(t, "queue", arch.send(t, tApp, "GET", "/staff/requests?all=1", nil).body, path)
	if r := maireLille.send(t, tApp, "GET", "/staff/requests?all=1", nil); strings.Contains(r.body, path) {
		t.Errorf("another tenant's producer sees the request in the queue")
	}
	// The citizen's "Mes demandes" lists both requests; the other citizen's lists none.
	mustContain(t, "my requests", citizen.send(t, tApp, "GET", "/requests", nil).body, path)
	if r := other.send(t, tApp, "GET", "/requests", nil); strings.Contains(r.body, path) {
		t.Errorf("another citizen sees the request in their list")
	}
	// Notifications were written: acknowledgement, producer asked, decision.
	var n int64
	tStore.Pool().QueryRow(ctx, `SELECT count(*) FROM outbox WHERE request_id = $1`, id).Scan(&n)
	if n != 3 {
		t.Errorf("%d notifications, want 3", n)
	}
}

func countJournalRequest(t *testing.T, id int64) int64 {
	t.Helper()
	var n int64
	tStore.Pool().QueryRow(context.Background(), `SELECT count(*) FROM journal WHERE request_id = $1`, id).Scan(&n)
	return n
}

// TestRefusalLetter: a refusal states its reasons and the remedies in the letter.
func TestRefusalLetter(t *testing.T) {
	arch := newActor(t, *archiviste)
	r := arch.send(t, tApp, "POST", "/staff/requests", url.Values{"tenant": {"cdg62/ruitz"}, "name": {"Łukasz Żółć"},
		"contact": {"12 rue de la Mairie\n62620 Ruitz"}, "cotes": {"3 E 12/40"}, "reason": {"Généalogie"}, "mode": {"reading_room"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("registration: %d %s", r.status, r.body)
	}
	path := r.header.Get("Location")
	if r := arch.send(t, tApp, "POST", path+"/events", url.Values{"type": {"refuse"},
		"reasons": {"Registre de mariages de moins de 75 ans : atteinte à la vie privée (L213-2 I 4° e)."}}); r.status != http.StatusSeeOther {
		t.Fatalf("refusal: %d %s", r.status, r.body)
	}
	letter := arch.send(t, tApp, "GET", path+"/letter", nil)
	text := pdfText(t, letter.body)
	for _, want := range []string{"Łukasz Żółć", "62620 Ruitz", "3 E 12/40", "refusée", "vie privée", "CADA"} {
		if !strings.Contains(text, want) {
			t.Errorf("refusal letter: want %q", want)
		}
	}
}

// appAt is the portal with its clock at now.
func appAt(t *testing.T, now time.Time) *App {
	t.Helper()
	app, err := New(context.Background(), Config{Addr: "127.0.0.1:0", DevLogin: true, SearchRate: 10000, LoginRate: 10000},
		Deps{Store: tStore, Index: tIndex, Rights: tRights, Journal: tJournal, Stamper: tStamper, Log: testLog,
			Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	return app
}

// register has the archivist register a request for someone and returns its path.
func register(t *testing.T, app *App, arch *actor, form url.Values) string {
	t.Helper()
	for k, v := range map[string]string{"tenant": "cdg62/ruitz", "reason": "Histoire locale", "mode": "online"} {
		if form.Get(k) == "" {
			form.Set(k, v)
		}
	}
	r := arch.send(t, app, "POST", "/staff/requests", form)
	if r.status != http.StatusSeeOther {
		t.Fatalf("registration: %d %.300s", r.status, r.body)
	}
	return r.header.Get("Location")
}

func grantRole(t *testing.T, as ...access.Assignment) {
	t.Helper()
	for _, a := range as {
		if _, err := tRights.Grant(a); err != nil {
			t.Fatal(err)
		}
	}
}

// apiError is the body of an API refusal.
type apiError struct {
	Error struct{ Code, Message, Detail string }
}

// TestRequestAPIEvents walks a request through POST /api/v1/requests/{id}/events: a
// communicable series with a closed file below needs the producer's agreement; a grant
// end date in the past or a century away is refused with a clear 400; the producer of
// a parent tenant can neither see nor agree; the tenant's producer agrees unit by unit.
func TestRequestAPIEvents(t *testing.T) {
	grantRole(t, access.Assignment{Subject: "maire@ruitz.fr", Role: access.RoleProducer, Domain: "cdg62/ruitz"},
		access.Assignment{Subject: "prefet@cdg62.fr", Role: access.RoleProducer, Domain: "cdg62"})
	citizen := newActor(t, store.Session{Subject: "sub-api-citizen", Email: "api.citizen@exemple.fr", Name: "Alix API"})
	arch := newActor(t, *archiviste)
	maire := newActor(t, store.Session{Subject: "sub-maire", Email: "maire@ruitz.fr", Name: "Marie Maire"})
	parent := newActor(t, store.Session{Subject: "sub-prefet", Email: "prefet@cdg62.fr", Name: "Producteur du CDG"})
	series, d12, personnel := ruitz["SERIE-W"], ruitz["D12"], ruitz["W-PERSONNEL"]

	var created struct{ Requests []requestDoc }
	if s := citizen.api(t, tApp, "POST", "/api/v1/requests", map[string]any{"units": []int64{d12, series}, "reason": "Histoire",
		"mode": "online"}, &created); s != http.StatusCreated || len(created.Requests) != 1 {
		t.Fatalf("create: %d %+v", s, created)
	}
	req := created.Requests[0]
	if u := req.Units[1]; !u.Derogation || u.ClosedBelow == 0 {
		t.Errorf("a communicable series with a closed file below: %+v, want a dérogation and its closed units counted", u)
	}
	events := fmt.Sprintf("/api/v1/requests/%d/events", req.ID)
	refused := func(who *actor, body map[string]any, says string) {
		t.Helper()
		var e apiError
		if s := who.api(t, tApp, "POST", events, body, &e); s != http.StatusBadRequest || !strings.Contains(e.Error.Detail, says) {
			t.Errorf("%v: %d %+v, want 400 saying %q", body, s, e, says)
		}
	}
	refused(arch, map[string]any{"type": "grant", "units": []int64{series}}, "accord du producteur")
	refused(arch, map[string]any{"type": "grant", "units": []int64{d12}, "until": "2000-01-01"}, "passée")
	refused(arch, map[string]any{"type": "grant", "units": []int64{d12}, "until": time.Now().AddDate(101, 0, 0).Format("2006-01-02")}, "100 ans")
	refused(arch, map[string]any{"type": "grant", "units": []int64{d12}, "until": "demain"}, "AAAA-MM-JJ")
	var doc requestDoc
	if s := citizen.api(t, tApp, "GET", fmt.Sprintf("/api/v1/requests/%d", req.ID), nil, &doc); s != 200 || doc.Units[0].Outcome != "pending" {
		t.Fatalf("a refused grant changed the request: %d %+v", s, doc.Units)
	}
	if s := citizen.api(t, tApp, "GET", unitPath("W-PERSONNEL"), nil, nil); s != http.StatusNotFound {
		t.Errorf("the closed file is visible before any agreement: %d", s)
	}
	if s := arch.api(t, tApp, "POST", events, map[string]any{"type": "ask-producer"}, &doc); s != 200 || doc.State != "awaiting_producer" {
		t.Fatalf("ask the producer: %d %s", s, doc.State)
	}
	var to []string
	rows, _ := tStore.Pool().Query(context.Background(), `SELECT recipient FROM outbox WHERE request_id = $1 AND subject LIKE 'Accord%'`, req.ID)
	for rows.Next() {
		var r string
		rows.Scan(&r)
		to = append(to, r)
	}
	if len(to) != 1 || to[0] != "maire@ruitz.fr" {
		t.Errorf("the producer's agreement was asked of %v, want the tenant's producer only", to)
	}
	if s := parent.api(t, tApp, "POST", events, map[string]any{"type": "producer-agree"}, nil); s != http.StatusNotFound {
		t.Errorf("the producer of the parent tenant agrees: %d, want 404", s)
	}
	if s := maire.api(t, tApp, "POST", events, map[string]any{"type": "producer-agree", "units": []int64{series}}, &doc); s != 200 ||
		doc.Units[1].Agreement != "agreed" {
		t.Fatalf("the tenant's producer agrees: %d %+v", s, doc.Units)
	}
	until := time.Now().AddDate(0, 0, 30).Format("2006-01-02")
	if s := arch.api(t, tApp, "POST", events, map[string]any{"type": "grant", "until": until}, &doc); s != 200 || doc.State != "granted" {
		t.Fatalf("grant both: %d %s", s, doc.State)
	}
	for _, u := range doc.Units {
		if u.GrantedUntil != until || u.DecidedAt == nil {
			t.Errorf("unit %d: granted until %q, decided %v; want %s and a date", u.ID, u.GrantedUntil, u.DecidedAt, until)
		}
	}
	mustStatus(t, "the closed file under the granted series", citizen.send(t, tApp, "GET", unitPath("W-PERSONNEL"), nil), 200)
	_ = personnel
}

func mustStatus(t *testing.T, what string, r response, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("%s: %d, want %d: %.300s", what, r.status, want, r.body)
	}
}

// TestRequestDatesInParis: a request registered at 22:30 UTC on 30 August is registered
// on 31 August in Paris and due on 31 October, on every page that shows it.
func TestRequestDatesInParis(t *testing.T) {
	app := appAt(t, time.Date(2026, 8, 30, 22, 30, 0, 0, time.UTC))
	arch := newActor(t, *archiviste)
	citizen := newActor(t, store.Session{Subject: "sub-paris", Email: "paris@exemple.fr", Name: "Paris"})
	path := register(t, app, arch, url.Values{"name": {"Paris"}, "email": {"paris@exemple.fr"}, "cotes": {"1 D 12"}})
	for what, r := range map[string]response{"request page": citizen.send(t, app, "GET", path, nil),
		"my requests": citizen.send(t, app, "GET", "/requests", nil), "queue": arch.send(t, app, "GET", "/staff/requests", nil)} {
		if what != "queue" {
			mustContain(t, what, r.body, "31 août 2026")
		}
		mustContain(t, what, r.body, "31 octobre 2026")
		mustNotContain(t, what, r.body, "30 août 2026", "30 octobre 2026")
	}
}

// TestStaffRecordWithdrawal: staff record the withdrawal of a request they registered
// for a person without an account, after a partial grant: the grant stays, the rest is
// withdrawn, and the letter exists. A request made on line is not staff's to withdraw.
func TestStaffRecordWithdrawal(t *testing.T) {
	arch := newActor(t, *archiviste)
	path := register(t, tApp, arch, url.Values{"name": {"Paul Courrier"}, "contact": {"3 place de l'Église\n62620 Ruitz"},
		"cotes": {"1 D 12\nW 1234"}})
	mustStatus(t, "grant the open unit", arch.send(t, tApp, "POST", path+"/events",
		url.Values{"type": {"grant"}, "unit": {strconv.FormatInt(ruitz["D12"], 10)}}), 303)
	page := arch.send(t, tApp, "GET", path, nil)
	mustContain(t, "the staff's moves", page.body, "Enregistrer le retrait de la demande")
	mustStatus(t, "staff record the withdrawal", arch.send(t, tApp, "POST", path+"/events", url.Values{"type": {"withdraw"}}), 303)
	page = arch.send(t, tApp, "GET", path, nil)
	mustContain(t, "after the withdrawal", page.body, "retirée", "accès jusqu&#39;au", "Lettre de décision")
	letter := arch.send(t, tApp, "GET", path+"/letter", nil)
	mustStatus(t, "the letter", letter, 200)
	if text := pdfText(t, letter.body); !strings.Contains(text, "1 D 12") || !strings.Contains(text, "retirée") {
		t.Errorf("the letter must give the grant and the withdrawn unit: %.600q", text)
	}

	citizen := newActor(t, store.Session{Subject: "sub-online", Email: "online@exemple.fr", Name: "En Ligne"})
	var created struct{ Requests []requestDoc }
	citizen.api(t, tApp, "POST", "/api/v1/requests", map[string]any{"units": []int64{ruitz["D12"]}, "reason": "r", "mode": "online"}, &created)
	if len(created.Requests) != 1 {
		t.Fatal("the on-line request was not created")
	}
	online := fmt.Sprintf("/requests/%d", created.Requests[0].ID)
	mustStatus(t, "staff withdraw an on-line request", arch.send(t, tApp, "POST", online+"/events", url.Values{"type": {"withdraw"}}), 400)
}

// TestProducerAnswersPerUnit: the producer's web form answers unit by unit; the letter
// names the producer's refusal and says it was asked.
func TestProducerAnswersPerUnit(t *testing.T) {
	grantRole(t, access.Assignment{Subject: "maire@ruitz.fr", Role: access.RoleProducer, Domain: "cdg62/ruitz"})
	arch := newActor(t, *archiviste)
	maire := newActor(t, store.Session{Subject: "sub-maire", Email: "maire@ruitz.fr", Name: "Marie Maire"})
	path := register(t, tApp, arch, url.Values{"name": {"Jeanne Généalogie"}, "email": {"jeanne@exemple.fr"},
		"cotes": {"W 1234\n3 E 12/40"}})
	personnel, mariages := strconv.FormatInt(ruitz["W-PERSONNEL"], 10), strconv.FormatInt(ruitz["E-MARIAGES"], 10)
	mustStatus(t, "ask", arch.send(t, tApp, "POST", path+"/events", url.Values{"type": {"ask-producer"}}), 303)
	page := maire.send(t, tApp, "GET", path, nil)
	mustContain(t, "the producer's form", page.body, `id="u-producer-agree-`+personnel+`"`, `id="u-producer-refuse-`+mariages+`"`)
	mustStatus(t, "agree on one", maire.send(t, tApp, "POST", path+"/events", url.Values{"type": {"producer-agree"}, "unit": {personnel}}), 303)
	mustStatus(t, "refuse the other", maire.send(t, tApp, "POST", path+"/events", url.Values{"type": {"producer-refuse"},
		"unit": {mariages}, "reasons": {"Vie privée des époux."}}), 303)
	mustStatus(t, "grant", arch.send(t, tApp, "POST", path+"/events", url.Values{"type": {"grant"}, "unit": {personnel}}), 303)
	mustStatus(t, "refuse", arch.send(t, tApp, "POST", path+"/events", url.Values{"type": {"refuse"}, "unit": {mariages},
		"reasons": {"Le producteur a refusé : vie privée."}}), 303)
	text := strings.Join(strings.Fields(pdfText(t, arch.send(t, tApp, "GET", path+"/letter", nil).body)), " ")
	for _, want := range []string{"a été sollicité", "après accord de l’autorité productrice", "l’autorité productrice ayant refusé son accord"} {
		if !strings.Contains(text, want) {
			t.Errorf("the letter does not say %q: %.900s", want, text)
		}
	}
}

// TestQueueByTenant: the staff queue can be filtered by tenant, within what they cover.
func TestQueueByTenant(t *testing.T) {
	arch := newActor(t, *archiviste)
	path := register(t, tApp, arch, url.Values{"name": {"Filtre"}, "cotes": {"1 D 12"}})
	all := arch.send(t, tApp, "GET", "/staff/requests", nil)
	mustContain(t, "queue", all.body, `href="`+path+`"`, `<select id="queue-tenant"`)
	mustContain(t, "queue of Ruitz", arch.send(t, tApp, "GET", "/staff/requests?tenant=cdg62/ruitz", nil).body, `href="`+path+`"`)
	mustNotContain(t, "queue of CDG 62 itself", arch.send(t, tApp, "GET", "/staff/requests?tenant=cdg62", nil).body, `href="`+path+`"`)
	mustNotContain(t, "queue of Lille", arch.send(t, tApp, "GET", "/staff/requests?tenant=cdg59/lille", nil).body, `href="`+path+`"`)
}
