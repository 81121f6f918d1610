package index

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bindex "github.com/blevesearch/bleve_index_api"

	"sesam"
	"sesam/access"
)

// Filters narrow a search: facet selections and form fields. Values within one
// filter are alternatives (OR); filters combine (AND).
type Filters struct {
	Tenants   []string // a tenant and every tenant below it
	Producers []string
	Levels    []string
	Keywords  []string
	Formats   []string
	HasObject string // "true", "false" or ""
	Status    string // StatusOpen, StatusClosed, StatusNever (staff)
	FromYear  *int
	ToYear    *int
	Inclusion bool  // years inside [FromYear, ToYear] rather than overlapping it
	Within    int64 // only units under this one (search within a fonds)
	// OpenedSince keeps the units that became communicable between this day and today
	// (day numbers): the home page's recent openings.
	OpenedSince int
}

// Sort orders.
const (
	SortRelevance = "pertinence"
	SortDate      = "date"
	SortDateDesc  = "-date"
	SortTitle     = "titre"
	SortCote      = "cote"
	SortOpened    = "-ouverture" // the most recently opened first
)

// Request is one search.
type Request struct {
	Query   string
	Filters Filters
	Sort    string
	Size    int    // hits per page (default 20, at most 100)
	Page    int    // 1-based; deep pages go through After
	After   string // cursor from a previous Result.Next: the page after that one
	Facets  bool   // compute facets and the histogram
	Staff   bool   // add the communicability status facet
	NoHits  bool   // only the total and the facets
}

// MaxOffset is the deepest plain offset; past it, pages go through search-after
// cursors (stable links that cost the same at any depth).
const MaxOffset = 10_000

// Result is a page of hits with everything around them.
type Result struct {
	Total      uint64
	Hits       []Hit
	Facets     []Facet
	Histogram  *Histogram
	Next       string // cursor of the next page ("" at the end)
	Suggestion string // "did you mean", when nothing was found
	Took       time.Duration
}

// Hit is one unit found.
type Hit struct {
	ID       int64
	Tenant   string
	Title    string
	Cote     string
	Level    string
	Start    string // ISO dates, "" when unknown
	End      string
	Path     []int64 // first-parent chain, root first (the caller shows what may be seen)
	OpenDay  int
	Snippets []Snippet
	Score    float64
}

// Snippet is an excerpt with the matched words marked. HTML is escaped text with
// <mark> elements; for PDF text it names the object and the page.
type Snippet struct {
	Field    string
	HTML     string
	ObjectID int64
	Page     int
	OCR      bool
}

// PageReader gives the text of PDF pages (from the store): snippets from full text are
// cut from the page itself, which the index does not store.
type PageReader interface {
	PageTexts(ctx context.Context, keys []PageKey) (map[PageKey]string, error)
}

// PageKey names a page of an object.
type PageKey struct {
	ObjectID int64
	Page     int
}

// Search runs a request inside the scope: totals, hits, facets, snippets and
// suggestions come only from units the scope may see. A malformed query is a
// *ParseError; bad parameters are sesam.ErrInvalid.
func (ix *Index) Search(ctx context.Context, scope access.Scope, req Request, pages PageReader) (*Result, error) {
	return ix.search(ctx, scope, req, pages, false)
}

// search is Search; bleveCollects: see searcher.
func (ix *Index) search(ctx context.Context, scope access.Scope, req Request, pages PageReader, bleveCollects bool) (*Result, error) {
	start := time.Now()
	node, err := Parse(req.Query)
	if err != nil {
		return nil, err
	}
	if err := normalise(&req); err != nil {
		return nil, err
	}
	var res *Result
	err = ix.read(func(g *generation) error {
		s := newSearcher(g, scope, req, pages)
		s.bleveCollects = bleveCollects
		var err error
		res, err = s.run(ctx, node)
		return err
	})
	if err != nil {
		return nil, err
	}
	res.Took = time.Since(start)
	return res, nil
}

func normalise(req *Request) error {
	if req.Size <= 0 {
		req.Size = 20
	}
	if req.Size > 100 {
		req.Size = 100
	}
	if req.Page <= 0 {
		req.Page = 1
	}
	switch req.Sort {
	case "", SortRelevance, SortDate, SortDateDesc, SortTitle, SortCote, SortOpened:
	default:
		return sesam.Invalid(fmt.Sprintf("tri inconnu %q (pertinence, date, -date, titre, cote)", req.Sort),
			fmt.Sprintf("unknown sort %q (pertinence, date, -date, titre, cote)", req.Sort))
	}
	switch req.Filters.Status {
	case "", StatusOpen, StatusClosed, StatusNever:
	default:
		return sesam.Invalid(fmt.Sprintf("statut inconnu %q", req.Filters.Status), fmt.Sprintf("unknown status %q", req.Filters.Status))
	}
	if req.After == "" && (req.Page-1)*req.Size >= MaxOffset {
		return sesam.Invalid(fmt.Sprintf("page %d trop lointaine : suivez les liens « page suivante »", req.Page),
			fmt.Sprintf("page %d is too far: follow the \"next page\" links", req.Page))
	}
	if f, t := req.Filters.FromYear, req.Filters.ToYear; f != nil && t != nil && *f > *t {
		return sesam.Invalid(fmt.Sprintf("l'année de début %d est après l'année de fin %d", *f, *t),
			fmt.Sprintf("the start year %d is after the end year %d", *f, *t))
	}
	return nil
}

type searcher struct {
	g     *generation
	b     *builder
	scope access.Scope
	req   Request
	pages PageReader
	// full and meta are the scope's two parts (scopeParts): what it sees in full and
	// what by its description only; nil when it sees nothing that way.
	full, meta query.Query
	// bleveCollects: every search goes through Bleve's collector, also those whose
	// searcher could feed ours directly (for the tests that compare the two).
	bleveCollects bool
}

// newSearcher prepares the search of req inside scope on generation g.
func newSearcher(g *generation, scope access.Scope, req Request, pages PageReader) *searcher {
	s := &searcher{g: g, scope: scope, req: req, pages: pages,
		b: &builder{m: g.idx.Mapping(), inclusion: req.Filters.Inclusion}}
	s.full, s.meta = scopeParts(g, scope) // once: it reads the index's dictionary
	return s
}

// query is the search of the units the scope sees in full: the words (in every text
// field, the pages' text included), AND the user's filters, AND that part of the
// security filter (a Bleve filter clause: it restricts without scoring). nil when the
// scope sees no unit in full.
func (s *searcher) query(node Node) query.Query {
	if s.full == nil {
		return nil
	}
	text := s.text(node, true)
	filter := s.b.filterQuery(s.req.Filters, s.scope.Today)
	if _, all := s.full.(*query.MatchAllQuery); !all {
		filter = conjunction(s.full, filter)
	}
	if filter == nil {
		return text // everything may be seen: a match-all filter would walk every unit
	}
	bq := bleve.NewBooleanQuery()
	bq.AddMust(text)
	bq.AddFilter(filter)
	return bq
}

// fullQuery is what Bleve matches of the units seen in full: the words AND the user's
// filters (unscored, so that a selective filter leads the conjunction), without the
// security filter, which the collector applies from the columns (scopeFilter). nil
// when the scope sees no unit in full.
func (s *searcher) fullQuery(node Node) query.Query {
	if s.full == nil {
		return nil
	}
	text := s.text(node, true)
	f := s.b.filterQuery(s.req.Filters, s.scope.Today)
	switch {
	case f == nil:
		return text
	case node == nil:
		return unscored{f} // a browse: the filters alone drive
	}
	return bleve.NewConjunctionQuery(text, unscored{f})
}

// conjunction is a AND b, either of which may be nil.
func conjunction(a, b query.Query) query.Query {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	return bleve.NewConjunctionQuery(a, b)
}

// metaQuery is the search of the units the scope sees by their description only
// (access.MetadataOnly) and not in full: the words in the descriptive fields alone.
// Their objects stay unseen: a filter on formats or on having objects leaves them
// out. nil when there are none.
func (s *searcher) metaQuery(node Node) query.Query {
	f := s.req.Filters
	if s.meta == nil || len(f.Formats) > 0 || f.HasObject != "" {
		return nil
	}
	bq := bleve.NewBooleanQuery()
	bq.AddMust(bleve.NewConjunctionQuery(unscored{s.meta}, s.text(node, false)))
	if s.full != nil {
		bq.AddMustNot(s.full)
	}
	if f := s.b.filterQuery(f, s.scope.Today); f != nil {
		bq.AddFilter(f)
	}
	return bq
}

// text is the query's words, scored, without the filters; pages says whether they
// may match the text of the objects' pages.
func (s *searcher) text(node Node, pages bool) query.Query {
	b := *s.b
	b.noPages = !pages
	text := b.build(node)
	// Only when some unit has that cote: the wrapper costs every hit of every search.
	if boost := exactCoteBoost(s.req.Query); boost != nil && node != nil && s.g.hasTerm(fCote, boost.Term) {
		wrap := bleve.NewBooleanQuery()
		wrap.AddMust(text)
		wrap.AddShould(boost)
		text = wrap
	}
	return text
}

// afterPass, when set (tests), runs after each pass of a search: an index write there
// makes the next pass search another snapshot.
var afterPass func()

func (s *searcher) run(ctx context.Context, node Node) (*Result, error) {
	o := orderOf(s.req.Sort, node == nil)
	c := &collector{cache: s.g.cols, dict: s.g.cols.dict, order: o, facets: s.req.Facets,
		staff: s.req.Staff, today: s.scope.Today}
	defer c.release()
	if !s.req.NoHits {
		// One hit more than the page: its presence says there is a next page.
		c.keep = s.req.Size + 1
		if s.req.After != "" {
			after, err := decodeCursor(s.req.After, o)
			if err != nil {
				return nil, err
			}
			c.after = after
		} else {
			c.keep += (s.req.Page - 1) * s.req.Size
		}
	}
	// Bleve matches (and scores, when the order needs it); the collector does the rest.
	// The units seen in full and those seen by their description are two searches
	// into one collector, which keeps the objects of the latter out of the facets.
	for _, part := range []struct {
		q    query.Query
		meta bool
	}{{s.fullQuery(node), false}, {s.metaQuery(node), true}} {
		if part.q == nil {
			continue
		}
		c.meta = part.meta
		c.scope = nil
		if !part.meta {
			c.scope = &s.scope // the security filter of this part is the collector's
		}
		collect := s.collect
		if !part.meta && node == nil && s.b.filterQuery(s.req.Filters, s.scope.Today) == nil {
			collect = s.scan // a browse of every unit the scope may see
		}
		if err := collect(ctx, part.q, o, c); err != nil {
			return nil, err
		}
		if afterPass != nil {
			afterPass()
		}
	}
	total := c.total
	res := &Result{Total: total}
	keys := c.sorted()
	if s.req.After == "" {
		keys = keys[min(len(keys), (s.req.Page-1)*s.req.Size):]
	}
	if len(keys) > s.req.Size {
		keys = keys[:s.req.Size]
		res.Next = encodeCursor(o, keys[len(keys)-1])
	}
	if err := s.hits(ctx, node, c, keys, res); err != nil {
		return nil, err
	}
	if s.req.Facets {
		s.readFacets(c, res)
	}
	if total == 0 && node != nil {
		res.Suggestion = s.suggest(ctx, node)
	}
	return res, nil
}

// scan passes every unit of the index to the collector, whose security filter keeps
// those the scope sees in full (q, which would match them all, is not run).
func (s *searcher) scan(ctx context.Context, _ query.Query, _ order, c *collector) error {
	is, err := s.g.snapshot()
	if err != nil {
		return err
	}
	defer is.Close()
	return c.scanAll(is)
}

// collect runs one search into the collector.
func (s *searcher) collect(ctx context.Context, q query.Query, o order, c *collector) error {
	if dq, ok := q.(directQuery); ok && o == byScore && !s.bleveCollects && tfIDFMapping(s.b.m) {
		return s.collectDirect(ctx, dq, c)
	}
	sr := bleve.NewSearchRequestOptions(q, 0, 0, false)
	if o != byScore {
		sr.Score = bleve.ScoreNone
	}
	hctx := context.WithValue(ctx, search.MakeDocumentMatchHandlerKey, search.MakeDocumentMatchHandler(c.makeHandler))
	if _, err := s.g.idx.SearchInContext(hctx, sr); err != nil {
		return fmt.Errorf("search: %w", err)
	}
	return nil
}

// collectDirect runs words ranked by relevance without Bleve's search and collector:
// our searcher hands every match to the collector as it comes.
func (s *searcher) collectDirect(ctx context.Context, q directQuery, c *collector) error {
	is, err := s.g.snapshot()
	if err != nil {
		return err
	}
	defer is.Close()
	ds, err := q.directSearcher(ctx, is)
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	if err := c.begin(is); err != nil {
		return err
	}
	for n := 0; ; n++ {
		if n%1024 == 0 { // as often as Bleve's collector looks
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		doc, score, err := ds.nextDoc()
		if err != nil {
			return fmt.Errorf("search: %w", err)
		}
		if doc == done {
			return nil
		}
		c.addNumber(doc, score)
	}
}

// tfIDFMapping: the index scores with tf-idf, as our searchers do (Bleve tells its
// searchers the model through the search's context, which collectDirect does not go
// through).
func tfIDFMapping(m mapping.IndexMapping) bool {
	im, ok := m.(*mapping.IndexMappingImpl)
	return ok && (im.ScoringModel == "" || im.ScoringModel == bindex.TFIDFScoring)
}

// total counts the units a query finds, as run does.
func (s *searcher) total(ctx context.Context, node Node) (uint64, error) {
	var n uint64
	for _, q := range []query.Query{s.query(node), s.metaQuery(node)} {
		if q == nil {
			continue
		}
		r, err := s.g.idx.SearchInContext(ctx, bleve.NewSearchRequestOptions(q, 0, 0, false))
		if err != nil {
			return 0, fmt.Errorf("search: %w", err)
		}
		n += r.Total
	}
	return n, nil
}

// hits reads the stored fields of the page's hits, by their numbers in the snapshot
// that found them, and, for a search with words, where the words matched, for the
// snippets. The hits passed the filters already: the words alone are looked for
// (building the security filter again cost a quarter of a public search), in the
// page's units only (locations of every matching unit would be read otherwise).
func (s *searcher) hits(ctx context.Context, node Node, c *collector, keys []hitKey, res *Result) error {
	if len(keys) == 0 {
		return nil
	}
	locate := node != nil && !coteOnly(node)
	matches := make([]*search.DocumentMatch, len(keys))
	res.Hits = make([]Hit, len(keys))
	// The units seen by their description only are located without their pages'
	// text; each pass's hits in the snapshot it searched.
	type group struct {
		pass int32
		meta bool
	}
	groups := map[group][]int{}
	for i, k := range keys {
		g := group{k.pass, k.meta}
		groups[g] = append(groups[g], i)
	}
	for g, at := range groups {
		p := c.passes[g.pass]
		var locs map[uint64]*search.DocumentMatch
		if locate {
			docs := make([]uint64, len(at))
			for j, i := range at {
				docs[j] = p.doc(keys[i])
			}
			var err error
			if locs, err = s.locate(ctx, p.is, docs, s.text(node, !g.meta)); err != nil {
				return err
			}
		}
		for _, i := range at {
			k := keys[i]
			m := locs[p.doc(k)]
			if m == nil {
				m = &search.DocumentMatch{}
			}
			var into *search.DocumentMatch
			if locate {
				into = m
			}
			h, err := storedHit(p.is.Segments()[k.seg], k.local, into)
			if err != nil {
				return fmt.Errorf("search hits: %w", err)
			}
			h.ID, h.Score = int64(k.uid), k.score
			res.Hits[i], matches[i] = h, m
		}
	}
	c.release() // the rest reads no segment: the snippets' page texts come from the store
	if node == nil {
		return nil
	}
	return s.snippets(ctx, matches, res.Hits)
}

// locate finds where the words of text match in documents docs (ascending) of the
// snapshot: a conjunction led by the few documents skips the postings of the others.
func (s *searcher) locate(ctx context.Context, is *scorch.IndexSnapshot, docs []uint64, text query.Query) (map[uint64]*search.DocumentMatch, error) {
	slices.Sort(docs)
	q := bleve.NewConjunctionQuery(&docsQuery{is: is, docs: docs}, text)
	sr, err := q.Searcher(ctx, is, s.b.m, search.SearcherOptions{IncludeTermVectors: true, Score: "none"})
	if err != nil {
		return nil, fmt.Errorf("search hits: %w", err)
	}
	defer sr.Close()
	sctx := &search.SearchContext{DocumentMatchPool: search.NewDocumentMatchPool(sr.DocumentMatchPoolSize(), 0)}
	out := make(map[uint64]*search.DocumentMatch, len(docs))
	for {
		m, err := sr.Next(sctx)
		if err != nil {
			return nil, fmt.Errorf("search hits: %w", err)
		}
		if m == nil {
			return out, nil
		}
		m.Complete(nil)
		out[binary.BigEndian.Uint64(m.IndexInternalID)] = m
		// Kept: the pool hands out new matches once it runs dry.
	}
}

// coteOnly: the query looks cotes up and nothing else; they match no field a snippet
// is cut from, so the hits are not located.
func coteOnly(n Node) bool {
	var xs []Node
	switch n := n.(type) {
	case Term:
		return n.Field == FieldCote
	case And:
		xs = n.Xs
	case Or:
		xs = n.Xs
	default:
		return false
	}
	for _, x := range xs {
		if !coteOnly(x) {
			return false
		}
	}
	return true
}

// strAt reads element i of a stored field (a single value is element 0).
func strAt(v any, i int) string {
	switch v := v.(type) {
	case string:
		if i == 0 {
			return v
		}
	case []any:
		if i < len(v) {
			s, _ := v[i].(string)
			return s
		}
	}
	return ""
}
