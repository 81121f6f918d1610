package portal

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"sesam/access"
	"sesam/stamp"
	"sesam/store"
)

// objectContent delivers an object's bytes. Before the first byte: the rights are
// checked again against the store (through the units that reference the object), the
// bytes are checked against their digest (a mismatch is refused, logged and counted,
// never served), and the consultation is journalled (no journal, no consultation).
// PDFs go to anyone but the producer's own agents as stamped consultation copies.
func (a *App) objectContent(c *fiber.Ctx) error {
	o, unit, err := a.consultableObject(c)
	if err != nil {
		return err
	}
	if err := a.Store.Blobs().Verify(o.SHA256); err != nil {
		a.metrics.integrityFailures.Inc()
		a.Log.Error("object integrity failure: not served", "object_id", o.ID, "sha256", o.SHA256, "err", err)
		return &httpError{status: fiber.StatusInternalServerError, code: "integrity", msg: "msg.integrity", err: err}
	}
	p := principalOf(c)
	stamped := o.IsPDF() && !a.ownAgent(p, unit.View.Tenant)
	inline := c.Query("inline") == "1"
	scope, err := a.scopeOf(c) // cached for the request by consultableObject
	if err != nil {
		return err
	}
	grant := scope.GrantFor(unit.View)
	if err := a.journalObject(c, unit, o, inline, grant); err != nil {
		return err
	}
	setObjectHeaders(c, o, inline)
	if stamped {
		return a.sendStamped(c, o, unit, p, grant)
	}
	r, err := a.Store.Blobs().Open(o.SHA256)
	if err != nil {
		return err
	}
	return c.SendStream(r, int(*o.Size))
}

// consultableObject finds the object named by the route's id and a unit through which
// the visitor may consult it (Full visibility). Anything else is "not found".
func (a *App) consultableObject(c *fiber.Ctx) (*store.Object, store.UnitHead, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, store.UnitHead{}, errNotFound
	}
	scope, err := a.scopeOf(c)
	if err != nil {
		return nil, store.UnitHead{}, err
	}
	ctx := c.UserContext()
	o, err := a.Store.Object(ctx, id)
	if err != nil {
		return nil, store.UnitHead{}, err
	}
	units, err := a.Store.ObjectUnits(ctx, id)
	if err != nil {
		return nil, store.UnitHead{}, err
	}
	heads, err := a.Store.UnitHeads(ctx, units)
	if err != nil {
		return nil, store.UnitHead{}, err
	}
	for _, uid := range units {
		h, ok := heads[uid]
		if ok && scope.Visibility(h.View) == access.Full {
			if !o.Present || o.SHA256 == "" || o.Size == nil {
				return nil, store.UnitHead{}, errNotFound // nothing to deliver: the bytes were not transferred
			}
			return o, h, nil
		}
	}
	return nil, store.UnitHead{}, errNotFound
}

// ownAgent: the principal is an agent of the producing authority itself (a reader or a
// producer role held on exactly the unit's tenant). They get the original; everyone
// else, the Centre de gestion's archivists included, gets a consultation copy.
func (a *App) ownAgent(p access.Principal, tenant string) bool {
	if p.Public() {
		return false
	}
	for _, as := range a.Rights.Assignments(p) {
		if as.Domain == tenant && (as.Role == access.RoleReader || as.Role == access.RoleProducer) {
			return true
		}
	}
	return false
}

// setObjectHeaders: application/pdf for a PDF, else the declared type when it is a
// plain MIME type; a safe file name, no caching, and a sandbox for what is shown inline
// (but a PDF: Chromium's viewer shows a sandboxed one as an empty page).
func setObjectHeaders(c *fiber.Ctx, o *store.Object, inline bool) {
	ct := "application/octet-stream"
	if mt, _, err := mime.ParseMediaType(o.MimeType); err == nil && !strings.Contains(mt, "html") && !strings.Contains(mt, "xml") && !strings.Contains(mt, "svg") {
		ct = mt
	}
	if o.IsPDF() { // declared application/x-pdf, or read as a PDF at import: sent, stamped and shown as one
		ct = "application/pdf"
	}
	c.Set(fiber.HeaderContentType, ct)
	name := o.Filename
	if name == "" {
		name = fmt.Sprintf("objet-%d", o.ID)
	}
	disp := "attachment"
	if inline {
		disp = "inline"
	}
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`%s; filename="%s"; filename*=UTF-8''%s`, disp, asciiName(name), url.PathEscape(name)))
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	c.Set("Content-Security-Policy", objectCSP(ct, inline))
}

// objectCSP is the policy of a document sent as is: nothing of it runs or loads
// anything, and no other site frames it. A PDF shown inline goes without "sandbox",
// which keeps Chromium's PDF viewer from showing it (an empty page); the viewer is the
// browser's, not the document's, and the exact type with nosniff keeps the bytes a PDF.
func objectCSP(contentType string, inline bool) string {
	if inline && contentType == "application/pdf" {
		return "default-src 'none'; frame-ancestors 'none'"
	}
	return "sandbox; default-src 'none'; frame-ancestors 'none'"
}

// asciiName is a file name an old client can take: ASCII letters, digits, . - _
func asciiName(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(".-_", r)) {
			return r
		}
		return '_'
	}, s)
}

// sendStamped delivers a consultation copy: who, when, which unit, under which request.
// A PDF that cannot be stamped is not delivered (an unstamped copy would be a leak).
func (a *App) sendStamped(c *fiber.Ctx, o *store.Object, unit store.UnitHead, p access.Principal, g *access.Grant) error {
	f, err := os.Open(a.Store.Blobs().Path(o.SHA256))
	if err != nil {
		return err
	}
	defer f.Close()
	m := stamp.Mark{Name: displayName(p, langOf(c)), Date: a.Now().In(access.JournalZone()), Ref: unit.Cote}
	if m.Ref == "" {
		m.Ref = "unité " + strconv.FormatInt(unit.ID, 10)
	}
	if g != nil {
		m.Request = g.RequestID
	}
	var buf bytes.Buffer
	if err := a.Stamper.Stamp(c.UserContext(), f, &buf, m); err != nil {
		if errors.Is(err, stamp.ErrCannotStamp) {
			return &httpError{status: fiber.StatusUnprocessableEntity, code: "cannot_stamp", msg: "msg.cannot_stamp", err: err}
		}
		return err
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	return c.Send(buf.Bytes())
}

// displayName names the reader on a stamp.
func displayName(p access.Principal, lang string) string {
	switch {
	case p.Name != "":
		return p.Name
	case p.Email != "":
		return p.Email
	case p.Subject != "":
		return p.Subject
	}
	return tr(lang, "stamp.public")
}
