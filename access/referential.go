package access

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Category is a SEDA management rule category, spelled as in the manifest and in the
// Vitam referential's RuleType column (same values as seda.Category).
type Category string

// The rule categories of SEDA 2.x and Vitam. The engine evaluates any of them; sesam
// uses AccessRule (communicability) and DisseminationRule (online publication).
const (
	AccessRule         Category = "AccessRule"
	DisseminationRule  Category = "DisseminationRule"
	AppraisalRule      Category = "AppraisalRule"
	StorageRule        Category = "StorageRule"
	ReuseRule          Category = "ReuseRule"
	ClassificationRule Category = "ClassificationRule"
	HoldRule           Category = "HoldRule"
)

var categories = []Category{AccessRule, DisseminationRule, AppraisalRule, StorageRule,
	ReuseRule, ClassificationRule, HoldRule}

// DurationUnit is the RuleMeasurement of a rule, as Vitam writes it.
type DurationUnit string

// The units of a rule's duration.
const (
	Day   DurationUnit = "DAY"
	Month DurationUnit = "MONTH"
	Year  DurationUnit = "YEAR"
)

// Duration is how long a rule runs from its start.
type Duration struct {
	N         int
	Unit      DurationUnit
	Unlimited bool // RuleDuration "unlimited" (AR062): the delay never elapses
}

// neverYears is the duration from which a delay is treated as never elapsing. Vitam caps
// a rule at 999 years and its referential writes the law's II (weapons, "never
// communicable") as ACC-00036 = 999 years; no real delay comes near it.
const neverYears = 999

// Never reports whether the delay never elapses: unlimited, or 999 years or more (the
// Vitam spelling of "never"; see neverYears).
func (d Duration) Never() bool {
	switch {
	case d.Unlimited:
		return true
	case d.Unit == Year:
		return d.N >= neverYears
	case d.Unit == Month:
		return d.N >= neverYears*12
	default:
		return d.N >= neverYears*365
	}
}

// Zero reports whether the delay is nil (AR038, ACC-00001: immediately communicable).
func (d Duration) Zero() bool { return !d.Unlimited && d.N == 0 }

// Basis is the event a rule's delay counts from when the unit gives no StartDate.
type Basis string

// The start bases, as in reference/access_rule_codes.csv (start_basis column).
const (
	BasisNone             Basis = "none"                  // no clock: only a nil delay means anything
	BasisDocumentDate     Basis = "document_date"         // date of the (most recent) document
	BasisDeathDate        Basis = "death_date"            // death of the person concerned
	BasisBirthDate        Basis = "birth_date"            // birth of the person concerned
	BasisRegisterClosing  Basis = "register_closing_date" // closing of the register (état civil)
	BasisEndOfBuildingUse Basis = "end_of_building_use"   // end of use as a detention building
)

var bases = []Basis{BasisNone, BasisDocumentDate, BasisDeathDate, BasisBirthDate,
	BasisRegisterClosing, BasisEndOfBuildingUse}

// RuleDef is one rule of a referential.
//
// Group names the law's alternative clocks for one protection: "75 years, or 25 years
// after death if that is shorter" (L213-2 I 4°) is the group "L213-2 I 4° b" holding
// AR056 (75 years) and AR046 (25 years after death). Rules of a group combine by the
// earliest known end; rules of different groups, or with no group, are different
// protections and combine by the latest end.
//
// Fallback marks a clock of its group that counts only when no other (non-fallback)
// clock of the group is known. It exists for medical secrecy (L213-2 I 2°): the delay is
// 25 years after death (AR043, ACC-00010), and 120 years from birth (AR061, ACC-00009)
// only "si la date du décès n'est pas connue". Taking the earliest of the two would open
// the file of someone who died after 95 years of age before the law allows.
type RuleDef struct {
	ID          string
	Category    Category
	Duration    Duration
	Basis       Basis
	LegalBasis  string // article of the Code du patrimoine, e.g. "CP L213-2 I 3°"
	Label       string // French, short
	Description string // RuleDescription of a tenant referential, as written
	Group       string
	Fallback    bool
	Source      string // "seed" or "tenant"
}

// Never reports whether the rule's delay never elapses (AR062, ACC-00036).
func (r RuleDef) Never() bool { return r.Duration.Never() }

// Referential is a read-only set of rule definitions, looked up by id. Build it with
// Seed, then Overlay a tenant's own rules.
type Referential struct {
	rules map[string]RuleDef
}

// NewReferential builds a referential from definitions; a later definition of the same
// id replaces an earlier one.
func NewReferential(defs []RuleDef) Referential {
	ref := Referential{rules: make(map[string]RuleDef, len(defs))}
	for _, d := range defs {
		ref.rules[d.ID] = d
	}
	return ref
}

// Rule returns the definition of id.
func (r Referential) Rule(id string) (RuleDef, bool) {
	d, ok := r.rules[id]
	return d, ok
}

// Rules returns every definition, sorted by id.
func (r Referential) Rules() []RuleDef {
	out := make([]RuleDef, 0, len(r.rules))
	for _, d := range r.rules {
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b RuleDef) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// Len is the number of rules.
func (r Referential) Len() int { return len(r.rules) }

// Overlay returns r with a tenant's rules on top: a tenant rule wins over a rule of r
// with the same id. What a Vitam CSV cannot say is taken from the rule it replaces:
// its group, its fallback mark and its legal basis always, its basis when the tenant
// rule has none (ParseVitamCSV leaves Basis empty when the description names no event).
// A new id with no basis counts from the document date, the common case of L213-2.
func (r Referential) Overlay(tenant []RuleDef) Referential {
	out := Referential{rules: make(map[string]RuleDef, len(r.rules)+len(tenant))}
	for id, d := range r.rules {
		out.rules[id] = d
	}
	for _, t := range tenant {
		base, had := r.rules[t.ID]
		if t.Basis == "" {
			t.Basis = BasisDocumentDate
			if had {
				t.Basis = base.Basis
			}
		}
		if had {
			if t.Group == "" {
				t.Group, t.Fallback = base.Group, base.Fallback
			}
			if t.LegalBasis == "" {
				t.LegalBasis = base.LegalBasis
			}
		}
		if t.Source == "" {
			t.Source = "tenant"
		}
		out.rules[t.ID] = t
	}
	return out
}

// seedCSV is sesam's built-in referential: the SEDA codes AR038–AR062, the Vitam-style
// ACC-00001…ACC-00036 and the DIS codes met in real packages. Sources are in its header.
//
//go:embed seed_rules.csv
var seedCSV []byte

var seed = sync.OnceValues(func() (Referential, error) {
	defs, err := parseSeed(bytes.NewReader(seedCSV))
	if err != nil {
		return Referential{}, fmt.Errorf("access: seed referential: %w", err)
	}
	return NewReferential(defs), nil
})

// Seed returns the built-in referential. It panics if the embedded file is malformed,
// which the package tests rule out.
func Seed() Referential {
	ref, err := seed()
	if err != nil {
		panic(err)
	}
	return ref
}

// parseSeed reads seed_rules.csv: id,category,duration,measurement,basis,group,fallback,
// legal_basis,label_fr ('#' starts a comment line).
func parseSeed(r io.Reader) ([]RuleDef, error) {
	cr := csv.NewReader(r)
	cr.Comment = '#'
	cr.FieldsPerRecord = 9
	recs, err := cr.ReadAll()
	if err != nil {
		return nil, err
	}
	var defs []RuleDef
	for i, rec := range recs[1:] {
		d, err := seedRow(rec)
		if err != nil {
			return nil, fmt.Errorf("row %d (%s): %w", i+2, rec[0], err)
		}
		defs = append(defs, d)
	}
	return defs, nil
}

func seedRow(rec []string) (RuleDef, error) {
	d := RuleDef{ID: rec[0], Category: Category(rec[1]), Basis: Basis(rec[4]), Group: rec[5],
		Fallback: rec[6] == "true", LegalBasis: rec[7], Label: rec[8], Source: "seed"}
	if !slices.Contains(categories, d.Category) {
		return d, fmt.Errorf("category %q", rec[1])
	}
	if !slices.Contains(bases, d.Basis) {
		return d, fmt.Errorf("basis %q", rec[4])
	}
	if rec[2] == "unlimited" {
		d.Duration = Duration{Unlimited: true}
		return d, nil
	}
	n, err := strconv.Atoi(rec[2])
	if err != nil {
		return d, fmt.Errorf("duration %q", rec[2])
	}
	d.Duration = Duration{N: n, Unit: DurationUnit(rec[3])}
	if !slices.Contains([]DurationUnit{Day, Month, Year}, d.Duration.Unit) {
		return d, errors.New("measurement " + rec[3])
	}
	return d, nil
}
