package store_test

import (
	"archive/zip"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// writeSIP writes a minimal SEDA 2.1 package folder holding one unit with one object
// whose bytes are content, and returns the folder.
func writeSIP(t testing.TB, title, content string) string {
	t.Helper()
	return writeSIPFile(t, title, "doc.txt", "text/plain", content)
}

// writeSIPFile is writeSIP with the object's file name and declared MIME type.
func writeSIPFile(t testing.TB, title, filename, mime, content string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "content"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "content", filename), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha512.Sum512([]byte(content))
	manifest := fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<ArchiveTransfer xmlns="fr:gouv:culture:archivesdefrance:seda:v2.1">
  <Date>2026-11-25T10:00:00</Date>
  <MessageIdentifier>%[1]s</MessageIdentifier>
  <ArchivalAgreement>test</ArchivalAgreement>
  <CodeListVersions/>
  <DataObjectPackage>
    <BinaryDataObject id="BDO1">
      <DataObjectVersion>BinaryMaster_1</DataObjectVersion>
      <Uri>content/%[4]s</Uri>
      <MessageDigest algorithm="SHA-512">%[2]s</MessageDigest>
      <Size>%[3]d</Size>
      <FormatIdentification><MimeType>%[5]s</MimeType></FormatIdentification>
      <FileInfo><Filename>%[4]s</Filename></FileInfo>
    </BinaryDataObject>
    <DescriptiveMetadata>
      <ArchiveUnit id="AU1">
        <Content>
          <DescriptionLevel>Item</DescriptionLevel>
          <Title>%[1]s</Title>
        </Content>
        <DataObjectReference><DataObjectReferenceId>BDO1</DataObjectReferenceId></DataObjectReference>
      </ArchiveUnit>
    </DescriptiveMetadata>
    <ManagementMetadata><OriginatingAgencyIdentifier>TEST</OriginatingAgencyIdentifier></ManagementMetadata>
  </DataObjectPackage>
  <ArchivalAgency><Identifier>CDG59</Identifier></ArchivalAgency>
  <TransferringAgency><Identifier>TEST</Identifier></TransferringAgency>
</ArchiveTransfer>
`, title, hex.EncodeToString(sum[:]), len(content), filename, mime)
	if err := os.WriteFile(filepath.Join(dir, "manifest.xml"), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// unzip extracts a zip package into a new folder and returns the folder.
func unzip(t testing.TB, src string) string {
	t.Helper()
	zr, err := zip.OpenReader(src)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	dir := t.TempDir()
	for _, f := range zr.File {
		dst := filepath.Join(dir, filepath.FromSlash(f.Name))
		if f.FileInfo().IsDir() {
			os.MkdirAll(dst, 0o755)
			continue
		}
		os.MkdirAll(filepath.Dir(dst), 0o755)
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		w, err := os.Create(dst)
		if err != nil {
			t.Fatal(err)
		}
		_, err = io.Copy(w, r)
		r.Close()
		w.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
