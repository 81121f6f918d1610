package portal

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"sesam/access"
)

//go:embed templates/*.html
var templateFS embed.FS

// pages holds one parsed template per page (the layout plus the page's own file).
type pages struct {
	byName map[string]*template.Template
}

// pageNames are the page templates; each defines "content" (and maybe "head").
var pageNames = []string{"home", "search", "unit", "error", "login", "requests", "request", "queue", "register", "outbox", "audit", "logout"}

// loadPages parses the templates at start-up, from the binary or (development) from dir.
func loadPages(dir string) (*pages, error) {
	var fsys fs.FS = templateFS
	if dir != "" {
		fsys = os.DirFS(filepath.Join(dir, "portal"))
	}
	p := &pages{byName: map[string]*template.Template{}}
	for _, name := range pageNames {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(fsys, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", name, err)
		}
		p.byName[name] = t
	}
	return p, nil
}

// page is what every template gets: the layout's needs, then the page's data.
type page struct {
	Lang      string
	Title     string
	Path      string // the current URL, for the language switch to come back to
	User      *access.Principal
	Staff     bool // handles requests somewhere (archivist, producer, admin)
	Auditor   bool // reads a journal somewhere
	CSRF      string
	DevLogin  bool
	RequestID string
	Data      any
}

// page starts the data of a page for this request.
func (a *App) page(c *fiber.Ctx, title string) *page {
	p := &page{Lang: langOf(c), Title: title, Path: c.OriginalURL(), CSRF: a.csrfToken(c), DevLogin: a.cfg.DevLogin,
		RequestID: requestID(c)}
	if s := sessionOf(c); s != nil {
		pr := s.principal()
		p.User = &pr
		p.Staff = len(a.staffScopes(pr)) > 0
		p.Auditor = len(a.auditScopes(pr)) > 0
	}
	return p
}

// render executes a page into a buffer, then sends it: a template error never leaves
// half a page on the wire.
func (a *App) render(c *fiber.Ctx, name string, p *page) error {
	html, err := a.renderHTML(name, p)
	if err != nil {
		return err
	}
	return a.sendHTML(c, html)
}

// renderHTML makes a page without sending it.
func (a *App) renderHTML(name string, p *page) ([]byte, error) {
	t := a.pages.byName[name]
	if t == nil {
		return nil, fmt.Errorf("no template %q", name)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, p); err != nil {
		return nil, fmt.Errorf("render %s: %w", name, err)
	}
	return buf.Bytes(), nil
}

// sendHTML sends a page made by renderHTML.
func (a *App) sendHTML(c *fiber.Ctx, html []byte) error {
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Send(html)
}

// sendJSON sends a document encoded beforehand (while a journal entry committed), as
// c.JSON would have sent it.
func sendJSON(c *fiber.Ctx, body []byte) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Send(body)
}

var funcs = template.FuncMap{
	"t":       tr,
	"level":   func(lang, l string) string { return trOr(lang, "level."+l, l) },
	"format":  formatLabel,
	"trOr":    trOr,
	"safe":    func(s string) template.HTML { return template.HTML(s) }, // only for HTML built by index (escaped + <mark>)
	"date":    formatDay,
	"day":     func(lang string, t time.Time) string { return humanDay(lang, t.In(access.JournalZone())) },
	"dayNum":  formatDayNumber,
	"bytes":   formatBytes,
	"add":     func(a, b int) int { return a + b },
	"sub":     func(a, b int) int { return a - b },
	"mul":     func(a, b float64) float64 { return a * b },
	"pct":     percent,
	"query":   withQuery,
	"without": withoutQuery,
	"itoa":    strconv.Itoa,
	"i64":     func(n int64) string { return strconv.FormatInt(n, 10) },
	"join":    strings.Join,
	"list":    func(xs ...string) []string { return xs },
	"colon": func(lang string) string {
		return map[string]string{langEN: ":"}[lang] + map[string]string{langFR: " :"}[lang]
	},
	"add1": addQuery,
	"last": func(b []barView) barView { return b[len(b)-1] },
}

// addQuery returns the URL with value added to key's values (a facet selection).
func addQuery(u *url.URL, key, value string) string {
	q := u.Query()
	for _, v := range q[key] {
		if v == value {
			return "?" + q.Encode()
		}
	}
	q.Add(key, value)
	q.Del("after")
	q.Del("page")
	return "?" + q.Encode()
}

// trOr translates key, or returns fallback when there is no such message.
func trOr(lang, key, fallback string) string {
	if m := tr(lang, key); m != key {
		return m
	}
	return fallback
}

var frMonths = []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// formatDay writes an ISO date (2006-01-02) for people: "15 mars 2011" / "15 March 2011".
func formatDay(lang, iso string) string {
	t, err := time.Parse("2006-01-02", iso)
	if err != nil {
		return iso
	}
	return humanDay(lang, t)
}

func humanDay(lang string, t time.Time) string {
	if lang == langEN {
		return t.Format("2 January 2006")
	}
	d := strconv.Itoa(t.Day())
	if t.Day() == 1 {
		d = "1er"
	}
	return d + " " + frMonths[t.Month()-1] + " " + strconv.Itoa(t.Year())
}

// formatDayNumber writes a yyyymmdd day number for people.
func formatDayNumber(lang string, n int) string {
	if n <= access.AlwaysDay || n >= access.NeverDay {
		return ""
	}
	return humanDay(lang, time.Date(n/10000, time.Month(n/100%100), n%100, 0, 0, 0, 0, time.UTC))
}

func formatBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f Go", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f Mo", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f ko", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d o", n)
}

func percent(n, max int) int {
	if max <= 0 {
		return 0
	}
	return n * 100 / max
}

// withQuery returns the URL with key set to value (and the page cursor reset).
func withQuery(u *url.URL, key, value string) string {
	q := u.Query()
	q.Set(key, value)
	if key != "after" && key != "page" {
		q.Del("after")
		q.Del("page")
	}
	return "?" + q.Encode()
}

// withoutQuery returns the URL without the pair key=value (a removable filter).
func withoutQuery(u *url.URL, key, value string) string {
	q := u.Query()
	vals := q[key]
	q.Del(key)
	for _, v := range vals {
		if v != value && value != "" {
			q.Add(key, v)
		}
	}
	q.Del("after")
	q.Del("page")
	return "?" + q.Encode()
}
