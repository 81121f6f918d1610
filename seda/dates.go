package seda

import (
	"regexp"
	"strconv"
	"time"
)

// periodSide says which day stands for a partial date ("1850", "1850-03").
type periodSide int

const (
	// periodStart reads a partial date as the first day of its period: a StartDate.
	periodStart periodSide = iota
	// periodEnd reads it as the last day: every other date, so that a delay computed
	// from it (a rule's start, a birth, a death, the most recent document) never ends
	// before the truth does.
	periodEnd
)

// dateRE accepts xsd:date and xsd:dateTime, with or without a time zone or fraction,
// and the year-only or year-month values some producers write.
var dateRE = regexp.MustCompile(
	`^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?)?)?(?:Z|[+-]\d{2}:?\d{2})?$`)

// parseDate reads a civil date: midnight UTC of the date as written, whatever the offset.
func parseDate(s string, side periodSide) (time.Time, bool) {
	g := dateRE.FindStringSubmatch(s)
	if g == nil {
		return time.Time{}, false
	}
	year, _ := strconv.Atoi(g[1])
	month, day := 1, 1
	if g[2] != "" {
		month, _ = strconv.Atoi(g[2])
	}
	if g[3] != "" {
		day, _ = strconv.Atoi(g[3])
	}
	if year == 0 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || !validClock(g[4:7]) {
		return time.Time{}, false
	}
	if side == periodEnd {
		switch {
		case g[2] == "":
			month, day = 12, 31
		case g[3] == "":
			day = daysIn(year, month)
		}
	}
	return time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC), true
}

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// validClock checks hour, minute and second when they are there (24:00 and a leap
// second are allowed).
func validClock(hms []string) bool {
	limits := []int{24, 59, 60}
	for i, s := range hms {
		if s == "" {
			continue
		}
		if n, _ := strconv.Atoi(s); n > limits[i] {
			return false
		}
	}
	return true
}
