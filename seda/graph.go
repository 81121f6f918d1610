package seda

import "strings"

// graph gathers, while the manifest streams, the references that can only be resolved
// once it has all been read: a unit may be listed after the units that link to it, and
// an object group may be named before the object that declares it.
type graph struct {
	ids        map[string]string // declared id → the element that declares it
	links      map[string]string // id of an ArchiveUnit element that is a link → its ArchiveUnitRefId
	edges      []edge            // parent unit → child, by nesting or ArchiveUnitRefId
	objectRefs []objectRef       // a unit's DataObjectReference elements
	objects    []string          // data object ids, in document order
	objGroup   map[string]string // data object id → the group it belongs to, as named
	groups     groupSet
}

type edge struct{ parent, child string }

type objectRef struct{ unit, object, group string }

func newGraph() *graph {
	return &graph{
		ids:      make(map[string]string),
		links:    make(map[string]string),
		objGroup: make(map[string]string),
		groups:   make(groupSet),
	}
}

// declare records an xsd:ID. A group id may be declared again: in the SEDA 2.0/2.1 flat
// style, several objects name the group they start with DataObjectGroupId.
func (g *graph) declare(id, element string) error {
	prev, ok := g.ids[id]
	if ok && !(prev == "DataObjectGroup" && element == "DataObjectGroup") {
		return refusef("id %q is used twice (%s and %s)", id, prev, element)
	}
	g.ids[id] = element
	return nil
}

func (g *graph) isObject(id string) bool {
	e := g.ids[id]
	return e == "BinaryDataObject" || e == "PhysicalDataObject"
}

// groupSet merges the names of object groups: an object inside a DataObjectGroup
// element that also names a group (DataObjectGroupId or DataObjectGroupReferenceId, as
// OK_SIP_FULL_SEDA2.2 mixes them) makes the two names one group.
type groupSet map[string]string // name → parent name; a root is its own parent

func (s groupSet) add(x string) {
	if _, ok := s[x]; !ok {
		s[x] = x
	}
}

func (s groupSet) has(x string) bool { _, ok := s[x]; return ok }

func (s groupSet) find(x string) string {
	root := x
	for s[root] != root {
		root = s[root]
	}
	for x != root { // path compression keeps long chains cheap
		next := s[x]
		s[x] = root
		x = next
	}
	return root
}

// union merges other's group into home's; home's root names the result.
func (s groupSet) union(home, other string) {
	s.add(home)
	s.add(other)
	if h, o := s.find(home), s.find(other); h != o {
		s[o] = h
	}
}

// resolve turns the gathered references into Parents, Children, Roots, Objects and
// GroupIDs, refusing what does not resolve.
func (m *parser) resolve() error {
	members, err := m.resolveGroups()
	if err != nil {
		return err
	}
	if err := m.resolveObjectRefs(members); err != nil {
		return err
	}
	byID, err := m.resolveEdges()
	if err != nil {
		return err
	}
	if cycle := findCycle(m.t.Units, byID); cycle != nil {
		return refusef("unit cycle: %s", formatCycle(cycle))
	}
	for _, u := range m.t.Units {
		if len(u.Parents) == 0 {
			m.t.Roots = append(m.t.Roots, u.ID)
		}
	}
	if len(m.t.Roots) == 0 {
		return refusef("no root unit")
	}
	return nil
}

// resolveGroups sets each object's GroupID and lists each group's objects in document order.
func (m *parser) resolveGroups() (map[string][]string, error) {
	g := m.g
	for name := range g.groups {
		if e := g.ids[name]; e != "" && e != "DataObjectGroup" {
			return nil, refusef("id %q is used twice (%s and DataObjectGroup)", name, e)
		}
	}
	members := make(map[string][]string)
	for _, id := range g.objects {
		if name := g.objGroup[id]; name != "" {
			root := g.groups.find(name)
			members[root] = append(members[root], id)
		}
	}
	for _, o := range m.t.Binaries {
		o.GroupID = m.groupOf(o.ID)
	}
	for _, o := range m.t.Physicals {
		o.GroupID = m.groupOf(o.ID)
	}
	return members, nil
}

func (m *parser) groupOf(id string) string {
	if name := m.g.objGroup[id]; name != "" {
		return m.g.groups.find(name)
	}
	return ""
}

// resolveObjectRefs fills each unit's Objects. A unit is attached to object groups, as
// in Vitam: naming one object of a group (DataObjectReferenceId) brings the whole group,
// its master and its dissemination copies alike; an object in no group stands alone.
// Every object must end up attached to some unit: Vitam refuses orphans too
// (CHECK_CONSISTENCY), and bytes no unit shows could never be found again.
func (m *parser) resolveObjectRefs(members map[string][]string) error {
	byID := make(map[string]*Unit, len(m.t.Units))
	for _, u := range m.t.Units {
		byID[u.ID] = u
	}
	attached := make(map[string]bool)
	seen := make(map[edge]bool) // unit → object pairs already listed
	for _, r := range m.g.objectRefs {
		ids, err := m.refTargets(r, members)
		if err != nil {
			return err
		}
		u := byID[r.unit]
		for _, id := range ids {
			if !seen[edge{u.ID, id}] {
				seen[edge{u.ID, id}] = true
				u.Objects = append(u.Objects, id)
			}
			attached[id] = true
		}
	}
	for _, id := range m.g.objects {
		if !attached[id] {
			return refusef("object %s is referenced by no unit", id)
		}
	}
	return nil
}

func (m *parser) refTargets(r objectRef, members map[string][]string) ([]string, error) {
	target, field := r.object, "DataObjectReferenceId"
	if r.group != "" {
		target, field = r.group, "DataObjectGroupReferenceId"
	}
	switch {
	case m.g.groups.has(target):
		return members[m.g.groups.find(target)], nil
	case m.g.isObject(target) && m.groupOf(target) != "":
		return members[m.groupOf(target)], nil
	case m.g.isObject(target):
		return []string{target}, nil
	}
	return nil, refusef("unit %s: %s %s names no data object or group", r.unit, field, target)
}

// resolveEdges links parents and children, refusing an ArchiveUnitRefId that names no unit.
func (m *parser) resolveEdges() (map[string]*Unit, error) {
	byID := make(map[string]*Unit, len(m.t.Units))
	for _, u := range m.t.Units {
		byID[u.ID] = u
	}
	seen := make(map[edge]bool, len(m.g.edges))
	for _, e := range m.g.edges {
		id, err := m.followLinks(e)
		if err != nil {
			return nil, err
		}
		child, ok := byID[id]
		if !ok {
			return nil, refusef("unit %s: ArchiveUnitRefId %s names no archive unit", e.parent, e.child)
		}
		if e.child = id; seen[e] {
			continue
		}
		seen[e] = true
		parent := byID[e.parent]
		parent.Children = append(parent.Children, child.ID)
		child.Parents = append(child.Parents, parent.ID)
	}
	return byID, nil
}

// followLinks resolves an ArchiveUnitRefId that names another link, as Vitam does
// (OK_SIP_sans_objet.zip links ID19 to the top-level link ID23, which names ID12).
func (m *parser) followLinks(e edge) (string, error) {
	id := e.child
	for hops := 0; ; hops++ {
		next, isLink := m.g.links[id]
		if !isLink {
			return id, nil
		}
		if hops > len(m.g.links) {
			return "", refusef("unit %s: ArchiveUnitRefId %s leads to a loop of links", e.parent, e.child)
		}
		id = next
	}
}

// findCycle walks the units depth first, without recursion (a chain of a million units
// must not exhaust the stack), and returns the first cycle met, closed on its first unit.
func findCycle(units []*Unit, byID map[string]*Unit) []string {
	const (
		unseen = iota
		onPath
		done
	)
	state := make(map[string]int, len(units))
	type frame struct {
		u    *Unit
		next int
	}
	for _, start := range units {
		if state[start.ID] != unseen {
			continue
		}
		state[start.ID] = onPath
		stack := []frame{{u: start}}
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			if top.next == len(top.u.Children) {
				state[top.u.ID] = done
				stack = stack[:len(stack)-1]
				continue
			}
			c := top.u.Children[top.next]
			top.next++
			switch state[c] {
			case onPath:
				var path []string
				for _, f := range stack {
					path = append(path, f.u.ID)
				}
				return closeCycle(path, c)
			case unseen:
				state[c] = onPath
				stack = append(stack, frame{u: byID[c]})
			}
		}
	}
	return nil
}

// closeCycle cuts the walk's path to the cycle that c closes: c … c.
func closeCycle(path []string, c string) []string {
	i := len(path) - 1
	for path[i] != c {
		i--
	}
	return append(path[i:], c)
}

// formatCycle writes "A → B → A", eliding the middle of a long cycle.
func formatCycle(ids []string) string {
	if len(ids) > 12 {
		ids = append(append(ids[:5:5], "…"), ids[len(ids)-5:]...)
	}
	return strings.Join(ids, " → ")
}
