package portal

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"sesam/access"
	"sesam/stamp"
	"sesam/store"
)

// Letters writes decision letters (stamp.Stamper).
type Letters interface {
	Letter(ctx context.Context, w io.Writer, l stamp.Letter) error
}

// requestLetter is the printable decision letter (PDF) of a decided request: the
// decision, the units, the reasons and the remedies.
func (a *App) requestLetter(c *fiber.Ctx) error {
	r, _, err := a.visibleRequest(c)
	if err != nil {
		return err
	}
	if r.DecidedAt == nil {
		return errNotFound
	}
	l, err := a.letterOf(c.UserContext(), r)
	if err != nil {
		return err
	}
	letters, ok := a.Stamper.(Letters)
	if !ok {
		return fmt.Errorf("no letter writer")
	}
	var buf bytes.Buffer
	if err := letters.Letter(c.UserContext(), &buf, l); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`inline; filename="decision-demande-%d.pdf"`, r.ID))
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.Send(buf.Bytes())
}

func (a *App) letterOf(ctx context.Context, r *store.RequestRecord) (stamp.Letter, error) {
	names, err := tenantNames(ctx, a.Store)
	if err != nil {
		return stamp.Letter{}, err
	}
	paris := access.JournalZone()
	authority := "Service d'archives"
	if op := path.Dir(r.Tenant); op != "." && names[op] != "" {
		authority = names[op] + " — service d'archives"
	}
	l := stamp.Letter{Authority: authority, Tenant: names[r.Tenant], RequestID: r.ID, Requester: r.Requester.Name,
		SubmittedAt: r.SubmittedAt.In(paris), DecidedAt: r.DecidedAt.In(paris), Mode: r.Mode, Signatory: signatory(r)}
	for _, line := range strings.Split(r.Requester.Contact, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			l.Address = append(l.Address, line)
		}
	}
	if len(l.Address) == 0 && r.Requester.Email != "" {
		l.Address = []string{r.Requester.Email}
	}
	for _, u := range r.Units {
		h := r.Heads[u.UnitID]
		lu := stamp.LetterUnit{Cote: h.Cote, Title: h.Title, Granted: u.Outcome == access.OutcomeGranted, Reasons: u.Reasons,
			Withdrawn: u.Outcome == access.OutcomeWithdrawn, Derogation: u.Derogation, Producer: producerAnswer(u.Agreement)}
		if d, ok := r.GrantUntil[u.UnitID]; ok && lu.Granted {
			lu.Until = time.Date(d/10000, time.Month(d/100%100), d%100, 12, 0, 0, 0, paris)
		}
		if u.Outcome != access.OutcomePending {
			l.Units = append(l.Units, lu)
		}
	}
	return l, nil
}

// producerAnswer is the producer's answer on a unit as the letter states it.
func producerAnswer(a access.Agreement) stamp.ProducerAnswer {
	switch a {
	case access.AgreementAsked:
		return stamp.ProducerAsked
	case access.AgreementGiven:
		return stamp.ProducerAgreed
	case access.AgreementRefused:
		return stamp.ProducerRefused
	}
	return stamp.ProducerNotAsked
}

// signatory is the archivist who made the last decision.
func signatory(r *store.RequestRecord) string {
	for i := len(r.Events) - 1; i >= 0; i-- {
		e := r.Events[i]
		if e.Type == string(access.EvGrant) || e.Type == string(access.EvRefuse) {
			if e.ActorName != "" {
				return e.ActorName
			}
			return e.ActorSubject
		}
	}
	return "L'archiviste"
}
