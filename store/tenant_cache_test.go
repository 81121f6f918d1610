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
	other, err := store.Open(ctx, testDB.URL, dataDir) // a second store, as a second portal would hold
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
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
	deadline := time.Now().Add(5 * time.Second)
	for !public(st) {
		if time.Now().After(deadline) {
			t.Fatal("a publication turned on by another process is not seen after 5 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if names, _ := st.TenantNames(ctx); names[id] != "Ville renommée" {
		t.Fatalf("the cache serves the old name %q beside the new publication", names[id])
	}
}
