// Package index is sesam's search: a Bleve index of archive units (one document per
// unit, with the text of its PDFs page by page), kept fresh from the store's change feed,
// searched through a query language with French analysis, facets, a year histogram and
// the security filter of the principal's access scope.
//
// The index is a cache: the store is the truth. Each portal instance keeps its own under
// its data directory; a rebuild writes a fresh generation beside the live one and swaps
// it in while searches go on.
package index

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	bbolt "go.etcd.io/bbolt"

	"sesam/access"
)

// seqKey is where a generation keeps the last change-feed sequence it applied.
var seqKey = []byte("sesam_seq")

// currentFile names the live generation inside the index directory.
const currentFile = "CURRENT"

// Index is the live index of one portal instance.
type Index struct {
	dir string

	mu  sync.RWMutex // searches read-lock; a swap write-locks
	gen *generation

	syncMu sync.Mutex // one catch-up at a time
}

// generation is one built index directory.
type generation struct {
	name string
	idx  bleve.Index
	base int          // writeDay when the generation was created: no unit was written before
	last atomic.Int64 // latest writeDay of a write (see onlineQuery)

	now func() time.Time // the clock of writes; nil: time.Now (tests set it)

	cols *columnCache // facet and sort columns of its segments

	writes atomic.Uint64 // batches written since it was opened (see Version)
}

// Version names what the index holds: it changes with every batch written and every
// generation swapped in. What is read from the store beside a search (the titles of a
// breadcrumb) may be kept while the version stays: it is then as fresh as the hits.
type Version struct {
	gen    string // the generation's name (unique in the directory)
	writes uint64
}

// Version is the live generation's version.
func (ix *Index) Version() Version {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.gen == nil {
		return Version{}
	}
	return Version{ix.gen.name, ix.gen.writes.Load()}
}

// indexFormat names the mapping; an index of another format is rebuilt at start-up.
const indexFormat = "6"

// Internal keys of a generation besides seqKey.
var (
	formatKey  = []byte("sesam_format")
	baseKey    = []byte("sesam_base_day")
	writtenKey = []byte("sesam_written_day")
)

// errFormat says a generation was written by a build with another mapping.
var errFormat = errors.New("index of another format")

// writeDay is the day a write at t stands for, with a day of margin for the clocks
// of several instances: a unit whose online day is at most this day is flagged online.
func writeDay(t time.Time) int { return access.Today(t.Add(-24 * time.Hour)) }

// loadGeneration reads a generation's format and days.
func loadGeneration(name string, idx bleve.Index) (*generation, error) {
	g := &generation{name: name, idx: idx, cols: newColumnCache()}
	if f, err := idx.GetInternal(formatKey); err != nil || string(f) != indexFormat {
		return nil, fmt.Errorf("%s: %w %q (this build writes %q)", name, errFormat, f, indexFormat)
	}
	days := make([]int, 2)
	for i, k := range [][]byte{baseKey, writtenKey} {
		b, err := idx.GetInternal(k)
		if err != nil {
			return nil, err
		}
		if len(b) > 0 {
			if days[i], err = strconv.Atoi(string(b)); err != nil {
				return nil, fmt.Errorf("%s: %s: %w", name, k, err)
			}
		}
	}
	g.base = days[0]
	g.last.Store(int64(days[1]))
	return g, nil
}

// ErrLocked says another process (a running `sesam serve`) has the index open.
var ErrLocked = errors.New("the index is open in another process")

// lockWait is how long Open waits for another process to let go of the index.
const lockWait = 3 * time.Second

// Open opens the live generation under dir. When there is none, or it cannot be
// opened (corrupt, from an incompatible build), it starts an empty one and reports
// fresh = true: the caller rebuilds it from the store. An index held by another
// process is ErrLocked (not corrupt: it is left alone).
func Open(dir string) (ix *Index, fresh bool, err error) {
	if err := ensureAnalysis(); err != nil {
		return nil, false, err
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, false, fmt.Errorf("index directory: %w", err)
	}
	ix = &Index{dir: dir}
	name, err := readCurrent(dir)
	if err == nil {
		idx, oerr := openGeneration(filepath.Join(dir, name))
		if oerr == nil {
			g, lerr := loadGeneration(name, idx)
			if lerr == nil {
				ix.gen = g
				return ix, false, nil
			}
			idx.Close() // another format: rebuilt below like a corrupt one
		}
		if errors.Is(oerr, ErrLocked) {
			return nil, false, oerr
		}
	}
	gen, err2 := newGeneration(dir)
	if err2 != nil {
		return nil, false, err2
	}
	if err := writeCurrent(dir, gen.name); err != nil {
		gen.idx.Close()
		return nil, false, err
	}
	ix.gen = gen
	ix.removeOthers()
	return ix, true, nil
}

// openGeneration opens a generation's Bleve index, waiting a little for its lock.
//
// Batches are "unsafe": a batch returns once searchable, and scorch persists it in the
// background, instead of waiting for each batch's fsync (a rebuild of 10,000 units
// spent three quarters of its time waiting for the disk). The index is a cache: after
// a crash, the persisted state holds a prefix of the batches, each with the change-feed
// sequence it applied, and the feed brings it up to date again.
func openGeneration(path string) (bleve.Index, error) {
	idx, err := bleve.OpenUsing(path, map[string]interface{}{"bolt_timeout": lockWait.String(), "unsafe_batch": true})
	if errors.Is(err, bbolt.ErrTimeout) {
		return nil, fmt.Errorf("%s: %w", path, ErrLocked)
	}
	return idx, err
}

func readCurrent(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, currentFile))
	if err != nil {
		return "", err
	}
	name := strings.TrimSpace(string(b))
	if !strings.HasPrefix(name, "gen-") || strings.ContainsAny(name, `/\`) {
		return "", fmt.Errorf("index: bad %s %q", currentFile, name)
	}
	return name, nil
}

// writeCurrent points the directory at a generation, atomically.
func writeCurrent(dir, name string) error {
	tmp := filepath.Join(dir, currentFile+".tmp")
	if err := os.WriteFile(tmp, []byte(name+"\n"), 0o640); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, currentFile))
}

// newGenerationConfig is more scorch configuration for new generations (tests keep
// segments apart with it).
var newGenerationConfig map[string]interface{}

// newGeneration creates an empty index in a new directory beside the others.
func newGeneration(dir string) (*generation, error) {
	m, err := newMapping()
	if err != nil {
		return nil, err
	}
	name := "gen-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	config := map[string]interface{}{"unsafe_batch": true}
	for k, v := range newGenerationConfig {
		config[k] = v
	}
	idx, err := bleve.NewUsing(filepath.Join(dir, name), m, scorch.Name, scorch.Name, config)
	if err != nil {
		return nil, fmt.Errorf("create index: %w", err)
	}
	g := &generation{name: name, idx: idx, base: writeDay(time.Now()), cols: newColumnCache()}
	b := idx.NewBatch()
	b.SetInternal(formatKey, []byte(indexFormat))
	b.SetInternal(baseKey, []byte(strconv.Itoa(g.base)))
	if err := idx.Batch(b); err != nil {
		idx.Close()
		return nil, fmt.Errorf("create index: %w", err)
	}
	return g, nil
}

// Close closes the live generation.
func (ix *Index) Close() error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.gen == nil {
		return nil
	}
	err := closeFlushed(ix.gen.idx)
	ix.gen = nil
	return err
}

// read runs fn on the live generation, which cannot be swapped out meanwhile.
func (ix *Index) read(fn func(g *generation) error) error {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.gen == nil {
		return errors.New("index is closed")
	}
	return fn(ix.gen)
}

// Seq is the last change-feed sequence the live generation applied.
func (ix *Index) Seq() (int64, error) {
	var seq int64
	err := ix.read(func(g *generation) error {
		var err error
		seq, err = g.seq()
		return err
	})
	return seq, err
}

func (g *generation) seq() (int64, error) {
	b, err := g.idx.GetInternal(seqKey)
	if err != nil || len(b) == 0 {
		return 0, err
	}
	return strconv.ParseInt(string(b), 10, 64)
}

// DocCount is the number of units in the live generation.
func (ix *Index) DocCount() (uint64, error) {
	var n uint64
	err := ix.read(func(g *generation) error {
		var err error
		n, err = g.idx.DocCount()
		return err
	})
	return n, err
}

// Generation names the live generation.
func (ix *Index) Generation() string {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.gen == nil {
		return ""
	}
	return ix.gen.name
}

// swap makes gen the live generation and closes the old one once no search uses it.
func (ix *Index) swap(gen *generation) error {
	if err := writeCurrent(ix.dir, gen.name); err != nil {
		return err
	}
	ix.mu.Lock()
	old := ix.gen
	ix.gen = gen
	ix.mu.Unlock()
	if old != nil {
		old.idx.Close()
	}
	ix.removeOthers()
	return nil
}

// reloadIfMoved follows CURRENT when another process (sesam reindex) pointed it at a
// new generation. It reports whether it swapped.
func (ix *Index) reloadIfMoved() (bool, error) {
	name, err := readCurrent(ix.dir)
	if err != nil || name == ix.Generation() {
		return false, err
	}
	idx, err := openGeneration(filepath.Join(ix.dir, name))
	if err != nil {
		return false, fmt.Errorf("open generation %s: %w", name, err)
	}
	g, err := loadGeneration(name, idx)
	if err != nil {
		idx.Close()
		return false, fmt.Errorf("open generation %s: %w", name, err)
	}
	return true, ix.swap(g)
}

// removeOthers deletes generations that are neither live nor being built. A build
// marks its generation with a "<name>.building" file it touches as it goes; a mark
// older than an hour is a build that died.
func (ix *Index) removeOthers() {
	live := ix.Generation()
	entries, _ := os.ReadDir(ix.dir)
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), "gen-") || e.Name() == live {
			continue
		}
		mark := filepath.Join(ix.dir, e.Name()+buildingSuffix)
		if info, err := os.Stat(mark); err == nil && time.Since(info.ModTime()) < time.Hour {
			continue
		}
		os.RemoveAll(filepath.Join(ix.dir, e.Name()))
		os.Remove(mark)
	}
}

const buildingSuffix = ".building"

// snapshot opens a reader of the generation's index as it is now; the caller closes it.
func (g *generation) snapshot() (*scorch.IndexSnapshot, error) {
	adv, err := g.idx.Advanced()
	if err != nil {
		return nil, err
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, err
	}
	is, err := scorchSnapshot(r)
	if err != nil {
		r.Close()
	}
	return is, err
}

// hasTerm says whether some unit of the live generation has this term in field.
func (g *generation) hasTerm(field, term string) bool {
	r, err := g.snapshot()
	if err != nil {
		return true // let the query decide
	}
	defer r.Close()
	tfr, err := r.TermFieldReader(context.Background(), []byte(term), field, false, false, false)
	if err != nil {
		return true
	}
	defer tfr.Close()
	return tfr.Count() > 0
}
