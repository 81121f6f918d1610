package access

import (
	"testing"
)

// TestLeapDays: a delay ending on a day the target month lacks is elapsed only on the
// first day of the next month (never on 28 February, as Vitam's Java arithmetic gives).
func TestLeapDays(t *testing.T) {
	tenant := Seed().Overlay([]RuleDef{
		{ID: "T-1D", Category: AccessRule, Duration: Duration{N: 1, Unit: Day}},
		{ID: "T-366D", Category: AccessRule, Duration: Duration{N: 366, Unit: Day}},
		{ID: "T-1M", Category: AccessRule, Duration: Duration{N: 1, Unit: Month}},
		{ID: "T-12M", Category: AccessRule, Duration: Duration{N: 12, Unit: Month}},
		{ID: "T-28Y", Category: AccessRule, Duration: Duration{N: 28, Unit: Year}},
	})
	cases := []struct {
		code, start, want string
	}{
		{"AR039", "2000-02-29", "2025-03-01"}, // 25 years
		{"AR048", "2000-02-29", "2050-03-01"}, // 50 years
		{"AR052", "2000-02-29", "2075-03-01"}, // 75 years
		{"AR058", "2000-02-29", "2100-03-01"}, // 100 years; 2100 is not a leap year
		{"AR061", "1904-02-29", "2024-02-29"}, // 120 years to a leap year: the day exists
		{"T-28Y", "2000-02-29", "2028-02-29"},
		{"T-1D", "2004-02-28", "2004-02-29"},
		{"T-1D", "2004-02-29", "2004-03-01"},
		{"T-366D", "2004-02-29", "2005-03-01"},
		{"T-1M", "2004-02-29", "2004-03-29"},
		{"T-1M", "2004-01-31", "2004-03-01"}, // no 31 February
		{"T-1M", "2004-01-29", "2004-02-29"},
		{"T-1M", "2003-01-29", "2003-03-01"}, // no 29 February in 2003
		{"T-12M", "2004-02-29", "2005-03-01"},
		{"T-1M", "2004-12-31", "2005-01-31"},
	}
	for _, c := range cases {
		t.Run(c.code+" from "+c.start, func(t *testing.T) {
			d := Evaluate(graph(with(unit("U"), rule(c.code, c.start))), "U", AccessRule, tenant)
			diff(t, "outcome", outcome{Open, c.want}, outcomeOf(d))
			checkDay(t, d)
		})
	}
}

func TestFormatDate(t *testing.T) {
	cases := []struct{ date, fr, en string }{
		{"2025-01-01", "1er janvier 2025", "1 January 2025"},
		{"2025-03-02", "2 mars 2025", "2 March 2025"},
		{"2050-08-15", "15 août 2050", "15 August 2050"},
		{"1999-12-31", "31 décembre 1999", "31 December 1999"},
	}
	for _, c := range cases {
		if got := formatDate(day(c.date), "fr"); got != c.fr {
			t.Errorf("fr %s = %q, want %q", c.date, got, c.fr)
		}
		if got := formatDate(day(c.date), "en"); got != c.en {
			t.Errorf("en %s = %q, want %q", c.date, got, c.en)
		}
	}
}
