package access

import (
	"fmt"
	"testing"
)

// BenchmarkEvaluate is the cost of one decision: a unit 5 levels deep (root and four
// descendants) with 3 effective rules, one an alternative clock pair, one blocked rule on
// the way and a second parent on one level.
func BenchmarkEvaluate(b *testing.B) {
	leaf := with(unit("L4", "L3"), rule("AR044", ""))
	leaf.DeathDates = days("1980-05-05")
	g := graph(
		with(ended(unit("L0"), "1950-01-01"), rule("AR048", "1960-01-01"), rule("AR039", "")),
		unit("L1", "L0"),
		with(refNon(unit("L2", "L1", "SIDE"), "AR039"), rule("AR054", "")),
		unit("SIDE"),
		unit("L3", "L2"),
		leaf,
	)
	ref := Seed()
	if d := Evaluate(g, "L4", AccessRule, ref); len(d.Rules) != 3 || d.Status != Open {
		b.Fatalf("setup: %d rules, %s", len(d.Rules), d.Status)
	}
	b.ReportAllocs()
	for b.Loop() {
		Evaluate(g, "L4", AccessRule, ref)
	}
}

// BenchmarkEvaluatorTree decides every unit of a 5-level tree (fan-out 5, 781 units, a rule
// declared on each level) with one Evaluator, as a referential change would: ns/op is
// the whole tree.
func BenchmarkEvaluatorTree(b *testing.B) {
	g := MapGraph{}
	codes := []string{"AR048", "AR039", "AR054", "AR044", "AR056"}
	var grow func(id string, level int)
	grow = func(id string, level int) {
		if level == 5 {
			return
		}
		for i := range 5 {
			c := fmt.Sprintf("%s.%d", id, i)
			u := with(ended(unit(c, id), "1990-01-01"), rule(codes[level], ""))
			u.DeathDates = days("1980-01-01")
			g[c] = u
			grow(c, level+1)
		}
	}
	g["R"] = with(unit("R"), rule("AR038", ""))
	grow("R", 1)
	ref := Seed()
	b.ReportAllocs()
	for b.Loop() {
		e := NewEvaluator(g, AccessRule, ref)
		for id := range g {
			e.Evaluate(id)
		}
	}
	b.ReportMetric(float64(len(g)), "units/op")
}
