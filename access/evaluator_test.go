package access

import (
	"slices"
	"strings"
	"testing"
)

// testGraph has diamonds, blocks, redeclarations and several parents.
func testGraph() MapGraph {
	r := with(ended(unit("R"), "1960-01-01"), rule("AR048", ""), rule("AR054", ""))
	s := with(unit("S"), rule("AR039", "1990-01-01"))
	a := refNon(unit("A", "R"), "AR054")
	b := with(unit("B", "R", "S"), rule("AR048", "1970-01-01"))
	c := prevent(with(unit("C", "A"), rule("AR044", "")), AccessRule)
	c.DeathDates = days("1975-01-01")
	d := ended(unit("D", "A", "B"), "1965-06-30")
	e := unit("E", "C", "D")
	return graph(r, s, a, b, c, d, e)
}

// TestEvaluatorMatchesEvaluate: deciding many units with one Evaluator (shared walk)
// gives exactly what deciding each alone gives, in any order.
func TestEvaluatorMatchesEvaluate(t *testing.T) {
	g := testGraph()
	var ids []string
	for id := range g {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, order := range [][]string{ids, reversed(ids)} {
		e := NewEvaluator(g, AccessRule, Seed())
		for _, id := range order {
			diff(t, id, Evaluate(g, id, AccessRule, Seed()), e.Evaluate(id))
		}
	}
}

// TestEvaluatorCycle: with a cycle, every unit in or below it is Unknown whatever the
// order of the questions.
func TestEvaluatorCycle(t *testing.T) {
	g := graph(unit("A", "C"), unit("B", "A"), unit("C", "B"), unit("D", "B"), with(unit("X"), rule("AR039", "2000-01-01")))
	want := map[string]Status{"A": Unknown, "B": Unknown, "C": Unknown, "D": Unknown, "X": Open}
	for _, order := range [][]string{{"A", "B", "C", "D", "X"}, {"D", "C", "X", "B", "A"}} {
		e := NewEvaluator(g, AccessRule, Seed())
		got := map[string]Status{}
		for _, id := range order {
			got[id] = e.Evaluate(id).Status
		}
		diff(t, "statuses", want, got)
	}
}

// TestEvaluatorCycleCutByPreventInheritance: a cycle that PreventInheritance cuts
// inherits nothing round it, whichever unit the Evaluator is asked about first (found by
// TestEngineProperties: asked about A first, B was left Unknown).
func TestEvaluatorCycleCutByPreventInheritance(t *testing.T) {
	g := graph(prevent(unit("A", "B"), AccessRule), with(unit("B", "A"), rule("AR048", "1990-01-01")))
	want := map[string]outcome{"A": {Open, ""}, "B": {Open, "2040-01-01"}}
	for _, order := range [][]string{{"A", "B"}, {"B", "A"}} {
		e := NewEvaluator(g, AccessRule, Seed())
		got := map[string]outcome{}
		for _, id := range order {
			got[id] = outcomeOf(e.Evaluate(id))
		}
		diff(t, "outcomes asked in order "+strings.Join(order, ", "), want, got)
	}
}

// TestDecisionsDoNotShare: changing one decision's lists leaves the next one intact.
func TestDecisionsDoNotShare(t *testing.T) {
	e := NewEvaluator(testGraph(), AccessRule, Seed())
	first := e.Evaluate("E")
	want := e.Evaluate("E")
	first.Rules[0].Path[0] = "changed"
	first.Blocked[0].At = "changed"
	diff(t, "second decision", want, e.Evaluate("E"))
}

func reversed(s []string) []string {
	r := slices.Clone(s)
	slices.Reverse(r)
	return r
}
