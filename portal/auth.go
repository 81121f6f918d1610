package portal

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/gofiber/fiber/v2"
	"golang.org/x/oauth2"

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
}

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
		EndSession string `json:"end_session_endpoint"`
	}
	p.Claims(&extra)
	o.provider, o.endURL = p, extra.EndSession
	o.verifier = p.Verifier(&oidc.Config{ClientID: o.cfg.ClientID})
	o.oauth = oauth2.Config{ClientID: o.cfg.ClientID, ClientSecret: o.cfg.ClientSecret, Endpoint: p.Endpoint(),
		RedirectURL: o.baseURL + "/auth/callback", Scopes: []string{oidc.ScopeOpenID, "profile", "email"}}
	return nil
}

// ready returns the client once discovered, trying again if it was not.
func (a *App) oidcReady(ctx context.Context) (*oidcClient, error) {
	if a.cfg.OIDC.Issuer == "" {
		return nil, errors.New("no identity provider configured")
	}
	if a.oidc == nil {
		c := &oidcClient{cfg: a.cfg.OIDC, baseURL: strings.TrimSuffix(a.cfg.BaseURL, "/")}
		a.oidcMu.Lock()
		if a.oidc == nil {
			a.oidc = c
		}
		a.oidcMu.Unlock()
	}
	return a.oidc, a.oidc.discover(ctx)
}

// loginStart sends the visitor to the provider (authorization code with PKCE, state
// and nonce), or shows the demo users with --dev-login.
func (a *App) loginStart(c *fiber.Ctx) error {
	back := localPath(c.Query("back"))
	if a.cfg.DevLogin {
		p := a.page(c, tr(langOf(c), "login.title"))
		p.Data = devUsers
		return a.render(c, "login", p)
	}
	o, err := a.oidcReady(c.UserContext())
	if err != nil {
		a.Log.Warn("login unavailable", "err", err)
		return &httpError{status: fiber.StatusServiceUnavailable, code: "login_unavailable", msg: "login.unavailable", err: err}
	}
	state, nonce, verifier := randomToken(), randomToken(), oauth2.GenerateVerifier()
	if err := a.Store.SaveLoginState(c.UserContext(), state, store.LoginState{Nonce: nonce, Verifier: verifier, ReturnTo: back}); err != nil {
		return err
	}
	return c.Redirect(o.oauth.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), fiber.StatusSeeOther)
}

// authCallback finishes a login: one-time state, code exchange with the PKCE verifier,
// ID token verified (issuer, audience, expiry, signature) with our nonce, then a new
// session.
func (a *App) authCallback(c *fiber.Ctx) error {
	ctx := c.UserContext()
	bad := &httpError{status: fiber.StatusBadRequest, code: "login_failed", msg: "msg.login_failed"}
	if e := c.Query("error"); e != "" {
		bad.err = fmt.Errorf("provider error %q", e)
		return bad
	}
	o, err := a.oidcReady(ctx)
	if err != nil {
		return &httpError{status: fiber.StatusServiceUnavailable, code: "login_unavailable", msg: "login.unavailable", err: err}
	}
	ls, err := a.Store.TakeLoginState(ctx, c.Query("state"), 10*time.Minute, a.Now())
	if err != nil {
		bad.err = err
		return bad
	}
	tok, err := o.oauth.Exchange(ctx, c.Query("code"), oauth2.VerifierOption(ls.Verifier))
	if err != nil {
		bad.err = fmt.Errorf("code exchange: %w", err)
		return bad
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := o.verifier.Verify(ctx, raw)
	if err != nil || idt.Nonce != ls.Nonce {
		bad.err = fmt.Errorf("id token: %v (nonce match %v)", err, idt != nil && idt.Nonce == ls.Nonce)
		return bad
	}
	s, err := a.sessionFromToken(ctx, o, idt, tok)
	if err != nil {
		bad.err = err
		return bad
	}
	s.IDToken = raw
	if err := a.login(c, s); err != nil {
		return err
	}
	return c.Redirect(localPath(ls.ReturnTo), fiber.StatusSeeOther)
}

// claims are what sesam reads of an ID token.
type claims struct {
	Subject string `json:"sub"`
	Email   string `json:"email"`
	Name    string `json:"name"`
}

func (a *App) sessionFromToken(ctx context.Context, o *oidcClient, idt *oidc.IDToken, tok *oauth2.Token) (store.Session, error) {
	var cl claims
	if err := idt.Claims(&cl); err != nil {
		return store.Session{}, err
	}
	// Some providers give the e-mail and the name only from userinfo.
	if cl.Email == "" && tok != nil {
		if ui, err := o.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok)); err == nil {
			var more claims
			ui.Claims(&more)
			cl.Email = ui.Email
			if cl.Name == "" {
				cl.Name = more.Name
			}
		}
	}
	s := store.Session{Subject: cl.Subject, Email: strings.ToLower(cl.Email), Name: cl.Name}
	if o.cfg.GroupsClaim != "" {
		var all map[string]any
		idt.Claims(&all)
		if gs, ok := all[o.cfg.GroupsClaim].([]any); ok {
			s.Groups = stringsOf(gs)
		}
	}
	return s, nil
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

// login opens the session and journals it.
func (a *App) login(c *fiber.Ctx, s store.Session) error {
	if err := a.startSession(c, s); err != nil {
		return err
	}
	p := access.Principal{Subject: s.Subject, Email: s.Email, Name: s.Name, Groups: s.Groups}
	return a.journalAuth(c, p, access.ActionLogin)
}

// logout ends the session, here and, where the provider offers it, there too.
func (a *App) logout(c *fiber.Ctx) error {
	s := sessionOf(c)
	if s == nil {
		return c.Redirect("/", fiber.StatusSeeOther)
	}
	if err := a.journalAuth(c, s.principal(), access.ActionLogout); err != nil {
		return err
	}
	if err := a.Store.DeleteSession(c.UserContext(), c.Cookies(sessionCookie)); err != nil {
		return err
	}
	a.clearSessionCookie(c)
	if a.oidc != nil && a.oidc.endURL != "" && s.IDToken != "" {
		q := url.Values{"id_token_hint": {s.IDToken}, "post_logout_redirect_uri": {strings.TrimSuffix(a.cfg.BaseURL, "/") + "/"},
			"client_id": {a.cfg.OIDC.ClientID}}
		return c.Redirect(a.oidc.endURL+"?"+q.Encode(), fiber.StatusSeeOther)
	}
	return c.Redirect("/", fiber.StatusSeeOther)
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

// apiAuth: a bearer token, when given, must be a valid ID token of our provider for our
// client; it then names the principal. Without one, the session or the public.
func (a *App) apiAuth(c *fiber.Ctx) error {
	h := c.Get(fiber.HeaderAuthorization)
	if h == "" {
		return c.Next()
	}
	raw, ok := strings.CutPrefix(h, "Bearer ")
	unauth := &httpError{status: fiber.StatusUnauthorized, code: "unauthorized", msg: "msg.unauthorized"}
	if !ok || raw == "" {
		return unauth
	}
	o, err := a.oidcReady(c.UserContext())
	if err != nil {
		unauth.err = err
		return unauth
	}
	idt, err := o.verifier.Verify(c.UserContext(), raw)
	if err != nil {
		unauth.err = err
		return unauth
	}
	s, err := a.sessionFromToken(c.UserContext(), o, idt, nil)
	if err != nil {
		unauth.err = err
		return unauth
	}
	c.Locals("principal", access.Principal{Subject: s.Subject, Email: s.Email, Name: s.Name, Groups: s.Groups})
	return c.Next()
}
