package portal

import (
	"bytes"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"sesam"
	"sesam/access"
	"sesam/store"
)

// The auditor's pages: the consultation journal filtered by period, person, tenant,
// unit and action, each entry linking to what it concerns; consultations over time and
// the most consulted units; exports (themselves journalled). Auditors see the record
// of consultations, not the archives: nothing here opens a unit or an object.

// auditScopes are the tenants whose journal the visitor may read (auditor, archivist
// "for the tenant's journal", admin: as the policy says).
func (a *App) auditScopes(p access.Principal) []string {
	return a.Rights.Domains(p, access.ObjJournal, access.ActRead)
}

// auditData is the auditor's page.
type auditData struct {
	Entries []access.JournalEntry
	Stats   []store.JournalBucket
	Bars    []barView
	Top     []store.UnitCount
	Bucket  string
	Query   url.Values
	Next    string
	Actions []string
	Export  string
}

// auditFilter checks that the visitor may read a journal (not found otherwise), reads
// the filters of the page (and of the export) and confines them to the visitor's tenants.
func (a *App) auditFilter(c *fiber.Ctx) (access.Principal, store.JournalFilter, url.Values, error) {
	p, err := requirePerson(c)
	if err != nil {
		return p, store.JournalFilter{}, nil, err
	}
	scopes := a.auditScopes(p)
	if len(scopes) == 0 {
		return p, store.JournalFilter{}, nil, errNotFound
	}
	f, q, err := journalFilter(queryValues(c), scopes)
	return p, f, q, err
}

// journalFilter reads the journal filters of a query, confined to scopes.
func journalFilter(q url.Values, scopes []string) (store.JournalFilter, url.Values, error) {
	f := store.JournalFilter{Tenants: scopes, Tenant: q.Get("tenant"), Subject: q.Get("subject"), Action: q.Get("action")}
	if f.Action != "" && !access.ValidJournalAction(f.Action) {
		return f, q, fmt.Errorf("action inconnue %q: %w", f.Action, sesam.ErrInvalid)
	}
	for _, d := range []struct {
		key string
		dst *time.Time
		add int
	}{{"from", &f.From, 0}, {"to", &f.To, 1}} {
		if v := q.Get(d.key); v != "" {
			t, err := time.ParseInLocation("2006-01-02", v, access.JournalZone())
			if err != nil {
				return f, q, fmt.Errorf("date « %s » invalide (AAAA-MM-JJ): %w", v, sesam.ErrInvalid)
			}
			*d.dst = t.AddDate(0, 0, d.add) // "to" is inclusive: entries before the next day
		}
	}
	if v := q.Get("unit"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return f, q, fmt.Errorf("unité « %s » invalide: %w", v, sesam.ErrInvalid)
		}
		f.UnitID = id
	}
	return f, q, nil
}

func (a *App) auditPage(c *fiber.Ctx) error {
	p, f, q, err := a.auditFilter(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	d := auditData{Query: q, Bucket: q.Get("per"), Actions: access.JournalActions}
	if d.Bucket == "" {
		d.Bucket = "day"
	}
	if d.Stats, err = a.Store.JournalStats(ctx, f, d.Bucket); err != nil {
		return err
	}
	d.Bars = statBars(d.Stats)
	top := f
	top.Actions = access.ConsultationActions
	if d.Top, err = a.Store.TopUnits(ctx, top, 10); err != nil {
		return err
	}
	page := f
	page.Desc, page.Limit = true, 100
	if b, err := strconv.ParseInt(q.Get("before"), 10, 64); err == nil {
		page.Before = b
	}
	if d.Entries, err = a.Store.JournalEntries(ctx, page); err != nil {
		return err
	}
	if len(d.Entries) == page.Limit {
		nq := url.Values{}
		for k, v := range q {
			nq[k] = v
		}
		nq.Set("before", strconv.FormatInt(d.Entries[len(d.Entries)-1].Seq, 10))
		d.Next = "?" + nq.Encode()
	}
	eq := url.Values{}
	for k, v := range q {
		if k != "before" && k != "per" {
			eq[k] = v
		}
	}
	d.Export = eq.Encode()
	if err := a.journal(c, p, access.JournalEntry{Action: access.ActionJournalView, Tenant: f.Tenant, Detail: q.Encode()}); err != nil {
		return err
	}
	pg := a.page(c, tr(langOf(c), "audit.title"))
	pg.Data = d
	return a.render(c, "audit", pg)
}

// statBars lays the chart out like the search histogram (bars in a 600 × 100 box).
func statBars(stats []store.JournalBucket) []barView {
	if len(stats) == 0 {
		return nil
	}
	var maxN int64
	for _, s := range stats {
		maxN = max(maxN, s.Count)
	}
	w := max(600/len(stats), 2)
	out := make([]barView, 0, len(stats))
	for i, s := range stats {
		h := int(s.Count * 80 / max(maxN, 1))
		if s.Count > 0 && h < 2 {
			h = 2
		}
		out = append(out, barView{X: i * w, Y: 85 - h, W: max(w-1, 1), H: h, Count: int(s.Count),
			Href: s.Start.Format("2006-01-02")})
	}
	return out
}

// auditExport writes the filtered journal as CSV or JSON Lines; the export is itself
// journalled first (no trace, no export).
func (a *App) auditExport(c *fiber.Ctx) error {
	p, f, q, err := a.auditFilter(c)
	if err != nil {
		return err
	}
	format := q.Get("format")
	if format != "csv" && format != "jsonl" {
		return fmt.Errorf("format %q (csv, jsonl): %w", format, sesam.ErrInvalid)
	}
	if err := a.journal(c, p, access.JournalEntry{Action: access.ActionJournalExport, Tenant: f.Tenant, Detail: q.Encode()}); err != nil {
		return err
	}
	var buf bytes.Buffer
	if _, err := a.Store.ExportJournal(c.UserContext(), &buf, f, format); err != nil {
		return err
	}
	ct, ext := "text/csv; charset=utf-8", "csv"
	if format == "jsonl" {
		ct, ext = "application/x-ndjson", "jsonl"
	}
	c.Set(fiber.HeaderContentType, ct)
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="journal-%s.%s"`, a.Now().Format("2006-01-02"), ext))
	return c.Send(buf.Bytes())
}
