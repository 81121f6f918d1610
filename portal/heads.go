package portal

import (
	"context"
	"sync"

	"sesam/index"
	"sesam/store"
)

// headReader reads the heads (title, rights' view) of units for breadcrumbs.
type headReader interface {
	UnitHeads(ctx context.Context, ids []int64) (map[int64]store.UnitHead, error)
}

// maxCachedHeads bounds the head cache: past it, the cache starts again.
const maxCachedHeads = 50_000

// headCache keeps the heads that search results' breadcrumbs name (a few fonds and
// series stand above most hits), so that a search does not ask PostgreSQL for them
// each time. It is emptied whenever the index changes: the store changes first and the
// index follows, so a kept head is never older than the hits it sits beside (a unit
// closed since shows its title only as long as the index still finds it). Pages of a
// unit read the store itself.
type headCache struct {
	st *store.Store
	ix *index.Index

	mu  sync.Mutex
	ver index.Version
	m   map[int64]store.UnitHead
}

func newHeadCache(st *store.Store, ix *index.Index) *headCache {
	return &headCache{st: st, ix: ix, m: map[int64]store.UnitHead{}}
}

// UnitHeads is store.UnitHeads, from the cache where it can.
func (c *headCache) UnitHeads(ctx context.Context, ids []int64) (map[int64]store.UnitHead, error) {
	ver := c.ix.Version()
	out := make(map[int64]store.UnitHead, len(ids))
	var missing []int64
	c.mu.Lock()
	if c.ver != ver {
		c.ver, c.m = ver, map[int64]store.UnitHead{}
	}
	for _, id := range ids {
		if h, ok := c.m[id]; ok {
			out[id] = h
		} else {
			missing = append(missing, id)
		}
	}
	c.mu.Unlock()
	if len(missing) == 0 {
		return out, nil
	}
	read, err := c.st.UnitHeads(ctx, missing)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	keep := c.ver == ver // read under the version still live: a change since has emptied the cache
	if keep && len(c.m)+len(read) > maxCachedHeads {
		c.m = map[int64]store.UnitHead{}
	}
	for id, h := range read {
		out[id] = h
		if keep {
			c.m[id] = h
		}
	}
	c.mu.Unlock()
	return out, nil
}
