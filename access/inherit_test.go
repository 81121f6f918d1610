package access

import (
	"testing"
)

// applied is what explain shows of an effective rule: code, origin, path, start, end.
type applied struct {
	Rule, Origin string
	Path         []string
	Start, End   string
}

func appliedOf(d Decision) []applied {
	var out []applied
	for _, a := range d.Rules {
		x := applied{Rule: a.RuleID, Origin: a.Origin, Path: a.Path}
		if a.StartDate != nil {
			x.Start = a.StartDate.Format("2006-01-02")
		}
		if a.End != nil {
			x.End = a.End.Format("2006-01-02")
		}
		out = append(out, x)
	}
	return out
}

// TestInheritance covers the paths a rule takes down the unit graph. The base graph is a
// chain R → A → B → C → D with R declaring AR048 from 2000-01-01 (open 2050-01-01),
// plus B2, a sibling of B under A; each case changes what it needs.
func TestInheritance(t *testing.T) {
	chain := func() map[string]*UnitFacts {
		return map[string]*UnitFacts{
			"R":  with(unit("R"), rule("AR048", "2000-01-01")),
			"A":  unit("A", "R"),
			"B":  unit("B", "A"),
			"B2": unit("B2", "A"),
			"C":  unit("C", "B"),
			"D":  unit("D", "C"),
		}
	}
	cases := []struct {
		name    string
		edit    func(g map[string]*UnitFacts)
		unit    string
		want    outcome
		rules   []applied
		blocked []BlockedRule
	}{
		{
			name:  "declared on the root, inherited 4 levels down",
			edit:  func(map[string]*UnitFacts) {},
			unit:  "D",
			want:  outcome{Open, "2050-01-01"},
			rules: []applied{{"AR048", "R", []string{"R", "A", "B", "C", "D"}, "2000-01-01", "2050-01-01"}},
		},
		{
			name:    "PreventInheritance stops everything below",
			edit:    func(g map[string]*UnitFacts) { prevent(g["B"], AccessRule) },
			unit:    "D",
			want:    outcome{Open, ""},
			blocked: []BlockedRule{{RuleID: "AR048", Origin: "R", At: "B", By: ByPreventInheritance}},
		},
		{
			name: "PreventInheritance keeps the unit's own rules",
			edit: func(g map[string]*UnitFacts) {
				with(prevent(g["B"], AccessRule), rule("AR039", "2000-01-01"))
			},
			unit:    "D",
			want:    outcome{Open, "2025-01-01"},
			rules:   []applied{{"AR039", "B", []string{"B", "C", "D"}, "2000-01-01", "2025-01-01"}},
			blocked: []BlockedRule{{RuleID: "AR048", Origin: "R", At: "B", By: ByPreventInheritance}},
		},
		{
			name:  "PreventInheritance of another category stops nothing here",
			edit:  func(g map[string]*UnitFacts) { prevent(g["B"], DisseminationRule) },
			unit:  "D",
			want:  outcome{Open, "2050-01-01"},
			rules: []applied{{"AR048", "R", []string{"R", "A", "B", "C", "D"}, "2000-01-01", "2050-01-01"}},
		},
		{
			name: "RefNonRuleId stops the listed rule only",
			edit: func(g map[string]*UnitFacts) {
				with(g["R"], rule("AR039", "2000-01-01"))
				refNon(g["B"], "AR048")
			},
			unit:    "D",
			want:    outcome{Open, "2025-01-01"},
			rules:   []applied{{"AR039", "R", []string{"R", "A", "B", "C", "D"}, "2000-01-01", "2025-01-01"}},
			blocked: []BlockedRule{{RuleID: "AR048", Origin: "R", At: "B", By: ByRefNonRuleID}},
		},
		{
			name: "RefNonRuleId stops the inherited rule, not the unit's own of the same id",
			edit: func(g map[string]*UnitFacts) {
				with(refNon(g["B"], "AR048"), rule("AR048", "1990-01-01"))
			},
			unit:    "D",
			want:    outcome{Open, "2040-01-01"},
			rules:   []applied{{"AR048", "B", []string{"B", "C", "D"}, "1990-01-01", "2040-01-01"}},
			blocked: []BlockedRule{{RuleID: "AR048", Origin: "R", At: "B", By: ByRefNonRuleID}},
		},
		{
			name:    "redeclared with a new StartDate: the subtree takes it",
			edit:    func(g map[string]*UnitFacts) { with(g["B"], rule("AR048", "2010-01-01")) },
			unit:    "D",
			want:    outcome{Open, "2060-01-01"},
			rules:   []applied{{"AR048", "B", []string{"B", "C", "D"}, "2010-01-01", "2060-01-01"}},
			blocked: []BlockedRule{{RuleID: "AR048", Origin: "R", At: "B", By: ByRedeclaration}},
		},
		{
			name:  "redeclared below: the sibling keeps the old start",
			edit:  func(g map[string]*UnitFacts) { with(g["B"], rule("AR048", "2010-01-01")) },
			unit:  "B2",
			want:  outcome{Open, "2050-01-01"},
			rules: []applied{{"AR048", "R", []string{"R", "A", "B2"}, "2000-01-01", "2050-01-01"}},
		},
		{
			name: "redeclared without StartDate: start from the redeclaring unit's facts",
			edit: func(g map[string]*UnitFacts) {
				with(ended(g["B"], "2005-06-01"), rule("AR048", ""))
			},
			unit:    "D",
			want:    outcome{Open, "2055-06-01"},
			rules:   []applied{{"AR048", "B", []string{"B", "C", "D"}, "2005-06-01", "2055-06-01"}},
			blocked: []BlockedRule{{RuleID: "AR048", Origin: "R", At: "B", By: ByRedeclaration}},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			units := chain()
			c.edit(units)
			g := MapGraph(units)
			d := Evaluate(g, c.unit, AccessRule, Seed())
			diff(t, "outcome", c.want, outcomeOf(d))
			diff(t, "rules", c.rules, appliedOf(d))
			diff(t, "blocked", c.blocked, d.Blocked)
			checkDay(t, d)
		})
	}
}

// TestWhoseEndDate: a document-date rule without StartDate counts from the EndDate of
// the unit evaluated, else from that of the unit declaring it.
func TestWhoseEndDate(t *testing.T) {
	root := with(ended(unit("FILE"), "2010-12-31"), rule("AR048", ""))
	item := ended(unit("ITEM", "FILE"), "1995-03-01")
	bare := unit("BARE", "FILE")
	g := graph(root, item, bare)
	cases := []struct {
		unit, want, source string
	}{
		{"FILE", "2060-12-31", "date de fin du contenu de FILE"},
		{"ITEM", "2045-03-01", "date de fin du contenu de ITEM"},
		{"BARE", "2060-12-31", "date de fin du contenu de FILE"},
	}
	for _, c := range cases {
		d := Evaluate(g, c.unit, AccessRule, Seed())
		diff(t, c.unit+" outcome", outcome{Open, c.want}, outcomeOf(d))
		if len(d.Rules) == 1 {
			diff(t, c.unit+" start source", c.source, d.Rules[0].StartSource)
		}
	}
}

// TestWhosePersons: a death-date rule declared on a file counts from the latest death
// among the persons of the item AND of the file.
func TestWhosePersons(t *testing.T) {
	file := with(unit("FILE"), rule("AR043", ""))
	file.DeathDates = days("2000-01-01")
	early := unit("EARLY", "FILE")
	early.DeathDates = days("1950-01-01")
	late := unit("LATE", "FILE")
	late.DeathDates = days("2005-01-01")
	g := graph(file, early, late, unit("NONE", "FILE"))
	for u, want := range map[string]string{"FILE": "2025-01-01", "EARLY": "2025-01-01", "LATE": "2030-01-01", "NONE": "2025-01-01"} {
		d := Evaluate(g, u, AccessRule, Seed())
		diff(t, u, outcome{Open, want}, outcomeOf(d))
	}
}

// TestMultiParent covers units with several parents.
func TestMultiParent(t *testing.T) {
	cases := []struct {
		name    string
		units   []*UnitFacts
		want    outcome
		rules   []applied
		blocked []BlockedRule
	}{
		{
			name: "different rules through two parents: latest wins",
			units: []*UnitFacts{
				with(unit("P1"), rule("AR039", "2000-01-01")),
				with(unit("P2"), rule("AR048", "2000-01-01")),
				unit("U", "P1", "P2"),
			},
			want: outcome{Open, "2050-01-01"},
			rules: []applied{
				{"AR039", "P1", []string{"P1", "U"}, "2000-01-01", "2025-01-01"},
				{"AR048", "P2", []string{"P2", "U"}, "2000-01-01", "2050-01-01"},
			},
		},
		{
			name: "same rule through two paths counts once",
			units: []*UnitFacts{
				with(unit("R"), rule("AR048", "2000-01-01")),
				unit("A", "R"), unit("B", "R"),
				unit("U", "A", "B"),
			},
			want:  outcome{Open, "2050-01-01"},
			rules: []applied{{"AR048", "R", []string{"R", "A", "U"}, "2000-01-01", "2050-01-01"}},
		},
		{
			name: "same rule from two origins counts twice",
			units: []*UnitFacts{
				with(unit("P1"), rule("AR048", "1990-01-01")),
				with(unit("P2"), rule("AR048", "2000-01-01")),
				unit("U", "P1", "P2"),
			},
			want: outcome{Open, "2050-01-01"},
			rules: []applied{
				{"AR048", "P1", []string{"P1", "U"}, "1990-01-01", "2040-01-01"},
				{"AR048", "P2", []string{"P2", "U"}, "2000-01-01", "2050-01-01"},
			},
		},
		{
			name: "blocked on one path, not on the other",
			units: []*UnitFacts{
				with(unit("R"), rule("AR048", "2000-01-01")),
				refNon(unit("A", "R"), "AR048"), unit("B", "R"),
				unit("U", "A", "B"),
			},
			want:    outcome{Open, "2050-01-01"},
			rules:   []applied{{"AR048", "R", []string{"R", "B", "U"}, "2000-01-01", "2050-01-01"}},
			blocked: []BlockedRule{{RuleID: "AR048", Origin: "R", At: "A", By: ByRefNonRuleID}},
		},
		{
			name: "blocked on both paths",
			units: []*UnitFacts{
				with(unit("R"), rule("AR048", "2000-01-01")),
				refNon(unit("A", "R"), "AR048"), prevent(unit("B", "R"), AccessRule),
				unit("U", "A", "B"),
			},
			want: outcome{Open, ""},
			blocked: []BlockedRule{
				{RuleID: "AR048", Origin: "R", At: "A", By: ByRefNonRuleID},
				{RuleID: "AR048", Origin: "R", At: "B", By: ByPreventInheritance},
			},
		},
		{
			name: "diamond: redeclared on one branch, both clocks reach the unit",
			units: []*UnitFacts{
				with(unit("R"), rule("AR048", "2000-01-01")),
				with(unit("A", "R"), rule("AR048", "1990-01-01")), unit("B", "R"),
				unit("U", "A", "B"),
			},
			want: outcome{Open, "2050-01-01"},
			rules: []applied{
				{"AR048", "A", []string{"A", "U"}, "1990-01-01", "2040-01-01"},
				{"AR048", "R", []string{"R", "B", "U"}, "2000-01-01", "2050-01-01"},
			},
			blocked: []BlockedRule{{RuleID: "AR048", Origin: "R", At: "A", By: ByRedeclaration}},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := Evaluate(graph(c.units...), "U", AccessRule, Seed())
			diff(t, "outcome", c.want, outcomeOf(d))
			diff(t, "rules", c.rules, appliedOf(d))
			diff(t, "blocked", c.blocked, d.Blocked)
		})
	}
}

// TestCategoriesAreSeparate: AccessRule and DisseminationRule inherit independently.
func TestCategoriesAreSeparate(t *testing.T) {
	r := withCat(with(unit("R"), rule("AR048", "2000-01-01")), DisseminationRule, rule("DIS-00001", "2000-01-01"))
	u := prevent(unit("U", "R"), AccessRule)
	g := graph(r, u)
	diff(t, "access", outcome{Open, ""}, outcomeOf(Evaluate(g, "U", AccessRule, Seed())))
	diff(t, "dissemination", outcome{Open, "2025-01-01"}, outcomeOf(Evaluate(g, "U", DisseminationRule, Seed())))
}
