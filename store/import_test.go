package store_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"sesam/seda"
	"sesam/store"
	"sesam/store/storetest"
)

var (
	st      *store.Store
	testDB  *storetest.DB
	dataDir string
)

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	ctx := context.Background()
	var err error
	dataDir, err = os.MkdirTemp("", "sesam-store-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dataDir)
	var cleanup func()
	st, testDB, cleanup, err = storetest.NewStore(ctx, "store", dataDir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer cleanup()
	return m.Run()
}

func corpus(t testing.TB, dir string) []string {
	t.Helper()
	root := filepath.Join("..", "..", "shared", "testdata", "seda", dir)
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, e := range entries {
		paths = append(paths, filepath.Join(root, e.Name()))
	}
	return paths
}

// addTenant creates a tenant (and its parents) named after the test.
func addTenant(t testing.TB, id string) string {
	t.Helper()
	ctx := context.Background()
	parts := strings.Split(id, "/")
	for i := range parts {
		tid := strings.Join(parts[:i+1], "/")
		err := st.AddTenant(ctx, store.Tenant{ID: tid, Name: "Collectivité " + tid})
		if err != nil && !strings.Contains(err.Error(), "already exists") {
			t.Fatal(err)
		}
	}
	return id
}

func count(t testing.TB, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := st.Pool().QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// snapshot counts every table's rows and lists the blob files: what a refused
// package must leave unchanged.
func snapshot(t testing.TB) map[string]int64 {
	t.Helper()
	s := map[string]int64{}
	for _, tbl := range []string{"transfer", "unit", "unit_parent", "object", "unit_object", "unit_rule", "blob", "object_page", "unit_change"} {
		s[tbl] = count(t, "SELECT count(*) FROM "+tbl)
	}
	filepath.WalkDir(filepath.Join(dataDir, "blobs"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			s["file "+filepath.Base(p)] = 1
		}
		return nil
	})
	return s
}

func TestImportValidCorpus(t *testing.T) {
	ctx := context.Background()
	tenant := addTenant(t, "valid")
	paths := append(corpus(t, "sip"), corpus(t, "manifest-only")...)
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			pkg, err := seda.Open(p, seda.DefaultLimits())
			if err != nil {
				t.Fatalf("seda.Open: %v", err)
			}
			tr := pkg.Transfer()
			pkg.Close()
			res, err := st.Import(ctx, tenant, p, store.ImportOptions{})
			if err != nil {
				t.Fatalf("import: %v", err)
			}
			if res.Already {
				// The same manifest came in another form earlier (zip and tar.gz of one SIP).
				t.Logf("already imported as transfer %d", res.TransferID)
				return
			}
			if got := count(t, "SELECT count(*) FROM unit WHERE transfer_id = $1", res.TransferID); got != int64(len(tr.Units)) || got == 0 {
				t.Errorf("units in store = %d, manifest has %d", got, len(tr.Units))
			}
			want := int64(len(tr.Binaries) + len(tr.Physicals))
			if got := count(t, "SELECT count(*) FROM object WHERE transfer_id = $1", res.TransferID); got != want {
				t.Errorf("objects in store = %d, manifest has %d", got, want)
			}
			if got := count(t, "SELECT count(*) FROM unit_change c JOIN unit u ON u.id = c.unit_id WHERE u.transfer_id = $1", res.TransferID); got != int64(len(tr.Units)) {
				t.Errorf("change feed has %d entries for the transfer, want %d", got, len(tr.Units))
			}
			checkBlobs(t, res.TransferID)
		})
	}
}

// checkBlobs proves every present object's bytes are in the blob store, intact.
func checkBlobs(t *testing.T, transferID int64) {
	t.Helper()
	rows, err := st.Pool().Query(context.Background(), `SELECT sha256 FROM object WHERE transfer_id = $1 AND present`, transferID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var sha string
		if err := rows.Scan(&sha); err != nil {
			t.Fatal(err)
		}
		if err := st.Blobs().Verify(sha); err != nil {
			t.Errorf("blob %s: %v", sha, err)
		}
	}
}

func TestReimportIsNoOp(t *testing.T) {
	ctx := context.Background()
	tenant := addTenant(t, "reimport")
	p := filepath.Join("..", "..", "shared", "testdata", "seda", "sip", "itests__OK_SIP_2_GO.zip")
	first, err := st.Import(ctx, tenant, p, store.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	before := snapshot(t)
	again, err := st.Import(ctx, tenant, p, store.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !again.Already || again.TransferID != first.TransferID {
		t.Errorf("re-import = %+v, want already imported as transfer %d", again, first.TransferID)
	}
	// The same package unzipped into a folder has the same manifest: also a no-op.
	if res, err := st.Import(ctx, tenant, unzip(t, p), store.ImportOptions{}); err != nil || !res.Already {
		t.Errorf("the same SIP as a folder: %+v, %v; want already imported", res, err)
	}
	if diff := cmp.Diff(before, snapshot(t)); diff != "" {
		t.Errorf("re-import changed the store (-before +after):\n%s", diff)
	}
	// Another tenant may hold the same package.
	other := addTenant(t, "reimport-other")
	if res, err := st.Import(ctx, other, p, store.ImportOptions{}); err != nil || res.Already {
		t.Errorf("same package for another tenant: %+v, %v; want a new transfer", res, err)
	}
}

func TestRefusedPackagesWriteNothing(t *testing.T) {
	ctx := context.Background()
	tenant := addTenant(t, "refused")
	for _, p := range corpus(t, "invalid") {
		t.Run(filepath.Base(p), func(t *testing.T) {
			before := snapshot(t)
			_, err := st.Import(ctx, tenant, p, store.ImportOptions{})
			var refusal *seda.RefusalError
			if !errors.As(err, &refusal) {
				t.Fatalf("import = %v, want a refusal", err)
			}
			if refusal.Reason == "" || strings.Contains(refusal.Reason, "\n") {
				t.Errorf("reason %q is not one line", refusal.Reason)
			}
			if diff := cmp.Diff(before, snapshot(t)); diff != "" {
				t.Errorf("refused package changed the store (-before +after):\n%s", diff)
			}
		})
	}
}

// TestFailedWriteLeavesNoBlob makes the transaction fail after the blobs were written
// (a trigger refuses the unit rows) and checks that no row and no new file remain.
func TestFailedWriteLeavesNoBlob(t *testing.T) {
	ctx := context.Background()
	tenant := addTenant(t, "failing")
	_, err := st.Pool().Exec(ctx, `
		CREATE FUNCTION refuse_failing() RETURNS trigger LANGUAGE plpgsql AS
		$$ BEGIN IF NEW.tenant_id = 'failing' THEN RAISE EXCEPTION 'disk full (simulated)'; END IF; RETURN NEW; END $$;
		CREATE TRIGGER refuse_failing BEFORE INSERT ON object FOR EACH ROW EXECUTE FUNCTION refuse_failing();`)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Pool().Exec(ctx, `DROP TRIGGER refuse_failing ON object; DROP FUNCTION refuse_failing()`)
	// A package whose bytes no other test imports, so its blob is new.
	p := writeSIP(t, "Échec simulé", fmt.Sprintf("unique bytes %s", t.Name()))
	before := snapshot(t)
	if _, err := st.Import(ctx, tenant, p, store.ImportOptions{}); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("import = %v, want the simulated failure", err)
	}
	if diff := cmp.Diff(before, snapshot(t)); diff != "" {
		t.Errorf("failed import left something behind (-before +after):\n%s", diff)
	}

	// A blob that a committed transfer already uses survives another import's failure.
	shared := "bytes shared by two transfers"
	ok, err := st.Import(ctx, addTenant(t, "kept"), writeSIP(t, "Réussi", shared), store.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Import(ctx, tenant, writeSIP(t, "Échoue", shared), store.ImportOptions{}); err == nil {
		t.Fatal("import into the failing tenant succeeded")
	}
	checkBlobs(t, ok.TransferID)
}

func TestConcurrentImports(t *testing.T) {
	ctx := context.Background()
	names := []string{"itests__OK_ARBO_rateau_MD_complexes.zip", "itests__OK_RULES_COMPLEXE_COMPLETE.zip",
		"sedatools__OK_468.zip", "itests__OK_SIP_SRC1_DATES_EXTREMES_OBJETS.zip"}
	startSeq, err := st.LastSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, len(names))
	units := make([]int, len(names))
	for i, n := range names {
		tenant := addTenant(t, fmt.Sprintf("concurrent/t%d", i))
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := st.Import(ctx, tenant, filepath.Join("..", "..", "shared", "testdata", "seda", "sip", n), store.ImportOptions{})
			errs[i] = err
			if err == nil {
				units[i] = res.Units
			}
		}()
	}
	wg.Wait()
	total := 0
	for i, err := range errs {
		if err != nil {
			t.Errorf("%s: %v", names[i], err)
		}
		total += units[i]
	}
	changes, err := st.Changes(ctx, startSeq, 1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != total {
		t.Errorf("change feed has %d new entries, want %d (one per imported unit)", len(changes), total)
	}
	for i := 1; i < len(changes); i++ {
		if changes[i].Seq <= changes[i-1].Seq {
			t.Fatalf("feed out of order at %d", i)
		}
	}
}

func TestUnitGraph(t *testing.T) {
	ctx := context.Background()
	tenant := addTenant(t, "graph")
	p := filepath.Join("..", "..", "shared", "testdata", "seda", "sip", "itests__OK_PREVENT_INHERITANCE.zip")
	res, err := st.Import(ctx, tenant, p, store.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ids := sedaIDs(t, res.TransferID)
	u15, err := st.Unit(ctx, ids["AU15"])
	if err != nil {
		t.Fatal(err)
	}
	want := []int64{ids["AU11"], ids["AU12"], ids["AU13"], ids["AU14"]}
	sort.Slice(want, func(i, j int) bool { return want[i] < want[j] })
	if diff := cmp.Diff(want, u15.Ancestors); diff != "" {
		t.Errorf("AU15 ancestors (-want +got):\n%s", diff)
	}
	// AU16 is listed flat and linked from AU14 by ArchiveUnitRefId.
	u16, err := st.Unit(ctx, ids["AU16"])
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int64{ids["AU14"]}, u16.Parents); diff != "" {
		t.Errorf("AU16 parents (-want +got):\n%s", diff)
	}
	// The subtree of AU11 holds AU12..AU16 and nothing of the other cases.
	n := count(t, `SELECT count(*) FROM unit WHERE ancestors @> ARRAY[$1::bigint]`, ids["AU11"])
	if n != 5 {
		t.Errorf("subtree of AU11 has %d units, want 5 (AU12–AU16)", n)
	}
	kids, err := st.Children(ctx, ids["AU14"], -1, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, k := range kids {
		titles = append(titles, k.Title)
	}
	if diff := cmp.Diff([]string{"AU16", "AU15"}, titles); diff != "" {
		t.Errorf("children of AU14 in manifest order (-want +got):\n%s", diff)
	}
	if rs := u15.Management.Rules; len(rs) != 0 {
		t.Errorf("AU15 declares no rule, store has %v", rs)
	}
	u11, _ := st.Unit(ctx, ids["AU11"])
	if acc := u11.Management.Rules[seda.AccessRule]; acc == nil || len(acc.Rules) != 1 || acc.Rules[0].ID != "ACC-00001" ||
		acc.Rules[0].StartDate == nil || acc.Rules[0].StartDate.Format("2006-01-02") != "2017-01-01" {
		t.Errorf("AU11 access rule = %+v, want ACC-00001 from 2017-01-01", acc)
	}
}

func sedaIDs(t *testing.T, transferID int64) map[string]int64 {
	t.Helper()
	m, err := storetest.SedaIDs(context.Background(), st, transferID)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestSchemaCheck(t *testing.T) {
	ctx := context.Background()
	db, err := storetest.Create(ctx, "schema")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Drop(ctx)
	s, err := store.Open(ctx, db.URL, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.CheckSchema(ctx)
	if err == nil || !strings.Contains(err.Error(), "sesam migrate") {
		t.Fatalf("CheckSchema on an empty database = %v, want a message saying to run sesam migrate", err)
	}
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.CheckSchema(ctx); err != nil {
		t.Errorf("CheckSchema after migrate: %v", err)
	}
	if applied, err := s.Migrate(ctx); err != nil || len(applied) != 0 {
		t.Errorf("second migrate applied %v, %v; want nothing", applied, err)
	}
}

// TestAttachToExistingUnit: a transfer whose unit names an existing unit (Vitam's
// UpdateOperation) attaches its new units under it instead of creating it again.
func TestAttachToExistingUnit(t *testing.T) {
	ctx := context.Background()
	tenant := addTenant(t, "attach")
	first, err := st.Import(ctx, tenant, writeSIP(t, "Dossier de référence", "premier versement"), store.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	existing := sedaIDs(t, first.TransferID)["AU1"]
	dir := t.TempDir()
	manifest := `<?xml version="1.0" encoding="UTF-8"?>
<ArchiveTransfer xmlns="fr:gouv:culture:archivesdefrance:seda:v2.1">
  <Date>2026-11-25T11:00:00</Date>
  <MessageIdentifier>complément</MessageIdentifier>
  <CodeListVersions/>
  <DataObjectPackage>
    <DescriptiveMetadata>
      <ArchiveUnit id="EXIST">
        <Management><UpdateOperation><ArchiveUnitIdentifierKey>
          <MetadataName>Title</MetadataName><MetadataValue>Dossier de référence</MetadataValue>
        </ArchiveUnitIdentifierKey></UpdateOperation></Management>
        <Content><DescriptionLevel>File</DescriptionLevel><Title>Dossier de référence</Title></Content>
        <ArchiveUnit id="NEW">
          <Content><DescriptionLevel>Item</DescriptionLevel><Title>Pièce complémentaire</Title></Content>
        </ArchiveUnit>
      </ArchiveUnit>
    </DescriptiveMetadata>
    <ManagementMetadata/>
  </DataObjectPackage>
  <ArchivalAgency><Identifier>A</Identifier></ArchivalAgency>
  <TransferringAgency><Identifier>T</Identifier></TransferringAgency>
</ArchiveTransfer>`
	if err := os.WriteFile(filepath.Join(dir, "manifest.xml"), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := st.Import(ctx, tenant, filepath.Join(dir, "manifest.xml"), store.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Units != 1 {
		t.Errorf("units created = %d, want 1 (the existing one is not created again)", res.Units)
	}
	if n := count(t, `SELECT count(*) FROM unit WHERE tenant_id = $1 AND title = 'Dossier de référence'`, tenant); n != 1 {
		t.Errorf("%d units titled like the existing one, want 1", n)
	}
	kids, err := st.Children(ctx, existing, -1, 0, 10)
	if err != nil || len(kids) != 1 || kids[0].Title != "Pièce complémentaire" {
		t.Errorf("children of the existing unit = %+v, %v; want the new piece", kids, err)
	}
}
