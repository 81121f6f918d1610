package access

import (
	"testing"
)

// TestFailClosed: every case where the engine cannot establish an opening day gives a
// decision that is not communicable, with the reason a person can act on.
func TestFailClosed(t *testing.T) {
	cases := []struct {
		name   string
		units  []*UnitFacts
		unit   string
		want   Status
		reason string
	}{
		{
			name:   "unknown code declared",
			units:  []*UnitFacts{with(ended(unit("U"), "2000-01-01"), rule("XYZ", "2000-01-01"))},
			want:   Unknown,
			reason: "Non communicable : code de règle inconnu « XYZ » (déclaré sur cette unité).",
		},
		{
			name:   "unknown code inherited",
			units:  []*UnitFacts{with(unit("AU3"), rule("XYZ", "")), unit("U", "AU3")},
			want:   Unknown,
			reason: "Non communicable : code de règle inconnu « XYZ » (hérité de AU3).",
		},
		{
			name:   "rule of another category",
			units:  []*UnitFacts{with(unit("U"), rule("DIS-00001", "2000-01-01"))},
			want:   Unknown,
			reason: "Non communicable : DIS-00001 déclarée sur cette unité, règle de type DisseminationRule, pas AccessRule.",
		},
		{
			name:   "document-date rule without StartDate nor EndDate",
			units:  []*UnitFacts{with(unit("R"), rule("AR048", "")), unit("U", "R")},
			want:   Unknown,
			reason: "Non communicable : AR048 héritée de R, date de départ inconnue (ni StartDate déclarée ni date de fin du contenu sur U ou R).",
		},
		{
			name:   "death-date rule without a death date",
			units:  []*UnitFacts{with(ended(unit("U"), "2000-01-01"), rule("AR043", ""))},
			want:   Unknown,
			reason: "Non communicable : AR043 déclarée sur cette unité, date de départ inconnue (ni StartDate déclarée ni date de décès des personnes nommées sur U).",
		},
		{
			name:   "birth-date rule without a birth date",
			units:  []*UnitFacts{with(ended(unit("U"), "2000-01-01"), rule("AR061", ""))},
			want:   Unknown,
			reason: "Non communicable : AR061 déclarée sur cette unité, date de départ inconnue (ni StartDate déclarée ni date de naissance des personnes nommées sur U).",
		},
		{
			name:   "AR050 end of the building's use without StartDate",
			units:  []*UnitFacts{with(ended(unit("U"), "2000-01-01"), rule("AR050", ""))},
			want:   Unknown,
			reason: "Non communicable : AR050 déclarée sur cette unité, date de départ inconnue (la fin de l'affectation des bâtiments doit être déclarée en StartDate).",
		},
		{
			name:   "register closing unknown",
			units:  []*UnitFacts{with(unit("U"), rule("AR054", ""))},
			want:   Unknown,
			reason: "Non communicable : AR054 déclarée sur cette unité, date de clôture du registre inconnue (ni StartDate déclarée ni date de fin du contenu sur U).",
		},
		{
			name:   "nil delay after a death is not elapsed without the death",
			units:  []*UnitFacts{with(unit("U"), rule("ZERO-DEATH", ""))},
			want:   Unknown,
			reason: "Non communicable : ZERO-DEATH déclarée sur cette unité, date de départ inconnue (ni StartDate déclarée ni date de décès des personnes nommées sur U).",
		},
		{
			name:   "AR062 unlimited, even with a StartDate",
			units:  []*UnitFacts{with(unit("U"), rule("AR062", "1900-01-01"))},
			want:   Never,
			reason: "Jamais communicable (AR062, CP L213-2 II).",
		},
		{
			name:   "ACC-00036, 999 years",
			units:  []*UnitFacts{with(ended(unit("U"), "1900-01-01"), rule("ACC-00036", ""))},
			want:   Never,
			reason: "Jamais communicable (ACC-00036, CP L213-2 II).",
		},
		{
			name:   "missing parent",
			units:  []*UnitFacts{with(unit("U", "GONE"), rule("AR039", "1900-01-01"))},
			want:   Unknown,
			reason: "Non communicable : l'unité parente « GONE » de U est introuvable.",
		},
		{
			name:   "missing grandparent",
			units:  []*UnitFacts{unit("P", "GONE"), unit("U", "P")},
			want:   Unknown,
			reason: "Non communicable : l'unité parente « GONE » de P est introuvable.",
		},
		{
			name:   "unit not in the graph",
			units:  nil,
			unit:   "NOWHERE",
			want:   Unknown,
			reason: "Non communicable : unité « NOWHERE » introuvable.",
		},
		{
			name:   "cycle between two ancestors",
			units:  []*UnitFacts{unit("A", "B"), unit("B", "A"), unit("U", "A")},
			want:   Unknown,
			reason: "Non communicable : les unités forment un cycle passant par A.",
		},
		{
			name:   "unit is its own parent",
			units:  []*UnitFacts{unit("U", "U")},
			want:   Unknown,
			reason: "Non communicable : les unités forment un cycle passant par U.",
		},
		{
			name:   "the unit evaluated inside a cycle",
			units:  []*UnitFacts{unit("U", "B"), unit("B", "U")},
			want:   Unknown,
			reason: "Non communicable : les unités forment un cycle passant par U.",
		},
		{
			name:   "never wins over a missing parent",
			units:  []*UnitFacts{with(unit("U", "GONE"), rule("AR062", ""))},
			want:   Never,
			reason: "Jamais communicable (AR062, CP L213-2 II).",
		},
		// What PreventInheritance cuts off cannot hold the unit back.
		{
			name:   "missing parent cut off by PreventInheritance",
			units:  []*UnitFacts{prevent(unit("U", "GONE"), AccessRule)},
			want:   Open,
			reason: "Communicable de plein droit : aucune règle de communicabilité ne s'applique (CP L213-1).",
		},
		{
			name:   "cycle cut off by PreventInheritance",
			units:  []*UnitFacts{unit("A", "B"), prevent(unit("B", "A"), AccessRule), prevent(unit("U", "A"), AccessRule)},
			want:   Open,
			reason: "Communicable de plein droit : aucune règle de communicabilité ne s'applique (CP L213-1).",
		},
		{
			name:   "unknown code blocked by RefNonRuleId",
			units:  []*UnitFacts{with(unit("R"), rule("XYZ", "")), refNon(unit("U", "R"), "XYZ")},
			want:   Open,
			reason: "Communicable de plein droit : aucune règle de communicabilité ne s'applique (CP L213-1).",
		},
	}
	ref := Seed().Overlay([]RuleDef{{ID: "ZERO-DEATH", Category: AccessRule, Duration: Duration{N: 0, Unit: Year}, Basis: BasisDeathDate}})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			id := c.unit
			if id == "" {
				id = "U"
			}
			d := Evaluate(graph(c.units...), id, AccessRule, ref)
			diff(t, "status", c.want, d.Status)
			diff(t, "reason", c.reason, d.Reason)
			checkDay(t, d)
		})
	}
}

// TestGaps records the faults of the graph for the explanation.
func TestGaps(t *testing.T) {
	d := Evaluate(graph(unit("A", "B"), unit("B", "A", "GONE"), unit("U", "A")), "U", AccessRule, Seed())
	diff(t, "gaps", []Gap{{Unit: "A", Child: "B", Kind: GapCycle}, {Unit: "GONE", Child: "B", Kind: GapMissing}}, d.Gaps)
}
