package portal

import (
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"

	"sesam"
	"sesam/access"
	"sesam/store"
)

// sessionTTL is how long a session lives after login.
const sessionTTL = 12 * time.Hour

// session loads the visitor's session, if any, from the store (shared by every
// portal instance). A database that does not answer leaves the visitor anonymous for
// public pages; pages that need the person fail on their own checks.
func (a *App) session(c *fiber.Ctx) error {
	token := c.Cookies(sessionCookie)
	if token == "" {
		return c.Next()
	}
	s, err := a.Store.SessionByToken(c.UserContext(), token, a.Now())
	switch {
	case err == nil:
		c.Locals("session", s)
	case errors.Is(err, sesam.ErrNotFound):
		a.clearSessionCookie(c)
	default:
		return err // fail closed: a session we cannot read is not ignored
	}
	return c.Next()
}

func sessionOf(c *fiber.Ctx) *sessionData {
	s, _ := c.Locals("session").(*store.Session)
	if s == nil {
		return nil
	}
	return (*sessionData)(s)
}

// sessionData is a stored session seen from the portal.
type sessionData store.Session

func (s *sessionData) principal() access.Principal {
	return access.Principal{Subject: s.Subject, Email: s.Email, Name: s.Name, Groups: s.Groups}
}

// principalOf is who is asking: the session's person, the bearer token's, or the public.
func principalOf(c *fiber.Ctx) access.Principal {
	if p, ok := c.Locals("principal").(access.Principal); ok {
		return p
	}
	if s := sessionOf(c); s != nil {
		return s.principal()
	}
	return access.Principal{}
}

// startSession creates a session after a login, under a new token (the session id is
// never reused across a login), and sets the cookie.
func (a *App) startSession(c *fiber.Ctx, s store.Session) error {
	if old := c.Cookies(sessionCookie); old != "" {
		a.Store.DeleteSession(c.UserContext(), old)
	}
	token := randomToken()
	s.CSRF = randomToken()
	s.ExpiresAt = a.Now().Add(sessionTTL)
	if err := a.Store.CreateSession(c.UserContext(), token, s); err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{Name: sessionCookie, Value: token, Path: "/", HTTPOnly: true, SameSite: "Lax",
		Secure: a.secure(), Expires: s.ExpiresAt})
	return nil
}

func (a *App) clearSessionCookie(c *fiber.Ctx) {
	c.Cookie(&fiber.Cookie{Name: sessionCookie, Value: "", Path: "/", HTTPOnly: true, SameSite: "Lax",
		Secure: a.secure(), Expires: time.Unix(0, 0), MaxAge: -1})
}
