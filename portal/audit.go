package portal

import (
	"bufio"
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
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
	Top     []topUnit
	Bucket  string
	Query   url.Values
	Next    string
	Actions []string
	Export  string
	// ChartAction is the action the chart counts when the filter names one that is not
	// a consultation ("" when the chart counts consultations).
	ChartAction string
}

// topUnit is a most consulted unit; Title is "" unless the reader may see the unit's
// description (the reader then sees its number, linking to its entries).
type topUnit struct {
	UnitID int64
	Title  string
	Count  int64
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
	f := store.JournalFilter{Tenants: scopes, Tenant: strings.TrimSpace(q.Get("tenant")),
		Subject: strings.TrimSpace(q.Get("subject")), Action: q.Get("action")}
	if f.Action != "" && !access.ValidJournalAction(f.Action) {
		return f, q, fmt.Errorf("action inconnue %q: %w", f.Action, sesam.ErrInvalid)
	}
	if f.Tenant != "" && !slices.ContainsFunc(scopes, func(sc string) bool { return access.CoversTenant(sc, f.Tenant) }) {
		return f, q, fmt.Errorf("collectivité « %s » hors du périmètre de votre journal (%s): %w",
			f.Tenant, strings.Join(scopes, ", "), sesam.ErrInvalid)
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
	chart := f // consultations, unless the filter asks for another action
	if f.Action == "" {
		chart.Actions = access.ConsultationActions
	} else if !slices.Contains(access.ConsultationActions, f.Action) {
		d.ChartAction = f.Action
	}
	if d.Stats, err = a.Store.JournalStats(ctx, chart, d.Bucket); err != nil {
		return err
	}
	d.Bars = statBars(d.Stats)
	if err := a.auditEntries(c, f, q, &d); err != nil {
		return err
	}
	if err := a.journal(c, p, access.JournalEntry{Action: access.ActionJournalView, Tenant: f.Tenant, Detail: q.Encode()}); err != nil {
		return err
	}
	pg := a.page(c, tr(langOf(c), "audit.title"))
	pg.Data = d
	return a.render(c, "audit", pg)
}

// auditEntries reads the most consulted units and a page of entries, and the links of
// the page: the next page, the export. What the journal names of a unit beyond its
// number (a title, an object's file name in entries written before file names were
// left out) shows only where the reader may see the unit's description.
func (a *App) auditEntries(c *fiber.Ctx, f store.JournalFilter, q url.Values, d *auditData) error {
	ctx := c.UserContext()
	top := f
	top.Actions = access.ConsultationActions
	counts, err := a.Store.TopUnits(ctx, top, 10)
	if err != nil {
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
	ids := make([]int64, 0, len(counts)+len(d.Entries))
	for _, uc := range counts {
		ids = append(ids, uc.UnitID)
	}
	for _, e := range d.Entries {
		ids = append(ids, e.UnitID)
	}
	titles, err := a.describableUnits(c, ids)
	if err != nil {
		return err
	}
	for _, uc := range counts {
		d.Top = append(d.Top, topUnit{UnitID: uc.UnitID, Title: titles[uc.UnitID], Count: uc.Count})
	}
	for i, e := range d.Entries {
		if _, ok := titles[e.UnitID]; e.ObjectID != 0 && !ok {
			d.Entries[i].Detail = ""
		}
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
	return nil
}

// describableUnits gives the titles of those units whose description the visitor may
// see (by id); the others are left out.
func (a *App) describableUnits(c *fiber.Ctx, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	scope, err := a.scopeOf(c)
	if err != nil {
		return nil, err
	}
	heads, err := a.Store.UnitHeads(c.UserContext(), ids)
	if err != nil {
		return nil, err
	}
	for id, h := range heads {
		if scope.Visibility(h.View) != access.Hidden {
			out[id] = h.Title
		}
	}
	return out, nil
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
// journalled first (no trace, no export). The file is streamed as it is read, a page of
// entries at a time, so that a long journal is never held in memory; an error past the
// first byte can only cut the file short, and is logged.
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
	ct, ext := "text/csv; charset=utf-8", "csv"
	if format == "jsonl" {
		ct, ext = "application/x-ndjson", "jsonl"
	}
	c.Set(fiber.HeaderContentType, ct)
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="journal-%s.%s"`, a.Now().Format("2006-01-02"), ext))
	// The writer runs after the handler has returned: it must not touch c.
	st, log, rid := a.Store, a.Log, requestID(c)
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		ctx, cancel := context.WithTimeout(context.Background(), exportTimeout)
		defer cancel()
		n, err := st.ExportJournal(ctx, w, f, format)
		if err == nil {
			err = w.Flush()
		}
		if err != nil {
			log.Error("journal export cut short", "request_id", rid, "entries", n, "err", err)
		}
	})
	return nil
}

// exportTimeout bounds an export's reading of the journal.
const exportTimeout = 30 * time.Minute
