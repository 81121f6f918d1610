package index

import (
	"context"
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

// neighbour returns the word as written in an allowed unit that is closest to w (edit
// distance 1, then 2), or "".
func (s *searcher) neighbour(ctx context.Context, w string) string {
	folded := FoldTerm(strings.ToLower(w))
	for fuzz := 1; fuzz <= 2; fuzz++ {
		var qs []query.Query
		for _, f := range suggestFields {
			fq := bleve.NewFuzzyQuery(folded)
			fq.SetField(f)
			fq.SetFuzziness(fuzz)
			fq.SetPrefix(1)
			qs = append(qs, fq)
		}
		bq := bleve.NewBooleanQuery()
		bq.AddMust(bleve.NewDisjunctionQuery(qs...))
		bq.AddFilter(scopeQuery(s.g, s.scope))
		sr := bleve.NewSearchRequestOptions(bq, 1, 0, false)
		sr.Fields = suggestFields
		sr.IncludeLocations = true
		r, err := s.g.idx.SearchInContext(ctx, sr)
		if err != nil || len(r.Hits) == 0 {
			continue
		}
		h := r.Hits[0]
		for _, f := range suggestFields {
			for _, locs := range h.Locations[f] {
				for _, l := range locs {
					pos := 0
					if len(l.ArrayPositions) > 0 {
						pos = int(l.ArrayPositions[0])
					}
					text := strAt(h.Fields[f], pos)
					if int(l.End) <= len(text) {
						return text[l.Start:l.End]
					}
				}
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
