package access

import (
	"time"
)

// setClock finds the start of an effective rule and, when it is known, its end.
//
// The facts come from two units: u, the unit evaluated, and origin, the unit that
// declares the rule (the same unit for a rule declared on u).
//
//   - Document date and register closing: u's content EndDate, else origin's. The law
//     counts from "the date of the document or of the most recent document in the file":
//     for a file (the origin) that is its EndDate, for an item inside it the item's own
//     EndDate, and an item without dates waits for the whole file.
//   - Death (birth): the latest death (birth) date among the persons of u AND of origin.
//     A protection about persons runs until the last person's clock has run out; the
//     person concerned is usually named where the rule is declared (the file), and an
//     item naming someone else must not open the file's secret early. So when a person
//     named on u or on origin has no death date (UndatedDeath), the death clock is
//     unknown, whatever the others' deaths: that person may be alive.
//   - End of a building's use for detention: no content date tells it; only a declared
//     StartDate.
//   - A nil delay (AR038, ACC-00001) counted from no event, the document date or the
//     register's closing is elapsed whatever the date: open since always. After a death
//     or birth it is not (the person may be alive, or unborn to the engine's knowledge).
func setClock(a *AppliedRule, declared *time.Time, def RuleDef, unitID string, u, origin *UnitFacts) {
	start, from, ok := declaredStart(declared, a.Origin)
	if ok {
		a.StartDeclared = true
	} else if def.Duration.Zero() && countsFromPast(def.Basis) {
		a.Status = Open // since always: End stays nil
		a.StartSource = startSource(*a, "fr")
		return
	} else {
		start, from, ok = factStart(def.Basis, unitID, u, a.Origin, origin)
	}
	if !ok {
		// from names the unit where someone has no death date, when that is the cause.
		a.Status, a.Problem, a.StartUnit = Unknown, ProblemStart, from
		return
	}
	end := addDuration(start, def.Duration)
	a.StartDate, a.StartUnit, a.End, a.Status = &start, from, &end, Open
	a.StartSource = startSource(*a, "fr")
}

func declaredStart(declared *time.Time, origin string) (time.Time, string, bool) {
	if declared == nil {
		return time.Time{}, "", false
	}
	return civil(*declared), origin, true
}

// countsFromPast reports whether the basis is an event that has always already happened
// for an archived document.
func countsFromPast(b Basis) bool {
	return b == BasisNone || b == BasisDocumentDate || b == BasisRegisterClosing
}

// factStart computes a start from the units' facts; from names the unit that gave it.
func factStart(b Basis, unitID string, u *UnitFacts, originID string, origin *UnitFacts) (time.Time, string, bool) {
	switch b {
	case BasisDocumentDate, BasisRegisterClosing:
		if u.EndDate != nil {
			return civil(*u.EndDate), unitID, true
		}
		if origin != nil && origin.EndDate != nil {
			return civil(*origin.EndDate), originID, true
		}
	case BasisDeathDate:
		if u.UndatedDeath {
			return time.Time{}, unitID, false
		}
		if origin != nil && origin.UndatedDeath {
			return time.Time{}, originID, false
		}
		return latestOf(unitID, u.DeathDates, originID, deathsOf(origin))
	case BasisBirthDate:
		return latestOf(unitID, u.BirthDates, originID, birthsOf(origin))
	}
	return time.Time{}, "", false
}

func deathsOf(u *UnitFacts) []time.Time {
	if u == nil {
		return nil
	}
	return u.DeathDates
}

func birthsOf(u *UnitFacts) []time.Time {
	if u == nil {
		return nil
	}
	return u.BirthDates
}

// latestOf returns the latest date of two units' lists and the unit it belongs to (the
// first unit on a tie).
func latestOf(id1 string, d1 []time.Time, id2 string, d2 []time.Time) (time.Time, string, bool) {
	var best time.Time
	from := ""
	for _, x := range []struct {
		id    string
		dates []time.Time
	}{{id1, d1}, {id2, d2}} {
		for _, t := range x.dates {
			if t = civil(t); from == "" || t.After(best) {
				best, from = t, x.id
			}
		}
	}
	return best, from, from != ""
}
