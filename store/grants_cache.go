package store

import (
	"context"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"sesam/access"
)

// grantTTL is how long a reading of a person's grants serves. A grant made through
// this process is seen at once; one made by another process (another portal instance)
// within grantTTL, as for the tenant table. Grants are only ever added (a decision)
// and end on their day, which the scope checks against today on every request; a
// revocation by hand in SQL shows within grantTTL too.
const grantTTL = time.Second

// grantWrites counts the grant writes of this process: a reading older than the last
// one is read again.
var grantWrites atomic.Int64

// grantChanged makes every grant cache of this process read the table again.
func grantChanged() { grantWrites.Add(1) }

// maxGrantCache bounds the cache: past it, the readings are dropped and start again.
const maxGrantCache = 10_000

// grantCache keeps each person's grants as last read: a staff search asked for them
// on every request (one round trip to PostgreSQL for, nearly always, no rows).
type grantCache struct {
	mu sync.Mutex
	m  map[string]grantReading
}

type grantReading struct {
	at     time.Time
	writes int64
	grants []access.Grant
}

// GrantsOf lists the grants made to a principal (by subject or e-mail), still running
// or not: the scope keeps those running today. The slice is the caller's.
func (s *Store) GrantsOf(ctx context.Context, p access.Principal) ([]access.Grant, error) {
	if p.Public() {
		return nil, nil
	}
	key := p.Subject + "\x00" + strings.ToLower(p.Email)
	c := &s.grants
	w := grantWrites.Load()
	c.mu.Lock()
	r, ok := c.m[key]
	c.mu.Unlock()
	if ok && r.writes == w && time.Since(r.at) < grantTTL {
		return slices.Clone(r.grants), nil
	}
	at := time.Now()
	gs, err := s.readGrants(ctx, p)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxGrantCache {
		c.m = map[string]grantReading{}
	}
	c.m[key] = grantReading{at: at, writes: w, grants: gs}
	c.mu.Unlock()
	return slices.Clone(gs), nil
}
