package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"sesam/access"
)

// notify writes the messages a move calls for into the outbox, in the move's
// transaction: to the requester at registration and at the decision, to the producer
// when its agreement is asked.
func (s *Store) notify(ctx context.Context, tx pgx.Tx, before *RequestRecord, next access.Request, a RequestAction) error {
	var msgs []outboxMessage
	to := EmailIn(before.Requester.Email)
	if to == "" {
		to = EmailIn(before.Requester.Contact)
	}
	switch {
	case a.Event.Type == access.EvSubmit:
		due, _ := next.Deadline()
		msgs = append(msgs, outboxMessage{to: to, subject: fmt.Sprintf("Demande de communication n° %d enregistrée", before.ID),
			body: fmt.Sprintf("Bonjour %s,\n\nVotre demande de communication n° %d a été enregistrée le %s.\n"+
				"Une décision doit vous être notifiée au plus tard le %s (Code du patrimoine, L213-3). "+
				"L'absence de réponse à cette date vaut décision de refus.\n\nVous pouvez suivre votre demande dans « Mes demandes ».\n",
				before.Requester.Name, before.ID, frDate(a.Event.At), frDate(due))})
	case a.Event.Type == access.EvAskProducer:
		for _, p := range a.ProducerEmails {
			msgs = append(msgs, outboxMessage{to: p, subject: fmt.Sprintf("Accord demandé : demande de dérogation n° %d", before.ID),
				body: fmt.Sprintf("Bonjour,\n\nL'archiviste demande votre accord sur une demande de dérogation (Code du patrimoine, L213-3) "+
					"portant sur des archives de %s, n° %d. Motif du demandeur : %s\n\nDonnez votre réponse depuis le portail.\n",
					before.Tenant, before.ID, before.Reason)})
		}
	case next.DecidedAt != nil && before.DecidedAt == nil:
		grants, err := requestGrants(ctx, tx, before.ID)
		if err != nil {
			return err
		}
		msgs = append(msgs, outboxMessage{to: to, subject: fmt.Sprintf("Décision sur votre demande n° %d", before.ID),
			body: decisionText(before, next, grants)})
	}
	for _, m := range msgs {
		if m.to == "" {
			continue // a person registered by postal address only: the letter is printed
		}
		if _, err := tx.Exec(ctx, `INSERT INTO outbox (tenant_id, request_id, recipient, subject, body) VALUES ($1, $2, $3, $4, $5)`,
			before.Tenant, before.ID, m.to, m.subject, m.body); err != nil {
			return err
		}
	}
	return nil
}

type outboxMessage struct{ to, subject, body string }

// decisionText is the decision notice: each decided unit's outcome (a grant with its
// last day, a refusal with its reasons), the units withdrawn, and the remedies.
func decisionText(r *RequestRecord, next access.Request, grants map[int64]int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Bonjour %s,\n\nUne décision a été prise sur votre demande n° %d :\n\n", r.Requester.Name, r.ID)
	for _, u := range next.Units {
		h := r.Heads[u.UnitID]
		label := h.Title
		if h.Cote != "" {
			label = h.Cote + " — " + h.Title
		}
		switch u.Outcome {
		case access.OutcomeGranted:
			until := ""
			if d, ok := grants[u.UnitID]; ok {
				until = " jusqu'au " + frDate(time.Date(d/10000, time.Month(d/100%100), d%100, 12, 0, 0, 0, access.JournalZone()))
			}
			fmt.Fprintf(&b, "- %s : accordée%s\n", label, until)
		case access.OutcomeRefused:
			fmt.Fprintf(&b, "- %s : refusée. Motifs : %s\n", label, u.Reasons)
		case access.OutcomeWithdrawn:
			fmt.Fprintf(&b, "- %s : demande retirée\n", label)
		}
	}
	b.WriteString("\nEn cas de refus, vous pouvez saisir la Commission d'accès aux documents administratifs (CADA) dans un délai " +
		"de deux mois, puis le tribunal administratif.\nLa lettre de décision est disponible dans « Mes demandes ».\n")
	return b.String()
}

var frMonthNames = []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// frDate is t's day in Paris, where the law's days are counted.
func frDate(t time.Time) string {
	t = t.In(access.JournalZone())
	return fmt.Sprintf("%d %s %d", t.Day(), frMonthNames[t.Month()-1], t.Year())
}

// OutboxMessage is a notification, sent or waiting.
type OutboxMessage struct {
	ID        int64
	CreatedAt time.Time
	Tenant    string
	RequestID *int64
	Recipient string
	Subject   string
	Body      string
	SentAt    *time.Time
	Attempts  int
	LastError string
}

// Outbox lists the notifications of the tenants a staff member covers, newest first.
func (s *Store) Outbox(ctx context.Context, tenants []string, limit int) ([]OutboxMessage, error) {
	var args sqlArgs
	cond := tenantCoveredSQL("o.tenant_id", tenants, &args)
	rows, err := s.pool.Query(ctx, `SELECT o.id, o.created_at, o.tenant_id, o.request_id, o.recipient, o.subject, o.body,
		o.sent_at, o.attempts, o.last_error FROM outbox o WHERE `+cond+` ORDER BY o.id DESC LIMIT `+args.add(limit), args...)
	if err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (OutboxMessage, error) {
		var m OutboxMessage
		err := r.Scan(&m.ID, &m.CreatedAt, &m.Tenant, &m.RequestID, &m.Recipient, &m.Subject, &m.Body, &m.SentAt, &m.Attempts, &m.LastError)
		return m, err
	})
}

// UnsentMessages returns messages not sent yet, oldest first, for the sender.
func (s *Store) UnsentMessages(ctx context.Context, limit int) ([]OutboxMessage, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, created_at, tenant_id, request_id, recipient, subject, body, sent_at, attempts, last_error
		FROM outbox WHERE sent_at IS NULL AND attempts < 10 ORDER BY id LIMIT $1`, limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (OutboxMessage, error) {
		var m OutboxMessage
		err := r.Scan(&m.ID, &m.CreatedAt, &m.Tenant, &m.RequestID, &m.Recipient, &m.Subject, &m.Body, &m.SentAt, &m.Attempts, &m.LastError)
		return m, err
	})
}

// MarkSent records a message's delivery, or (err non-nil) a failed attempt.
func (s *Store) MarkSent(ctx context.Context, id int64, sendErr error, now time.Time) error {
	if sendErr == nil {
		_, err := s.pool.Exec(ctx, `UPDATE outbox SET sent_at = $2, attempts = attempts + 1, last_error = '' WHERE id = $1`, id, now)
		return err
	}
	_, err := s.pool.Exec(ctx, `UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1`, id, sendErr.Error())
	return err
}
