package access

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The engine's property test: random referentials (the seed overlaid with random tenant
// rules), random unit graphs (several parents, missing parents, the odd cycle), random
// declarations (StartDates on leap days too, PreventInheritance, RefNonRuleId,
// redeclarations) and random facts (content end dates, births, deaths, persons with no
// death date), all evaluated through the engine and checked against the invariants of
// the law and of failing closed. Each case is a seed: a failure names it and prints the
// graph. index/security_test.go checks the other side (search against decisions).

const propertyCases = 1000

func TestEngineProperties(t *testing.T) {
	checked := map[string]int{}
	for seed := uint64(1); seed <= propertyCases; seed++ {
		r := rand.New(rand.NewPCG(seed, 0x5e5a))
		ref := randomReferential(r)
		g := randomGraph(r)
		p := propCase{t: t, seed: seed, g: g, ref: ref, checked: checked}
		for _, cat := range []Category{AccessRule, DisseminationRule} {
			p.check(cat)
		}
		p.checkAddedProtection(r)
		if t.Failed() {
			return // one seed's report is enough to read
		}
	}
	// The invariants below are conditional: make sure the generator reaches them.
	for _, k := range []string{"open", "unknown", "never", "gap", "group", "child-not-earlier", "blocked",
		"undated-death", "added-protection"} {
		if checked[k] < 50 {
			t.Errorf("the generator reached %q only %d times: widen it", k, checked[k])
		}
	}
	t.Logf("checked: %v", checked)
}

// propCase is one random graph and referential under test.
type propCase struct {
	t       *testing.T
	seed    uint64
	g       MapGraph
	ref     Referential
	checked map[string]int
}

func (p propCase) fail(format string, args ...any) {
	p.t.Helper()
	p.t.Errorf("seed %d: %s\n%s", p.seed, fmt.Sprintf(format, args...), dumpGraph(p.g))
}

// check decides every unit of the graph for one category and checks each decision and
// each parent–child pair.
func (p propCase) check(cat Category) {
	e := NewEvaluator(p.g, cat, p.ref)
	ds := map[string]Decision{}
	cyclic := hasCycleGraph(p.g)
	for _, id := range sortedIDs(p.g) {
		d := e.Evaluate(id)
		// Round a cycle, which unit closes it depends on the order of the walk, and so
		// which rules of the cycle are seen (the reader refuses cycles; the engine only
		// stays closed on them): there both must agree on the opening day, Never and
		// Unknown being both closed.
		alone := Evaluate(p.g, id, cat, p.ref)
		if cyclic {
			if OpenDay(d) != OpenDay(alone) {
				p.fail("%s: round a cycle, the Evaluator gives %v, Evaluate %v", id, outcomeOf(d), outcomeOf(alone))
			}
		} else if !reflect.DeepEqual(d, alone) {
			p.fail("%s: the Evaluator and Evaluate disagree (-alone +evaluator):\n%s", id, cmp.Diff(alone, d))
		}
		ds[id] = d
		p.checkDecision(d)
	}
	for id, u := range p.g {
		for _, parent := range u.Parents {
			if pd, ok := ds[parent]; ok {
				p.checkInheritance(u, cat, pd, ds[id])
			}
		}
	}
}

// checkDecision: fail closed, and no decision earlier than any of its protections.
func (p propCase) checkDecision(d Decision) {
	p.t.Helper()
	p.checked[string(d.Status)]++
	u := p.g[d.Unit]
	for _, a := range d.Rules {
		p.checkRuleClock(d, u, a)
		p.checkEnd(d.Unit, a)
	}
	if len(d.Gaps) > 0 {
		p.checked["gap"]++
		if d.Status == Open {
			p.fail("%s: open despite a fault of the graph %v", d.Unit, d.Gaps)
		}
	}
	if d.Status != Open {
		if OpenDay(d) != NeverDay {
			p.fail("%s: status %s but opening day %d", d.Unit, d.Status, OpenDay(d))
		}
		return
	}
	for _, a := range d.Rules {
		if a.Group == "" && (a.Status != Open || before(d.From, a.End)) {
			p.fail("%s: opens %v before its protection %s (%s, ends %v)", d.Unit, fmtDay(d.From), a.RuleID, a.Status, fmtDay(a.End))
		}
	}
	for group, members := range groups(d.Rules) {
		p.checked["group"]++
		earliest, open := (*time.Time)(nil), false
		for _, a := range members {
			if a.Status == Open && (!open || before(a.End, earliest)) {
				earliest, open = a.End, true
			}
		}
		if !open || before(d.From, earliest) {
			p.fail("%s: opens %v before every alternative of %s", d.Unit, fmtDay(d.From), group)
		}
	}
	if OpenDay(d) >= NeverDay {
		p.fail("%s: open with the never day", d.Unit)
	}
	if want, ok := expectedFrom(d.Rules); ok && !sameDay(want, d.From) {
		p.fail("%s: every clock known, opens %v, want %v (latest protection, earliest alternative)", d.Unit, fmtDay(d.From), fmtDay(want))
	}
}

// expectedFrom restates the combination when every clock is known and the graph has no
// fault: the latest of the protections, a group giving the earliest of its clocks (of
// its primary clocks when it has any), several declarations of one rule the latest.
func expectedFrom(rules []AppliedRule) (*time.Time, bool) {
	var out *time.Time
	later := func(a, b *time.Time) *time.Time {
		if before(a, b) {
			return b
		}
		return a
	}
	byGroup := map[string]map[string]*time.Time{} // group → rule id → latest end
	fallback := map[string]bool{}
	for _, a := range rules {
		if a.Status != Open {
			return nil, false
		}
		if a.Group == "" {
			out = later(out, a.End)
			continue
		}
		if byGroup[a.Group] == nil {
			byGroup[a.Group] = map[string]*time.Time{}
		}
		if prev, seen := byGroup[a.Group][a.RuleID]; seen {
			byGroup[a.Group][a.RuleID] = later(prev, a.End)
		} else {
			byGroup[a.Group][a.RuleID] = a.End
		}
		fallback[a.RuleID] = a.Def.Fallback
	}
	for _, ids := range byGroup {
		primary := slices.ContainsFunc(slices.Collect(maps.Keys(ids)), func(id string) bool { return !fallback[id] })
		var best *time.Time
		first := true
		for id, end := range ids {
			if fallback[id] == primary {
				continue // a primary group ignores its fallbacks; a fallback-only group uses them
			}
			if first || before(end, best) {
				best, first = end, false
			}
		}
		out = later(out, best)
	}
	return out, true
}

// checkEnd restates the calendar: days are added; months and years keep the day of the
// month, or give the 1st of the next month when that day does not exist.
func (p propCase) checkEnd(unitID string, a AppliedRule) {
	p.t.Helper()
	if a.Status != Open || a.StartDate == nil || a.End == nil {
		return
	}
	s, d := *a.StartDate, a.Def.Duration
	var want time.Time
	switch d.Unit {
	case Day:
		want = s.AddDate(0, 0, d.N)
	default:
		months := d.N
		if d.Unit == Year {
			months *= 12
		}
		want = time.Date(s.Year(), s.Month()+time.Month(months), s.Day(), 0, 0, 0, 0, time.UTC)
		if want.Day() != s.Day() { // overflowed into the month after the target
			want = time.Date(want.Year(), want.Month(), 1, 0, 0, 0, 0, time.UTC)
		}
	}
	if !a.End.Equal(want) {
		p.fail("%s: rule %s from %s for %d %s ends %s, want %s", unitID, a.RuleID, fmtDay(a.StartDate), d.N, d.Unit, fmtDay(a.End), fmtDay(&want))
	}
}

// checkRuleClock: a rule's clock fails closed on an unknown code, a wrong category, an
// unlimited delay and a start the facts cannot give; a start from the facts is one of
// the two units' facts.
func (p propCase) checkRuleClock(d Decision, u *UnitFacts, a AppliedRule) {
	p.t.Helper()
	def, ok := p.ref.Rule(a.RuleID)
	origin := p.g[a.Origin]
	declared := declaredStartOf(origin, d.Category, a)
	switch {
	case !ok || def.Category != d.Category:
		if a.Status != Unknown {
			p.fail("%s: rule %s unknown or of another category but %s", d.Unit, a.RuleID, a.Status)
		}
		return
	case def.Never():
		if a.Status != Never {
			p.fail("%s: rule %s never ends but %s", d.Unit, a.RuleID, a.Status)
		}
		return
	case declared != nil:
		if a.Status != Open || !a.StartDate.Equal(civil(*declared)) {
			p.fail("%s: rule %s starts %v, declared %v", d.Unit, a.RuleID, fmtDay(a.StartDate), fmtDay(declared))
		}
		return
	}
	if def.Basis == BasisDeathDate && (u.UndatedDeath || origin.UndatedDeath) {
		p.checked["undated-death"]++
		if a.Status == Open {
			p.fail("%s: death rule %s open while someone named on %s or %s has no death date", d.Unit, a.RuleID, u.ID, origin.ID)
		}
	}
	if a.Status == Open && a.StartDate != nil && !slices.ContainsFunc(factDates(def.Basis, u, origin), func(t time.Time) bool {
		return civil(t).Equal(*a.StartDate)
	}) {
		p.fail("%s: rule %s starts %v, which no fact of %s or %s gives", d.Unit, a.RuleID, fmtDay(a.StartDate), u.ID, origin.ID)
	}
	if a.Status == Open && a.StartDate == nil && !(def.Duration.Zero() && countsFromPast(def.Basis)) {
		p.fail("%s: rule %s open since always with a delay counted from %s", d.Unit, a.RuleID, def.Basis)
	}
}

// checkInheritance: every rule the parent holds reaches the child unless the child stops
// it (PreventInheritance, RefNonRuleId, its own declaration); and a child that stops
// nothing, redeclares nothing, adds no alternative to the parent's groups and has no
// facts of its own (nor the parent) never opens before the parent.
func (p propCase) checkInheritance(c *UnitFacts, cat Category, pd, cd Decision) {
	p.t.Helper()
	if hasCycle(pd) || hasCycle(cd) {
		return // inheritance round a cycle is undefined; both are Unknown (checkDecision)
	}
	block := c.Blocks[cat]
	stops := func(id string) bool {
		return block.PreventInheritance || slices.Contains(block.RefNonRuleIDs, id) || declares(block, id)
	}
	for _, a := range pd.Rules {
		if stops(a.RuleID) {
			p.checked["blocked"]++
			continue
		}
		if !slices.ContainsFunc(cd.Rules, func(b AppliedRule) bool { return sameDeclaration(a, b) }) {
			p.fail("%s: rule %s of %s (from %s) does not reach its child %s", pd.Unit, a.RuleID, pd.Unit, a.Origin, c.ID)
		}
	}
	for _, b := range cd.Rules {
		if b.Origin != c.ID && stops(b.RuleID) {
			p.fail("%s stops or redeclares %s, yet %s's reaches it", c.ID, b.RuleID, b.Origin)
		}
	}
	if block.PreventInheritance {
		return
	}
	par := p.g[pd.Unit]
	if hasFacts(c) || hasFacts(par) || len(block.RefNonRuleIDs) > 0 || p.addsAlternative(pd, cd) ||
		slices.ContainsFunc(pd.Rules, func(a AppliedRule) bool { return declares(block, a.RuleID) }) {
		return
	}
	p.checked["child-not-earlier"]++
	if OpenDay(cd) < OpenDay(pd) {
		p.fail("%s opens on %d, before its parent %s (%d)", c.ID, OpenDay(cd), pd.Unit, OpenDay(pd))
	}
}

// addsAlternative reports whether the child holds a clock of one of the parent's
// groups that the parent does not: the law's earliest-of-alternatives may then open
// the child first.
func (p propCase) addsAlternative(pd, cd Decision) bool {
	for _, b := range cd.Rules {
		if b.Group != "" && !slices.ContainsFunc(pd.Rules, func(a AppliedRule) bool { return sameDeclaration(a, b) }) {
			return true
		}
	}
	return false
}

// checkAddedProtection: declaring one more protection (a rule of no group that does
// not reach the unit yet) never makes the unit open earlier.
func (p propCase) checkAddedProtection(r *rand.Rand) {
	ids := sortedIDs(p.g)
	id := ids[r.IntN(len(ids))]
	before := Evaluate(p.g, id, AccessRule, p.ref)
	code := rulePool[r.IntN(len(rulePool))]
	if def, ok := p.ref.Rule(code); ok && def.Group != "" {
		return
	}
	if slices.ContainsFunc(before.Rules, func(a AppliedRule) bool { return a.RuleID == code }) {
		return
	}
	g := MapGraph{}
	for k, u := range p.g {
		g[k] = u
	}
	u := *p.g[id]
	u.Blocks = map[Category]RuleBlock{}
	for c, b := range p.g[id].Blocks {
		u.Blocks[c] = b
	}
	b := u.Blocks[AccessRule]
	b.Rules = append(slices.Clip(b.Rules), randomDeclared(r, code))
	u.Blocks[AccessRule] = b
	g[id] = &u
	after := Evaluate(g, id, AccessRule, p.ref)
	p.checked["added-protection"]++
	if OpenDay(after) < OpenDay(before) {
		p.fail("%s: declaring %s makes it open on %d instead of %d", id, code, OpenDay(after), OpenDay(before))
	}
}

// --- generators ---

// rulePool is what units declare: seed codes of every basis and group, tenant codes the
// random referential defines, a dissemination code and a code nobody defines.
var rulePool = []string{"AR038", "AR039", "AR043", "AR044", "AR046", "AR048", "AR050", "AR054", "AR055", "AR056",
	"AR058", "AR061", "AR062", "ACC-00001", "ACC-00019", "ACC-00020", "ACC-00036",
	"T-1", "T-2", "T-3", "DIS-00001", "XYZ"}

// randomReferential is the seed with a tenant's overlay: seed codes redefined, and
// tenant codes of random category, delay, basis and group.
func randomReferential(r *rand.Rand) Referential {
	var defs []RuleDef
	for _, id := range []string{"AR048", "AR043", "AR056", "T-1", "T-2", "T-3"} {
		if r.IntN(3) == 0 && strings.HasPrefix(id, "AR") {
			continue
		}
		d := RuleDef{ID: id, Category: AccessRule, Duration: randomDuration(r), Basis: bases[r.IntN(len(bases))]}
		if r.IntN(8) == 0 {
			d.Category = DisseminationRule
		}
		if strings.HasPrefix(id, "T-") && r.IntN(3) == 0 {
			d.Group, d.Fallback = "L213-2 I 4° b", r.IntN(3) == 0 // joins AR056/AR046's alternatives
		}
		defs = append(defs, d)
	}
	return Seed().Overlay(defs)
}

func randomDuration(r *rand.Rand) Duration {
	switch r.IntN(10) {
	case 0:
		return Duration{Unlimited: true}
	case 1:
		return Duration{N: 999, Unit: Year}
	case 2:
		return Duration{N: 0, Unit: Year}
	case 3:
		return Duration{N: 1 + r.IntN(36), Unit: Month}
	case 4:
		return Duration{N: 1 + r.IntN(400), Unit: Day}
	}
	return Duration{N: 1 + r.IntN(100), Unit: Year}
}

// randomGraph is 1 to 8 units, each child of up to two earlier units, with now and
// then a missing parent or a cycle.
func randomGraph(r *rand.Rand) MapGraph {
	n := 1 + r.IntN(8)
	g := MapGraph{}
	for i := range n {
		u := unit(fmt.Sprintf("U%d", i))
		for range r.IntN(3) {
			if i > 0 {
				if p := fmt.Sprintf("U%d", r.IntN(i)); !slices.Contains(u.Parents, p) {
					u.Parents = append(u.Parents, p)
				}
			}
		}
		switch r.IntN(40) {
		case 0:
			u.Parents = append(u.Parents, "GONE")
		case 1:
			if i+1 < n {
				u.Parents = append(u.Parents, fmt.Sprintf("U%d", i+1)) // a cycle when U(i+1) descends from Ui
			}
		}
		for _, cat := range []Category{AccessRule, DisseminationRule} {
			u.Blocks[cat] = randomBlock(r, cat)
		}
		randomFacts(r, u)
		g[u.ID] = u
	}
	return g
}

func randomBlock(r *rand.Rand, cat Category) RuleBlock {
	var b RuleBlock
	for range r.IntN(4) {
		code := rulePool[r.IntN(len(rulePool))]
		if cat == DisseminationRule && r.IntN(2) == 0 {
			code = "DIS-00001"
		}
		b.Rules = append(b.Rules, randomDeclared(r, code))
	}
	b.PreventInheritance = r.IntN(10) == 0
	if r.IntN(6) == 0 {
		b.RefNonRuleIDs = []string{rulePool[r.IntN(len(rulePool))]}
	}
	return b
}

func randomDeclared(r *rand.Rand, code string) DeclaredRule {
	d := DeclaredRule{RuleID: code}
	if r.IntN(3) == 0 {
		t := randomDay(r)
		d.StartDate = &t
	}
	return d
}

// randomDay is a day between 1900 and 2030, a 29 February one time in ten.
func randomDay(r *rand.Rand) time.Time {
	if r.IntN(10) == 0 {
		return time.Date(1904+4*r.IntN(31), time.February, 29, 0, 0, 0, 0, time.UTC)
	}
	return time.Date(1900+r.IntN(131), time.Month(1+r.IntN(12)), 1+r.IntN(31), 0, 0, 0, 0, time.UTC)
}

func randomFacts(r *rand.Rand, u *UnitFacts) {
	if r.IntN(2) == 0 {
		return // no facts: the inherited clocks count from the declaring unit's
	}
	if r.IntN(3) > 0 {
		t := randomDay(r)
		u.EndDate = &t
	}
	for range r.IntN(3) {
		u.DeathDates = append(u.DeathDates, randomDay(r))
	}
	if r.IntN(3) == 0 {
		u.BirthDates = append(u.BirthDates, randomDay(r))
	}
	u.UndatedDeath = r.IntN(4) == 0
}

// --- helpers ---

func sortedIDs(g MapGraph) []string {
	ids := make([]string, 0, len(g))
	for id := range g {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// hasCycleGraph reports whether some unit is its own ancestor.
func hasCycleGraph(g MapGraph) bool {
	state := map[string]int{} // 1 on the path, 2 done
	var visit func(id string) bool
	visit = func(id string) bool {
		switch state[id] {
		case 1:
			return true
		case 2:
			return false
		}
		state[id] = 1
		if u, ok := g[id]; ok {
			for _, p := range u.Parents {
				if visit(p) {
					return true
				}
			}
		}
		state[id] = 2
		return false
	}
	for _, id := range sortedIDs(g) {
		if visit(id) {
			return true
		}
	}
	return false
}

func hasCycle(d Decision) bool {
	return slices.ContainsFunc(d.Gaps, func(g Gap) bool { return g.Kind == GapCycle })
}

func hasFacts(u *UnitFacts) bool {
	return u.EndDate != nil || len(u.DeathDates) > 0 || len(u.BirthDates) > 0 || u.UndatedDeath
}

// sameDeclaration: one declaration (rule, origin, StartDate) seen on two units.
func sameDeclaration(a, b AppliedRule) bool {
	return a.RuleID == b.RuleID && a.Origin == b.Origin && sameStart(declaredOf(a), declaredOf(b))
}

func declaredOf(a AppliedRule) *time.Time {
	if a.StartDeclared {
		return a.StartDate
	}
	return nil
}

func sameStart(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

// declaredStartOf is the StartDate the origin declares for an applied rule, if any.
func declaredStartOf(origin *UnitFacts, cat Category, a AppliedRule) *time.Time {
	if !a.StartDeclared {
		return nil
	}
	for _, r := range origin.Blocks[cat].Rules {
		if r.RuleID == a.RuleID && r.StartDate != nil && civil(*r.StartDate).Equal(*a.StartDate) {
			return r.StartDate
		}
	}
	return a.StartDate // a declared start that matches no declaration fails the check
}

// factDates are the dates a rule of basis b may start from, on the unit or its origin.
func factDates(b Basis, u, origin *UnitFacts) []time.Time {
	var out []time.Time
	for _, f := range []*UnitFacts{u, origin} {
		switch b {
		case BasisDocumentDate, BasisRegisterClosing:
			if f.EndDate != nil {
				out = append(out, *f.EndDate)
			}
		case BasisDeathDate:
			out = append(out, f.DeathDates...)
		case BasisBirthDate:
			out = append(out, f.BirthDates...)
		}
	}
	return out
}

func groups(rules []AppliedRule) map[string][]AppliedRule {
	out := map[string][]AppliedRule{}
	for _, a := range rules {
		if a.Group != "" {
			out[a.Group] = append(out[a.Group], a)
		}
	}
	return out
}

func fmtDay(t *time.Time) string {
	if t == nil {
		return "always"
	}
	return t.Format(time.DateOnly)
}

// dumpGraph writes a graph for a failure message.
func dumpGraph(g MapGraph) string {
	var b strings.Builder
	for _, id := range sortedIDs(g) {
		u := g[id]
		fmt.Fprintf(&b, "  %s parents=%v end=%s deaths=%v births=%v undated=%v\n", id, u.Parents, fmtDay(u.EndDate),
			u.DeathDates, u.BirthDates, u.UndatedDeath)
		for _, cat := range []Category{AccessRule, DisseminationRule} {
			blk := u.Blocks[cat]
			var rs []string
			for _, r := range blk.Rules {
				rs = append(rs, r.RuleID+"@"+fmtDay(r.StartDate))
			}
			fmt.Fprintf(&b, "    %s: %v prevent=%v refnon=%v\n", cat, rs, blk.PreventInheritance, blk.RefNonRuleIDs)
		}
	}
	return b.String()
}
