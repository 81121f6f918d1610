package corpus

import (
	"fmt"
	"math/rand/v2"
	"path"
	"strings"
)

// packagePlan is one package to write: a fonds of a tenant and its size.
type packagePlan struct {
	tenant      *Tenant
	seq         int // 1-based, within the tenant
	seed        [2]uint64
	kind        *fondsKind
	units       int
	period      [2]int
	service     string // versements: the producing service
	serviceIdx  int
	versement   int // versements: the W number
	articleBase int // first file number
	coteStyle   int
	fondsCote   string
	pdfShare    float64
}

// Cote styles of versements: "1234 W 12" (numbered within the versement) or "W 1234"
// (continuous numbering across the versements of a collectivité).
const (
	versementW = iota
	continuousW
)

// Package sizes: realistic transfers hold 100 to 5000 units.
const (
	minPackage = 100
	maxPackage = 5000
)

// series are the series a plan's fonds may have.
func (p *packagePlan) series() []seriesDef {
	if p.service != "" {
		return versementServices[p.serviceIdx].series
	}
	return p.kind.series
}

// path is where the package is written, relative to the corpus directory.
func (p *packagePlan) path() string {
	kind := p.kind.name
	if p.service != "" {
		kind = fmt.Sprintf("w%04d", p.versement)
	}
	return path.Join("packages", p.tenant.ID, fmt.Sprintf("%02d-%s.zip", p.seq, kind))
}

// planPackages splits a tenant's units into fonds, one package each.
func planPackages(r *rand.Rand, t *Tenant, idx int, opt Options) []*packagePlan {
	var sizes []int
	var kinds []*fondsKind
	add := func(k *fondsKind, n int) {
		kinds = append(kinds, k)
		sizes = append(sizes, n)
	}
	u := t.Units
	switch {
	case t.Kind == "ccas":
		for _, n := range chunks(r, u, 2000, maxPackage) {
			add(&ccasFonds, n)
		}
	case t.Kind != "commune":
		for _, n := range chunks(r, u, 200, 3000) {
			add(&syndicateFonds, n)
		}
	case u <= 300:
		add(&modernFonds, u)
	default:
		modern := min(max(u*4/10, minPackage), 4000)
		add(&modernFonds, modern)
		u -= modern
		if u >= 1500 && t.Units >= 1500 {
			n := max(t.Units*8/100, minPackage)
			add(&ancientFonds, n)
			u -= n
		}
		if u >= 2000 {
			n := max(t.Units*5/100, minPackage)
			add(&figuredFonds, n)
			u -= n
		}
		for _, n := range chunks(r, u, 200, 3000) {
			add(nil, n) // versements
		}
	}
	return plansFor(r, t, idx, opt, kinds, sizes)
}

// plansFor turns fonds kinds and sizes into plans, numbering versements and their files.
func plansFor(r *rand.Rand, t *Tenant, idx int, opt Options, kinds []*fondsKind, sizes []int) []*packagePlan {
	versement := 1 + r.IntN(60)
	style := versementW
	if r.Float64() < 0.3 {
		style = continuousW
	}
	article := 1
	var out []*packagePlan
	for i, k := range kinds {
		p := &packagePlan{tenant: t, seq: i + 1, kind: k, units: sizes[i], coteStyle: style, articleBase: 1,
			pdfShare: opt.PDFShare, seed: [2]uint64{opt.Seed, uint64(idx)<<20 | uint64(i)}}
		if k == nil || k == &syndicateFonds || k == &ccasFonds && i > 0 {
			p.versement = versement
			versement += 1 + r.IntN(4)
		}
		if k == nil {
			p.kind = &versementFonds
			p.serviceIdx = r.IntN(len(versementServices))
			p.service = versementServices[p.serviceIdx].service
		}
		if p.versement > 0 && style == continuousW || k == &ccasFonds {
			// Numbering continues from one package to the next: no cote is used twice.
			p.articleBase = article
			article += sizes[i]
		}
		p.period = fondsPeriod(r, p.kind)
		p.fondsCote = fondsCote(p)
		out = append(out, p)
	}
	return out
}

// versementFonds is the kind of a versement: its series come from its service.
var versementFonds = fondsKind{name: "versement", period: [2]int{1983, 2023}}

// fondsPeriod: the modern, ancient and figured fonds cover their whole period; a
// versement covers a few years to a few decades up to its transfer.
func fondsPeriod(r *rand.Rand, k *fondsKind) [2]int {
	switch k {
	case &versementFonds, &syndicateFonds:
		end := k.period[0] + 5 + r.IntN(k.period[1]-k.period[0]-4)
		return [2]int{max(k.period[0], end-3-r.IntN(25)), end}
	}
	return k.period
}

func fondsCote(p *packagePlan) string {
	switch {
	case p.versement > 0:
		return fmt.Sprintf("%d W", p.versement)
	case p.kind == &ancientFonds:
		return "AA-II"
	case p.kind == &figuredFonds:
		return "Fi"
	case p.kind == &ccasFonds:
		return "CCAS"
	}
	return "D-T"
}

// chunks splits n into parts of lo to hi (the last part takes what is left; a part
// smaller than minPackage is merged into the one before when that stays under the cap).
func chunks(r *rand.Rand, n, lo, hi int) []int {
	var out []int
	for n > 0 {
		k := min(n, lo+r.IntN(hi-lo+1))
		if n-k < minPackage && n <= maxPackage {
			k = n
		}
		out = append(out, k)
		n -= k
	}
	return out
}

// producer is the OriginatingAgencyIdentifier of a plan's transfer: the collectivité,
// or one of its services for a versement.
func (p *packagePlan) producer() string {
	id := strings.ReplaceAll(p.tenant.ID, "/", "-")
	if p.service == "" {
		return id
	}
	return id + "-" + slug(p.service)
}

// slug lowercases s and keeps letters and digits, other runs becoming "-", accents dropped.
func slug(s string) string {
	fold := strings.NewReplacer("é", "e", "è", "e", "ê", "e", "à", "a", "â", "a", "ç", "c", "î", "i",
		"ô", "o", "û", "u", "ù", "u", "É", "e")
	s = fold.Replace(strings.ToLower(s))
	var b strings.Builder
	dash := false
	for _, c := range s {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			b.WriteRune(c)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}
