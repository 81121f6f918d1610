package portal

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"sesam/access"
	"sesam/store"
	"sesam/store/storetest"
)

// TestMetricsAfterPost: the request metrics are labelled with the method and route of
// each request. Fiber hands out strings that point into the connection's buffer; a
// label kept from one request must not change when the next request on the same
// connection reuses that buffer (it made /metrics answer 500 after the first POST:
// "collected metric ... method=\"GETT\" ... was collected before").
func TestMetricsAfterPost(t *testing.T) {
	base := servePortal(t)
	client := &http.Client{} // keep-alive: every request on one connection
	t.Cleanup(client.CloseIdleConnections)
	send := func(method, path string, form url.Values) (int, string) {
		t.Helper()
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req, err := http.NewRequest(method, base+path, body)
		if err != nil {
			t.Fatal(err)
		}
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	send(http.MethodPost, "/basket", url.Values{"unit": {"1"}}) // refused (no CSRF token): still measured
	for _, p := range []string{"/healthz", "/", "/healthz", "/search?q=registre"} {
		send(http.MethodGet, p, nil)
	}
	for i := 0; i < 2; i++ {
		status, body := send(http.MethodGet, "/metrics", nil)
		if status != http.StatusOK {
			t.Fatalf("/metrics after a POST and GETs: %d\n%.600s", status, body)
		}
		bad := map[string]bool{}
		for _, m := range regexp.MustCompile(`method="([^"]*)"`).FindAllStringSubmatch(body, -1) {
			if m[1] != "GET" && m[1] != "POST" && !bad[m[1]] {
				bad[m[1]] = true
				t.Errorf("a request metric is labelled method=%q", m[1])
			}
		}
		if !strings.Contains(body, `method="POST",route="/basket",status="403"`) {
			t.Errorf("the refused POST is not in the metrics")
		}
	}
}

// TestLocalPath: return addresses (/lang/en?back=, /login?back=, the dev login's back)
// stay on this site, whatever a browser would make of them.
func TestLocalPath(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"/search?q=registre&level=File", "/search?q=registre&level=File"},
		{"/units/12#documents", "/units/12#documents"},
		{"/", "/"},
		{"/search?q=%2F%2Fevil.example", "/search?q=%2F%2Fevil.example"},
		{"", "/"},
		{"search", "/"},
		{"//evil.example", "/"},
		{"/\t/evil.example", "/"},                // browsers drop the tab: //evil.example
		{"/\n/evil.example", "/"},                // and newlines
		{"/\r/evil.example", "/"},                // and carriage returns
		{"/\\evil.example", "/"},                 // a backslash is a slash to them
		{"/%5Cevil.example", "/%5Cevil.example"}, // encoded: a path here
		{"\\\\evil.example", "/"},
		{"/ /evil.example", "/"},
		{" //evil.example", "/"},
		{"/\x00/evil.example", "/"},
		{"/\u0085/evil.example", "/"},
		{"https://evil.example/", "/"},
		{"https:/evil.example", "/"},
		{"javascript:alert(1)", "/"},
		{"/\u2028/evil.example", "/"},
	} {
		if got := localPath(tc.in); got != tc.want {
			t.Errorf("localPath(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	// Through the handlers: the Location header is the checked address.
	for _, p := range []string{"/lang/en?back=%2F%09%2Fevil.example", "/lang/fr?back=%2F%5C%2Fevil.example",
		"/lang/en?back=%2F%2Fevil.example", "/lang/en?back=https%3A%2F%2Fevil.example"} {
		r := get(t, tApp, nil, p)
		if loc := r.header.Get("Location"); r.status != http.StatusSeeOther || loc != "/" {
			t.Errorf("%s: %d to %q, want 303 to /", p, r.status, loc)
		}
	}
	// The dev login form carries the return address, checked again when posted.
	v := newVisitor(t, tApp)
	page := v.get("/login?back=%2F%09%2Fevil.example")
	mustContain(t, "dev login form", page.body, `name="back" value="/"`)
	r := v.do(http.MethodPost, "/login/dev", url.Values{csrfField: {v.cookie(csrfCookie)}, "subject": {"dev-citoyen"},
		"back": {"/\t/evil.example"}}, nil)
	if loc := r.header.Get("Location"); r.status != http.StatusSeeOther || loc != "/" {
		t.Errorf("dev login back to a tab-slash address: %d to %q, want 303 to /", r.status, loc)
	}
}

// pagingUnits are two fonds of a tenant that does not publish: A has 1,070 items, of
// which only the last 60 come from the agency its reader may see (MAIRIE-PAGING),
// B has exactly 50 items.
var pagingUnits = sync.OnceValues(func() (map[string]int64, error) {
	ctx := context.Background()
	if err := tStore.AddTenant(ctx, store.Tenant{ID: "cdg59/paging", Name: "Commune de Pagination"}); err != nil {
		return nil, err
	}
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<ArchiveTransfer xmlns="fr:gouv:culture:archivesdefrance:seda:v2.1">
  <Date>2026-11-25T10:00:00</Date><MessageIdentifier>PAGING-1</MessageIdentifier><ArchivalAgreement>CDG59</ArchivalAgreement><CodeListVersions/>
  <DataObjectPackage><DescriptiveMetadata>`)
	fonds := func(id string, n int, agency func(i int) string) {
		fmt.Fprintf(&b, `<ArchiveUnit id="%s"><Content><DescriptionLevel>Fonds</DescriptionLevel><Title>Fonds %s</Title>
			<OriginatingAgency><Identifier>MAIRIE-PAGING</Identifier></OriginatingAgency></Content>`, id, id)
		for i := 1; i <= n; i++ {
			fmt.Fprintf(&b, `<ArchiveUnit id="%s-%04d"><Content><DescriptionLevel>Item</DescriptionLevel><Title>Pièce %s %04d</Title>
				<OriginatingAgency><Identifier>%s</Identifier></OriginatingAgency></Content></ArchiveUnit>`, id, i, id, i, agency(i))
		}
		b.WriteString(`</ArchiveUnit>`)
	}
	fonds("A", 1070, func(i int) string { return map[bool]string{true: "AUTRE-AGENCE", false: "MAIRIE-PAGING"}[i <= 1010] })
	fonds("B", 50, func(int) string { return "MAIRIE-PAGING" })
	b.WriteString(`</DescriptiveMetadata><ManagementMetadata><OriginatingAgencyIdentifier>MAIRIE-PAGING</OriginatingAgencyIdentifier></ManagementMetadata>
  </DataObjectPackage>
  <ArchivalAgency><Identifier>CDG59</Identifier></ArchivalAgency><TransferringAgency><Identifier>MAIRIE-PAGING</Identifier></TransferringAgency>
</ArchiveTransfer>`)
	dir := filepath.Join(tmpDir, "paging")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "manifest.xml"), []byte(b.String()), 0o644); err != nil {
		return nil, err
	}
	res, err := tStore.Import(ctx, "cdg59/paging", dir, store.ImportOptions{})
	if err != nil {
		return nil, err
	}
	return storetest.SedaIDs(ctx, tStore, res.TransferID)
})

// TestChildrenPaging: a unit page lists the children its visitor may see, 50 at a
// time, however many hidden ones come first; "Suite" shows only when there is more to
// see; the pages are numbered, with the total once known, and lead back to the start.
func TestChildrenPaging(t *testing.T) {
	ids, err := pagingUnits()
	if err != nil {
		t.Fatal(err)
	}
	reader := access.Assignment{Subject: "lecteur@paging.fr", Role: access.RoleReader, Domain: "cdg59/paging", Agencies: []string{"MAIRIE-PAGING"}}
	if _, err := tRights.Grant(reader); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tRights.Revoke(reader) })
	who := &store.Session{Subject: "sub-lecteur-paging", Email: reader.Subject, Name: "Paul Pagination"}
	childrenOf := func(path string) (section string, titles []string, next string) {
		t.Helper()
		r := get(t, tApp, who, path)
		if r.status != http.StatusOK {
			t.Fatalf("%s: %d", path, r.status)
		}
		i := strings.Index(r.body, `id="contenu-unite"`)
		if i < 0 {
			t.Fatalf("%s: no contents section", path)
		}
		section = html.UnescapeString(r.body[i : i+strings.Index(r.body[i:], "</section>")])
		for _, m := range regexp.MustCompile(`<li><a href="/units/\d+">([^<]*)</a>`).FindAllStringSubmatch(section, -1) {
			titles = append(titles, m[1])
		}
		if m := regexp.MustCompile(`<a href="([^"]*)" rel="next">`).FindStringSubmatch(section); m != nil {
			next = m[1]
		}
		return section, titles, next
	}

	// 1,010 hidden children first: the first page still shows 50, then the last 10.
	section, titles, next := childrenOf(fmt.Sprintf("/units/%d", ids["A"]))
	if len(titles) != 50 || titles[0] != "Pièce A 1011" || titles[49] != "Pièce A 1060" || next == "" {
		t.Fatalf("first page of A: %d children (%q … ), next %q; want Pièce A 1011 to 1060 and a next page", len(titles), first(titles), next)
	}
	mustContain(t, "first page of A", section, "(1–50)")
	mustNotContain(t, "first page of A", section, "Début de la liste", "AUTRE")
	section, titles, next = childrenOf(next)
	if len(titles) != 10 || titles[0] != "Pièce A 1061" || next != "" {
		t.Errorf("second page of A: %d children (%q …), next %q; want the last 10 and no next page", len(titles), first(titles), next)
	}
	mustContain(t, "second page of A", section, "(51–60 sur 60)", fmt.Sprintf(`<a href="/units/%d#contenu-unite">Début de la liste</a>`, ids["A"]))

	// Exactly 50 children: one page, no "Suite" to an empty one.
	section, titles, next = childrenOf(fmt.Sprintf("/units/%d", ids["B"]))
	if len(titles) != 50 || next != "" {
		t.Errorf("B: %d children, next %q; want 50 and no next page", len(titles), next)
	}
	mustContain(t, "B", section, "(1–50 sur 50)")
	mustNotContain(t, "B", section, "Suite")

	// The API pages the same way.
	var doc childrenDoc
	ac := newActor(t, *who)
	if s := ac.api(t, tApp, http.MethodGet, fmt.Sprintf("/api/v1/units/%d/children", ids["B"]), nil, &doc); s != 200 || len(doc.Children) != 50 || doc.Next != "" {
		t.Errorf("API children of B: %d, %d children, next %q", s, len(doc.Children), doc.Next)
	}
}

func first(xs []string) string {
	if len(xs) == 0 {
		return ""
	}
	return xs[0]
}

// TestErrorPagesInBothLanguages: an error page is all in the visitor's language — its
// title, its message and the reason — and a bad search keeps the search form with the
// query to correct and says where the fault is.
func TestErrorPagesInBothLanguages(t *testing.T) {
	for _, tc := range []struct {
		path, lang string
		status     int
		want       []string
		not        []string
	}{
		{searchPath(`registre "conseil municipal`), "fr", 400,
			[]string{"<title>Erreur 400 — Recherche invalide — ", "<h1>Erreur 400 — Recherche invalide</h1>",
				"guillemet ouvert mais jamais fermé (caractère 10)", `value="registre &#34;conseil municipal"`, "Corriger la recherche"},
			[]string{"quotation"}},
		{searchPath(`registre "conseil municipal`, "lang", "en"), "en", 400,
			[]string{"<title>Error 400 — Invalid search — ", "<h1>Error 400 — Invalid search</h1>", "Invalid search:",
				"quotation mark opened but never closed (character 10)", `value="registre &#34;conseil municipal"`, "Correct the search"},
			[]string{"guillemet", "caractère", "Erreur", "Recherche invalide", `lang="fr">`}},
		{"/search?from=abc&lang=en", "en", 400, []string{"Error 400 — Invalid request", `invalid year &#34;abc&#34;`}, []string{"année"}},
		{"/search?sort=hasard&lang=en", "en", 400, []string{`unknown sort &#34;hasard&#34;`}, []string{"tri inconnu"}},
		{"/search?from=1990&to=1950&lang=en", "en", 400, []string{"the start year 1990 is after the end year 1950"}, []string{"l&#39;année"}},
		{"/search?from=1990&to=1950", "fr", 400, []string{"Erreur 400 — Requête invalide", "l&#39;année de début 1990 est après l&#39;année de fin 1950"}, nil},
		{"/units/987654321?lang=en", "en", 404, []string{"<h1>Error 404 — Page not found</h1>", "Page not found."}, []string{"introuvable", `id="q"`}},
		{"/units/987654321", "fr", 404, []string{"<h1>Erreur 404 — Page introuvable</h1>"}, nil},
		// The page that needs a login says so and offers it, coming back here after.
		{"/requests", "fr", 401, []string{"Erreur 401 — Connexion nécessaire", `<p><a href="/login?back=%2frequests">Se connecter</a></p>`}, nil},
		{"/requests?lang=en", "en", 401, []string{"Error 401 — Login required", `<p><a href="/login?back=%2frequests%3flang%3den">Log in</a></p>`}, nil},
	} {
		r := get(t, tApp, nil, tc.path)
		if r.status != tc.status {
			t.Errorf("%s: %d, want %d", tc.path, r.status, tc.status)
		}
		mustContain(t, tc.path, r.body, append(tc.want, `<html lang="`+tc.lang+`">`)...)
		mustNotContain(t, tc.path, r.body, tc.not...)
	}
	var body struct {
		Error struct{ Code, Message, Detail string }
	}
	r := get(t, tApp, nil, "/api/v1/search?q=%22ouvert&lang=en")
	if err := json.Unmarshal([]byte(r.body), &body); err != nil || body.Error.Detail != "quotation mark opened but never closed (character 1)" {
		t.Errorf("API error in English: %s", r.body)
	}
}

// TestInlinePDFHeaders: a PDF viewed in the browser goes without the CSP sandbox, with
// which Chromium's PDF viewer shows nothing; it stays a PDF (exact type, nosniff) that
// loads nothing and that no other site frames. Downloads and other types keep the
// sandbox.
func TestInlinePDFHeaders(t *testing.T) {
	objs, err := tStore.UnitObjects(context.Background(), ruitz["W-DISCOURS"])
	if err != nil || len(objs) == 0 {
		t.Fatalf("objects of W-DISCOURS: %v %v", objs, err)
	}
	view := get(t, tApp, nil, fmt.Sprintf("/objects/%d?inline=1", objs[0].ID))
	csp := view.header.Get("Content-Security-Policy")
	if view.status != 200 || view.header.Get("Content-Type") != "application/pdf" || view.header.Get("X-Content-Type-Options") != "nosniff" ||
		strings.Contains(csp, "sandbox") || !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "frame-ancestors 'none'") ||
		!strings.HasPrefix(view.header.Get("Content-Disposition"), "inline;") {
		t.Errorf("inline PDF: %d, type %q, nosniff %q, CSP %q, disposition %q", view.status, view.header.Get("Content-Type"),
			view.header.Get("X-Content-Type-Options"), csp, view.header.Get("Content-Disposition"))
	}
	dl := get(t, tApp, nil, fmt.Sprintf("/objects/%d", objs[0].ID))
	if csp := dl.header.Get("Content-Security-Policy"); dl.status != 200 || !strings.HasPrefix(csp, "sandbox;") {
		t.Errorf("download: %d, CSP %q; want the sandbox", dl.status, csp)
	}
	for _, tc := range []struct {
		ct     string
		inline bool
	}{{"image/jpeg", true}, {"application/octet-stream", true}, {"application/pdf", false}} {
		if csp := objectCSP(tc.ct, tc.inline); !strings.HasPrefix(csp, "sandbox;") {
			t.Errorf("%s inline=%v: CSP %q, want the sandbox", tc.ct, tc.inline, csp)
		}
	}
	// A PDF declared application/x-pdf is viewed as a PDF too (the unit page offers to
	// view it): sent as application/pdf, without the sandbox.
	f := fiber.New()
	f.Get("/", func(c *fiber.Ctx) error {
		setObjectHeaders(c, &store.Object{ID: 1, MimeType: "application/x-pdf", Filename: "budget.pdf"}, true)
		return nil
	})
	resp, err := f.Test(httptest.NewRequest("GET", "/", nil))
	if err != nil {
		t.Fatal(err)
	}
	if ct, csp := resp.Header.Get("Content-Type"), resp.Header.Get("Content-Security-Policy"); ct != "application/pdf" || strings.HasPrefix(csp, "sandbox;") {
		t.Errorf("application/x-pdf viewed inline: type %q, CSP %q; want application/pdf without the sandbox", ct, csp)
	}
}

// TestCSRFCookieSecure: the anonymous CSRF cookie is Secure when the portal's public
// address is https, as the session cookie is (behind a TLS-terminating balancer the
// portal itself sees http).
func TestCSRFCookieSecure(t *testing.T) {
	for _, base := range []string{"http://sesam.test", "https://archives.sesam.test"} {
		app := newOIDCApp(t, OIDCConfig{}, base, tJournal)
		c := cookieOf(get(t, app, nil, "/"), csrfCookie)
		if want := strings.HasPrefix(base, "https"); c == nil || c.Secure != want || !c.HttpOnly {
			t.Errorf("%s: CSRF cookie %+v, want HttpOnly and Secure=%v", base, c, want)
		}
	}
}

// TestHistogramBars: a bar of one result stays tall enough to see and click, a year
// is named once ("2001", not "2001–2001"), and several periods are written under the
// chart, not only its two ends.
func TestHistogramBars(t *testing.T) {
	u := mustURL("/search?q=registre&page=3")
	var doc HistogramDoc
	for y := 1900; y < 2100; y += 10 {
		doc.Bars = append(doc.Bars, BarDoc{From: y, To: y + 9, Count: map[bool]int{true: 1000, false: 1}[y == 1950]})
	}
	bars := histBars(u, &doc)
	axis := 0
	for _, b := range bars {
		if b.H < barMinHeight {
			t.Errorf("bar %s of %d result(s) is %d high", b.Label, b.Count, b.H)
		}
		if b.Axis {
			axis++
		}
	}
	if axis < 4 || axis > 7 {
		t.Errorf("%d periods written under 20 bars, want about %d", axis, axisLabels)
	}
	if bars[5].Label != "1950–1959" || !strings.Contains(bars[5].Href, "from=1950") || strings.Contains(bars[5].Href, "page=") {
		t.Errorf("bar of the 1950s: %+v", bars[5])
	}
	one := histBars(u, &HistogramDoc{Bars: []BarDoc{{From: 2001, To: 2001, Count: 3}, {From: 2002, To: 2002, Count: 5}}})
	if one[0].Label != "2001" {
		t.Errorf("a one-year bar is labelled %q, want 2001", one[0].Label)
	}
}

// TestSmallerUX: formats named for people, with the MIME type at hand; no "add to my
// request" on a document the visitor may download already (still on a series, which
// may hold closed files, and on a file without digital documents); a home page with
// no recent opening says so.
func TestSmallerUX(t *testing.T) {
	r := get(t, tApp, agentRuitz, searchPath("discours"))
	mustContain(t, "format facet", r.body, `title="application/pdf">PDF</a>`)
	r = get(t, tApp, agentRuitz, unitPath("W-DISCOURS"))
	mustContain(t, "documents table", r.body, `<span title="application/pdf">PDF</span>`)
	mustNotContain(t, "a document the agent may download", r.body, `action="/basket"`, "Ajouter à ma demande")
	for _, u := range []string{"SERIE-W", "D12"} {
		mustContain(t, u, get(t, tApp, agentRuitz, unitPath(u)).body, `action="/basket"`)
	}

	later, err := New(context.Background(), Config{Addr: "127.0.0.1:0", BaseURL: "http://127.0.0.1:0", SearchRate: 10000},
		Deps{Store: tStore, Index: tIndex, Rights: tRights, Journal: tJournal, Stamper: tStamper, Log: testLog,
			Now: func() time.Time { return time.Date(2190, 1, 1, 0, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	r = get(t, later, nil, "/")
	mustContain(t, "home without recent openings", r.body, "Aucune ouverture récente.")
}

// TestAccessPanelNamesUnits: the communicability panel names the units its rules come
// from by their titles, linked, not by their numbers; a unit the visitor may not see
// stays unnamed; numbers that are not units (delays, years) stay as they are.
func TestAccessPanelNamesUnits(t *testing.T) {
	ctx := context.Background()
	lille, err := tStore.Pool().Query(ctx, `SELECT id FROM unit WHERE tenant_id = 'cdg59/lille' LIMIT 1`)
	if err != nil {
		t.Fatal(err)
	}
	var hidden int64
	for lille.Next() {
		lille.Scan(&hidden)
	}
	lille.Close()
	self, serie := ruitz["W-DISCOURS"], ruitz["SERIE-W"]
	id := func(n int64) string { return strconv.FormatInt(n, 10) }
	d := access.Decision{Unit: id(self), Rules: []access.AppliedRule{
		{RuleID: "AR038", Origin: id(serie), Inherited: true, Path: []string{id(serie), id(self)}},
		{RuleID: "AR039", Origin: id(hidden), Inherited: true, Path: []string{id(hidden), id(self)}}}}
	scope, err := tStore.Scope(ctx, tRights, access.Principal{}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	name, err := tApp.unitNamer(ctx, scope, self, "fr", d)
	if err != nil {
		t.Fatal(err)
	}
	line := fmt.Sprintf("Unité %d : AR038 : 25 ans ; héritée de %d via %d → %d ; AR039 héritée de %d ; départ le 30 juin %d", self, serie, serie, self, hidden, serie)
	got := string(name(line))
	link := fmt.Sprintf(`<a href="/units/%d">« Versements contemporains »</a>`, serie)
	for _, want := range []string{"Unité « Discours sur la réforme des professions du droit » :", "25 ans", fmt.Sprintf("le 30 juin %d", serie),
		"héritée de " + link + " via " + link + " → « Discours", "AR039 héritée de une unité supérieure que vous ne pouvez pas voir"} {
		if !strings.Contains(got, want) {
			t.Errorf("named line:\n%s\nwant %q", got, want)
		}
	}
	r := get(t, tApp, agentRuitz, unitPath("E-MARIAGES"))
	mustContain(t, "closed unit's panel", html.UnescapeString(r.body), "Unité « Registre des mariages » : communicabilité",
		"date de fin du contenu de « Registre des mariages »")
}
