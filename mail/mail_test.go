package mail

import (
	"bufio"
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"sesam/store"
)

// sink is a small SMTP server that keeps what it receives (the test's "local SMTP
// sink"); it speaks just enough of RFC 5321 for net/smtp.
type sink struct {
	ln   net.Listener
	mu   sync.Mutex
	msgs []string
	rcpt []string
}

func newSink(t *testing.T) *sink {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &sink{ln: ln}
	go s.serve()
	t.Cleanup(func() { ln.Close() })
	return s
}

func (s *sink) serve() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		go s.session(c)
	}
}

func (s *sink) session(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	say := func(l string) { c.Write([]byte(l + "\r\n")) }
	say("220 sink ready")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			say("250 sink")
		case strings.HasPrefix(cmd, "MAIL FROM"):
			say("250 ok")
		case strings.HasPrefix(cmd, "RCPT TO"):
			if strings.Contains(cmd, "REFUSE") {
				say("550 no such user")
				continue
			}
			s.mu.Lock()
			s.rcpt = append(s.rcpt, strings.TrimSpace(line[8:]))
			s.mu.Unlock()
			say("250 ok")
		case cmd == "DATA":
			say("354 go ahead")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil || l == ".\r\n" {
					break
				}
				b.WriteString(l)
			}
			s.mu.Lock()
			s.msgs = append(s.msgs, b.String())
			s.mu.Unlock()
			say("250 queued")
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("250 ok")
		}
	}
}

// fakeOutbox is an outbox in memory.
type fakeOutbox struct {
	msgs   []store.OutboxMessage
	sent   map[int64]bool
	failed map[int64]string
}

func (f *fakeOutbox) UnsentMessages(context.Context, int) ([]store.OutboxMessage, error) {
	var out []store.OutboxMessage
	for _, m := range f.msgs {
		if !f.sent[m.ID] {
			out = append(out, m)
		}
	}
	return out, nil
}

func (f *fakeOutbox) MarkSent(_ context.Context, id int64, err error, _ time.Time) error {
	if err != nil {
		f.failed[id] = err.Error()
		return nil
	}
	f.sent[id] = true
	return nil
}

func TestDeliverToSMTP(t *testing.T) {
	s := newSink(t)
	sender, err := NewSender("smtp://" + s.ln.Addr().String() + "?from=archives@cdg62.fr")
	if err != nil {
		t.Fatal(err)
	}
	o := &fakeOutbox{sent: map[int64]bool{}, failed: map[int64]string{}, msgs: []store.OutboxMessage{
		{ID: 1, Recipient: "camille@exemple.fr", Subject: "Décision sur votre demande n° 7", Body: "Bonjour Camille,\nvotre demande est accordée."},
		{ID: 2, Recipient: "refuse@exemple.fr", Subject: "x", Body: "y"},
	}}
	n, err := DeliverOnce(context.Background(), o, sender)
	if err != nil || n != 1 {
		t.Fatalf("delivered %d, %v; want 1", n, err)
	}
	if !o.sent[1] || o.sent[2] || !strings.Contains(o.failed[2], "550") {
		t.Errorf("outcomes: sent %v, failed %v", o.sent, o.failed)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.msgs) != 1 || !strings.Contains(s.msgs[0], "Subject: =?utf-8?q?D=C3=A9cision") ||
		!strings.Contains(s.msgs[0], "votre demande est accordée.") || !strings.Contains(s.msgs[0], "To: camille@exemple.fr") {
		t.Errorf("message received: %q", s.msgs)
	}
	// A second pass sends nothing more.
	if n, _ := DeliverOnce(context.Background(), o, sender); n != 0 {
		t.Errorf("second pass sent %d", n)
	}
}

func TestSenderURL(t *testing.T) {
	for _, bad := range []string{"", "http://x", "smtp://host:25", "smtp:///?from=a@b"} {
		if _, err := NewSender(bad); err == nil {
			t.Errorf("NewSender(%q) accepted", bad)
		}
	}
	down := &Sender{addr: "127.0.0.1:1", host: "127.0.0.1", from: "a@b"}
	if err := down.Send(context.Background(), "x@y", "s", "b"); err == nil || errors.Is(err, context.Canceled) {
		t.Errorf("send to a closed port: %v", err)
	}
}
