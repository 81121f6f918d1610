package portal

import (
	"context"
	"encoding/json"
	"errors"
	"go/build"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"

	"sesam"
	"sesam/access"
)

// The end-to-end login runs against the zitadel/oidc example server, a real OpenID
// provider started by the test as a separate process on loopback, and a real portal
// listening on loopback: every redirect is real HTTP, the login form is the provider's.
// The provider's users come from testdata/oidc/users.json (its USERS_FILE): an
// archivist of cdg62, whose address the provider gives from userinfo only, and someone
// who typed the archivist's address without verifying it (the provider then leaves
// email_verified out).

const zitadelModule = "github.com/zitadel/oidc/v3/example/server@v3.51.17"

// zitadelServer is the example server's binary: $SESAM_OIDC_TEST_SERVER, else `server`
// where `go install` puts it. The test is skipped without it (CI installs it).
func zitadelServer(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("SESAM_OIDC_TEST_SERVER"); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("SESAM_OIDC_TEST_SERVER: %v", err)
		}
		return p
	}
	bin := os.Getenv("GOBIN")
	if bin == "" {
		bin = filepath.Join(filepath.SplitList(build.Default.GOPATH)[0], "bin")
	}
	p := filepath.Join(bin, "server")
	if _, err := os.Stat(p); err != nil {
		t.Skipf("no OIDC provider to test against (%v): go install %s, or set SESAM_OIDC_TEST_SERVER", err, zitadelModule)
	}
	return p
}

// startZitadel runs the provider on a free loopback port for a client whose callback
// is redirectURI, and returns its issuer once it answers. It is killed at the end.
func startZitadel(t *testing.T, bin, redirectURI string) string {
	t.Helper()
	users, err := filepath.Abs(filepath.Join("testdata", "oidc", "users.json"))
	if err != nil {
		t.Fatal(err)
	}
	port := strings.TrimPrefix(deadLoopbackAddress(t), "127.0.0.1:") // free a moment ago
	logPath := filepath.Join(t.TempDir(), "zitadel.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "PORT="+port, "REDIRECT_URI="+redirectURI, "USERS_FILE="+users)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
		logFile.Close()
		if t.Failed() {
			out, _ := os.ReadFile(logPath)
			t.Logf("zitadel example server log:\n%s", out)
		}
	})

	issuer := "http://localhost:" + port + "/"
	probe := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := probe.Get(issuer + ".well-known/openid-configuration")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return issuer
			}
		}
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("the provider stopped: %v", err)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("the provider does not answer at %s", issuer)
		}
	}
}

// startZitadelPortal starts the zitadel example provider and a portal that logs in
// through it (client "web"), and returns the portal's base URL and the issuer.
func startZitadelPortal(t *testing.T) (base, issuer string) {
	t.Helper()
	bin := zitadelServer(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base = "http://" + ln.Addr().String()
	issuer = startZitadel(t, bin, base+"/auth/callback")
	runPortalOn(t, newOIDCApp(t, OIDCConfig{Issuer: issuer, ClientID: "web", ClientSecret: "secret"}, base, tJournal), ln)
	return base, issuer
}

// runPortalOn runs the portal on ln until the test ends.
func runPortalOn(t *testing.T, app *App, ln net.Listener) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- app.Listen(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("portal shutdown: %v", err)
		}
	})
}

// redirectHop is one redirect a browser followed.
type redirectHop struct {
	from    *url.URL
	status  int
	to      *url.URL
	cookies []*http.Cookie // set by the answer that redirected
}

// realBrowser is an HTTP client with cookies that follows redirects like a browser and
// writes down every hop.
type realBrowser struct {
	t      *testing.T
	client *http.Client
	hops   []redirectHop
}

func newRealBrowser(t *testing.T) *realBrowser {
	jar, _ := cookiejar.New(nil)
	b := &realBrowser{t: t}
	b.client = &http.Client{Jar: jar, Timeout: 15 * time.Second,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > 10 {
				return errors.New("too many redirects")
			}
			r := req.Response
			b.hops = append(b.hops, redirectHop{from: r.Request.URL, status: r.StatusCode, to: req.URL, cookies: r.Cookies()})
			return nil
		}}
	t.Cleanup(b.client.CloseIdleConnections)
	return b
}

// visit sends a request, follows the redirects, and returns the last page (its
// final address in page.url).
func (b *realBrowser) visit(method, u string, form url.Values) visitedPage {
	b.t.Helper()
	b.hops = nil
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	all, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return visitedPage{url: resp.Request.URL, status: resp.StatusCode, body: string(all)}
}

// visitedPage is the page a visit ended on.
type visitedPage struct {
	url    *url.URL
	status int
	body   string
}

// hopFrom is the hop that left path (at host), nil when there was none.
func (b *realBrowser) hopFrom(host, path string) *redirectHop {
	for i, h := range b.hops {
		if h.from.Host == host && h.from.Path == path {
			return &b.hops[i]
		}
	}
	return nil
}

func (b *realBrowser) cookie(base, name string) string {
	for _, c := range b.client.Jar.Cookies(mustURL(base)) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// me is who the portal's API says the browser is.
func (b *realBrowser) me(base string) meDoc {
	b.t.Helper()
	v := b.visit(http.MethodGet, base+"/api/v1/me", nil)
	return decodeMe(b.t, response{status: v.status, body: v.body})
}

var (
	formActionRe = regexp.MustCompile(`<form[^>]*action="([^"]*)"`)
	hiddenIDRe   = regexp.MustCompile(`name="id" value="([^"]*)"`)
	csrfRe       = regexp.MustCompile(`action="/logout"><input type="hidden" name="_csrf" value="([^"]*)"`)
)

// logInAtProvider fills in the provider's login form like a person would.
func (b *realBrowser) logInAtProvider(form visitedPage, user, password string) visitedPage {
	b.t.Helper()
	action, id := formActionRe.FindStringSubmatch(form.body), hiddenIDRe.FindStringSubmatch(form.body)
	if form.status != http.StatusOK || action == nil || id == nil || !strings.Contains(form.body, `name="password"`) {
		b.t.Fatalf("no login form at %s (%d):\n%s", form.url, form.status, form.body)
	}
	to := form.url.ResolveReference(mustURL(html.UnescapeString(action[1])))
	return b.visit(http.MethodPost, to.String(), url.Values{"id": {html.UnescapeString(id[1])},
		"username": {user}, "password": {password}})
}

// TestOIDCEndToEnd logs in, uses the session, logs out and logs in again, with a real
// provider and a real portal.
func TestOIDCEndToEnd(t *testing.T) {
	base, issuer := startZitadelPortal(t)
	provider := mustURL(issuer).Host
	const subject = "sesam-archiviste"
	logins, logouts := countJournalOf(t, subject, access.ActionLogin), countJournalOf(t, subject, access.ActionLogout)
	b := newRealBrowser(t)

	// Log in: the portal sends the browser to the provider, which asks for the password.
	form := b.visit(http.MethodGet, base+"/login?back=/search", nil)
	start := b.hopFrom(mustURL(base).Host, "/login")
	if start == nil || start.status != http.StatusSeeOther || start.to.Host != provider {
		t.Fatalf("GET /login did not send the browser to the provider: %+v", b.hops)
	}
	if q := start.to.Query(); q.Get("code_challenge_method") != "S256" || q.Get("state") == "" || q.Get("nonce") == "" ||
		q.Get("redirect_uri") != base+"/auth/callback" {
		t.Errorf("authorization request: %v", q)
	}
	landing := b.logInAtProvider(form, "archiviste", "verysecure")
	if landing.status != http.StatusOK || landing.url.String() != base+"/search" {
		t.Fatalf("after the provider's login the browser is at %s (%d), want %s/search", landing.url, landing.status, base)
	}
	mustContain(t, "page after login", html.UnescapeString(landing.body), "Ariane Archiviste")
	cb := b.hopFrom(mustURL(base).Host, "/auth/callback")
	if cb == nil {
		t.Fatalf("the provider did not come back to the callback: %+v", b.hops)
	}
	var sc *http.Cookie
	for _, c := range cb.cookies {
		if c.Name == sessionCookie {
			sc = c
		}
	}
	if sc == nil || !sc.HttpOnly || sc.SameSite != http.SameSiteLaxMode || sc.Secure || sc.Path != "/" {
		t.Errorf("session cookie from the callback: %+v; want HttpOnly, SameSite=Lax, not Secure over http, Path /", sc)
	}

	// The session names the person, with the e-mail the provider gives from userinfo
	// only, and so with her rights.
	me := b.me(base)
	want := meDoc{Subject: subject, Email: "archiviste@cdg62.fr", Name: "Ariane Archiviste",
		Roles: []access.Assignment{{Subject: "archiviste@cdg62.fr", Role: access.RoleArchivist, Domain: "cdg62"}}}
	if diff := cmp.Diff(want, me); diff != "" {
		t.Errorf("me after login (-want +got):\n%s", diff)
	}
	if n := countJournalOf(t, subject, access.ActionLogin) - logins; n != 1 {
		t.Errorf("%d logins journalled, want 1", n)
	}

	// Log out with the form of any page: the session ends here, then at the provider.
	token := b.cookie(base, sessionCookie)
	sess, err := tStore.SessionByToken(context.Background(), token, time.Now())
	if err != nil {
		t.Fatalf("no session for the browser's cookie: %v", err)
	}
	home := b.visit(http.MethodGet, base+"/", nil)
	csrf := csrfRe.FindStringSubmatch(home.body)
	if csrf == nil {
		t.Fatalf("no logout form on the home page:\n%s", home.body)
	}
	page := b.visit(http.MethodPost, base+"/logout", url.Values{csrfField: {html.UnescapeString(csrf[1])}})
	end := providerLogoutLink(t, response{status: page.status, body: page.body})
	if page.url.Host != mustURL(base).Host || end.Host != provider || end.Query().Get("id_token_hint") != sess.IDToken {
		t.Fatalf("logout did not lead the browser to the provider's end_session_endpoint with the ID token: at %s, link %s", page.url, end)
	}
	out := b.visit(http.MethodGet, end.String(), nil)
	// The provider checked the hint and ended its session before sending the browser to
	// its "signed out" page (an invalid hint or return address gives a 400 instead).
	if out.status != http.StatusOK || out.url.Host != provider || !strings.Contains(out.body, "signed out successfully") {
		t.Errorf("after logout the browser is at %s (%d): %.200s", out.url, out.status, out.body)
	}
	if _, err := tStore.SessionByToken(context.Background(), token, time.Now()); !errors.Is(err, sesam.ErrNotFound) {
		t.Errorf("the session outlives the logout: %v", err)
	}
	if me := b.me(base); !me.Public {
		t.Errorf("after logout the API still sees %+v", me)
	}
	if n := countJournalOf(t, subject, access.ActionLogout) - logouts; n != 1 {
		t.Errorf("%d logouts journalled, want 1", n)
	}

	// Someone who gave the archivist's address to the provider without verifying it
	// logs in as themself: the address gives them nothing.
	intruder := newRealBrowser(t)
	intruder.logInAtProvider(intruder.visit(http.MethodGet, base+"/login", nil), "intrus", "verysecure")
	if me := intruder.me(base); me.Subject != "sesam-intrus" || me.Email != "" || len(me.Roles) != 0 {
		t.Errorf("a person with an unverified address: %+v; want subject sesam-intrus, no e-mail, no role", me)
	}

	// Log in again: the provider asks for the password (this example provider keeps no
	// login session of its own, so it always does) and the portal opens a new session.
	again := b.logInAtProvider(b.visit(http.MethodGet, base+"/login", nil), "archiviste", "verysecure")
	if again.url.String() != base+"/" || b.cookie(base, sessionCookie) == "" || b.cookie(base, sessionCookie) == token {
		t.Errorf("second login: at %s, session %q (first was %q)", again.url, b.cookie(base, sessionCookie), token)
	}
}

// providerTokens logs a person in at the provider as an API client registered as
// clientID would (authorization code, stopping at the redirect address instead of
// following it) and returns the tokens the provider gives.
func providerTokens(t *testing.T, issuer, clientID, redirect, user, password string) *oauth2.Token {
	t.Helper()
	ctx := context.Background()
	p, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		t.Fatal(err)
	}
	conf := oauth2.Config{ClientID: clientID, ClientSecret: "secret", RedirectURL: redirect, Endpoint: p.Endpoint(),
		Scopes: []string{oidc.ScopeOpenID, "profile", "email"}}
	b := newRealBrowser(t)
	var back *url.URL
	b.client.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if strings.HasPrefix(req.URL.String(), redirect) {
			back = req.URL
			return http.ErrUseLastResponse
		}
		return nil
	}
	b.logInAtProvider(b.visit(http.MethodGet, conf.AuthCodeURL("api-client"), nil), user, password)
	if back == nil || back.Query().Get("code") == "" {
		t.Fatalf("the provider did not send the API client back with a code")
	}
	tok, err := conf.Exchange(ctx, back.Query().Get("code"))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestOIDCEndToEndBearer: an API client presents the provider's tokens. An access
// token is checked with the provider (introspection) and names the person with her
// verified address, so her rights granted by e-mail apply; an ID token names her by
// subject (zitadel's carries no address); a token issued to another client of the
// provider, or someone's unverified address, gives nothing.
func TestOIDCEndToEndBearer(t *testing.T) {
	base, issuer := startZitadelPortal(t)
	b := newRealBrowser(t)
	me := func(token string) (int, meDoc) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/me", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := b.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var d meDoc
		json.NewDecoder(resp.Body).Decode(&d)
		return resp.StatusCode, d
	}

	tok := providerTokens(t, issuer, "web", base+"/auth/callback", "archiviste", "verysecure")
	want := meDoc{Subject: "sesam-archiviste", Email: "archiviste@cdg62.fr", Name: "Ariane Archiviste",
		Roles: []access.Assignment{{Subject: "archiviste@cdg62.fr", Role: access.RoleArchivist, Domain: "cdg62"}}}
	for i := 0; i < 2; i++ { // the second time from the cache
		status, got := me(tok.AccessToken)
		if diff := cmp.Diff(want, got); status != http.StatusOK || diff != "" {
			t.Errorf("me with the archivist's access token: %d (-want +got):\n%s", status, diff)
		}
	}
	idToken, _ := tok.Extra("id_token").(string)
	if status, got := me(idToken); status != http.StatusOK || got.Subject != "sesam-archiviste" || got.Public {
		t.Errorf("me with the archivist's ID token: %d %+v", status, got)
	}
	if status, _ := me(tok.AccessToken + "x"); status != http.StatusUnauthorized {
		t.Errorf("a made-up access token: %d, want 401", status)
	}
	other := providerTokens(t, issuer, "api", base+"/auth/callback", "archiviste", "verysecure")
	if status, got := me(other.AccessToken); status != http.StatusUnauthorized {
		t.Errorf("an access token issued to another client: %d %+v, want 401", status, got)
	}
	intruder := providerTokens(t, issuer, "web", base+"/auth/callback", "intrus", "verysecure")
	if status, got := me(intruder.AccessToken); status != http.StatusOK || got.Subject != "sesam-intrus" || got.Email != "" || len(got.Roles) != 0 {
		t.Errorf("me with the access token of an unverified address: %d %+v; want sesam-intrus without e-mail or role", status, got)
	}
}

// TestOIDCBrowserLogout logs in and out in headless Chromium, which enforces the
// portal's CSP (the HTTP client of TestOIDCEndToEnd does not): a form may only lead to
// this site (form-action 'self'), so a logout that redirected its form's answer to the
// provider was blocked there, and the provider's session survived.
func TestOIDCBrowserLogout(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	chromium, axe := browserTools(t)
	base, issuer := startZitadelPortal(t)
	env := launchBrowser(t, base, chromium, axe)
	tb := env.newTab(t)

	tb.open(t, "/units/"+strconv.FormatInt(ruitz["M-EGLISE"], 10))
	tb.follow(t, `//header//a[normalize-space(.)="Se connecter"]`)
	if host := evalJS[string](t, tb, `location.host`); host != mustURL(issuer).Host {
		t.Fatalf("the login link led to %s, want the provider's login form", tb.location(t))
	}
	tb.do(t, "fill in the provider's form", chromedp.SendKeys(chromedp.CSS("#username"), "archiviste", chromedp.NodeVisible),
		chromedp.SendKeys(chromedp.CSS("#password"), "verysecure", chromedp.NodeVisible))
	tb.follow(t, `button[type="submit"]`)
	tb.waitFor(t, "back on the portal, logged in", func() bool {
		return tb.location(t) == "/units/"+strconv.FormatInt(ruitz["M-EGLISE"], 10) &&
			strings.Contains(evalJS[string](t, tb, `document.body.innerText`), "Ariane Archiviste")
	})
	tb.checkConsole(t, "login")

	tb.follow(t, `//header//button[normalize-space(.)="Se déconnecter"]`)
	tb.waitFor(t, "the provider's signed-out page", func() bool {
		return evalJS[string](t, tb, `location.host`) == mustURL(issuer).Host &&
			strings.Contains(evalJS[string](t, tb, `document.body ? document.body.innerText : ""`), "signed out successfully")
	})
	tb.checkConsole(t, "logout") // a CSP violation would show here
	tb.open(t, "/")
	nav := tb.text(t, "header.site nav")
	mustContain(t, "header after logout", nav, "Se connecter")
	mustNotContain(t, "header after logout", nav, "Ariane")
}

// waitFor checks cond until it holds (a page that navigates on by itself, as a meta
// refresh does), failing after stepTimeout.
func (tb *tab) waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(stepTimeout); !cond(); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: %s", what, tb.failure(t))
		}
	}
}
