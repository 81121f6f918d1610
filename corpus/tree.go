package corpus

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"
)

// unit is an ArchiveUnit being generated.
type unit struct {
	id       string
	level    string // Fonds, Series, File, Item
	title    string
	cote     string
	desc     string
	start    time.Time
	end      time.Time
	keywords []keyword
	persons  []person
	access   []ruleRef
	dissem   []ruleRef
	children []*unit
	object   *pdfObject
}

type keyword struct{ content, kind string } // kind: subject, geogname

type person struct {
	role, first, last string
	birth, death      *time.Time
}

// fondsGen builds the unit tree of one package (one fonds) from its own generator, so
// that packages do not depend on one another (and can be written in parallel).
type fondsGen struct {
	r    *rand.Rand
	text *textGen
	plan *packagePlan
	next int // unit counter, for ids
	objs int // object counter
}

// Shares of units that carry a description, by level.
var descriptionShare = map[string]float64{"Series": 0.3, "File": 0.6, "Item": 0.4}

// build returns the fonds with exactly plan.units units.
func (g *fondsGen) build() *unit {
	p := g.plan
	root := g.newUnit("Fonds", g.fondsTitle(), p.fondsCote)
	root.desc = fmt.Sprintf("%s. %s", p.tenant.Name, g.text.description(20, 60))
	root.keywords = append(root.keywords, keyword{p.tenant.place, "geogname"})
	series := g.pickSeries(p.units - 1)
	budgets := g.split(p.units-1, series)
	article := p.articleBase
	for i, sd := range series {
		if sd.code != "" {
			article = p.articleBase // "1 D 1", "2 D 1": each series numbers its files
		}
		s := g.buildSeries(sd, budgets[i], &article)
		root.children = append(root.children, s)
	}
	spanDates(root)
	return root
}

func (g *fondsGen) fondsTitle() string {
	p := g.plan
	switch {
	case p.service != "":
		return fmt.Sprintf("%s : versement %d W du service %s", p.tenant.Name, p.versement, strings.ToLower(p.service))
	case p.kind == &ccasFonds && p.versement > 0:
		return strings.ReplaceAll(p.kind.title, "{of}", of(p.tenant.place)) + fmt.Sprintf(" : versement %d W", p.versement)
	}
	return strings.NewReplacer("{of}", of(p.tenant.place), "{name}", p.tenant.Name,
		"{n}", strconv.Itoa(p.versement)).Replace(p.kind.title)
}

// pickSeries chooses the fonds' series, by weight, in the order of the frame: even a
// small commune keeps a little of many series (some 15 units each), a large one has them
// all.
func (g *fondsGen) pickSeries(budget int) []seriesDef {
	defs := g.plan.series()
	want := min(max(1, budget/15), len(defs))
	chosen := map[int]bool{}
	for len(chosen) < want {
		total := 0
		for i, d := range defs {
			if !chosen[i] {
				total += d.weight
			}
		}
		x := g.r.IntN(total)
		for i, d := range defs {
			if chosen[i] {
				continue
			}
			if x < d.weight {
				chosen[i] = true
				break
			}
			x -= d.weight
		}
	}
	var out []seriesDef
	for i, d := range defs {
		if chosen[i] {
			out = append(out, d)
		}
	}
	return out
}

// split shares budget among the series by weight with some noise, each at least 2
// units (the series and one file).
func (g *fondsGen) split(budget int, series []seriesDef) []int {
	out := make([]int, len(series))
	ws := make([]float64, len(series))
	sum := 0.0
	for i, s := range series {
		ws[i] = float64(s.weight) * (0.4 + g.r.Float64())
		sum += ws[i]
	}
	rest := budget - 2*len(series)
	given := 0
	for i := range out {
		out[i] = 2 + int(float64(rest)*ws[i]/sum)
		given += out[i]
	}
	out[len(out)-1] += budget - given
	return out
}

// fileSpec is a file before it is dated and numbered.
type fileSpec struct {
	def   fileDef
	items int
	years int
}

// buildSeries makes a series of budget units: its files (numbered in date order) and
// their items.
func (g *fondsGen) buildSeries(sd seriesDef, budget int, article *int) *unit {
	s := g.newUnit("Series", sd.title, "")
	g.describe(s)
	var specs []fileSpec
	for left := budget - 1; left > 0; {
		fd := sd.files[g.r.IntN(len(sd.files))]
		k := 0
		if len(fd.items) > 0 && sd.maxItems > 0 {
			k = min(g.r.IntN(sd.maxItems+1), left-1)
		}
		specs = append(specs, fileSpec{def: fd, items: k, years: sd.years[0] + g.r.IntN(sd.years[1]-sd.years[0]+1)})
		left -= 1 + k
	}
	starts := g.fileStarts(specs)
	first := *article
	for i, fs := range specs {
		f := g.buildFile(sd, fs, starts[i], g.fileCote(sd, *article))
		*article++
		s.children = append(s.children, f)
	}
	s.cote = g.seriesCote(sd, first, *article-1)
	spanDates(s)
	g.declare(sd.rules, s)
	return s
}

// fileStarts dates the files: a random stretch of the fonds' period, files spread over
// it in order (the numbering follows the dates, as a classification does).
func (g *fondsGen) fileStarts(specs []fileSpec) []int {
	from, to := g.plan.period[0], g.plan.period[1]
	length := to - from
	a := from + g.r.IntN(max(1, length*2/3))
	b := a + length/3 + g.r.IntN(max(1, to-a-length/3+1))
	b = min(b, to)
	out := make([]int, len(specs))
	for i, fs := range specs {
		out[i] = a + g.r.IntN(max(1, b-a-fs.years+2))
	}
	sort.Ints(out)
	return out
}

func (g *fondsGen) buildFile(sd seriesDef, fs fileSpec, startYear int, cote string) *unit {
	endYear := min(startYear+fs.years-1, g.plan.period[1])
	f := g.newUnit("File", "", cote)
	f.start = time.Date(startYear, 1, 1, 0, 0, 0, 0, time.UTC)
	f.end = time.Date(endYear, 12, 31, 0, 0, 0, 0, time.UTC)
	f.title = g.fill(fs.def.title, f, startYear)
	g.describe(f)
	if len(sd.keywords) > 0 && g.r.Float64() < 0.7 {
		f.keywords = append(f.keywords, keyword{sd.keywords[g.r.IntN(len(sd.keywords))], "subject"})
	}
	if g.r.Float64() < 0.3 {
		f.keywords = append(f.keywords, keyword{g.text.contentWord(), "subject"})
	}
	if sd.writer && g.r.Float64() < 0.5 {
		mayor := g.newPerson("Writer")
		setLife(g.r, &mayor, startYear-35-g.r.IntN(30), 0.95)
		f.persons = append(f.persons, mayor)
	}
	g.declare(fs.def.rules, f)
	for i := range fs.items {
		f.children = append(f.children, g.buildItem(fs.def, f, i+1))
	}
	return f
}

func (g *fondsGen) buildItem(fd fileDef, f *unit, n int) *unit {
	it := g.newUnit("Item", "", fmt.Sprintf("%s/%d", f.cote, n))
	days := int(f.end.Sub(f.start).Hours()/24) + 1
	it.start = f.start.AddDate(0, 0, g.r.IntN(days))
	it.end = it.start
	it.title = g.fill(fd.items[g.r.IntN(len(fd.items))], it, it.start.Year())
	g.describe(it)
	g.declareItem(fd.rules, it)
	if g.r.Float64() < g.plan.pdfShare {
		it.object = g.newPDF(it)
	}
	return it
}

// fill expands a title template for unit u (dated from year).
func (g *fondsGen) fill(tmpl string, u *unit, year int) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			b.WriteString(tmpl)
			break
		}
		j := strings.IndexByte(tmpl[i:], '}') + i
		b.WriteString(tmpl[:i])
		b.WriteString(g.placeholder(tmpl[i+1:j], u, year))
		tmpl = tmpl[j+1:]
	}
	return b.String()
}

func (g *fondsGen) placeholder(name string, u *unit, year int) string {
	switch name {
	case "place":
		return g.place()
	case "person":
		p := g.newPerson("Addressee")
		u.persons = append(u.persons, p)
		return p.first + " " + p.last
	case "date":
		return frenchDate(u.start)
	case "year":
		return strconv.Itoa(year)
	case "words":
		return g.text.contentWords(2 + g.r.IntN(2))
	case "n":
		return strconv.Itoa(1 + g.r.IntN(400))
	}
	return name
}

func (g *fondsGen) describe(u *unit) {
	if g.r.Float64() < descriptionShare[u.level] {
		if u.level == "Item" {
			u.desc = g.text.description(10, 30)
		} else {
			u.desc = g.text.description(20, 60)
		}
	}
}

func (g *fondsGen) newUnit(level, title, cote string) *unit {
	g.next++
	return &unit{id: "AU" + strconv.Itoa(g.next), level: level, title: title, cote: cote}
}

// fileCote numbers a file in the fonds' style: "1 D 12", "1234 W 12" or "W 1234".
func (g *fondsGen) fileCote(sd seriesDef, article int) string {
	switch {
	case sd.code != "":
		return fmt.Sprintf("%s %d", sd.code, article)
	case g.plan.coteStyle == continuousW:
		return fmt.Sprintf("W %d", article)
	}
	return fmt.Sprintf("%d W %d", g.plan.versement, article)
}

func (g *fondsGen) seriesCote(sd seriesDef, first, last int) string {
	switch {
	case sd.code != "":
		return sd.code
	case g.plan.coteStyle == continuousW:
		return fmt.Sprintf("W %d-%d", first, last)
	}
	return fmt.Sprintf("%d W %d-%d", g.plan.versement, first, last)
}

// spanDates gives a fonds or series the extreme dates of its children.
func spanDates(u *unit) {
	for i, c := range u.children {
		if i == 0 || c.start.Before(u.start) {
			u.start = c.start
		}
		if i == 0 || c.end.After(u.end) {
			u.end = c.end
		}
	}
}

var frenchMonths = []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
	"septembre", "octobre", "novembre", "décembre"}

// frenchDate writes a day as archivists do: "1er mars 1923", "12 mars 1923".
func frenchDate(t time.Time) string {
	day := strconv.Itoa(t.Day())
	if t.Day() == 1 {
		day = "1er"
	}
	return fmt.Sprintf("%s %s %d", day, frenchMonths[t.Month()-1], t.Year())
}

var streets = []string{"rue de la Gare", "rue de l'Église", "place de la République", "rue Jean Jaurès",
	"chemin des Prés", "rue du Moulin", "route nationale", "rue Victor Hugo", "impasse des Tilleuls",
	"rue de la Mairie", "chemin du Marais", "rue Pasteur", "avenue de la Libération", "rue du Calvaire",
	"hameau du Bois", "lieu-dit la Croix", "rue des Écoles", "rue du Général de Gaulle", "chemin de halage",
	"cité des Alouettes"}

func (g *fondsGen) place() string { return streets[g.r.IntN(len(streets))] }

var (
	firstNames = strings.Fields(`Jean Marie Pierre Louis Joseph Marcel André Jeanne Marguerite Louise
		Henri Paul Germaine Suzanne Georges René Madeleine Yvonne Lucien Émile Albert Fernand Françoise
		Jacques Michel Monique Bernard Claude Nicole Daniel Alain Christiane Gérard Jacqueline Roger
		Simone Raymond Odette Gilbert Thérèse Auguste Céline Eugène Léonie Victor Augustine Julien
		Hélène Maurice Berthe Philippe Nathalie Sylvie Christophe Isabelle Sandrine Stéphane Céline`)
	lastNames = strings.Fields(`Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau
		Simon Laurent Lefebvre Michel Garcia David Bertrand Roux Vincent Fournier Morel Girard Andre
		Lefevre Mercier Dupont Lambert Bonnet Francois Martinez Legrand Garnier Faure Rousseau Blanc
		Guerin Muller Henry Roussel Nicolas Perrin Morin Mathieu Clement Gauthier Dumont Lopez Fontaine
		Chevalier Robin Masson Sanchez Gerard Nguyen Boyer Denis Lemaire Duval Joly Gautier Roger Roche
		Roy Noel Meyer Lucas Meunier Jean Perez Marchand Dufour Blanchard Marie Barbier Brun Dumas
		Brunet Schmitt Leroux Colin Fernandez Pierre Renard Arnaud Rolland Caron Aubert Giraud Leclerc
		Vidal Bourgeois Renaud Lemoine Picard Gaillard Philippe Leclercq Lacroix Fabre Dupuis Olivier
		Rodriguez Da Silva Hubert Louis Charles Guillot Riviere Le Gall Guillaume Adam Rey Moulin
		Gonzalez Berger Lecomte Menard Fleury Deschamps Carpentier Julien Benoit Paris Maillard Marchal
		Aubry Vasseur Le Roux Renault Jacquet Collet Prevost Poirier Charpentier Royer Huet Baron
		Dupuy Pons Paul Laine Carre Breton Remy Schneider Perrot Guyot Barre Marty Cousin Delattre
		Lemaitre Lebrun Deprez Wattez Delannoy Dhont Vandamme Dewailly Lefrancq Bocquet Caudron`)
)

func (g *fondsGen) newPerson(role string) person {
	return person{role: role, first: firstNames[g.r.IntN(len(firstNames))], last: lastNames[g.r.IntN(len(lastNames))]}
}
