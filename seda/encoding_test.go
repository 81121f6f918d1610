package seda

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/text/encoding/unicode"
)

// TestUTF16Manifests: a manifest saved in UTF-16 (as Windows tools do), with or without
// a byte-order mark, reads as its UTF-8 twin, alone, in a zip or in a folder.
func TestUTF16Manifests(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "..", "shared", "testdata", "seda", "manifest-only", "pastell__bordereau_seda2.2.xml"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := ReadManifest(strings.NewReader(string(src)))
	if err != nil {
		t.Fatal(err)
	}
	declared := strings.Replace(string(src), `encoding="UTF-8"`, `encoding="UTF-16"`, 1)
	encodings := map[string]struct {
		enc  unicode.Endianness
		bom  unicode.BOMPolicy
		text string
	}{
		"big-endian with BOM":    {unicode.BigEndian, unicode.UseBOM, string(src)},
		"little-endian with BOM": {unicode.LittleEndian, unicode.UseBOM, declared},
		"big-endian, declared":   {unicode.BigEndian, unicode.IgnoreBOM, declared},
		"little-endian declared": {unicode.LittleEndian, unicode.IgnoreBOM, declared},
	}
	for name, e := range encodings {
		t.Run(name, func(t *testing.T) {
			wide, err := unicode.UTF16(e.enc, e.bom).NewEncoder().String(e.text)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ReadManifest(strings.NewReader(wide))
			if err != nil {
				t.Fatalf("ReadManifest: %v", err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("UTF-16 reading differs (-UTF-8 +UTF-16):\n%s", diff)
			}
			bare := writeTemp(t, "manifest.xml", []byte(wide))
			files := []file{{name: "manifest.xml", body: []byte(wide)}}
			for _, o := range want.Binaries { // Open finds them; their bytes are not checked here
				files = append(files, file{name: o.URI, body: []byte("x")})
			}
			zipped := writeZip(t, files...)
			for _, path := range []string{bare, zipped} {
				p, err := Open(path, Limits{})
				if err != nil {
					t.Fatalf("Open(%s): %v", filepath.Base(path), err)
				}
				if got := p.Transfer().Units[0].Title(); got != want.Units[0].Title() {
					t.Errorf("%s: title %q, want %q", filepath.Base(path), got, want.Units[0].Title())
				}
				p.Close()
			}
		})
	}
}

// TestUTF16DeclaredNotWritten: a manifest saying UTF-16 in one byte a character is
// refused with a reason that says so, not "invalid UTF-8".
func TestUTF16DeclaredNotWritten(t *testing.T) {
	src := strings.Replace(onePDF(pdf), `encoding="UTF-8"`, `encoding="UTF-16"`, 1)
	_, err := ReadManifest(strings.NewReader(src))
	assertRefused(t, err, `declares encoding "UTF-16" but is not written in UTF-16`)
}
