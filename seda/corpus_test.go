package seda

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// corpus is a path in the shared test data.
func corpus(parts ...string) string {
	return filepath.Join(append([]string{"..", "..", "shared", "testdata", "seda"}, parts...)...)
}

// openVerified opens and verifies a package, closing it when the test ends.
func openVerified(t *testing.T, path string) *Package {
	t.Helper()
	p, err := Open(path, Limits{})
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { p.Close() })
	if err := p.Verify(context.Background()); err != nil {
		t.Fatalf("Verify(%s): %v", path, err)
	}
	return p
}

func unitByID(t *testing.T, tr *Transfer, id string) *Unit {
	t.Helper()
	for _, u := range tr.Units {
		if u.ID == id {
			return u
		}
	}
	t.Fatalf("no unit %s", id)
	return nil
}

func unitByTitle(t *testing.T, tr *Transfer, title string) *Unit {
	t.Helper()
	for _, u := range tr.Units {
		if u.Title() == title {
			return u
		}
	}
	t.Fatalf("no unit titled %q", title)
	return nil
}

func day(s string) *time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return &d
}

// TestCorpusOpens opens (and verifies, when the package holds bytes) every valid sample
// of the shared corpus, and checks its counts.
//
// The expected numbers come from SOURCES.md's "parsed features": au, roots, bdo, pdo as
// given there. SOURCES counts every ArchiveUnit element, including the elements that
// hold only an ArchiveUnitRefId; those are links, not units, so the units expected are
// au − links, links being the number of such elements, counted in each manifest by hand
// (an ArchiveUnitRefId inside Content/RelatedObjectReference is not a link).
func TestCorpusOpens(t *testing.T) {
	tests := []struct {
		path                       string
		kind, version              string
		au, links, roots, bdo, pdo int
	}{
		{"sip/itests__EliminationAnalysis-SIP-Service_Financier.zip", "zip", "2.1", 13, 6, 3, 1, 0},
		{"sip/itests__OK_ARBO_rateau_MD_complexes.zip", "zip", "2.1", 33, 16, 1, 10, 0},
		{"sip/itests__OK_PREVENT_INHERITANCE.zip", "zip", "2.1", 21, 3, 3, 3, 0},
		{"sip/itests__OK_RULES_COMPLEXE_COMPLETE.zip", "zip", "2.1", 53, 25, 6, 4, 0},
		{"sip/itests__OK_SIP_1000_AU.zip", "zip", "2.1", 1500, 500, 500, 0, 0},
		{"sip/itests__OK_SIP_2_GO.tar.gz", "tar.gz", "2.1", 13, 6, 1, 4, 0},
		{"sip/itests__OK_SIP_2_GO.zip", "zip", "2.1", 13, 6, 1, 4, 0},
		{"sip/itests__OK_SIP_SRC1_DATES_EXTREMES_OBJETS.zip", "zip", "2.1", 5, 0, 1, 3, 0},
		{"sip/itests__OK_SIP_test_differentes_langues.zip", "zip", "2.1", 7, 3, 1, 3, 0},
		{"sip/sedatools__OK_468.zip", "zip", "2.1", 5, 0, 1, 2, 0},
		{"sip/sedatools__TestSip.zip", "zip", "2.1", 26, 4, 1, 14, 1},
		{"sip/vitam__OK_ArchivesPhysiques.zip", "zip", "2.1", 1, 0, 1, 1, 1},
		{"sip/vitam__OK_SEDA_2.1_SigningInformationAsExtension.zip", "zip", "2.1", 3, 1, 1, 2, 0},
		{"sip/vitam__OK_SIP_ARK.zip", "zip", "2.1", 2, 0, 2, 2, 0},
		{"sip/vitam__OK_SIP_FULL_SEDA2.2.zip", "zip", "2.2", 9, 4, 1, 4, 1},
		{"sip/vitam__OK_SIP_sans_objet.zip", "zip", "2.1", 17, 9, 1, 0, 0},
		{"sip/vitam__SIP_INIT_maj-au.zip", "zip", "2.1", 6, 2, 2, 1, 0},
		{"sip/vitam__SIP_MAIL.zip", "zip", "2.1", 53, 26, 1, 41, 0},
		{"sip/vitam__SIP_seda2.0_ihm-demo.zip", "zip", "2.0", 1, 0, 1, 4, 1},
		{"sip/vitam__WARNING_SIP_mail_Seda2.2.zip", "zip", "2.2", 7, 3, 1, 1, 0},
		{"sip/vitam__cookbook_signing_4_arborescence_rateau_SIP", "dir", "2.3", 9, 4, 1, 5, 0},
		{"sip/vitam__dossier_nicolas_perrin_demo_IT16.zip", "zip", "2.1", 22, 11, 1, 3, 0},
		{"sip/vitam__sip_all_metadata_with_custodialhistoryfile.zip", "zip", "2.3", 14, 2, 10, 23, 11},
		{"manifest-only/pastell__bordereau_seda2.2.xml", "manifest", "2.2", 3, 0, 1, 1, 0},
		{"manifest-only/sedatools__SampleWithLinkHierarchicalManifest.xml", "manifest", "2.1", 26, 4, 1, 14, 1},
		{"manifest-only/vitam__OK_SIP_ADD_AU_LINK_manifest.xml", "manifest", "2.1", 5, 0, 2, 1, 1},
		{"manifest-only/vitam__manifestContainsAgentOK.xml", "manifest", "2.1", 9, 4, 1, 4, 1},
		{"manifest-only/vitam__manifestContainsPersistentIdentifierOK-2.2.xml", "manifest", "2.2", 9, 4, 1, 4, 1},
		{"manifest-only/vitamui__ODT_report_manifest.xml", "manifest", "2.1", 499, 249, 1, 244, 0},
		{"other/sedatools__TestDIP.zip", "zip", "2.1", 105, 52, 1, 52, 0},
	}
	type counts struct {
		Kind, Version                        string
		Units, Roots, Binaries, Physicals    int
		Present, Verified, ManifestSumLength int
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.path), func(t *testing.T) {
			p := openVerified(t, corpus(tt.path))
			tr := p.Transfer()
			got := counts{p.Kind(), tr.Version, len(tr.Units), len(tr.Roots), len(tr.Binaries), len(tr.Physicals),
				0, 0, len(p.ManifestSHA256())}
			for _, o := range tr.Binaries {
				if o.Present {
					got.Present++
				}
				if len(o.SHA256) == 64 && o.ActualSize > 0 {
					got.Verified++
				}
			}
			want := counts{tt.kind, tt.version, tt.au - tt.links, tt.roots, tt.bdo, tt.pdo, tt.bdo, tt.bdo, 64}
			if tt.kind == KindManifest {
				want.Present, want.Verified = 0, 0
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

// TestCorpusRefusals refuses every sample of invalid/ (at Open or at Verify) with a
// reason that names what SOURCES.md says is wrong.
func TestCorpusRefusals(t *testing.T) {
	tests := []struct{ path, want string }{
		{"invalid/itests__KO_BORD_empreinte_KO.zip", "object ID018: size mismatch (declared 58933, actual 29403) and MD5 digest mismatch"},
		{"invalid/itests__KO_BORD_mauvais_format.zip", "manifest.xml is not XML: it is a PDF document"},
		{"invalid/itests__KO_CYCLE.zip", "unit cycle: ID6 → ID8 → ID10 → ID12 → ID14 → ID16 → ID18 → ID20 → ID22 → ID24 → ID6"},
		{"invalid/itests__KO_DEUX-Manifest.zip", "two manifests: manifest-copy.xml and manifest.xml"},
		{"invalid/itests__KO_FILE_extension_caractere_special.zip", `object ID19: Uri "Content/ID19.txt#" contains "#"`},
		{"invalid/itests__KO_MANIFESTE-URI.zip", `object ID5: Uri "Toto/ID5.pdf" not found in the package`},
		{"invalid/itests__KO_SIP_Mauvais_Format.pdf", "not a SEDA package: a PDF document"},
		{"invalid/vitam__KO_SIP_INSUPPORTED_SEDA_VERSION.zip", `unsupported SEDA version "v9.99" (supported: 2.0, 2.1, 2.2, 2.3)`},
		{"invalid/vitam__SIP_KO_PathTraversalInFileName.zip", `archive entry "../../BadFile.txt" escapes the package`},
		{"invalid/vitam__SIP_no_manifest.zip", "not a SEDA package: no manifest.xml at the root"},
		{"invalid/vitam__empty_zip.zip", "empty archive"},
		{"other/cd56__bordereau-PESV2_DEP56-1.xml", "SEDA 0.2 bordereau (namespace fr:gouv:ae:archive:draft:standard_echange_v0.2) is not supported"},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.path), func(t *testing.T) {
			assertRefused(t, openAndVerify(corpus(tt.path), Limits{}), tt.want)
		})
	}
}

func openAndVerify(path string, lim Limits) error {
	p, err := Open(path, lim)
	if err != nil {
		return err
	}
	defer p.Close()
	return p.Verify(context.Background())
}

func assertRefused(t *testing.T, err error, want string) {
	t.Helper()
	var re *RefusalError
	if !errors.As(err, &re) {
		t.Fatalf("got %v (%T), want a refusal containing %q", err, err, want)
	}
	if !strings.Contains(re.Reason, want) {
		t.Errorf("refusal %q does not contain %q", re.Reason, want)
	}
	if strings.Contains(re.Reason, "\n") {
		t.Errorf("refusal %q is not one line", re.Reason)
	}
}

func TestPreventInheritance(t *testing.T) {
	tr := openVerified(t, corpus("sip/itests__OK_PREVENT_INHERITANCE.zip")).Transfer()
	if diff := cmp.Diff([]string{"AU11", "AU31", "AU41"}, tr.Roots); diff != "" {
		t.Errorf("roots (-want +got)\n%s", diff)
	}
	tests := []struct {
		unit     string
		category Category
		want     *RuleSet
	}{
		{"AU11", AccessRule, &RuleSet{Rules: []Rule{{ID: "ACC-00001", StartDate: day("2017-01-01")}}}},
		{"AU12", StorageRule, &RuleSet{PreventInheritance: true, FinalAction: "Copy"}},
		{"AU13", StorageRule, &RuleSet{Rules: []Rule{{ID: "R3", StartDate: day("2017-03-01")}}, FinalAction: "RestrictAccess"}},
		{"AU34", StorageRule, &RuleSet{Rules: []Rule{{ID: "R4", StartDate: day("2017-04-01")}},
			PreventInheritance: true, FinalAction: "RestrictAccess"}},
		{"AU42", AccessRule, &RuleSet{PreventInheritance: true}},
		{"AU43", AccessRule, nil},
	}
	for _, tt := range tests {
		got := unitByID(t, tr, tt.unit).Management.Rules[tt.category]
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s %s (-want +got)\n%s", tt.unit, tt.category, diff)
		}
	}
	// AU16 is listed at the top and attached under AU14 by a link placed before AU15.
	au14 := unitByID(t, tr, "AU14")
	if diff := cmp.Diff([]string{"AU16", "AU15"}, au14.Children); diff != "" {
		t.Errorf("AU14 children (-want +got)\n%s", diff)
	}
}

func TestMultipleParents(t *testing.T) {
	tests := []struct {
		path, title  string
		parentTitles []string
	}{
		{"sip/itests__OK_RULES_COMPLEXE_COMPLETE.zip", "Saint-Lazare", []string{"Carrefour Pleyel", "Marx Dormoy"}},
		{"sip/vitam__dossier_nicolas_perrin_demo_IT16.zip", "Certificat de nationalité",
			[]string{"Liste des certificats de nationalités des agents", "Etat civil"}},
		// A link (ID19's) names another link (ID23), which names the unit.
		{"sip/vitam__OK_SIP_sans_objet.zip", "0-0-0.jpg", []string{"SHDGR__GR_4_H_1__002_0000", "SHDGR__GR_4_H_3__001_0000"}},
	}
	for _, tt := range tests {
		tr := openVerified(t, corpus(tt.path)).Transfer()
		u := unitByTitle(t, tr, tt.title)
		var got []string
		for _, id := range u.Parents {
			parent := unitByID(t, tr, id)
			got = append(got, parent.Title())
			if !containsString(parent.Children, u.ID) {
				t.Errorf("%s: parent %s does not list %s as a child", tt.path, id, u.ID)
			}
		}
		if diff := cmp.Diff(tt.parentTitles, got); diff != "" {
			t.Errorf("%s: parents of %q (-want +got)\n%s", tt.path, tt.title, diff)
		}
	}
}

func TestPersonsAndIdentifiers(t *testing.T) {
	tr := openVerified(t, corpus("sip/vitam__sip_all_metadata_with_custodialhistoryfile.zip")).Transfer()
	u := unitByID(t, tr, "ID01")
	if got, want := u.Cote(), "1 Num 1/204-3"; got != want {
		t.Errorf("cote = %q, want %q", got, want)
	}
	if got, want := u.Title(), "Chemin des dames - Le château de la Motte"; got != want {
		t.Errorf("title = %q, want %q", got, want)
	}
	if diff := cmp.Diff(Text{Lang: "en", Value: "Chemin des dames - The Castle of La Motte"}, u.Titles[1]); diff != "" {
		t.Errorf("English title (-want +got)\n%s", diff)
	}
	var signer *Person
	for i, p := range u.Persons {
		if p.Role == "Signer" {
			signer = &u.Persons[i]
		}
	}
	if signer == nil {
		t.Fatalf("no Signer among %v", u.Persons)
	}
	type life struct {
		Name, BirthPlace string
		Birth, Death     *time.Time
	}
	got := life{signer.Name(), signer.BirthPlace, signer.BirthDate, signer.DeathDate}
	want := life{"Fulgence Marie Auguste Bienvenüe", "Uzel, Place de la Mairie, 22460, Bretagne, France",
		day("1852-01-27"), day("1936-08-03")}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("signer (-want +got)\n%s", diff)
	}
	if got, want := unitByID(t, tr, "ID04").Management.Rules[ClassificationRule].ClassificationLevel, "Secret Défense"; got != want {
		t.Errorf("classification level = %q, want %q", got, want)
	}
	if diff := cmp.Diff([]string{"ACC-00001"}, u.Management.Rules[AccessRule].RefNonRuleIDs); diff != "" {
		t.Errorf("RefNonRuleId (-want +got)\n%s", diff)
	}
}

func TestNonLatinTitles(t *testing.T) {
	tr := openVerified(t, corpus("sip/itests__OK_SIP_test_differentes_langues.zip")).Transfer()
	for _, title := range []string{"русский", "日本の", "ağaç"} {
		unitByTitle(t, tr, title)
	}
}

func TestDatesAndHoldRule(t *testing.T) {
	tr := openVerified(t, corpus("sip/itests__OK_SIP_SRC1_DATES_EXTREMES_OBJETS.zip")).Transfer()
	u := unitByTitle(t, tr, "Liste des armements")
	if diff := cmp.Diff([]*time.Time{day("1700-01-01"), day("1700-01-02")}, []*time.Time{u.StartDate, u.EndDate}); diff != "" {
		t.Errorf("extreme dates (-want +got)\n%s", diff)
	}

	tr = openVerified(t, corpus("sip/vitam__WARNING_SIP_mail_Seda2.2.zip")).Transfer()
	u = unitByID(t, tr, "ID3")
	if diff := cmp.Diff(day("2015-12-14"), u.SentDate); diff != "" { // written 2015-12-14T08:28:00.0Z
		t.Errorf("SentDate (-want +got)\n%s", diff)
	}
	if u.DateLitteral != "XXème siècle" {
		t.Errorf("DateLitteral = %q", u.DateLitteral)
	}
	wantHold := &RuleSet{Rules: []Rule{{ID: "HOL-00002", StartDate: day("2000-01-01"), HoldEndDate: day("2010-01-01"),
		HoldOwner: "Owner", HoldReason: "Reason"}}}
	if diff := cmp.Diff(wantHold, u.Management.Rules[HoldRule]); diff != "" {
		t.Errorf("HoldRule (-want +got)\n%s", diff)
	}
	if got := tr.Binaries[0].DigestAlgorithm; got != "MD5" {
		t.Errorf("digest algorithm = %q, want MD5", got)
	}
}

// TestObjectGroups checks that a unit gets every object of the groups it references,
// whether objects sit in DataObjectGroup elements or name their group (2.0/2.1 style),
// or both, as in this 2.2 sample.
func TestObjectGroups(t *testing.T) {
	tr := openVerified(t, corpus("sip/vitam__OK_SIP_FULL_SEDA2.2.zip")).Transfer()
	got := map[string][]string{}
	for _, u := range tr.Units {
		got[u.ID] = u.Objects
	}
	want := map[string][]string{
		"ID3":  {"ID7", "ID11", "IDPHY2", "ID18"}, // ID18 is outside the group element, joins it by reference
		"ID4":  nil,
		"ID8":  nil,
		"ID12": {"ID7", "ID11", "IDPHY2", "ID18"},
		"ID14": {"ID17"}, // ID17 is in group ID30 and also names a group ID16: one group
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("unit objects (-want +got)\n%s", diff)
	}
	groups := map[string]string{}
	for _, o := range tr.Binaries {
		groups[o.ID] = o.GroupID
	}
	for _, o := range tr.Physicals {
		groups[o.ID] = o.GroupID
	}
	if diff := cmp.Diff(map[string]string{"ID7": "ID6", "ID11": "ID6", "ID18": "ID6", "ID17": "ID30", "IDPHY2": "ID6"}, groups); diff != "" {
		t.Errorf("groups (-want +got)\n%s", diff)
	}
	mm := tr.Management
	if mm.OriginatingAgencyIdentifier != "FRAN_NP_009913" || mm.LegalStatus != "Private Archive" ||
		mm.Rules.Rules[ClassificationRule].ClassificationLevel != "Secret Défense" {
		t.Errorf("ManagementMetadata = %+v", mm)
	}
}

// TestSizeCorrected: the declared Size of one object is wrong but its digest is right;
// the package is accepted, the size measured is kept, and the warning says so.
func TestSizeCorrected(t *testing.T) {
	tr := openVerified(t, corpus("sip/vitam__SIP_seda2.0_ihm-demo.zip")).Transfer()
	var o *BinaryObject
	for _, b := range tr.Binaries {
		if b.ID == "ID014" {
			o = b
		}
	}
	if o == nil || o.Size != 17120 || o.ActualSize != 18079 {
		t.Fatalf("ID014 = %+v, want declared 17120 and actual 18079", o)
	}
	if len(tr.Warnings) != 1 || !strings.Contains(tr.Warnings[0], "object ID014: declared Size 17120") {
		t.Errorf("warnings = %q", tr.Warnings)
	}
	reuse := unitByID(t, tr, "ID015").Management.Rules[ReuseRule]
	if diff := cmp.Diff(&RuleSet{Rules: []Rule{{ID: "Rule8"}, {ID: "Rule9"}}}, reuse); diff != "" {
		t.Errorf("ReuseRule (-want +got)\n%s", diff)
	}
}

func TestBareManifest(t *testing.T) {
	p := openVerified(t, corpus("manifest-only/pastell__bordereau_seda2.2.xml"))
	tr := p.Transfer()
	o := tr.Binaries[0]
	type object struct {
		Alg, Digest, URI string
		Present          bool
	}
	if diff := cmp.Diff(object{"SHA-256", "3e2a692af6201c48882316d4c23377f134d7c41cb9a38aa2dc5076a3d12db36a", "vide.pdf", false},
		object{o.DigestAlgorithm, o.Digest, o.URI, o.Present}); diff != "" {
		t.Errorf("object (-want +got)\n%s", diff)
	}
	if _, err := p.OpenObject(o); !errors.Is(err, ErrAbsent) {
		t.Errorf("OpenObject of an absent object: %v, want ErrAbsent", err)
	}
	root := unitByID(t, tr, tr.Roots[0])
	if diff := cmp.Diff(&RuleSet{Rules: []Rule{{ID: "AR048", StartDate: day("2024-08-23")}}}, root.Management.Rules[AccessRule]); diff != "" {
		t.Errorf("AccessRule (-want +got)\n%s", diff)
	}
	if diff := cmp.Diff(&Agency{Identifier: "Pastell_SA", Name: "Pastell"}, root.OriginatingAgency); diff != "" {
		t.Errorf("OriginatingAgency (-want +got)\n%s", diff)
	}
	raw, err := os.ReadFile(corpus("manifest-only/pastell__bordereau_seda2.2.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.ManifestSHA256(), sha256Hex(raw); got != want {
		t.Errorf("ManifestSHA256 = %s, want %s", got, want)
	}
}

// TestPackageForms reads the same SIP as a zip and as a tar.gz, and a folder package.
func TestPackageForms(t *testing.T) {
	for _, path := range []string{"sip/itests__OK_SIP_2_GO.zip", "sip/itests__OK_SIP_2_GO.tar.gz"} {
		p := openVerified(t, corpus(path))
		if got, want := p.ManifestSHA256(), sha256Hex(manifestOf(t, corpus(path))); got != want {
			t.Errorf("%s: ManifestSHA256 = %s, want %s", path, got, want)
		}
		for _, o := range p.Transfer().Binaries {
			rc, err := p.OpenObject(o)
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(rc)
			rc.Close()
			if err != nil || sha256Hex(b) != o.SHA256 || int64(len(b)) != o.ActualSize {
				t.Errorf("%s: object %s read back %d bytes (%v), want %d with SHA-256 %s", path, o.ID, len(b), err, o.ActualSize, o.SHA256)
			}
		}
	}
	tr := openVerified(t, corpus("sip/vitam__cookbook_signing_4_arborescence_rateau_SIP")).Transfer()
	u := unitByID(t, tr, "ID12")
	if len(u.Persons) != 1 || u.Persons[0].Role != "Signer" || u.Persons[0].Name() != "Caroline DISTRIQUIN" {
		t.Errorf("persons of ID12 = %+v, want the signer Caroline DISTRIQUIN", u.Persons)
	}
}

// TestDeliveryAccepted: a Vitam DIP carries the same package as a transfer.
func TestDeliveryAccepted(t *testing.T) {
	tr := openVerified(t, corpus("other/sedatools__TestDIP.zip")).Transfer()
	root := unitByID(t, tr, tr.Roots[0])
	type got struct{ Message, Title, Cote, Producer string }
	if diff := cmp.Diff(got{"ArchiveDeliveryRequestReply", "Assemblée nationale", "20130456/1", "KARINE_GILBERT"},
		got{tr.Message, root.Title(), root.Cote(), tr.Management.OriginatingAgencyIdentifier}); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// manifestOf reads the manifest of a corpus item with the standard library only.
func manifestOf(t testing.TB, path string) []byte {
	t.Helper()
	b, err := manifestBytes(path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return b
}

func manifestBytes(path string) ([]byte, error) {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return os.ReadFile(filepath.Join(path, "manifest.xml"))
	}
	switch {
	case strings.HasSuffix(path, ".zip"):
		zr, err := zip.OpenReader(path)
		if err != nil {
			return nil, err
		}
		defer zr.Close()
		rc, err := zr.Open("manifest.xml")
		if err != nil {
			return nil, err
		}
		defer rc.Close()
		return io.ReadAll(rc)
	case strings.HasSuffix(path, ".tar.gz"):
		raw, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		gz, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, err
		}
		tr := tar.NewReader(gz)
		for {
			hdr, err := tr.Next()
			if err != nil {
				return nil, err
			}
			if filepath.Base(hdr.Name) == "manifest.xml" {
				return io.ReadAll(tr)
			}
		}
	}
	return os.ReadFile(path)
}

// TestExistingUnits: units that stand for units already in the archive (Vitam's
// UpdateOperation) are flagged, not silently imported as new ones.
func TestExistingUnits(t *testing.T) {
	tr := openVerified(t, corpus("manifest-only/vitam__OK_SIP_ADD_AU_LINK_manifest.xml")).Transfer()
	if diff := cmp.Diff(&ExistingUnit{SystemID: "GUID_ARCHIVE_UNIT_PARENT"}, unitByID(t, tr, "ID24").Existing); diff != "" {
		t.Errorf("ID24 (-want +got)\n%s", diff)
	}
	if e := unitByID(t, tr, "ID015").Existing; e != nil {
		t.Errorf("ID015 is a new unit, got Existing = %+v", e)
	}
	tr = openVerified(t, corpus("sip/itests__EliminationAnalysis-SIP-Service_Financier.zip")).Transfer()
	want := &ExistingUnit{MetadataName: "Title", MetadataValue: "Besoin des Forces(élimination)"}
	if diff := cmp.Diff(want, unitByID(t, tr, "ID355").Existing); diff != "" {
		t.Errorf("ID355 (-want +got)\n%s", diff)
	}
}
