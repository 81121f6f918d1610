package index

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"sesam/seda"
	"sesam/store"
)

// Sort keys (yyyymmdd) of a unit without dates: last in both orders.
const (
	noDateAsc  = 999_999_999
	noDateDesc = -999_999_999
)

// docOf turns a stored unit into the index document, written on day written (a day
// number, see generation.writeDay).
func docOf(d *store.IndexUnit, written int) map[string]any {
	u := d.Unit
	c := &u.Content
	doc := map[string]any{
		fID:          strconv.FormatInt(u.ID, 10),
		fTenant:      u.TenantID,
		fTenantPath:  tenantPath(u.TenantID),
		fAncestors:   idStrings(u.Ancestors),
		fPath:        joinIDs(d.Path),
		fLevel:       u.Level,
		fTitle:       u.Title,
		fCote:        NormalizeCote(u.Cote),
		fCoteText:    u.Cote,
		fProducer:    u.OriginatingAgency,
		fOpenDay:     float64(u.OpenDay),
		fOnlineDay:   float64(max(u.OpenDay, u.PublishDay)),
		fHasObject:   strconv.FormatBool(len(d.Objects) > 0),
		fTitleSort:   sortKey(u.Title),
		fCoteSort:    coteSortKey(u.Cote),
		fDescription: descriptions(c.Descriptions, c.CustodialHistory),
	}
	if max(u.OpenDay, u.PublishDay) <= written {
		doc[fOnline] = "true"
	}
	if u.DescriptionPublic {
		doc[fDescPublic] = "true"
	}
	var others []string
	for _, t := range c.Titles {
		if t.Value != u.Title {
			others = append(others, t.Value)
		}
	}
	doc[fTitleOther] = others
	var kw, kwFacet []string
	for _, k := range c.Keywords {
		kw = append(kw, k.Content)
		kwFacet = append(kwFacet, strings.TrimSpace(k.Content))
	}
	doc[fKeyword], doc[fKeywordFacet] = kw, kwFacet
	doc[fPerson] = persons(c)
	doc[fProducerText] = producerNames(d)
	doc[fIdentifier] = identifiers(c)
	addDates(doc, d)
	addObjects(doc, d)
	doc[fUID] = fmt.Sprintf("%015d", u.ID)
	doc[fFacets] = facetValues(doc)
	return doc
}

// facetValues gathers, prefixed by their facet, the values of the low-cardinality
// facets into one field: counting facets visits each hit's doc values, and one field
// visited costs far less than eight (see facets.go).
func facetValues(doc map[string]any) []string {
	var out []string
	add := func(facet string, v any) {
		switch v := v.(type) {
		case string:
			if v != "" {
				out = append(out, facetValue(facet, v))
			}
		case []string:
			for _, x := range v {
				if x != "" {
					out = append(out, facetValue(facet, x))
				}
			}
		}
	}
	for _, f := range combinedFacets {
		add(f.name, doc[f.field])
	}
	return out
}

func tenantPath(t string) []string {
	var out []string
	for i := range t {
		if t[i] == '/' {
			out = append(out, t[:i])
		}
	}
	return append(out, t)
}

func idStrings(ids []int64) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = strconv.FormatInt(id, 10)
	}
	return out
}

func joinIDs(ids []int64) string { return strings.Join(idStrings(ids), ",") }

func descriptions(ds []seda.Text, custodial []string) []string {
	out := make([]string, 0, len(ds)+len(custodial))
	for _, d := range ds {
		out = append(out, d.Value)
	}
	return append(out, custodial...)
}

func persons(c *seda.Unit) []string {
	var out []string
	for _, p := range c.Persons {
		if n := p.Name(); n != "" {
			out = append(out, n)
		}
	}
	return out
}

func producerNames(d *store.IndexUnit) []string {
	c := &d.Unit.Content
	out := []string{d.Unit.OriginatingAgency}
	for _, a := range []*seda.Agency{c.OriginatingAgency, c.SubmissionAgency} {
		if a != nil {
			out = append(out, a.Identifier, a.Name)
		}
	}
	return out
}

func identifiers(c *seda.Unit) []string {
	var out []string
	for _, group := range [][]string{c.ArchivalAgencyIDs, c.OriginatingAgencyIDs, c.TransferringAgencyIDs,
		c.SystemIDs, c.OriginatingSystemIDs, c.FilePlanPositions, c.PersistentIdentifiers} {
		for _, id := range group {
			out = append(out, NormalizeCote(id))
		}
	}
	return out
}

// addDates indexes the years, for ranges, sorting and the histogram (counted from the
// columns: a unit counts in every century and decade its dates cover).
func addDates(doc map[string]any, d *store.IndexUnit) {
	// Sort keys always present (search-after needs a value): no date sorts last both ways.
	doc[fDateAsc], doc[fDateDesc] = float64(noDateAsc), float64(noDateDesc)
	u := d.Unit
	start, end := u.StartDate, u.EndDate
	if start == nil {
		start = end
	}
	if end == nil {
		end = start
	}
	if start == nil {
		return
	}
	doc[fStart], doc[fEnd] = start.Format("2006-01-02"), end.Format("2006-01-02")
	sy, ey := start.Year(), end.Year()
	if ey < sy {
		sy, ey = ey, sy
	}
	doc[fStartYear], doc[fEndYear] = float64(sy), float64(ey)
	// Oldest first sorts by the start date, most recent first by the end date.
	doc[fDateAsc], doc[fDateDesc] = float64(dayKey(*start)), float64(dayKey(*end))
	if dayKey(*end) < dayKey(*start) {
		doc[fDateAsc], doc[fDateDesc] = doc[fDateDesc], doc[fDateAsc]
	}
}

// dayKey is a date as the number yyyymmdd.
func dayKey(t time.Time) int { return t.Year()*10000 + int(t.Month())*100 + t.Day() }

func floorDiv(a, b int) int {
	if a < 0 && a%b != 0 {
		return a/b - 1
	}
	return a / b
}

// addObjects indexes the formats and the text of every PDF page, in order, with a
// parallel stored list saying which object and page each value is.
func addObjects(doc map[string]any, d *store.IndexUnit) {
	formats := map[string]bool{}
	for _, o := range d.Objects {
		if o.MimeType != "" {
			formats[o.MimeType] = true
		}
	}
	var fs []string
	for f := range formats {
		fs = append(fs, f)
	}
	doc[fFormat] = fs
	var pages, refs []string
	for _, p := range d.Pages {
		if strings.TrimSpace(p.Text) == "" {
			continue
		}
		pages = append(pages, p.Text)
		refs = append(refs, fmt.Sprintf("%d/%d/%s", p.ObjectID, p.Number, p.Source))
	}
	doc[fPage], doc[fPageRef] = pages, refs
}

// sortKey is a title folded for sorting: case, accents and leading punctuation ignored.
func sortKey(s string) string {
	s = strings.TrimLeftFunc(FoldTerm(strings.ToLower(s)), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if len(s) > 64 {
		s = s[:64]
	}
	return s
}

// coteSortKey sorts cotes naturally: numbers by value (3 E 9 before 3 E 12).
func coteSortKey(cote string) string {
	n := NormalizeCote(cote)
	var b strings.Builder
	for i := 0; i < len(n); {
		if n[i] >= '0' && n[i] <= '9' {
			j := i
			for j < len(n) && n[j] >= '0' && n[j] <= '9' {
				j++
			}
			digits := strings.TrimLeft(n[i:j], "0")
			fmt.Fprintf(&b, "%02d%s", len(digits), digits)
			i = j
			continue
		}
		b.WriteByte(n[i])
		i++
	}
	return b.String()
}
