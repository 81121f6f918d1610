package portal

import (
	"context"
	"html"
	"html/template"
	"regexp"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"sesam/access"
	"sesam/store"
)

// accessPanel is the communicability panel of a unit page, in plain words: open or
// not, since or until when, which rules, inherited from where.
type accessPanel struct {
	Communicable bool
	Never        bool   // never, or the day cannot be established
	Day          string // since (open) or until (closed) when known
	Reason       string // the engine's sentence as of today (plain text, for the API)
	ReasonHTML   template.HTML
	Lines        []template.HTML
	Published    bool // may be published online (dissemination)
	PublishLines []template.HTML
}

func (a *App) accessPanel(c *fiber.Ctx, u *store.Unit, lang string) (accessPanel, error) {
	acc, dis, err := a.Store.Explain(c.UserContext(), u.ID)
	if err != nil {
		return accessPanel{}, err
	}
	scope, err := a.scopeOf(c)
	if err != nil {
		return accessPanel{}, err
	}
	name, err := a.unitNamer(c.UserContext(), scope, u.ID, lang, acc, dis)
	if err != nil {
		return accessPanel{}, err
	}
	now := a.Now()
	p := accessPanel{Communicable: acc.CommunicableAt(now), Published: dis.CommunicableAt(now), Reason: acc.ReasonIn(now, lang)}
	p.ReasonHTML = name(p.Reason)
	for _, l := range access.Explain(acc, lang) {
		p.Lines = append(p.Lines, name(l))
	}
	for _, l := range access.Explain(dis, lang) {
		p.PublishLines = append(p.PublishLines, name(l))
	}
	day, ok := acc.OpensOn()
	switch {
	case !ok:
		p.Never = true
	case !day.Equal(access.SinceAlways):
		p.Day = humanDay(lang, day)
	}
	return p, nil
}

// unitRefRe finds the unit numbers in the engine's sentences: "Unité 7 :", "héritée de
// 12 via 3 → 12", "date de fin du contenu de 7", "StartDate déclarée sur 17".
var unitRefRe = regexp.MustCompile(`(\b(?:de|from|of|via|sur|on|Unité|Unit)|→) (\d+)\b`)

// unitNamer turns the engine's sentences into HTML naming units by their titles, with
// a link to the others than this one, instead of their numbers. A unit the visitor may
// not see is "a unit above", never its title. Only the numbers of the units the
// decisions name are touched (not a delay or a year).
func (a *App) unitNamer(ctx context.Context, scope access.Scope, self int64, lang string, ds ...access.Decision) (func(string) template.HTML, error) {
	ids := map[int64]bool{}
	add := func(ss ...string) {
		for _, s := range ss {
			if id, err := strconv.ParseInt(s, 10, 64); err == nil {
				ids[id] = true
			}
		}
	}
	for _, d := range ds {
		add(d.Unit)
		for _, r := range d.Rules {
			add(r.Origin, r.StartUnit)
			add(r.Path...)
		}
		for _, b := range d.Blocked {
			add(b.Origin, b.At)
		}
		for _, g := range d.Gaps {
			add(g.Unit, g.Child)
		}
	}
	list := make([]int64, 0, len(ids))
	for id := range ids {
		list = append(list, id)
	}
	crumbs, err := breadcrumbs(ctx, a.Store, scope, list)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for id, c := range crumbs {
		key := strconv.FormatInt(id, 10)
		switch {
		case c.Hidden:
			names[key] = html.EscapeString(tr(lang, "access.unit_above"))
		case id == self:
			names[key] = "« " + html.EscapeString(c.Title) + " »"
		default:
			names[key] = `<a href="/units/` + key + `">« ` + html.EscapeString(c.Title) + ` »</a>`
		}
	}
	return func(s string) template.HTML {
		out := unitRefRe.ReplaceAllStringFunc(html.EscapeString(s), func(m string) string {
			sub := unitRefRe.FindStringSubmatch(m)
			if n, ok := names[sub[2]]; ok {
				return sub[1] + " " + n
			}
			return m
		})
		return template.HTML(out) // escaped text, and links built from escaped titles
	}, nil
}
