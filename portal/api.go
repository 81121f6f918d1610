package portal

import (
	"encoding/json"
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"sesam/access"
	"sesam/seda"
	"sesam/store"
)

// apiSearch is GET /api/v1/search: the document `sesam search --json` prints.
func (a *App) apiSearch(c *fiber.Ctx) error {
	scope, err := a.scopeOf(c)
	if err != nil {
		return err
	}
	req, err := requestFromQuery(queryValues(c), scope.Staff())
	if err != nil {
		return err
	}
	doc, err := a.searchInSlot(c.UserContext(), scope, req, langOf(c))
	if err != nil {
		return err
	}
	var body []byte
	encode := func() (err error) {
		body, err = json.Marshal(doc)
		return err
	}
	if err := a.journalSearch(c, req, doc, encode); err != nil {
		return err
	}
	return sendJSON(c, body)
}

// UnitDoc is a unit as the API gives it.
type UnitDoc struct {
	ID          int64       `json:"id"`
	Tenant      string      `json:"tenant"`
	Title       string      `json:"title"`
	Titles      []seda.Text `json:"titles,omitempty"`
	Cote        string      `json:"cote,omitempty"`
	Level       string      `json:"level,omitempty"`
	Dates       DatesDoc    `json:"dates"`
	Producer    string      `json:"producer,omitempty"`
	Description []seda.Text `json:"description,omitempty"`
	Keywords    []string    `json:"keywords,omitempty"`
	Persons     []string    `json:"persons,omitempty"`
	Breadcrumb  []CrumbDoc  `json:"breadcrumb"`
	Access      AccessDoc   `json:"access"`
	Documents   bool        `json:"documents_consultable"` // false: the description only
	Objects     []ObjectDoc `json:"objects"`
	Children    string      `json:"children"`
}

// AccessDoc is a unit's communicability for the API.
type AccessDoc struct {
	Communicable     bool   `json:"communicable"`
	CommunicableFrom string `json:"communicable_from,omitempty"`
	Reason           string `json:"reason"`
}

// ObjectDoc is an object for the API; content is a link only when it may be consulted.
type ObjectDoc struct {
	ID         int64  `json:"id"`
	Filename   string `json:"filename,omitempty"`
	MimeType   string `json:"mime_type,omitempty"`
	FormatID   string `json:"format_id,omitempty"`
	Size       *int64 `json:"size,omitempty"`
	Pages      *int   `json:"pages,omitempty"`
	Kind       string `json:"kind"`
	Present    bool   `json:"present"`
	TextStatus string `json:"text_status,omitempty"`
	TextReason string `json:"text_reason,omitempty"`
	PDFA       string `json:"pdfa,omitempty"`
	Content    string `json:"content,omitempty"`
}

func (a *App) apiUnit(c *fiber.Ctx) error {
	u, vis, scope, err := a.visibleUnit(c, c.Params("id"))
	if err != nil {
		return err
	}
	var body []byte
	makeDoc := func() error {
		ctx := c.UserContext()
		path, err := a.Store.FirstParentPath(ctx, u.ID)
		if err != nil {
			return err
		}
		crumbs, err := breadcrumbs(ctx, a.Store, scope, path)
		if err != nil {
			return err
		}
		objs, err := a.Store.UnitObjects(ctx, u.ID)
		if err != nil {
			return err
		}
		panel, err := a.accessPanel(c, u, langOf(c))
		if err != nil {
			return err
		}
		body, err = json.Marshal(unitDoc(u, vis, pathCrumbs(path, crumbs), objs, panel, scope.Today))
		return err
	}
	if err := a.journalUnitView(c, u, vis, makeDoc); err != nil {
		return err
	}
	return sendJSON(c, body)
}

func unitDoc(u *store.Unit, vis access.Visibility, crumbs []crumb, objs []store.Object, panel accessPanel, today int) UnitDoc {
	d := UnitDoc{ID: u.ID, Tenant: u.TenantID, Title: u.Title, Titles: u.Content.Titles, Cote: u.Cote, Level: u.Level,
		Producer: u.OriginatingAgency, Description: u.Content.Descriptions, Breadcrumb: []CrumbDoc{}, Objects: []ObjectDoc{},
		Documents: vis == access.Full, Children: "/api/v1/units/" + strconv.FormatInt(u.ID, 10) + "/children"}
	if u.StartDate != nil {
		d.Dates.Start = u.StartDate.Format("2006-01-02")
	}
	if u.EndDate != nil {
		d.Dates.End = u.EndDate.Format("2006-01-02")
	}
	for _, k := range u.Content.Keywords {
		d.Keywords = append(d.Keywords, k.Content)
	}
	for _, p := range u.Content.Persons {
		if n := p.Name(); n != "" {
			d.Persons = append(d.Persons, n)
		}
	}
	for _, cr := range crumbs {
		d.Breadcrumb = append(d.Breadcrumb, CrumbDoc{ID: visibleID(cr), Title: cr.Title, Hidden: cr.Hidden})
	}
	d.Access = AccessDoc{Communicable: u.OpenDay <= today, Reason: panel.Reason}
	if u.OpenDay > access.AlwaysDay && u.OpenDay < access.NeverDay {
		d.Access.CommunicableFrom = dayISO(u.OpenDay)
	}
	for _, o := range objs {
		d.Objects = append(d.Objects, objectDoc(o, vis == access.Full))
	}
	return d
}

func dayISO(n int) string {
	return strconv.Itoa(n/10000) + "-" + pad2(n/100%100) + "-" + pad2(n%100)
}

func pad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

func objectDoc(o store.Object, consultable bool) ObjectDoc {
	d := ObjectDoc{ID: o.ID, Filename: o.Filename, MimeType: o.MimeType, FormatID: o.FormatID, Size: o.Size, Pages: o.PageCount,
		Kind: o.Kind, Present: o.Present, TextStatus: o.TextStatus, TextReason: o.TextReason, PDFA: o.PDFA}
	if consultable && o.Present {
		d.Content = "/api/v1/objects/" + strconv.FormatInt(o.ID, 10) + "/content"
	}
	return d
}

// childrenDoc is a page of children.
type childrenDoc struct {
	Children []childDoc `json:"children"`
	Next     string     `json:"next,omitempty"`
}

type childDoc struct {
	ID    int64    `json:"id"`
	Title string   `json:"title"`
	Cote  string   `json:"cote,omitempty"`
	Level string   `json:"level,omitempty"`
	Dates DatesDoc `json:"dates"`
}

func (a *App) apiChildren(c *fiber.Ctx) error {
	u, vis, scope, err := a.visibleUnit(c, c.Params("id"))
	if err != nil {
		return err
	}
	page, err := a.visibleChildren(c.UserContext(), scope, u.ID, c.Query("after"), 1)
	if err != nil {
		return err
	}
	kids, next := page.Items, page.Next
	if err := a.journalChildren(c, u, vis, kids); err != nil {
		return err
	}
	doc := childrenDoc{Children: []childDoc{}}
	for _, k := range kids {
		cd := childDoc{ID: k.ID, Title: k.Title, Cote: k.Cote, Level: k.Level}
		if k.StartDate != nil {
			cd.Dates.Start = k.StartDate.Format("2006-01-02")
		}
		if k.EndDate != nil {
			cd.Dates.End = k.EndDate.Format("2006-01-02")
		}
		doc.Children = append(doc.Children, cd)
	}
	if next != "" {
		doc.Next = "/api/v1/units/" + strconv.FormatInt(u.ID, 10) + "/children?after=" + next
	}
	return c.JSON(doc)
}

// apiObject describes an object the principal may consult.
func (a *App) apiObject(c *fiber.Ctx) error {
	o, _, err := a.consultableObject(c)
	if err != nil {
		return err
	}
	return c.JSON(objectDoc(*o, true))
}

// meDoc is who the API sees.
type meDoc struct {
	Subject string              `json:"subject,omitempty"`
	Email   string              `json:"email,omitempty"`
	Name    string              `json:"name,omitempty"`
	Public  bool                `json:"public"`
	Roles   []access.Assignment `json:"roles"`
}

func (a *App) apiMe(c *fiber.Ctx) error {
	p := principalOf(c)
	d := meDoc{Subject: p.Subject, Email: p.Email, Name: p.Name, Public: p.Public(), Roles: a.Rights.Assignments(p)}
	if d.Roles == nil {
		d.Roles = []access.Assignment{}
	}
	return c.JSON(d)
}

// queryValues is the request's query string as url.Values (repeated keys kept).
func queryValues(c *fiber.Ctx) url.Values {
	out := url.Values{}
	c.Context().QueryArgs().VisitAll(func(k, v []byte) {
		out[string(k)] = append(out[string(k)], string(v))
	})
	return out
}
