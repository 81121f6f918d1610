package portal

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/gofiber/fiber/v2"
	"golang.org/x/oauth2"

	"sesam"
	"sesam/access"
	"sesam/store"
)

// OIDCConfig says which provider people log in with.
type OIDCConfig struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	// GroupsClaim names the ID token claim holding groups such as "sesam:archivist:cdg62"
	// (roles for the session); empty: roles come only from the store.
	GroupsClaim string
	// PostLogoutRedirectURI is where the provider sends people back after its logout.
	// It must be registered with the provider for this client: a provider refuses an
	// address it does not know, and then does not end its session (zitadel does so).
	// Empty: none is sent, and the provider shows its own "signed out" page.
	PostLogoutRedirectURI string
	// TrustUnverifiedEmail trusts an e-mail whose email_verified claim is absent, for
	// providers that verify every address and never send the claim. Off, only
	// email_verified = true makes an address count for rights; an explicit false is
	// never trusted. zitadel leaves the claim out when it is false: keep this off there.
	TrustUnverifiedEmail bool
}

const (
	// loginCookie holds a login's state in the browser that started it: the callback
	// must come back to that browser, so nobody can log a victim into the attacker's
	// account by having the victim open the attacker's callback address (login CSRF).
	loginCookie = "sesam_login"
	// loginTTL is how long a person may take to log in at the provider.
	loginTTL = 10 * time.Minute
	// providerTimeout bounds the calls a login makes to the provider.
	providerTimeout = 10 * time.Second
)

// oidcClient is the provider as discovered, built lazily: a provider down at start-up
// does not stop the portal (public pages and open sessions keep working).
type oidcClient struct {
	cfg     OIDCConfig
	baseURL string

	mu       sync.Mutex
	provider *oidc.Provider
	verifier *oidc.IDTokenVerifier
	oauth    oauth2.Config
	endURL   string
	// introURL is the provider's token introspection endpoint (RFC 7662), which
	// checks access tokens given to the API; "" when it has none.
	introURL string
	bearers  bearerCache
}

func newOIDCClient(ctx context.Context, cfg OIDCConfig, baseURL string) (*oidcClient, error) {
	c := &oidcClient{cfg: cfg, baseURL: strings.TrimSuffix(baseURL, "/")}
	return c, c.discover(ctx)
}

// discover fetches the provider's configuration once it answers.
func (o *oidcClient) discover(ctx context.Context) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.provider != nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	p, err := oidc.NewProvider(ctx, o.cfg.Issuer)
	if err != nil {
		return fmt.Errorf("oidc discovery: %w", err)
	}
	var extra struct {
		EndSession    string `json:"end_session_endpoint"`
		Introspection string `json:"introspection_endpoint"`
	}
	p.Claims(&extra)
	o.provider, o.endURL, o.introURL = p, extra.EndSession, extra.Introspection
	o.verifier = p.Verifier(&oidc.Config{ClientID: o.cfg.ClientID})
	o.oauth = oauth2.Config{ClientID: o.cfg.ClientID, ClientSecret: o.cfg.ClientSecret, Endpoint: p.Endpoint(),
		RedirectURL: o.baseURL + "/auth/callback", Scopes: []string{oidc.ScopeOpenID, "profile", "email"}}
	return nil
}

// reachable checks that the provider answers now. The portal needs it for the code
// exchange anyway; asking before sending the visitor there turns a provider down into
// a clear message here instead of a browser error there.
func (o *oidcClient) reachable(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	u := strings.TrimSuffix(o.cfg.Issuer, "/") + "/.well-known/openid-configuration"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("oidc provider: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("oidc provider: %w", err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("oidc provider: %s answers %s", u, resp.Status)
	}
	return nil
}

// endSessionURL is the provider's logout address ("" when it has none or is not
// discovered yet).
func (o *oidcClient) endSessionURL() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.endURL
}

// oidcReady returns the client once discovered, trying again if it was not.
func (a *App) oidcReady(ctx context.Context) (*oidcClient, error) {
	if a.cfg.OIDC.Issuer == "" {
		return nil, errors.New("no identity provider configured")
	}
	a.oidcMu.Lock()
	if a.oidc == nil {
		a.oidc = &oidcClient{cfg: a.cfg.OIDC, baseURL: strings.TrimSuffix(a.cfg.BaseURL, "/")}
	}
	o := a.oidc
	a.oidcMu.Unlock()
	return o, o.discover(ctx)
}

func errLoginUnavailable(err error) error {
	return &httpError{status: fiber.StatusServiceUnavailable, code: "login_unavailable", msg: "login.unavailable", err: err}
}

func errLoginFailed(err error) error {
	return &httpError{status: fiber.StatusBadRequest, code: "login_failed", msg: "msg.login_failed", err: err}
}

// loginStart sends the visitor to the provider (authorization code with PKCE, state
// and nonce), or shows the demo users with --dev-login.
func (a *App) loginStart(c *fiber.Ctx) error {
	back := localPath(c.Query("back"))
	if a.cfg.DevLogin {
		p := a.page(c, tr(langOf(c), "login.title"))
		p.Data = devLoginData{Users: devUsers, Back: back}
		return a.render(c, "login", p)
	}
	o, err := a.oidcReady(c.UserContext())
	if err == nil {
		err = o.reachable(c.UserContext())
	}
	if err != nil {
		return errLoginUnavailable(err) // logged by the error handler
	}
	state, nonce, verifier := randomToken(), randomToken(), oauth2.GenerateVerifier()
	if err := a.Store.SaveLoginState(c.UserContext(), state, store.LoginState{Nonce: nonce, Verifier: verifier, ReturnTo: back}); err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{Name: loginCookie, Value: state, Path: "/auth/callback", HTTPOnly: true, SameSite: "Lax",
		Secure: a.secure(), MaxAge: int(loginTTL.Seconds())})
	return c.Redirect(o.oauth.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), fiber.StatusSeeOther)
}

// authCallback finishes a login: one-time state bound to this browser, code exchange
// with the PKCE verifier, ID token verified (issuer, audience, expiry, signature) with
// our nonce, then a new session.
func (a *App) authCallback(c *fiber.Ctx) error {
	ls, err := a.takeLogin(c)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(c.UserContext(), providerTimeout)
	defer cancel()
	o, err := a.oidcReady(ctx)
	if err != nil {
		return errLoginUnavailable(err)
	}
	tok, idt, err := o.exchange(ctx, c.Query("code"), ls)
	if err != nil {
		return err
	}
	s, err := a.sessionFromToken(ctx, o, idt, tok)
	if err != nil {
		return errLoginFailed(err)
	}
	s.IDToken, _ = tok.Extra("id_token").(string)
	if err := a.login(c, s); err != nil {
		return err
	}
	return c.Redirect(localPath(ls.ReturnTo), fiber.StatusSeeOther)
}

// takeLogin checks that the callback answers a login this browser started and that is
// not finished yet, and consumes it: a state is good once.
func (a *App) takeLogin(c *fiber.Ctx) (*store.LoginState, error) {
	state := c.Query("state")
	if state == "" || subtle.ConstantTimeCompare([]byte(state), []byte(c.Cookies(loginCookie))) != 1 {
		return nil, errLoginFailed(errors.New("the state is not the one of this browser's login"))
	}
	c.Cookie(&fiber.Cookie{Name: loginCookie, Value: "", Path: "/auth/callback", HTTPOnly: true, SameSite: "Lax",
		Secure: a.secure(), Expires: time.Unix(0, 0), MaxAge: -1})
	ls, err := a.Store.TakeLoginState(c.UserContext(), state, loginTTL, a.Now())
	if errors.Is(err, sesam.ErrNotFound) {
		return nil, errLoginFailed(err)
	}
	if err != nil {
		return nil, err
	}
	if e := c.Query("error"); e != "" {
		return nil, errLoginFailed(fmt.Errorf("provider error %q: %q", e, c.Query("error_description")))
	}
	return ls, nil
}

// exchange trades the code for tokens with the login's PKCE verifier and verifies the
// ID token, nonce included. A provider that refuses the code means a failed login; one
// that cannot be reached, or fails, means the service is unavailable.
func (o *oidcClient) exchange(ctx context.Context, code string, ls *store.LoginState) (*oauth2.Token, *oidc.IDToken, error) {
	tok, err := o.oauth.Exchange(ctx, code, oauth2.VerifierOption(ls.Verifier))
	var refused *oauth2.RetrieveError
	switch {
	case errors.As(err, &refused) && refused.Response != nil && refused.Response.StatusCode < 500:
		return nil, nil, errLoginFailed(fmt.Errorf("code exchange: %w", err))
	case err != nil:
		return nil, nil, errLoginUnavailable(fmt.Errorf("code exchange: %w", err))
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := o.verifier.Verify(ctx, raw)
	if err != nil {
		return nil, nil, errLoginFailed(fmt.Errorf("id token: %w", err))
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(ls.Nonce)) != 1 {
		return nil, nil, errLoginFailed(errors.New("id token: the nonce is not this login's"))
	}
	return tok, idt, nil
}

// identity is what sesam reads of an ID token or a userinfo answer.
type identity struct {
	Subject string `json:"sub"`
	Email   string `json:"email"`
	// EmailVerified is true, false, absent, or a string for some providers (Cognito).
	EmailVerified any    `json:"email_verified"`
	Name          string `json:"name"`
}

// trustedEmail is the address rights may be looked up by. Rights are granted by e-mail,
// so only an address the provider says it has verified is used: anyone could have typed
// another. Some providers leave the claim out when it is false (zitadel): an absent
// claim is trusted only when the configuration says so (trustAbsent).
func (id identity) trustedEmail(trustAbsent bool) string {
	verified := false
	switch v := id.EmailVerified.(type) {
	case nil:
		verified = trustAbsent
	case bool:
		verified = v
	case string:
		verified = strings.EqualFold(v, "true")
	}
	if !verified {
		return ""
	}
	return strings.ToLower(id.Email)
}

func (a *App) sessionFromToken(ctx context.Context, o *oidcClient, idt *oidc.IDToken, tok *oauth2.Token) (store.Session, error) {
	var id identity
	if err := idt.Claims(&id); err != nil {
		return store.Session{}, fmt.Errorf("id token claims: %w", err)
	}
	email, name := id.trustedEmail(o.cfg.TrustUnverifiedEmail), id.Name
	// Some providers (zitadel) give the e-mail and the name only from userinfo, or say
	// there only that it is verified.
	if email == "" && tok != nil {
		ui, err := o.userinfo(ctx, tok, id.Subject)
		if err != nil {
			a.Log.Warn("userinfo not used", "subject", id.Subject, "err", err)
		}
		email = ui.trustedEmail(o.cfg.TrustUnverifiedEmail)
		if name == "" {
			name = ui.Name
		}
	}
	s := store.Session{Subject: id.Subject, Email: email, Name: name}
	if o.cfg.GroupsClaim != "" {
		var all map[string]any
		idt.Claims(&all)
		if gs, ok := all[o.cfg.GroupsClaim].([]any); ok {
			s.Groups = stringsOf(gs)
		}
	}
	return s, nil
}

// userinfo asks the provider about the token's person. The answer must be about the
// ID token's subject (OIDC Core 5.3.2): otherwise it names someone else.
func (o *oidcClient) userinfo(ctx context.Context, tok *oauth2.Token, subject string) (identity, error) {
	ui, err := o.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		return identity{}, fmt.Errorf("userinfo: %w", err)
	}
	var id identity
	if err := ui.Claims(&id); err != nil {
		return identity{}, fmt.Errorf("userinfo: %w", err)
	}
	if id.Subject != subject {
		return identity{}, fmt.Errorf("userinfo is about subject %q, not %q", id.Subject, subject)
	}
	return id, nil
}

func stringsOf(xs []any) []string {
	var out []string
	for _, x := range xs {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// login journals the login, then opens the session: no journal entry, no session.
func (a *App) login(c *fiber.Ctx, s store.Session) error {
	p := access.Principal{Subject: s.Subject, Email: s.Email, Name: s.Name, Groups: s.Groups}
	if err := a.journalAuth(c, p, access.ActionLogin); err != nil {
		return err
	}
	return a.startSession(c, s)
}

// logout ends the session, here and, where the provider offers it, there too. The
// session ends even when the journal cannot record the logout (logged and counted by
// journal): keeping a session open someone asked to close is worse than a missing line.
// The provider's logout is reached from a page, not by redirecting the form's answer:
// the CSP's form-action 'self' forbids a form to lead off-site, redirects included.
func (a *App) logout(c *fiber.Ctx) error {
	s := sessionOf(c)
	if s == nil {
		return c.Redirect("/", fiber.StatusSeeOther)
	}
	if err := a.journalAuth(c, s.principal(), access.ActionLogout); err != nil {
		a.Log.Warn("logout not journalled; the session is ended anyway", "request_id", requestID(c), "subject", s.Subject, "err", err)
	}
	if err := a.Store.DeleteSession(c.UserContext(), c.Cookies(sessionCookie)); err != nil {
		return err
	}
	a.clearSessionCookie(c)
	c.Locals("session", nil)
	end := a.providerLogoutURL()
	if end == "" || s.IDToken == "" {
		return c.Redirect("/", fiber.StatusSeeOther)
	}
	q := url.Values{"id_token_hint": {s.IDToken}, "client_id": {a.cfg.OIDC.ClientID}}
	if u := a.cfg.OIDC.PostLogoutRedirectURI; u != "" {
		q.Set("post_logout_redirect_uri", u)
	}
	sep := "?"
	if strings.Contains(end, "?") {
		sep = "&"
	}
	p := a.page(c, tr(langOf(c), "logout.title"))
	p.Data = end + sep + q.Encode()
	c.Set(fiber.HeaderCacheControl, "no-store")
	return a.render(c, "logout", p)
}

// providerLogoutURL is the provider's end_session_endpoint, "" without one.
func (a *App) providerLogoutURL() string {
	a.oidcMu.Lock()
	o := a.oidc
	a.oidcMu.Unlock()
	if o == nil {
		return ""
	}
	return o.endSessionURL()
}

// devLoginData is the dev login page: the demo people, and where to go back after.
type devLoginData struct {
	Users []devUser
	Back  string
}

// devUser is a demonstration identity for --dev-login.
type devUser struct {
	Subject, Email, Name, Role string
}

// devUsers are the demo people of make run; their roles are granted by scripts/run.sh.
var devUsers = []devUser{
	{"dev-citoyen", "citoyen@demo.sesam", "Camille Citoyenne", "public"},
	{"dev-agent-ruitz", "agent.ruitz@demo.sesam", "Louis Agent (Ruitz)", "reader cdg62/ruitz"},
	{"dev-maire-ruitz", "maire.ruitz@demo.sesam", "Marie Maire (Ruitz)", "producer cdg62/ruitz"},
	{"dev-archiviste", "archiviste@demo.sesam", "Ariane Archiviste (CDG 62)", "archivist cdg62"},
	{"dev-auditeur", "auditeur@demo.sesam", "Auguste Auditeur (CDG 62)", "auditor cdg62"},
	{"dev-lille", "agent.lille@demo.sesam", "Łukasz Żółć (Lille)", "reader cdg59/lille"},
	{"dev-admin", "admin@demo.sesam", "Ada Admin", "admin *"},
}

// devLogin logs in as a demo user (only with --dev-login, on loopback).
func (a *App) devLogin(c *fiber.Ctx) error {
	if !a.cfg.DevLogin {
		return errNotFound
	}
	for _, u := range devUsers {
		if u.Subject == c.FormValue("subject") {
			if err := a.login(c, store.Session{Subject: u.Subject, Email: u.Email, Name: u.Name}); err != nil {
				return err
			}
			return c.Redirect(localPath(c.FormValue("back")), fiber.StatusSeeOther)
		}
	}
	return &httpError{status: fiber.StatusBadRequest, code: "invalid", msg: "msg.invalid"}
}
