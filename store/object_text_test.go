package store_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"sesam/pdftext"
	"sesam/store"
)

// TestObjectsWithoutText: PDFs imported without their text are listed, whatever the
// case of their extension or the MIME type their producer declared, and other files
// are not; SetObjectText stores the pages and puts the unit in the change feed.
func TestObjectsWithoutText(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext not installed (Debian package poppler-utils)")
	}
	ctx := context.Background()
	tenant := addTenant(t, "sanstexte")
	pdf, err := os.ReadFile(filepath.Join("..", "..", "shared", "testdata", "pdf", "vitam__Vademecum_glossaire.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct{ title, name, mime string }{
		{"Glossaire", "Glossaire.Pdf", ""},
		{"Glossaire bis", "glossaire", "application/x-pdf"},
		{"Note", "note.txt", "text/plain"},
	} {
		if _, err := st.Import(ctx, tenant, writeSIPFile(t, f.title, f.name, f.mime, string(pdf)+f.title), store.ImportOptions{}); err != nil {
			t.Fatalf("import %s: %v", f.name, err)
		}
	}
	objs, err := st.ObjectsWithoutText(ctx, tenant)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, o := range objs {
		names = append(names, o.Filename)
	}
	if diff := cmp.Diff([]string{"Glossaire.Pdf", "glossaire"}, names); diff != "" {
		t.Fatalf("objects without text (-want +got):\n%s", diff)
	}

	before, err := st.LastSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r := pdftext.New(pdftext.Options{OCR: pdftext.OCROff}).Extract(ctx, st.Blobs().Path(objs[0].SHA256))
	if err := st.SetObjectText(ctx, objs[0].ID, r); err != nil {
		t.Fatal(err)
	}
	o, err := st.Object(ctx, objs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	pages := count(t, `SELECT count(*) FROM object_page WHERE object_id = $1 AND source = 'text'`, o.ID)
	changes, err := st.Changes(ctx, before, 10)
	if err != nil {
		t.Fatal(err)
	}
	if o.TextStatus != "ok" || o.PageCount == nil || *o.PageCount != 2 || pages != 2 || len(changes) != 1 {
		t.Errorf("after SetObjectText: status %q, page count %v, %d pages stored, %d changes; want ok, 2, 2, 1",
			o.TextStatus, o.PageCount, pages, len(changes))
	}
	if left, err := st.ObjectsWithoutText(ctx, tenant); err != nil || len(left) != 1 {
		t.Errorf("left without text: %d (%v), want 1", len(left), err)
	}
}
