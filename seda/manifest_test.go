package seda

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/text/encoding/charmap"
)

func readString(s string) (*Transfer, error) { return ReadManifest(strings.NewReader(s)) }

// TestManifestRefusals: what ReadManifest refuses, file by file.
func TestManifestRefusals(t *testing.T) {
	obj := objectXML("O1", "Content/a.pdf", pdf)
	tests := []struct{ name, manifest, want string }{
		{"cycle through ArchiveUnitRefId", manifestXML("2.1", "",
			unitXML("AU1", "a", linkXML("L1", "AU2"))+unitXML("AU2", "b", linkXML("L2", "AU1"))+unitXML("AU0", "root", linkXML("L0", "AU1"))),
			"unit cycle: AU1 → AU2 → AU1"},
		{"unit its own child", manifestXML("2.1", "", unitXML("AU0", "root", "")+unitXML("AU1", "a", linkXML("L1", "AU1"))),
			"unit cycle: AU1 → AU1"},
		{"links in a loop", manifestXML("2.1", "", unitXML("AU0", "root", linkXML("L1", "L2"))+linkXML("L2", "L1")),
			"unit AU0: ArchiveUnitRefId L2 leads to a loop of links"},
		{"dangling ArchiveUnitRefId", manifestXML("2.1", "", unitXML("AU0", "root", linkXML("L1", "AU9"))),
			"unit AU0: ArchiveUnitRefId AU9 names no archive unit"},
		{"duplicate id", manifestXML("2.1", objectXML("AU1", "Content/a.pdf", pdf), unitXML("AU1", "a", refXML("AU1"))),
			`id "AU1" is used twice (BinaryDataObject and ArchiveUnit)`},
		{"group id taken by a unit", manifestXML("2.1",
			`<BinaryDataObject id="O1"><DataObjectGroupReferenceId>AU1</DataObjectGroupReferenceId><Uri>a</Uri>`+
				`<MessageDigest algorithm="MD5">`+strings.Repeat("0", 32)+`</MessageDigest></BinaryDataObject>`,
			unitXML("AU1", "a", refXML("O1"))), `id "AU1" is used twice (ArchiveUnit and DataObjectGroup)`},
		{"dangling DataObjectReferenceId", manifestXML("2.1", obj, unitXML("AU1", "a", refXML("O1")+refXML("O9"))),
			"unit AU1: DataObjectReferenceId O9 names no data object or group"},
		{"dangling DataObjectGroupReferenceId", manifestXML("2.1", obj, unitXML("AU1", "a",
			refXML("O1")+`<DataObjectReference><DataObjectGroupReferenceId>G9</DataObjectGroupReferenceId></DataObjectReference>`)),
			"unit AU1: DataObjectGroupReferenceId G9 names no data object or group"},
		{"object of no unit", manifestXML("2.1", obj+objectXML("O2", "Content/b.pdf", pdf), unitXML("AU1", "a", refXML("O1"))),
			"object O2 is referenced by no unit"},
		{"link with content", manifestXML("2.1", "", unitXML("AU0", "root", "")+
			`<ArchiveUnit id="L1"><ArchiveUnitRefId>AU0</ArchiveUnitRefId><Content><Title>x</Title></Content></ArchiveUnit>`),
			"unit L1 has both an ArchiveUnitRefId and content of its own"},
		{"unit without Content", manifestXML("2.1", "", `<ArchiveUnit id="AU1"/>`), "unit AU1 has no Content"},
		{"unit without id", manifestXML("2.1", "", `<ArchiveUnit><Content><Title>x</Title></Content></ArchiveUnit>`),
			"an ArchiveUnit has no id"},
		{"no unit", manifestXML("2.1", "", ""), "no root unit"},
		{"unknown digest algorithm", manifestXML("2.1", strings.Replace(obj, `algorithm="SHA-512"`, `algorithm="SHA3-256"`, 1),
			unitXML("AU1", "a", refXML("O1"))), `object O1: unsupported digest algorithm "SHA3-256"`},
		{"digest of the wrong length", manifestXML("2.1", strings.Replace(obj, sha512Hex(pdf), sha512Hex(pdf)[:64], 1),
			unitXML("AU1", "a", refXML("O1"))), "object O1: MessageDigest is neither the hex nor the base64 of a SHA-512 digest"},
		{"no digest", manifestXML("2.1", `<BinaryDataObject id="O1"><Uri>a</Uri></BinaryDataObject>`, unitXML("AU1", "a", refXML("O1"))),
			"object O1: no MessageDigest"},
		{"size not a number", manifestXML("2.1", strings.Replace(obj, "<Size>", "<Size>-", 1), unitXML("AU1", "a", refXML("O1"))),
			`object O1: Size "-`},
		{"inline attachment", manifestXML("2.1", `<BinaryDataObject id="O1"><Attachment filename="a.txt">aGVsbG8=</Attachment>`+
			`<MessageDigest algorithm="MD5">5d41402abc4b2a76b9719d911017c592</MessageDigest></BinaryDataObject>`, unitXML("AU1", "a", refXML("O1"))),
			"object O1: an inline Attachment is not supported"},
		{"unsupported version", manifestXML("9.99", "", unitXML("AU1", "a", "")), `unsupported SEDA version "v9.99" (supported: 2.0, 2.1, 2.2, 2.3)`},
		{"SEDA 1.0", manifestXML("1.0", "", ""), "SEDA 1.0 bordereau (namespace fr:gouv:culture:archivesdefrance:seda:v1.0) is not supported"},
		{"not SEDA", `<?xml version="1.0"?><ead xmlns="urn:isbn:1-931666-22-9"><eadheader/></ead>`,
			`not a SEDA manifest: root element <ead> in namespace "urn:isbn:1-931666-22-9"`},
		{"another SEDA message", `<ArchiveTransferReply xmlns="fr:gouv:culture:archivesdefrance:seda:v2.1"/>`,
			"a SEDA 2.1 ArchiveTransferReply is not a transfer"},
		{"malformed", manifestXML("2.1", "", unitXML("AU1", "a", "<Oops>")), "malformed XML in the manifest: line"},
		{"truncated", manifestXML("2.1", "", unitXML("AU1", "a", ""))[:300], "malformed XML in the manifest"},
		{"empty", "", "the manifest is empty"},
		{"text only", "just some words, no markup at all", "the manifest holds no XML element"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readString(tt.manifest)
			assertRefused(t, err, tt.want)
		})
	}
}

// TestFlatUnitsAndGroups: units listed flat and linked by reference, objects in the
// SEDA 2.0 style naming a group declared later by another object.
func TestFlatUnitsAndGroups(t *testing.T) {
	objects := `
    <PhysicalDataObject id="P1"><DataObjectGroupReferenceId>G1</DataObjectGroupReferenceId>
      <DataObjectVersion>PhysicalMaster</DataObjectVersion><PhysicalId>3 E 12</PhysicalId>
      <PhysicalDimensions><Height unit="centimetre">29.7</Height><Width unit="centimetre">21</Width></PhysicalDimensions>
    </PhysicalDataObject>
    <BinaryDataObject id="B1"><DataObjectGroupId>G1</DataObjectGroupId><Uri>Content/a.pdf</Uri>
      <MessageDigest algorithm="http://www.w3.org/2001/04/xmlenc#sha512">` + sha512Hex(pdf) + `</MessageDigest></BinaryDataObject>
    <BinaryDataObject id="B2"><Uri>Content/b.pdf</Uri>
      <MessageDigest algorithme="md5">XUFAKrxLKna5cZ2REBfFkg==</MessageDigest><Size> 5 </Size></BinaryDataObject>`
	units := unitXML("F", "Fonds", linkXML("l1", "S1")+linkXML("l2", "S2")) +
		unitXML("S1", "Série 1", linkXML("l3", "D")) +
		unitXML("S2", "Série 2", linkXML("l4", "D")+refXML("B2")) +
		unitXML("D", "Dossier", refXML("B1"))
	tr, err := readString(manifestXML("2.0", objects, units))
	if err != nil {
		t.Fatal(err)
	}
	type unit struct {
		ID                         string
		Parents, Children, Objects []string
	}
	var got []unit
	for _, u := range tr.Units {
		got = append(got, unit{u.ID, u.Parents, u.Children, u.Objects})
	}
	want := []unit{
		{"F", nil, []string{"S1", "S2"}, nil},
		{"S1", []string{"F"}, []string{"D"}, nil},
		{"S2", []string{"F"}, []string{"D"}, []string{"B2"}},
		{"D", []string{"S1", "S2"}, nil, []string{"P1", "B1"}}, // B1 brings its group, P1 first in document order
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("units (-want +got)\n%s", diff)
	}
	if diff := cmp.Diff([]string{"F"}, tr.Roots); diff != "" {
		t.Errorf("roots (-want +got)\n%s", diff)
	}
	b2 := tr.Binaries[1]
	if diff := cmp.Diff([]string{"MD5", "5d41402abc4b2a76b9719d911017c592", "SHA-512"},
		[]string{b2.DigestAlgorithm, b2.Digest, tr.Binaries[0].DigestAlgorithm}); diff != "" {
		t.Errorf("digests (-want +got)\n%s", diff)
	}
	if b2.Size != 5 || tr.Binaries[0].Size != -1 {
		t.Errorf("sizes = %d, %d; want 5 and -1 (not declared)", b2.Size, tr.Binaries[0].Size)
	}
	p := tr.Physicals[0]
	if diff := cmp.Diff(PhysicalObject{ID: "P1", GroupID: "G1", Version: "PhysicalMaster", PhysicalIDs: []string{"3 E 12"},
		Description: "Height 29.7 centimetre, Width 21 centimetre"}, *p); diff != "" {
		t.Errorf("physical object (-want +got)\n%s", diff)
	}
}

// TestUnreadableValues: what cannot be read is dropped or kept safe, and said.
func TestUnreadableValues(t *testing.T) {
	units := `<ArchiveUnit id="AU1">
      <Management>
        <AccessRule><Rule>AR048</Rule><StartDate>le 3 mars</StartDate><PreventInheritance>oui</PreventInheritance></AccessRule>
        <AppraisalRule><Rule>APP-1</Rule><StartDate>1990</StartDate><FinalAction>Keep</FinalAction></AppraisalRule>
      </Management>
      <Content><Title>Plans</Title><StartDate>vers 1850</StartDate><EndDate>1862</EndDate>
        <Writer><FullName>Eugène Haussmann</FullName><BirthDate>1809-03</BirthDate><DeathDate>1891-01-11</DeathDate></Writer>
      </Content></ArchiveUnit>`
	tr, err := readString(manifestXML("2.1", "", units))
	if err != nil {
		t.Fatal(err)
	}
	u := tr.Units[0]
	wantRules := map[Category]*RuleSet{
		AccessRule:    {Rules: []Rule{{ID: "AR048"}}},                                                    // no start: the rule never ends, fail closed
		AppraisalRule: {Rules: []Rule{{ID: "APP-1", StartDate: day("1990-12-31")}}, FinalAction: "Keep"}, // a year: its last day
	}
	if diff := cmp.Diff(wantRules, u.Management.Rules); diff != "" {
		t.Errorf("rules (-want +got)\n%s", diff)
	}
	type dates struct {
		Start, End, Birth *time.Time
		Litteral          string
	}
	if diff := cmp.Diff(dates{nil, day("1862-12-31"), day("1809-03-31"), "vers 1850"},
		dates{u.StartDate, u.EndDate, u.Persons[0].BirthDate, u.DateLitteral}); diff != "" {
		t.Errorf("dates (-want +got)\n%s", diff)
	}
	wantWarnings := []string{
		`unit AU1: AccessRule AR048: StartDate "le 3 mars" is not a date: ignored`,
		`unit AU1: AccessRule: PreventInheritance "oui" is not a boolean: read as false`,
		`unit AU1: StartDate "vers 1850" is not a date: ignored`,
	}
	if diff := cmp.Diff(wantWarnings, tr.Warnings); diff != "" {
		t.Errorf("warnings (-want +got)\n%s", diff)
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		side periodSide
		want string // "" when not a date
	}{
		{"2016-12-12", periodStart, "2016-12-12"},
		{"2016-12-12T14:44:36", periodStart, "2016-12-12"},
		{"2016-12-12T23:44:36.819+01:00", periodStart, "2016-12-12"}, // the date as written, not shifted
		{"2016-12-12T00:30:00-05:00", periodEnd, "2016-12-12"},
		{"2015-12-14T08:28:00.0Z", periodStart, "2015-12-14"},
		{"2016-12-12Z", periodStart, "2016-12-12"},
		{"1850", periodStart, "1850-01-01"},
		{"1850", periodEnd, "1850-12-31"},
		{"1900-02", periodEnd, "1900-02-28"},
		{"2024-02", periodEnd, "2024-02-29"},
		{"1700-01-01", periodEnd, "1700-01-01"},
		{"2023-02-29", periodStart, ""},
		{"2016-13-01", periodStart, ""},
		{"2016-12-12T25:00:00", periodStart, ""},
		{"0000-01-01", periodStart, ""},
		{"12/03/1850", periodStart, ""},
		{"XXe siècle", periodStart, ""},
		{"22:44 24/10/11", periodStart, ""},
		{"", periodStart, ""},
	}
	for _, tt := range tests {
		d, ok := parseDate(tt.in, tt.side)
		got := ""
		if ok {
			got = d.Format(time.DateOnly)
			if d.Location() != time.UTC || d.Hour() != 0 {
				t.Errorf("parseDate(%q) = %v, want midnight UTC", tt.in, d)
			}
		}
		if got != tt.want {
			t.Errorf("parseDate(%q, %v) = %q, want %q", tt.in, tt.side, got, tt.want)
		}
	}
}

func TestDigestNormalisation(t *testing.T) {
	sha256Hello := "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
	tests := []struct{ alg, value, wantAlg, wantHex string }{
		{"SHA-512", strings.ToUpper(sha512Hex(pdf)), "SHA-512", sha512Hex(pdf)},
		{"SHA512", sha512Hex(pdf), "SHA-512", sha512Hex(pdf)},
		{"sha-256", sha256Hello, "SHA-256", sha256Hello},
		{"http://www.w3.org/2001/04/xmlenc#sha256", "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=", "SHA-256", sha256Hello},
		{"http://www.w3.org/2001/04/xmlenc#sha256", " LPJNul+wow4m6DsqxbninhsW\n  Hlwfp0JecwQzYpOLmCQ ", "SHA-256", sha256Hello},
		{"http://www.w3.org/2000/09/xmldsig#sha1", "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d", "SHA-1", "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"},
		{"http://www.w3.org/2001/04/xmldsig-more#md5", "5d41402abc4b2a76b9719d911017c592", "MD5", "5d41402abc4b2a76b9719d911017c592"},
		{"SHA-384", strings.Repeat("ab", 48), "SHA-384", strings.Repeat("ab", 48)},
		{"SHA-3", sha256Hello, "", ""},
		{"SHA-256", sha256Hello[:62], "SHA-256", ""},
		{"SHA-256", strings.Repeat("zz", 32), "SHA-256", ""},
	}
	for _, tt := range tests {
		alg, ok := digestAlgorithm(tt.alg)
		if !ok {
			alg = ""
		}
		got, _ := digestHex(alg, tt.value)
		if alg != tt.wantAlg || got != tt.wantHex {
			t.Errorf("digest(%q, %q) = %q, %q; want %q, %q", tt.alg, tt.value, alg, got, tt.wantAlg, tt.wantHex)
		}
	}
}

// TestLatin1Manifest: an ISO-8859-1 manifest, as older producers write them.
func TestLatin1Manifest(t *testing.T) {
	src := strings.Replace(manifestXML("2.1", "", unitXML("AU1", "Délibérations du conseil, été 1912", "")),
		`encoding="UTF-8"`, `encoding="ISO-8859-1"`, 1)
	latin1, err := charmap.ISO8859_1.NewEncoder().String(src)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := ReadManifest(bytes.NewReader([]byte(latin1)))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := tr.Units[0].Title(), "Délibérations du conseil, été 1912"; got != want {
		t.Errorf("title = %q, want %q", got, want)
	}
}

// TestExtensionsSkipped: elements of other namespaces are not read, even when they hold
// SEDA-looking elements.
func TestExtensionsSkipped(t *testing.T) {
	units := unitXML("AU1", "Registre", `<ext:Annexe xmlns:ext="urn:example:ext"><ArchiveUnit id="X"><Content><Title>intrus</Title></Content></ArchiveUnit></ext:Annexe>`) +
		`<ext:Unit xmlns:ext="urn:example:ext" id="Y"><Title>intrus</Title></ext:Unit>`
	tr, err := readString(manifestXML("2.3", "", units))
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Units) != 1 || tr.Units[0].ID != "AU1" || len(tr.Units[0].Children) != 0 {
		t.Errorf("units = %+v, want AU1 alone", tr.Units)
	}
}

// TestDeepGraphs: a very deep nesting or a very long chain of links must not exhaust the
// stack (both walks are iterative), and a long cycle is named without flooding the reason.
func TestDeepGraphs(t *testing.T) {
	nested := func(n int) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, `<ArchiveUnit id="N%d"><Content><Title>niveau %d</Title></Content>`, i, i)
		}
		b.WriteString(strings.Repeat("</ArchiveUnit>", n))
		return manifestXML("2.1", "", b.String())
	}
	tr, err := readString(nested(9000))
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Units) != 9000 || len(tr.Roots) != 1 || tr.Units[8999].Parents[0] != "N8998" {
		t.Errorf("nested: %d units, roots %v", len(tr.Units), tr.Roots)
	}
	// encoding/xml stops at 10000 nested elements: a refusal, not a crash.
	_, err = readString(nested(20000))
	assertRefused(t, err, "malformed XML in the manifest: exceeded max depth")

	const n = 50000

	var chain strings.Builder
	for i := 0; i < n; i++ {
		chain.WriteString(unitXML(fmt.Sprint("C", i), "maillon", linkXML(fmt.Sprint("L", i), fmt.Sprint("C", (i+1)%n))))
	}
	chain.WriteString(unitXML("R", "racine", linkXML("LR", "C0")))
	_, err = readString(manifestXML("2.1", "", chain.String()))
	assertRefused(t, err, "unit cycle: C0 → C1 → C2 → C3 → C4 → … → C49996 → C49997 → C49998 → C49999 → C0")
}
