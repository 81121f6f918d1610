package store_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"sesam/store"
)

// TestDamagedBlobRepaired: a blob file altered or truncated on disk is replaced by the
// next import carrying the same bytes, instead of being kept because its name exists.
func TestDamagedBlobRepaired(t *testing.T) {
	ctx := context.Background()
	content := "bytes that rot on disk " + t.Name()
	first, err := st.Import(ctx, addTenant(t, "rot1"), writeSIP(t, "Premier", content), store.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var sha string
	if err := st.Pool().QueryRow(ctx, `SELECT sha256 FROM object WHERE transfer_id = $1`, first.TransferID).Scan(&sha); err != nil {
		t.Fatal(err)
	}
	damage := map[string]string{
		"same size, other bytes": strings.ToUpper(content),
		"truncated":              content[:5],
	}
	i := 0
	for name, bad := range damage {
		t.Run(name, func(t *testing.T) {
			if err := os.WriteFile(st.Blobs().Path(sha), []byte(bad), 0o640); err != nil {
				t.Fatal(err)
			}
			if err := st.Blobs().Verify(sha); err == nil {
				t.Fatal("the damage was not noticed")
			}
			i++
			tenant := addTenant(t, "rot-again-"+string(rune('a'+i)))
			if _, err := st.Import(ctx, tenant, writeSIP(t, "Second", content), store.ImportOptions{}); err != nil {
				t.Fatal(err)
			}
			if err := st.Blobs().Verify(sha); err != nil {
				t.Errorf("after an import carrying the same bytes: %v", err)
			}
		})
	}
}

func TestBlobPutChecksExisting(t *testing.T) {
	b, err := store.NewBlobs(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	const sha = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824" // "hello"
	if created, err := b.Put(sha, 5, strings.NewReader("hello")); err != nil || !created {
		t.Fatalf("first Put = %v, %v", created, err)
	}
	if created, err := b.Put(sha, 5, errReader{}); err != nil || created {
		t.Errorf("Put over an intact file = %v, %v; want it kept without reading", created, err)
	}
	os.WriteFile(b.Path(sha), []byte("HELLO"), 0o640)
	if created, err := b.Put(sha, 5, strings.NewReader("hello")); err != nil || created {
		t.Errorf("Put over a damaged file = %v, %v; want it repaired (not created)", created, err)
	}
	if err := b.Verify(sha); err != nil {
		t.Error(err)
	}
	os.WriteFile(b.Path(sha), []byte("HELLO"), 0o640)
	if _, err := b.Put(sha, 5, strings.NewReader("jello")); err == nil {
		t.Error("wrong bytes accepted as a repair")
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, os.ErrClosed }
