package portal

import (
	_ "embed"

	"github.com/gofiber/fiber/v2"
)

// openAPIDoc describes /api/v1; a test checks it against the handlers.
//
//go:embed openapi.json
var openAPIDoc []byte

func (a *App) openAPI(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	return c.Send(openAPIDoc)
}
