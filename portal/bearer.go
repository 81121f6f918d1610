package portal

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/oauth2"

	"sesam/access"
)

// bearerTTL is how long the API trusts what the provider said about an access token
// before asking again: a token revoked at the provider works here that long at most.
const bearerTTL = time.Minute

// apiAuth: a bearer token, when given, names the principal. It is either an access
// token of our provider, which the provider's introspection endpoint says is active
// and issued to our client (the person's e-mail then comes from the answer or from
// userinfo, so rights granted by e-mail apply), or an ID token of our provider for our
// client (its subject, and its e-mail when it carries a verified one). Without a
// token, the session or the public.
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
	if a.cfg.OIDC.Issuer == "" {
		unauth.err = errors.New("bearer token without an identity provider")
		return unauth
	}
	// A provider we cannot reach is not the client's fault: its token may be good.
	o, err := a.oidcReady(c.UserContext())
	if err != nil {
		return errLoginUnavailable(err)
	}
	p, err := o.bearerPrincipal(c.UserContext(), raw, a.Now())
	var he *httpError
	switch {
	case errors.As(err, &he):
		return err
	case err != nil:
		unauth.err = err
		return unauth
	}
	c.Locals("principal", p)
	return c.Next()
}

// bearerPrincipal is who a bearer token names: an ID token is checked here (signature,
// issuer, audience, expiry), anything else is asked of the provider.
func (o *oidcClient) bearerPrincipal(ctx context.Context, raw string, now time.Time) (access.Principal, error) {
	if p, ok := o.bearers.get(raw, now); ok {
		return p, nil
	}
	var id identity
	var expiry time.Time
	idt, idErr := o.verifier.Verify(ctx, raw)
	if idErr == nil {
		if err := idt.Claims(&id); err != nil {
			return access.Principal{}, fmt.Errorf("id token claims: %w", err)
		}
		id.Email, expiry = id.trustedEmail(o.cfg.TrustUnverifiedEmail), idt.Expiry
	} else {
		var err error
		if id, expiry, err = o.accessTokenIdentity(ctx, raw); err != nil {
			return access.Principal{}, fmt.Errorf("not an ID token for this client (%v), nor an access token: %w", idErr, err)
		}
	}
	p := access.Principal{Subject: id.Subject, Email: id.Email, Name: id.Name}
	if o.cfg.GroupsClaim != "" && idt != nil {
		var all map[string]any
		idt.Claims(&all)
		if gs, ok := all[o.cfg.GroupsClaim].([]any); ok {
			p.Groups = stringsOf(gs)
		}
	}
	until := now.Add(bearerTTL)
	if !expiry.IsZero() && expiry.Before(until) {
		until = expiry
	}
	o.bearers.put(raw, p, until)
	return p, nil
}

// introspection is the provider's answer about an access token (RFC 7662), with the
// identity claims some providers add (zitadel adds those of userinfo).
type introspection struct {
	identity
	Active   bool   `json:"active"`
	ClientID string `json:"client_id"`
	Audience any    `json:"aud"` // a string or a list
	Expiry   int64  `json:"exp"` // Unix seconds; 0 when not said
}

// forClient says the token was issued to this client, or for it.
func (in introspection) forClient(id string) bool {
	switch v := in.Audience.(type) {
	case string:
		if v == id {
			return true
		}
	case []any:
		if slices.Contains(stringsOf(v), id) {
			return true
		}
	}
	return in.ClientID == id
}

// accessTokenIdentity asks the provider whether raw is an active access token issued
// to our client, then who it names; the e-mail, when the answer has no verified one,
// comes from userinfo (about the same subject). It returns the token's expiry too
// (zero when the provider does not say).
func (o *oidcClient) accessTokenIdentity(ctx context.Context, raw string) (identity, time.Time, error) {
	ctx, cancel := context.WithTimeout(ctx, providerTimeout)
	defer cancel()
	in, err := o.introspect(ctx, raw)
	if err != nil {
		return identity{}, time.Time{}, err
	}
	if !in.Active || in.Subject == "" {
		return identity{}, time.Time{}, errors.New("the provider says the access token is not active")
	}
	if !in.forClient(o.cfg.ClientID) {
		return identity{}, time.Time{}, fmt.Errorf("the access token was issued to %q, not to this client", in.ClientID)
	}
	var expiry time.Time
	if in.Expiry > 0 {
		expiry = time.Unix(in.Expiry, 0)
	}
	id := in.identity
	id.Email = in.trustedEmail(o.cfg.TrustUnverifiedEmail)
	if id.Email == "" {
		ui, err := o.userinfo(ctx, &oauth2.Token{AccessToken: raw, TokenType: "Bearer"}, id.Subject)
		if err != nil {
			return identity{}, time.Time{}, err
		}
		id.Email = ui.trustedEmail(o.cfg.TrustUnverifiedEmail)
		if id.Name == "" {
			id.Name = ui.Name
		}
	}
	return id, expiry, nil
}

// introspect posts the token to the provider's introspection endpoint, authenticated
// as our client. A provider that fails or cannot be reached makes the API unavailable,
// not the token invalid.
func (o *oidcClient) introspect(ctx context.Context, raw string) (introspection, error) {
	o.mu.Lock()
	endpoint := o.introURL
	o.mu.Unlock()
	if endpoint == "" {
		return introspection{}, errors.New("the provider has no introspection endpoint: only ID tokens are accepted")
	}
	form := url.Values{"token": {raw}, "token_type_hint": {"access_token"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return introspection{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.SetBasicAuth(url.QueryEscape(o.cfg.ClientID), url.QueryEscape(o.cfg.ClientSecret)) // RFC 6749 2.3.1
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return introspection{}, errLoginUnavailable(fmt.Errorf("introspection: %w", err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil || resp.StatusCode != http.StatusOK {
		return introspection{}, errLoginUnavailable(fmt.Errorf("introspection: %s answers %s (%v): %.200s", endpoint, resp.Status, err, body))
	}
	var in introspection
	if err := json.Unmarshal(body, &in); err != nil {
		return introspection{}, errLoginUnavailable(fmt.Errorf("introspection answer: %w", err))
	}
	return in, nil
}

// bearerCache remembers, for a short while, who a bearer token names, so that an API
// client's every call does not cost one to the provider. Tokens are kept as digests.
type bearerCache struct {
	mu      sync.Mutex
	entries map[[32]byte]bearerEntry
}

type bearerEntry struct {
	p     access.Principal
	until time.Time
}

// bearerCacheMax bounds the cache; when full it starts again empty.
const bearerCacheMax = 10000

func (b *bearerCache) get(raw string, now time.Time) (access.Principal, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	e, ok := b.entries[sha256.Sum256([]byte(raw))]
	if !ok || now.After(e.until) {
		return access.Principal{}, false
	}
	return e.p, true
}

func (b *bearerCache) put(raw string, p access.Principal, until time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.entries == nil || len(b.entries) >= bearerCacheMax {
		b.entries = map[[32]byte]bearerEntry{}
	}
	b.entries[sha256.Sum256([]byte(raw))] = bearerEntry{p: p, until: until}
}
