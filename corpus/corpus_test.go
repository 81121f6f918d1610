package corpus

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"sesam/seda"
)

// generate writes a corpus into a fresh temporary directory.
func generate(t *testing.T, opt Options) (*Summary, string) {
	t.Helper()
	opt.Out = t.TempDir()
	s, err := Generate(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	return s, opt.Out
}

// digests maps every file under dir to the SHA-256 of its bytes.
func digests(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		sum := sha256.Sum256(b)
		out[filepath.ToSlash(rel)] = hex.EncodeToString(sum[:])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSameSeedWritesTheSameBytes(t *testing.T) {
	opt := Options{Units: 900, Tenants: 8, Seed: 7, PDFShare: 0.2}
	opt.Workers = 4
	_, a := generate(t, opt)
	opt.Workers = 1 // another order of writing
	_, b := generate(t, opt)
	da, db := digests(t, a), digests(t, b)
	if diff := cmp.Diff(da, db); diff != "" {
		t.Errorf("same seed, different files (-first +second):\n%s", diff)
	}
	opt.Seed = 8
	_, c := generate(t, opt)
	dc := digests(t, c)
	same := 0
	for name, sum := range dc {
		if da[name] == sum {
			same++
		}
	}
	if same == len(dc) {
		t.Errorf("seeds 7 and 8 wrote the same %d files", same)
	}
}

func TestEveryPackageOpensAndVerifies(t *testing.T) {
	s, dir := generate(t, Options{Units: 1500, Tenants: 10, Seed: 3, PDFShare: 0.3})
	total := 0
	for _, info := range s.Manifest.Packages {
		tr := openVerified(t, filepath.Join(dir, info.Path))
		total += len(tr.Units)
		got := packageFacts{Version: tr.Version, Units: len(tr.Units), Roots: len(tr.Roots),
			Objects: len(tr.Binaries), Warnings: tr.Warnings}
		want := packageFacts{Version: "2.1", Units: info.Units, Roots: 1, Objects: info.PDFs}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", info.Path, diff)
		}
		for _, u := range tr.Units {
			if u.Title() == "" || u.Cote() == "" || u.StartDate == nil || u.EndDate == nil ||
				!slices.Contains([]string{"Fonds", "Series", "File", "Item"}, u.Level) {
				t.Errorf("%s: unit %s is missing a title, cote, level or dates: %+v", info.Path, u.ID, u)
			}
		}
	}
	if total != 1500 {
		t.Errorf("the packages hold %d units, want 1500", total)
	}
	if s.PDFs == 0 {
		t.Error("no PDF was written")
	}
}

type packageFacts struct {
	Version               string
	Units, Roots, Objects int
	Warnings              []string
}

func openVerified(t *testing.T, path string) *seda.Transfer {
	t.Helper()
	p, err := seda.Open(path, seda.Limits{})
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer p.Close()
	if err := p.Verify(context.Background()); err != nil {
		t.Fatalf("verify %s: %v", path, err)
	}
	return p.Transfer()
}

func TestTenantsFileListsParentsFirst(t *testing.T) {
	s, dir := generate(t, Options{Units: 600, Tenants: 12, Seed: 5})
	b, err := os.ReadFile(filepath.Join(dir, TenantsFile))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	units := 0
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n")[1:] {
		f := strings.Split(line, "\t")
		if len(f) != 4 {
			t.Fatalf("line %q: want id, publish, units, name", line)
		}
		if parent, _, ok := strings.Cut(f[0], "/"); ok && !seen[parent] {
			t.Errorf("%s is listed before its operator %s", f[0], parent)
		}
		seen[f[0]] = true
	}
	for _, tn := range s.Manifest.Tenants {
		units += tn.Units
	}
	if len(seen) != len(s.Manifest.Tenants) || units != 600 {
		t.Errorf("tenants.txt lists %d tenants, the manifest %d holding %d units (want 600)", len(seen), len(s.Manifest.Tenants), units)
	}
}

func TestGenerateRefusesAnExistingCorpus(t *testing.T) {
	_, dir := generate(t, Options{Units: 100, Tenants: 2})
	if _, err := Generate(context.Background(), Options{Units: 100, Tenants: 2, Out: dir}); err == nil {
		t.Error("a second corpus was written over the first")
	}
}

func TestTenantSizesFollowZipf(t *testing.T) {
	for _, tc := range []struct{ n, total int }{{1, 50}, {10, 1000}, {300, 100000}, {50, 200}} {
		sizes := zipfShares(tc.n, tc.total)
		sum := 0
		for i, s := range sizes {
			sum += s
			if i > 0 && s > sizes[i-1] {
				t.Errorf("zipfShares(%d, %d): rank %d (%d) larger than rank %d (%d)", tc.n, tc.total, i, s, i-1, sizes[i-1])
			}
		}
		if sum != tc.total {
			t.Errorf("zipfShares(%d, %d) sums to %d", tc.n, tc.total, sum)
		}
		if tc.n >= 10 && tc.total/tc.n > minTenantUnits && sizes[0] < 5*sizes[tc.n/2] {
			t.Errorf("zipfShares(%d, %d): largest %d is not much larger than the median %d", tc.n, tc.total, sizes[0], sizes[tc.n/2])
		}
	}
}

// TestRuleMix reads the access rules the packages declare (through the seda reader)
// and checks the mix is the one designed: most units open, many closed for 50 or 75
// years, a few never, clocks that count from a person's dates naming that person.
func TestRuleMix(t *testing.T) {
	s, dir := generate(t, Options{Units: 12000, Tenants: 40, Seed: 11})
	var units, open, private50, years75, never, dissem, lives, unnamed int
	for _, info := range s.Manifest.Packages {
		for _, u := range openVerified(t, filepath.Join(dir, info.Path)).Units {
			units++
			access := ruleIDs(u, seda.AccessRule)
			switch {
			case len(access) == 0 || slices.Equal(access, []string{"AR038"}):
				open++
			case slices.Contains(access, "AR062"):
				never++
			case slices.Contains(access, "AR048"):
				private50++
			case slices.ContainsFunc(access, func(id string) bool { return slices.Contains(seventyFive, id) }):
				years75++
			}
			if len(ruleIDs(u, seda.DisseminationRule)) > 0 {
				dissem++
			}
			if slices.ContainsFunc(access, func(id string) bool { return slices.Contains(personClocks, id) }) && !namesBirth(u) {
				unnamed++
			}
			for _, p := range u.Persons {
				if p.BirthDate != nil && p.DeathDate != nil {
					lives++
				}
			}
		}
	}
	share := func(n int) float64 { return float64(n) / float64(units) }
	checks := []struct {
		what   string
		got    float64
		lo, hi float64
	}{
		{"units declaring no rule or AR038", share(open), 0.75, 0.95},
		{"units closed for 50 years (AR048)", share(private50), 0.02, 0.15},
		{"units under a 75-year rule", share(years75), 0.01, 0.10},
		{"units never communicable (AR062)", share(never), 0.0001, 0.005},
		{"units with a DisseminationRule", share(dissem), 0.005, 0.10},
		{"persons with birth and death dates, per unit", share(lives), 0.01, 0.20},
	}
	for _, c := range checks {
		if c.got < c.lo || c.got > c.hi {
			t.Errorf("%s: %.4f of %d units, want between %.4f and %.4f", c.what, c.got, units, c.lo, c.hi)
		}
	}
	if unnamed > 0 {
		t.Errorf("%d units declare a clock counted from a person's dates but name no person born on a known day", unnamed)
	}
}

var (
	seventyFive  = []string{"AR052", "AR054", "AR055", "AR056", "AR057"}
	personClocks = []string{"AR043", "AR044", "AR045", "AR046", "AR061"}
)

func ruleIDs(u *seda.Unit, c seda.Category) []string {
	var out []string
	if rs := u.Management.Rules[c]; rs != nil {
		for _, r := range rs.Rules {
			out = append(out, r.ID)
		}
	}
	return out
}

func namesBirth(u *seda.Unit) bool {
	for _, p := range u.Persons {
		if p.BirthDate != nil {
			return true
		}
	}
	return false
}

// TestPDFsReadBackWithPdftotext: what pdftotext extracts from a generated PDF is the
// text written, line for line and page for page, accents, œ and parentheses included.
func TestPDFsReadBackWithPdftotext(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext is not installed (Debian: poppler-utils)")
	}
	cases := map[string][]string{
		"accents": {"Délibération du 1er août 1923 : élargissement de la rue de l'Église (côté nord)\nŒuvre, cœur, à, ç, ù, ê, ë, ï, ô, û – « guillemets » 12/4 \\ fin"},
		"pages":   {"Première page", "Deuxième page\n\nAprès une ligne vide", "Troisième page"},
	}
	g := &fondsGen{plan: &packagePlan{tenant: &Tenant{Name: "Commune d'Éleu"}, pdfShare: 1}}
	g.r = newTestRand(1)
	g.text = newTextGen(g.r)
	for i := range 5 {
		it := &unit{title: "Acte de naissance de Léonie Dufour", cote: "3 E 12/4", start: zipTime}
		cases["generated "+string(rune('a'+i))] = g.newPDF(it).pages
	}
	for name, pages := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "doc.pdf")
			if err := os.WriteFile(path, writePDF(pages), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command("pdftotext", "-q", "-enc", "UTF-8", path, "-").Output()
			if err != nil {
				t.Fatalf("pdftotext: %v", err)
			}
			got := strings.Split(strings.TrimSuffix(string(out), "\f"), "\f")
			if diff := cmp.Diff(nonEmptyLines(pages), nonEmptyLines(got)); diff != "" {
				t.Errorf("pdftotext read (-written +read):\n%s", diff)
			}
		})
	}
}

// nonEmptyLines is each page's lines without the blank ones (pdftotext marks the gap
// between blocks with a blank line of its own).
func nonEmptyLines(pages []string) [][]string {
	var out [][]string
	for _, p := range pages {
		var ls []string
		for _, l := range strings.Split(p, "\n") {
			if l = strings.TrimSpace(l); l != "" {
				ls = append(ls, l)
			}
		}
		out = append(out, ls)
	}
	return out
}

func newTestRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed)) }
