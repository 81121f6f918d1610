package seda

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"testing"
)

var pdf = []byte("%PDF-1.4 délibération du conseil municipal")

// TestHostileArchives builds hostile or broken packages and checks each is refused with
// a reason naming the problem.
func TestHostileArchives(t *testing.T) {
	good := onePDF(pdf)
	zeros := make([]byte, 64<<20)
	tests := []struct {
		name  string
		build func(t *testing.T) string
		lim   Limits
		want  string
	}{
		{"dot-dot entry", func(t *testing.T) string {
			return writeZip(t, file{name: "manifest.xml", body: []byte(good)}, file{name: "Content/a.pdf", body: pdf},
				file{name: "../x", body: pdf})
		}, Limits{}, `archive entry "../x" escapes the package`},
		{"dot-dot inside an entry", func(t *testing.T) string {
			return writeTarGz(t, file{name: "manifest.xml", body: []byte(good)}, file{name: "Content/../../x", body: pdf})
		}, Limits{}, `archive entry "Content/../../x" escapes the package`},
		{"absolute entry", func(t *testing.T) string {
			return writeZip(t, file{name: "manifest.xml", body: []byte(good)}, file{name: "/etc/cron.d/x", body: pdf})
		}, Limits{}, `archive entry "/etc/cron.d/x" is an absolute path`},
		{"drive letter", func(t *testing.T) string {
			return writeZip(t, file{name: "manifest.xml", body: []byte(good)}, file{name: "C:/x", body: pdf})
		}, Limits{}, `archive entry "C:/x" is an absolute path`},
		{"backslash", func(t *testing.T) string {
			return writeZip(t, file{name: "manifest.xml", body: []byte(good)}, file{name: `Content\a.pdf`, body: pdf})
		}, Limits{}, `archive entry "Content\\a.pdf" uses a backslash`},
		{"symlink in tar", func(t *testing.T) string {
			return writeTarGz(t, file{name: "manifest.xml", body: []byte(good)}, file{name: "Content/a.pdf", link: "/etc/passwd"})
		}, Limits{}, `archive entry "Content/a.pdf" is a link`},
		{"hard link in tar", func(t *testing.T) string {
			return writeTarGz(t, file{name: "manifest.xml", body: []byte(good)}, file{name: "Content/a.pdf", link: "manifest.xml", hard: true})
		}, Limits{}, `archive entry "Content/a.pdf" is a link`},
		{"symlink in zip", func(t *testing.T) string {
			return writeZip(t, file{name: "manifest.xml", body: []byte(good)}, file{name: "Content/a.pdf", link: "../../etc/passwd"})
		}, Limits{}, `archive entry "Content/a.pdf" is a link`},
		{"symlink in folder", func(t *testing.T) string {
			return writeDir(t, file{name: "manifest.xml", body: []byte(good)}, file{name: "Content/a.pdf", link: "/etc/passwd"})
		}, Limits{}, `archive entry "Content/a.pdf" is a link`},
		{"same entry twice", func(t *testing.T) string {
			return writeZip(t, file{name: "manifest.xml", body: []byte(good)}, file{name: "Content/a.pdf", body: pdf},
				file{name: "./Content/a.pdf", body: []byte("other bytes")})
		}, Limits{}, `archive entry "./Content/a.pdf" appears twice`},
		{"two manifests", func(t *testing.T) string {
			return writeZip(t, file{name: "manifest.xml", body: []byte(good)}, file{name: "SIP_manifest.xml", body: []byte(good)},
				file{name: "Content/a.pdf", body: pdf})
		}, Limits{}, "two manifests: SIP_manifest.xml and manifest.xml"},
		{"manifest in a folder only", func(t *testing.T) string {
			return writeZip(t, file{name: "SIP/manifest.xml", body: []byte(good)}, file{name: "SIP/Content/a.pdf", body: pdf})
		}, Limits{}, "no manifest.xml at the root (found SIP/manifest.xml in a folder)"},
		{"empty zip", func(t *testing.T) string { return writeZip(t, file{name: "Content/"}) }, Limits{}, "empty archive"},
		{"empty tar.gz", func(t *testing.T) string { return writeTarGz(t) }, Limits{}, "empty archive"},
		{"zip bomb", func(t *testing.T) string {
			return writeZip(t, file{name: "manifest.xml", body: []byte(good)}, file{name: "Content/a.pdf", body: pdf},
				file{name: "Content/zeros.bin", body: zeros})
		}, Limits{}, `archive entry "Content/zeros.bin" compression ratio above 200`},
		{"tar.gz bomb", func(t *testing.T) string {
			return writeTarGz(t, file{name: "Content/zeros.bin", body: zeros}, file{name: "manifest.xml", body: []byte(good)})
		}, Limits{}, `archive entry "Content/zeros.bin" compression ratio above 200`},
		{"tar.gz past the total", func(t *testing.T) string {
			return writeTarGz(t, file{name: "Content/zeros.bin", body: zeros[:8<<20]})
		}, Limits{MaxTotalBytes: 1 << 20, MaxRatio: 1 << 40}, "archive too large: more than 1 MiB uncompressed"},
		{"zip past the total", func(t *testing.T) string {
			return writeZip(t, file{name: "manifest.xml", body: []byte(good)}, file{name: "Content/a.pdf", body: pdf})
		}, Limits{MaxTotalBytes: 1000}, "archive too large: more than 1000 bytes uncompressed"},
		{"too many entries", func(t *testing.T) string {
			return writeZip(t, file{name: "manifest.xml", body: []byte(good)}, file{name: "Content/a.pdf", body: pdf},
				file{name: "Content/b.pdf", body: pdf})
		}, Limits{MaxEntries: 2}, "archive has more than 2 entries"},
		{"manifest too large", func(t *testing.T) string {
			return writeZip(t, file{name: "manifest.xml", body: []byte(good)}, file{name: "Content/a.pdf", body: pdf})
		}, Limits{MaxManifestBytes: 100}, "manifest.xml is larger than 100 bytes"},
		{"uncompressed tar", func(t *testing.T) string {
			b := make([]byte, 1024)
			copy(b, "manifest.xml")
			copy(b[257:], "ustar\x0000")
			return writeTemp(t, "package.tar", b)
		}, Limits{}, "not a SEDA package: an uncompressed tar archive"},
		{"unknown format", func(t *testing.T) string {
			return writeTemp(t, "package.7z", []byte("7z\xbc\xaf\x27\x1c garbage"))
		}, Limits{}, "not a SEDA package: unrecognised file format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmp := t.TempDir()
			path := tt.build(t)
			t.Setenv("TMPDIR", tmp)
			assertRefused(t, openAndVerify(path, tt.lim), tt.want)
			if left, _ := os.ReadDir(tmp); len(left) > 0 {
				t.Errorf("a refused package left %d files in the temporary folder", len(left))
			}
		})
	}
}

// TestLyingZipHeader: the central directory says 100 bytes, the data inflates to
// 8 MiB. The bytes actually read are counted and the entry is refused.
func TestLyingZipHeader(t *testing.T) {
	big := make([]byte, 8<<20)
	var deflated bytes.Buffer
	fw, _ := flate.NewWriter(&deflated, flate.BestSpeed)
	fw.Write(big)
	fw.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	write := func(name string, body []byte) {
		w, _ := zw.Create(name)
		w.Write(body)
	}
	write("manifest.xml", []byte(manifestXML("2.1", objectDeclaring("O1", "Content/a.bin", sha512Hex(big[:100]), 100),
		unitXML("U1", "Délibération", refXML("O1")))))
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "Content/a.bin", Method: zip.Deflate, CRC32: crc32.ChecksumIEEE(big),
		CompressedSize64: uint64(deflated.Len()), UncompressedSize64: 100})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(deflated.Bytes())
	zw.Close()
	path := writeTemp(t, "liar.zip", buf.Bytes())
	assertRefused(t, openAndVerify(path, Limits{}), `archive entry "Content/a.bin" is corrupt or larger than its header declares`)
}

// TestObjectChecks covers what Open and Verify check of the objects.
func TestObjectChecks(t *testing.T) {
	one := func(id, uri, digest string, size int) string {
		return manifestXML("2.1", objectDeclaring(id, uri, digest, size), unitXML("U1", "Délibération", refXML(id)))
	}
	tests := []struct {
		name, manifest, want string
	}{
		{"digest mismatch", one("ID12", "Content/a.pdf", sha512Hex([]byte("other")), len(pdf)),
			"object ID12: SHA-512 digest mismatch (declared " + sha512Hex([]byte("other"))[:8] + "…, actual " + sha512Hex(pdf)[:8] + "…)"},
		{"size mismatch", one("ID12", "Content/a.pdf", sha512Hex([]byte("other")), 100),
			fmt.Sprintf("object ID12: size mismatch (declared 100, actual %d) and SHA-512 digest mismatch", len(pdf))},
		{"missing file", one("ID12", "Content/absent.pdf", sha512Hex(pdf), len(pdf)),
			`object ID12: Uri "Content/absent.pdf" not found in the package`},
		{"other case", one("ID12", "content/A.PDF", sha512Hex(pdf), len(pdf)),
			`object ID12: Uri "content/A.PDF" not found in the package (it holds "Content/a.pdf": names are case-sensitive)`},
		{"dot-dot Uri", one("ID12", "../../etc/passwd", sha512Hex(pdf), len(pdf)),
			`object ID12: Uri "../../etc/passwd" points outside the package`},
		{"escaped dot-dot Uri", one("ID12", "Content/%2e%2e/%2e%2e/etc/passwd", sha512Hex(pdf), len(pdf)),
			`points outside the package`},
		{"absolute Uri", one("ID12", "/etc/passwd", sha512Hex(pdf), len(pdf)),
			`object ID12: Uri "/etc/passwd" points outside the package`},
		{"file URL", one("ID12", "file:///etc/passwd", sha512Hex(pdf), len(pdf)),
			`object ID12: Uri "file:///etc/passwd" points outside the package`},
		{"fragment", one("ID12", "Content/a.pdf#page=2", sha512Hex(pdf), len(pdf)),
			`object ID12: Uri "Content/a.pdf#page=2" contains "#", which ends the path of a URI (write it %23)`},
		{"no Uri", one("ID12", "", sha512Hex(pdf), len(pdf)), "object ID12: no Uri"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeZip(t, file{name: "manifest.xml", body: []byte(tt.manifest)}, file{name: "Content/a.pdf", body: pdf})
			assertRefused(t, openAndVerify(path, Limits{}), tt.want)
		})
	}
}

// TestUriTolerance: real SIPs write "./" in front of a Uri and escape spaces.
func TestUriTolerance(t *testing.T) {
	for _, uri := range []string{"Content/a b.pdf", "./Content/a b.pdf", "Content/a%20b.pdf", "./Content//a%20b.pdf"} {
		m := manifestXML("2.1", objectXML("O1", uri, pdf), unitXML("U1", "Délibération", refXML("O1")))
		p := openVerified(t, writeZip(t, file{name: "manifest.xml", body: []byte(m)}, file{name: "Content/a b.pdf", body: pdf}))
		if o := p.Transfer().Binaries[0]; !o.Present || o.ActualSize != int64(len(pdf)) {
			t.Errorf("Uri %q: object %+v not found and verified", uri, o)
		}
	}
}

func TestVerifyHonoursContext(t *testing.T) {
	p, err := Open(writeZip(t, file{name: "manifest.xml", body: []byte(onePDF(pdf))}, file{name: "Content/a.pdf", body: pdf}), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := p.Verify(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Verify with a cancelled context = %v, want context.Canceled", err)
	}
	if err := p.Verify(context.Background()); err != nil {
		t.Errorf("Verify after a cancelled one: %v", err)
	}
}

// TestOpenObjectRechecks: a folder package changed on disk after Verify is caught when
// the store reads the object.
func TestOpenObjectRechecks(t *testing.T) {
	dir := writeDir(t, file{name: "manifest.xml", body: []byte(onePDF(pdf))}, file{name: "Content/a.pdf", body: pdf})
	p := openVerified(t, dir)
	if p.Kind() != KindDir {
		t.Fatalf("kind = %q", p.Kind())
	}
	o := p.Transfer().Binaries[0]
	if err := os.WriteFile(filepath.Join(dir, "Content", "a.pdf"), []byte("%PDF-1.4 replaced!"), 0o644); err != nil {
		t.Fatal(err)
	}
	rc, err := p.OpenObject(o)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if _, err := io.ReadAll(rc); err == nil {
		t.Error("reading bytes changed since Verify succeeded")
	}
}

func TestCloseRemovesExtraction(t *testing.T) {
	tmp := t.TempDir()
	path := writeTarGz(t, file{name: "manifest.xml", body: []byte(onePDF(pdf))}, file{name: "Content/a.pdf", body: pdf})
	t.Setenv("TMPDIR", tmp)
	p, err := Open(path, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 1 {
		t.Fatalf("want the extraction folder in TMPDIR, found %d entries", len(left))
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("Close left %d entries in TMPDIR", len(left))
	}
}

// TestFriendlyPackagings: what real users produce and is not a problem.
func TestFriendlyPackagings(t *testing.T) {
	m := []byte(onePDF(pdf))
	// tar on macOS stores extended attributes as "._name" files beside each file.
	mac := writeTarGz(t, file{name: "./._manifest.xml", body: []byte("\x00\x05\x16\x07")},
		file{name: "./manifest.xml", body: m}, file{name: "./Content/a.pdf", body: pdf})
	openVerified(t, mac)

	// A folder package reached through a symbolic link.
	dir := writeDir(t, file{name: "manifest.xml", body: m}, file{name: "Content/a.pdf", body: pdf})
	link := filepath.Join(t.TempDir(), "versement")
	if err := os.Symlink(dir, link); err != nil {
		t.Fatal(err)
	}
	if got := openVerified(t, link).Transfer().Units[0].Title(); got != "Délibération" {
		t.Errorf("title through a linked folder = %q", got)
	}
}
