package index

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"sesam"
)

// The query language, parsed here without any I/O (zoekt's query/ split):
//
//	conseil municipal          every word must match (ranked)
//	"conseil municipal"        a phrase
//	-budget                    excludes units matching budget (also NOT / SAUF)
//	école OR collège           either (also OU, |)
//	(école OR collège) 1950..1975
//	titre:école  cote:"3 E 12/4"  producteur:mairie  mot-cle:cadastre
//	1950..1975  ..1900  1950..  date:1950..1975   years overlapping (or inside) the range
//
// Field names are French first, with English equivalents (title:, ref:, producer:,
// keyword:, text:, person:, description:, date:).

// Node is a parsed query.
type Node interface{ node() }

// Term is a word or a phrase, in one field or (Field == "") in every text field.
type Term struct {
	Field  string // one of the Field* constants, or ""
	Text   string
	Phrase bool
}

// Range is a range of years; a nil end is open.
type Range struct {
	From, To *int
}

// Not excludes what X matches.
type Not struct{ X Node }

// And needs every part.
type And struct{ Xs []Node }

// Or needs one part.
type Or struct{ Xs []Node }

func (Term) node()  {}
func (Range) node() {}
func (Not) node()   {}
func (And) node()   {}
func (Or) node()    {}

// Query fields a user may name.
const (
	FieldTitle       = "title"
	FieldCote        = "cote"
	FieldProducer    = "producer"
	FieldKeyword     = "keyword"
	FieldDescription = "description"
	FieldPerson      = "person"
	FieldText        = "text"
	FieldDate        = "date"
)

// fieldNames maps what users type (lower-cased, accents kept as typed and folded) to a field.
var fieldNames = map[string]string{
	"titre": FieldTitle, "title": FieldTitle,
	"cote": FieldCote, "ref": FieldCote, "reference": FieldCote, "référence": FieldCote, "identifiant": FieldCote, "id": FieldCote,
	"producteur": FieldProducer, "producer": FieldProducer, "service": FieldProducer,
	"mot-cle": FieldKeyword, "mot-clé": FieldKeyword, "motcle": FieldKeyword, "mot-clef": FieldKeyword,
	"keyword": FieldKeyword, "sujet": FieldKeyword, "subject": FieldKeyword,
	"description": FieldDescription, "résumé": FieldDescription,
	"personne": FieldPerson, "person": FieldPerson, "nom": FieldPerson, "name": FieldPerson,
	"texte": FieldText, "text": FieldText, "contenu": FieldText,
	"date": FieldDate, "annee": FieldDate, "année": FieldDate, "year": FieldDate, "dates": FieldDate,
}

// ParseError says why a query cannot be read, in French and English, and where. It is
// sesam.ErrInvalid (errors.Is). Bad search parameters are *sesam.InvalidError.
type ParseError struct {
	Pos int    // offset in the query, in characters
	FR  string // message shown first
	EN  string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("requête invalide (caractère %d) : %s", e.Pos+1, e.FR)
}

// Is makes a ParseError a sesam.ErrInvalid.
func (e *ParseError) Is(target error) bool { return target == sesam.ErrInvalid }

// Parse reads a query. An empty query (or only spaces) is nil: browse everything.
// A *ParseError gives the position in characters (runes), as a user counts them.
func Parse(q string) (Node, error) {
	n, err := parse(q)
	if pe, ok := err.(*ParseError); ok && pe.Pos <= len(q) {
		pe.Pos = utf8.RuneCountInString(q[:pe.Pos])
	}
	return n, err
}

func parse(q string) (Node, error) {
	toks, err := lex(q)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks, src: q}
	if len(toks) == 0 {
		return nil, nil
	}
	n, err := p.or()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t != nil {
		return nil, p.errAt(t.pos, "parenthèse fermante sans parenthèse ouvrante", "closing parenthesis without an opening one")
	}
	if !hasWord(n) {
		return nil, p.errAt(toks[0].pos, "la recherche ne contient aucun mot (laissez-la vide pour tout parcourir)",
			"the search has no words (leave it empty to browse everything)")
	}
	return n, nil
}

// hasWord reports whether a query holds a word (a letter or a digit) or a period:
// "-", "*" or a control character alone would otherwise list everything, as if the
// query were empty, while it looks like a search.
func hasWord(n Node) bool {
	switch n := n.(type) {
	case Term:
		return strings.IndexFunc(n.Text, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0
	case Range:
		return true
	case Not:
		return hasWord(n.X)
	case And:
		return slices.ContainsFunc(n.Xs, hasWord)
	case Or:
		return slices.ContainsFunc(n.Xs, hasWord)
	}
	return false
}

type tokKind int

const (
	tokWord tokKind = iota
	tokPhrase
	tokOpen
	tokClose
	tokOr
	tokNot
	tokAnd
)

type token struct {
	kind  tokKind
	text  string
	field string // for words and phrases written field:value
	neg   bool   // written with a leading "-"
	pos   int
}

func lex(q string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(q) {
		r, w := utf8.DecodeRuneInString(q[i:])
		switch {
		case unicode.IsSpace(r):
			i += w
		case r == '(':
			toks = append(toks, token{kind: tokOpen, pos: i})
			i += w
		case r == ')':
			toks = append(toks, token{kind: tokClose, pos: i})
			i += w
		case r == '|':
			toks = append(toks, token{kind: tokOr, pos: i})
			i += w
		case r == '-' && strings.HasPrefix(q[i+1:], "("):
			toks = append(toks, token{kind: tokNot, text: "-", pos: i})
			i += w
		default:
			t, n, err := lexTerm(q, i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, t)
			i = n
		}
	}
	return toks, nil
}

// lexTerm reads [-][field:](word|"phrase") starting at i.
func lexTerm(q string, i int) (token, int, error) {
	t := token{pos: i}
	if q[i] == '-' && i+1 < len(q) && !isSpaceByte(q[i+1]) && !negativeRange.MatchString(q[i:]) {
		t.neg = true
		i++
	}
	if q[i] == '"' || strings.HasPrefix(q[i:], "«") || strings.HasPrefix(q[i:], "“") {
		return lexPhrase(q, i, t)
	}
	end := i
	for end < len(q) {
		r, w := utf8.DecodeRuneInString(q[end:])
		if unicode.IsSpace(r) || r == '(' || r == ')' || r == '"' {
			break
		}
		end += w
	}
	word := q[i:end]
	if word == "" {
		return t, 0, &ParseError{Pos: t.pos, FR: "« - » doit précéder un terme", EN: `"-" must come before a term`}
	}
	if name, rest, ok := strings.Cut(word, ":"); ok {
		if f, known := fieldNames[strings.ToLower(name)]; known {
			t.field = f
			if rest == "-" && !t.neg && end < len(q) && q[end] == '"' {
				t.neg, rest = true, "" // titre:-"phrase"
			}
			if rest == "" {
				if end < len(q) && q[end] == '"' {
					return lexPhrase(q, end, t)
				}
				return t, 0, &ParseError{Pos: t.pos, FR: fmt.Sprintf("« %s: » doit être suivi d'un mot ou d'une expression entre guillemets", name),
					EN: fmt.Sprintf("%q must be followed by a word or a quoted phrase", name+":")}
			}
			word = rest
			if strings.HasPrefix(word, "-") && f != FieldDate { // titre:-brouillon excludes
				if t.neg {
					return t, 0, &ParseError{Pos: t.pos, FR: fmt.Sprintf("« %s » : une seule exclusion par terme", q[t.pos:end]),
						EN: fmt.Sprintf("%q: one exclusion per term", q[t.pos:end])}
				}
				t.neg, word = true, word[1:]
			}
		}
	}
	if !t.neg && t.field == "" {
		switch word {
		case "OR", "OU":
			t.kind = tokOr
		case "NOT", "SAUF":
			t.kind = tokNot
		case "AND", "ET":
			t.kind = tokAnd
		}
	}
	t.text = word
	return t, end, nil
}

func lexPhrase(q string, i int, t token) (token, int, error) {
	open, w := utf8.DecodeRuneInString(q[i:])
	closeWith := map[rune]string{'"': `"`, '«': "»", '“': "”"}[open]
	start := i + w
	end := strings.Index(q[start:], closeWith)
	if end < 0 {
		return t, 0, &ParseError{Pos: i, FR: "guillemet ouvert mais jamais fermé", EN: "quotation mark opened but never closed"}
	}
	t.kind, t.text = tokPhrase, strings.TrimSpace(q[start:start+end])
	if t.text == "" {
		return t, 0, &ParseError{Pos: i, FR: "expression vide entre guillemets", EN: "empty quoted phrase"}
	}
	return t, start + end + len(closeWith), nil
}

func isSpaceByte(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }

type parser struct {
	toks []token
	i    int
	src  string
}

func (p *parser) peek() *token {
	if p.i < len(p.toks) {
		return &p.toks[p.i]
	}
	return nil
}

func (p *parser) errAt(pos int, fr, en string) error { return &ParseError{Pos: pos, FR: fr, EN: en} }

// or := and (OR and)*
func (p *parser) or() (Node, error) {
	if t := p.peek(); t != nil && t.kind == tokOr {
		return nil, p.errAt(t.pos, "« OU » doit relier deux termes", "OR must join two terms")
	}
	first, err := p.and()
	if err != nil {
		return nil, err
	}
	xs := []Node{first}
	for {
		t := p.peek()
		if t == nil || t.kind != tokOr {
			break
		}
		p.i++
		if n := p.peek(); n == nil || n.kind == tokClose || n.kind == tokOr {
			return nil, p.errAt(t.pos, "« OU » doit relier deux termes", "OR must join two terms")
		}
		x, err := p.and()
		if err != nil {
			return nil, err
		}
		xs = append(xs, x)
	}
	if len(xs) == 1 {
		return first, nil
	}
	return Or{Xs: xs}, nil
}

// and := unary+
func (p *parser) and() (Node, error) {
	var xs []Node
	for {
		t := p.peek()
		if t == nil || t.kind == tokClose || t.kind == tokOr {
			break
		}
		if t.kind == tokAnd {
			p.i++
			continue
		}
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		xs = append(xs, x)
	}
	switch len(xs) {
	case 0:
		pos := len(p.src)
		if t := p.peek(); t != nil {
			pos = t.pos
		}
		return nil, p.errAt(pos, "terme attendu", "a term was expected")
	case 1:
		return xs[0], nil
	}
	return And{Xs: xs}, nil
}

func (p *parser) unary() (Node, error) {
	t := p.peek()
	if t.kind == tokNot {
		p.i++
		if n := p.peek(); n == nil || n.kind == tokClose || n.kind == tokOr {
			return nil, p.errAt(t.pos, fmt.Sprintf("« %s » doit précéder un terme", t.text), fmt.Sprintf("%s must come before a term", t.text))
		}
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		return Not{X: x}, nil
	}
	return p.atom()
}

func (p *parser) atom() (Node, error) {
	t := p.peek()
	p.i++
	switch t.kind {
	case tokOpen:
		x, err := p.or()
		if err != nil {
			return nil, err
		}
		if c := p.peek(); c == nil || c.kind != tokClose {
			return nil, p.errAt(t.pos, "parenthèse ouverte mais jamais fermée", "parenthesis opened but never closed")
		}
		p.i++
		return x, nil
	case tokClose:
		return nil, p.errAt(t.pos, "parenthèse fermante sans parenthèse ouvrante", "closing parenthesis without an opening one")
	}
	n, err := p.term(t)
	if err != nil || !t.neg {
		return n, err
	}
	return Not{X: n}, nil
}

func (p *parser) term(t *token) (Node, error) {
	if t.kind == tokPhrase {
		if t.field == FieldDate {
			return nil, p.errAt(t.pos, "date: attend des années, par exemple date:1950..1975", "date: takes years, e.g. date:1950..1975")
		}
		return Term{Field: t.field, Text: t.text, Phrase: true}, nil
	}
	text := t.text
	if m := yearSpan.FindStringSubmatch(text); m != nil && (t.field == "" || t.field == FieldDate) {
		if from, to := atoi(m[1]), atoi(m[2]); from <= to {
			text = m[1] + ".." + m[2] // 1950-1975: a period, as 1950..1975
		}
	}
	if r, ok, err := parseRange(text); ok || err != nil {
		if err != nil {
			return nil, &ParseError{Pos: t.pos, FR: err.FR, EN: err.EN}
		}
		return r, nil
	}
	if t.field == FieldDate {
		if y, err := strconv.Atoi(t.text); err == nil {
			return Range{From: &y, To: &y}, nil
		}
		return nil, p.errAt(t.pos, "date: attend une année ou une période, par exemple date:1950..1975", "date: takes a year or a range, e.g. date:1950..1975")
	}
	return Term{Field: t.field, Text: t.text}, nil
}

var (
	// yearSpan is a period written with a hyphen or a dash (1950-1975, 1950–1975):
	// two years of four digits, read as 1950..1975 when the first is not after the
	// second. Cotes with such a shape are found with cote: or in quotes.
	yearSpan = regexp.MustCompile(`^([12][0-9]{3})[-–]([12][0-9]{3})$`)
	// negativeRange is a period of years before the common era, -1950..-1900: its
	// leading minus is a sign, not an exclusion (to exclude it: NOT -1950..-1900).
	negativeRange = regexp.MustCompile(`^-[0-9]+\.\.-[0-9]+(\s|[()]|$)`)
)

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

// parseRange reads 1950..1975, ..1975 or 1950.. (years, possibly negative). ok is false
// when s is not a range at all.
func parseRange(s string) (Range, bool, *ParseError) {
	from, to, ok := strings.Cut(s, "..")
	if !ok {
		return Range{}, false, nil
	}
	var r Range
	for _, part := range []struct {
		s   string
		dst **int
	}{{from, &r.From}, {to, &r.To}} {
		if part.s == "" {
			continue
		}
		y, err := strconv.Atoi(part.s)
		if err != nil || y < -9999 || y > 9999 {
			return r, true, &ParseError{FR: fmt.Sprintf("« %s » n'est pas une période d'années (exemple : 1950..1975)", s),
				EN: fmt.Sprintf("%q is not a range of years (e.g. 1950..1975)", s)}
		}
		*part.dst = &y
	}
	if r.From == nil && r.To == nil {
		return r, true, &ParseError{FR: "« .. » doit avoir au moins une année", EN: `".." needs at least one year`}
	}
	if r.From != nil && r.To != nil && *r.From > *r.To {
		return r, true, &ParseError{FR: fmt.Sprintf("la période %s commence après sa fin", s), EN: fmt.Sprintf("range %s starts after it ends", s)}
	}
	return r, true, nil
}
