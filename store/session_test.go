package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"sesam"
	"sesam/store"
)

// TestSessionSeen: a session is found by its token until it expires, and says when its
// person was last active to the minute without a write on every request.
func TestSessionSeen(t *testing.T) {
	ctx := context.Background()
	now := time.Now().Truncate(time.Microsecond)
	if err := st.CreateSession(ctx, "token-seen", store.Session{Subject: "sub-seen", Email: "seen@example.fr",
		ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	lastSeen := func() time.Time {
		t.Helper()
		var at time.Time
		if err := st.Pool().QueryRow(ctx, `SELECT last_seen FROM session WHERE subject = 'sub-seen'`).Scan(&at); err != nil {
			t.Fatal(err)
		}
		return at
	}
	created := lastSeen()
	for _, c := range []struct {
		at   time.Time
		want time.Time
	}{
		{now.Add(10 * time.Second), created},                 // within the minute: not written
		{now.Add(2 * time.Minute), now.Add(2 * time.Minute)}, // later: written
		{now.Add(2*time.Minute + 30*time.Second), now.Add(2 * time.Minute)},
		{now.Add(4 * time.Minute), now.Add(4 * time.Minute)},
	} {
		s, err := st.SessionByToken(ctx, "token-seen", c.at)
		if err != nil || s.Subject != "sub-seen" {
			t.Fatalf("at %s: %+v, %v", c.at, s, err)
		}
		if got := lastSeen(); !got.Equal(c.want) {
			t.Errorf("seen at %s: last_seen %s, want %s", c.at.Format(time.TimeOnly), got.Format(time.TimeOnly), c.want.Format(time.TimeOnly))
		}
	}
	if _, err := st.SessionByToken(ctx, "token-seen", now.Add(2*time.Hour)); !errors.Is(err, sesam.ErrNotFound) {
		t.Errorf("an expired session is found: %v", err)
	}
	if _, err := st.SessionByToken(ctx, "token-other", now); !errors.Is(err, sesam.ErrNotFound) {
		t.Errorf("an unknown token is found: %v", err)
	}
}
