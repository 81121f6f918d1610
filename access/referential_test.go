package access

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// TestSeedCodes: the seed holds exactly AR038–AR062, ACC-00001…ACC-00036 and the DIS
// codes, each with a label.
func TestSeedCodes(t *testing.T) {
	var want []string // in Rules' order: sorted by id
	for i := 1; i <= 36; i++ {
		want = append(want, fmt.Sprintf("ACC-%05d", i))
	}
	for i := 38; i <= 62; i++ {
		want = append(want, fmt.Sprintf("AR%03d", i))
	}
	for i := 1; i <= 4; i++ {
		want = append(want, fmt.Sprintf("DIS-%05d", i))
	}
	var got []string
	for _, r := range Seed().Rules() {
		got = append(got, r.ID)
		if r.Label == "" || r.Source != "seed" {
			t.Errorf("%s: label %q, source %q", r.ID, r.Label, r.Source)
		}
	}
	diff(t, "seed ids", want, got)
}

// TestSeedMatchesSEDAList: AR038–AR062 have the duration, basis, legal basis and label of
// shared/reference/access_rule_codes.csv.
func TestSeedMatchesSEDAList(t *testing.T) {
	f, err := os.Open(filepath.Join("..", "..", "shared", "reference", "access_rule_codes.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs[1:] {
		want := RuleDef{ID: rec[0], Category: AccessRule, Basis: Basis(rec[2]), LegalBasis: rec[3], Label: rec[4]}
		if rec[1] == "unlimited" {
			want.Duration = Duration{Unlimited: true}
		} else {
			n, _ := strconv.Atoi(rec[1])
			want.Duration = Duration{N: n, Unit: Year}
		}
		got, _ := Seed().Rule(rec[0])
		got.Group, got.Fallback, got.Source = "", false, ""
		diff(t, rec[0], want, got)
	}
}

// TestSeedGroups: each group of alternative clocks pairs clocks after death with clocks
// from another event, and only the medical group has a fallback (birth) clock.
func TestSeedGroups(t *testing.T) {
	type shape struct{ Death, Other, Fallback []string }
	got := map[string]*shape{}
	for _, r := range Seed().Rules() {
		if r.Group == "" {
			continue
		}
		s := got[r.Group]
		if s == nil {
			s = &shape{}
			got[r.Group] = s
		}
		switch {
		case r.Fallback:
			s.Fallback = append(s.Fallback, r.ID)
		case r.Basis == BasisDeathDate:
			s.Death = append(s.Death, r.ID)
		default:
			s.Other = append(s.Other, r.ID)
		}
	}
	want := map[string]*shape{
		"L213-2 I 2°":   {Death: []string{"ACC-00010", "AR043"}, Fallback: []string{"ACC-00009", "AR061"}},
		"L213-2 I 4° a": {Death: []string{"ACC-00020"}, Other: []string{"ACC-00019", "AR052"}},
		"L213-2 I 4° b": {Death: []string{"ACC-00023", "AR046"}, Other: []string{"ACC-00022", "AR056"}},
		"L213-2 I 4° c": {Death: []string{"ACC-00026", "AR047"}, Other: []string{"ACC-00025", "AR057"}},
		"L213-2 I 4° d": {Death: []string{"ACC-00029", "AR045"}, Other: []string{"ACC-00028", "AR055"}},
		"L213-2 I 4° e": {Death: []string{"ACC-00032", "AR044"}, Other: []string{"ACC-00031", "AR054"}},
	}
	diff(t, "groups", want, got)
}

func TestDurationNever(t *testing.T) {
	cases := []struct {
		d    Duration
		want bool
	}{
		{Duration{Unlimited: true}, true},
		{Duration{N: 999, Unit: Year}, true},
		{Duration{N: 998, Unit: Year}, false},
		{Duration{N: 999, Unit: Month}, false},
		{Duration{N: 999, Unit: Day}, false},
		{Duration{N: 0, Unit: Year}, false},
	}
	for _, c := range cases {
		if got := c.d.Never(); got != c.want {
			t.Errorf("%+v.Never() = %v, want %v", c.d, got, c.want)
		}
	}
}
