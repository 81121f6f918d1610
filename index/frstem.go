package index

import (
	"bytes"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
)

// frStemFilterName is the registry name of the light French stemmer.
const frStemFilterName = "sesam_fr_stem"

// The light French stemmer.
//
// It follows the idea of Savoy's "light" stemmer (Lucene's FrenchLightStemmer,
// ported to Bleve as stemmer_fr_light): strip inflections, never derivations.
// It differs from it on purpose:
//
//   - it runs after folding, on ASCII terms, so "archivé" typed with or without
//     its accent gives the same stem;
//   - it does not strip derivational suffixes (-ation, -ition, -ement, -issement,
//     -ique, -esse...), which conflate words an archivist keeps apart:
//     "fondation"/"fonds", "habitation"/"habits", "formation"/"forme";
//   - it does not merge doubled final letters, so "conseiller" stays apart from
//     "conseil";
//   - the final -e is stripped only from words of six letters or more, which
//     keeps "Marie" apart from "mari" and "porte" apart from "port";
//   - a few invariable words ending in -s keep it, where the stripped form is
//     another word: "fils"/"fil", "cours"/"cour", "fois"/"foi".
//
// What it merges: plurals (-s, -x, -aux/-al, -eaux/-eau, -ails/-aux/-ail),
// feminines (-e, -ée, -elle, -ienne, -ive/-if, -euse/-eux, -ouse/-oux, -aise,
// -oise, -trice/-teur), past participles and infinitives of -er verbs
// (archivé, archiver, archive). testdata/analysis/stem_classes.golden lists
// every merge it makes on 3,000 words from the shared PDFs.

// frStemFilter applies frStem to every token. It changes only the term: the
// offsets keep pointing at the original word.
type frStemFilter struct{}

// Filter implements analysis.TokenFilter.
func (frStemFilter) Filter(input analysis.TokenStream) analysis.TokenStream {
	for _, t := range input {
		t.Term = frStem(t.Term)
	}
	return input
}

func frStemFilterConstructor(map[string]interface{}, *registry.Cache) (analysis.TokenFilter, error) {
	return frStemFilter{}, nil
}

// frStemMinLen is the shortest term the stemmer touches.
const frStemMinLen = 4

// frIsInvariable reports whether w ends in -s or -x in the singular and its
// stripped form is another word ("fils" is not the plural of "fil").
func frIsInvariable(w []byte) bool {
	switch string(w) {
	case "fils", "cours", "pays", "fois", "mois", "temps", "corps", "vers", "chaux":
		return true
	}
	return false
}

// frIrregular returns the shared stem of an irregular form. Every stem is no
// longer than its form, so it can be written over the term in place.
func frIrregular(w []byte) (string, bool) {
	switch string(w) {
	case "baux":
		return "bail", true
	case "yeux":
		return "oeil", true
	case "vieux", "vieille":
		return "vieil", true
	case "nouveau", "nouvelle":
		return "nouvel", true
	case "publique":
		return "public", true
	}
	return "", false
}

// frStem returns the stem of a folded, lower-case term. It works in place on
// term's bytes and never allocates. Terms holding anything but ASCII letters
// (and an inner apostrophe, as in "prud'hommes") are returned unchanged: numbers,
// cotes and foreign scripts are not French words.
func frStem(term []byte) []byte {
	if len(term) < frStemMinLen || !frStemmable(term) {
		return term
	}
	if frIsInvariable(term) {
		return term
	}
	if t, ok := frIrregularStem(term); ok {
		return t
	}
	term = frStripPlural(term)
	if t, ok := frIrregularStem(term); ok {
		return t
	}
	term = frStripFeminine(term)
	term = frStripFinalE(term)
	return frStripInfinitive(term)
}

// frStemmable reports whether term is made of ASCII letters, with at most
// inner apostrophes.
func frStemmable(term []byte) bool {
	for i, c := range term {
		if c == '\'' && i > 0 && i < len(term)-1 {
			continue
		}
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

func frIrregularStem(term []byte) ([]byte, bool) {
	r, ok := frIrregular(term)
	if !ok {
		return term, false
	}
	return append(term[:0], r...), true
}

// frStripPlural removes the plural mark: -s, -x, and -aux for -al
// (chevaux → cheval, travaux → traval, like travail below).
func frStripPlural(w []byte) []byte {
	n := len(w)
	switch {
	case n >= 5 && bytes.HasSuffix(w, []byte("aux")):
		if bytes.HasSuffix(w, []byte("eaux")) || bytes.HasSuffix(w, []byte("yaux")) {
			return w[:n-1] // bureaux → bureau, tuyaux → tuyau
		}
		w[n-2] = 'l' // chevaux → cheval
		return w[:n-1]
	case w[n-1] == 'x':
		return w[:n-1] // lieux → lieu, heureux → heureu
	case w[n-1] == 's' && w[n-2] != 's':
		return w[:n-1]
	}
	return w
}

// frStripFeminine maps feminine forms to the masculine (or to a stem shared
// by both), and -ail to -al so that travail meets travaux.
func frStripFeminine(w []byte) []byte {
	n := len(w)
	switch {
	case n >= 8 && bytes.HasSuffix(w, []byte("trice")):
		return append(w[:n-5], "teur"...) // institutrice → instituteur
	case n >= 6 && (bytes.HasSuffix(w, []byte("euse")) || bytes.HasSuffix(w, []byte("ouse"))):
		return w[:n-2] // heureuse → heureu (= heureux), épouse → epou (= époux)
	case n >= 6 && (bytes.HasSuffix(w, []byte("aise")) || bytes.HasSuffix(w, []byte("oise"))):
		return w[:n-2] // française → francai (= français)
	case n >= 7 && (bytes.HasSuffix(w, []byte("ienne")) || bytes.HasSuffix(w, []byte("eenne"))):
		return w[:n-2] // ancienne → ancien
	case n >= 6 && bytes.HasSuffix(w, []byte("elle")):
		return w[:n-2] // personnelle → personnel
	case n >= 5 && bytes.HasSuffix(w, []byte("if")):
		w[n-1] = 'v' // définitif → definitiv (= définitive, below)
		return w
	case n >= 6 && bytes.HasSuffix(w, []byte("ail")):
		return append(w[:n-2], 'l') // travail → traval (= travaux)
	}
	return w
}

// frStripFinalE removes up to two final e (feminine, past participle:
// archivée → archiv) while the word keeps at least five letters; after a u,
// three are enough (élue → elu, tenue → tenu; "rue" stays).
func frStripFinalE(w []byte) []byte {
	if n := len(w); n >= 4 && n < 6 && w[n-2] == 'u' && w[n-1] == 'e' {
		return w[:n-1]
	}
	for k := 0; k < 2 && len(w) >= 6 && w[len(w)-1] == 'e'; k++ {
		w = w[:len(w)-1]
	}
	return w
}

// frStripInfinitive removes the -er of infinitives and of -ier/-ère nouns
// (archiver → archiv, première → premier → premi).
func frStripInfinitive(w []byte) []byte {
	if len(w) >= 6 && bytes.HasSuffix(w, []byte("er")) {
		return w[:len(w)-2]
	}
	return w
}
