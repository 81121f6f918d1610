package access

import (
	"testing"
)

// persons sets the persons named on u: the death dates of those who have one, and
// whether someone is named without one.
func persons(u *UnitFacts, undated bool, deaths ...string) *UnitFacts {
	u.DeathDates, u.UndatedDeath = days(deaths...), undated
	return u
}

// TestDeathClockWithSomeoneAlive: a death-based rule runs only when every person named
// on the unit evaluated and on the unit declaring the rule has a death date. A medical
// file naming a patient born in 1980 with no known death must not open because an item
// in it names a doctor who died in 1990.
func TestDeathClockWithSomeoneAlive(t *testing.T) {
	cases := []struct {
		name  string
		units []*UnitFacts
		unit  string
		want  outcome
		// reason is checked when not empty
		reason string
	}{
		{
			name: "item names a dead doctor, the file a patient with no death date",
			units: []*UnitFacts{
				persons(with(ended(unit("F"), "2000-01-01"), rule("AR043", "")), true),
				persons(unit("I", "F"), false, "1990-03-04"),
			},
			unit: "I", want: outcome{Status: Unknown},
			reason: "Non communicable : AR043 héritée de F, date de départ inconnue (pas de StartDate déclarée, et une personne nommée sur F n'a pas de date de décès : elle est peut-être vivante).",
		},
		{
			name: "the file itself, patient with no death date and a dead doctor",
			units: []*UnitFacts{
				persons(with(unit("F"), rule("AR043", "")), true, "1990-03-04"),
			},
			unit: "F", want: outcome{Status: Unknown},
		},
		{
			name: "the item names someone with no death date, the file's persons are all dead",
			units: []*UnitFacts{
				persons(with(unit("F"), rule("AR043", "")), false, "1990-03-04"),
				persons(unit("I", "F"), true, "1950-01-01"),
			},
			unit: "I", want: outcome{Status: Unknown},
			reason: "Non communicable : AR043 héritée de F, date de départ inconnue (pas de StartDate déclarée, et une personne nommée sur I n'a pas de date de décès : elle est peut-être vivante).",
		},
		{
			name: "everyone dead on both: the latest death",
			units: []*UnitFacts{
				persons(with(unit("F"), rule("AR043", "")), false, "1990-03-04"),
				persons(unit("I", "F"), false, "1985-01-01", "2001-07-08"),
			},
			unit: "I", want: outcome{Open, "2026-07-08"},
		},
		{
			name: "day before and after: the file's death is the latest",
			units: []*UnitFacts{
				persons(with(unit("F"), rule("AR043", "")), false, "2000-02-29"),
				persons(unit("I", "F"), false, "1990-01-01"),
			},
			unit: "I", want: outcome{Open, "2025-03-01"},
		},
		{
			name: "a declared StartDate is the death: no person's date is needed",
			units: []*UnitFacts{
				persons(with(unit("F"), rule("AR043", "1990-01-01")), true),
				persons(unit("I", "F"), false, "1980-01-01"),
			},
			unit: "I", want: outcome{Open, "2015-01-01"},
		},
		{
			name: "medical fallback: death unknown, 120 years from birth",
			units: []*UnitFacts{
				func() *UnitFacts {
					u := persons(with(unit("F"), rule("AR043", ""), rule("AR061", "")), true)
					u.BirthDates = days("1980-05-06")
					return u
				}(),
				persons(unit("I", "F"), false, "1990-03-04"),
			},
			unit: "I", want: outcome{Open, "2100-05-06"},
		},
		{
			name: "a document-date rule does not care who is alive",
			units: []*UnitFacts{
				persons(with(ended(unit("F"), "2000-01-01"), rule("AR048", "")), true),
				persons(unit("I", "F"), false, "1990-03-04"),
			},
			unit: "I", want: outcome{Open, "2050-01-01"},
		},
		{
			name: "the item's own death rule counts from the item's persons only",
			units: []*UnitFacts{
				persons(ended(unit("F"), "2000-01-01"), true),
				persons(with(unit("I", "F"), rule("AR043", "")), false, "1990-03-04"),
			},
			unit: "I", want: outcome{Open, "2015-03-04"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := Evaluate(graph(c.units...), c.unit, AccessRule, Seed())
			diff(t, "outcome", c.want, outcomeOf(d))
			if c.reason != "" {
				diff(t, "reason", c.reason, d.Reason)
			}
			checkDay(t, d)
		})
	}
}
