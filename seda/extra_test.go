package seda

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func readExtra(t *testing.T, name string) *Transfer {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "extra", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr, err := ReadManifest(f)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return tr
}

// TestExtraManifests reads real manifests gathered outside the shared corpus (see
// testdata/extra/SOURCES.md).
func TestExtraManifests(t *testing.T) {
	type summary struct {
		Version                           string
		Units, Roots, Binaries, Physicals int
		FirstTitle, Producer, Warnings    string
	}
	tests := []struct {
		file string
		want summary
	}{
		{"culturecommunication__docuteam_seda2.3_manifest.xml", summary{"2.3", 5, 1, 1, 0, "Racine", "origin", ""}},
		{"vitam__holding_manifest_2.3.xml", summary{"2.3", 6, 1, 0, 0, "Grand Parent", "", ""}},
		{"vitam__sip-bdo-orphan-ok2_seda2.0.xml", summary{"2.0", 1, 1, 1, 1, "Sensibilisation API", "", ""}},
		{"vitam__R16_HoldRules_ManagementMetadata_manifest.xml", summary{"2.1", 8, 3, 0, 0, "Unit1", "Vitam", ""}},
		{"vitam__cookbook_signing_7_extensions_manifest.xml", summary{"2.3", 1, 1, 1, 0, "Document", "changeIt", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			tr := readExtra(t, tt.file)
			got := summary{tr.Version, len(tr.Units), len(tr.Roots), len(tr.Binaries), len(tr.Physicals),
				tr.Units[0].Title(), tr.Management.OriginatingAgencyIdentifier, ""}
			for _, w := range tr.Warnings {
				got.Warnings += w + "\n"
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

func TestExtraDocuteam(t *testing.T) {
	tr := readExtra(t, "culturecommunication__docuteam_seda2.3_manifest.xml")
	root := unitByID(t, tr, tr.Roots[0])
	if got, want := root.Cote(), "Cote Archives"; got != want {
		t.Errorf("cote = %q, want %q", got, want)
	}
	want := &RuleSet{Rules: []Rule{{ID: "règle haut niveau", StartDate: day("2019-01-03")}}}
	if diff := cmp.Diff(want, tr.Management.Rules.Rules[AccessRule]); diff != "" {
		t.Errorf("default AccessRule (-want +got)\n%s", diff)
	}
	leaf := unitByTitle(t, tr, "panorama")
	if diff := cmp.Diff([]string{"ID20240711105011141"}, leaf.Objects); diff != "" { // referenced twice, listed once
		t.Errorf("objects (-want +got)\n%s", diff)
	}
	o := tr.Binaries[0]
	if o.DigestAlgorithm != "SHA-256" || o.Size != 12268142 || o.Present {
		t.Errorf("object = %+v", o)
	}
	if got := unitByTitle(t, tr, "Niveau 1").Titles[0].Lang; got != "de" {
		t.Errorf("lang of Niveau 1 = %q, want de", got)
	}
}

func TestExtraHolding(t *testing.T) {
	tr := readExtra(t, "vitam__holding_manifest_2.3.xml")
	parent := unitByTitle(t, tr, "Parent")
	var children []string
	for _, id := range parent.Children {
		children = append(children, unitByID(t, tr, id).Title())
	}
	if diff := cmp.Diff([]string{"Child A", "Child B", "Child C", "Child D"}, children); diff != "" {
		t.Errorf("children (-want +got)\n%s", diff)
	}
	if gp := unitByTitle(t, tr, "Grand Parent"); len(gp.Persons) != 1 || gp.Persons[0].Role != "Agent" ||
		gp.Persons[0].Function != "Ajout SEDA 2.2" {
		t.Errorf("Grand Parent persons = %+v, want the Agent in AgentGroup", gp.Persons)
	}
	want := &RuleSet{Rules: []Rule{{ID: "HOL-00002", StartDate: day("2000-01-01"), HoldEndDate: day("2010-01-01"),
		HoldOwner: "Owner", HoldReason: "Reason"}}}
	if diff := cmp.Diff(want, tr.Management.Rules.Rules[HoldRule]); diff != "" {
		t.Errorf("HoldRule (-want +got)\n%s", diff)
	}
}

func TestExtraSEDA20(t *testing.T) {
	tr := readExtra(t, "vitam__sip-bdo-orphan-ok2_seda2.0.xml")
	u := tr.Units[0]
	type got struct {
		URI, Digest, Cote string
		Objects           []string
		Access            *RuleSet
		NeedAuth          *bool
	}
	no := false
	want := got{
		URI:     "content/e726e114f302c871b64569a00acb3a19badb7ee8ce4aef72cc2a043ace4905b8e8fca6f4771f8d6f67e221a53a4bbe170501af318c8f2c026cc8ea60f66fa804.odp",
		Digest:  "e726e114f302c871b64569a00acb3a19badb7ee8ce4aef72cc2a043ace4905b8e8fca6f4771f8d6f67e221a53a4bbe170501af318c8f2c026cc8ea60f66fa804",
		Cote:    "ArchivalAgencyArchiveUnitIdentifier0",
		Objects: []string{"ID009", "ID011"},
		Access:  &RuleSet{Rules: []Rule{{ID: "Rule4"}}}, NeedAuth: &no,
	}
	if diff := cmp.Diff(want, got{tr.Binaries[0].URI, tr.Binaries[0].Digest, u.Cote(), u.Objects,
		u.Management.Rules[AccessRule], u.Management.NeedAuthorization}); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
}

func TestExtraHoldRules(t *testing.T) {
	tr := readExtra(t, "vitam__R16_HoldRules_ManagementMetadata_manifest.xml")
	want := &RuleSet{
		Rules: []Rule{
			{ID: "HOL-00001", StartDate: day("2000-01-01"), HoldOwner: "Owner de la règle de Gel HOL-00001"},
			{ID: "HOL-00002", HoldEndDate: day("2010-01-01"), HoldOwner: "Owner de la règle de Gel HOL-00002"},
			{ID: "HOL-00003"},
		},
		RefNonRuleIDs: []string{"HOL-00004"},
	}
	if diff := cmp.Diff(want, unitByID(t, tr, "ID08").Management.Rules[HoldRule]); diff != "" {
		t.Errorf("ID08 HoldRule (-want +got)\n%s", diff)
	}
	if !unitByID(t, tr, "ID07").Management.Rules[HoldRule].PreventInheritance {
		t.Error("ID07 should prevent HoldRule inheritance")
	}
	if diff := cmp.Diff([]string{"ID01", "ID04", "ID08"}, tr.Roots); diff != "" {
		t.Errorf("roots (-want +got)\n%s", diff)
	}
}

func TestExtraSigningExtensions(t *testing.T) {
	tr := readExtra(t, "vitam__cookbook_signing_7_extensions_manifest.xml")
	u := tr.Units[0]
	if len(u.Persons) != 1 || u.Persons[0].Role != "Signer" || u.Persons[0].Name() != "Caroline DISTRIQUIN" {
		t.Errorf("persons = %+v, want the signer", u.Persons)
	}
	if tr.Management.LegalStatus != "Public Archive" || tr.Binaries[0].GroupID != "ID10" {
		t.Errorf("legal status %q, group %q", tr.Management.LegalStatus, tr.Binaries[0].GroupID)
	}
	if tr.Date != "2023-06-20T16:52:49.596" {
		t.Errorf("message date = %q, want it as written", tr.Date)
	}
}
