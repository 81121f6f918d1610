package corpus

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
)

// Tenant is a collectivité of the generated corpus (or an operator above them).
type Tenant struct {
	ID      string `json:"id"` // cdg62/commune-042
	Name    string `json:"name"`
	Publish bool   `json:"publish"` // publishes its communicable archives online
	Units   int    `json:"units"`   // units generated for it (0 for an operator)
	Kind    string `json:"kind"`    // operator, commune, ccas, syndicat, epci
	place   string // the place name the titles use
}

// operators are the Centres de Gestion the collectivités belong to, with their share of
// the collectivités: CDG 59 runs the platform, CDG 62 serves most communes.
var operators = []struct {
	id, name string
	share    float64
}{
	{"cdg59", "Centre de gestion de la fonction publique territoriale du Nord", 0.25},
	{"cdg62", "Centre de gestion de la fonction publique territoriale du Pas-de-Calais", 0.42},
	{"cdg80", "Centre de gestion de la fonction publique territoriale de la Somme", 0.13},
	{"cdg02", "Centre de gestion de la fonction publique territoriale de l'Aisne", 0.11},
	{"cdg60", "Centre de gestion de la fonction publique territoriale de l'Oise", 0.09},
}

// tenantZipf is the exponent of the tenants' size distribution: a few cities hold much
// of the archives, most communes little.
const tenantZipf = 1.0

// minTenantUnits is the smallest collectivité: a fonds, a series and a few files.
const minTenantUnits = 8

// planTenants names n collectivités under the operators and shares units among them
// by a Zipf law on their rank (rank 0 the largest).
func planTenants(r *rand.Rand, n, units int) []Tenant {
	sizes := zipfShares(n, units)
	names := newNamer(r)
	counters := map[string]int{}
	var out []Tenant
	for i := range n {
		op := pickOperator(r)
		kind := tenantKind(r, i, n)
		counters[op+"/"+kind]++
		place := names.next()
		out = append(out, Tenant{
			ID:      fmt.Sprintf("%s/%s-%03d", op, kind, counters[op+"/"+kind]),
			Name:    tenantName(kind, place, i, n),
			Publish: r.Float64() < publishChance(i, n),
			Units:   sizes[i],
			Kind:    kind,
			place:   place,
		})
	}
	return out
}

// zipfShares splits total into n integer shares proportional to 1/(rank+1)^s, each at
// least minTenantUnits when the total allows it (largest remainders get the rest).
func zipfShares(n, total int) []int {
	floor := min(minTenantUnits, total/max(n, 1))
	rest := total - floor*n
	weights := make([]float64, n)
	sum := 0.0
	for i := range weights {
		weights[i] = 1 / math.Pow(float64(i+1), tenantZipf)
		sum += weights[i]
	}
	out := make([]int, n)
	type rem struct {
		i int
		f float64
	}
	var rems []rem
	given := 0
	for i, w := range weights {
		exact := float64(rest) * w / sum
		out[i] = floor + int(exact)
		given += int(exact)
		rems = append(rems, rem{i, exact - math.Floor(exact)})
	}
	sort.SliceStable(rems, func(a, b int) bool { return rems[a].f > rems[b].f })
	for k := 0; given < rest; k++ {
		out[rems[k%n].i]++
		given++
	}
	return out
}

func pickOperator(r *rand.Rand) string {
	x := r.Float64()
	for _, o := range operators {
		if x < o.share {
			return o.id
		}
		x -= o.share
	}
	return operators[len(operators)-1].id
}

// tenantKind: the largest are cities; among the rest, mostly communes, some CCAS,
// syndicats and communautés de communes.
func tenantKind(r *rand.Rand, rank, n int) string {
	if rank < max(1, n/40) {
		return "commune"
	}
	switch x := r.Float64(); {
	case x < 0.80:
		return "commune"
	case x < 0.88:
		return "ccas"
	case x < 0.94:
		return "syndicat"
	}
	return "epci"
}

func tenantName(kind, place string, rank, n int) string {
	switch kind {
	case "ccas":
		return "Centre communal d'action sociale " + of(place)
	case "syndicat":
		return "Syndicat intercommunal des eaux " + of(place)
	case "epci":
		return "Communauté de communes " + of(place)
	}
	if rank < max(1, n/40) {
		return "Ville " + of(place)
	}
	return "Commune " + of(place)
}

// of is "de Ruitz", "d'Auchel": French elides de before a vowel.
func of(place string) string {
	if strings.ContainsAny(place[:1], "AEIOUY") || strings.HasPrefix(place, "É") {
		return "d'" + place
	}
	return "de " + place
}

// publishChance: bigger collectivités more often put their archives online.
func publishChance(rank, n int) float64 {
	if rank < max(1, n/20) {
		return 0.7
	}
	return 0.35
}

// Place names are built like those of the Nord and Pas-de-Calais.
var (
	placeRoots = strings.Fields(`Ruitz Auchel Marles Calonne Bruay Houdain Lillers Hersin Barlin Divion
		Haillicourt Maisnil Cauchy Camblain Ourton Verquin Vaudricourt Gosnay Hesdigneul Labuissière
		Lozinghem Burbure Ferfay Ames Amettes Auchy Fléchin Estrée Bourecq Ham Ligny Norrent Rely Busnes
		Mazingarbe Vermelles Hulluch Wingles Annequin Cambrin Cuinchy Festubert Givenchy Violaines
		Noyelles Sailly Fleurbaix Laventie Lestrem Merville Estaires Haverskerque Aire Witternesse Quernes
		Blessy Mametz Thérouanne Enquin Febvin Fléchinelle Heuchin Pernes Floringhem Sachin Tangry
		Valhuon Brias Diéval Bours Marest Hestrus Tilly Beugin Gauchin Fresnicourt Rebreuve Ranchicourt
		Servins Bouvigny Aix Hersin Coupigny Sains Liévin Éleu Avion Méricourt Rouvroy Drocourt Hénin
		Courcelles Évin Leforest Ostricourt Oignies Carvin Libercourt Wavrin Seclin Templemars Vendeville
		Lesquin Ronchin Faches Wattignies Emmerin Haubourdin Sequedin Loos Englos Ennetières Prémesques`)
	placeSuffixes = []string{"", "", "", "-lès-Béthune", "-en-Artois", "-sur-la-Lys", "-en-Gohelle",
		"-au-Bois", "-le-Grand", "-le-Petit", "-en-Ternois", "-sous-Bois", "-Saint-Pierre", "-sur-Marque"}
)

// namer hands out place names, each once.
type namer struct {
	r    *rand.Rand
	used map[string]bool
}

func newNamer(r *rand.Rand) *namer { return &namer{r: r, used: map[string]bool{}} }

func (nm *namer) next() string {
	for tries := 0; ; tries++ {
		name := placeRoots[nm.r.IntN(len(placeRoots))] + placeSuffixes[nm.r.IntN(len(placeSuffixes))]
		if tries > 20 {
			name = fmt.Sprintf("%s %d", name, tries)
		}
		if !nm.used[name] {
			nm.used[name] = true
			return name
		}
	}
}

// operatorTenants are the operators that have at least one collectivité, in order.
func operatorTenants(ts []Tenant) []Tenant {
	var out []Tenant
	for _, o := range operators {
		for _, t := range ts {
			if strings.HasPrefix(t.ID, o.id+"/") {
				out = append(out, Tenant{ID: o.id, Name: o.name, Kind: "operator"})
				break
			}
		}
	}
	return out
}
