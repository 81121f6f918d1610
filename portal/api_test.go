package portal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"sesam/access"
	"sesam/index"
)

// TestAPISearchIsTheSearchDocument: GET /api/v1/search returns what portal.Search
// builds (the document `sesam search --json` prints).
func TestAPISearchIsTheSearchDocument(t *testing.T) {
	r := get(t, tApp, nil, "/api/v1/search?q=registre&sort=cote")
	if r.status != 200 {
		t.Fatalf("api search: %d %s", r.status, r.body)
	}
	var got SearchDoc
	if err := json.Unmarshal([]byte(r.body), &got); err != nil {
		t.Fatal(err)
	}
	scope, err := tStore.Scope(context.Background(), tRights, access.Principal{}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	want, err := Search(context.Background(), tStore, tIndex, scope, index.Request{Query: "registre", Sort: "cote", Facets: true}, "fr")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, &got, cmpIgnoreTook); diff != "" {
		t.Errorf("API document differs from Search (-want +got):\n%s", diff)
	}
	if got.Total != 3 || got.Facets["tenant"][0].Label != "Commune de Ruitz" {
		t.Errorf("public registers: total %d, tenant facet %+v", got.Total, got.Facets["tenant"])
	}
}

var cmpIgnoreTook = cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".TookMS" }, cmp.Ignore())

func TestAPIUnitAndChildren(t *testing.T) {
	r := get(t, tApp, nil, "/api/v1"+unitPath("W-DISCOURS"))
	var u UnitDoc
	if err := json.Unmarshal([]byte(r.body), &u); err != nil || r.status != 200 {
		t.Fatalf("api unit: %d %s", r.status, r.body)
	}
	if u.Cote != "W 2001/1" || !u.Access.Communicable || len(u.Objects) != 1 || u.Objects[0].Content == "" || u.Objects[0].Pages == nil || *u.Objects[0].Pages != 5 {
		t.Errorf("unit doc: %+v", u)
	}
	r = get(t, tApp, nil, "/api/v1"+unitPath("SERIE-E")+"/children")
	var ch childrenDoc
	if err := json.Unmarshal([]byte(r.body), &ch); err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, c := range ch.Children {
		titles = append(titles, c.Title)
	}
	if diff := cmp.Diff([]string{"Registre des naissances", "Registre des décès"}, titles); diff != "" {
		t.Errorf("public children of the état civil series (-want +got):\n%s", diff)
	}
	r = get(t, tApp, agentRuitz, "/api/v1"+unitPath("W-PERSONNEL"))
	if err := json.Unmarshal([]byte(r.body), &u); err != nil || u.Access.Communicable || u.Access.CommunicableFrom != "2040-12-31" {
		t.Errorf("staff files for the agent: %d %+v", r.status, u.Access)
	}
}

// TestOpenAPIMatchesHandlers walks every path of the OpenAPI document, calls it with
// real parameters, and checks the documented status and required fields.
func TestOpenAPIMatchesHandlers(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]struct {
			Responses map[string]struct {
				Ref     string `json:"$ref"`
				Content map[string]struct {
					Schema struct {
						Ref string `json:"$ref"`
					} `json:"schema"`
				} `json:"content"`
			} `json:"responses"`
		} `json:"paths"`
		Components struct {
			Schemas map[string]struct {
				Required []string `json:"required"`
			} `json:"schemas"`
		} `json:"components"`
	}
	r := get(t, tApp, nil, "/api/v1/openapi.json")
	if err := json.Unmarshal([]byte(r.body), &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	objs, _ := tStore.UnitObjects(context.Background(), ruitz["W-DISCOURS"])
	params := strings.NewReplacer("{id}", strconv.FormatInt(ruitz["W-DISCOURS"], 10))
	objParams := strings.NewReplacer("{id}", strconv.FormatInt(objs[0].ID, 10))
	for path, ops := range doc.Paths {
		op, ok := ops["get"]
		if !ok {
			continue // writes are walked by the request tests
		}
		real := params.Replace(path)
		if strings.HasPrefix(path, "/objects") {
			real = objParams.Replace(path)
		}
		resp := get(t, tApp, nil, "/api/v1"+real)
		if strings.HasPrefix(path, "/requests") {
			resp = get(t, tApp, archiviste, "/api/v1"+real)
		}
		spec, ok := op.Responses[strconv.Itoa(resp.status)]
		if !ok {
			t.Errorf("%s: status %d is not documented", path, resp.status)
			continue
		}
		ref := spec.Content["application/json"].Schema.Ref
		if ref == "" || resp.status != 200 {
			continue
		}
		var body map[string]any
		if err := json.Unmarshal([]byte(resp.body), &body); err != nil {
			t.Errorf("%s: not JSON: %v", path, err)
			continue
		}
		schema := doc.Components.Schemas[ref[strings.LastIndex(ref, "/")+1:]]
		for _, field := range schema.Required {
			if _, ok := body[field]; !ok {
				t.Errorf("%s: required field %q missing", path, field)
			}
		}
	}
	// Every API route is documented.
	for _, route := range tApp.Handler().GetRoutes() {
		if p, ok := strings.CutPrefix(route.Path, "/api/v1"); ok && p != "" && (route.Method == http.MethodGet || route.Method == http.MethodPost) {
			doc := regexp.MustCompile(`:(\w+)`).ReplaceAllString(p, "{$1}")
			if _, ok := tAppPaths(doc)[doc]; !ok {
				t.Errorf("route %s is not in openapi.json", route.Path)
			}
		}
	}
}

func tAppPaths(string) map[string]bool {
	var doc struct {
		Paths map[string]any `json:"paths"`
	}
	json.Unmarshal(openAPIDoc, &doc)
	out := map[string]bool{}
	for p := range doc.Paths {
		out[p] = true
	}
	return out
}

// failingJournal cannot write, like a journal table made read-only.
type failingJournal struct{}

func (failingJournal) Append(context.Context, access.JournalEntry) (access.JournalEntry, error) {
	return access.JournalEntry{}, errors.New("permission denied for table journal")
}

// TestNoJournalNoConsultation: when the journal cannot be written, downloads and views
// of closed units are refused, and the refusal is counted.
func TestNoJournalNoConsultation(t *testing.T) {
	app, err := newTestApp(context.Background(), failingJournal{})
	if err != nil {
		t.Fatal(err)
	}
	objs, _ := tStore.UnitObjects(context.Background(), ruitz["W-DISCOURS"])
	r := get(t, app, nil, fmt.Sprintf("/objects/%d", objs[0].ID))
	if r.status != http.StatusServiceUnavailable || strings.Contains(r.body, "%PDF") {
		t.Errorf("download without journal: %d, want 503 and no bytes", r.status)
	}
	mustContain(t, "refusal", r.body, "journal des consultations")
	closed, err := tStore.Unit(context.Background(), ruitz["E-MARIAGES"])
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{unitPath("E-MARIAGES"), "/api/v1/units/" + itoa(int(closed.ID))} {
		r := get(t, app, agentRuitz, path)
		if r.status != http.StatusServiceUnavailable {
			t.Errorf("closed unit view %s without journal: %d, want 503", path, r.status)
		}
		mustNotContain(t, path+" refused", r.body, closed.Title, closed.Cote)
	}
	if r := get(t, app, nil, unitPath("M-EGLISE")); r.status != 200 {
		t.Errorf("a public unit needs no journal entry: %d", r.status)
	}
	// A staff search is refused, and none of what its answer would have shown (made
	// while the entry was being written) is sent.
	var found struct {
		Hits []struct{ Title string } `json:"hits"`
	}
	ok := get(t, tApp, agentRuitz, "/api/v1/search?q=registre")
	if err := json.Unmarshal([]byte(ok.body), &found); err != nil || len(found.Hits) == 0 {
		t.Fatalf("the agent's search with a journal: %d %s", ok.status, ok.body)
	}
	for _, path := range []string{"/api/v1/search?q=registre", "/search?q=registre"} {
		r := get(t, app, agentRuitz, path)
		if r.status != http.StatusServiceUnavailable {
			t.Errorf("%s as an agent without journal: %d, want 503", path, r.status)
		}
		for _, h := range found.Hits {
			mustNotContain(t, path+" refused", r.body, h.Title)
		}
	}
	m := get(t, app, nil, "/metrics")
	if !regexp.MustCompile(`sesam_journal_failures_total [1-9]`).MatchString(m.body) {
		t.Errorf("journal failures not in the metrics")
	}
}

// TestTamperedBlobIsNotServed: bytes changed on disk are refused, logged and counted.
func TestTamperedBlobIsNotServed(t *testing.T) {
	objs, _ := tStore.UnitObjects(context.Background(), ruitz["W-BUDGET"])
	o := objs[0]
	path := tStore.Blobs().Path(o.SHA256)
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer os.WriteFile(path, orig, 0o644)
	tampered := append([]byte(nil), orig...)
	tampered[len(tampered)/2] ^= 0xff
	if err := os.WriteFile(path, tampered, 0o644); err != nil {
		t.Fatal(err)
	}
	r := get(t, tApp, agentRuitz, fmt.Sprintf("/objects/%d", o.ID))
	if r.status != http.StatusInternalServerError || strings.Contains(r.body, "%PDF") {
		t.Errorf("tampered object: %d, want refused", r.status)
	}
	mustContain(t, "integrity refusal", r.body, "intégrité")
}

// TestDevLoginAndLogout goes through the dev login form (with its CSRF token), checks
// the session works and is journalled, then logs out.
func TestDevLoginAndLogout(t *testing.T) {
	before := countJournal(t, access.ActionLogin)
	page := httptest.NewRequest(http.MethodGet, "/login", nil)
	resp, err := tApp.Handler().Test(page, -1)
	if err != nil {
		t.Fatal(err)
	}
	var csrfCookieValue string
	for _, c := range resp.Cookies() {
		if c.Name == csrfCookie {
			csrfCookieValue = c.Value
		}
	}
	form := url.Values{"_csrf": {csrfCookieValue}, "subject": {"dev-archiviste"}, "back": {"/search"}}
	req := httptest.NewRequest(http.MethodPost, "/login/dev", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: csrfCookie, Value: csrfCookieValue})
	resp, err = tApp.Handler().Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	var session string
	for _, c := range resp.Cookies() {
		if c.Name == sessionCookie {
			session = c.Value
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
				t.Errorf("session cookie must be HttpOnly and SameSite=Lax: %+v", c)
			}
		}
	}
	if resp.StatusCode != http.StatusSeeOther || session == "" || resp.Header.Get("Location") != "/search" {
		t.Fatalf("dev login: %d, session %q, to %s", resp.StatusCode, session, resp.Header.Get("Location"))
	}
	if got := countJournal(t, access.ActionLogin) - before; got != 1 {
		t.Errorf("%d logins journalled, want 1", got)
	}
	me := httptest.NewRequest(http.MethodGet, "/api/v1/me", nil)
	me.AddCookie(&http.Cookie{Name: sessionCookie, Value: session})
	r, _ := tApp.Handler().Test(me, -1)
	var who meDoc
	json.NewDecoder(r.Body).Decode(&who)
	if who.Email != "archiviste@demo.sesam" || who.Public {
		t.Errorf("me after login: %+v", who)
	}
	sess, err := tStore.SessionByToken(context.Background(), session, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	out := httptest.NewRequest(http.MethodPost, "/logout", strings.NewReader(url.Values{"_csrf": {sess.CSRF}}.Encode()))
	out.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	out.AddCookie(&http.Cookie{Name: sessionCookie, Value: session})
	if r, _ := tApp.Handler().Test(out, -1); r.StatusCode != http.StatusSeeOther {
		t.Errorf("logout: %d", r.StatusCode)
	}
	if _, err := tStore.SessionByToken(context.Background(), session, time.Now()); err == nil {
		t.Errorf("the session still works after logout")
	}
}

// TestClientBehindTrustedProxy: behind a load balancer, the limits count each visitor
// (the balancer's X-Real-IP); without a trusted balancer, the header is ignored, so a
// visitor cannot dodge the limit by making up addresses.
func TestClientBehindTrustedProxy(t *testing.T) {
	ctx := context.Background()
	search := func(app *App, client string) int {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/search?q=registre", nil)
		req.Header.Set("X-Real-IP", client)
		return do(t, app, nil, req).status
	}
	for _, tt := range []struct {
		name    string
		proxies []string
		other   int // the status of a second visitor once the first is limited
	}{
		{"behind a trusted balancer", []string{"0.0.0.0/0"}, http.StatusOK},
		{"no trusted balancer", nil, http.StatusTooManyRequests},
	} {
		t.Run(tt.name, func(t *testing.T) {
			app, err := New(ctx, Config{Addr: "127.0.0.1:0", BaseURL: "http://127.0.0.1:0", SearchRate: 2, TrustedProxies: tt.proxies},
				Deps{Store: tStore, Index: tIndex, Rights: tRights, Journal: tJournal, Stamper: tStamper, Log: testLog})
			if err != nil {
				t.Fatal(err)
			}
			for i, want := range []int{http.StatusOK, http.StatusOK, http.StatusTooManyRequests} {
				if got := search(app, "203.0.113.7"); got != want {
					t.Fatalf("search %d from 203.0.113.7: %d, want %d", i+1, got, want)
				}
			}
			if got := search(app, "198.51.100.9"); got != tt.other {
				t.Errorf("then a search from 198.51.100.9: %d, want %d", got, tt.other)
			}
		})
	}
}

// TestJournalWaitIsMeasured: the time a staff search waited for its journal entry is in
// the metrics (the part of a staff request's latency that the audit costs); a public
// search writes no entry and adds nothing.
func TestJournalWaitIsMeasured(t *testing.T) {
	count := func() int {
		t.Helper()
		m := regexp.MustCompile(`(?m)^sesam_journal_append_duration_seconds_count (\d+)$`).FindStringSubmatch(get(t, tApp, nil, "/metrics").body)
		if m == nil {
			t.Fatal("no sesam_journal_append_duration_seconds in the metrics")
		}
		n, _ := strconv.Atoi(m[1])
		return n
	}
	before := count()
	if r := get(t, tApp, nil, "/api/v1/search?q=registre"); r.status != 200 {
		t.Fatalf("public search: %d", r.status)
	}
	if n := count(); n != before {
		t.Errorf("a public search counted %d journal waits", n-before)
	}
	if r := get(t, tApp, agentRuitz, "/api/v1/search?q=registre"); r.status != 200 {
		t.Fatalf("agent search: %d", r.status)
	}
	if n := count(); n != before+1 {
		t.Errorf("an agent's search counted %d journal waits, want 1", n-before)
	}
}
