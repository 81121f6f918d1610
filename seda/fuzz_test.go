package seda

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzReadManifest feeds ReadManifest with mutations of every manifest of the corpus
// (bare, or read out of the zips, the tar.gz and the folder at test time) and of the
// extra ones. It must never panic nor hang; it either refuses the input or returns a
// transfer whose graph holds together.
func FuzzReadManifest(f *testing.F) {
	for _, seed := range fuzzSeeds(f) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		type result struct {
			tr  *Transfer
			err error
		}
		done := make(chan result, 1)
		go func() {
			tr, err := ReadManifest(bytes.NewReader(data))
			done <- result{tr, err}
		}()
		var r result
		select {
		case r = <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("ReadManifest took more than 10 s on %d bytes", len(data))
		}
		tr, err := r.tr, r.err
		if err != nil {
			var re *RefusalError
			if !errors.As(err, &re) {
				t.Fatalf("ReadManifest returned %T %v, want a *RefusalError", err, err)
			}
			return
		}
		if err := checkGraph(tr); err != nil {
			t.Fatal(err)
		}
	})
}

func fuzzSeeds(f *testing.F) [][]byte {
	var paths []string
	for _, dir := range []string{"sip", "manifest-only", "invalid", "other"} {
		entries, err := os.ReadDir(corpus(dir))
		if err != nil {
			f.Fatal(err)
		}
		for _, e := range entries {
			paths = append(paths, corpus(dir, e.Name()))
		}
	}
	extra, _ := filepath.Glob(filepath.Join("testdata", "extra", "*.xml"))
	paths = append(paths, extra...)
	var seeds [][]byte
	for _, p := range paths {
		if b, err := manifestBytes(p); err == nil && len(b) < 128<<10 { // larger ones mutate too slowly
			seeds = append(seeds, b)
		}
	}
	if len(seeds) < 30 {
		f.Fatalf("only %d seeds read from the corpus", len(seeds))
	}
	// Small hand-made manifests, which mutations explore faster.
	obj := objectXML("O1", "Content/a.pdf", pdf)
	for _, m := range []string{
		onePDF(pdf),
		manifestXML("2.0", obj+`<PhysicalDataObject id="P1"><DataObjectGroupReferenceId>G1</DataObjectGroupReferenceId></PhysicalDataObject>`,
			unitXML("F", "Fonds", linkXML("l1", "S1")+linkXML("l2", "S2"))+unitXML("S1", "S", linkXML("l3", "D"))+
				unitXML("S2", "S", linkXML("l4", "L5")+refXML("O1"))+linkXML("L5", "D")+
				unitXML("D", "D", `<DataObjectReference><DataObjectGroupReferenceId>G1</DataObjectGroupReferenceId></DataObjectReference>`)),
		manifestXML("2.2", `<DataObjectGroup id="G"><BinaryDataObject id="B"><DataObjectGroupId>H</DataObjectGroupId><Uri>x</Uri>`+
			`<MessageDigest algorithm="MD5">XUFAKrxLKna5cZ2REBfFkg==</MessageDigest></BinaryDataObject></DataObjectGroup>`,
			`<ArchiveUnit id="A"><Management><AccessRule><Rule>AR048</Rule><StartDate>1990</StartDate><PreventInheritance>true</PreventInheritance>`+
				`<RefNonRuleId>AR001</RefNonRuleId></AccessRule><NeedAuthorization>1</NeedAuthorization></Management>`+
				`<Content><Title xml:lang="fr">t</Title><StartDate>vers 1850</StartDate><Writer><BirthDate>1809-03</BirthDate></Writer></Content>`+
				`<DataObjectReference><DataObjectReferenceId>B</DataObjectReferenceId></DataObjectReference></ArchiveUnit>`),
	} {
		seeds = append(seeds, []byte(m))
	}
	return seeds
}

// checkGraph checks, independently of the reader's own checks, that what it returns
// holds together: links both ways, roots without parents, no cycle, objects that exist.
func checkGraph(tr *Transfer) error {
	units := make(map[string]*Unit, len(tr.Units))
	for _, u := range tr.Units {
		if units[u.ID] != nil {
			return fmt.Errorf("unit %s listed twice", u.ID)
		}
		units[u.ID] = u
	}
	objects := make(map[string]bool)
	for _, o := range tr.Binaries {
		if len(o.Digest) != 2*digestSizes[o.DigestAlgorithm] || o.Present {
			return fmt.Errorf("object %+v", o)
		}
		objects[o.ID] = true
	}
	for _, o := range tr.Physicals {
		objects[o.ID] = true
	}
	indegree := make(map[string]int)
	for _, u := range tr.Units {
		for _, c := range u.Children {
			if units[c] == nil || !containsString(units[c].Parents, u.ID) {
				return fmt.Errorf("unit %s has child %s that does not list it as a parent", u.ID, c)
			}
			indegree[c]++
		}
		for _, o := range u.Objects {
			if !objects[o] {
				return fmt.Errorf("unit %s lists unknown object %s", u.ID, o)
			}
		}
	}
	var queue []string // Kahn's algorithm: every unit is reached iff there is no cycle
	for _, r := range tr.Roots {
		if len(units[r].Parents) != 0 || indegree[r] != 0 {
			return fmt.Errorf("root %s has parents", r)
		}
		queue = append(queue, r)
	}
	seen := 0
	for len(queue) > 0 {
		u := units[queue[0]]
		queue = queue[1:]
		seen++
		for _, c := range u.Children {
			if indegree[c]--; indegree[c] == 0 {
				queue = append(queue, c)
			}
		}
	}
	if seen != len(tr.Units) || len(tr.Roots) == 0 {
		return fmt.Errorf("%d units, %d reached from %d roots: a cycle or a lost unit", len(tr.Units), seen, len(tr.Roots))
	}
	return nil
}

// TestCheckGraphCatchesCycles keeps the fuzz oracle honest.
func TestCheckGraphCatchesCycles(t *testing.T) {
	a := &Unit{ID: "A", Children: []string{"B"}}
	b := &Unit{ID: "B", Parents: []string{"A", "C"}, Children: []string{"C"}}
	c := &Unit{ID: "C", Parents: []string{"B"}, Children: []string{"B"}}
	tr := &Transfer{Units: []*Unit{a, b, c}, Roots: []string{"A"}}
	if checkGraph(tr) == nil {
		t.Error("checkGraph accepted a cycle")
	}
}
