package seda

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Helpers that build packages in the test's temporary folder.

// manifestXML is a small transfer of the given SEDA version around raw object and unit
// elements.
func manifestXML(version, objects, units string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<ArchiveTransfer xmlns="fr:gouv:culture:archivesdefrance:seda:v` + version + `">
  <Comment>built by a test</Comment>
  <Date>2024-01-01T10:00:00</Date>
  <MessageIdentifier>test</MessageIdentifier>
  <DataObjectPackage>` + objects + `
    <DescriptiveMetadata>` + units + `</DescriptiveMetadata>
    <ManagementMetadata><OriginatingAgencyIdentifier>cdg62/ruitz</OriginatingAgencyIdentifier></ManagementMetadata>
  </DataObjectPackage>
  <ArchivalAgency><Identifier>cdg59</Identifier></ArchivalAgency>
  <TransferringAgency><Identifier>ruitz</Identifier></TransferringAgency>
</ArchiveTransfer>`
}

// objectXML is a BinaryDataObject declaring the SHA-512 and size of body.
func objectXML(id, uri string, body []byte) string {
	return objectDeclaring(id, uri, sha512Hex(body), len(body))
}

func objectDeclaring(id, uri, digest string, size int) string {
	return fmt.Sprintf(`
    <BinaryDataObject id="%s">
      <DataObjectVersion>BinaryMaster_1</DataObjectVersion>
      <Uri>%s</Uri>
      <MessageDigest algorithm="SHA-512">%s</MessageDigest>
      <Size>%d</Size>
      <FormatIdentification><MimeType>application/pdf</MimeType><FormatId>fmt/18</FormatId></FormatIdentification>
      <FileInfo><Filename>%s</Filename></FileInfo>
    </BinaryDataObject>`, id, uri, digest, size, filepath.Base(uri))
}

// unitXML is an ArchiveUnit with a title and whatever else is given (nested units,
// links, DataObjectReference).
func unitXML(id, title, inner string) string {
	return fmt.Sprintf(`
      <ArchiveUnit id="%s"><Content><DescriptionLevel>Item</DescriptionLevel><Title>%s</Title></Content>%s</ArchiveUnit>`,
		id, title, inner)
}

func linkXML(id, target string) string {
	return fmt.Sprintf(`<ArchiveUnit id="%s"><ArchiveUnitRefId>%s</ArchiveUnitRefId></ArchiveUnit>`, id, target)
}

func refXML(object string) string {
	return `<DataObjectReference><DataObjectReferenceId>` + object + `</DataObjectReferenceId></DataObjectReference>`
}

// onePDF is a valid manifest with one unit and one object at Content/a.pdf.
func onePDF(body []byte) string {
	return manifestXML("2.1", objectXML("O1", "Content/a.pdf", body), unitXML("U1", "Délibération", refXML("O1")))
}

func sha512Hex(b []byte) string {
	s := sha512.Sum512(b)
	return hex.EncodeToString(s[:])
}

// file is one archive entry; a non-empty link makes a symbolic (or, with hard, a hard) link.
type file struct {
	name string
	body []byte
	link string
	hard bool
}

func writeZip(t testing.TB, files ...file) string {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		h := &zip.FileHeader{Name: f.name, Method: zip.Deflate}
		body := f.body
		if f.link != "" {
			h.SetMode(os.ModeSymlink | 0o777)
			body = []byte(f.link)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(body); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return writeTemp(t, "package.zip", buf.Bytes())
}

func writeTarGz(t testing.TB, files ...file) string {
	t.Helper()
	var buf bytes.Buffer
	gz, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	tw := tar.NewWriter(gz)
	for _, f := range files {
		h := &tar.Header{Name: f.name, Mode: 0o644, Size: int64(len(f.body)), Typeflag: tar.TypeReg}
		switch {
		case f.link != "" && f.hard:
			h.Typeflag, h.Linkname, h.Size = tar.TypeLink, f.link, 0
		case f.link != "":
			h.Typeflag, h.Linkname, h.Size = tar.TypeSymlink, f.link, 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Size > 0 {
			if _, err := tw.Write(f.body); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return writeTemp(t, "package.tar.gz", buf.Bytes())
}

// writeDir lays files out as a folder package (links as symbolic links).
func writeDir(t testing.TB, files ...file) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		if f.link != "" {
			err = os.Symlink(f.link, p)
		} else {
			err = os.WriteFile(p, f.body, 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func writeTemp(t testing.TB, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
