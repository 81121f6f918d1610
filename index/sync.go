package index

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"

	"sesam/store"
)

// Source is the store as the index reads it.
type Source interface {
	Changes(ctx context.Context, after int64, limit int) ([]store.Change, error)
	LastSeq(ctx context.Context) (int64, error)
	IndexUnits(ctx context.Context, ids []int64) ([]*store.IndexUnit, error)
	UnitIDs(ctx context.Context, after int64, limit int) ([]int64, error)
	Listen(ctx context.Context, wake chan<- struct{})
}

// batchSize is how many units are written per Bleve batch.
const batchSize = 500

// CatchUp applies the change feed after the live generation's sequence until there is
// nothing left, and returns how many changes it applied.
func (ix *Index) CatchUp(ctx context.Context, src Source) (int, error) {
	ix.syncMu.Lock()
	defer ix.syncMu.Unlock()
	ix.mu.RLock()
	gen := ix.gen
	ix.mu.RUnlock()
	if gen == nil {
		return 0, fmt.Errorf("index is closed")
	}
	return gen.catchUp(ctx, src)
}

// catchUp applies the feed to one generation; callers serialise it (syncMu for the live
// one; a generation being built is seen by nobody else).
func (g *generation) catchUp(ctx context.Context, src Source) (int, error) {
	applied := 0
	for {
		seq, err := g.seq()
		if err != nil {
			return applied, err
		}
		changes, err := src.Changes(ctx, seq, batchSize)
		if err != nil || len(changes) == 0 {
			return applied, err
		}
		ids := make([]int64, 0, len(changes))
		seen := map[int64]bool{}
		for _, c := range changes {
			if !seen[c.UnitID] {
				seen[c.UnitID] = true
				ids = append(ids, c.UnitID)
			}
		}
		if err := g.apply(ctx, src, ids, changes[len(changes)-1].Seq); err != nil {
			return applied, err
		}
		applied += len(changes)
	}
}

// apply indexes the current state of these units (deleting those gone from the store)
// and records seq, in one batch.
func (g *generation) apply(ctx context.Context, src Source, ids []int64, seq int64) error {
	units, err := src.IndexUnits(ctx, ids)
	if err != nil {
		return err
	}
	found := make(map[int64]bool, len(units))
	for _, u := range units {
		found[u.Unit.ID] = true
	}
	var gone []int64
	for _, id := range ids {
		if !found[id] {
			gone = append(gone, id)
		}
	}
	return g.write(units, gone, seq)
}

// write indexes units, deletes the gone ones and records seq (when > 0), in one batch.
func (g *generation) write(units []*store.IndexUnit, gone []int64, seq int64) error {
	b := g.idx.NewBatch()
	now := time.Now
	if g.now != nil {
		now = g.now
	}
	day := writeDay(now())
	if int64(day) > g.last.Load() {
		b.SetInternal(writtenKey, []byte(strconv.Itoa(day)))
	}
	for _, u := range units {
		if err := b.Index(strconv.FormatInt(u.Unit.ID, 10), docOf(u, day)); err != nil {
			return fmt.Errorf("index unit %d: %w", u.Unit.ID, err)
		}
	}
	for _, id := range gone {
		b.Delete(strconv.FormatInt(id, 10))
	}
	if seq > 0 {
		b.SetInternal(seqKey, []byte(strconv.FormatInt(seq, 10)))
	}
	// Before the batch, which searches see as soon as it is applied: a reading of the
	// store kept under the old version is never served beside the new hits.
	g.writes.Add(1)
	if err := g.idx.Batch(b); err != nil {
		return err
	}
	for last := g.last.Load(); int64(day) > last && !g.last.CompareAndSwap(last, int64(day)); last = g.last.Load() {
	}
	return nil
}

// Build writes a fresh generation from every unit of the store beside the live one,
// brings it up to date with the feed, and points the directory at it. A portal serving
// from dir picks it up (Follow); in-process callers use Rebuild, which also swaps.
func Build(ctx context.Context, dir string, src Source, progress func(done int)) (string, error) {
	if err := ensureAnalysis(); err != nil {
		return "", err
	}
	gen, err := buildGeneration(ctx, dir, src, progress)
	if err != nil {
		return "", err
	}
	name := gen.name
	if err := closeFlushed(gen.idx); err != nil {
		return "", err
	}
	if err := writeCurrent(dir, name); err != nil {
		return "", err
	}
	os.Remove(filepath.Join(dir, name+buildingSuffix))
	return name, nil
}

// Rebuild builds a fresh generation and swaps it in while searches continue.
func (ix *Index) Rebuild(ctx context.Context, src Source, progress func(done int)) error {
	gen, err := buildGeneration(ctx, ix.dir, src, progress)
	if err != nil {
		return err
	}
	// Changes that came in during the build: apply them before the swap.
	if _, err := gen.catchUp(ctx, src); err != nil {
		gen.idx.Close()
		return err
	}
	defer os.Remove(filepath.Join(ix.dir, gen.name+buildingSuffix))
	return ix.swap(gen)
}

func buildGeneration(ctx context.Context, dir string, src Source, progress func(done int)) (*generation, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	gen, err := newGeneration(dir)
	if err != nil {
		return nil, err
	}
	mark := filepath.Join(dir, gen.name+buildingSuffix)
	fail := func(err error) (*generation, error) {
		gen.idx.Close()
		os.RemoveAll(filepath.Join(dir, gen.name))
		os.Remove(mark)
		return nil, err
	}
	if err := os.WriteFile(mark, nil, 0o640); err != nil {
		return fail(err)
	}
	// Everything up to start is read below; what comes after is caught up from the feed.
	start, err := src.LastSeq(ctx)
	if err != nil {
		return fail(err)
	}
	// The store is read one batch ahead of the index: reading (PostgreSQL, decoding)
	// and indexing then use both cores.
	lctx, stop := context.WithCancel(ctx)
	defer stop()
	batches := make(chan loadedBatch, 2)
	go loadUnits(lctx, src, batches)
	done := 0
	for lb := range batches {
		if lb.err != nil {
			return fail(lb.err)
		}
		if err := gen.write(lb.units, nil, 0); err != nil {
			return fail(err)
		}
		done += lb.n
		if progress != nil {
			progress(done)
		}
		now := time.Now()
		os.Chtimes(mark, now, now)
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	if err := gen.idx.SetInternal(seqKey, []byte(strconv.FormatInt(start, 10))); err != nil {
		return fail(err)
	}
	if _, err := gen.catchUp(ctx, src); err != nil {
		return fail(err)
	}
	if err := compact(ctx, gen.idx); err != nil {
		return fail(err)
	}
	return gen, nil
}

// loadedBatch is a batch of units read for a build: n ids, of which units still exist.
type loadedBatch struct {
	n     int
	units []*store.IndexUnit
	err   error
}

// loadUnits reads every unit of the store in id order, batch by batch, until the end,
// an error (sent as the last batch) or ctx's end; then it closes out.
func loadUnits(ctx context.Context, src Source, out chan<- loadedBatch) {
	defer close(out)
	for after := int64(0); ; {
		ids, err := src.UnitIDs(ctx, after, batchSize)
		if err == nil && len(ids) == 0 {
			return
		}
		var lb loadedBatch
		if err == nil {
			lb.n = len(ids)
			lb.units, err = src.IndexUnits(ctx, ids)
			after = ids[len(ids)-1]
		}
		lb.err = err
		select {
		case out <- lb:
		case <-ctx.Done():
			return
		}
		if err != nil {
			return
		}
	}
}

// compact merges a new generation's segments into one before it goes live. Batches
// leave a dozen segments that the merger would otherwise rewrite while the portal
// serves, and a search visits every segment: on 100,000 units an exact cote took
// 1.5–2 ms over 12 segments and 0.45 ms over one, and searches during the background
// merges were several times slower still. A reindex is rare; it pays this once.
func compact(ctx context.Context, idx bleve.Index) error {
	adv, err := idx.Advanced()
	if err != nil {
		return err
	}
	s, ok := adv.(*scorch.Scorch)
	if !ok {
		return nil
	}
	// A merge task takes at most SegmentsPerMergeTask segments, and segments still in
	// memory are persisted first: merge again until one file segment is left.
	for range 20 {
		if err := flush(ctx, s); err != nil {
			return err
		}
		if n(s.StatsMap()["num_root_filesegments"]) <= 1 {
			return nil
		}
		if err := s.ForceMerge(ctx, &mergeplan.SingleSegmentMergePlanOptions); err != nil {
			return err
		}
	}
	return flush(ctx, s)
}

// flush waits until scorch has written every batch to disk: batches are unsafe (see
// openGeneration) and Close does not write what is left in memory.
func flush(ctx context.Context, s *scorch.Scorch) error {
	for {
		st := s.StatsMap()
		if n(st["num_root_memorysegments"]) == 0 && n(st["LastPersistedEpoch"]) >= n(st["CurRootEpoch"]) {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// closeFlushed closes a generation's index once what it was given is on disk (within a
// time limit: a live index that cannot flush is still closed; the feed redoes the rest).
func closeFlushed(idx bleve.Index) error {
	if adv, err := idx.Advanced(); err == nil {
		if s, ok := adv.(*scorch.Scorch); ok {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			flush(ctx, s)
			cancel()
		}
	}
	return idx.Close()
}

// n reads a scorch counter.
func n(v any) uint64 { u, _ := v.(uint64); return u }

// Follow keeps the index fresh until ctx ends: it catches up when the store notifies a
// change, and at least every sweep (a missed notification only delays). It also picks
// up a generation that `sesam reindex` built from another process. Errors go to onErr
// and are retried at the next wake-up.
func (ix *Index) Follow(ctx context.Context, src Source, sweep time.Duration, onErr func(error)) {
	wake := make(chan struct{}, 1)
	go src.Listen(ctx, wake)
	tick := time.NewTicker(sweep)
	defer tick.Stop()
	for {
		if ix.lost() {
			onErr(fmt.Errorf("index generation %s is gone from %s: rebuilding", ix.Generation(), ix.dir))
			if err := ix.Rebuild(ctx, src, nil); err != nil {
				onErr(err)
			}
		} else if _, err := ix.reloadIfMoved(); err != nil {
			onErr(err)
		}
		if _, err := ix.CatchUp(ctx, src); err != nil && ctx.Err() == nil {
			onErr(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-tick.C:
		}
	}
}

// lost reports that the live generation's directory has disappeared (removed by hand,
// a lost disk): the index is a cache, so it is rebuilt from the store.
func (ix *Index) lost() bool {
	name := ix.Generation()
	if name == "" {
		return false
	}
	_, err := os.Stat(filepath.Join(ix.dir, name))
	return os.IsNotExist(err)
}

// Lag is how many feed entries the index has not applied yet.
func (ix *Index) Lag(ctx context.Context, src Source) (int64, error) {
	last, err := src.LastSeq(ctx)
	if err != nil {
		return 0, err
	}
	seq, err := ix.Seq()
	return max(last-seq, 0), err
}
