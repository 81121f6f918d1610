package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sesam/access"
	"sesam/store"
)

// ruleManifest is a bare manifest whose units are given as XML, with the transfer's
// ManagementMetadata rules (defaults) as XML too.
func ruleManifest(t *testing.T, id, defaults, units string) string {
	t.Helper()
	manifest := fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<ArchiveTransfer xmlns="fr:gouv:culture:archivesdefrance:seda:v2.1">
  <Date>2026-11-25T11:00:00</Date>
  <MessageIdentifier>%s</MessageIdentifier>
  <CodeListVersions/>
  <DataObjectPackage>
    <DescriptiveMetadata>%s</DescriptiveMetadata>
    <ManagementMetadata><OriginatingAgencyIdentifier>A</OriginatingAgencyIdentifier>%s</ManagementMetadata>
  </DataObjectPackage>
  <ArchivalAgency><Identifier>A</Identifier></ArchivalAgency>
  <TransferringAgency><Identifier>T</Identifier></TransferringAgency>
</ArchiveTransfer>`, id, units, defaults)
	path := filepath.Join(t.TempDir(), "manifest.xml")
	if err := os.WriteFile(path, []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// attachUnder is a unit standing for the existing unit id, with children as XML.
func attachUnder(id int64, children string) string {
	return fmt.Sprintf(`<ArchiveUnit id="EXIST"><Management><UpdateOperation><SystemId>%d</SystemId></UpdateOperation></Management>
		<Content><DescriptionLevel>File</DescriptionLevel><Title>existant</Title></Content>%s</ArchiveUnit>`, id, children)
}

func importManifest(t *testing.T, tenant, path string) map[string]int64 {
	t.Helper()
	res, err := st.Import(context.Background(), tenant, path, store.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return sedaIDs(t, res.TransferID)
}

func loadRules(t *testing.T, tenant, csv string) int {
	t.Helper()
	defs, err := access.ParseVitamCSV(strings.NewReader("RuleId,RuleType,RuleValue,RuleDescription,RuleDuration,RuleMeasurement\n" + csv))
	if err != nil {
		t.Fatal(err)
	}
	n, err := st.LoadRules(context.Background(), tenant, defs,
		access.JournalEntry{Subject: "test", Action: access.ActionRulesLoad, Tenant: tenant})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// openDays reads the stored first communicable day of units.
func openDays(t *testing.T, ids map[string]int64) map[string]int {
	t.Helper()
	out := map[string]int{}
	for name, id := range ids {
		var d int
		if err := st.Pool().QueryRow(context.Background(), `SELECT open_day FROM unit WHERE id = $1`, id).Scan(&d); err != nil {
			t.Fatal(err)
		}
		out[name] = d
	}
	return out
}

// TestRecomputeAcrossTransfers: units attached under an existing unit inherit its rules
// from another transfer; a referential change recomputes them too, and explain sees
// the whole ancestry. F (transfer 1) declares AR048 from 1990; P1 and its child P2
// (transfer 2) are attached under F; Q (transfer 3) under P1.
func TestRecomputeAcrossTransfers(t *testing.T) {
	ctx := context.Background()
	tenant := addTenant(t, "recompute/commune")
	loadRules(t, "recompute", "AR048,AccessRule,Vie privée,Vie privée 10 ans,10,YEAR\n")
	f := importManifest(t, tenant, ruleManifest(t, "T1", "", `<ArchiveUnit id="F">
		<Management><AccessRule><Rule>AR048</Rule><StartDate>1990-01-01</StartDate></AccessRule></Management>
		<Content><DescriptionLevel>File</DescriptionLevel><Title>Dossier</Title></Content></ArchiveUnit>`))["F"]
	p := importManifest(t, tenant, ruleManifest(t, "T2", "", attachUnder(f, `<ArchiveUnit id="P1">
		<Content><DescriptionLevel>SubGrp</DescriptionLevel><Title>Complément</Title></Content>
		<ArchiveUnit id="P2"><Content><DescriptionLevel>Item</DescriptionLevel><Title>Pièce</Title></Content></ArchiveUnit>
		</ArchiveUnit>`)))
	q := importManifest(t, tenant, ruleManifest(t, "T3", "", attachUnder(p["P1"], `<ArchiveUnit id="Q">
		<Content><DescriptionLevel>Item</DescriptionLevel><Title>Pièce tardive</Title></Content></ArchiveUnit>`)))
	units := map[string]int64{"F": f, "P1": p["P1"], "P2": p["P2"], "Q": q["Q"]}
	diffDays := func(when string, want int) {
		t.Helper()
		got := openDays(t, units)
		for name := range units {
			if got[name] != want {
				t.Errorf("%s: open_day of %s = %d, want %d", when, name, got[name], want)
			}
		}
	}
	diffDays("10 years", 20000101)

	// Back to the seed's 50 years, then to 20 years set above the tenant.
	if n := loadRules(t, "recompute", ""); n != 4 {
		t.Errorf("units changed by the referential = %d, want 4", n)
	}
	diffDays("50 years", 20400101)
	loadRules(t, "recompute/commune", "AR048,AccessRule,Vie privée,Vie privée 20 ans,20,YEAR\n")
	diffDays("20 years", 20100101)

	acc, _, err := st.Explain(ctx, q["Q"])
	if err != nil {
		t.Fatal(err)
	}
	if len(acc.Gaps) > 0 || acc.Status != access.Open || access.OpenDay(acc) != 20100101 ||
		len(acc.Rules) != 1 || acc.Rules[0].Origin != fmt.Sprint(f) {
		t.Errorf("explain Q: status %s, opens %d, gaps %v, rules %+v; want AR048 inherited from %d, open from 2010-01-01",
			acc.Status, access.OpenDay(acc), acc.Gaps, acc.Rules, f)
	}
}

// TestDefaultsUnderAnExistingUnit: a transfer whose root is an existing unit gives its
// ManagementMetadata rules to the units it creates under it (the existing unit is not
// rewritten), without cutting them off from what the existing unit carries.
func TestDefaultsUnderAnExistingUnit(t *testing.T) {
	tenant := addTenant(t, "defaults")
	f := importManifest(t, tenant, ruleManifest(t, "D1", "", `<ArchiveUnit id="F">
		<Management><AccessRule><Rule>AR048</Rule><StartDate>1990-01-01</StartDate></AccessRule></Management>
		<Content><DescriptionLevel>File</DescriptionLevel><Title>Dossier</Title></Content></ArchiveUnit>`))["F"]
	defaults := `<AccessRule><Rule>AR055</Rule><StartDate>1980-01-01</StartDate></AccessRule>
		<AccessRule><PreventInheritance>true</PreventInheritance></AccessRule>`
	ids := importManifest(t, tenant, ruleManifest(t, "D2", defaults, attachUnder(f, `<ArchiveUnit id="N">
		<Content><DescriptionLevel>Item</DescriptionLevel><Title>Nouvelle pièce</Title></Content></ArchiveUnit>`)))
	// AR055: 75 years from 1980 (2055); AR048 from F still runs (2040): the later wins.
	if got := openDays(t, map[string]int64{"N": ids["N"]})["N"]; got != 20550101 {
		t.Errorf("open_day of the new unit = %d, want 20550101 (the transfer's AR055)", got)
	}
	if n := count(t, `SELECT count(*) FROM unit_rule WHERE unit_id = $1 AND rule_id = 'AR055'`, ids["N"]); n != 1 {
		t.Errorf("the new unit has %d AR055 rule rows, want 1", n)
	}
	if n := count(t, `SELECT count(*) FROM unit_rule WHERE unit_id = $1`, f); n != 1 {
		t.Errorf("the existing unit has %d rule rows, want its own 1", n)
	}
	// The transfer's AR055 now runs out in 2030: F's AR048 (2040) holds the unit.
	loadRules(t, "defaults", "AR055,AccessRule,Minutes,Minutes 50 ans,50,YEAR\n")
	if got := openDays(t, map[string]int64{"N": ids["N"]})["N"]; got != 20400101 {
		t.Errorf("after AR055 = 50 years, open_day of the new unit = %d, want 20400101 (F's AR048 still runs)", got)
	}
}
