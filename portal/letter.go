package portal

import (
	"github.com/gofiber/fiber/v2"
)

// requestLetter is the printable decision letter (PDF) of a decided request.
func (a *App) requestLetter(c *fiber.Ctx) error {
	r, _, err := a.visibleRequest(c)
	if err != nil {
		return err
	}
	if r.DecidedAt == nil {
		return errNotFound
	}
	return errNotFound
}
