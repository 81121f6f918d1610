package access

import (
	"testing"
)

// TestEverySeedCode evaluates each code of the seed referential, declared alone on a unit
// whose facts satisfy every start basis with DIFFERENT dates, so that a code counting
// from the wrong event opens on the wrong day:
//
//	content EndDate 2001-04-02 (document date, register closing)
//	death 1990-06-15, birth 1920-03-10
//	end of a building's use: declared StartDate 2010-05-20 (no content fact gives it)
func TestEverySeedCode(t *testing.T) {
	const (
		always = ""
		doc25  = "2026-04-02"
		doc50  = "2051-04-02"
		doc75  = "2076-04-02"
		doc100 = "2101-04-02"
		death  = "2015-06-15" // 25 years after death
		birth  = "2040-03-10" // 120 years from birth
		bldg   = "2060-05-20" // 50 years from the declared end of use
	)
	cases := []struct {
		code   string
		status Status
		from   string
	}{
		{"AR038", Open, always},
		{"AR039", Open, doc25}, {"AR040", Open, doc25}, {"AR041", Open, doc25}, {"AR042", Open, doc25},
		{"AR043", Open, death}, {"AR044", Open, death}, {"AR045", Open, death}, {"AR046", Open, death}, {"AR047", Open, death},
		{"AR048", Open, doc50}, {"AR049", Open, doc50}, {"AR050", Open, bldg}, {"AR051", Open, doc50},
		{"AR052", Open, doc75}, {"AR053", Open, doc75}, {"AR054", Open, doc75}, {"AR055", Open, doc75}, {"AR056", Open, doc75}, {"AR057", Open, doc75},
		{"AR058", Open, doc100}, {"AR059", Open, doc100}, {"AR060", Open, doc100},
		{"AR061", Open, birth},
		{"AR062", Never, ""},

		{"ACC-00001", Open, always},
		{"ACC-00002", Open, doc25}, {"ACC-00003", Open, doc25}, {"ACC-00004", Open, doc25}, {"ACC-00005", Open, doc25},
		{"ACC-00006", Open, doc25}, {"ACC-00007", Open, doc25}, {"ACC-00008", Open, doc25},
		{"ACC-00009", Open, birth}, {"ACC-00010", Open, death},
		{"ACC-00011", Open, doc50}, {"ACC-00012", Open, doc50}, {"ACC-00013", Open, doc50}, {"ACC-00014", Open, doc50},
		{"ACC-00015", Open, doc50}, {"ACC-00016", Open, doc50}, {"ACC-00017", Open, doc50},
		{"ACC-00018", Open, bldg},
		{"ACC-00019", Open, doc75}, {"ACC-00020", Open, death}, {"ACC-00021", Open, doc100},
		{"ACC-00022", Open, doc75}, {"ACC-00023", Open, death}, {"ACC-00024", Open, doc100},
		{"ACC-00025", Open, doc75}, {"ACC-00026", Open, death}, {"ACC-00027", Open, doc100},
		{"ACC-00028", Open, doc75}, {"ACC-00029", Open, death}, {"ACC-00030", Open, doc100},
		{"ACC-00031", Open, doc75}, {"ACC-00032", Open, death}, {"ACC-00033", Open, doc100},
		{"ACC-00034", Open, doc100}, {"ACC-00035", Open, doc100},
		{"ACC-00036", Never, ""},

		{"DIS-00001", Open, doc25}, {"DIS-00002", Open, doc75}, {"DIS-00003", Open, doc100}, {"DIS-00004", Open, doc100},
	}
	ref := Seed()
	if len(cases) != ref.Len() {
		t.Errorf("%d cases for %d seed rules: every seed code needs its case", len(cases), ref.Len())
	}
	for _, c := range cases {
		t.Run(c.code, func(t *testing.T) {
			def, ok := ref.Rule(c.code)
			if !ok {
				t.Fatalf("%s is not in the seed", c.code)
			}
			start := ""
			if def.Basis == BasisEndOfBuildingUse {
				start = "2010-05-20"
			}
			u := withCat(ended(unit("U"), "2001-04-02"), def.Category, rule(c.code, start))
			u.DeathDates = days("1990-06-15")
			u.BirthDates = days("1920-03-10")
			d := Evaluate(graph(u), "U", def.Category, ref)
			diff(t, "outcome", outcome{c.status, c.from}, outcomeOf(d))
			checkDay(t, d)
		})
	}
}

// TestStartDateWins: a declared StartDate is the start whatever the rule's basis.
func TestStartDateWins(t *testing.T) {
	cases := []struct {
		code, start, want string
	}{
		{"AR043", "1990-01-01", "2015-01-01"}, // death basis: StartDate is the death
		{"AR061", "1900-01-01", "2020-01-01"}, // birth basis
		{"AR054", "1950-12-31", "2025-12-31"}, // register closing
		{"AR048", "1999-07-14", "2049-07-14"}, // document date, EndDate ignored
		{"AR038", "2030-01-01", "2030-01-01"}, // nil delay from a future StartDate: open from it
	}
	for _, c := range cases {
		t.Run(c.code, func(t *testing.T) {
			u := with(ended(unit("U"), "2001-04-02"), rule(c.code, c.start))
			u.DeathDates, u.BirthDates = days("1980-01-01"), days("1890-01-01")
			d := Evaluate(graph(u), "U", AccessRule, Seed())
			diff(t, "outcome", outcome{Open, c.want}, outcomeOf(d))
			checkDay(t, d)
		})
	}
}

// TestParisMidnight: a unit opens at midnight in Paris, winter (UTC+1) and summer (UTC+2).
func TestParisMidnight(t *testing.T) {
	cases := []struct {
		start, utc string
		want       bool
	}{
		{"2000-01-01", "2024-12-31T22:59:59Z", false},
		{"2000-01-01", "2024-12-31T23:00:00Z", true},
		{"2000-07-01", "2025-06-30T21:59:59Z", false},
		{"2000-07-01", "2025-06-30T22:00:00Z", true},
	}
	for _, c := range cases {
		d := Evaluate(graph(with(unit("U"), rule("AR039", c.start))), "U", AccessRule, Seed())
		at, err := timeParse(c.utc)
		if err != nil {
			t.Fatal(err)
		}
		if got := d.CommunicableAt(at); got != c.want {
			t.Errorf("start %s, at %s: communicable = %v, want %v", c.start, c.utc, got, c.want)
		}
	}
}
