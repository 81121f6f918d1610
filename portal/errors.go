package portal

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"sesam"
	"sesam/index"
)

// httpError is an error with its status, a stable code for the API and the key of its
// message for people.
type httpError struct {
	status int
	code   string
	msg    string // message key (i18n)
	detail string // extra text shown after the message (e.g. why a query is invalid)
	err    error  // the cause, logged, never shown
}

func (e *httpError) Error() string {
	if e.err != nil {
		return e.code + ": " + e.err.Error()
	}
	return e.code
}

func (e *httpError) Unwrap() error { return e.err }

var errNotFound = &httpError{status: fiber.StatusNotFound, code: "not_found", msg: "msg.not_found"}

// classify turns any error into what the client is told. What a principal may not see
// is "not found", exactly like what does not exist; internal errors say nothing more.
func classify(err error) *httpError {
	var he *httpError
	var pe *index.ParseError
	var fe *fiber.Error
	switch {
	case errors.As(err, &he):
		return he
	case errors.As(err, &pe):
		return &httpError{status: fiber.StatusBadRequest, code: "invalid_query", msg: "msg.invalid_query", detail: pe.FR, err: err}
	case errors.Is(err, sesam.ErrNotFound), errors.Is(err, sesam.ErrForbidden):
		return &httpError{status: fiber.StatusNotFound, code: "not_found", msg: "msg.not_found", err: err}
	case errors.Is(err, sesam.ErrInvalid):
		return &httpError{status: fiber.StatusBadRequest, code: "invalid", msg: "msg.invalid", detail: userText(err), err: err}
	case errors.Is(err, sesam.ErrConflict):
		return &httpError{status: fiber.StatusConflict, code: "conflict", msg: "msg.conflict", err: err}
	case errors.As(err, &fe):
		switch fe.Code {
		case fiber.StatusNotFound:
			return &httpError{status: fe.Code, code: "not_found", msg: "msg.not_found", err: err}
		case fiber.StatusRequestEntityTooLarge:
			return &httpError{status: fe.Code, code: "too_large", msg: "msg.too_large", err: err}
		case fiber.StatusMethodNotAllowed:
			return &httpError{status: fe.Code, code: "method_not_allowed", msg: "msg.invalid", err: err}
		}
		if fe.Code < 500 {
			return &httpError{status: fe.Code, code: "invalid", msg: "msg.invalid", err: err}
		}
	}
	return &httpError{status: fiber.StatusInternalServerError, code: "internal", msg: "msg.internal", err: err}
}

// userText is the part of an ErrInvalid message written for users: the text before the
// wrapped kind (our ErrInvalid messages are French sentences by convention).
func userText(err error) string {
	s := err.Error()
	return strings.TrimSuffix(s, ": "+sesam.ErrInvalid.Error())
}

// errorHandler is Fiber's one error handler: it logs, then renders the error as JSON
// for the API and as a page for people, in their language.
func (a *App) errorHandler(c *fiber.Ctx, err error) error {
	he := classify(err)
	if he.status >= 500 {
		a.Log.Error("request failed", "request_id", requestID(c), "path", c.Path(), "err", err)
	} else if he.err != nil {
		a.Log.Info("request refused", "request_id", requestID(c), "path", c.Path(), "status", he.status, "err", he.err)
	}
	lang := langOf(c)
	msg := tr(lang, he.msg)
	if strings.HasPrefix(c.Path(), "/api/") {
		body := fiber.Map{"error": fiber.Map{"code": he.code, "message": msg, "detail": he.detail}}
		return c.Status(he.status).JSON(body)
	}
	p := a.page(c, "error")
	p.Status, p.Message, p.Detail = he.status, msg, he.detail
	return a.render(c.Status(he.status), "error", p)
}
