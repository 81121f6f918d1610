package index

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bindex "github.com/blevesearch/bleve_index_api"

	"sesam/access"
)

// builder turns a parsed query into a Bleve query. It needs the mapping's analyzers to
// drop words that analyse to nothing (stop words) instead of matching nothing.
type builder struct {
	m         mapping.IndexMapping
	inclusion bool // year ranges: units inside the range rather than overlapping it
	// noPages leaves the text of the objects' pages out: the words of a unit seen
	// with its description only (access.MetadataOnly) must not match its documents.
	noPages bool
	// coteLike: the query has a number, so a one-letter stop word in it is a cote's
	// letter (1 D 12), required in the cotes' words, not an article.
	coteLike bool
}

// clause is what a node adds to the query.
type clause int

const (
	noClause clause = iota // no condition: a word that is no word of any field
	required               // the units must match it
	// optional: a French stop word (le, des, du...), which the French text fields do
	// not hold, is still a word of the cotes (1 D 12): it ranks the units whose cote
	// has it higher but finds no fewer units ("registre des naissances").
	optional
)

// build returns the query for n; nil n (an empty query) matches every unit. A query
// of stop words only looks for them in the cotes.
func (b *builder) build(n Node) query.Query {
	if n == nil {
		return bleve.NewMatchAllQuery()
	}
	b.coteLike = hasNumber(n)
	q, c := b.node(n)
	if c == noClause {
		return bleve.NewMatchAllQuery()
	}
	return q
}

// node builds one node and says what kind of clause it is.
func (b *builder) node(n Node) (query.Query, clause) {
	switch n := n.(type) {
	case Term:
		return b.term(n)
	case Range:
		return b.yearRange(n.From, n.To), required
	case Not:
		x, c := b.node(n.X)
		if c != required {
			return nil, noClause // excluding a stop word would exclude nothing sensible
		}
		bq := bleve.NewBooleanQuery()
		bq.AddMust(bleve.NewMatchAllQuery())
		bq.AddMustNot(x)
		return bq, required
	case And:
		return b.and(n.Xs)
	case Or:
		var qs []query.Query
		kind := optional // unless a part is required
		for _, x := range n.Xs {
			if q, c := b.node(x); c != noClause {
				qs = append(qs, q)
				if c == required {
					kind = required
				}
			}
		}
		if len(qs) == 0 {
			return nil, noClause
		}
		return bleve.NewDisjunctionQuery(qs...), kind
	}
	return nil, noClause
}

// and needs every required part and none of the negated ones; the optional parts
// rank.
func (b *builder) and(xs []Node) (query.Query, clause) {
	bq := bleve.NewBooleanQuery()
	var must, should, mustNot []query.Query
	for _, x := range xs {
		if not, ok := x.(Not); ok {
			if q, c := b.node(not.X); c == required {
				mustNot = append(mustNot, q)
			}
			continue
		}
		switch q, c := b.node(x); c {
		case required:
			must = append(must, q)
		case optional:
			should = append(should, q)
		}
	}
	switch {
	case len(must) == 0 && len(mustNot) == 0 && len(should) == 0:
		return nil, noClause
	case len(must) == 0 && len(mustNot) == 0:
		return bleve.NewDisjunctionQuery(should...), optional
	case len(must) == 0:
		must = append(must, bleve.NewMatchAllQuery())
	case len(must) == 1 && len(mustNot) == 0 && len(should) == 0:
		return must[0], required // no wrapper: each level costs every hit
	}
	bq.AddMust(must...)
	bq.AddShould(should...)
	bq.AddMustNot(mustNot...)
	if parts, ok := allWords(must); ok && len(should) == 0 && len(mustNot) == 0 {
		return &wordsAndQuery{parts: parts, bleve: bq}, required
	}
	return bq, required
}

// allWords: every query is a wordsQuery.
func allWords(qs []query.Query) ([]*wordsQuery, bool) {
	parts := make([]*wordsQuery, len(qs))
	for i, q := range qs {
		wq, ok := q.(*wordsQuery)
		if !ok {
			return nil, false
		}
		parts[i] = wq
	}
	return parts, true
}

// term looks for a word or phrase in the fields its prefix names, or in every text
// field with their boosts. A French stop word is an optional clause in the fields
// that hold it (the cote's words), or nothing.
func (b *builder) term(t Term) (query.Query, clause) {
	if t.Field == FieldCote {
		return b.cote(t.Text), required
	}
	fields := textFields
	if t.Field != "" {
		fields = userFields[t.Field]
	}
	stop := !t.Phrase && b.isStopWord(t.Text)
	var (
		qs    []query.Query
		words []fieldWords
		ours  = true // every field's words can be matched by wordsSearcher
	)
	for _, f := range fields {
		if f == fPage && b.noPages || stop && (b.m.AnalyzerNameForPath(f) == AnalyzerFrText || b.tokens(f, t.Text) == 0) {
			continue
		}
		q, w, ok := b.fieldQuery(f, t)
		qs, words, ours = append(qs, q), append(words, w), ours && ok
	}
	switch {
	case stop && len(qs) == 0:
		return nil, noClause
	case len(qs) == 0:
		return bleve.NewMatchNoneQuery(), required // texte:word, where no page may be searched
	}
	q := disjunction(qs)
	if ours && len(qs) > 1 { // one field alone is scored without a disjunction's norm: Bleve's
		q = &wordsQuery{fields: words, bleve: q}
	}
	switch {
	case stop && b.coteLike && utf8.RuneCountInString(t.Text) == 1:
		return q, required
	case stop:
		return q, optional
	}
	return q, required
}

// hasNumber reports whether a query has a plain word of digits (1, 12/4), as a cote
// typed without quotes has.
func hasNumber(n Node) bool {
	switch n := n.(type) {
	case Term:
		return n.Field == "" && !n.Phrase && strings.IndexFunc(n.Text, unicode.IsDigit) >= 0 &&
			strings.IndexFunc(n.Text, func(r rune) bool { return !unicode.IsDigit(r) && r != '/' && r != '-' && r != '.' }) < 0
	case And:
		return slices.ContainsFunc(n.Xs, hasNumber)
	case Or:
		return slices.ContainsFunc(n.Xs, hasNumber)
	}
	return false
}

// fieldQuery matches a term in one field. A phrase, or a word that the analyser cuts in
// several tokens (Saint-Pierre, 12/4), must match as a phrase. It also says the words
// to look for, and whether wordsSearcher can (see phraseSlots).
func (b *builder) fieldQuery(field string, t Term) (query.Query, fieldWords, bool) {
	boost := fieldBoosts[field]
	if boost == 0 {
		boost = 1
	}
	var q interface {
		query.Query
		SetBoost(float64)
		SetField(string)
	}
	a := b.analyzer(field)
	var toks analysis.TokenStream
	if a != nil {
		toks = a.Analyze([]byte(t.Text))
	}
	switch {
	case a == nil:
		q = bleve.NewMatchQuery(t.Text)
	case t.Phrase || len(toks) > 1:
		q = bleve.NewMatchPhraseQuery(t.Text)
	case len(toks) == 1:
		// The word's one token, as a term: a match query would wrap it in a disjunction
		// of one, a level every hit of every word passes through (same score).
		q = bleve.NewTermQuery(string(toks[0].Term))
	default:
		q = bleve.NewMatchQuery(t.Text) // no token: matches nothing
	}
	q.SetField(field)
	q.SetBoost(boost)
	slots, ok := phraseSlots(toks)
	return q, fieldWords{field: field, boost: boost, slots: slots}, ok && a != nil
}

// cote matches an identifier exactly (ignoring case and spacing), or the cotes below
// it (see coteQuery).
func (b *builder) cote(text string) query.Query { return newCoteQuery(text) }

// termRange is the keywords k with from <= k < to (bytewise).
type termRange struct{ from, to string }

// coteBelow are the ranges of the cotes under a normalised cote c: c followed by a
// separator or by a part of another kind, so that "3e12" finds 3 E 12/4 and 3 E 12 bis
// but not 3 E 120, and "w" finds W 1234 but not WX 1. Walking the keyword dictionary
// between two bounds costs µs; a phrase query over the cote's words cost 8 ms on
// 100,000 units for "1 D 1" (its words are in every other cote), and a regular
// expression 1 ms to compile. A cote that merely contains c further on
// (E DEPOT 5/1 D 1) is found by an unfielded search, which matches the cote's words.
func coteBelow(c string) []termRange {
	const end = "\xff" // above every byte of UTF-8
	switch last := c[len(c)-1]; {
	case last >= '0' && last <= '9':
		return []termRange{{c + "\x00", c + "0"}, {c + ":", c + end}}
	case last >= 'a' && last <= 'z':
		return []termRange{{c + "\x00", c + "a"}, {c + "{", c + end}}
	}
	return []termRange{{c + "\x00", c + end}}
}

// exactCoteBoost ranks the unit whose cote is exactly the whole query first: typing
// "3 E 12/4" should put 3 E 12/4 at the top, not units merely containing 3, E, 12 and 4.
func exactCoteBoost(raw string) *query.TermQuery {
	c := NormalizeCote(raw)
	if c == "" {
		return nil
	}
	q := bleve.NewTermQuery(c)
	q.SetField(fCote)
	q.SetBoost(50)
	return q
}

// analyzer is the analyser field was indexed with (nil when the mapping has none).
func (b *builder) analyzer(field string) analysis.Analyzer {
	return b.m.AnalyzerNamed(b.m.AnalyzerNameForPath(field))
}

func (b *builder) tokens(field, text string) int {
	if a := b.analyzer(field); a != nil {
		return len(a.Analyze([]byte(text)))
	}
	return 1
}

// isStopWord: the French text fields hold no token of the word (le, de, et...).
func (b *builder) isStopWord(text string) bool {
	return b.tokens(fTitle, text) == 0
}

// yearRange selects units whose years overlap [from, to] (or lie inside it when the
// builder's inclusion is set). Units without dates never match a range.
func (b *builder) yearRange(from, to *int) query.Query {
	var parts []query.Query
	incl := true
	f := func(y *int) *float64 {
		if y == nil {
			return nil
		}
		v := float64(*y)
		return &v
	}
	if b.inclusion {
		if from != nil {
			parts = append(parts, numRange(fStartYear, f(from), nil, incl))
		}
		if to != nil {
			parts = append(parts, numRange(fEndYear, nil, f(to), incl))
		}
	} else {
		if to != nil {
			parts = append(parts, numRange(fStartYear, nil, f(to), incl))
		}
		if from != nil {
			parts = append(parts, numRange(fEndYear, f(from), nil, incl))
		}
	}
	return bleve.NewConjunctionQuery(parts...)
}

func numRange(field string, min, max *float64, inclusive bool) query.Query {
	q := bleve.NewNumericRangeInclusiveQuery(min, max, &inclusive, &inclusive)
	q.SetField(field)
	return q
}

func termQ(field, value string) query.Query {
	q := bleve.NewTermQuery(value)
	q.SetField(field)
	return q
}

func anyTerm(field string, values []string) query.Query {
	qs := make([]query.Query, 0, len(values))
	for _, v := range values {
		qs = append(qs, termQ(field, v))
	}
	return bleve.NewDisjunctionQuery(qs...)
}

// scopeQuery is the security filter: the units the scope may see, as one query. It is
// the search-side twin of access.Scope.Visibility; a property test proves they agree.
func scopeQuery(g *generation, s access.Scope) query.Query {
	full, meta := scopeParts(g, s)
	switch {
	case full == nil && meta == nil:
		return bleve.NewMatchNoneQuery()
	case meta == nil:
		return full
	case full == nil:
		return meta
	}
	return bleve.NewDisjunctionQuery(full, meta)
}

// scopeParts splits the scope as Visibility does: full are the units whose
// description and objects the scope may see (access.Full), meta those whose
// description alone it may see (access.MetadataOnly: a closed unit of a fonds whose
// description is public, a unit granted for the reading room), unless full covers
// them too. A nil part matches nothing. Words match a page's text, and snippets and
// the object facets come from objects, only under full.
func scopeParts(g *generation, s access.Scope) (full, meta query.Query) {
	if s.All || slices.Contains(s.Tenants, "*") {
		return bleve.NewMatchAllQuery(), nil
	}
	var fulls, metas []query.Query
	for _, t := range s.Tenants {
		fulls = append(fulls, tenantQuery(t))
	}
	for _, a := range s.AgencyTenants {
		if len(a.Agencies) > 0 {
			fulls = append(fulls, bleve.NewConjunctionQuery(tenantQuery(a.Tenant), anyTerm(fProducer, a.Agencies)))
		}
	}
	if len(s.PublicTenants) > 0 {
		fulls = append(fulls, bleve.NewConjunctionQuery(anyTerm(fTenant, s.PublicTenants), g.onlineQuery(s.Today)))
		if g.anyDescPublic() {
			metas = append(metas, bleve.NewConjunctionQuery(termQ(fDescPublic, "true"), anyTerm(fTenant, s.PublicTenants)))
		}
	}
	var online, reading []string
	for _, gr := range s.ActiveGrants() {
		if gr.Online {
			online = append(online, gr.UnitID)
		} else {
			reading = append(reading, gr.UnitID)
		}
	}
	if len(online) > 0 {
		fulls = append(fulls, anyTerm(fID, online), anyTerm(fAncestors, online))
	}
	if len(reading) > 0 {
		metas = append(metas, anyTerm(fID, reading), anyTerm(fAncestors, reading))
	}
	return disjunction(fulls), disjunction(metas)
}

// anyDescPublic reports whether some unit's description is public while it is closed.
// Most indexes have none: the public's search then skips the part of the scope (and
// the second search) that would look for them, which costs as much as the other part
// (a union of the postings of every publishing tenant). When unsure, it says yes.
func (g *generation) anyDescPublic() bool {
	if g == nil || g.idx == nil {
		return true
	}
	return g.hasTerm(fDescPublic, "true") // a field dictionary over the segments cost 8% of an exact cote's search
}

// disjunction is any of qs; nil when there is none.
func disjunction(qs []query.Query) query.Query {
	switch len(qs) {
	case 0:
		return nil
	case 1:
		return qs[0]
	}
	return bleve.NewDisjunctionQuery(qs...)
}

// onlineQuery matches the units whose online day (communicable and published) has come
// by today. A numeric range over every day up to today visits thousands of terms (5 ms
// a search on 100,000 units, paid by everyone but the administrator); instead a unit
// written on day W whose online day had passed by then carries the flag fOnline, and
// only the units still closed then are looked up by day, in (base, today]: a range of
// the days since the generation was built. This holds when today is not before the
// last write day; otherwise (a search dated in the past) the whole range is used.
func (g *generation) onlineQuery(today int) query.Query {
	t := float64(today)
	if g == nil || g.base == 0 || int64(today) < g.last.Load() {
		return numRange(fOnlineDay, nil, &t, true)
	}
	flag := termQ(fOnline, "true")
	if today <= g.base {
		return flag
	}
	base := float64(g.base)
	since := bleve.NewNumericRangeInclusiveQuery(&base, &t, ptr(false), ptr(true))
	since.SetField(fOnlineDay)
	return bleve.NewDisjunctionQuery(flag, since)
}

// tenantQuery matches the units of a scope tenant as access.CoversTenant does: "cdg62"
// its tenant and those below, "cdg62/*" only those below, "*" all.
func tenantQuery(t string) query.Query {
	switch {
	case t == "*":
		return bleve.NewMatchAllQuery()
	case strings.HasSuffix(t, "/*"):
		base := strings.TrimSuffix(t, "/*")
		bq := bleve.NewBooleanQuery()
		bq.AddMust(termQ(fTenantPath, base))
		bq.AddMustNot(termQ(fTenant, base))
		return bq
	}
	return termQ(fTenantPath, t)
}

// filterQuery is the conjunction of the user's filters (facet selections, years,
// within a fonds); nil when there is none.
func (b *builder) filterQuery(f Filters, today int) query.Query {
	and := termFilters(f)
	if f.FromYear != nil || f.ToYear != nil {
		and = append(and, b.yearRange(f.FromYear, f.ToYear))
	}
	if q := statusQuery(f.Status, today); q != nil {
		and = append(and, q)
	}
	if f.OpenedSince > 0 {
		since, t := float64(f.OpenedSince), float64(today)
		and = append(and, numRange(fOpenDay, &since, &t, true))
	}
	if len(and) == 0 {
		return nil
	}
	return bleve.NewConjunctionQuery(and...)
}

// Communicability statuses, as of the day of the search.
const (
	StatusOpen   = "communicable"
	StatusClosed = "ferme"   // closed until a known day
	StatusNever  = "inconnu" // never, or the day cannot be established
)

// termFilters are the filters of f that are terms of a field (the collectivités,
// producers, levels, keywords, formats, objects, the fonds searched within), without
// the ranges of years and days.
func termFilters(f Filters) []query.Query {
	var and []query.Query
	for _, sel := range []struct {
		field  string
		values []string
	}{{fTenantPath, f.Tenants}, {fProducer, f.Producers}, {fLevel, f.Levels}, {fKeywordFacet, f.Keywords}, {fFormat, f.Formats}} {
		if len(sel.values) > 0 {
			and = append(and, anyTerm(sel.field, sel.values))
		}
	}
	if f.HasObject != "" {
		and = append(and, termQ(fHasObject, f.HasObject))
	}
	if f.Within > 0 {
		and = append(and, termQ(fAncestors, strconv.FormatInt(f.Within, 10)))
	}
	return and
}

func statusQuery(status string, today int) query.Query {
	t, next, never := float64(today), float64(today+1), float64(access.NeverDay)
	switch strings.ToLower(status) {
	case StatusOpen:
		return numRange(fOpenDay, nil, &t, true)
	case StatusClosed:
		q := bleve.NewNumericRangeInclusiveQuery(&next, &never, ptr(true), ptr(false))
		q.SetField(fOpenDay)
		return q
	case StatusNever:
		return numRange(fOpenDay, &never, nil, true)
	}
	return nil
}

func ptr[T any](v T) *T { return &v }

// unscored matches what q matches, scoring 0: a filter that can lead a conjunction.
// A Boolean query's filter is checked against every match of the words; inside a
// conjunction a small filter (a few units described publicly) is walked first and the
// words are only looked up at its units.
type unscored struct{ q query.Query }

func (u unscored) Searcher(ctx context.Context, i bindex.IndexReader, m mapping.IndexMapping, _ search.SearcherOptions) (search.Searcher, error) {
	s, err := u.q.Searcher(ctx, i, m, search.SearcherOptions{Score: "none"})
	if err != nil {
		return nil, err
	}
	return zeroScore{s}, nil
}

type zeroScore struct{ search.Searcher }

func (z zeroScore) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	d, err := z.Searcher.Next(ctx)
	if d != nil {
		d.Score = 0
	}
	return d, err
}

func (z zeroScore) Advance(ctx *search.SearchContext, id bindex.IndexInternalID) (*search.DocumentMatch, error) {
	d, err := z.Searcher.Advance(ctx, id)
	if d != nil {
		d.Score = 0
	}
	return d, err
}

func (zeroScore) Weight() float64      { return 0 }
func (zeroScore) SetQueryNorm(float64) {}

// objectFacet reports whether a facet value id is one of the objects' facets (format,
// has_object), which a unit seen by its description only does not count in.
func (d *facetDict) objectFacet(id uint32) bool {
	f, _ := d.entry(id)
	return f == "format" || f == "has_object"
}
