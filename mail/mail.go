// Package mail sends the portal's notifications (the outbox of access requests) by
// SMTP. Without an SMTP server configured, messages stay in the outbox for staff to see.
package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net"
	"net/smtp"
	"net/url"
	"strings"
	"time"

	"sesam/store"
)

// Sender delivers messages to an SMTP server given as a URL:
// smtp://[user:password@]host:port?from=archives@cdg62.fr[&tls=starttls|none].
type Sender struct {
	addr     string
	host     string
	from     string
	auth     smtp.Auth
	starttls bool
}

// NewSender reads the SMTP URL.
func NewSender(raw string) (*Sender, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "smtp" || u.Host == "" {
		return nil, fmt.Errorf("SESAM_SMTP_URL %q: want smtp://[user:password@]host:port?from=address", raw)
	}
	s := &Sender{addr: u.Host, host: u.Hostname(), from: u.Query().Get("from"), starttls: u.Query().Get("tls") == "starttls"}
	if s.from == "" {
		return nil, errors.New("SESAM_SMTP_URL needs ?from=address")
	}
	if !strings.Contains(s.addr, ":") {
		s.addr += ":25"
	}
	if u.User != nil {
		pw, _ := u.User.Password()
		s.auth = smtp.PlainAuth("", u.User.Username(), pw, s.host)
	}
	return s, nil
}

// Send delivers one message, UTF-8, with an encoded subject.
func (s *Sender) Send(ctx context.Context, to, subject, body string) error {
	d := net.Dialer{Timeout: 10 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", s.addr)
	if err != nil {
		return err
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	} else {
		conn.SetDeadline(time.Now().Add(30 * time.Second))
	}
	c, err := smtp.NewClient(conn, s.host)
	if err != nil {
		conn.Close()
		return err
	}
	defer c.Close()
	if s.starttls {
		if err := c.StartTLS(&tls.Config{ServerName: s.host}); err != nil {
			return err
		}
	}
	if s.auth != nil {
		if err := c.Auth(s.auth); err != nil {
			return err
		}
	}
	if err := c.Mail(s.from); err != nil {
		return err
	}
	if err := c.Rcpt(to); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	msg := fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMIME-Version: 1.0\r\n"+
		"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n%s",
		s.from, to, mime.QEncoding.Encode("utf-8", subject), time.Now().Format(time.RFC1123Z),
		strings.ReplaceAll(body, "\n", "\r\n"))
	if _, err := w.Write([]byte(msg)); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// Outbox is the store as the deliverer uses it.
type Outbox interface {
	UnsentMessages(ctx context.Context, limit int) ([]store.OutboxMessage, error)
	MarkSent(ctx context.Context, id int64, sendErr error, now time.Time) error
}

// DeliverOnce sends the messages waiting in the outbox and records each outcome; it
// returns how many were sent.
func DeliverOnce(ctx context.Context, o Outbox, s *Sender) (int, error) {
	msgs, err := o.UnsentMessages(ctx, 100)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, m := range msgs {
		err := s.Send(ctx, m.Recipient, m.Subject, m.Body)
		if merr := o.MarkSent(ctx, m.ID, err, time.Now()); merr != nil {
			return sent, merr
		}
		if err == nil {
			sent++
		}
	}
	return sent, nil
}

// Deliver runs DeliverOnce every interval until ctx ends.
func Deliver(ctx context.Context, o Outbox, s *Sender, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := DeliverOnce(ctx, o, s); err != nil && ctx.Err() == nil {
			log.Warn("mail delivery", "err", err)
		} else if n > 0 {
			log.Info("mail delivered", "messages", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
