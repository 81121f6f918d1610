package access

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseVitamCSVFixture(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "vitam_rules.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	defs, err := ParseVitamCSV(f)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		ID       string
		Category Category
		Duration Duration
		Basis    Basis
	}
	var got []row
	for _, d := range defs {
		got = append(got, row{d.ID, d.Category, d.Duration, d.Basis})
	}
	want := []row{
		{"ACC-00001", AccessRule, Duration{N: 0, Unit: Year}, ""},
		{"ACC-00002", AccessRule, Duration{N: 10, Unit: Year}, BasisDocumentDate},
		{"ACC-00009", AccessRule, Duration{N: 120, Unit: Year}, BasisBirthDate},
		{"ACC-00018", AccessRule, Duration{N: 50, Unit: Year}, BasisEndOfBuildingUse},
		{"ACC-00019", AccessRule, Duration{N: 75, Unit: Year}, BasisDocumentDate}, // mentions a death, counts from the document
		{"ACC-00031", AccessRule, Duration{N: 75, Unit: Year}, BasisRegisterClosing},
		{"ACC-00032", AccessRule, Duration{N: 25, Unit: Year}, BasisDeathDate},
		{"ACC-CDG-01", AccessRule, Duration{N: 6, Unit: Month}, ""},
		{"DIS-00001", DisseminationRule, Duration{N: 25, Unit: Year}, BasisDocumentDate}, // "date d'enregistrement du décès"
		{"STO-00002", StorageRule, Duration{N: 4, Unit: Month}, ""},
		{"HOL-00001", HoldRule, Duration{Unlimited: true}, ""},
		{"HOL-00004", HoldRule, Duration{Unlimited: true}, ""},
	}
	diff(t, "rules", want, got)
	if defs[1].Label != "Secret des délibérations du gouvernement (date du document le plus récent du dossier)" ||
		!strings.Contains(defs[1].Description, "\nL’échéance est calculée") {
		t.Errorf("ACC-00002 label/description not kept as written: %q / %q", defs[1].Label, defs[1].Description)
	}
}

// TestParseVitamCSVForms: the same two rules written as spreadsheets and people write them.
func TestParseVitamCSVForms(t *testing.T) {
	want := []Duration{{N: 3, Unit: Day}, {N: 2, Unit: Month}, {N: 5, Unit: Year}, {N: 1, Unit: Year}, {Unlimited: true}, {Unlimited: true}}
	cases := map[string]string{
		"commas": "RuleId,RuleType,RuleValue,RuleDescription,RuleDuration,RuleMeasurement\n" +
			"R1,AccessRule,a,b,3,DAY\nR2,AccessRule,a,b,2,MONTH\nR3,AccessRule,a,b,5,YEAR\nR4,AccessRule,a,b,1,year\nR5,AccessRule,a,b,,\nR6,AccessRule,a,b,Unlimited,YEAR\n",
		"BOM, semicolons, CRLF, French units": "\ufeffRuleId;RuleType;RuleValue;RuleDescription;RuleDuration;RuleMeasurement\r\n" +
			"R1;AccessRule;a;b;3;jours\r\nR2;AccessRule;a;b;2;mois\r\nR3;AccessRule;a;b;5;ans\r\nR4;AccessRule;a;b;1;Année\r\nR5;AccessRule;a;b;;\r\nR6;AccessRule;a;b;unlimited;\r\n",
		"columns in another order, quoted, spaces": "RuleMeasurement,RuleDuration,RuleId,RuleType,RuleValue,RuleDescription\n" +
			`days, 3,R1,AccessRule,"a, b","x"` + "\n" + `Months,2,R2,accessrule,a,"multi` + "\n" + `line"` + "\n" +
			"YEARS,5,R3,AccessRule,a,b\nAN,1,R4,AccessRule,a,b\n,,R5,AccessRule,a,b\n,unlimited,R6,AccessRule,a,b\n",
	}
	for name, text := range cases {
		t.Run(name, func(t *testing.T) {
			defs, err := ParseVitamCSV(strings.NewReader(text))
			if err != nil {
				t.Fatal(err)
			}
			var got []Duration
			for i, d := range defs {
				got = append(got, d.Duration)
				if wantID := "R" + string(rune('1'+i)); d.ID != wantID || d.Category != AccessRule {
					t.Errorf("row %d: %s %s, want %s AccessRule", i, d.ID, d.Category, wantID)
				}
			}
			diff(t, "durations", want, got)
		})
	}
}

// TestParseVitamCSVErrors: a bad file is refused whole, each problem naming its line.
func TestParseVitamCSVErrors(t *testing.T) {
	const header = "RuleId,RuleType,RuleValue,RuleDescription,RuleDuration,RuleMeasurement\n"
	cases := []struct {
		name, text string
		want       []string
	}{
		{"bad duration", header + "R1,AccessRule,a,b,25,YEAR\nR2,AccessRule,a,b,vingt,YEAR\n",
			[]string{"ligne 3 : RuleDuration « vingt » n'est ni un entier de 0 à 999 ni « unlimited » (règle R2)"}},
		{"duration out of range", header + "R1,AccessRule,a,b,1000,YEAR\nR2,AccessRule,a,b,-1,DAY\n",
			[]string{"ligne 2 : RuleDuration « 1000 » n'est ni un entier de 0 à 999 ni « unlimited » (règle R1)",
				"ligne 3 : RuleDuration « -1 » n'est ni un entier de 0 à 999 ni « unlimited » (règle R2)"}},
		{"bad measurement", header + "R1,AccessRule,a,b,25,WEEK\n",
			[]string{"ligne 2 : RuleMeasurement « WEEK » inconnu (attendu : DAY, MONTH ou YEAR) (règle R1)"}},
		{"measurement missing for a number", header + "R1,AccessRule,a,b,25,\n",
			[]string{"ligne 2 : RuleMeasurement vide alors que RuleDuration vaut 25 (règle R1)"}},
		{"missing column", "RuleId,RuleType,RuleValue,RuleDescription,RuleDuration\nR1,AccessRule,a,b,25\n",
			[]string{"ligne 1 : colonne(s) absente(s) de l'en-tête : RuleMeasurement"}},
		{"short row after a multi-line field", header + "R1,AccessRule,a,\"b\nc\",25,YEAR\nR2,AccessRule,a\n",
			[]string{"ligne 4 : 3 champ(s) au lieu de 6"}},
		{"unknown type", header + "R1,AccesRule,a,b,25,YEAR\n",
			[]string{"ligne 2 : RuleType « AccesRule » inconnu (attendu : AccessRule, DisseminationRule, AppraisalRule, StorageRule, ReuseRule, ClassificationRule ou HoldRule)"}},
		{"empty id", header + ",AccessRule,a,b,25,YEAR\n", []string{"ligne 2 : RuleId vide"}},
		{"duplicate id", header + "R1,AccessRule,a,b,25,YEAR\nR1,AccessRule,a,b,50,YEAR\n",
			[]string{"ligne 3 : RuleId « R1 » déjà défini ligne 2"}},
		{"bad quote", header + "R1,AccessRule,a \"b\" c,d,25,YEAR\n", []string{"ligne 2 : guillemets mal placés"}},
		{"empty file", "", []string{"ligne 1 : fichier vide"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			defs, err := ParseVitamCSV(strings.NewReader(c.text))
			if defs != nil {
				t.Errorf("got %d rules from a bad file, want none", len(defs))
			}
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v is not ErrInvalid", err)
			}
			diff(t, "problems", c.want, strings.Split(err.Error(), "\n"))
			var le *LineError
			if !errors.As(err, &le) || le.Line == 0 {
				t.Errorf("no line in %v", err)
			}
		})
	}
}

func TestBasisFromDescription(t *testing.T) {
	cases := map[string]Basis{
		"L’échéance est calculée à partir de la date de décès de l’intéressé":                                      BasisDeathDate,
		"Registres (individus dont la date de décès est inconnue)\nL’échéance est calculée à partir de la clôture": BasisRegisterClosing,
		"Délai compté à compter de la naissance":                                                                   BasisBirthDate,
		"25 ans après le décès": BasisDeathDate,
		"Délai par défaut":      "",
		"":                      "",
	}
	for desc, want := range cases {
		if got := basisFromDescription(desc); got != want {
			t.Errorf("basisFromDescription(%q) = %q, want %q", desc, got, want)
		}
	}
}

// TestTenantReferential: a tenant's file, overlaid on the seed, moves opening days.
func TestTenantReferential(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "vitam_rules.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	defs, err := ParseVitamCSV(f)
	if err != nil {
		t.Fatal(err)
	}
	tenant := Seed().Overlay(defs)
	cases := []struct {
		name  string
		u     *UnitFacts
		seed  outcome
		local outcome
	}{
		{"ACC-00002 redefined to 10 years", with(unit("U"), rule("ACC-00002", "2000-01-01")),
			outcome{Open, "2025-01-01"}, outcome{Open, "2010-01-01"}},
		{"new code in months, no 31 February", with(ended(unit("U"), "2000-08-31"), rule("ACC-CDG-01", "")),
			outcome{Unknown, ""}, outcome{Open, "2001-03-01"}},
		{"ACC-00001 keeps the seed's basis (no start needed)", with(unit("U"), rule("ACC-00001", "")),
			outcome{Open, ""}, outcome{Open, ""}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := graph(c.u)
			diff(t, "seed", c.seed, outcomeOf(Evaluate(g, "U", AccessRule, Seed())))
			d := Evaluate(g, "U", AccessRule, tenant)
			diff(t, "tenant", c.local, outcomeOf(d))
			checkDay(t, d)
		})
	}
	if r, _ := tenant.Rule("ACC-00002"); r.Source != "tenant" || r.LegalBasis != "CP L213-2 I 1° a" {
		t.Errorf("ACC-00002 after overlay: source %q, legal basis %q; want tenant, kept from the seed", r.Source, r.LegalBasis)
	}
	if r, _ := tenant.Rule("AR048"); r.Source != "seed" {
		t.Errorf("AR048 lost from the seed by the overlay")
	}
}

// TestOverlayKeepsSeedClock: a tenant rule that says nothing of its start and group
// keeps the seed's, so a redefined alternative clock still combines by the earliest.
func TestOverlayKeepsSeedClock(t *testing.T) {
	ref := Seed().Overlay([]RuleDef{{ID: "AR044", Category: AccessRule, Duration: Duration{N: 30, Unit: Year}}})
	r, _ := ref.Rule("AR044")
	diff(t, "basis/group", []string{string(BasisDeathDate), "L213-2 I 4° e"}, []string{string(r.Basis), r.Group})
	u := with(ended(unit("U"), "1950-01-01"), rule("AR054", ""), rule("AR044", ""))
	u.DeathDates = days("1970-01-01")
	diff(t, "outcome", outcome{Open, "2000-01-01"}, outcomeOf(Evaluate(graph(u), "U", AccessRule, ref)))
}
