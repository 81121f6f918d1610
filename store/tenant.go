package store

import (
	"context"
	"errors"
	"fmt"
	"path"
	"regexp"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"sesam"
)

// Tenant is a collectivité or an operator; its id is a path in the tenant tree.
type Tenant struct {
	ID       string
	ParentID string
	Name     string
	Publish  bool // publishes its communicable archives online
	Units    int64
}

var tenantRe = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*(/[a-z0-9][a-z0-9_-]*)*$`)

// ValidTenantID says whether id is a tenant path such as "cdg62/ruitz".
func ValidTenantID(id string) bool { return tenantRe.MatchString(id) }

// AddTenant creates a tenant. Its parent, implied by the path, must exist. It writes
// no journal entry: the command line uses AddTenantJournalled.
func (s *Store) AddTenant(ctx context.Context, t Tenant) error {
	if err := checkNewTenant(ctx, s.pool, t); err != nil {
		return err
	}
	defer tenantChanged()
	return insertTenant(ctx, s.pool, t)
}

// checkNewTenant checks a tenant's id and name, and that its parent exists.
func checkNewTenant(ctx context.Context, q querier, t Tenant) error {
	if !ValidTenantID(t.ID) {
		return fmt.Errorf("tenant id %q: lower-case letters, digits, - and _, segments separated by /: %w", t.ID, sesam.ErrInvalid)
	}
	if t.Name == "" {
		return fmt.Errorf("tenant %s: a name is required: %w", t.ID, sesam.ErrInvalid)
	}
	if dir := path.Dir(t.ID); dir != "." {
		var exists bool
		if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM tenant WHERE id = $1)`, dir).Scan(&exists); err != nil {
			return fmt.Errorf("tenant %s: %w", t.ID, err)
		}
		if !exists {
			return fmt.Errorf("tenant %s: parent tenant %s does not exist, add it first: %w", t.ID, dir, sesam.ErrInvalid)
		}
	}
	return nil
}

func insertTenant(ctx context.Context, q querier, t Tenant) error {
	var parent *string
	if dir := path.Dir(t.ID); dir != "." {
		parent = &dir
	}
	_, err := q.Exec(ctx, `INSERT INTO tenant (id, parent_id, name, publish) VALUES ($1, $2, $3, $4)`,
		t.ID, parent, t.Name, t.Publish)
	if isUniqueViolation(err, "tenant_pkey") {
		return fmt.Errorf("tenant %s already exists: %w", t.ID, sesam.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("add tenant %s: %w", t.ID, err)
	}
	return nil
}

// SetTenantPublish turns online publication on or off for a tenant.
func (s *Store) SetTenantPublish(ctx context.Context, id string, publish bool) error {
	tag, err := s.pool.Exec(ctx, `UPDATE tenant SET publish = $2 WHERE id = $1`, id, publish)
	tenantChanged()
	if err != nil {
		return fmt.Errorf("tenant %s: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("tenant %s: %w", id, sesam.ErrNotFound)
	}
	return nil
}

// Tenant returns one tenant.
func (s *Store) Tenant(ctx context.Context, id string) (*Tenant, error) {
	var t Tenant
	err := s.pool.QueryRow(ctx, `SELECT id, coalesce(parent_id, ''), name, publish FROM tenant WHERE id = $1`, id).
		Scan(&t.ID, &t.ParentID, &t.Name, &t.Publish)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("tenant %s: %w", id, sesam.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("tenant %s: %w", id, err)
	}
	return &t, nil
}

// Tenants lists every tenant in path order with its number of units.
func (s *Store) Tenants(ctx context.Context) ([]Tenant, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT t.id, coalesce(t.parent_id, ''), t.name, t.publish,
		       (SELECT count(*) FROM unit u WHERE u.tenant_id = t.id)
		FROM tenant t ORDER BY t.id`)
	if err != nil {
		return nil, fmt.Errorf("list tenants: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Tenant, error) {
		var t Tenant
		err := r.Scan(&t.ID, &t.ParentID, &t.Name, &t.Publish, &t.Units)
		return t, err
	})
}

// TenantNames maps every tenant id to its name. Pages and searches call it on every
// request: it reads the tenant cache (see tenantsNow). The map is shared: read it only.
func (s *Store) TenantNames(ctx context.Context) (map[string]string, error) {
	t, err := s.tenantsNow(ctx)
	if err != nil {
		return nil, err
	}
	return t.names, nil
}

// tenantTTL is how long a reading of the tenant table serves. A change made through
// this process (any Store in it) is seen at once; one made by another process (the
// command line, another portal instance) within tenantTTL: well inside the few seconds
// the index takes to follow the store, which every search already lives with.
const tenantTTL = time.Second

// tenantWrites counts the tenant writes of this process: a cache older than the last
// one is read again.
var tenantWrites atomic.Int64

// tenantCache is one reading of the tenant table: names and the publishing tenants.
type tenantCache struct {
	mu     sync.Mutex
	at     time.Time
	writes int64
	cur    *tenantSnapshot
}

type tenantSnapshot struct {
	names  map[string]string
	public []string // sorted
}

// tenantsNow returns the tenant table as read at most tenantTTL ago and after this
// process's last tenant write. Two queries per search (names, publishing tenants,
// 300 rows here) became none most of the time.
func (s *Store) tenantsNow(ctx context.Context) (*tenantSnapshot, error) {
	c := &s.tenants
	c.mu.Lock()
	defer c.mu.Unlock()
	w := tenantWrites.Load()
	if c.cur != nil && c.writes == w && time.Since(c.at) < tenantTTL {
		return c.cur, nil
	}
	at := time.Now()
	rows, err := s.pool.Query(ctx, `SELECT id, name, publish FROM tenant ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("tenants: %w", err)
	}
	defer rows.Close()
	t := &tenantSnapshot{names: map[string]string{}, public: []string{}}
	for rows.Next() {
		var id, name string
		var publish bool
		if err := rows.Scan(&id, &name, &publish); err != nil {
			return nil, fmt.Errorf("tenants: %w", err)
		}
		t.names[id] = name
		if publish {
			t.public = append(t.public, id)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("tenants: %w", err)
	}
	c.cur, c.at, c.writes = t, at, w
	return t, nil
}

// tenantChanged makes every tenant cache of this process read the table again.
func tenantChanged() { tenantWrites.Add(1) }
