package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"sesam"
	"sesam/access"
)

// journalLock serialises appends to the journal across every process: the holder reads
// the head of the chain, inserts its entries after it and commits.
const journalLock = 0x5e5a_0006

// maxJournalField bounds each text field of an entry (a pasted search, a long reason):
// longer text is cut, so that one odd request cannot make its batch fail.
const maxJournalField = 64 << 10

// ErrJournalClosed is returned by Append after Close.
var ErrJournalClosed = errors.New("journal closed")

// JournalOptions tunes a Journal; the zero value gives the defaults.
type JournalOptions struct {
	MaxBatch int           // entries committed together at most (default 256)
	Timeout  time.Duration // the longest a batch may take to commit (default 10 s)
	// Clock is this process's clock, of which only the time elapsed between two
	// readings is used (tests set it off the database's); default time.Now.
	Clock func() time.Time
}

// Journal appends entries to the consultation journal. There is one per process: a
// single writer goroutine takes the appends that arrive while the previous batch is
// committing and commits them together (group commit), so the cross-process lock is
// taken once per batch, not once per entry, and the chain stays one line however many
// portal instances write to it.
type Journal struct {
	s    *Store
	opt  JournalOptions
	reqs chan *journalAppend
	done chan struct{}

	mu     sync.RWMutex // held for reading while sending on reqs; Close takes it to close reqs
	closed bool

	appended atomic.Int64
	failures atomic.Int64
	batches  atomic.Int64

	head *journalHead // the last entry the writer wrote, nil when unknown (writer only)
}

// journalHead is the last entry of the chain as a writer left it: the link of the next,
// and the database's clock as last read (db, at this process's local time).
type journalHead struct {
	seq       int64
	hash      []byte
	at        time.Time
	db, local time.Time
}

// clockReach is how long a reading of the database's clock serves to date entries: it
// is read again (with the head, two round trips) once it is older.
const clockReach = time.Minute

// next is the time of the entries to follow h: the database's clock as read, plus the
// time elapsed here since, never before h. ok is false when the reading is too old.
func (h *journalHead) next(local time.Time) (time.Time, bool) {
	elapsed := local.Sub(h.local)
	if elapsed < 0 || elapsed > clockReach {
		return time.Time{}, false
	}
	at := h.db.Add(elapsed).UTC().Truncate(time.Microsecond)
	if at.Before(h.at) {
		at = h.at
	}
	return at, true
}

// journalAppend is one caller waiting for its entry to be committed.
type journalAppend struct {
	ctx    context.Context
	e      access.JournalEntry
	result chan journalResult // buffered: the writer never waits for a caller
}

type journalResult struct {
	e   access.JournalEntry
	err error
}

// NewJournal starts the journal's writer. Close stops it.
func NewJournal(s *Store, opt JournalOptions) *Journal {
	if opt.MaxBatch <= 0 {
		opt.MaxBatch = 256
	}
	if opt.Timeout <= 0 {
		opt.Timeout = 10 * time.Second
	}
	if opt.Clock == nil {
		opt.Clock = time.Now
	}
	j := &Journal{s: s, opt: opt, reqs: make(chan *journalAppend, opt.MaxBatch), done: make(chan struct{})}
	go j.run()
	return j
}

// Append writes e to the journal and returns it as stored, with its sequence number,
// time and hashes (which the store assigns, whatever e holds). It returns only once
// the entry is committed, or with an error: then the entry may or may not be in the
// journal, and the consultation it records must be refused.
func (j *Journal) Append(ctx context.Context, e access.JournalEntry) (access.JournalEntry, error) {
	out, err := j.append(ctx, e)
	if err != nil {
		j.failures.Add(1)
	}
	return out, err
}

func (j *Journal) append(ctx context.Context, e access.JournalEntry) (access.JournalEntry, error) {
	if err := prepareJournalEntry(&e); err != nil {
		return e, err
	}
	req := &journalAppend{ctx: ctx, e: e, result: make(chan journalResult, 1)}
	j.mu.RLock()
	if j.closed {
		j.mu.RUnlock()
		return e, fmt.Errorf("journal: %w", ErrJournalClosed)
	}
	select {
	case j.reqs <- req:
		j.mu.RUnlock()
	case <-ctx.Done():
		j.mu.RUnlock()
		return e, fmt.Errorf("journal: %w", ctx.Err())
	}
	select {
	case r := <-req.result:
		return r.e, r.err
	case <-ctx.Done():
		return e, fmt.Errorf("journal: %w", ctx.Err())
	}
}

// Close commits the appends already received, then stops the writer. Later appends
// fail with ErrJournalClosed.
func (j *Journal) Close() {
	j.mu.Lock()
	if !j.closed {
		j.closed = true
		close(j.reqs)
	}
	j.mu.Unlock()
	<-j.done
}

// Appended is the number of entries committed since the journal started.
func (j *Journal) Appended() int64 { return j.appended.Load() }

// Failures is the number of appends that returned an error: consultations refused
// because their entry could not be written. The portal exports it as a metric.
func (j *Journal) Failures() int64 { return j.failures.Load() }

// Batches is the number of transactions committed; Appended/Batches is the mean batch.
func (j *Journal) Batches() int64 { return j.batches.Load() }

// run is the writer: it waits for an append, takes whatever else is already queued
// (up to MaxBatch) and commits the lot.
func (j *Journal) run() {
	defer close(j.done)
	for req := range j.reqs {
		batch := []*journalAppend{req}
	collect:
		for len(batch) < j.opt.MaxBatch {
			select {
			case r, ok := <-j.reqs:
				if !ok {
					break collect
				}
				batch = append(batch, r)
			default:
				break collect
			}
		}
		j.commit(batch)
	}
}

// commit writes a batch and hands each caller its result. Callers that gave up are
// left out. The batch has its own deadline: one caller's cancellation does not fail
// the others.
func (j *Journal) commit(batch []*journalAppend) {
	var live []*journalAppend
	var es []access.JournalEntry
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.result <- journalResult{r.e, fmt.Errorf("journal: %w", err)}
			continue
		}
		live = append(live, r)
		es = append(es, r.e)
	}
	if len(live) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), j.opt.Timeout)
	defer cancel()
	known := j.head
	var at time.Time
	if known != nil {
		var ok bool
		if at, ok = known.next(j.opt.Clock()); !ok {
			known = nil
		}
	}
	stored, fresh, err := j.s.appendJournal(ctx, es, known, at)
	j.head = nil
	if err == nil {
		j.appended.Add(int64(len(live)))
		j.batches.Add(1)
		last := stored[len(stored)-1]
		h := &journalHead{seq: last.Seq, hash: last.Hash, at: last.At}
		if fresh {
			h.db, h.local = last.At, j.opt.Clock() // read from the database just now
		} else {
			h.db, h.local = known.db, known.local // written after known: the same reading
		}
		j.head = h
	}
	for i, r := range live {
		if err != nil {
			r.result <- journalResult{r.e, err}
		} else {
			r.result <- journalResult{stored[i], nil}
		}
	}
}

// appendJournal writes entries after the head of the chain in one transaction, under
// the journal lock, and returns them as stored.
//
// When the writer knows the head it left (known), the batch is one round trip and one
// implicit transaction (a pipeline without BEGIN, committed at its end): the lock, then
// the entries chained after known. If another writer appended since (another instance,
// a request's move, which journals in its own transaction), the entry known.seq+1
// exists and the first insert fails on the primary key: nothing is written, and the
// batch is written after the true head in two round trips, so that the lock is held
// for little more than the commit and a loaded machine (where each round trip waits
// for a CPU) adds little latency: BEGIN, the lock and the head in one pipeline; the
// inserts and COMMIT in another. (Seq numbers are unique and consecutive, so an insert
// of known.seq+1 succeeds only when known is still the head: the key is the check.)
//
// The head is read by a statement of its own after the lock is granted: in READ
// COMMITTED each statement takes a fresh snapshot, and the previous holder released
// the lock only once its commit was visible, so the head read is the true head. (Read
// in the same statement as the lock, the snapshot could predate the lock.)
//
// The entries after known are dated at; fresh says the head (and the time) were read.
func (s *Store) appendJournal(ctx context.Context, es []access.JournalEntry, known *journalHead, at time.Time) (out []access.JournalEntry, fresh bool, err error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("journal: %w", err)
	}
	defer conn.Release() // a connection left in a transaction is closed, not reused
	rollback := func() {
		if conn.Conn().PgConn().TxStatus() != 'I' {
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
			conn.Exec(rctx, "ROLLBACK") // releases the lock now rather than at disconnection
			cancel()
		}
	}
	if known != nil {
		out, err := writeJournalAfter(ctx, conn.Conn(), es, known, at)
		if err == nil {
			return out, false, nil
		}
		rollback()
		if !headMoved(err) {
			return nil, false, fmt.Errorf("journal: write a batch of %d: %w", len(es), err)
		}
	}
	out, err = writeJournalBatch(ctx, conn.Conn(), es)
	if err != nil {
		rollback()
		return nil, false, fmt.Errorf("journal: write a batch of %d: %w", len(es), err)
	}
	return out, true, nil
}

// headRead reads the chain's head and the time of the entries to follow it: the
// database's clock (one clock for every writer), never before the head.
const headRead = `SELECT greatest(clock_timestamp(), h.at), coalesce(h.seq, 0), coalesce(h.hash, $1)
	FROM (SELECT 1) one LEFT JOIN (SELECT seq, hash, at FROM journal ORDER BY seq DESC LIMIT 1) h ON true`

// headMoved: a batch written after a known head found its first seq taken, another
// writer appended since.
func headMoved(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505" && pe.ConstraintName == "journal_pkey" // unique_violation
}

// writeJournalAfter writes entries after known, dated at, in one round trip, if known
// is the head. The lock keeps it from slipping in between another writer's head read
// and that writer's inserts, which would then fail.
func writeJournalAfter(ctx context.Context, conn *pgx.Conn, es []access.JournalEntry, known *journalHead, at time.Time) ([]access.JournalEntry, error) {
	b := &pgx.Batch{}
	b.Queue("SELECT pg_advisory_xact_lock($1)", journalLock)
	return sendChained(ctx, conn, b, es, known.seq, known.hash, at)
}

func writeJournalBatch(ctx context.Context, conn *pgx.Conn, es []access.JournalEntry) ([]access.JournalEntry, error) {
	var head int64
	var prev []byte
	var now time.Time
	b := &pgx.Batch{}
	b.Queue("BEGIN")
	b.Queue("SELECT pg_advisory_xact_lock($1)", journalLock)
	b.Queue(headRead, access.GenesisHash).QueryRow(func(r pgx.Row) error { return r.Scan(&now, &head, &prev) })
	if err := conn.SendBatch(ctx, b).Close(); err != nil {
		return nil, err
	}
	return sendChained(ctx, conn, &pgx.Batch{}, es, head, prev, now.UTC().Truncate(time.Microsecond))
}

// sendChained queues the entries chained after entry head (of hash prev), at now,
// behind what b holds, and sends it all: then COMMIT when an earlier batch on conn
// began a transaction, else the batch is its own implicit transaction, committed once
// the server answers the lot without error.
func sendChained(ctx context.Context, conn *pgx.Conn, b *pgx.Batch, es []access.JournalEntry, head int64, prev []byte, now time.Time) ([]access.JournalEntry, error) {
	explicit := conn.PgConn().TxStatus() == 'T'
	out := make([]access.JournalEntry, len(es))
	for i, e := range es {
		e.Seq, e.At, e.PrevHash = head+int64(i)+1, now, prev
		e.Hash = e.ComputeHash()
		prev = e.Hash
		out[i] = e
		b.Queue(journalInsert, journalValues(e)...)
	}
	var tag string
	if explicit {
		b.Queue("COMMIT").Exec(func(ct pgconn.CommandTag) error { tag = ct.String(); return nil })
	}
	if err := conn.SendBatch(ctx, b).Close(); err != nil {
		return nil, err
	}
	if explicit && tag != "COMMIT" { // COMMIT of a failed transaction answers ROLLBACK
		return nil, fmt.Errorf("commit answered %q", tag)
	}
	return out, nil
}

// journalColumns are the journal table's columns in the order of access.JournalEntry.
var journalColumns = []string{"format", "seq", "at", "subject", "name", "email", "roles", "tenant",
	"tenants", "action", "unit_id", "units", "object_id", "request_id", "query", "filters", "results",
	"grant_ref", "client", "user_agent", "http_request_id", "detail", "prev_hash", "hash"}

var journalColumnList = strings.Join(journalColumns, ", ")

var journalInsert = func() string {
	ps := make([]string, len(journalColumns))
	for i := range ps {
		ps[i] = fmt.Sprintf("$%d", i+1)
	}
	return "INSERT INTO journal (" + journalColumnList + ") VALUES (" + strings.Join(ps, ", ") + ")"
}()

func journalValues(e access.JournalEntry) []any {
	return []any{e.Format, e.Seq, e.At, e.Subject, e.Name, e.Email, e.Roles, e.Tenant, e.Tenants,
		e.Action, e.UnitID, e.Units, e.ObjectID, e.RequestID, e.Query, e.Filters, e.Results, e.Grant,
		e.Client, e.UserAgent, e.HTTPRequestID, e.Detail, e.PrevHash, e.Hash}
}

func scanJournalEntry(row pgx.CollectableRow) (access.JournalEntry, error) {
	var e access.JournalEntry
	err := row.Scan(&e.Format, &e.Seq, &e.At, &e.Subject, &e.Name, &e.Email, &e.Roles, &e.Tenant,
		&e.Tenants, &e.Action, &e.UnitID, &e.Units, &e.ObjectID, &e.RequestID, &e.Query, &e.Filters,
		&e.Results, &e.Grant, &e.Client, &e.UserAgent, &e.HTTPRequestID, &e.Detail, &e.PrevHash, &e.Hash)
	e.At = e.At.UTC()
	return e, err
}

// prepareJournalEntry checks the action and makes every text storable as given:
// invalid UTF-8 and NUL bytes (which PostgreSQL text refuses) become U+FFFD, and
// overlong text is cut. What the store assigns is cleared.
func prepareJournalEntry(e *access.JournalEntry) error {
	if !access.ValidJournalAction(e.Action) {
		return fmt.Errorf("journal: unknown action %q: %w", e.Action, sesam.ErrInvalid)
	}
	e.Format, e.Seq, e.At, e.PrevHash, e.Hash = access.JournalFormatLatest, 0, time.Time{}, nil, nil
	for _, p := range []*string{&e.Subject, &e.Name, &e.Email, &e.Tenant, &e.Query, &e.Filters, &e.Grant,
		&e.Client, &e.UserAgent, &e.HTTPRequestID, &e.Detail} {
		*p = storableText(*p)
	}
	e.Roles = storableTexts(e.Roles)
	e.Tenants = storableTexts(e.Tenants)
	if e.Tenant != "" {
		e.Tenants = append(e.Tenants, e.Tenant)
	}
	slices.Sort(e.Tenants)
	e.Tenants = slices.Compact(slices.DeleteFunc(e.Tenants, func(t string) bool { return t == "" }))
	e.Units = append(slices.Clone(e.Units), e.UnitID)
	slices.Sort(e.Units)
	e.Units = slices.Compact(slices.DeleteFunc(e.Units, func(u int64) bool { return u <= 0 }))
	if e.Units == nil { // never nil: the columns are NOT NULL
		e.Units = []int64{}
	}
	return nil
}

// storableTexts is storableText over a list, never nil (the columns are NOT NULL).
func storableTexts(xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = storableText(x)
	}
	return out
}

func storableText(s string) string {
	s = strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
	if len(s) <= maxJournalField {
		return s
	}
	cut := maxJournalField - len(" [tronqué]")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + " [tronqué]"
}
