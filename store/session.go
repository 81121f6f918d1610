package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"sesam"
)

// Session is a logged-in person's portal session.
type Session struct {
	Subject   string
	Email     string
	Name      string
	Groups    []string
	CSRF      string
	IDToken   string
	CreatedAt time.Time
	ExpiresAt time.Time
}

func tokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// CreateSession stores a session under a new token (the cookie's value).
func (s *Store) CreateSession(ctx context.Context, token string, sess Session) error {
	groups := sess.Groups
	if groups == nil {
		groups = []string{}
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO session (token_sha256, subject, email, name, groups, csrf, id_token, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		tokenHash(token), sess.Subject, sess.Email, sess.Name, groups, sess.CSRF, sess.IDToken, sess.ExpiresAt)
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// seenEvery is how stale a session's last_seen may grow: it says when the person was
// last active, to the minute, without a write (and its flush to disk) on every request.
const seenEvery = time.Minute

// SessionByToken returns the live session of a token (ErrNotFound when unknown or
// expired) and marks it seen (at most every seenEvery).
func (s *Store) SessionByToken(ctx context.Context, token string, now time.Time) (*Session, error) {
	hash := tokenHash(token)
	r, ok, gen := s.sessions.get(hash, now)
	if !ok {
		r = sessionReading{at: now}
		err := s.pool.QueryRow(ctx, `SELECT subject, email, name, groups, csrf, id_token, created_at, expires_at, last_seen
		FROM session WHERE token_sha256 = $1 AND expires_at > $2`, hash, now).
			Scan(&r.s.Subject, &r.s.Email, &r.s.Name, &r.s.Groups, &r.s.CSRF, &r.s.IDToken, &r.s.CreatedAt, &r.s.ExpiresAt, &r.seen)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, fmt.Errorf("session: %w", sesam.ErrNotFound)
		}
		if err != nil {
			return nil, fmt.Errorf("session: %w", err)
		}
		s.sessions.put(hash, r, gen)
	}
	if now.Sub(r.seen) >= seenEvery {
		// A note of activity that cannot be written does not refuse a valid session.
		if _, err := s.pool.Exec(ctx, `UPDATE session SET last_seen = $2 WHERE token_sha256 = $1 AND last_seen < $2`, hash, now); err == nil {
			s.sessions.seen(hash, now)
		}
	}
	sess := r.s
	sess.Groups = slices.Clone(r.s.Groups)
	return &sess, nil
}

// DeleteSession ends a session, in every portal's cache too (SessionChannel).
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	hash := tokenHash(token)
	_, err := s.pool.Exec(ctx, `WITH gone AS (DELETE FROM session WHERE token_sha256 = $1 RETURNING token_sha256)
		SELECT pg_notify('`+SessionChannel+`', token_sha256) FROM gone`, hash)
	if err == nil {
		s.sessions.drop(hash) // this process at once, before the notification comes back
	}
	return err
}

// DeleteExpiredSessions removes sessions and login states past their time.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM session WHERE expires_at <= $1;`, now)
	if err == nil {
		_, err = s.pool.Exec(ctx, `DELETE FROM login_state WHERE created_at < $1`, now.Add(-time.Hour))
	}
	return err
}

// LoginState is an OIDC login in flight.
type LoginState struct {
	Nonce    string
	Verifier string
	ReturnTo string
}

// SaveLoginState keeps a login's nonce and PKCE verifier under its state.
func (s *Store) SaveLoginState(ctx context.Context, state string, ls LoginState) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO login_state (state_sha256, nonce, verifier, return_to) VALUES ($1, $2, $3, $4)`,
		tokenHash(state), ls.Nonce, ls.Verifier, ls.ReturnTo)
	return err
}

// TakeLoginState returns and deletes a login state (it can be used once), if it is
// younger than maxAge.
func (s *Store) TakeLoginState(ctx context.Context, state string, maxAge time.Duration, now time.Time) (*LoginState, error) {
	var ls LoginState
	var created time.Time
	err := s.pool.QueryRow(ctx, `DELETE FROM login_state WHERE state_sha256 = $1 RETURNING nonce, verifier, return_to, created_at`,
		tokenHash(state)).Scan(&ls.Nonce, &ls.Verifier, &ls.ReturnTo, &created)
	if errors.Is(err, pgx.ErrNoRows) || err == nil && now.Sub(created) > maxAge {
		return nil, fmt.Errorf("login state: %w", sesam.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("login state: %w", err)
	}
	return &ls, nil
}
