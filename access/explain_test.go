package access

import (
	"testing"
)

// TestExplain freezes what `sesam access explain` and the unit page print for
// representative decisions.
func TestExplain(t *testing.T) {
	// A register series AU1 (closed 1 January 1950) declares AR054 and AR039; AU11 stops
	// AR039; the act AU13, three levels down, names a person who died on 2 March 1970 and
	// declares the death clock AR044.
	register := func() MapGraph {
		r := with(ended(unit("AU1"), "1950-01-01"), rule("AR054", ""), rule("AR039", "1940-01-01"))
		u := with(unit("AU13", "AU12"), rule("AR044", ""))
		u.DeathDates = days("1970-03-02")
		return graph(r, refNon(unit("AU11", "AU1"), "AR039"), unit("AU12", "AU11"), u)
	}
	medical := with(unit("M"), rule("AR043", ""), rule("AR061", ""))
	medical.BirthDates = days("1900-01-01")

	cases := []struct {
		name string
		g    MapGraph
		unit string
		cat  Category
		lang string
		want []string
	}{
		{
			name: "alternative clocks, inheritance path, blocked rule",
			g:    register(), unit: "AU13", cat: AccessRule, lang: "fr",
			want: []string{
				"Unité AU13 : communicabilité (AccessRule)",
				"AR044 (État civil (registres de naissance et de mariage) : 25 ans après le décès si ce délai est plus court que les 75 ans ; CP L213-2 I 4° e) : 25 ans après le décès de l'intéressé ; déclarée sur cette unité ; départ le 2 mars 1970 (décès le plus récent des personnes nommées sur AU13) ; échéance le 2 mars 1995 ; déterminante.",
				"AR054 (État civil : registres de naissance et de mariage (délai compté depuis la clôture du registre) ; CP L213-2 I 4° e) : 75 ans à compter de la clôture du registre ; héritée de AU1 via AU11 → AU12 → AU13 ; départ le 1er janvier 1950 (clôture du registre : date de fin du contenu de AU1) ; échéance le 1er janvier 2025.",
				"Délais alternatifs L213-2 I 4° e (AR044, AR054) : le plus court des délais connus s'applique, AR044 (échéance le 2 mars 1995).",
				"Bloquée : AR039 déclarée sur AU1, arrêtée sur AU11 (RefNonRuleId).",
				"Conclusion : Communicable à compter du 2 mars 1995 (AR044, 25 ans après le décès de l'intéressé, déclarée sur cette unité).",
			},
		},
		{
			name: "same in English",
			g:    register(), unit: "AU13", cat: AccessRule, lang: "en",
			want: []string{
				"Unit AU13: communicability (AccessRule)",
				"AR044 (État civil (registres de naissance et de mariage) : 25 ans après le décès si ce délai est plus court que les 75 ans; CP L213-2 I 4° e): 25 years after the death of the person concerned; declared on this unit; starts on 2 March 1970 (latest death among the persons named on AU13); ends on 2 March 1995; decisive.",
				"AR054 (État civil : registres de naissance et de mariage (délai compté depuis la clôture du registre); CP L213-2 I 4° e): 75 years from the closing of the register; inherited from AU1 via AU11 → AU12 → AU13; starts on 1 January 1950 (register closing: content end date of AU1); ends on 1 January 2025.",
				"Alternative delays L213-2 I 4° e (AR044, AR054): the shortest known applies, AR044 (ends on 2 March 1995).",
				"Stopped: AR039 declared on AU1, stopped at AU11 (RefNonRuleId).",
				"Conclusion: Communicable from 2 March 1995 (AR044, 25 years after the death of the person concerned, declared on this unit).",
			},
		},
		{
			name: "medical: fallback clock",
			g:    graph(medical), unit: "M", cat: AccessRule, lang: "fr",
			want: []string{
				"Unité M : communicabilité (AccessRule)",
				"AR043 (Secret médical : 25 ans après le décès de l'intéressé ; CP L213-2 I 2°) : 25 ans après le décès de l'intéressé ; déclarée sur cette unité ; date de départ inconnue (ni StartDate déclarée ni date de décès des personnes nommées sur M).",
				"AR061 (Secret médical : 120 ans après la naissance lorsque la date de décès est inconnue ; CP L213-2 I 2°) : 120 ans à compter de la naissance de l'intéressé ; déclarée sur cette unité ; départ le 1er janvier 1900 (naissance la plus récente des personnes nommées sur M) ; échéance le 1er janvier 2020 ; déterminante.",
				"Délais alternatifs L213-2 I 2° (AR043, AR061) : aucun délai principal n'est connu, le délai subsidiaire AR061 s'applique (échéance le 1er janvier 2020).",
				"Conclusion : Communicable à compter du 1er janvier 2020 (AR061, 120 ans à compter de la naissance de l'intéressé, déclarée sur cette unité).",
			},
		},
		{
			name: "never beats an unknown code",
			g:    graph(with(unit("Z"), rule("AR062", ""), rule("XYZ", ""))), unit: "Z", cat: AccessRule, lang: "fr",
			want: []string{
				"Unité Z : communicabilité (AccessRule)",
				"AR062 (Incommunicable : informations permettant de concevoir, fabriquer, utiliser ou localiser des armes nucléaires, biologiques, chimiques ou de destruction analogue ; CP L213-2 II) : délai illimité ; déclarée sur cette unité ; n'expire jamais ; déterminante.",
				"XYZ : déclaré sur cette unité ; code de règle inconnu « XYZ ».",
				"Conclusion : Jamais communicable (AR062, CP L213-2 II).",
			},
		},
		{
			name: "missing parent in English",
			g:    graph(with(unit("U", "GONE"), rule("AR039", "2000-01-01"))), unit: "U", cat: AccessRule, lang: "en",
			want: []string{
				"Unit U: communicability (AccessRule)",
				"AR039 (Secret des délibérations du Gouvernement et de l'exécutif, relations extérieures, monnaie et crédit public, secret commercial et industriel (auj. secret des affaires), recherche des infractions fiscales et douanières; CP L213-2 I 1° a): 25 years from the date of the most recent document; declared on this unit; starts on 1 January 2000 (StartDate declared on U); ends on 1 January 2025.",
				"Incomplete unit graph: parent unit “GONE” of U not found.",
				"Conclusion: Not communicable: parent unit “GONE” of U not found.",
			},
		},
		{
			name: "online publication",
			g:    graph(withCat(unit("X"), DisseminationRule, rule("DIS-00001", "2000-01-01"))), unit: "X", cat: DisseminationRule, lang: "fr",
			want: []string{
				"Unité X : diffusion en ligne (DisseminationRule)",
				"DIS-00001 (Diffusion en ligne des actes de décès) : 25 ans à compter de la date du document le plus récent ; déclarée sur cette unité ; départ le 1er janvier 2000 (StartDate déclarée sur X) ; échéance le 1er janvier 2025 ; déterminante.",
				"Conclusion : Publiable en ligne à compter du 1er janvier 2025 (DIS-00001, 25 ans à compter de la date du document le plus récent, déclarée sur cette unité).",
			},
		},
		{
			name: "no dissemination rule",
			g:    graph(unit("N")), unit: "N", cat: DisseminationRule, lang: "fr",
			want: []string{
				"Unité N : diffusion en ligne (DisseminationRule)",
				"Aucune règle ne s'applique.",
				"Conclusion : Publiable en ligne : aucune règle de diffusion ne s'applique.",
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			diff(t, "explanation", c.want, Explain(Evaluate(c.g, c.unit, c.cat, Seed()), c.lang))
		})
	}
}

// TestReasons: the one-sentence reasons stored with the unit.
func TestReasons(t *testing.T) {
	cases := []struct {
		name string
		g    MapGraph
		want string
	}{
		{"inherited document-date rule",
			graph(with(ended(unit("AU11"), "1950-01-01"), rule("AR048", "")), unit("U", "AU11")),
			"Communicable à compter du 1er janvier 2000 (AR048, 50 ans à compter de la date du document le plus récent, héritée de AU11)."},
		{"no rule", graph(unit("U")),
			"Communicable de plein droit : aucune règle de communicabilité ne s'applique (CP L213-1)."},
		{"nil delay", graph(with(unit("U"), rule("AR038", ""))),
			"Communicable sans délai (AR038, délai nul, déclarée sur cette unité)."},
		{"unknown code inherited", graph(with(unit("AU3"), rule("XYZ", "")), unit("U", "AU3")),
			"Non communicable : code de règle inconnu « XYZ » (hérité de AU3)."},
		{"never", graph(with(unit("U"), rule("AR062", ""))), "Jamais communicable (AR062, CP L213-2 II)."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			diff(t, "reason", c.want, Evaluate(c.g, "U", AccessRule, Seed()).Reason)
		})
	}
}

// TestReasonAt words the opening day relative to the moment of the question.
func TestReasonAt(t *testing.T) {
	d := Evaluate(graph(with(unit("U"), rule("AR039", "2000-01-01"))), "U", AccessRule, Seed())
	detail := " (AR039, 25 ans à compter de la date du document le plus récent, déclarée sur cette unité)."
	diff(t, "before", "Communicable à partir du 1er janvier 2025"+detail, d.ReasonAt(paris("2024-12-31", 23, 59)))
	diff(t, "on the day", "Communicable depuis le 1er janvier 2025"+detail, d.ReasonAt(paris("2025-01-01", 0, 0)))
}

// TestOpensOn: the comparable date the index stores.
func TestOpensOn(t *testing.T) {
	cases := []struct {
		name string
		u    *UnitFacts
		want string
		ok   bool
	}{
		{"dated", with(unit("U"), rule("AR039", "2000-01-01")), "2025-01-01", true},
		{"since always", unit("U"), "0001-01-01", true},
		{"never", with(unit("U"), rule("AR062", "")), "0001-01-01", false},
		{"unknown", with(unit("U"), rule("XYZ", "")), "0001-01-01", false},
	}
	for _, c := range cases {
		got, ok := Evaluate(graph(c.u), "U", AccessRule, Seed()).OpensOn()
		if got.Format("2006-01-02") != c.want || ok != c.ok {
			t.Errorf("%s: OpensOn = %s, %v; want %s, %v", c.name, got.Format("2006-01-02"), ok, c.want, c.ok)
		}
	}
}
