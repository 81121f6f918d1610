package seda

import (
	"testing"

	"golang.org/x/text/unicode/norm"
)

// TestNFDFileNames: a zip made on macOS names "Délibération.pdf" in normal form D (e +
// combining accent) where the manifest writes the precomposed é; the file is found.
// Two files whose names differ only so make the Uri ambiguous: refused.
func TestNFDFileNames(t *testing.T) {
	nfc := "Content/Délibération été.pdf"
	nfd := norm.NFD.String(nfc)
	if nfd == nfc {
		t.Fatal("the test name has no decomposable character")
	}
	for _, c := range []struct{ name, uri, entry string }{
		{"NFC Uri, NFD entry", nfc, nfd},
		{"NFD Uri, NFC entry", nfd, nfc},
		{"escaped NFC Uri, NFD entry", "Content/D%C3%A9lib%C3%A9ration%20%C3%A9t%C3%A9.pdf", nfd},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := manifestXML("2.1", objectXML("O1", c.uri, pdf), unitXML("U1", "Délibération", refXML("O1")))
			p := openVerified(t, writeZip(t, file{name: "manifest.xml", body: []byte(m)}, file{name: c.entry, body: pdf}))
			if o := p.Transfer().Binaries[0]; !o.Present || o.ActualSize != int64(len(pdf)) {
				t.Errorf("object %+v not found and verified", o)
			}
		})
	}
	m := manifestXML("2.1", objectXML("O1", nfc, pdf), unitXML("U1", "Délibération", refXML("O1")))
	_, err := Open(writeZip(t, file{name: "manifest.xml", body: []byte(m)}, file{name: nfd, body: pdf},
		file{name: norm.NFD.String("Content/Délibération") + " été.pdf", body: pdf}), Limits{})
	assertRefused(t, err, "differ only in Unicode normalisation")
}
