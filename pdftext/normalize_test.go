package pdftext

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		// Ligatures as LibreOffice and xdvipdfmx write them (debian-edu manual).
		{"ligature fi", "conﬁguration du ﬁchier", "configuration du fichier"},
		{"ligatures ff fl ffi ffl", "eﬀet ﬂeur eﬃcace souﬄe", "effet fleur efficace souffle"},
		{"non-breaking spaces", "article\u00a0L.\u00a0213-2 : 25\u202fans", "article L. 213-2 : 25 ans"},
		{"soft hyphen inside a word", "com\u00admu\u00adni\u00adca\u00adble", "communicable"},
		{"soft hyphen at a line end joins", "commu\u00ad\nnicable", "communicable"},
		// Chromium prints &shy; at a break as the soft hyphen then a visible one.
		{"soft hyphen and hyphen at a line end join", "délibéra\u00ad\u2010\ntion du conseil", "délibération du conseil"},
		{"soft hyphen and ASCII hyphen at a line end join", "délibéra\u00ad-\ntion", "délibération"},
		{"soft hyphen before a hyphen inside a line", "Saint\u00ad-Denis", "Saint-Denis"},
		{"zero-width and BOM", "\ufeffdéli\u200bbération", "délibération"},
		{"control characters from broken fonts", "a\x00b\u0084c", "abc"},
		{"invalid UTF-8", "a\xffb", "a\ufffdb"},
		{"mathematical italic", "𝑥 + 𝑦", "x + y"},
		{"full-width", "ＡＢＣ１２３", "ABC123"},
		{"half and squared keep their meaning", "½ m²", "½ m²"},
		// Old pdfTeX: the accent glyph comes apart from its letter.
		{"acute before the letter", "R´esultat", "Résultat"},
		{"acute at word start", "l’´ecole et l’´etat", "l’école et l’état"},
		{"acute with a space", "R´ esultat", "Résultat"},
		{"grave after the letter", "a` la mairie", "à la mairie"},
		{"grave before the letter", "d´ej`a vu", "déjà vu"},
		{"grave inside a word", "proble`me", "problème"},
		{"acute after the letter", "caf´e et the´", "café et thé"},
		{"circumflex and dotless i", "connaˆıtre", "connaître"},
		{"combining circumflex on dotless i", "connaı\u0302tre", "connaître"},
		{"cedilla", "franc¸ais", "français"},
		{"dieresis", "Noe¨l", "Noël"},
		{"combining marks are composed", "de\u0301libe\u0301ration", "délibération"},
		{"combining mark before its letter", "\u0301ecole", "école"},
		{"no French letter: accent left alone", "a´x", "a´x"},
		// "´" typed for an apostrophe in a document with its accents whole.
		{"acute as apostrophe", "Il s´est rendu à l´entreprise qu´elle dirige d´environ",
			"Il s´est rendu à l´entreprise qu´elle dirige d´environ"},
		{"acute as apostrophe among accents", "Le conseil a délibéré ; l´élu s´est abstenu, l´adjoint aussi",
			"Le conseil a délibéré ; l´élu s´est abstenu, l´adjoint aussi"},
		{"old TeX accents with a stray precomposed letter", "R´esultat d´ej`a vu, r´ef´erence, d´ecembre, p´eriode, ´etat, tr`es, pr´ef`ete, Noël",
			"Résultat déjà vu, référence, décembre, période, état, très, préfète, Noël"},
		// Code in technical documents must not become accented letters.
		{"TeX quotes", "``non merci''", "``non merci''"},
		{"backquoted code", "la commande `make` puis `data`", "la commande `make` puis `data`"},
		{"backquote opening a word", "`alias`", "`alias`"},
		{"ASCII circumflex is code", "^^M et a^2", "^^M et a^2"},
		// Whitespace.
		{"spaces collapsed, lines trimmed", "  un   deux\t trois  \n\n\n\nquatre ", "un deux trois\n\nquatre"},
		{"CRLF", "un\r\ndeux\rtrois", "un\ndeux\ntrois"},
		// Hyphenation at a line end, decided by the document's own words.
		{"rejoined when the word occurs elsewhere", "le versement\nd'un verse-\nment", "le versement\nd'un versement"},
		{"kept when both halves are words and the whole is not", "une sous-\nsection, sous la section 2", "une sous-section, sous la section 2"},
		{"kept for a compound written so elsewhere", "une sous-section et une sous-\nsection", "une sous-section et une sous-section"},
		{"kept: plate-forme", "la forme plate de la plate-\nforme", "la forme plate de la plate-forme"},
		{"joined when a half is no word", "la compréhen-\nsion du texte", "la compréhension du texte"},
		{"joined when only the first half is a word", "le nom de nom-\nbreuses pièces", "le nom de nombreuses pièces"},
		{"joined when the halves occur only split", "utili-\nsateur et utili-\nsateur", "utilisateur et utilisateur"},
		{"joined when the word does not occur", "une sous-\nsection", "une soussection"},
		{"rejoined case-insensitively", "Commune de\nla com-\nmune", "Commune de\nla commune"},
		{"capital after the break: left as is", "Jean-\nPierre", "Jean-\nPierre"},
		{"a dash after a space is no hyphenation", "liste -\nsuite", "liste -\nsuite"},
		{"unicode hyphen", "ver\u2010\nsement versement", "versement versement"},
		{"two breaks in a row", "ar-\nchi-\nves", "archives"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, Normalize(tt.in)); diff != "" {
				t.Errorf("Normalize(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

// TestNormalizeIdempotent: the index normalises stored text again with the query; doing
// it twice must change nothing.
func TestNormalizeIdempotent(t *testing.T) {
	for _, s := range []string{"R´esultat a` la ﬁn", "sous-\nsection", "de\u0301ja` vu", "verse-\nment versement"} {
		once := Normalize(s)
		if twice := Normalize(once); twice != once {
			t.Errorf("Normalize(Normalize(%q)) = %q, want %q", s, twice, once)
		}
	}
}
