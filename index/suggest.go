package index

import (
	"context"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

// suggestFields are where a misspelt word's neighbours are looked for.
var suggestFields = []string{fTitle, fKeyword, fDescription, fPerson}

// suggest proposes a corrected query when nothing was found ("did you mean"). Each
// plain word is replaced by the closest word of a unit the scope may see: candidates
// are found by fuzzy searches under the security filter and the final query is checked
// to find something, so a suggestion never reveals a word of a unit one may not see.
func (s *searcher) suggest(ctx context.Context, node Node) string {
	words := plainWords(node)
	if len(words) == 0 {
		return ""
	}
	q := s.req.Query
	changed := false
	for _, w := range words {
		if utf8.RuneCountInString(w) < 4 {
			continue
		}
		if repl := s.neighbour(ctx, w); repl != "" && !strings.EqualFold(repl, w) {
			if w == strings.ToLower(w) {
				repl = strings.ToLower(repl) // as the user typed it
			}
			q = replaceWord(q, w, repl)
			changed = true
		}
	}
	if !changed {
		return ""
	}
	n, err := Parse(q)
	if err != nil {
		return ""
	}
	if total, err := s.total(ctx, n); err != nil || total == 0 {
		return ""
	}
	return q
}

// neighbour returns the word, as written in a unit the scope may see, closest to w, or
// "" when w is fine as it is or has no close neighbour. The index holds stems
// (naissances → naissanc): w is analysed the same way and compared with the stems of
// the dictionary, both from its own stem and from its unstemmed form (a misspelt
// ending stems differently: cimetierre → cimetierr, cimetière → cimeti). The closest
// stems are then looked up under the security filter, which gives the word as
// written in an allowed unit; a stem of units the scope may not see is never shown.
func (s *searcher) neighbour(ctx context.Context, w string) string {
	stem, folded := s.stemOf(w)
	if stem == "" {
		return ""
	}
	if s.visibleForm(ctx, stem) != "" {
		return "" // the word is in an allowed unit: nothing to correct
	}
	for _, c := range s.closeStems(stem, folded) {
		if form := s.visibleForm(ctx, c); form != "" {
			return form
		}
	}
	return ""
}

// stemOf analyses a word as the French text fields do: its stem, and its folded form
// without an elided article (l', d'...). "" when it is a stop word or several words.
func (s *searcher) stemOf(w string) (stem, folded string) {
	a := s.g.idx.Mapping().AnalyzerNamed(AnalyzerFrText)
	if a == nil {
		return "", ""
	}
	toks := a.Analyze([]byte(w))
	if len(toks) != 1 {
		return "", ""
	}
	folded = FoldTerm(strings.ToLower(w))
	if i := strings.LastIndexAny(folded, "'’"); i >= 0 {
		folded = folded[i+1:]
	}
	return string(toks[0].Term), folded
}

// maxCandidates bounds the stems looked up under the security filter.
const maxCandidates = 8

// closeStems lists the dictionary's stems near a word, closest then most frequent
// first, at most maxCandidates.
func (s *searcher) closeStems(stem, folded string) []string {
	type cand struct {
		term  string
		dist  int
		count uint64
	}
	limit := 1
	if utf8.RuneCountInString(folded) > 5 {
		limit = 2
	}
	best := map[string]cand{}
	for _, f := range suggestFields {
		dict, err := s.g.idx.FieldDictPrefix(f, []byte(stem[:1]))
		if err != nil {
			continue
		}
		for e, err := dict.Next(); err == nil && e != nil; e, err = dict.Next() {
			if e.Term == stem || e.Count == 0 {
				continue
			}
			if d := stemDistance(stem, folded, e.Term, limit); d <= limit {
				c := best[e.Term]
				best[e.Term] = cand{term: e.Term, dist: d, count: c.count + e.Count}
			}
		}
		_ = dict.Close()
	}
	list := make([]cand, 0, len(best))
	for _, c := range best {
		list = append(list, c)
	}
	sort.Slice(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if a.dist != b.dist {
			return a.dist < b.dist
		}
		if a.count != b.count {
			return a.count > b.count
		}
		return a.term < b.term
	})
	var out []string
	for _, c := range list[:min(len(list), maxCandidates)] {
		out = append(out, c.term)
	}
	return out
}

// stemDistance is how far a dictionary stem t is from a typed word: the edit distance
// from the word's stem, or from its folded form less an ending of up to four letters
// (the part a stemmer strips), whichever is smaller; limit+1 when above limit.
func stemDistance(stem, folded, t string, limit int) int {
	d := editDistance(stem, t, limit)
	r := []rune(folded)
	for k := max(1, len(r)-4); k <= len(r) && d > 0; k++ {
		d = min(d, editDistance(string(r[:k]), t, limit))
	}
	return d
}

// editDistance is the Levenshtein distance between a and b (in characters), or
// limit+1 when it is above limit.
func editDistance(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	if abs(len(ra)-len(rb)) > limit {
		return limit + 1
	}
	prev, cur := make([]int, len(rb)+1), make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		low := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			low = min(low, cur[j])
		}
		if low > limit {
			return limit + 1
		}
		prev, cur = cur, prev
	}
	return min(prev[len(rb)], limit+1)
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// visibleForm returns a word of an allowed unit whose stem is stem, as written
// there, or "".
func (s *searcher) visibleForm(ctx context.Context, stem string) string {
	qs := make([]query.Query, 0, len(suggestFields))
	for _, f := range suggestFields {
		qs = append(qs, termQ(f, stem))
	}
	bq := bleve.NewBooleanQuery()
	bq.AddMust(bleve.NewDisjunctionQuery(qs...))
	bq.AddFilter(scopeQuery(s.g, s.scope))
	sr := bleve.NewSearchRequestOptions(bq, 1, 0, false)
	sr.Fields = suggestFields
	sr.IncludeLocations = true
	sr.Score = bleve.ScoreNone
	r, err := s.g.idx.SearchInContext(ctx, sr)
	if err != nil || len(r.Hits) == 0 {
		return ""
	}
	h := r.Hits[0]
	for _, f := range suggestFields {
		for _, l := range h.Locations[f][stem] {
			pos := 0
			if len(l.ArrayPositions) > 0 {
				pos = int(l.ArrayPositions[0])
			}
			if text := strAt(h.Fields[f], pos); int(l.End) <= len(text) {
				return text[l.Start:l.End]
			}
		}
	}
	return ""
}

// plainWords lists the unfielded, unquoted, non-negated words of a query.
func plainWords(n Node) []string {
	switch n := n.(type) {
	case Term:
		if n.Field == "" && !n.Phrase {
			return []string{n.Text}
		}
	case And:
		var out []string
		for _, x := range n.Xs {
			out = append(out, plainWords(x)...)
		}
		return out
	case Or:
		var out []string
		for _, x := range n.Xs {
			out = append(out, plainWords(x)...)
		}
		return out
	}
	return nil
}

// replaceWord replaces the whole word old in q by repl (first occurrence).
func replaceWord(q, old, repl string) string {
	for i := 0; ; {
		j := strings.Index(q[i:], old)
		if j < 0 {
			return q
		}
		j += i
		end := j + len(old)
		if (j == 0 || isBoundary(q[j-1])) && (end == len(q) || isBoundary(q[end])) {
			return q[:j] + repl + q[end:]
		}
		i = end
	}
}

func isBoundary(b byte) bool { return b == ' ' || b == '(' || b == ')' || b == '\t' }
