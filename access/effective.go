package access

import (
	"slices"
	"time"
)

// inheritedRule is a declared rule as it reaches a unit: who declares it and one path.
type inheritedRule struct {
	rule   DeclaredRule
	origin string
	path   []string // origin ... unit
}

// lineage is what reaches a unit from above, and from itself, for one category.
type lineage struct {
	rules   []inheritedRule
	blocked []BlockedRule
	gaps    []Gap
}

// walker computes effective rules over the unit graph, each unit once (memo), and
// notices units it is already inside of (cycles) instead of looping.
type walker struct {
	g        Graph
	cat      Category
	memo     map[string]*lineage
	visiting map[string]bool
}

func newWalker(g Graph, cat Category) *walker {
	return &walker{g: g, cat: cat, memo: map[string]*lineage{}, visiting: map[string]bool{}}
}

// ruleKey identifies an inherited rule for de-duplication: the same declaration reached
// through two paths counts once.
type ruleKey struct {
	id, origin string
	start      time.Time
	hasStart   bool
}

func keyOf(r inheritedRule) ruleKey {
	k := ruleKey{id: r.rule.RuleID, origin: r.origin}
	if r.rule.StartDate != nil {
		k.start, k.hasStart = civil(*r.rule.StartDate), true
	}
	return k
}

// effective returns the rules of the walker's category that apply to id: its own, then
// what each parent passes down (in parent order), less what id stops. child is the unit
// that asked (for gap reports).
func (w *walker) effective(id, child string) *lineage {
	if l, ok := w.memo[id]; ok {
		return l
	}
	if w.visiting[id] {
		return &lineage{gaps: []Gap{{Unit: id, Child: child, Kind: GapCycle}}}
	}
	u, ok := w.g.Unit(id)
	if !ok {
		return &lineage{gaps: []Gap{{Unit: id, Child: child, Kind: GapMissing}}}
	}
	w.visiting[id] = true
	defer delete(w.visiting, id)

	block := u.Blocks[w.cat]
	b := newLineageBuilder()
	for _, r := range block.Rules {
		b.addRule(inheritedRule{rule: r, origin: id, path: []string{id}})
	}
	if block.PreventInheritance {
		// What reaches id is final before its parents are walked (they only add to the
		// list of stopped rules): memoize it first, so that a cycle through id, which
		// PreventInheritance cuts, finds it complete whichever unit was asked first.
		w.memo[id] = &b.l
	}
	for _, p := range u.Parents {
		w.inherit(b, id, block, w.effective(p, id))
	}
	w.memo[id] = &b.l
	return &b.l
}

// inherit passes a parent's lineage down to unit id through its block.
func (w *walker) inherit(b *lineageBuilder, id string, block RuleBlock, from *lineage) {
	if block.PreventInheritance {
		// Nothing from above reaches id: neither rules, nor what was stopped higher up,
		// nor faults of the graph above.
		for _, r := range from.rules {
			b.addBlocked(BlockedRule{RuleID: r.rule.RuleID, Origin: r.origin, At: id, By: ByPreventInheritance})
		}
		return
	}
	for _, x := range from.blocked {
		b.addBlocked(x)
	}
	for _, g := range from.gaps {
		b.addGap(g)
	}
	for _, r := range from.rules {
		switch {
		case slices.Contains(block.RefNonRuleIDs, r.rule.RuleID):
			b.addBlocked(BlockedRule{RuleID: r.rule.RuleID, Origin: r.origin, At: id, By: ByRefNonRuleID})
		case declares(block, r.rule.RuleID):
			b.addBlocked(BlockedRule{RuleID: r.rule.RuleID, Origin: r.origin, At: id, By: ByRedeclaration})
		default:
			r.path = append(slices.Clip(r.path), id)
			b.addRule(r)
		}
	}
}

func declares(block RuleBlock, id string) bool {
	for _, r := range block.Rules {
		if r.RuleID == id {
			return true
		}
	}
	return false
}

// lineageBuilder appends to a lineage without duplicates, keeping first-seen order. A
// unit's lists are short (a handful of rules), so a linear scan beats a map.
type lineageBuilder struct {
	l lineage
}

func newLineageBuilder() *lineageBuilder { return &lineageBuilder{} }

func (b *lineageBuilder) addRule(r inheritedRule) {
	k := keyOf(r)
	for _, x := range b.l.rules {
		if keyOf(x) == k {
			return
		}
	}
	b.l.rules = append(b.l.rules, r)
}

func (b *lineageBuilder) addBlocked(x BlockedRule) {
	if !slices.Contains(b.l.blocked, x) {
		b.l.blocked = append(b.l.blocked, x)
	}
}

func (b *lineageBuilder) addGap(g Gap) {
	if !slices.Contains(b.l.gaps, g) {
		b.l.gaps = append(b.l.gaps, g)
	}
}
