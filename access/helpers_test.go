package access

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// day parses a civil date "2006-01-02" as the engine holds it (midnight UTC).
func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func dayp(s string) *time.Time {
	t := day(s)
	return &t
}

func days(ss ...string) []time.Time {
	var out []time.Time
	for _, s := range ss {
		out = append(out, day(s))
	}
	return out
}

// rule is a declared rule; start "" means no StartDate.
func rule(id, start string) DeclaredRule {
	r := DeclaredRule{RuleID: id}
	if start != "" {
		r.StartDate = dayp(start)
	}
	return r
}

// unit builds the facts of a unit with its parents.
func unit(id string, parents ...string) *UnitFacts {
	return &UnitFacts{ID: id, Parents: parents, Blocks: map[Category]RuleBlock{}}
}

// with declares AccessRule rules on u.
func with(u *UnitFacts, rules ...DeclaredRule) *UnitFacts {
	return withCat(u, AccessRule, rules...)
}

func withCat(u *UnitFacts, cat Category, rules ...DeclaredRule) *UnitFacts {
	b := u.Blocks[cat]
	b.Rules = append(b.Rules, rules...)
	u.Blocks[cat] = b
	return u
}

func prevent(u *UnitFacts, cat Category) *UnitFacts {
	b := u.Blocks[cat]
	b.PreventInheritance = true
	u.Blocks[cat] = b
	return u
}

func refNon(u *UnitFacts, ids ...string) *UnitFacts {
	b := u.Blocks[AccessRule]
	b.RefNonRuleIDs = append(b.RefNonRuleIDs, ids...)
	u.Blocks[AccessRule] = b
	return u
}

func ended(u *UnitFacts, end string) *UnitFacts {
	u.EndDate = dayp(end)
	return u
}

func graph(units ...*UnitFacts) MapGraph {
	g := MapGraph{}
	for _, u := range units {
		g[u.ID] = u
	}
	return g
}

// outcome is what a user notices of a decision: its status and opening day.
type outcome struct {
	Status Status
	From   string // "" when since always or not open
}

func outcomeOf(d Decision) outcome {
	o := outcome{Status: d.Status}
	if d.From != nil {
		o.From = d.From.Format(time.DateOnly)
	}
	return o
}

// paris is an instant at the given Paris wall-clock time.
func paris(date string, hour, minute int) time.Time {
	d := day(date)
	return time.Date(d.Year(), d.Month(), d.Day(), hour, minute, 0, 0, parisZone())
}

// checkDay asserts the decision is closed the day before its opening day (at 23:59 in
// Paris) and open on the day (at 00:00 in Paris); a decision that never opens is closed
// in the year 2999, one open since always is open in 1800.
func checkDay(t *testing.T, d Decision) {
	t.Helper()
	switch {
	case d.Status == Open && d.From == nil:
		if !d.CommunicableAt(paris("1800-01-01", 12, 0)) {
			t.Errorf("%s: open since always but closed in 1800", d.Unit)
		}
	case d.Status == Open:
		eve := d.From.AddDate(0, 0, -1).Format(time.DateOnly)
		if d.CommunicableAt(paris(eve, 23, 59)) {
			t.Errorf("%s: communicable on %s 23:59, the eve of its opening day", d.Unit, eve)
		}
		if !d.CommunicableAt(paris(d.From.Format(time.DateOnly), 0, 0)) {
			t.Errorf("%s: not communicable on its opening day %s", d.Unit, d.From.Format(time.DateOnly))
		}
	default:
		if d.CommunicableAt(paris("2999-12-31", 12, 0)) {
			t.Errorf("%s: status %s but communicable in 2999", d.Unit, d.Status)
		}
	}
}

func diff(t *testing.T, what string, want, got any) {
	t.Helper()
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("%s (-want +got):\n%s", what, d)
	}
}

func timeParse(s string) (time.Time, error) { return time.Parse(time.RFC3339, s) }
