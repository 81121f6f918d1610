package index

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"sesam/store"
	"sesam/store/storetest"
)

// The integration tests share one store (a fresh PostgreSQL database) holding the
// hand-made Ruitz transfer (tenant cdg62/ruitz) and some real corpus packages (tenant
// cdg59/lille), and one index built from it.
var (
	testStore *store.Store
	testIndex *Index
	ruitzIDs  map[string]int64 // manifest id → unit id, for the Ruitz transfer
)

func TestMain(m *testing.M) { os.Exit(runMain(m)) }

func runMain(m *testing.M) int {
	ctx := context.Background()
	tmp, err := os.MkdirTemp("", "sesam-index-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(tmp)
	st, _, cleanup, err := storetest.NewStore(ctx, "index", filepath.Join(tmp, "data"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer cleanup()
	testStore = st
	if err := loadFixtures(ctx, tmp); err != nil {
		fmt.Fprintln(os.Stderr, "fixtures:", err)
		return 1
	}
	ix, _, err := Open(filepath.Join(tmp, "index"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer ix.Close()
	if err := ix.Rebuild(ctx, testStore, nil); err != nil {
		fmt.Fprintln(os.Stderr, "rebuild:", err)
		return 1
	}
	testIndex = ix
	return m.Run()
}

func loadFixtures(ctx context.Context, tmp string) error {
	for _, t := range []store.Tenant{{ID: "cdg62", Name: "CDG 62"}, {ID: "cdg62/ruitz", Name: "Ruitz", Publish: true},
		{ID: "cdg59", Name: "CDG 59"}, {ID: "cdg59/lille", Name: "Lille"}} {
		if err := testStore.AddTenant(ctx, t); err != nil {
			return err
		}
	}
	dir, err := storetest.RuitzPackage(filepath.Join(tmp, "ruitz"), filepath.Join("..", "..", "shared", "testdata", "pdf"))
	if err != nil {
		return err
	}
	res, err := testStore.Import(ctx, "cdg62/ruitz", dir, store.ImportOptions{Text: testExtractor()})
	if err != nil {
		return fmt.Errorf("import ruitz: %w", err)
	}
	if ruitzIDs, err = storetest.SedaIDs(ctx, testStore, res.TransferID); err != nil {
		return err
	}
	for _, name := range []string{"vitam__sip_all_metadata_with_custodialhistoryfile.zip", "vitam__dossier_nicolas_perrin_demo_IT16.zip", "sedatools__OK_468.zip"} {
		p := filepath.Join("..", "..", "shared", "testdata", "seda", "sip", name)
		if _, err := testStore.Import(ctx, "cdg59/lille", p, store.ImportOptions{}); err != nil {
			return fmt.Errorf("import %s: %w", name, err)
		}
	}
	return nil
}

// ruitzName maps a unit id back to its manifest id ("" when not a Ruitz unit).
func ruitzName(id int64) string {
	for name, uid := range ruitzIDs {
		if uid == id {
			return name
		}
	}
	return "#" + strconv.FormatInt(id, 10)
}

func timeNow() time.Time { return time.Now() }
