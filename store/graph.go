package store

import (
	"fmt"
	"sort"

	"sesam/seda"
)

// unitGraph computes, for the units of one transfer, what subtree queries need: every
// ancestor through every parent, and the depth (longest path from a root).
type unitGraph struct {
	parents map[string][]string
	ids     map[string]int64
	anc     map[string][]int64
	dep     map[string]int
}

// Units standing for existing ones (preset) keep their stored ancestors and depth.
func newUnitGraph(units []*seda.Unit, ids map[string]int64, preset map[string]*existingUnit) (*unitGraph, error) {
	g := &unitGraph{parents: make(map[string][]string, len(units)), ids: ids,
		anc: make(map[string][]int64, len(units)), dep: make(map[string]int, len(units))}
	for _, u := range units {
		g.parents[u.ID] = u.Parents
	}
	for id, x := range preset {
		g.anc[id], g.dep[id] = x.ancestors, x.depth
	}
	for _, u := range units {
		if err := g.walk(u.ID, map[string]bool{}); err != nil {
			return nil, err
		}
	}
	return g, nil
}

// walk fills anc and dep for id, its ancestors first. The reader refuses cycles; the
// check here only keeps a bad graph from looping.
func (g *unitGraph) walk(id string, onPath map[string]bool) error {
	if _, done := g.anc[id]; done {
		return nil
	}
	if onPath[id] {
		return fmt.Errorf("unit cycle through %s", id)
	}
	onPath[id] = true
	defer delete(onPath, id)
	set := map[int64]bool{}
	depth := 0
	for _, p := range g.parents[id] {
		pid, ok := g.ids[p]
		if !ok {
			return fmt.Errorf("unit %s: parent %s is not a unit of the transfer", id, p)
		}
		if err := g.walk(p, onPath); err != nil {
			return err
		}
		set[pid] = true
		for _, a := range g.anc[p] {
			set[a] = true
		}
		depth = max(depth, g.dep[p]+1)
	}
	anc := make([]int64, 0, len(set))
	for a := range set {
		anc = append(anc, a)
	}
	sort.Slice(anc, func(i, j int) bool { return anc[i] < anc[j] })
	g.anc[id], g.dep[id] = anc, depth
	return nil
}

func (g *unitGraph) ancestors(id string) []int64 { return g.anc[id] }
func (g *unitGraph) depth(id string) int         { return g.dep[id] }
