package main

import (
	"archive/zip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportCompletesAndWarns: a bare manifest then its full SIP says "completed" with
// the objects added (not "unchanged"), and what the import corrected is printed under
// the summary line.
func TestImportCompletesAndWarns(t *testing.T) {
	freshDatabase(t)
	mustRun(t, "migrate")
	mustRun(t, "tenant", "add", "cdg62", "--name", "CDG 62")
	full := sample("sip", "vitam__SIP_seda2.0_ihm-demo.zip")
	out := mustRun(t, "import", "--no-text", "--tenant", "cdg62", extractManifest(t, full))
	if !strings.HasPrefix(out, "imported  manifest.xml: transfer 1,") {
		t.Errorf("bare manifest: %s", out)
	}
	out = mustRun(t, "import", "--no-text", "--tenant", "cdg62", full)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "completed vitam__SIP_seda2.0_ihm-demo.zip: transfer 1, 4 objects added") ||
		!strings.HasPrefix(lines[1], "  warning: object ") || !strings.Contains(lines[1], "size corrected") {
		t.Errorf("the full SIP after its manifest:\n%s", out)
	}
	out = mustRun(t, "import", "--no-text", "--tenant", "cdg62", full)
	if !strings.HasPrefix(out, "unchanged vitam__SIP_seda2.0_ihm-demo.zip: already imported as transfer 1") {
		t.Errorf("third import: %s", out)
	}
	mustRun(t, "tenant", "add", "cdg59", "--name", "CDG 59")
	out = mustRun(t, "import", "--no-text", "--tenant", "cdg59", full)
	if !strings.HasPrefix(out, "imported  vitam__SIP_seda2.0_ihm-demo.zip: transfer 2,") || !strings.Contains(out, "\n  warning: object ") {
		t.Errorf("import with a size correction:\n%s", out)
	}
}

func extractManifest(t *testing.T, zipPath string) string {
	t.Helper()
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	rc, err := zr.Open("manifest.xml")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	dst := filepath.Join(t.TempDir(), "manifest.xml")
	f, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := io.Copy(f, rc); err != nil {
		t.Fatal(err)
	}
	return dst
}
