package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"sesam/store"
)

// TestTenantCache: names and publishing tenants come from a cache, yet a change made
// through any Store of the process shows at once, and one made by another process (here
// straight in SQL, as the command line or another portal instance would) shows within
// a few seconds.
func TestTenantCache(t *testing.T) {
	ctx := context.Background()
	other := secondStore(t)
	id := addTenant(t, "cache/ville")
	public := func(s *store.Store) bool {
		t.Helper()
		ids, err := s.PublicTenants(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return slices.Contains(ids, id)
	}
	if public(st) || public(other) {
		t.Fatal("a tenant created without --publish is public")
	}
	if names, err := other.TenantNames(ctx); err != nil || names[id] != "Collectivité "+id {
		t.Fatalf("the other store does not name the new tenant at once: %q, %v", names[id], err)
	}

	if err := st.SetTenantPublish(ctx, id, true); err != nil {
		t.Fatal(err)
	}
	if !public(other) {
		t.Fatal("a publication turned on in this process is not seen at once by the other store")
	}
	if err := other.SetTenantPublish(ctx, id, false); err != nil {
		t.Fatal(err)
	}
	if public(st) {
		t.Fatal("a publication turned off in this process is still seen by the first store")
	}

	// Another process: nothing here tells the cache; it must still follow.
	if _, err := st.Pool().Exec(ctx, `UPDATE tenant SET publish = true, name = 'Ville renommée' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	within(t, 5*time.Second, "a publication turned on by another process is seen", func() bool { return public(st) })
	if names, _ := st.TenantNames(ctx); names[id] != "Ville renommée" {
		t.Fatalf("the cache serves the old name %q beside the new publication", names[id])
	}
}

// secondStore opens another Store on the test database, as a second portal instance
// would hold; it is closed with the test.
func secondStore(t *testing.T) *store.Store {
	t.Helper()
	other, err := store.Open(context.Background(), testDB.URL, dataDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(other.Close)
	return other
}

// within waits up to d for cond, as a cache follows another process's change; it fails
// the test when cond is still false then.
func within(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not after %s: %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
