package portal

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"testing"
)

// TestSearchBreadcrumbFollowsTheStore: the titles above a hit are kept between searches,
// yet once the index has taken in a change to a unit above (renamed here as a writer
// of the store does: the row and its change-feed entry in one transaction), the next
// search shows the new title, for a visitor who searched before the change.
func TestSearchBreadcrumbFollowsTheStore(t *testing.T) {
	ctx := context.Background()
	crumbs := func() []string {
		t.Helper()
		r := get(t, tApp, nil, "/api/v1/search?"+url.Values{"q": {"clocher"}}.Encode())
		var doc SearchDoc
		if err := json.Unmarshal([]byte(r.body), &doc); err != nil {
			t.Fatalf("%d %.200s: %v", r.status, r.body, err)
		}
		for _, h := range doc.Hits {
			if h.ID == ruitz["M-EGLISE"] {
				var out []string
				for _, c := range h.Breadcrumb {
					out = append(out, c.Title)
				}
				return out
			}
		}
		t.Fatalf("the church is not found: %.300s", r.body)
		return nil
	}
	rename := func(title string) {
		t.Helper()
		tx, err := tStore.Pool().Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx)
		id := ruitz["SERIE-M"]
		if _, err := tx.Exec(ctx, `UPDATE unit SET title = $2 WHERE id = $1`, id, title); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(x'5e5a0003'::int)`); err != nil { // store.feedLock
			t.Fatal(err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO unit_change (unit_id) VALUES ($1)`, id); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := tIndex.CatchUp(ctx, tStore); err != nil {
			t.Fatal(err)
		}
	}
	const old, renamed = "Édifices communaux, monuments et établissements publics", "Bâtiments communaux"
	if got := crumbs(); !slices.Contains(got, old) {
		t.Fatalf("breadcrumb %q, want the series %q", got, old)
	}
	rename(renamed)
	defer rename(old)
	if got := crumbs(); !slices.Contains(got, renamed) || slices.Contains(got, old) {
		t.Errorf("breadcrumb %q after the series was renamed, want %q", got, renamed)
	}
}
