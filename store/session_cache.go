package store

import (
	"context"
	"sync"
	"time"
)

// SessionChannel is notified, with the token's hash, when a session ends before its
// time (a logout): every portal drops it from its cache.
const SessionChannel = "sesam_session"

// sessionTTL bounds how long a session read from the table serves without reading it
// again, whatever the notifications say: a notification lost without the listener's
// connection being seen to drop is covered within it.
const sessionTTL = 10 * time.Second

// maxSessionCache bounds the cache: past it, the readings are dropped and start again.
const maxSessionCache = 10_000

// sessionCache keeps the sessions read lately: a logged-in person's every request read
// the table (a round trip, and at 16 clients a tenth of the portal's CPU and a quarter
// of PostgreSQL's on exact cotes). It is used only while ListenSessions listens on
// SessionChannel: a session deleted by any portal is dropped from every cache as its
// deletion commits. An expired session is refused on its expiry, cached or not.
type sessionCache struct {
	mu   sync.Mutex
	live bool   // the listener is connected: readings may be kept and served
	gen  uint64 // changes with every notification and every loss of the listener
	m    map[string]sessionReading
}

type sessionReading struct {
	at   time.Time // when it was read (the caller's clock)
	seen time.Time // last_seen, as last written
	s    Session
}

// get is the reading of a token's hash that may serve at now, and the cache's
// generation, which put must be given back (0 when the cache is not live).
func (c *sessionCache) get(hash string, now time.Time) (sessionReading, bool, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.live {
		return sessionReading{}, false, 0
	}
	r, ok := c.m[hash]
	if !ok || !now.Before(r.s.ExpiresAt) || now.Sub(r.at) >= sessionTTL || now.Before(r.at) {
		return sessionReading{}, false, c.gen
	}
	return r, true, c.gen
}

// put keeps a reading made while the cache was at generation gen: a notification
// since (the session may have been deleted after it was read) leaves it out.
func (c *sessionCache) put(hash string, r sessionReading, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.live || c.gen != gen {
		return
	}
	if c.m == nil || len(c.m) >= maxSessionCache {
		c.m = map[string]sessionReading{}
	}
	c.m[hash] = r
}

// seen notes that last_seen was written.
func (c *sessionCache) seen(hash string, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r, ok := c.m[hash]; ok {
		r.seen = at
		c.m[hash] = r
	}
}

// drop forgets a session.
func (c *sessionCache) drop(hash string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	delete(c.m, hash)
}

// setLive empties the cache and says whether it may serve from now on.
func (c *sessionCache) setLive(live bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.live = live
	clear(c.m)
}

// ListenSessions keeps this process's session cache in step with the table until ctx
// ends: the cache serves only while the listener is connected, from empty (a deletion
// before LISTEN was not heard), and is emptied when it is lost (the sessions are then
// read from the table until it is back).
func (s *Store) ListenSessions(ctx context.Context) {
	s.listen(ctx, SessionChannel, func() { s.sessions.setLive(true) }, s.sessions.drop, func() { s.sessions.setLive(false) })
}
