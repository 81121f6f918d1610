package index

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"sesam"
)

func year(y int) *int { return &y }

func TestParse(t *testing.T) {
	tests := []struct {
		q    string
		want Node
	}{
		{"", nil},
		{"   ", nil},
		{"école", Term{Text: "école"}},
		{"conseil municipal", And{Xs: []Node{Term{Text: "conseil"}, Term{Text: "municipal"}}}},
		{`"conseil municipal" 1950`, And{Xs: []Node{Term{Text: "conseil municipal", Phrase: true}, Term{Text: "1950"}}}},
		{"«  état civil »", Term{Text: "état civil", Phrase: true}},
		{"école -maternelle", And{Xs: []Node{Term{Text: "école"}, Not{X: Term{Text: "maternelle"}}}}},
		{"école SAUF maternelle", And{Xs: []Node{Term{Text: "école"}, Not{X: Term{Text: "maternelle"}}}}},
		{"école OR collège", Or{Xs: []Node{Term{Text: "école"}, Term{Text: "collège"}}}},
		{"école OU collège lycée", Or{Xs: []Node{Term{Text: "école"}, And{Xs: []Node{Term{Text: "collège"}, Term{Text: "lycée"}}}}}},
		{"(école | collège) ET budget", And{Xs: []Node{Or{Xs: []Node{Term{Text: "école"}, Term{Text: "collège"}}}, Term{Text: "budget"}}}},
		{"-(a b)", Not{X: And{Xs: []Node{Term{Text: "a"}, Term{Text: "b"}}}}},
		{"titre:école", Term{Field: FieldTitle, Text: "école"}},
		{"Title:school", Term{Field: FieldTitle, Text: "school"}},
		{`cote:"3 E 12/4"`, Term{Field: FieldCote, Text: "3 E 12/4", Phrase: true}},
		{"mot-clé:cadastre producteur:mairie", And{Xs: []Node{Term{Field: FieldKeyword, Text: "cadastre"}, Term{Field: FieldProducer, Text: "mairie"}}}},
		{"-titre:brouillon", Not{X: Term{Field: FieldTitle, Text: "brouillon"}}},
		{"http://example.org", Term{Text: "http://example.org"}},
		{"1950..1975", Range{From: year(1950), To: year(1975)}},
		{"..1900", Range{To: year(1900)}},
		{"1950..", Range{From: year(1950)}},
		{"date:1950..1975", Range{From: year(1950), To: year(1975)}},
		{"date:1968", Range{From: year(1968), To: year(1968)}},
		{"W 1234", And{Xs: []Node{Term{Text: "W"}, Term{Text: "1234"}}}},
		{"l'église Saint-Pierre", And{Xs: []Node{Term{Text: "l'église"}, Term{Text: "Saint-Pierre"}}}},
		// A period written with a hyphen or a dash, when both are years in order.
		{"1950-1975", Range{From: year(1950), To: year(1975)}},
		{"registre 1950–1975", And{Xs: []Node{Term{Text: "registre"}, Range{From: year(1950), To: year(1975)}}}},
		{"date:1950-1975", Range{From: year(1950), To: year(1975)}},
		{"1975-1950", Term{Text: "1975-1950"}},
		{"12-4", Term{Text: "12-4"}},
		// Years before the common era: the leading minus is a sign.
		{"-1950..-1900", Range{From: year(-1950), To: year(-1900)}},
		{"NOT -1950..-1900", Not{X: Range{From: year(-1950), To: year(-1900)}}},
		{"date:-1950..-1900", Range{From: year(-1950), To: year(-1900)}},
		{"-1950..1975", Not{X: Range{From: year(1950), To: year(1975)}}},
		// An exclusion after the field name.
		{"titre:-registre", Not{X: Term{Field: FieldTitle, Text: "registre"}}},
		{`titre:-"état civil"`, Not{X: Term{Field: FieldTitle, Text: "état civil", Phrase: true}}},
		{"registre titre:-mariages", And{Xs: []Node{Term{Text: "registre"}, Not{X: Term{Field: FieldTitle, Text: "mariages"}}}}},
		{"école *", And{Xs: []Node{Term{Text: "école"}, Term{Text: "*"}}}},
	}
	for _, tt := range tests {
		got, err := Parse(tt.q)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.q, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Parse(%q) (-want +got):\n%s", tt.q, diff)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		q   string
		pos int
	}{
		{`"conseil municipal`, 0},
		{`école "`, 6},
		{`""`, 0},
		{"(école", 0},
		{"école)", 5},
		{"OR école", 0},
		{"école OR", 6},
		{"école OR OR collège", 6},
		{"titre:", 0},
		{"1975..1950", 0},
		{"12..abc", 0},
		{"..", 0},
		{"date:hier", 0},
		{"NOT", 0},
		{"()", 1},
		// No word at all: not a search of everything.
		{"-", 0},
		{"*", 0},
		{"\x00", 0},
		{" - * ", 1},
		{"-titre:-brouillon", 0},
	}
	for _, tt := range tests {
		_, err := Parse(tt.q)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("Parse(%q) = %v, want a ParseError", tt.q, err)
			continue
		}
		if pe.Pos != tt.pos || pe.FR == "" || pe.EN == "" {
			t.Errorf("Parse(%q) error at %d (%q / %q), want at %d with both messages", tt.q, pe.Pos, pe.FR, pe.EN, tt.pos)
		}
		if !errors.Is(err, sesam.ErrInvalid) {
			t.Errorf("Parse(%q) error %v is not sesam.ErrInvalid", tt.q, err)
		}
	}
}

// TestParameterErrors: every bad parameter of a search is a *sesam.InvalidError,
// said in French and English.
func TestParameterErrors(t *testing.T) {
	y1950, y1900 := 1950, 1900
	reqs := []Request{
		{Sort: "alphabétique"},
		{Filters: Filters{Status: "ouvert"}},
		{Page: MaxOffset},
		{Filters: Filters{FromYear: &y1950, ToYear: &y1900}},
	}
	for _, req := range reqs {
		err := normalise(&req)
		var e *sesam.InvalidError
		if !errors.As(err, &e) || !errors.Is(err, sesam.ErrInvalid) || e.FR == "" || e.EN == "" {
			t.Errorf("normalise(%+v) = %#v, want a bilingual *sesam.InvalidError", req, err)
		}
	}
	for _, cursor := range []string{"!!", encodeCursor(byTitle, hitKey{uid: 3})} {
		_, err := decodeCursor(cursor, byScore)
		var e *sesam.InvalidError
		if !errors.As(err, &e) || e.EN == "" {
			t.Errorf("decodeCursor(%q) = %v, want a bilingual *sesam.InvalidError", cursor, err)
		}
	}
}

// TestCoteBelow: cote:X finds X and the cotes below it, never a cote that merely
// starts with the same characters.
func TestCoteBelow(t *testing.T) {
	tests := []struct {
		cote string
		in   []string
		out  []string
	}{
		{"3 E 12", []string{"3 E 12", "3 E 12/4", "3 E 12 bis", "3 E 12-1"}, []string{"3 E 120", "3 E 1", "13 E 12"}},
		{"W", []string{"W", "W 1234", "W/3"}, []string{"WX 1", "2 W 1"}},
		{"1 NUM 1/", []string{"1 NUM 1/204-3"}, []string{"1 NUM 12"}},
		{"1 D (a.b)", []string{"1 D (a.b)", "1 D (a.b) 2"}, []string{"1 D (aXb)"}},
	}
	for _, tt := range tests {
		c0 := NormalizeCote(tt.cote)
		below := func(c string) bool {
			for _, r := range coteBelow(c0) {
				if c >= r.from && c < r.to {
					return true
				}
			}
			return c == c0
		}
		for _, c := range tt.in {
			if !below(NormalizeCote(c)) {
				t.Errorf("cote:%q does not find %q", tt.cote, c)
			}
		}
		for _, c := range tt.out {
			if below(NormalizeCote(c)) {
				t.Errorf("cote:%q finds %q", tt.cote, c)
			}
		}
	}
}
