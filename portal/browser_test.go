package portal

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"sesam/access"
	"sesam/store"
)

// TestBrowser drives the portal in headless Chromium as people use it: search with a
// facet and the histogram, a unit page and its communicability panel, a stamped
// download, login and logout, the English switch, a request from the basket to the
// archivist's decision, the auditor's journal, the error pages, and the pages without
// JavaScript. Every page type is audited with axe-core (no serious or critical WCAG
// 2.1 A/AA violation) and kept as a screenshot under var/screenshots/.
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	env := startBrowser(t)
	t.Run("search, facet and histogram", env.testSearch)
	t.Run("no result and suggestion", env.testNoResult)
	t.Run("unit page and communicability", env.testUnit)
	t.Run("closed unit for its agent", env.testClosedUnit)
	t.Run("stamped download", env.testDownload)
	t.Run("login and logout", env.testLoginLogout)
	t.Run("English switch", env.testEnglish)
	t.Run("request walk", env.testRequest)
	t.Run("auditor", env.testAuditor)
	t.Run("error pages", env.testErrors)
	t.Run("without JavaScript", env.testWithoutJS)
	t.Run("keyboard: skip link", env.testSkipLink)
	t.Run("narrow screen", env.testReflow)
}

// testSearch: from the home page, a query typed in the box gives results with the
// words highlighted; a facet value narrows them and shows as a removable filter; a
// bar of the histogram applies its period.
func (env *browserEnv) testSearch(t *testing.T) {
	tb := env.newTab(t)
	tb.open(t, "/")
	if !tb.enhanced(t) {
		t.Errorf("the page's script did not run")
	}
	tb.audit(t, "home")
	tb.do(t, "type a query", chromedp.SendKeys(chromedp.CSS("#q"), "délibérations", chromedp.NodeVisible))
	if s := tb.follow(t, `form.search button[type="submit"]`); s != 200 {
		t.Fatalf("search: status %d", s)
	}
	if q := tb.query(t); q.Get("q") != "délibérations" {
		t.Fatalf("search address %s, want q=délibérations", tb.location(t))
	}
	all := tb.total(t)
	if all < 2 || tb.hits(t) != all {
		t.Fatalf("%d results announced, %d shown: the fixture has several deliberation registers", all, tb.hits(t))
	}
	for _, m := range tb.texts(t, "ol.hits mark") {
		if !strings.HasPrefix(strings.ToLower(m), "délibération") {
			t.Errorf("highlighted %q, want only the words searched", m)
		}
	}
	if len(tb.texts(t, "ol.hits h3 mark")) == 0 {
		t.Errorf("no highlighted word in the titles of the results")
	}
	tb.audit(t, "search")

	// A facet value that narrows the results: its count is what the list becomes.
	label, count, href := tb.narrowingFacet(t, "level", all)
	tb.follow(t, fmt.Sprintf(`.facet a[href=%q]`, href))
	if got := tb.total(t); got != count {
		t.Errorf("after the facet %q (%d): %d results", label, count, got)
	}
	if chips := tb.texts(t, ".selected li a"); !hasPrefix(chips, "Niveau : "+label) {
		t.Errorf("active filters %q, want %q shown removable", chips, "Niveau : "+label)
	}
	if cur := tb.texts(t, `.facet a[aria-current="true"]`); len(cur) != 1 || !strings.HasPrefix(cur[0], label) {
		t.Errorf("selected facet values %q, want %q marked current", cur, label)
	}
	tb.follow(t, fmt.Sprintf(`//ul[@class="selected"]//a[starts-with(normalize-space(.), %q)]`, "Niveau : "+label))
	if got := tb.total(t); got != all || len(tb.texts(t, ".selected li a")) != 0 {
		t.Errorf("after removing the filter: %d results (want %d), filters %q", got, all, tb.texts(t, ".selected li a"))
	}

	// A bar of the histogram (an SVG link) applies its period.
	bar := tb.fullBar(t)
	tb.follow(t, fmt.Sprintf(`figure.histogram svg a:nth-of-type(%d) rect`, bar.index))
	q := tb.query(t)
	if q.Get("from") != bar.from || q.Get("to") != bar.to || q.Get("q") != "délibérations" {
		t.Errorf("the bar %s–%s led to %s", bar.from, bar.to, tb.location(t))
	}
	if got := tb.total(t); got != bar.count {
		t.Errorf("the bar %s–%s says %d, the period gives %d results", bar.from, bar.to, bar.count, got)
	}
	chips := tb.texts(t, ".selected li a")
	if !hasPrefix(chips, "de "+bar.from) || !hasPrefix(chips, "à "+bar.to) {
		t.Errorf("active filters %q, want the period %s–%s", chips, bar.from, bar.to)
	}
	if from := run(t, tb, "year field", chromedp.Value(chromedp.CSS("#from"))); from != bar.from {
		t.Errorf("the period form shows %q, want %s", from, bar.from)
	}
}

// testNoResult: a misspelt word finds nothing and the page offers the right spelling,
// which finds something.
func (env *browserEnv) testNoResult(t *testing.T) {
	tb := env.newTab(t)
	tb.open(t, searchPath("eglize"))
	if n := tb.total(t); n != 0 {
		t.Fatalf("%d results for a misspelt word", n)
	}
	mustContain(t, "empty search", tb.text(t, "section[aria-labelledby=resultats]"), "Aucun résultat.")
	suggestion := tb.text(t, `//p[contains(., "Essayez plutôt")]/a`)
	tb.audit(t, "search-empty")
	tb.follow(t, `//p[contains(., "Essayez plutôt")]/a`)
	if q := tb.query(t).Get("q"); q != suggestion || tb.total(t) == 0 {
		t.Errorf("the suggestion %q led to q=%q with %d results", suggestion, q, tb.total(t))
	}
}

// testUnit: a result leads to its unit page: breadcrumb, description, and the
// communicability panel with its rules behind a disclosure.
func (env *browserEnv) testUnit(t *testing.T) {
	tb := env.newTab(t)
	tb.open(t, searchPath("clocher"))
	tb.follow(t, `//ol[@class="hits"]//h3/a[contains(., "Église Saint-Pierre")]`)
	if got, want := tb.location(t), unitPath("M-EGLISE"); got != want {
		t.Fatalf("the result led to %s, want %s", got, want)
	}
	if h1 := tb.text(t, "h1"); h1 != "Église Saint-Pierre : restauration du clocher" {
		t.Errorf("unit title %q", h1)
	}
	crumbs := tb.texts(t, "main > nav.crumbs li")
	if len(crumbs) < 2 || !slices.Contains(crumbs, "Édifices communaux, monuments et établissements publics") {
		t.Errorf("breadcrumb %q, want the series above the file", crumbs)
	}
	fields := tb.text(t, "dl.fields")
	mustContain(t, "unit description", fields, "Cote", "1 M 4", "Louis Cordonnier")
	panel := tb.text(t, "#communicabilite")
	if !strings.HasPrefix(panel, "Communicabilité : Communicable") {
		t.Errorf("panel heading %q, want it open", panel)
	}
	// The rules sit in a closed <details>: hidden until the visitor opens it.
	if evalJS[bool](t, tb, `document.querySelector("section.panel details").open`) {
		t.Errorf("the rules are unfolded by default")
	}
	tb.do(t, "open the rules", click(`section.panel summary`))
	rules := tb.text(t, "section.panel details ul")
	if rules == "" {
		t.Errorf("no rule listed once the disclosure is open")
	}
	tb.audit(t, "unit")
}

// testClosedUnit: the producer's own agent sees a closed unit, with the date it opens
// and the rule that closes it.
func (env *browserEnv) testClosedUnit(t *testing.T) {
	tb := env.newTab(t)
	tb.setSession(t, newActor(t, *agentRuitz).token)
	if s := tb.open(t, unitPath("E-MARIAGES")); s != 200 {
		t.Fatalf("the agent's closed unit: %d", s)
	}
	// The fixture's register closes 75 years after 1960 (AR054).
	if h := tb.text(t, "#communicabilite"); !strings.HasPrefix(h, "Communicabilité : Non communicable") || !strings.Contains(h, "31 décembre 2035") {
		t.Errorf("panel heading %q, want closed, opening on 31 décembre 2035", h)
	}
	if !evalJS[bool](t, tb, `document.querySelector("section.panel").classList.contains("closed")`) {
		t.Errorf("the panel is not marked closed")
	}
	tb.do(t, "open the rules", click(`section.panel summary`))
	mustContain(t, "rules of the closed unit", tb.text(t, "section.panel details ul"), "AR054")
	tb.audit(t, "unit-closed")
}

// testDownload: the public downloads a PDF from its unit page and gets a consultation
// copy bearing the stamp.
func (env *browserEnv) testDownload(t *testing.T) {
	tb := env.newTab(t)
	tb.open(t, unitPath("W-DISCOURS"))
	pdf := tb.download(t, `//table//a[normalize-space(.)="Télécharger"]`)
	if !strings.HasPrefix(pdf, "%PDF-") {
		t.Fatalf("the download is not a PDF: %.40q", pdf)
	}
	text := pdfText(t, pdf)
	mustContain(t, "stamped copy", text, "Copie de consultation", "W 2001/1")
}

// testLoginLogout: the dev login form (with its CSRF token) logs in; the name and
// "Mes demandes" show; logging out comes back to the anonymous home page.
func (env *browserEnv) testLoginLogout(t *testing.T) {
	tb := env.newTab(t)
	tb.open(t, "/")
	tb.follow(t, `//header//a[normalize-space(.)="Se connecter"]`)
	if !strings.HasPrefix(tb.location(t), "/login") {
		t.Fatalf("the login link led to %s", tb.location(t))
	}
	tb.audit(t, "login")
	if s := tb.follow(t, `//button[contains(., "Camille Citoyenne")]`); s != 200 {
		t.Fatalf("dev login: %d", s)
	}
	nav := tb.text(t, "header.site nav")
	mustContain(t, "logged-in header", nav, "Connecté : Camille Citoyenne", "Mes demandes", "Se déconnecter")
	mustNotContain(t, "logged-in header", nav, "Se connecter")
	tb.follow(t, `//header//button[normalize-space(.)="Se déconnecter"]`)
	if loc := tb.location(t); loc != "/" {
		t.Errorf("after logout: %s, want the home page", loc)
	}
	nav = tb.text(t, "header.site nav")
	mustContain(t, "header after logout", nav, "Se connecter")
	mustNotContain(t, "header after logout", nav, "Camille", "Mes demandes")
	// The session is gone on the server too: the request page asks to log in.
	if s := tb.open(t, "/requests"); s != 401 {
		t.Errorf("Mes demandes after logout: %d, want 401", s)
	}
}

// testEnglish: the language link turns the page English on the same address, and
// back to French.
func (env *browserEnv) testEnglish(t *testing.T) {
	tb := env.newTab(t)
	path := unitPath("M-EGLISE")
	tb.open(t, path)
	tb.follow(t, `header a[hreflang="en"]`)
	if loc, l := tb.location(t), tb.lang(t); loc != path || l != "en" {
		t.Fatalf("English switch: %s lang=%q, want %s in English", loc, l, path)
	}
	mustContain(t, "English header", tb.text(t, "header.site nav"), "Home", "Search", "Log in", "Français")
	if h := tb.text(t, "#communicabilite"); !strings.HasPrefix(h, "Access: Open") {
		t.Errorf("English panel %q", h)
	}
	mustContain(t, "English fields", tb.text(t, "dl.fields"), "Reference")
	tb.audit(t, "unit-en")
	tb.open(t, searchPath("registre"))
	mustContain(t, "English search", tb.text(t, "#resultats"), "results")
	tb.audit(t, "search-en")
	tb.follow(t, `header a[hreflang="fr"]`)
	if l := tb.lang(t); l != "fr" || !strings.Contains(tb.text(t, "#resultats"), "résultats") {
		t.Errorf("back to French: lang=%q, %q", l, tb.text(t, "#resultats"))
	}
}

// testRequest: a citizen puts a communicable unit and a communicable series holding a
// closed file in the basket and sends the request; the archivist finds it in the queue,
// is warned that the series holds closed units, grants the first unit with the page's
// form and asks the producer for the series; the producer agrees with their form; the
// archivist grants the series until a day; the citizen sees the decision and the closed
// file, which is gone for them once the grant has expired. The staff pages (queue,
// producer's screen, register form, outbox) are audited on the way.
func (env *browserEnv) testRequest(t *testing.T) {
	grantRole(t, access.Assignment{Subject: "maire@ruitz.fr", Role: access.RoleProducer, Domain: "cdg62/ruitz"})
	citizen := env.newTab(t)
	citizen.setSession(t, newActor(t, store.Session{Subject: "sub-browser-lea", Email: "lea@exemple.fr", Name: "Léa Lectrice"}).token)
	citizen.open(t, "/requests")
	if got := citizen.text(t, "section[aria-labelledby=panier]"); !strings.Contains(got, "Aucune unité") {
		t.Fatalf("a new citizen's basket: %q", got)
	}
	for _, u := range []string{"D12", "SERIE-W"} {
		citizen.open(t, unitPath(u))
		citizen.follow(t, `//form[@class="basket"]//button`)
		if loc := citizen.location(t); loc != "/requests" {
			t.Fatalf("adding %s to the basket led to %s", u, loc)
		}
	}
	mustContain(t, "basket", citizen.text(t, "section[aria-labelledby=panier] ul"), "Registre des délibérations du conseil municipal",
		"Versements contemporains")
	citizen.audit(t, "requests")
	citizen.do(t, "give a reason", chromedp.SendKeys(chromedp.CSS("#reason"), "Histoire de la commune", chromedp.NodeVisible))
	citizen.follow(t, `//form[@action="/requests"]//button[@type="submit"]`)
	reqPath := citizen.location(t)
	if !regexp.MustCompile(`^/requests/\d+$`).MatchString(reqPath) {
		t.Fatalf("sending the request led to %s", reqPath)
	}
	mustContain(t, "request as sent", citizen.text(t, "h1"), "enregistrée")

	arch := env.newTab(t)
	arch.setSession(t, newActor(t, *archiviste).token)
	arch.open(t, "/")
	arch.follow(t, `//header//a[normalize-space(.)="Demandes à traiter"]`)
	arch.audit(t, "queue")
	arch.follow(t, fmt.Sprintf(`//table//a[@href=%q]`, reqPath))
	if len(arch.texts(t, "form.move")) == 0 {
		t.Fatalf("the archivist has no action on a new request")
	}
	mustContain(t, "the warning on the series", arch.text(t, "section[aria-labelledby=unites] tbody"),
		"ne sont pas encore communicables")
	arch.audit(t, "request")
	open, series := strconv.FormatInt(ruitz["D12"], 10), strconv.FormatInt(ruitz["SERIE-W"], 10)
	arch.do(t, "tick the open unit", click("#u-grant-"+open))
	arch.follow(t, `//form[.//input[@name="type" and @value="grant"]]//button[@type="submit"]`)
	mustContain(t, "granted unit", arch.text(t, "section[aria-labelledby=unites] tbody"), "accordée")
	arch.follow(t, `//form[.//input[@name="type" and @value="ask-producer"]]//button[@type="submit"]`)
	mustContain(t, "request waiting for the producer", arch.text(t, "h1"), "accord du producteur demandé")

	maire := env.newTab(t)
	maire.setSession(t, newActor(t, store.Session{Subject: "sub-maire", Email: "maire@ruitz.fr", Name: "Marie Maire"}).token)
	maire.open(t, reqPath)
	maire.audit(t, "producer")
	maire.do(t, "tick the series", click("#u-producer-agree-"+series))
	maire.follow(t, `//form[.//input[@name="type" and @value="producer-agree"]]//button[@type="submit"]`)
	mustContain(t, "after the agreement", maire.text(t, "h1"), "accord du producteur donné")

	until := time.Now().AddDate(0, 0, 30)
	arch.open(t, reqPath)
	arch.do(t, "tick the series", click("#u-grant-"+series),
		chromedp.SetValue(chromedp.CSS("#until-archivist"), until.Format("2006-01-02"), chromedp.NodeVisible))
	arch.follow(t, `//form[.//input[@name="type" and @value="grant"]]//button[@type="submit"]`)
	mustContain(t, "request after the grants", arch.text(t, "h1"), "accordée")

	citizen.open(t, reqPath)
	mustContain(t, "the citizen's view of the decision", citizen.text(t, "h1"), "accordée")
	mustContain(t, "decision letter", citizen.text(t, "dl.fields"), "Lettre de décision")
	mustContain(t, "the grant's last day", citizen.text(t, "section[aria-labelledby=unites] tbody"), humanDay(langFR, until))
	if s := citizen.open(t, unitPath("W-PERSONNEL")); s != 200 {
		t.Errorf("the closed file under the granted series: %d", s)
	}
	expired := *env
	expired.base = serveApp(t, appAt(t, until.AddDate(0, 0, 1)))
	later := expired.newTab(t)
	later.setSession(t, newActor(t, store.Session{Subject: "sub-browser-lea", Email: "lea@exemple.fr", Name: "Léa Lectrice"}).token)
	if s := later.open(t, "/requests"); s != 200 {
		t.Fatalf("the citizen is not logged in on the later portal: %d", s)
	}
	if s := later.open(t, unitPath("W-PERSONNEL")); s != 404 {
		t.Errorf("the closed file once the grant has expired: %d, want 404", s)
	}

	arch.open(t, "/staff/requests/new")
	arch.audit(t, "register")
	arch.open(t, "/staff/outbox")
	mustContain(t, "outbox", arch.text(t, "table"), "lea@exemple.fr", "maire@ruitz.fr")
	arch.audit(t, "outbox")
}

// testAuditor: a person holding the auditor role finds the journal from the header,
// filters it on a unit, and sees the consultation of that unit's document.
func (env *browserEnv) testAuditor(t *testing.T) {
	auditor := access.Assignment{Subject: "auditrice@cdg62.fr", Role: access.RoleAuditor, Domain: "cdg62"}
	if _, err := tRights.Grant(auditor); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := tRights.Revoke(auditor); err != nil {
			t.Error(err)
		}
	})
	objs, err := tStore.UnitObjects(context.Background(), ruitz["W-DISCOURS"])
	if err != nil || len(objs) == 0 {
		t.Fatalf("objects of W-DISCOURS: %v %v", objs, err)
	}
	if r := get(t, tApp, nil, fmt.Sprintf("/objects/%d", objs[0].ID)); r.status != 200 {
		t.Fatalf("a public download to audit: %d", r.status)
	}

	tb := env.newTab(t)
	tb.setSession(t, newActor(t, store.Session{Subject: "sub-auditrice", Email: auditor.Subject, Name: "Aude Auditrice"}).token)
	tb.open(t, "/")
	tb.follow(t, `//header//a[normalize-space(.)="Journal des consultations"]`)
	unit := strconv.FormatInt(ruitz["W-DISCOURS"], 10)
	tb.do(t, "filter on the unit", chromedp.SendKeys(chromedp.CSS("#unit"), unit, chromedp.NodeVisible))
	tb.follow(t, `form.audit-filters button[type="submit"]`)
	if q := tb.query(t); q.Get("unit") != unit {
		t.Fatalf("the filter led to %s", tb.location(t))
	}
	rows := tb.texts(t, "section[aria-labelledby=entries] tbody tr")
	if len(rows) == 0 {
		t.Fatalf("no journal entry for the unit")
	}
	for _, r := range rows {
		if !strings.Contains(r, "unité "+unit) {
			t.Errorf("entry %q is not about unit %s", r, unit)
		}
	}
	if obj := fmt.Sprintf("objet %d", objs[0].ID); !slices.ContainsFunc(rows, func(r string) bool { return strings.Contains(r, obj) }) {
		t.Errorf("the download of %s is not in the journal: %q", obj, rows)
	}
	if len(tb.texts(t, "figure.histogram rect.bar")) == 0 {
		t.Errorf("no chart of consultations over time")
	}
	tb.audit(t, "audit")
}

// testErrors: a missing unit and a malformed query give the error page with their
// status, in the site's layout.
func (env *browserEnv) testErrors(t *testing.T) {
	tb := env.newTab(t)
	for _, c := range []struct {
		name, path string
		status     int64
		heading    string
		says       string // why, in words
	}{
		{"error-404", "/units/987654321", 404, "Erreur 404 — Page introuvable", "introuvable"},
		{"error-400", searchPath(`"conseil municipal`), 400, "Erreur 400 — Recherche invalide", "guillemet"},
	} {
		if s := tb.open(t, c.path); s != c.status {
			t.Errorf("%s: status %d, want %d", c.path, s, c.status)
		}
		if h := tb.text(t, "h1"); h != c.heading {
			t.Errorf("%s: heading %q, want %q", c.path, h, c.heading)
		}
		mustContain(t, c.path, tb.text(t, "main"), c.says)
		if back := tb.text(t, `main a[href="/"]`); back == "" {
			t.Errorf("%s: no way back home", c.path)
		}
		tb.audit(t, c.name)
	}
}

// testWithoutJS: with JavaScript off, the search, its facets, its sort and its period
// form still work (the script only improves).
func (env *browserEnv) testWithoutJS(t *testing.T) {
	tb := env.newTab(t)
	tb.disableJS(t)
	tb.open(t, "/")
	tb.do(t, "type a query", chromedp.SendKeys(chromedp.CSS("#q"), "registre", chromedp.NodeVisible))
	tb.follow(t, `form.search button[type="submit"]`)
	all := tb.total(t)
	if all == 0 {
		t.Fatalf("no result without JavaScript")
	}
	if tb.enhanced(t) {
		t.Fatalf("the page's script ran: JavaScript is not off")
	}
	_, count, href := tb.narrowingFacet(t, "", all)
	tb.follow(t, fmt.Sprintf(`.facet a[href=%q]`, href))
	if got := tb.total(t); got != count {
		t.Errorf("a facet value of %d gave %d results", count, got)
	}
	tb.follow(t, `.selected li a`)
	if got := tb.total(t); got != all {
		t.Errorf("the filter removed: %d results, want %d", got, all)
	}
	tb.do(t, "choose a sort", chromedp.SetValue(chromedp.CSS("#sort"), "date"))
	tb.follow(t, `form.sort button[type="submit"]`)
	if s := tb.query(t).Get("sort"); s != "date" {
		t.Errorf("the sort button led to %s", tb.location(t))
	}
	years := tb.years(t)
	for i := 1; i < len(years); i++ {
		if years[i] < years[i-1] {
			t.Errorf("sorted by date, the results go %v", years)
		}
	}
	tb.do(t, "enter a period", chromedp.SendKeys(chromedp.CSS("#from"), "1950", chromedp.NodeVisible), chromedp.SendKeys(chromedp.CSS("#to"), "1960", chromedp.NodeVisible))
	tb.follow(t, `form.years button[type="submit"]`)
	if q := tb.query(t); q.Get("from") != "1950" || q.Get("to") != "1960" || tb.total(t) >= all {
		t.Errorf("the period form: %s, %d results of %d", tb.location(t), tb.total(t), all)
	}
}

// testSkipLink: the first Tab shows the skip link on screen; Enter on it takes the
// keyboard to the content, so the next Tab reaches the search box, not the header.
func (env *browserEnv) testSkipLink(t *testing.T) {
	tb := env.newTab(t)
	tb.open(t, "/")
	tb.do(t, "Tab", chromedp.KeyEvent(kb.Tab))
	type focus struct {
		Text     string
		OnScreen bool
	}
	f := evalJS[focus](t, tb, `(e => { const r = e.getBoundingClientRect();
		return {text: e.textContent.trim(), onScreen: r.left >= 0 && r.top >= 0 && r.width > 0 && r.right <= innerWidth}; })(document.activeElement)`)
	if f.Text != "Aller au contenu" || !f.OnScreen {
		t.Fatalf("first Tab: focus on %+v, want the skip link, visible", f)
	}
	tb.do(t, "Enter", chromedp.KeyEvent(kb.Enter))
	if loc := tb.location(t); loc != "/#contenu" {
		t.Errorf("the skip link led to %s", loc)
	}
	tb.do(t, "Tab", chromedp.KeyEvent(kb.Tab))
	if id := evalJS[string](t, tb, `document.activeElement.id`); id != "q" {
		t.Errorf("after the skip link, Tab goes to #%s, want the search box", id)
	}
}

// testReflow: on a 360-pixel-wide screen (a phone) the pages read without scrolling
// sideways (WCAG 1.4.10), a unit's table of documents with its long file names
// included.
func (env *browserEnv) testReflow(t *testing.T) {
	tb := env.newTab(t)
	tb.do(t, "narrow the screen", chromedp.EmulateViewport(360, 740))
	for _, p := range []struct{ name, path string }{
		{"home-narrow", "/"}, {"search-narrow", searchPath("délibérations")}, {"unit-narrow", unitPath("W-DISCOURS")},
		{"unit-children-narrow", unitPath("FONDS")}, {"error-400-narrow", searchPath(`"conseil municipal`)},
	} {
		tb.open(t, p.path)
		if w := evalJS[int](t, tb, `document.documentElement.scrollWidth`); w > 360 {
			t.Errorf("%s is %d pixels wide on a 360-pixel screen", p.path, w)
		}
		tb.screenshot(t, p.name)
	}
}

// Reading the search page.

// query is the page's query string.
func (tb *tab) query(t *testing.T) url.Values {
	t.Helper()
	u, err := url.Parse(tb.location(t))
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

// total is the number of results the page announces.
func (tb *tab) total(t *testing.T) int {
	t.Helper()
	h := tb.text(t, "#resultats")
	n, err := strconv.Atoi(strings.Fields(h)[0])
	if err != nil {
		t.Fatalf("results heading %q: %v", h, err)
	}
	return n
}

// enhanced says the page's script ran (it marks <html> with the class js).
func (tb *tab) enhanced(t *testing.T) bool {
	t.Helper()
	return evalJS[bool](t, tb, `document.documentElement.classList.contains("js")`)
}

// hits is the number of results listed.
func (tb *tab) hits(t *testing.T) int {
	t.Helper()
	return evalJS[int](t, tb, `document.querySelectorAll("ol.hits > li").length`)
}

// years are the first years of the results' dates, in the order listed.
func (tb *tab) years(t *testing.T) []int {
	t.Helper()
	var out []int
	for _, m := range tb.texts(t, "ol.hits p.meta") {
		if y := regexp.MustCompile(`\b(1[5-9]|20)\d\d\b`).FindString(m); y != "" {
			n, _ := strconv.Atoi(y)
			out = append(out, n)
		}
	}
	return out
}

// narrowingFacet is a value of the facet (any facet when facet is empty) whose count
// is below the total, so that choosing it changes the list: its label, its count and
// its link.
func (tb *tab) narrowingFacet(t *testing.T, facet string, total int) (string, int, string) {
	t.Helper()
	type value struct {
		Label string
		Count int
		Href  string
	}
	list := ".facet ul"
	if facet != "" {
		list = fmt.Sprintf(`.facet ul[aria-labelledby="facet-%s"]`, facet)
	}
	vals := evalJS[[]value](t, tb, fmt.Sprintf(`Array.from(document.querySelectorAll('%s li'), li => ({
		label: li.querySelector("a").textContent.trim(), href: li.querySelector("a").getAttribute("href"),
		count: parseInt(li.querySelector(".count").textContent, 10)}))`, list))
	for _, v := range vals {
		if v.Count > 0 && v.Count < total {
			return v.Label, v.Count, v.Href
		}
	}
	t.Fatalf("no value of the facets %q narrows the %d results: %+v", facet, total, vals)
	return "", 0, ""
}

// histBar is a bar of the search histogram.
type histBar struct {
	index     int // position among the bars, from 1
	from, to  string
	count     int
	ariaLabel string
}

// fullBar is the first bar of the histogram that holds results but not all of them
// (a bar holding everything would not show the period filter at work), else the first
// bar holding any.
func (tb *tab) fullBar(t *testing.T) histBar {
	t.Helper()
	labels := evalJS[[]string](t, tb, `Array.from(document.querySelectorAll("figure.histogram svg a"), a => a.getAttribute("aria-label"))`)
	re := regexp.MustCompile(`^(\d+)(?:–(\d+))? : (\d+)`) // "1950–1959 : 3", or "2001 : 3" for one year
	var first *histBar
	total := tb.total(t)
	for i, l := range labels {
		m := re.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("histogram bar named %q, want «from–to : count»", l)
		}
		n, _ := strconv.Atoi(m[3])
		to := m[2]
		if to == "" {
			to = m[1]
		}
		b := histBar{index: i + 1, from: m[1], to: to, count: n, ariaLabel: l}
		if n > 0 && n < total {
			return b
		}
		if n > 0 && first == nil {
			first = &b
		}
	}
	if first == nil {
		t.Fatalf("no bar with results in the histogram: %q", labels)
	}
	return *first
}

// hasPrefix says some text of xs starts with prefix.
func hasPrefix(xs []string, prefix string) bool {
	return slices.ContainsFunc(xs, func(x string) bool { return strings.HasPrefix(x, prefix) })
}
