// Package access decides who may see what in sesam. This file and its neighbours hold
// the communicability engine: pure functions that turn a unit, its ancestors' rules and
// a rule referential into the day the unit becomes communicable (or publishable online),
// with the explanation a person can check. No I/O, no clock: the caller compares the
// stored date with "now" at query time, so a unit opens on its exact day without a job.
//
// The law (Code du patrimoine L213-1 and L213-2) and the Vitam rule model behind it are
// summarised in shared/reference/domain.md §1, §2 and §3.6–3.8.
//
// Semantics, in order:
//
//  1. Effective rules (effective.go). A unit's rules of a category are its own declared
//     rules plus, through EVERY parent, the parent's effective rules, less those stopped
//     at the unit: PreventInheritance stops all of them, RefNonRuleId the listed ids, and
//     a rule the unit declares itself replaces the inherited rules of the same id for
//     the unit and its subtree, with or without a StartDate (without one, its start is
//     computed from the unit's own facts, as for any rule it declares). A rule reached
//     through several paths counts once per distinct (rule id, origin unit, StartDate).
//  2. Start (start.go). A declared StartDate wins. Otherwise by the rule's basis:
//     document date and register closing → the content EndDate of the unit evaluated,
//     else of the unit declaring the rule; death (birth) → the latest death (birth)
//     date among the persons named on the unit evaluated and on the declaring unit,
//     unknown when someone named on either has no death date (UndatedDeath); end
//     of a building's use → only a declared StartDate; a nil delay needs no start except
//     after a death or birth (the person may be alive). No start → the end is unknown.
//  3. End = start + duration in calendar arithmetic (dates.go); the unit is communicable
//     FROM the end day, inclusive. An unlimited delay, or 999 years and more, never ends.
//  4. Combination (combine.go). Clocks of one Group are the law's alternatives and give
//     the earliest known end (except fallback clocks, see RuleDef); different protections
//     give the latest end. Never beats Unknown beats a date. No rule at all → communicable
//     since always (L213-1).
//
// Fail closed: an unknown code, a rule of another category, an unknown start, a missing
// unit in the graph or a cycle make the decision Unknown, which is not communicable.
package access

import (
	"slices"
	"time"
)

// DeclaredRule is one Rule of a unit's management block, with its optional StartDate
// (a civil date at midnight UTC, as the seda package gives it).
type DeclaredRule struct {
	RuleID    string
	StartDate *time.Time
}

// RuleBlock is what a unit declares for one category.
type RuleBlock struct {
	Rules              []DeclaredRule
	PreventInheritance bool     // stop every inherited rule of the category here
	RefNonRuleIDs      []string // stop only these inherited rule ids here
}

// UnitFacts is what the engine needs to know about one unit. The store builds it; the
// transfer's ManagementMetadata rules are already merged onto the root units (the root's
// own declaration of the same rule winning).
type UnitFacts struct {
	ID      string
	Parents []string
	Blocks  map[Category]RuleBlock

	// EndDate is the content EndDate: the date of the most recent document. It is the
	// start of document-date rules that give no StartDate. When it is nil such a rule has
	// an unknown start: the engine does not fall back to the content StartDate, which
	// dates the OLDEST document and would open the unit early.
	EndDate *time.Time

	// BirthDates and DeathDates are the known dates of the persons named in the content.
	BirthDates []time.Time
	DeathDates []time.Time

	// UndatedDeath is set when a person named in the content has no death date: that
	// person may be alive, so no death clock may run on this unit, nor on a unit that
	// inherits a death-based rule declared here (fail closed). Without it, the death of
	// someone else named on the same unit, or on an item below, would start the clock.
	UndatedDeath bool
}

// Graph gives the facts of a unit by id.
type Graph interface {
	Unit(id string) (*UnitFacts, bool)
}

// MapGraph is a Graph held in memory, keyed by unit id.
type MapGraph map[string]*UnitFacts

// Unit returns the facts of id.
func (m MapGraph) Unit(id string) (*UnitFacts, bool) {
	u, ok := m[id]
	return u, ok && u != nil
}

// Status is the outcome of a decision or of one rule.
type Status string

// Decision and rule statuses.
const (
	Open    Status = "open"    // communicable from a known day (or since always)
	Never   Status = "never"   // never communicable (CP L213-2 II)
	Unknown Status = "unknown" // cannot be computed: not communicable (fail closed)
)

// Problem says why a rule is not Open.
type Problem string

// The reasons a rule is Never or Unknown.
const (
	NoProblem        Problem = ""
	ProblemCode      Problem = "unknown_code"   // the referential has no such rule
	ProblemCategory  Problem = "wrong_category" // the rule is of another category
	ProblemStart     Problem = "unknown_start"  // no StartDate and no fact to count from
	ProblemUnlimited Problem = "unlimited"      // the delay never elapses
)

// Decision is the communicability (or online publication) of one unit for one category.
type Decision struct {
	Unit     string
	Category Category
	Status   Status

	// From is the first day the unit is communicable, inclusive, a civil date at
	// midnight UTC, when Status is Open. It is nil when the unit is communicable since
	// always: no rule applies (L213-1) or every rule has a nil delay. OpensOn gives the
	// comparable form the index stores.
	From *time.Time

	Rules   []AppliedRule  // every effective rule, own rules first, then by parent order
	Blocked []BlockedRule  // inherited rules stopped on the way, where and how
	Groups  []GroupOutcome // how each group of alternative clocks was resolved
	Gaps    []Gap          // missing units and cycles met while walking the ancestors

	// Reason is one French sentence: the outcome and the rule (or gap) that decides it.
	// It does not depend on "now"; ReasonAt does.
	Reason string
}

// AppliedRule is one effective rule of the unit, with where it comes from and its clock.
type AppliedRule struct {
	RuleID    string
	Origin    string   // the unit that declares it
	Inherited bool     // Origin is an ancestor
	Path      []string // one path from Origin down to the unit, both included

	StartDate     *time.Time // the start used; nil when unknown or not needed
	StartBasis    Basis      // the rule's basis (what a missing StartDate is taken from)
	StartDeclared bool       // StartDate was declared on Origin
	StartUnit     string     // the unit whose declaration or facts gave the start (or, Unknown, the unit naming someone without a death date)
	StartSource   string     // French: "StartDate déclarée sur AU1", "date de fin du contenu de AU3"...

	End      *time.Time // first day the rule no longer restricts; nil unless Open with a start
	Status   Status
	Problem  Problem
	Note     string // French: why the rule is Never or Unknown
	Group    string
	Decisive bool // this rule (or gap-free clock) sets the decision's outcome
	Def      *RuleDef
}

// BlockKind says how an inherited rule was stopped.
type BlockKind string

// The ways an inherited rule stops.
const (
	ByPreventInheritance BlockKind = "PreventInheritance"
	ByRefNonRuleID       BlockKind = "RefNonRuleId"
	ByRedeclaration      BlockKind = "redeclared" // replaced by the unit's own declaration
)

// BlockedRule is an inherited rule that does not reach the unit.
type BlockedRule struct {
	RuleID string
	Origin string // the unit that declares it
	At     string // the unit where it stops
	By     BlockKind
}

// GapKind says what is wrong with the unit graph.
type GapKind string

// The graph faults the engine meets.
const (
	GapMissing GapKind = "missing_unit"
	GapCycle   GapKind = "cycle"
)

// Gap is a fault in the ancestors of the unit. A missing unit could carry any rule and a
// cycle has no well-defined inheritance, so both make the decision Unknown — unless a
// PreventInheritance below them cuts them off.
type Gap struct {
	Unit  string // the missing unit, or the unit where the cycle closes
	Child string // the unit that names it as a parent ("" for the evaluated unit itself)
	Kind  GapKind
}

// GroupOutcome is how a group of alternative clocks resolved.
type GroupOutcome struct {
	Name     string
	Rules    []string // rule ids of the group present on the unit, in rule order
	Status   Status
	End      *time.Time
	Chosen   string // the rule id whose clock gives the group's end
	Fallback bool   // Chosen is a fallback clock (no primary clock was known)
}

// SinceAlways is the date OpensOn gives for a unit communicable since always: earlier
// than any real date, so "opens_on <= today" holds for it in an index.
var SinceAlways = time.Date(1, time.January, 1, 0, 0, 0, 0, time.UTC)

// OpensOn returns the first day the unit is communicable (SinceAlways when no delay
// runs), and false when it never is or cannot be known.
func (d Decision) OpensOn() (time.Time, bool) {
	switch {
	case d.Status != Open:
		return time.Time{}, false
	case d.From == nil:
		return SinceAlways, true
	}
	return *d.From, true
}

// CommunicableAt reports whether the unit is communicable at instant t, read as a day
// in Europe/Paris: a unit whose delay ends on 1 January 2025 opens at midnight Paris time.
func (d Decision) CommunicableAt(t time.Time) bool {
	day, ok := d.OpensOn()
	return ok && !parisDay(t).Before(day)
}

// Evaluate decides the communicability of unitID for category cat (AccessRule for
// communicability, DisseminationRule for online publication) with the referential ref.
// It never fails: what it cannot establish makes the decision Unknown.
func Evaluate(g Graph, unitID string, cat Category, ref Referential) Decision {
	return NewEvaluator(g, cat, ref).Evaluate(unitID)
}

// Evaluator decides many units of one graph for one category and referential, walking
// each ancestor once: what recomputing a transfer, or every unit after a referential
// change, needs. It is not safe for concurrent use; the graph must not change under it.
type Evaluator struct {
	g   Graph
	cat Category
	ref Referential
	w   *walker
}

// NewEvaluator returns an Evaluator over g.
func NewEvaluator(g Graph, cat Category, ref Referential) *Evaluator {
	return &Evaluator{g: g, cat: cat, ref: ref, w: newWalker(g, cat)}
}

// Evaluate decides unitID; see the package function Evaluate.
func (e *Evaluator) Evaluate(unitID string) Decision {
	d := Decision{Unit: unitID, Category: e.cat}
	u, ok := e.g.Unit(unitID)
	if !ok {
		d.Gaps = []Gap{{Unit: unitID, Kind: GapMissing}}
	} else {
		l := e.w.effective(unitID, "")
		// The walker's lists are shared with later decisions: hand out copies.
		d.Blocked, d.Gaps = slices.Clone(l.blocked), slices.Clone(l.gaps)
		for _, in := range l.rules {
			d.Rules = append(d.Rules, applyRule(e.g, unitID, u, in, e.cat, e.ref))
		}
	}
	combine(&d)
	d.Reason = reason(d, nil, "fr")
	return d
}

// applyRule resolves one effective rule against the referential and computes its clock.
func applyRule(g Graph, unitID string, u *UnitFacts, in inheritedRule, cat Category, ref Referential) AppliedRule {
	a := AppliedRule{RuleID: in.rule.RuleID, Origin: in.origin, Inherited: in.origin != unitID, Path: slices.Clone(in.path)}
	def, ok := ref.Rule(a.RuleID)
	switch {
	case !ok:
		a.Status, a.Problem = Unknown, ProblemCode
	case def.Category != cat:
		a.Status, a.Problem, a.Def = Unknown, ProblemCategory, &def
	case def.Never():
		a.Status, a.Problem, a.Def = Never, ProblemUnlimited, &def
		a.StartBasis, a.Group = def.Basis, def.Group
	default:
		a.Def, a.StartBasis, a.Group = &def, def.Basis, def.Group
		origin, _ := g.Unit(in.origin)
		setClock(&a, in.rule.StartDate, def, unitID, u, origin)
	}
	a.Note = ruleNoteCat(a, cat, "fr")
	return a
}
