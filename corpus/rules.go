package corpus

import (
	"math/rand/v2"
	"time"
)

// profile is a file's communicability as the law sets it for its kind of document:
// which AccessRule (and DisseminationRule) codes an archivist declares, with which
// dates and persons. The codes are the SEDA AR codes of reference/access_rule_codes.csv
// and the DIS codes of sesam's seed referential.
type profile int

const (
	open          profile = iota // no rule (L213-1), sometimes AR038 written out
	private50                    // AR048: private life, 50 years
	personnel                    // AR048 and DIS-00004 on an agent's file
	stat75                       // AR052: census questionnaires, 75 years
	stat25                       // AR041: statistical secrecy, 25 years
	civilBirth                   // AR054 from the register's closing, DIS-00003; acts: AR044
	civilMarriage                // AR054, DIS-00002; acts: AR044
	civilDeath                   // DIS-00001 only: death registers are communicable
	police75                     // AR056, sometimes with AR046 and the person's death
	justice75                    // AR057: court cases, 75 years
	medical                      // AR043 (25 years after death) or AR061 (120 years after birth)
	defense50                    // AR049: national defence, 50 years
	never                        // AR062: never communicable
	business25                   // AR039: business secrecy, 25 years
	notary75                     // AR055 and AR045 (the notary's death)
)

// ruleRef is a declared rule with its optional start date.
type ruleRef struct {
	id    string
	start *time.Time
}

// explicitAR038 is how often an open file says so (most leave the rule out).
const explicitAR038 = 0.12

// declare adds a profile's rules to a unit (a file, or a series for series-wide rules).
// Persons the rules count from are added to the unit too.
func (g *fondsGen) declare(p profile, u *unit) {
	switch p {
	case open:
		if g.r.Float64() < explicitAR038 {
			u.access = append(u.access, ruleRef{id: "AR038"})
		}
	case private50:
		u.access = append(u.access, ruleRef{id: "AR048"})
	case personnel:
		u.access = append(u.access, ruleRef{id: "AR048"})
		u.dissem = append(u.dissem, ruleRef{id: "DIS-00004"})
		g.ensurePerson(u, "Addressee", u.start.Year()-18-g.r.IntN(30), 0.4)
	case stat75:
		u.access = append(u.access, ruleRef{id: "AR052"})
	case stat25:
		u.access = append(u.access, ruleRef{id: "AR041"})
	case civilBirth, civilMarriage:
		closing := time.Date(u.end.Year(), 12, 31, 0, 0, 0, 0, time.UTC)
		u.access = append(u.access, ruleRef{id: "AR054", start: &closing})
		u.dissem = append(u.dissem, ruleRef{id: map[profile]string{civilBirth: "DIS-00003", civilMarriage: "DIS-00002"}[p]})
	case civilDeath:
		u.dissem = append(u.dissem, ruleRef{id: "DIS-00001"})
	case police75:
		u.access = append(u.access, ruleRef{id: "AR056"})
		if g.r.Float64() < 0.3 {
			u.access = append(u.access, ruleRef{id: "AR046"})
			g.ensurePerson(u, "Addressee", u.start.Year()-20-g.r.IntN(40), 0.8)
		}
	case justice75:
		u.access = append(u.access, ruleRef{id: "AR057"})
	case medical:
		u.access = append(u.access, ruleRef{id: "AR043"}, ruleRef{id: "AR061"})
		g.ensurePerson(u, "Addressee", u.start.Year()-g.r.IntN(80), 0.6)
	case defense50:
		u.access = append(u.access, ruleRef{id: "AR049"})
	case never:
		u.access = append(u.access, ruleRef{id: "AR062"})
	case business25:
		u.access = append(u.access, ruleRef{id: "AR039"})
	case notary75:
		u.access = append(u.access, ruleRef{id: "AR055"}, ruleRef{id: "AR045"})
		g.ensurePerson(u, "Writer", u.start.Year()-30-g.r.IntN(30), 0.9)
	}
}

// declareItem adds what an item of a file of this profile declares itself: an act of
// civil status names its person, whose death may open it earlier (AR044).
func (g *fondsGen) declareItem(p profile, it *unit) {
	switch p {
	case civilBirth:
		if len(it.persons) > 0 {
			it.access = append(it.access, ruleRef{id: "AR044"})
			setLife(g.r, &it.persons[0], it.start.Year(), 0.5)
		}
	case civilMarriage:
		if len(it.persons) > 0 {
			it.access = append(it.access, ruleRef{id: "AR044"})
			setLife(g.r, &it.persons[0], it.start.Year()-20-g.r.IntN(15), 0.5)
		}
	}
}

// ensurePerson makes sure the unit names a person in role, born in birthYear, dead
// (with a known date) with probability pDead when that date is already past.
func (g *fondsGen) ensurePerson(u *unit, role string, birthYear int, pDead float64) {
	if len(u.persons) == 0 {
		u.persons = append(u.persons, g.newPerson(role))
	}
	u.persons[0].role = role
	setLife(g.r, &u.persons[0], birthYear, pDead)
}

// setLife gives a person a birth date and, with probability pDead when it would be in
// the past, a death date.
func setLife(r *rand.Rand, p *person, birthYear int, pDead float64) {
	birth := randomDay(r, birthYear)
	p.birth = &birth
	p.death = nil
	deathYear := birthYear + 40 + r.IntN(55)
	if deathYear < lastYear && r.Float64() < pDead {
		d := randomDay(r, deathYear)
		p.death = &d
	}
}

// lastYear is the last year of the generated archives.
const lastYear = 2024

func randomDay(r *rand.Rand, year int) time.Time {
	return time.Date(year, time.January, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(365))
}
