package store_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"sesam/pdftext"
	"sesam/store"
)

func sip(name string) string {
	return filepath.Join("..", "..", "shared", "testdata", "seda", "sip", name)
}

// bareManifest is the manifest of a corpus zip, alone in a folder.
func bareManifest(t *testing.T, zipName string) string {
	t.Helper()
	return filepath.Join(unzip(t, sip(zipName)), "manifest.xml")
}

// TestManifestThenPackage: the manifest of a SIP imported alone first (its objects
// absent), then the whole SIP: the objects' bytes are stored and the objects become
// present, instead of the SIP being taken for a re-import and its bytes lost.
func TestManifestThenPackage(t *testing.T) {
	ctx := context.Background()
	tenant := addTenant(t, "complete")
	first, err := st.Import(ctx, tenant, bareManifest(t, "vitam__OK_SIP_ARK.zip"), store.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if n := count(t, `SELECT count(*) FROM object WHERE transfer_id = $1 AND kind = 'binary' AND NOT present`, first.TransferID); n != 2 {
		t.Fatalf("after the bare manifest, %d absent objects, want 2", n)
	}
	feed := count(t, `SELECT count(*) FROM unit_change`)
	res, err := st.Import(ctx, tenant, sip("vitam__OK_SIP_ARK.zip"), store.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Already || res.Added != 2 || res.TransferID != first.TransferID || res.Bytes != 2*7702 {
		t.Errorf("the full SIP after its manifest = %+v, want 2 objects (15404 bytes) added to transfer %d", res, first.TransferID)
	}
	if n := count(t, `SELECT count(*) FROM object WHERE transfer_id = $1 AND kind = 'binary' AND (NOT present OR sha256 IS NULL)`, first.TransferID); n != 0 {
		t.Errorf("%d objects still absent", n)
	}
	checkBlobs(t, first.TransferID)
	if n := count(t, `SELECT byte_count FROM transfer WHERE id = $1`, first.TransferID); n != 2*7702 {
		t.Errorf("transfer byte_count = %d, want 15404", n)
	}
	if n := count(t, `SELECT count(*) FROM unit_change`); n <= feed {
		t.Error("no change-feed entry: the index would not learn that the documents arrived")
	}
	if n := count(t, `SELECT count(*) FROM transfer WHERE tenant_id = $1`, tenant); n != 1 {
		t.Errorf("%d transfers, want the one completed", n)
	}
	again, err := st.Import(ctx, tenant, sip("vitam__OK_SIP_ARK.zip"), store.ImportOptions{})
	if err != nil || !again.Already || again.Added != 0 {
		t.Errorf("the full SIP a second time = %+v, %v; want unchanged", again, err)
	}
}

// TestCompletionExtractsTextAndKeepsWarnings: completing a transfer extracts the text of
// the PDFs added and records the size correction Verify makes (ihm-demo declares a
// wrong Size for a text whose digest matches).
func TestCompletionExtractsTextAndKeepsWarnings(t *testing.T) {
	ctx := context.Background()
	tenant := addTenant(t, "complete-text")
	opt := store.ImportOptions{Text: pdftext.New(pdftext.Options{})}
	first, err := st.Import(ctx, tenant, bareManifest(t, "vitam__SIP_seda2.0_ihm-demo.zip"), opt)
	if err != nil {
		t.Fatal(err)
	}
	res, err := st.Import(ctx, tenant, sip("vitam__SIP_seda2.0_ihm-demo.zip"), opt)
	if err != nil {
		t.Fatal(err)
	}
	if res.Added != 4 {
		t.Errorf("added %d objects, want 4", res.Added)
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "size corrected") {
		t.Errorf("warnings = %q, want the size correction", res.Warnings)
	}
	if n := count(t, `SELECT count(*) FROM object_page p JOIN object o ON o.id = p.object_id WHERE o.transfer_id = $1`, first.TransferID); n == 0 {
		t.Error("no page text for the PDF added")
	}
	if n := count(t, `SELECT count(*) FROM transfer WHERE id = $1 AND EXISTS (SELECT 1 FROM unnest(warnings) w WHERE w LIKE '%size corrected%')`, first.TransferID); n != 1 {
		t.Error("the size correction is not stored with the transfer")
	}
}

// TestWarningsStored: what the reader corrected is kept with the transfer and returned.
func TestWarningsStored(t *testing.T) {
	ctx := context.Background()
	tenant := addTenant(t, "warnings")
	res, err := st.Import(ctx, tenant, sip("vitam__SIP_seda2.0_ihm-demo.zip"), store.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var stored []string
	if err := st.Pool().QueryRow(ctx, `SELECT warnings FROM transfer WHERE id = $1`, res.TransferID).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if len(stored) != 1 || !strings.Contains(stored[0], "declared Size 17120") || strings.Join(stored, "|") != strings.Join(res.Warnings, "|") {
		t.Errorf("stored warnings %q, returned %q; want the size correction in both", stored, res.Warnings)
	}
	clean, err := st.Import(ctx, tenant, sip("itests__OK_SIP_2_GO.zip"), store.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(clean.Warnings) != 0 || count(t, `SELECT cardinality(warnings) FROM transfer WHERE id = $1`, clean.TransferID) != 0 {
		t.Errorf("a clean SIP has warnings %q", clean.Warnings)
	}
}
