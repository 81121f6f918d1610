package portal

import (
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
	Reason       string // the engine's sentence as of today
	Lines        []string
	Published    bool // may be published online (dissemination)
	PublishLines []string
}

func (a *App) accessPanel(c *fiber.Ctx, u *store.Unit, lang string) (accessPanel, error) {
	acc, dis, err := a.Store.Explain(c.UserContext(), u.ID)
	if err != nil {
		return accessPanel{}, err
	}
	now := a.Now()
	p := accessPanel{Communicable: acc.CommunicableAt(now), Published: dis.CommunicableAt(now),
		Reason: acc.ReasonIn(now, lang), Lines: access.Explain(acc, lang), PublishLines: access.Explain(dis, lang)}
	day, ok := acc.OpensOn()
	switch {
	case !ok:
		p.Never = true
	case !day.Equal(access.SinceAlways):
		p.Day = humanDay(lang, day)
	}
	return p, nil
}
