package portal

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/gofiber/fiber/v2"
)

const (
	sessionCookie = "sesam_session"
	csrfCookie    = "sesam_csrf"
	csrfField     = "_csrf"
)

// randomToken is 32 random bytes, URL-safe.
func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // the system's randomness is gone: nothing secure can go on
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// requestContext gives every request an id (kept from X-Request-Id when sane), times
// it for the metrics and logs it once.
func (a *App) requestContext(c *fiber.Ctx) error {
	id := c.Get(fiber.HeaderXRequestID)
	if len(id) == 0 || len(id) > 64 || strings.ContainsAny(id, " \r\n\t\"") {
		id = randomToken()[:16]
	}
	c.Locals("request_id", id)
	c.Set(fiber.HeaderXRequestID, id)
	start := time.Now()
	err := c.Next()
	status := c.Response().StatusCode()
	if err != nil {
		status = classify(err).status
	}
	route := c.Route().Path
	a.metrics.observe(c.Method(), route, status, time.Since(start))
	a.Log.Debug("request", "request_id", id, "method", c.Method(), "path", c.Path(), "route", route,
		"status", status, "duration_ms", time.Since(start).Milliseconds())
	return err
}

func requestID(c *fiber.Ctx) string {
	id, _ := c.Locals("request_id").(string)
	return id
}

// securityHeaders: no inline script or style, no framing, no sniffing, no referrer
// leaving the site.
func (a *App) securityHeaders(c *fiber.Ctx) error {
	c.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
		"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("X-Frame-Options", "DENY")
	c.Set("Referrer-Policy", "same-origin")
	c.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
	if a.secure() {
		c.Set("Strict-Transport-Security", "max-age=31536000")
	}
	return c.Next()
}

// secure says the portal is served over HTTPS: cookies are then Secure.
func (a *App) secure() bool { return strings.HasPrefix(a.cfg.BaseURL, "https://") }

// csrf refuses a form whose token is not this visitor's: the session's token for a
// logged-in person, else the double-submit cookie.
func (a *App) csrf(c *fiber.Ctx) error {
	want := a.csrfToken(c)
	got := c.FormValue(csrfField)
	if got == "" {
		got = c.Get("X-CSRF-Token")
	}
	if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return &httpError{status: fiber.StatusForbidden, code: "csrf", msg: "msg.csrf"}
	}
	return c.Next()
}

// csrfToken is the token forms must carry, creating the anonymous cookie on first use
// (Secure when the public address is https, as the portal behind a TLS-terminating
// balancer sees plain http).
func (a *App) csrfToken(c *fiber.Ctx) string {
	if s := sessionOf(c); s != nil {
		return s.CSRF
	}
	if t, ok := c.Locals("csrf").(string); ok {
		return t
	}
	t := c.Cookies(csrfCookie)
	if len(t) < 32 {
		t = randomToken()
		c.Cookie(&fiber.Cookie{Name: csrfCookie, Value: t, Path: "/", HTTPOnly: true, SameSite: "Lax", Secure: a.secure()})
	}
	c.Locals("csrf", t)
	return t
}

// setLang switches the language and goes back where the visitor was.
func (a *App) setLang(c *fiber.Ctx) error {
	lang := c.Params("lang")
	if lang != langEN {
		lang = langFR
	}
	c.Cookie(&fiber.Cookie{Name: "sesam_lang", Value: lang, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: "Lax",
		HTTPOnly: true, Secure: a.secure()})
	return c.Redirect(localPath(c.Query("back")), fiber.StatusSeeOther)
}

// localPath keeps a return address on this site (never an open redirect): a path
// starting with one '/', without scheme, host or user, and without what browsers drop
// or read as a slash ("/\t/evil.example" is "//evil.example" to them) — control
// characters, spaces and backslashes. Anything else is the home page.
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") ||
		strings.IndexFunc(p, func(r rune) bool { return r == '\\' || unicode.IsControl(r) || unicode.IsSpace(r) }) >= 0 {
		return "/"
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || !strings.HasPrefix(u.Path, "/") ||
		strings.HasPrefix(u.Path, "//") {
		return "/"
	}
	return p
}
