package index

import (
	"context"
	"html"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/search"

	"sesam/store"
)

// snippetFields are the stored fields a snippet may come from, in the order shown.
var snippetFields = []string{fTitle, fTitleOther, fCoteText, fKeyword, fPerson, fProducerText, fDescription}

const (
	maxSnippets   = 3   // per hit, besides the title
	snippetBefore = 60  // bytes of context before the first match
	snippetLength = 240 // bytes in a snippet of a long text
)

// snippets cuts excerpts around the matched words of each hit, from the stored fields
// and, for PDF text, from the page itself (read from the store in one call).
func (s *searcher) snippets(ctx context.Context, matches []*search.DocumentMatch, hits []Hit) error {
	type pagePending struct {
		hit  int
		key  PageKey
		ocr  bool
		locs []*search.Location
	}
	var pending []pagePending
	for i, m := range matches {
		if len(m.Locations) == 0 {
			continue
		}
		for _, f := range snippetFields {
			pos, locs := bestElement(m.Locations[f])
			if locs == nil || len(hits[i].Snippets) > maxSnippets {
				continue
			}
			if text := strAt(m.Fields[f], pos); text != "" {
				hits[i].Snippets = append(hits[i].Snippets, Snippet{Field: f, HTML: mark(text, locs)})
			}
		}
		pos, locs := bestElement(m.Locations[fPage])
		if locs == nil || s.pages == nil {
			continue
		}
		if key, ocr, ok := parsePageRef(strAt(m.Fields[fPageRef], pos)); ok {
			pending = append(pending, pagePending{hit: i, key: key, ocr: ocr, locs: locs})
		}
	}
	if len(pending) == 0 {
		return nil
	}
	keys := make([]PageKey, len(pending))
	for i, p := range pending {
		keys[i] = p.key
	}
	texts, err := s.pages.PageTexts(ctx, keys)
	if err != nil {
		return err
	}
	for _, p := range pending {
		if text, ok := texts[p.key]; ok {
			hits[p.hit].Snippets = append(hits[p.hit].Snippets, Snippet{Field: fPage, HTML: mark(text, p.locs),
				ObjectID: p.key.ObjectID, Page: p.key.Page, OCR: p.ocr})
		}
	}
	return nil
}

// parsePageRef reads "objectID/page/source".
func parsePageRef(ref string) (PageKey, bool, bool) {
	parts := strings.Split(ref, "/")
	if len(parts) != 3 {
		return PageKey{}, false, false
	}
	obj, err1 := strconv.ParseInt(parts[0], 10, 64)
	page, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return PageKey{}, false, false
	}
	return PageKey{ObjectID: obj, Page: page}, parts[2] == "ocr", true
}

// bestElement picks, in a multi-valued field, the element with the most distinct
// matched terms (then the most matches), and returns its index and locations.
func bestElement(tlm search.TermLocationMap) (int, []*search.Location) {
	type group struct {
		terms map[string]bool
		locs  []*search.Location
	}
	groups := map[int]*group{}
	for term, locs := range tlm {
		for _, l := range locs {
			pos := 0
			if len(l.ArrayPositions) > 0 {
				pos = int(l.ArrayPositions[0])
			}
			g := groups[pos]
			if g == nil {
				g = &group{terms: map[string]bool{}}
				groups[pos] = g
			}
			g.terms[term] = true
			g.locs = append(g.locs, l)
		}
	}
	best, bestPos := (*group)(nil), 0
	for pos, g := range groups {
		if best == nil || len(g.terms) > len(best.terms) ||
			len(g.terms) == len(best.terms) && (len(g.locs) > len(best.locs) || len(g.locs) == len(best.locs) && pos < bestPos) {
			best, bestPos = g, pos
		}
	}
	if best == nil {
		return 0, nil
	}
	return bestPos, best.locs
}

// mark returns an HTML excerpt of text with the located words in <mark>: the whole
// text when short, else a window starting a little before the first match. Offsets are
// bytes of the original text, so the marks land on the words as written.
func mark(text string, locs []*search.Location) string {
	spans := make([][2]int, 0, len(locs))
	for _, l := range locs {
		if int(l.End) <= len(text) && l.Start < l.End {
			spans = append(spans, [2]int{int(l.Start), int(l.End)})
		}
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i][0] < spans[j][0] })
	from, to := 0, len(text)
	if len(text) > snippetLength+snippetBefore && len(spans) > 0 {
		from = wordStart(text, spans[0][0]-snippetBefore)
		to = wordEnd(text, from+snippetLength)
	}
	var b strings.Builder
	if from > 0 {
		b.WriteString("… ")
	}
	at := from
	for _, sp := range spans {
		if sp[0] < at || sp[1] > to {
			continue
		}
		b.WriteString(html.EscapeString(text[at:sp[0]]))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(text[sp[0]:sp[1]]))
		b.WriteString("</mark>")
		at = sp[1]
	}
	b.WriteString(html.EscapeString(text[at:to]))
	if to < len(text) {
		b.WriteString(" …")
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// wordStart moves i back to the start of a word (never before 0).
func wordStart(text string, i int) int {
	if i <= 0 {
		return 0
	}
	for i > 0 && !utf8.RuneStart(text[i]) {
		i--
	}
	if j := strings.LastIndexAny(text[:i], " \n\t"); j >= 0 && i-j < 20 {
		return j + 1
	}
	return i
}

// wordEnd moves i forward to the end of a word (never past the text).
func wordEnd(text string, i int) int {
	if i >= len(text) {
		return len(text)
	}
	for i < len(text) && !utf8.RuneStart(text[i]) {
		i++
	}
	if j := strings.IndexAny(text[i:], " \n\t"); j >= 0 && j < 20 {
		return i + j
	}
	return i
}

// StorePages reads page texts from the archive store.
type StorePages struct{ Store *store.Store }

// PageTexts implements PageReader.
func (sp StorePages) PageTexts(ctx context.Context, keys []PageKey) (map[PageKey]string, error) {
	objs, nums := make([]int64, len(keys)), make([]int, len(keys))
	for i, k := range keys {
		objs[i], nums[i] = k.ObjectID, k.Page
	}
	pages, err := sp.Store.PagesAt(ctx, objs, nums)
	if err != nil {
		return nil, err
	}
	out := make(map[PageKey]string, len(pages))
	for _, p := range pages {
		out[PageKey{ObjectID: p.ObjectID, Page: p.Number}] = p.Text
	}
	return out, nil
}
