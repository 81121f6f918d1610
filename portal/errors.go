package portal

import (
	"errors"
	"fmt"
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
	msg    string    // message key (i18n)
	detail bilingual // extra text shown after the message (e.g. why a query is invalid)
	err    error     // the cause, logged, never shown
}

// bilingual is a text for people in French and English; EN is empty when the text
// was only written in French (it is then shown in French, marked so).
type bilingual struct{ FR, EN string }

// in is the text in a language, and whether it is French on an English page.
func (b bilingual) in(lang string) (text string, french bool) {
	if lang == langEN && b.EN != "" {
		return b.EN, false
	}
	return b.FR, lang == langEN
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
	var ie *sesam.InvalidError
	var fe *fiber.Error
	switch {
	case errors.As(err, &he):
		return he
	case errors.As(err, &pe):
		return &httpError{status: fiber.StatusBadRequest, code: "invalid_query", msg: "msg.invalid_query", err: err,
			detail: bilingual{FR: fmt.Sprintf("%s (caractère %d)", pe.FR, pe.Pos+1), EN: fmt.Sprintf("%s (character %d)", pe.EN, pe.Pos+1)}}
	case errors.Is(err, sesam.ErrNotFound), errors.Is(err, sesam.ErrForbidden):
		return &httpError{status: fiber.StatusNotFound, code: "not_found", msg: "msg.not_found", err: err}
	case errors.As(err, &ie):
		return &httpError{status: fiber.StatusBadRequest, code: "invalid", msg: "msg.invalid", detail: bilingual{FR: ie.FR, EN: ie.EN}, err: err}
	case errors.Is(err, sesam.ErrInvalid):
		return &httpError{status: fiber.StatusBadRequest, code: "invalid", msg: "msg.invalid", detail: bilingual{FR: userText(err)}, err: err}
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
	detail, french := he.detail.in(lang)
	if strings.HasPrefix(c.Path(), "/api/") {
		body := fiber.Map{"error": fiber.Map{"code": he.code, "message": msg, "detail": detail}}
		return c.Status(he.status).JSON(body)
	}
	title := tr(lang, "error.title") + " " + itoa(he.status)
	if short := trOr(lang, "error."+he.code, ""); short != "" {
		title += " — " + short
	}
	p := a.page(c, title)
	p.Data = errorData{Status: he.status, Message: msg, Detail: detail, DetailFR: french, Query: searchQueryOf(c)}
	return a.render(c.Status(he.status), "error", p)
}

// errorData is the error page: what went wrong, and for a search, the search form
// again with the query to correct.
type errorData struct {
	Status   int
	Message  string
	Detail   string
	DetailFR bool    // the detail is in French on an English page
	Query    *string // the search to correct, on the search page's errors
}

// searchQueryOf is the search query when the error is the search page's, else nil.
func searchQueryOf(c *fiber.Ctx) *string {
	if c.Path() != "/search" {
		return nil
	}
	q := c.Query("q")
	return &q
}
