package portal

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"html"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"
	"github.com/oauth2-proxy/mockoidc"
	"golang.org/x/oauth2"

	"sesam"
	"sesam/access"
)

// The OIDC unit tests run the real login against mockoidc, an OIDC provider served on
// loopback by the test process: sesam's side goes through app.Handler().Test, the
// provider's side through a plain HTTP client that follows no redirect, so each redirectHop of
// the browser's trip can be looked at and tampered with.

const (
	msgUnavailable = "Le service d'identification est momentanément indisponible"
	msgLoginFailed = "La connexion a échoué"
)

// mockProvider is mockoidc on loopback, with switches a test can turn: re-sign the ID
// tokens the token endpoint hands out with another key, announce an end_session_endpoint.
type mockProvider struct {
	*mockoidc.MockOIDC
	resign     atomic.Pointer[mockoidc.Keypair]
	endSession atomic.Bool
}

func startProvider(t *testing.T) *mockProvider {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return startProviderOn(t, ln, "", "")
}

// startProviderOn serves the provider on ln, for the client given (random when empty).
func startProviderOn(t *testing.T, ln net.Listener, clientID, secret string) *mockProvider {
	t.Helper()
	m, err := mockoidc.NewServer(nil)
	if err != nil {
		t.Fatal(err)
	}
	if clientID != "" {
		m.ClientID, m.ClientSecret = clientID, secret
	}
	p := &mockProvider{MockOIDC: m}
	if err := m.AddMiddleware(p.rewrite); err != nil {
		t.Fatal(err)
	}
	if err := m.Start(ln, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Shutdown() })
	return p
}

// rewrite changes the provider's answers as the switches say.
func (p *mockProvider) rewrite(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := p.resign.Load()
		switch {
		case r.URL.Path == mockoidc.TokenEndpoint && key != nil:
			rewriteJSON(w, r, next, func(body map[string]any) {
				if raw, ok := body["id_token"].(string); ok {
					body["id_token"] = resign(raw, key)
				}
			})
		case r.URL.Path == mockoidc.DiscoveryEndpoint && p.endSession.Load():
			rewriteJSON(w, r, next, func(body map[string]any) {
				body["end_session_endpoint"] = p.Addr() + "/oidc/end_session"
			})
		default:
			next.ServeHTTP(w, r)
		}
	})
}

func rewriteJSON(w http.ResponseWriter, r *http.Request, next http.Handler, change func(map[string]any)) {
	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, r)
	var body map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err == nil {
		change(body)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(rec.Code)
	json.NewEncoder(w).Encode(body)
}

// resign signs a token's claims again with another key.
func resign(raw string, key *mockoidc.Keypair) string {
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(raw, claims); err != nil {
		return raw
	}
	s, err := key.SignJWT(claims)
	if err != nil {
		return raw
	}
	return s
}

// otherKey is a key that is not the provider's, announced under the provider's key id.
var otherKey = sync.OnceValue(func() *mockoidc.Keypair {
	kp, err := mockoidc.RandomKeypair(2048)
	if err != nil {
		panic(err)
	}
	provider, _ := mockoidc.DefaultKeypair()
	kp.Kid, _ = provider.KeyID()
	return kp
})

// oidcPerson is a provider user whose ID token and userinfo answer a test chooses.
type oidcPerson struct {
	Subject          string
	Email            string
	EmailVerified    *bool // nil: the claim is absent
	Name             string
	Groups           []string
	NoEmailInIDToken bool
	// Forge changes the ID token's registered claims before the provider signs them.
	Forge func(*mockoidc.IDTokenClaims)
	// UserinfoAnswer, when set, is the userinfo endpoint's answer.
	UserinfoAnswer map[string]any
}

type oidcPersonClaims struct {
	*mockoidc.IDTokenClaims
	Email         string   `json:"email,omitempty"`
	EmailVerified *bool    `json:"email_verified,omitempty"`
	Name          string   `json:"name,omitempty"`
	Groups        []string `json:"groups,omitempty"`
}

func (u *oidcPerson) ID() string { return u.Subject }

func (u *oidcPerson) Claims(_ []string, base *mockoidc.IDTokenClaims) (jwt.Claims, error) {
	if u.Forge != nil {
		u.Forge(base)
	}
	c := &oidcPersonClaims{IDTokenClaims: base, Email: u.Email, EmailVerified: u.EmailVerified, Name: u.Name, Groups: u.Groups}
	if u.NoEmailInIDToken {
		c.Email, c.EmailVerified, c.Name = "", nil, ""
	}
	return c, nil
}

func (u *oidcPerson) Userinfo([]string) ([]byte, error) {
	if u.UserinfoAnswer != nil {
		return json.Marshal(u.UserinfoAnswer)
	}
	return json.Marshal(map[string]any{"sub": u.Subject, "email": u.Email, "email_verified": u.EmailVerified, "name": u.Name})
}

func newOIDCPerson(email string) *oidcPerson {
	yes := true
	return &oidcPerson{Subject: "oidc-" + randomToken()[:12], Email: email, EmailVerified: &yes, Name: "Personne de test"}
}

// newOIDCApp is a portal logging in with the provider at issuer (no demo login).
func newOIDCApp(t *testing.T, oc OIDCConfig, baseURL string, j Journal) *App {
	t.Helper()
	app, err := New(context.Background(), Config{Addr: "127.0.0.1:0", BaseURL: baseURL, OIDC: oc, SearchRate: 10000, LoginRate: 10000},
		Deps{Store: tStore, Index: tIndex, Rights: tRights, Journal: j, Stamper: tStamper, Log: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	return app
}

func mockConfig(m *mockProvider) OIDCConfig {
	return OIDCConfig{Issuer: m.Issuer(), ClientID: m.ClientID, ClientSecret: m.ClientSecret}
}

// testLogger sends the portal's logs to the test's log (shown on failure or with -v).
func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// visitor is a browser on the portal: it keeps the cookies the portal gives it and
// follows no redirect by itself.
type visitor struct {
	t    *testing.T
	app  *App
	base string
	jar  *cookiejar.Jar
}

func newVisitor(t *testing.T, app *App) *visitor {
	jar, _ := cookiejar.New(nil)
	return &visitor{t: t, app: app, base: app.cfg.BaseURL, jar: jar}
}

// do sends a request to the portal with the browser's cookies and keeps the new ones.
func (b *visitor) do(method, pathAndQuery string, form url.Values, header http.Header) response {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, b.base+pathAndQuery, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header[k] = v
	}
	for _, c := range b.jar.Cookies(req.URL) {
		req.AddCookie(c)
	}
	resp, err := b.app.Handler().Test(req, -1)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	b.jar.SetCookies(req.URL, resp.Cookies())
	all, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(all)}
}

func (b *visitor) get(pathAndQuery string) response {
	return b.do(http.MethodGet, pathAndQuery, nil, nil)
}

// cookie is the browser's value of a portal cookie ("" when it has none).
func (b *visitor) cookie(name string) string {
	u, _ := url.Parse(b.base + "/auth/callback")
	for _, c := range b.jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// startLogin asks the portal for a login and returns where it sends the browser.
func (b *visitor) startLogin(back string) *url.URL {
	b.t.Helper()
	r := b.get("/login?back=" + url.QueryEscape(back))
	if r.status != http.StatusSeeOther {
		b.t.Fatalf("GET /login: %d, want 303 to the provider\n%s", r.status, r.body)
	}
	u, err := url.Parse(r.header.Get("Location"))
	if err != nil {
		b.t.Fatal(err)
	}
	return u
}

// callback brings the provider's answer back to the portal.
func (b *visitor) callback(cb *url.URL) response {
	b.t.Helper()
	return b.get(cb.RequestURI())
}

// login goes the whole way: portal, provider, portal.
func (b *visitor) login(back string) response {
	b.t.Helper()
	return b.callback(providerAuthorize(b.t, b.startLogin(back)))
}

// noRedirect is the browser's client towards the provider: one hop at a time.
var noRedirect = &http.Client{
	Timeout:       10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// providerAuthorize plays the provider's part: it returns the callback address the provider
// sends the browser back to.
func providerAuthorize(t *testing.T, u *url.URL) *url.URL {
	t.Helper()
	resp, err := noRedirect.Get(u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("provider authorize: %d %s", resp.StatusCode, b)
	}
	cb, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return cb
}

func cookieOf(r response, name string) *http.Cookie {
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// countJournalOf counts a person's journal entries of one action.
func countJournalOf(t *testing.T, subject, action string) int64 {
	t.Helper()
	var n int64
	err := tStore.Pool().QueryRow(context.Background(), `SELECT count(*) FROM journal WHERE subject = $1 AND action = $2`,
		subject, action).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// me is who the API says the browser is.
func (b *visitor) me() meDoc {
	b.t.Helper()
	return decodeMe(b.t, b.get("/api/v1/me"))
}

func decodeMe(t *testing.T, r response) meDoc {
	t.Helper()
	var d meDoc
	if r.status != http.StatusOK {
		t.Fatalf("GET /api/v1/me: %d %s", r.status, r.body)
	}
	if err := json.Unmarshal([]byte(r.body), &d); err != nil {
		t.Fatal(err)
	}
	return d
}

func roleNames(as []access.Assignment) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Role+" "+a.Domain)
	}
	return out
}

// TestOIDCLogin goes through a real login (authorization code with PKCE, state and
// nonce) and checks what the visitor gets: a session cookie with the right attributes,
// a server-side session for the right person, a journal entry, the person's roles.
func TestOIDCLogin(t *testing.T) {
	for _, base := range []string{"http://sesam.test", "https://archives.sesam.test"} {
		t.Run(base, func(t *testing.T) {
			m := startProvider(t)
			app := newOIDCApp(t, mockConfig(m), base, tJournal)
			u := newOIDCPerson("Archiviste@CDG62.fr") // the archivist of cdg62, as the provider spells her address
			m.QueueUser(u)
			b := newVisitor(t, app)

			auth := b.startLogin("/search?q=registre")
			q := auth.Query()
			if got, want := auth.Scheme+"://"+auth.Host+auth.Path, m.AuthorizationEndpoint(); got != want {
				t.Errorf("login goes to %s, want the provider's authorization endpoint %s", got, want)
			}
			for k, want := range map[string]string{"client_id": m.ClientID, "response_type": "code",
				"redirect_uri": base + "/auth/callback", "code_challenge_method": "S256"} {
				if q.Get(k) != want {
					t.Errorf("authorization request %s = %q, want %q", k, q.Get(k), want)
				}
			}
			if !strings.Contains(" "+q.Get("scope")+" ", " openid ") {
				t.Errorf("scope %q lacks openid", q.Get("scope"))
			}
			for _, k := range []string{"state", "nonce", "code_challenge"} {
				if len(q.Get(k)) < 43 { // 32 random bytes, or a SHA-256, in base64url
					t.Errorf("authorization request %s = %q: not a fresh random value", k, q.Get(k))
				}
			}

			cb := providerAuthorize(t, auth)
			r := b.callback(cb)
			if r.status != http.StatusSeeOther || r.header.Get("Location") != "/search?q=registre" {
				t.Fatalf("callback: %d to %q, want 303 back to the search\n%s", r.status, r.header.Get("Location"), r.body)
			}
			c := cookieOf(r, sessionCookie)
			if c == nil {
				t.Fatal("callback set no session cookie")
			}
			wantSecure := strings.HasPrefix(base, "https://")
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure != wantSecure || c.Path != "/" {
				t.Errorf("session cookie: HttpOnly %v SameSite %v Secure %v Path %q; want HttpOnly, Lax, Secure=%v, /",
					c.HttpOnly, c.SameSite, c.Secure, c.Path, wantSecure)
			}
			s, err := tStore.SessionByToken(context.Background(), c.Value, time.Now())
			if err != nil {
				t.Fatalf("no session in the store for the cookie: %v", err)
			}
			if s.Subject != u.Subject || s.Email != "archiviste@cdg62.fr" || s.IDToken == "" {
				t.Errorf("stored session: subject %q email %q id token %d bytes; want %q, archiviste@cdg62.fr, the ID token",
					s.Subject, s.Email, len(s.IDToken), u.Subject)
			}
			if n := countJournalOf(t, u.Subject, access.ActionLogin); n != 1 {
				t.Errorf("%d login entries in the journal, want 1", n)
			}
			me := b.me()
			if diff := cmp.Diff([]string{"archivist cdg62"}, roleNames(me.Roles)); me.Subject != u.Subject || diff != "" {
				t.Errorf("me: subject %q (want %q), roles (-want +got):\n%s", me.Subject, u.Subject, diff)
			}
		})
	}
}

// TestOIDCSessionIDRotatedAtLogin: a session the browser held before logging in is
// ended; the login gives a new one.
func TestOIDCSessionIDRotatedAtLogin(t *testing.T) {
	m := startProvider(t)
	app := newOIDCApp(t, mockConfig(m), "http://sesam.test", tJournal)
	b := newVisitor(t, app)
	old := "planted-" + randomToken()
	s := *agentRuitz
	s.CSRF, s.ExpiresAt = randomToken(), time.Now().Add(time.Hour)
	if err := tStore.CreateSession(context.Background(), old, s); err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(b.base)
	b.jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: old, Path: "/"}})
	if me := b.me(); me.Email != agentRuitz.Email {
		t.Fatalf("the planted session does not work before the login: %+v", me)
	}

	p := newOIDCPerson("rotation@example.fr")
	m.QueueUser(p)
	if r := b.login("/"); r.status != http.StatusSeeOther {
		t.Fatalf("login: %d %s", r.status, r.body)
	}
	now := b.cookie(sessionCookie)
	if now == "" || now == old {
		t.Fatalf("session cookie after login %q: want a new one", now)
	}
	if _, err := tStore.SessionByToken(context.Background(), old, time.Now()); !errors.Is(err, sesam.ErrNotFound) {
		t.Errorf("the session held before the login still exists: %v", err)
	}
	if me := b.me(); me.Subject != p.Subject {
		t.Errorf("after login the browser is %q, want %q", me.Subject, p.Subject)
	}
	stale := newVisitor(t, app)
	stale.jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: old, Path: "/"}})
	if me := stale.me(); !me.Public {
		t.Errorf("the old session id still names someone: %+v", me)
	}
}

// TestOIDCCallbackRefusals: a callback that is not the answer to this browser's own,
// still unused login request is refused with a clear page, and opens no session.
func TestOIDCCallbackRefusals(t *testing.T) {
	m := startProvider(t)
	app := newOIDCApp(t, mockConfig(m), "http://sesam.test", tJournal)
	refused := func(t *testing.T, r response, subject string) {
		t.Helper()
		if r.status != http.StatusBadRequest {
			t.Errorf("callback: %d, want 400", r.status)
		}
		if !strings.Contains(html.UnescapeString(r.body), msgLoginFailed) {
			t.Errorf("the refusal does not say the login failed:\n%s", r.body)
		}
		if c := cookieOf(r, sessionCookie); c != nil && c.Value != "" {
			t.Errorf("a refused callback set a session cookie")
		}
		if subject == "" {
			return
		}
		if n := countJournalOf(t, subject, access.ActionLogin); n != 0 {
			t.Errorf("%d logins journalled for a refused callback", n)
		}
	}

	t.Run("replayed", func(t *testing.T) {
		p := newOIDCPerson("replay@example.fr")
		m.QueueUser(p)
		b := newVisitor(t, app)
		auth := b.startLogin("/")
		cb := providerAuthorize(t, auth)
		if r := b.callback(cb); r.status != http.StatusSeeOther {
			t.Fatalf("first callback: %d %s", r.status, r.body)
		}
		before := countJournalOf(t, p.Subject, access.ActionLogin)
		// The same answer again, and a fresh code obtained with the same state, from
		// the same browser still holding the login's cookie: only the server can refuse.
		state := auth.Query().Get("state")
		for _, again := range []*url.URL{cb, providerAuthorize(t, auth)} {
			b.jar.SetCookies(mustURL(b.base+"/auth/callback"), []*http.Cookie{{Name: loginCookie, Value: state, Path: "/auth/callback"}})
			r := b.callback(again)
			if r.status != http.StatusBadRequest || cookieOf(r, sessionCookie) != nil {
				t.Errorf("state used twice: %d, session cookie %v; want 400 and none", r.status, cookieOf(r, sessionCookie))
			}
		}
		if n := countJournalOf(t, p.Subject, access.ActionLogin); n != before {
			t.Errorf("replays were journalled as logins")
		}
	})
	t.Run("unknown state", func(t *testing.T) {
		p := newOIDCPerson("wrongstate@example.fr")
		m.QueueUser(p)
		b := newVisitor(t, app)
		cb := providerAuthorize(t, b.startLogin("/"))
		q := cb.Query()
		q.Set("state", randomToken())
		cb.RawQuery = q.Encode()
		refused(t, b.callback(cb), p.Subject)
	})
	t.Run("another browser's login", func(t *testing.T) {
		// Login CSRF: someone starts a login, stops at the callback address and has a
		// victim's browser open it; the victim must not end up in their account.
		p := newOIDCPerson("attacker@example.fr")
		m.QueueUser(p)
		attacker := newVisitor(t, app)
		cb := providerAuthorize(t, attacker.startLogin("/"))
		victim := newVisitor(t, app)
		refused(t, victim.callback(cb), p.Subject)
		if r := attacker.callback(cb); r.status != http.StatusSeeOther {
			t.Errorf("the login's own browser is refused after the failed attempt: %d", r.status)
		}
	})
	t.Run("provider error", func(t *testing.T) {
		b := newVisitor(t, app)
		auth := b.startLogin("/")
		r := b.get("/auth/callback?" + url.Values{"error": {"access_denied"}, "state": {auth.Query().Get("state")}}.Encode())
		refused(t, r, "")
	})
	t.Run("changed PKCE challenge", func(t *testing.T) {
		p := newOIDCPerson("pkce@example.fr")
		m.QueueUser(p)
		b := newVisitor(t, app)
		auth := b.startLogin("/")
		q := auth.Query()
		sum := sha256.Sum256([]byte("a verifier the attacker knows"))
		q.Set("code_challenge", base64.RawURLEncoding.EncodeToString(sum[:]))
		auth.RawQuery = q.Encode()
		refused(t, b.callback(providerAuthorize(t, auth)), p.Subject)
	})
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

// TestOIDCBadIDTokenRefused: the ID token coming back from the code exchange is
// checked (nonce, audience, issuer, expiry, signature); any fault gives 400 and no session.
func TestOIDCBadIDTokenRefused(t *testing.T) {
	m := startProvider(t)
	app := newOIDCApp(t, mockConfig(m), "http://sesam.test", tJournal)
	tests := []struct {
		name  string
		forge func(*mockoidc.IDTokenClaims)
		nonce string // when set, the nonce the browser sends the provider instead of the portal's
		key   *mockoidc.Keypair
	}{
		{name: "nonce of another login", nonce: randomToken()},
		{name: "audience", forge: func(c *mockoidc.IDTokenClaims) { c.Audience = jwt.ClaimStrings{"another-client"} }},
		{name: "issuer", forge: func(c *mockoidc.IDTokenClaims) { c.Issuer = "http://127.0.0.1:1/oidc" }},
		{name: "expired", forge: func(c *mockoidc.IDTokenClaims) {
			c.IssuedAt = jwt.NewNumericDate(time.Now().Add(-2 * time.Hour))
			c.NotBefore = c.IssuedAt
			c.ExpiresAt = jwt.NewNumericDate(time.Now().Add(-time.Hour))
		}},
		{name: "signed by another key", key: otherKey()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newOIDCPerson("forged@example.fr")
			p.Forge = tc.forge
			m.QueueUser(p)
			if tc.key != nil {
				m.resign.Store(tc.key)
				defer m.resign.Store(nil)
			}
			b := newVisitor(t, app)
			auth := b.startLogin("/")
			if tc.nonce != "" {
				q := auth.Query()
				q.Set("nonce", tc.nonce)
				auth.RawQuery = q.Encode()
			}
			r := b.callback(providerAuthorize(t, auth))
			if r.status != http.StatusBadRequest || cookieOf(r, sessionCookie) != nil {
				t.Errorf("callback: %d, session cookie %v; want 400 and none", r.status, cookieOf(r, sessionCookie))
			}
			if n := countJournalOf(t, p.Subject, access.ActionLogin); n != 0 {
				t.Errorf("a refused ID token was journalled as a login")
			}
		})
	}
}

// TestOIDCClaimsMapping: what the portal takes from the provider to name the person,
// and so to find their rights (granted by e-mail or subject).
func TestOIDCClaimsMapping(t *testing.T) {
	no, yes := false, true
	tests := []struct {
		name        string
		person      oidcPerson
		groupsClaim string
		trustAbsent bool // SESAM_OIDC_TRUST_UNVERIFIED_EMAIL
		wantEmail   string
		wantRoles   []string
	}{
		{name: "e-mail in the ID token", person: oidcPerson{Email: "archiviste@cdg62.fr", EmailVerified: &yes},
			wantEmail: "archiviste@cdg62.fr", wantRoles: []string{"archivist cdg62"}},
		{name: "e-mail from userinfo", person: oidcPerson{Email: "agent@ruitz.fr", EmailVerified: &yes, NoEmailInIDToken: true},
			wantEmail: "agent@ruitz.fr", wantRoles: []string{"reader cdg62/ruitz"}},
		// Userinfo about someone else is not about this oidcPerson (OIDC Core 5.3.2).
		{name: "userinfo for another subject", person: oidcPerson{NoEmailInIDToken: true,
			UserinfoAnswer: map[string]any{"sub": "someone-else", "email": "archiviste@cdg62.fr", "email_verified": true}}},
		// Rights are granted by e-mail: an address the provider has not verified could
		// have been typed by anyone.
		{name: "unverified e-mail", person: oidcPerson{Email: "archiviste@cdg62.fr", EmailVerified: &no}},
		{name: "unverified e-mail from userinfo", person: oidcPerson{NoEmailInIDToken: true,
			UserinfoAnswer: map[string]any{"email": "archiviste@cdg62.fr", "email_verified": false}}},
		// A provider that does not say is not trusted either (zitadel leaves the claim
		// out when it is false), unless the configuration says its addresses are all
		// verified; an explicit false is never trusted.
		{name: "e-mail without email_verified", person: oidcPerson{Email: "archiviste@cdg62.fr"}},
		{name: "e-mail without email_verified, trusted by configuration", person: oidcPerson{Email: "archiviste@cdg62.fr"},
			trustAbsent: true, wantEmail: "archiviste@cdg62.fr", wantRoles: []string{"archivist cdg62"}},
		{name: "unverified e-mail, absent claims trusted", person: oidcPerson{Email: "archiviste@cdg62.fr", EmailVerified: &no},
			trustAbsent: true},
		// An ID token that names an address without saying it is verified: userinfo may.
		{name: "e-mail verified per userinfo", person: oidcPerson{Email: "agent@ruitz.fr",
			UserinfoAnswer: map[string]any{"email": "agent@ruitz.fr", "email_verified": true}},
			wantEmail: "agent@ruitz.fr", wantRoles: []string{"reader cdg62/ruitz"}},
		{name: "groups claim", person: oidcPerson{Email: "groupe@example.fr", EmailVerified: &yes, Groups: []string{"sesam:auditor:cdg62", "staff"}},
			groupsClaim: "groups", wantEmail: "groupe@example.fr", wantRoles: []string{"auditor cdg62"}},
	}
	m := startProvider(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			oc := mockConfig(m)
			oc.GroupsClaim, oc.TrustUnverifiedEmail = tc.groupsClaim, tc.trustAbsent
			app := newOIDCApp(t, oc, "http://sesam.test", tJournal)
			p := tc.person
			p.Subject = "oidc-" + randomToken()[:12]
			if p.UserinfoAnswer != nil && p.UserinfoAnswer["sub"] == nil {
				p.UserinfoAnswer["sub"] = p.Subject
			}
			m.QueueUser(&p)
			b := newVisitor(t, app)
			if r := b.login("/"); r.status != http.StatusSeeOther {
				t.Fatalf("login: %d %s", r.status, r.body)
			}
			me := b.me()
			if me.Subject != p.Subject || me.Email != tc.wantEmail {
				t.Errorf("me: subject %q email %q; want %q %q", me.Subject, me.Email, p.Subject, tc.wantEmail)
			}
			if diff := cmp.Diff(tc.wantRoles, roleNames(me.Roles)); diff != "" {
				t.Errorf("roles (-want +got):\n%s", diff)
			}
		})
	}
}

// providerIDToken logs a oidcPerson in at the provider directly (as an API client would)
// and returns the ID token it issues.
func providerIDToken(t *testing.T, m *mockProvider, p *oidcPerson) string {
	t.Helper()
	m.QueueUser(p)
	conf := oauth2.Config{ClientID: m.ClientID, ClientSecret: m.ClientSecret, RedirectURL: "http://client.test/cb",
		Endpoint: oauth2.Endpoint{AuthURL: m.AuthorizationEndpoint(), TokenURL: m.TokenEndpoint()}, Scopes: []string{"openid", "email"}}
	cb := providerAuthorize(t, mustURL(conf.AuthCodeURL("api-client")))
	tok, err := conf.Exchange(context.Background(), cb.Query().Get("code"))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		t.Fatal("the provider gave no ID token")
	}
	return raw
}

// signedByProvider is a token signed with the provider's own key, with claims a test chooses.
func signedByProvider(t *testing.T, m *mockProvider, claims jwt.MapClaims) string {
	t.Helper()
	s, err := m.Keypair.SignJWT(claims)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func bearerHeader(tok string) http.Header { return http.Header{"Authorization": {"Bearer " + tok}} }

// TestOIDCBearerToken: the API takes the provider's ID tokens for this client as
// bearer tokens, and nothing else.
func TestOIDCBearerToken(t *testing.T) {
	m := startProvider(t)
	app := newOIDCApp(t, mockConfig(m), "http://sesam.test", tJournal)
	p := newOIDCPerson("archiviste@cdg62.fr")
	good := providerIDToken(t, m, p)
	b := newVisitor(t, app)

	me := decodeMe(t, b.do(http.MethodGet, "/api/v1/me", nil, bearerHeader(good)))
	if me.Subject != p.Subject || me.Email != "archiviste@cdg62.fr" || len(me.Roles) != 1 {
		t.Errorf("me with a valid bearer token: %+v", me)
	}

	now := time.Now()
	claims := func(change func(jwt.MapClaims)) jwt.MapClaims {
		c := jwt.MapClaims{"iss": m.Issuer(), "aud": m.ClientID, "sub": p.Subject, "email": p.Email,
			"iat": now.Unix(), "exp": now.Add(10 * time.Minute).Unix()}
		change(c)
		return c
	}
	parts := strings.Split(good, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	payload = []byte(strings.Replace(string(payload), p.Subject, "sub-archiviste", 1))
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString(payload) + "." + parts[2]
	for _, tc := range []struct {
		name   string
		header http.Header
	}{
		{"tampered payload", bearerHeader(tampered)},
		{"expired", bearerHeader(signedByProvider(t, m, claims(func(c jwt.MapClaims) {
			c["iat"], c["exp"] = now.Add(-2*time.Hour).Unix(), now.Add(-time.Hour).Unix()
		})))},
		{"another audience", bearerHeader(signedByProvider(t, m, claims(func(c jwt.MapClaims) { c["aud"] = "another-client" })))},
		{"another issuer", bearerHeader(signedByProvider(t, m, claims(func(c jwt.MapClaims) { c["iss"] = "http://127.0.0.1:1/oidc" })))},
		{"signed by another key", bearerHeader(resign(good, otherKey()))},
		{"not a token", bearerHeader("not-a-jwt")},
		{"not bearer", http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte("a:b"))}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := b.do(http.MethodGet, "/api/v1/me", nil, tc.header)
			var e struct {
				Error struct{ Code, Message string }
			}
			json.Unmarshal([]byte(r.body), &e)
			if r.status != http.StatusUnauthorized || e.Error.Code != "unauthorized" || !strings.Contains(e.Error.Message, "Jeton") {
				t.Errorf("%d %s; want 401 {\"error\":{\"code\":\"unauthorized\",...}}", r.status, r.body)
			}
		})
	}
}

// TestOIDCLogout: logging out ends the session here, is journalled, and sends the
// browser to the provider's logout when it has one.
func TestOIDCLogout(t *testing.T) {
	for _, tc := range []struct {
		name       string
		endSession bool
		postLogout string
	}{
		{name: "provider without end_session_endpoint"},
		{name: "provider logout", endSession: true},
		{name: "provider logout and back", endSession: true, postLogout: "http://sesam.test/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := startProvider(t)
			m.endSession.Store(tc.endSession)
			oc := mockConfig(m)
			oc.PostLogoutRedirectURI = tc.postLogout
			app := newOIDCApp(t, oc, "http://sesam.test", tJournal)
			p := newOIDCPerson("depart@example.fr")
			m.QueueUser(p)
			b := newVisitor(t, app)
			if r := b.login("/"); r.status != http.StatusSeeOther {
				t.Fatalf("login: %d %s", r.status, r.body)
			}
			token := b.cookie(sessionCookie)
			s, err := tStore.SessionByToken(context.Background(), token, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if r := b.do(http.MethodPost, "/logout", url.Values{}, nil); r.status != http.StatusForbidden {
				t.Errorf("logout without the CSRF token: %d, want 403", r.status)
			}
			r := b.do(http.MethodPost, "/logout", url.Values{csrfField: {s.CSRF}}, nil)
			if tc.endSession {
				// A page leads on to the provider's logout: a redirect answering the form
				// would be blocked by the CSP's form-action 'self'.
				to := providerLogoutLink(t, r)
				want := url.Values{"id_token_hint": {s.IDToken}, "client_id": {m.ClientID}}
				if tc.postLogout != "" {
					want.Set("post_logout_redirect_uri", tc.postLogout)
				}
				if diff := cmp.Diff(want, to.Query()); to.Path != "/oidc/end_session" || diff != "" {
					t.Errorf("logout goes to %s; query (-want +got):\n%s", to.Path, diff)
				}
			} else if r.status != http.StatusSeeOther || r.header.Get("Location") != "/" {
				t.Errorf("logout: %d to %q, want 303 to /", r.status, r.header.Get("Location"))
			}
			if _, err := tStore.SessionByToken(context.Background(), token, time.Now()); !errors.Is(err, sesam.ErrNotFound) {
				t.Errorf("the session outlives the logout: %v", err)
			}
			if me := b.me(); !me.Public {
				t.Errorf("after logout the browser is still %+v", me)
			}
			if n := countJournalOf(t, p.Subject, access.ActionLogout); n != 1 {
				t.Errorf("%d logouts journalled, want 1", n)
			}
		})
	}
}

var (
	providerLinkRe = regexp.MustCompile(`<a id="provider-logout" href="([^"]*)"`)
	metaRefreshRe  = regexp.MustCompile(`<meta http-equiv="refresh" content="0;url=([^"]*)">`)
)

// providerLogoutLink reads the page a logout answers with when the provider has a
// logout of its own: it goes there at once (meta refresh) and offers the link too.
func providerLogoutLink(t *testing.T, r response) *url.URL {
	t.Helper()
	link, refresh := providerLinkRe.FindStringSubmatch(r.body), metaRefreshRe.FindStringSubmatch(r.body)
	if r.status != http.StatusOK || link == nil || refresh == nil || link[1] != refresh[1] {
		t.Fatalf("logout: %d, want a page leading to the provider's logout (link and refresh)\n%s", r.status, r.body)
	}
	return mustURL(html.UnescapeString(link[1]))
}

// TestLogoutWithoutJournal: a logout the journal cannot record still ends the session
// (the failure is logged and counted).
func TestLogoutWithoutJournal(t *testing.T) {
	app, err := newTestApp(context.Background(), failingJournal{})
	if err != nil {
		t.Fatal(err)
	}
	ac := newActor(t, *agentRuitz)
	r := ac.send(t, app, http.MethodPost, "/logout", url.Values{})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/" {
		t.Errorf("logout without journal: %d to %q, want 303 to /", r.status, r.header.Get("Location"))
	}
	if _, err := tStore.SessionByToken(context.Background(), ac.token, time.Now()); !errors.Is(err, sesam.ErrNotFound) {
		t.Errorf("the session outlives a logout the journal could not record: %v", err)
	}
	if m := get(t, app, nil, "/metrics"); !regexp.MustCompile(`sesam_journal_failures_total [1-9]`).MatchString(m.body) {
		t.Errorf("the logout's journal failure is not counted")
	}
}

// deadLoopbackAddress is a loopback address nobody listens on.
func deadLoopbackAddress(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func mustSay(t *testing.T, what string, r response, status int, text string) {
	t.Helper()
	if r.status != status || !strings.Contains(html.UnescapeString(r.body), text) {
		t.Errorf("%s: %d, want %d saying %q\n%s", what, r.status, status, text, r.body)
	}
}

// TestOIDCProviderDown: while the provider does not answer, new logins get a clear
// message and open sessions keep working; once it answers again, logins work.
func TestOIDCProviderDown(t *testing.T) {
	t.Run("down at start-up, then back", func(t *testing.T) {
		addr := deadLoopbackAddress(t)
		oc := OIDCConfig{Issuer: "http://" + addr + "/oidc", ClientID: "sesam", ClientSecret: "secret"}
		app := newOIDCApp(t, oc, "http://sesam.test", tJournal)
		b := newVisitor(t, app)
		mustSay(t, "GET /login", b.get("/login"), http.StatusServiceUnavailable, msgUnavailable)
		mustSay(t, "page with a session opened before", get(t, app, agentRuitz, "/"), http.StatusOK, agentRuitz.Name)
		if me := decodeMe(t, get(t, app, agentRuitz, "/api/v1/me")); me.Email != agentRuitz.Email {
			t.Errorf("API with a session opened before: %+v", me)
		}
		r := b.do(http.MethodGet, "/api/v1/me", nil, bearerHeader("eyJhbGciOiJSUzI1NiJ9.e30.c2ln"))
		if r.status != http.StatusServiceUnavailable || !strings.Contains(r.body, `"login_unavailable"`) {
			t.Errorf("bearer token while the provider cannot be reached: %d %s; want 503 login_unavailable", r.status, r.body)
		}

		ln, err := net.Listen("tcp", addr)
		if err != nil {
			t.Skipf("cannot listen again on %s: %v", addr, err)
		}
		m := startProviderOn(t, ln, oc.ClientID, oc.ClientSecret)
		p := newOIDCPerson("retour@example.fr")
		m.QueueUser(p)
		if r := b.login("/"); r.status != http.StatusSeeOther || b.me().Subject != p.Subject {
			t.Errorf("login once the provider is back: %d %s", r.status, r.body)
		}
	})
	t.Run("goes down after start-up", func(t *testing.T) {
		m := startProvider(t)
		app := newOIDCApp(t, mockConfig(m), "http://sesam.test", tJournal)
		p := newOIDCPerson("avant@example.fr")
		m.QueueUser(p)
		b := newVisitor(t, app)
		if r := b.login("/"); r.status != http.StatusSeeOther {
			t.Fatalf("login: %d %s", r.status, r.body)
		}
		api := newOIDCPerson("api@example.fr")
		tok := providerIDToken(t, m, api)
		if me := decodeMe(t, b.do(http.MethodGet, "/api/v1/me", nil, bearerHeader(tok))); me.Subject != api.Subject {
			t.Fatalf("bearer token: %+v", me)
		}
		late := newVisitor(t, app)
		m.QueueUser(newOIDCPerson("tard@example.fr"))
		cb := providerAuthorize(t, late.startLogin("/"))
		m.Shutdown()

		mustSay(t, "GET /login", newVisitor(t, app).get("/login"), http.StatusServiceUnavailable, msgUnavailable)
		mustSay(t, "callback of a login started before", late.callback(cb), http.StatusServiceUnavailable, msgUnavailable)
		mustSay(t, "page with the session opened before", b.get("/"), http.StatusOK, p.Name)
		if me := b.me(); me.Subject != p.Subject {
			t.Errorf("session opened before: %+v", me)
		}
		if me := decodeMe(t, b.do(http.MethodGet, "/api/v1/me", nil, bearerHeader(tok))); me.Subject != api.Subject {
			t.Errorf("bearer token with the provider's keys known: %+v", me)
		}
	})
}

// TestOIDCLoginNotJournalledNoSession: a login the journal cannot record opens no session.
func TestOIDCLoginNotJournalledNoSession(t *testing.T) {
	m := startProvider(t)
	app := newOIDCApp(t, mockConfig(m), "http://sesam.test", failingJournal{})
	m.QueueUser(newOIDCPerson("sans-journal@example.fr"))
	b := newVisitor(t, app)
	r := b.login("/")
	if r.status != http.StatusServiceUnavailable {
		t.Errorf("login without journal: %d, want 503", r.status)
	}
	if c := cookieOf(r, sessionCookie); c != nil && c.Value != "" {
		t.Errorf("a login without journal entry set a session cookie")
	}
	if me := b.me(); !me.Public {
		t.Errorf("a login without journal entry opened a session: %+v", me)
	}
}
