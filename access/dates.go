package access

import (
	"fmt"
	"sync"
	"time"
	_ "time/tzdata" // the day a unit opens is a Paris day, whatever the host's zone files
)

// parisZone is the zone in which "today" is read: a unit opens at midnight in France,
// not at midnight UTC.
var parisZone = sync.OnceValue(func() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil { // cannot happen with time/tzdata linked in
		panic(fmt.Sprintf("access: load Europe/Paris: %v", err))
	}
	return loc
})

// civil returns t's calendar date as written (its own zone), at midnight UTC: the form
// every date takes inside the engine, as the seda package gives them.
func civil(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// parisDay is the civil date of the instant t in Europe/Paris.
func parisDay(t time.Time) time.Time {
	return civil(t.In(parisZone()))
}

// addDuration returns the day a delay of d counted from start is fully elapsed, which is
// the first day the unit is communicable (start 2000-01-01, 25 years → 2025-01-01).
//
// Months and years keep the day of the month. When that day does not exist in the
// target month (29 February in a common year, a 31st), the delay is elapsed only on the
// first day of the following month: 2000-02-29 + 25 years = 2025-03-01 and
// 2004-01-31 + 1 month = 2004-03-01. Java's LocalDate.plusYears/plusMonths, which Vitam
// uses, clamps to the last day of the month instead (2025-02-28), one day earlier than
// sesam; Go's AddDate overflows (2004-01-31 + 1 month = 2004-03-02), which is not a
// calendar rule at all.
func addDuration(start time.Time, d Duration) time.Time {
	start = civil(start)
	switch d.Unit {
	case Day:
		return start.AddDate(0, 0, d.N)
	case Month:
		return addMonths(start, d.N)
	default: // Year
		return addMonths(start, 12*d.N)
	}
}

func addMonths(start time.Time, n int) time.Time {
	y, m, day := start.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	if day > daysIn(first) {
		return first.AddDate(0, 1, 0)
	}
	return first.AddDate(0, 0, day-1)
}

func daysIn(first time.Time) int {
	return first.AddDate(0, 1, -1).Day()
}

var frMonths = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet",
	"août", "septembre", "octobre", "novembre", "décembre"}

// formatDate writes a civil date for people: "1er janvier 2025", "2 mars 2025" in
// French, "1 January 2025" in English.
func formatDate(t time.Time, lang string) string {
	y, m, d := t.Date()
	if lang == "en" {
		return fmt.Sprintf("%d %s %d", d, m.String(), y)
	}
	day := fmt.Sprint(d)
	if d == 1 {
		day = "1er"
	}
	return fmt.Sprintf("%s %s %d", day, frMonths[m-1], y)
}

// formatDuration writes a duration for people: "25 ans", "1 mois", "3 jours", "illimitée".
func formatDuration(d Duration, lang string) string {
	if d.Unlimited {
		if lang == "en" {
			return "unlimited"
		}
		return "illimitée"
	}
	type forms struct{ one, many string }
	var f forms
	switch {
	case lang == "en" && d.Unit == Day:
		f = forms{"day", "days"}
	case lang == "en" && d.Unit == Month:
		f = forms{"month", "months"}
	case lang == "en":
		f = forms{"year", "years"}
	case d.Unit == Day:
		f = forms{"jour", "jours"}
	case d.Unit == Month:
		f = forms{"mois", "mois"}
	default:
		f = forms{"an", "ans"}
	}
	if d.N == 1 || (d.N == 0 && lang != "en") {
		return fmt.Sprintf("%d %s", d.N, f.one)
	}
	return fmt.Sprintf("%d %s", d.N, f.many)
}
