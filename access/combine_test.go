package access

import (
	"testing"
)

// TestCombination covers how rules combine on one unit: different protections by the
// latest end, the law's alternative clocks by the earliest known end, the medical pair
// by the law's order, and the order Never > Unknown > date.
func TestCombination(t *testing.T) {
	type facts struct {
		end           string
		deaths, birth []string
	}
	cases := []struct {
		name     string
		rules    []DeclaredRule
		facts    facts
		want     outcome
		decisive []string // rule ids marked Decisive
	}{
		{"no rule: communicable as of right", nil, facts{end: "2000-01-01"}, outcome{Open, ""}, nil},
		{"nil delay alone", []DeclaredRule{rule("AR038", "")}, facts{}, outcome{Open, ""}, nil},
		{"nil delay does not shorten another protection",
			[]DeclaredRule{rule("AR038", ""), rule("AR048", "")}, facts{end: "2000-01-01"}, outcome{Open, "2050-01-01"}, []string{"AR048"}},
		{"latest across protections",
			[]DeclaredRule{rule("AR039", ""), rule("AR048", "")}, facts{end: "2000-01-01"}, outcome{Open, "2050-01-01"}, []string{"AR048"}},
		{"latest across protections, declaration order irrelevant",
			[]DeclaredRule{rule("AR048", "2000-01-01"), rule("AR039", "2030-01-01")}, facts{}, outcome{Open, "2055-01-01"}, []string{"AR039"}},
		{"same rule declared twice: both must elapse",
			[]DeclaredRule{rule("AR048", "1990-01-01"), rule("AR048", "2000-05-05")}, facts{}, outcome{Open, "2050-05-05"}, []string{"AR048"}},
		{"several persons: the last death",
			[]DeclaredRule{rule("AR043", "")}, facts{deaths: []string{"1995-02-01", "1980-01-01"}}, outcome{Open, "2020-02-01"}, []string{"AR043"}},

		// L213-2 I 4° e: 75 years from the register's closing, or 25 years after death if shorter.
		{"4° e both known, death clock shorter",
			[]DeclaredRule{rule("AR054", ""), rule("AR044", "")}, facts{end: "1950-01-01", deaths: []string{"1980-05-05"}}, outcome{Open, "2005-05-05"}, []string{"AR044"}},
		{"4° e both known, closing clock shorter",
			[]DeclaredRule{rule("AR054", ""), rule("AR044", "")}, facts{end: "1950-01-01", deaths: []string{"2010-01-01"}}, outcome{Open, "2025-01-01"}, []string{"AR054"}},
		{"4° e only the closing known",
			[]DeclaredRule{rule("AR054", ""), rule("AR044", "")}, facts{end: "1950-01-01"}, outcome{Open, "2025-01-01"}, []string{"AR054"}},
		{"4° b only the death known",
			[]DeclaredRule{rule("AR056", ""), rule("AR046", "")}, facts{deaths: []string{"1980-05-05"}}, outcome{Open, "2005-05-05"}, []string{"AR046"}},
		{"4° b none known",
			[]DeclaredRule{rule("AR056", ""), rule("AR046", "")}, facts{}, outcome{Unknown, ""}, []string{"AR056", "AR046"}},
		{"4° c both known", []DeclaredRule{rule("AR057", "1960-01-01"), rule("AR047", "1970-01-01")}, facts{}, outcome{Open, "1995-01-01"}, []string{"AR047"}},
		{"4° d both known", []DeclaredRule{rule("AR055", "1960-01-01"), rule("AR045", "2020-01-01")}, facts{}, outcome{Open, "2035-01-01"}, []string{"AR055"}},
		{"group, then latest with another protection",
			[]DeclaredRule{rule("AR054", ""), rule("AR044", ""), rule("AR048", "1960-01-01")},
			facts{end: "1950-01-01", deaths: []string{"1980-05-05"}}, outcome{Open, "2010-01-01"}, []string{"AR048"}},

		// Vitam pairs (domain.md §2.2), both clocks known: the earlier wins.
		{"ACC-00019/00020", []DeclaredRule{rule("ACC-00019", ""), rule("ACC-00020", "")}, facts{end: "1950-01-01", deaths: []string{"1960-01-01"}}, outcome{Open, "1985-01-01"}, []string{"ACC-00020"}},
		{"ACC-00022/00023", []DeclaredRule{rule("ACC-00022", ""), rule("ACC-00023", "")}, facts{end: "1950-01-01", deaths: []string{"2020-01-01"}}, outcome{Open, "2025-01-01"}, []string{"ACC-00022"}},
		{"ACC-00025/00026", []DeclaredRule{rule("ACC-00025", ""), rule("ACC-00026", "")}, facts{end: "1950-01-01", deaths: []string{"1960-01-01"}}, outcome{Open, "1985-01-01"}, []string{"ACC-00026"}},
		{"ACC-00028/00029", []DeclaredRule{rule("ACC-00028", ""), rule("ACC-00029", "")}, facts{end: "1950-01-01", deaths: []string{"2020-01-01"}}, outcome{Open, "2025-01-01"}, []string{"ACC-00028"}},
		{"ACC-00031/00032", []DeclaredRule{rule("ACC-00031", ""), rule("ACC-00032", "")}, facts{end: "1950-01-01", deaths: []string{"1960-01-01"}}, outcome{Open, "1985-01-01"}, []string{"ACC-00032"}},
		{"ACC minors code is its own protection, not an alternative",
			[]DeclaredRule{rule("ACC-00021", ""), rule("ACC-00020", "")}, facts{end: "1950-01-01", deaths: []string{"1960-01-01"}}, outcome{Open, "2050-01-01"}, []string{"ACC-00021"}},

		// Medical secrecy (L213-2 I 2°): 25 years after death; 120 years from birth only
		// when the death is unknown — NOT the earlier of the two.
		{"medical, died at 100: death clock even though later",
			[]DeclaredRule{rule("AR043", ""), rule("AR061", "")}, facts{deaths: []string{"2000-01-01"}, birth: []string{"1900-01-01"}}, outcome{Open, "2025-01-01"}, []string{"AR043"}},
		{"medical, died young: death clock",
			[]DeclaredRule{rule("AR043", ""), rule("AR061", "")}, facts{deaths: []string{"1950-01-01"}, birth: []string{"1900-01-01"}}, outcome{Open, "1975-01-01"}, []string{"AR043"}},
		{"medical, death unknown: 120 years from birth",
			[]DeclaredRule{rule("AR043", ""), rule("AR061", "")}, facts{birth: []string{"1900-01-01"}}, outcome{Open, "2020-01-01"}, []string{"AR061"}},
		{"medical, nothing known", []DeclaredRule{rule("AR043", ""), rule("AR061", "")}, facts{}, outcome{Unknown, ""}, []string{"AR043", "AR061"}},
		{"medical Vitam pair, died at 100",
			[]DeclaredRule{rule("ACC-00009", ""), rule("ACC-00010", "")}, facts{deaths: []string{"2000-01-01"}, birth: []string{"1900-01-01"}}, outcome{Open, "2025-01-01"}, []string{"ACC-00010"}},

		// Never > Unknown > date.
		{"never beats unknown", []DeclaredRule{rule("XYZ", ""), rule("AR062", "")}, facts{}, outcome{Never, ""}, []string{"AR062"}},
		{"unknown beats a date", []DeclaredRule{rule("AR048", "2000-01-01"), rule("XYZ", "")}, facts{}, outcome{Unknown, ""}, []string{"XYZ"}},
		{"never beats a date", []DeclaredRule{rule("AR048", "2000-01-01"), rule("ACC-00036", "2000-01-01")}, facts{}, outcome{Never, ""}, []string{"ACC-00036"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u := with(unit("U"), c.rules...)
			if c.facts.end != "" {
				ended(u, c.facts.end)
			}
			u.DeathDates, u.BirthDates = days(c.facts.deaths...), days(c.facts.birth...)
			d := Evaluate(graph(u), "U", AccessRule, Seed())
			diff(t, "outcome", c.want, outcomeOf(d))
			var decisive []string
			for _, a := range d.Rules {
				if a.Decisive {
					decisive = append(decisive, a.RuleID)
				}
			}
			diff(t, "decisive rules", c.decisive, decisive)
			checkDay(t, d)
		})
	}
}

// TestGroupOutcome: the explanation of a group says which clock won and why.
func TestGroupOutcome(t *testing.T) {
	cases := []struct {
		name  string
		rules []DeclaredRule
		birth []string
		want  []GroupOutcome
	}{
		{"shortest known", []DeclaredRule{rule("AR054", "1950-01-01"), rule("AR044", "1960-01-01")}, nil,
			[]GroupOutcome{{Name: "L213-2 I 4° e", Rules: []string{"AR054", "AR044"}, Status: Open, End: dayp("1985-01-01"), Chosen: "AR044"}}},
		{"fallback clock", []DeclaredRule{rule("AR043", ""), rule("AR061", "")}, []string{"1900-01-01"},
			[]GroupOutcome{{Name: "L213-2 I 2°", Rules: []string{"AR043", "AR061"}, Status: Open, End: dayp("2020-01-01"), Chosen: "AR061", Fallback: true}}},
		{"none known", []DeclaredRule{rule("AR043", ""), rule("AR061", "")}, nil,
			[]GroupOutcome{{Name: "L213-2 I 2°", Rules: []string{"AR043", "AR061"}, Status: Unknown}}},
		{"one clock present is no group", []DeclaredRule{rule("AR054", "1950-01-01")}, nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u := with(unit("U"), c.rules...)
			u.BirthDates = days(c.birth...)
			d := Evaluate(graph(u), "U", AccessRule, Seed())
			diff(t, "groups", c.want, d.Groups)
		})
	}
}

// TestAlternativeThatNeverEnds: one elapsed alternative suffices even when the other
// never ends (a tenant made the death clock unlimited).
func TestAlternativeThatNeverEnds(t *testing.T) {
	ref := Seed().Overlay([]RuleDef{{ID: "AR044", Category: AccessRule, Duration: Duration{Unlimited: true}}})
	u := with(unit("U"), rule("AR054", "1950-01-01"), rule("AR044", "1960-01-01"))
	d := Evaluate(graph(u), "U", AccessRule, ref)
	diff(t, "outcome", outcome{Open, "2025-01-01"}, outcomeOf(d))
}

// TestSeveralDeclarationsOfOneClock: within a group, two declarations of the same rule
// (from two parents) must both elapse before that clock counts as elapsed.
func TestSeveralDeclarationsOfOneClock(t *testing.T) {
	p1 := with(unit("P1"), rule("AR054", "1950-01-01"))
	p2 := with(unit("P2"), rule("AR054", "1960-01-01"))
	cases := []struct {
		name   string
		deaths []string
		want   outcome
	}{
		{"death clock shorter", []string{"1990-01-01"}, outcome{Open, "2015-01-01"}},
		{"no death: the later closing", nil, outcome{Open, "2035-01-01"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u := with(unit("U", "P1", "P2"), rule("AR044", ""))
			u.DeathDates = days(c.deaths...)
			d := Evaluate(graph(p1, p2, u), "U", AccessRule, Seed())
			diff(t, "outcome", c.want, outcomeOf(d))
		})
	}
}
