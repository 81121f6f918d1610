package access

import (
	"time"
)

// clock is the outcome of a rule, a group of alternatives or a protection.
type clock struct {
	status Status
	end    *time.Time // nil with Open: since always
}

// worse orders outcomes for rules that must ALL be elapsed: Never, then Unknown, then
// the later end. Never beats Unknown because it is certain: whatever the unknown rule
// would give, the unit never opens.
func worse(a, b clock) clock {
	switch {
	case rank(a.status) != rank(b.status):
		if rank(a.status) > rank(b.status) {
			return a
		}
		return b
	case a.status != Open:
		return a
	case a.end == nil:
		return b
	case b.end == nil:
		return a
	case b.end.After(*a.end):
		return b
	}
	return a
}

func rank(s Status) int {
	switch s {
	case Open:
		return 0
	case Unknown:
		return 1
	}
	return 2
}

// earliestKnown is the outcome of alternative clocks where ONE elapsed clock suffices:
// the earliest Open end; with none Open, Unknown if any clock is unknown (it might have
// elapsed), else Never.
func earliestKnown(cs []clock) (clock, int) {
	best, at := clock{status: Never}, -1
	for i, c := range cs {
		switch {
		case c.status == Open && (best.status != Open || before(c.end, best.end)):
			best, at = c, i
		case c.status == Unknown && best.status == Never:
			best, at = c, i
		}
	}
	return best, at
}

// before reports a < b for ends where nil means "since always".
func before(a, b *time.Time) bool {
	switch {
	case a == nil:
		return b != nil
	case b == nil:
		return false
	}
	return a.Before(*b)
}

// combine sets the decision's Status, From, Groups and the rules' Decisive marks.
//
// Rules without a group are protections of their own. Rules of a group are first folded
// per rule id (several declarations of one rule must all be elapsed: latest), then the
// group gives the earliest known end of its primary clocks, or of its fallback clocks
// when no primary clock is known. The decision is the worst of all protections and of
// the graph's gaps (a gap is Unknown).
func combine(d *Decision) {
	var prots []protection
	index := map[string]int{}
	for i, a := range d.Rules {
		if a.Group == "" {
			prots = append(prots, protection{members: []int{i}})
			continue
		}
		k, ok := index[a.Group]
		if !ok {
			k = len(prots)
			index[a.Group] = k
			prots = append(prots, protection{group: a.Group})
		}
		prots[k].members = append(prots[k].members, i)
	}
	out := clock{status: Open}
	if len(d.Gaps) > 0 {
		out = clock{status: Unknown}
	}
	for k := range prots {
		prots[k].resolve(d.Rules)
		out = worse(out, prots[k].outcome)
		if len(prots[k].ids) > 1 { // a group with one clock present is a plain protection
			d.Groups = append(d.Groups, prots[k].summary())
		}
	}
	d.Status, d.From = out.status, out.end
	markDecisive(d, prots, out)
}

// protection is one protection of the law: a lone rule, or a group of alternative clocks.
type protection struct {
	group    string
	members  []int // indices into Decision.Rules
	ids      []string
	clocks   []clock // per rule id, in ids order
	fallback []bool  // per rule id
	outcome  clock
	chosen   int // index into ids of the clock giving the outcome, -1 if none
	usedFall bool
}

func ruleClock(a AppliedRule) clock { return clock{status: a.Status, end: a.End} }

func (p *protection) resolve(rules []AppliedRule) {
	if p.group == "" {
		p.outcome, p.chosen = ruleClock(rules[p.members[0]]), 0
		p.ids = []string{rules[p.members[0]].RuleID}
		return
	}
	pos := map[string]int{}
	for _, m := range p.members {
		a := rules[m]
		k, ok := pos[a.RuleID]
		if !ok {
			k = len(p.ids)
			pos[a.RuleID] = k
			p.ids = append(p.ids, a.RuleID)
			p.clocks = append(p.clocks, ruleClock(a))
			p.fallback = append(p.fallback, a.Def != nil && a.Def.Fallback)
			continue
		}
		p.clocks[k] = worse(p.clocks[k], ruleClock(a))
	}
	p.outcome, p.chosen = p.pick(false)
	if p.chosen < 0 || p.outcome.status == Unknown {
		if c, at := p.pick(true); at >= 0 {
			p.outcome, p.chosen, p.usedFall = c, at, true
		}
	}
}

// pick is earliestKnown over the primary (fallback=false) or fallback clocks; the index
// returned is into p.ids, -1 when there is no such clock.
func (p *protection) pick(fallback bool) (clock, int) {
	var cs []clock
	var at []int
	for i, c := range p.clocks {
		if p.fallback[i] == fallback {
			cs, at = append(cs, c), append(at, i)
		}
	}
	if len(cs) == 0 {
		return clock{status: Unknown}, -1
	}
	c, i := earliestKnown(cs)
	if i < 0 {
		return c, -1
	}
	return c, at[i]
}

func (p *protection) summary() GroupOutcome {
	g := GroupOutcome{Name: p.group, Rules: p.ids, Status: p.outcome.status, End: p.outcome.end}
	if p.chosen >= 0 && p.outcome.status == Open {
		g.Chosen, g.Fallback = p.ids[p.chosen], p.usedFall
	}
	return g
}

// markDecisive flags the rules that set the decision: for an opening day, those whose end
// is that day (in the clock their group chose); for Never and Unknown, the rules in that
// state in the protections that carry it.
func markDecisive(d *Decision, prots []protection, out clock) {
	if out.status == Open && out.end == nil {
		return // since always: no rule holds the unit back
	}
	for _, p := range prots {
		if p.outcome.status != out.status {
			continue
		}
		if out.status == Open && !sameDay(p.outcome.end, out.end) {
			continue
		}
		for _, m := range p.members {
			a := &d.Rules[m]
			if p.group != "" && out.status == Open && a.RuleID != p.ids[p.chosen] {
				continue
			}
			if a.Status == out.status && (out.status != Open || sameDay(a.End, out.end)) {
				a.Decisive = true
			}
		}
	}
}

func sameDay(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}
