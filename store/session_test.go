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
	t.Cleanup(func() { st.Pool().Exec(ctx, `DELETE FROM session WHERE subject = 'sub-seen'`) })
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

// TestSessionCache: two portals (two stores on one database), each keeping the
// sessions it read while it listens. A logout on one ends the session on the other at
// once (within the notification's delay, far below the cache's lifetime); a session
// expires on its time, cached or not; and a portal whose listener is lost reads the
// table again: a session deleted behind its back is refused at once.
func TestSessionCache(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	open := func() *store.Store {
		s := secondStore(t)
		go s.ListenSessions(ctx)
		return s
	}
	one, two := open(), open()
	now := time.Now().Truncate(time.Microsecond)
	t.Cleanup(func() { st.Pool().Exec(context.Background(), `DELETE FROM session WHERE subject LIKE 'sub-cache-%'`) })
	for _, tok := range []string{"cache-a", "cache-b", "cache-c"} {
		if err := one.CreateSession(ctx, tok, store.Session{Subject: "sub-" + tok, ExpiresAt: now.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	name := func(s *store.Store, tok string) (string, error) {
		got, err := s.SessionByToken(ctx, tok, now)
		if err != nil {
			return "", err
		}
		return got.Name, nil
	}
	rename := func(tok, to string) {
		t.Helper()
		if _, err := st.Pool().Exec(ctx, `UPDATE session SET name = $1 WHERE subject = $2`, to, "sub-"+tok); err != nil {
			t.Fatal(err)
		}
	}
	// Both listen once a session renamed behind their backs keeps its cached name.
	within(t, 5*time.Second, "the caches serve", func() bool {
		for _, s := range []*store.Store{one, two} {
			rename("cache-a", "read")
			if n, err := name(s, "cache-a"); err != nil || n != "read" {
				return false
			}
			rename("cache-a", "renamed")
			if n, err := name(s, "cache-a"); err != nil || n != "read" {
				return false
			}
		}
		return true
	})
	for _, s := range []*store.Store{one, two} {
		if _, err := name(s, "cache-b"); err != nil {
			t.Fatal(err)
		}
	}
	if err := one.DeleteSession(ctx, "cache-b"); err != nil {
		t.Fatal(err)
	}
	if _, err := name(one, "cache-b"); !errors.Is(err, sesam.ErrNotFound) {
		t.Errorf("the portal that logged out still finds the session: %v", err)
	}
	within(t, 5*time.Second, "the other portal forgets the session logged out", func() bool {
		_, err := name(two, "cache-b")
		return errors.Is(err, sesam.ErrNotFound)
	})
	if _, err := two.SessionByToken(ctx, "cache-a", now.Add(2*time.Hour)); !errors.Is(err, sesam.ErrNotFound) {
		t.Errorf("a cached session is found past its expiry: %v", err)
	}
	// The listener of two is cut: it must stop trusting what it read.
	if _, err := name(two, "cache-c"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Pool().Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND query = 'LISTEN `+store.SessionChannel+`'`); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Pool().Exec(ctx, `DELETE FROM session WHERE subject = 'sub-cache-c'`); err != nil {
		t.Fatal(err)
	}
	// Sooner than the listener is back (3 s), which would empty the cache anyway.
	within(t, 2*time.Second, "a portal whose listener is lost reads the table", func() bool {
		_, err := name(two, "cache-c")
		return errors.Is(err, sesam.ErrNotFound)
	})
}
