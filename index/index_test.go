package index

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"sesam/access"
)

// TestCorruptIndexIsRebuilt: a generation that cannot be opened is replaced by a fresh
// one (the caller rebuilds it from the store), never used nor fatal.
func TestCorruptIndexIsRebuilt(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "gen-broken"), 0o755)
	os.WriteFile(filepath.Join(dir, "gen-broken", "index_meta.json"), []byte("{not json"), 0o644)
	os.WriteFile(filepath.Join(dir, currentFile), []byte("gen-broken\n"), 0o644)
	ix, fresh, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if !fresh || ix.Generation() == "gen-broken" {
		t.Fatalf("corrupt generation: fresh=%v generation=%s", fresh, ix.Generation())
	}
	if err := ix.Rebuild(context.Background(), testStore, nil); err != nil {
		t.Fatal(err)
	}
	res, err := ix.Search(context.Background(), access.Scope{Tenants: []string{"cdg62"}}, Request{Query: "registre"}, nil)
	if err != nil || res.Total == 0 {
		t.Errorf("after the rebuild: %v %v", res, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "gen-broken")); !os.IsNotExist(err) {
		t.Errorf("the broken generation is still there")
	}
}

// TestLockedIndexIsNotRebuilt: an index another process holds is reported, not
// mistaken for a corrupt one.
func TestLockedIndexIsNotRebuilt(t *testing.T) {
	dir := t.TempDir()
	first, _, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	name := first.Generation()
	if _, _, err := Open(dir); err == nil {
		t.Fatal("a second open of a held index succeeded")
	}
	if first.Generation() != name {
		t.Errorf("the held generation was replaced")
	}
	if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
		t.Errorf("the held generation was removed: %v", err)
	}
}

// TestOtherFormatIsRebuilt: an index written by a build with another mapping (its
// fields would not answer this build's queries: units would silently vanish from
// searches) is replaced at start-up like a corrupt one.
func TestOtherFormatIsRebuilt(t *testing.T) {
	dir := t.TempDir()
	ix, _, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	old := ix.Generation()
	if err := ix.gen.idx.SetInternal(formatKey, []byte("0")); err != nil {
		t.Fatal(err)
	}
	ix.Close()
	ix, fresh, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if !fresh || ix.Generation() == old {
		t.Errorf("an index of format 0 was kept: fresh=%v generation=%s", fresh, ix.Generation())
	}
}
