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
	a.sess.CSRF, a.sess.ExpiresAt = "csrf-"+a.token, time.Now().Add(time.Hour)
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
