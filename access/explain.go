package access

import (
	"fmt"
	"strings"
	"time"
)

// Explain writes a decision for people, one line per fact, in French or, with lang
// "en", in English: the rules that apply (code, label, legal basis, delay, where each
// comes from, its start and the source of that start, its end), how each group of
// alternative clocks resolved, the inherited rules that were stopped and where, the
// faults of the unit graph, and the conclusion. The lines are deterministic: the unit
// page and `sesam access explain` print them as they are.
func Explain(d Decision, lang string) []string {
	t := texts(lang, d.Category)
	lines := []string{fmt.Sprintf(t.header, d.Unit, d.Category)}
	if len(d.Rules) == 0 {
		lines = append(lines, t.noRules)
	}
	for _, a := range d.Rules {
		lines = append(lines, ruleLine(a, d.Category, lang))
	}
	for _, g := range d.Groups {
		lines = append(lines, groupLine(g, lang))
	}
	for _, b := range d.Blocked {
		lines = append(lines, blockedLine(b, lang))
	}
	for _, g := range d.Gaps {
		lines = append(lines, t.gapPrefix+gapText(g, lang)+".")
	}
	return append(lines, t.conclusion+reason(d, nil, lang))
}

// ReasonAt is Reason worded for instant t: "Communicable depuis le 1er janvier 2000"
// when t is on or after the opening day, "Communicable à partir du ..." before it.
func (d Decision) ReasonAt(t time.Time) string {
	return reason(d, &t, "fr")
}

// ReasonIn is ReasonAt in a language ("fr" or "en").
func (d Decision) ReasonIn(t time.Time, lang string) string {
	return reason(d, &t, lang)
}

// catTexts holds the words that change with the category and language.
type catTexts struct {
	from, since, until, always, none, alwaysNoDelay, never, notOpen string
	header, noRules, gapPrefix, conclusion                          string
}

func texts(lang string, cat Category) catTexts {
	var t catTexts
	switch {
	case lang == "en" && cat == DisseminationRule:
		t = catTexts{from: "Publishable online from %s", since: "Publishable online since %s", until: "Publishable online from %s",
			none: "Publishable online: no dissemination rule applies.", alwaysNoDelay: "Publishable online without delay",
			never: "Never publishable online", notOpen: "Not publishable online: ", header: "Unit %s: online publication (%s)"}
	case lang == "en":
		t = catTexts{from: "Communicable from %s", since: "Communicable since %s", until: "Communicable from %s",
			none: "Communicable as of right: no access rule applies (CP L213-1).", alwaysNoDelay: "Communicable without delay",
			never: "Never communicable", notOpen: "Not communicable: ", header: "Unit %s: communicability (%s)"}
	case cat == DisseminationRule:
		t = catTexts{from: "Publiable en ligne à compter du %s", since: "Publiable en ligne depuis le %s", until: "Publiable en ligne à partir du %s",
			none: "Publiable en ligne : aucune règle de diffusion ne s'applique.", alwaysNoDelay: "Publiable en ligne sans délai",
			never: "Jamais publiable en ligne", notOpen: "Non publiable en ligne : ", header: "Unité %s : diffusion en ligne (%s)"}
	default:
		t = catTexts{from: "Communicable à compter du %s", since: "Communicable depuis le %s", until: "Communicable à partir du %s",
			none: "Communicable de plein droit : aucune règle de communicabilité ne s'applique (CP L213-1).", alwaysNoDelay: "Communicable sans délai",
			never: "Jamais communicable", notOpen: "Non communicable : ", header: "Unité %s : communicabilité (%s)"}
	}
	if lang == "en" {
		t.noRules, t.gapPrefix, t.conclusion = "No rule applies.", "Incomplete unit graph: ", "Conclusion: "
	} else {
		t.noRules, t.gapPrefix, t.conclusion = "Aucune règle ne s'applique.", "Graphe des unités incomplet : ", "Conclusion : "
	}
	return t
}

// reason is the one-sentence outcome; at, when given, words an opening day relative to it.
func reason(d Decision, at *time.Time, lang string) string {
	t := texts(lang, d.Category)
	first := firstDecisive(d)
	switch {
	case d.Status == Open && d.From == nil && first == nil && !hasZeroRule(d):
		return t.none
	case d.Status == Open && d.From == nil:
		if z := firstZero(d); z != nil {
			return fmt.Sprintf("%s (%s, %s).", t.alwaysNoDelay, rulePhrase(*z, lang), originPhrase(*z, lang, false))
		}
		return t.none
	case d.Status == Open:
		head := t.from
		if at != nil && d.CommunicableAt(*at) {
			head = t.since
		} else if at != nil {
			head = t.until
		}
		s := fmt.Sprintf(head, formatDate(*d.From, lang))
		if first != nil {
			s += fmt.Sprintf(" (%s, %s)", rulePhrase(*first, lang), originPhrase(*first, lang, false))
		}
		return s + "."
	case d.Status == Never && first != nil:
		return fmt.Sprintf("%s (%s).", t.never, rulePhrase(*first, lang))
	case d.Status == Never:
		return t.never + "."
	}
	if first != nil {
		return t.notOpen + unknownDetail(*first, d.Category, lang) + "."
	}
	if len(d.Gaps) > 0 {
		return t.notOpen + gapText(d.Gaps[0], lang) + "."
	}
	return strings.TrimSuffix(t.notOpen, " : ") + "."
}

func firstDecisive(d Decision) *AppliedRule {
	for i := range d.Rules {
		if d.Rules[i].Decisive {
			return &d.Rules[i]
		}
	}
	return nil
}

func hasZeroRule(d Decision) bool { return firstZero(d) != nil }

func firstZero(d Decision) *AppliedRule {
	for i := range d.Rules {
		if a := d.Rules[i]; a.Status == Open && a.Def != nil && a.Def.Duration.Zero() {
			return &d.Rules[i]
		}
	}
	return nil
}

// unknownDetail says why an Unknown rule holds the unit: "code de règle inconnu « XYZ »
// (hérité de AU3)", "AR048 déclarée sur cette unité, date de départ inconnue (...)".
func unknownDetail(a AppliedRule, cat Category, lang string) string {
	if a.Problem == ProblemCode {
		return fmt.Sprintf("%s (%s)", ruleNote(a, lang), originPhrase(a, lang, true))
	}
	return fmt.Sprintf("%s %s, %s", a.RuleID, originPhrase(a, lang, false), ruleNoteCat(a, cat, lang))
}

// rulePhrase names a rule and its delay: "AR048, 50 ans à compter de la date du document
// le plus récent"; for a rule that never ends, its legal basis: "AR062, CP L213-2 II".
func rulePhrase(a AppliedRule, lang string) string {
	switch {
	case a.Def == nil:
		return a.RuleID
	case a.Def.Never() && a.Def.LegalBasis != "":
		return a.RuleID + ", " + a.Def.LegalBasis
	case a.Def.Never():
		return a.RuleID + ", " + formatDuration(Duration{Unlimited: true}, lang)
	case a.Def.Duration.Zero():
		if lang == "en" {
			return a.RuleID + ", no delay"
		}
		return a.RuleID + ", délai nul"
	}
	return a.RuleID + ", " + formatDuration(a.Def.Duration, lang) + " " + basisPhrase(a.Def.Basis, lang)
}

func basisPhrase(b Basis, lang string) string {
	if lang == "en" {
		return basisEn[b]
	}
	return basisFr[b]
}

var basisFr = map[Basis]string{
	BasisNone:             "sans point de départ",
	BasisDocumentDate:     "à compter de la date du document le plus récent",
	BasisDeathDate:        "après le décès de l'intéressé",
	BasisBirthDate:        "à compter de la naissance de l'intéressé",
	BasisRegisterClosing:  "à compter de la clôture du registre",
	BasisEndOfBuildingUse: "à compter de la fin de l'affectation des bâtiments à la détention",
}

var basisEn = map[Basis]string{
	BasisNone:             "with no starting event",
	BasisDocumentDate:     "from the date of the most recent document",
	BasisDeathDate:        "after the death of the person concerned",
	BasisBirthDate:        "from the birth of the person concerned",
	BasisRegisterClosing:  "from the closing of the register",
	BasisEndOfBuildingUse: "from the end of the buildings' use for detention",
}

// originPhrase says where a rule comes from; full adds the path ("héritée de AU11 via
// AU12 → AU13"). The short form serves Reason, the full one Explain.
func originPhrase(a AppliedRule, lang string, masculine bool) string {
	return origin(a, lang, masculine, false)
}

func origin(a AppliedRule, lang string, masculine, full bool) string {
	e := "e"
	if masculine {
		e = ""
	}
	if !a.Inherited {
		if lang == "en" {
			return "declared on this unit"
		}
		return "déclaré" + e + " sur cette unité"
	}
	s := "hérité" + e + " de " + a.Origin
	if lang == "en" {
		s = "inherited from " + a.Origin
	}
	if full && len(a.Path) > 2 {
		s += " via " + strings.Join(a.Path[1:], " → ")
	}
	return s
}

// ruleNote says why a rule is Never or Unknown (the category-neutral part).
func ruleNote(a AppliedRule, lang string) string { return ruleNoteCat(a, "", lang) }

func ruleNoteCat(a AppliedRule, cat Category, lang string) string {
	en := lang == "en"
	switch a.Problem {
	case ProblemCode:
		if en {
			return fmt.Sprintf("unknown rule code “%s”", a.RuleID)
		}
		return fmt.Sprintf("code de règle inconnu « %s »", a.RuleID)
	case ProblemCategory:
		if en {
			return fmt.Sprintf("a %s rule%s", a.Def.Category, notCat(cat, en))
		}
		return fmt.Sprintf("règle de type %s%s", a.Def.Category, notCat(cat, en))
	case ProblemUnlimited:
		return unlimitedNote(a, en)
	case ProblemStart:
		return startNote(a, en)
	}
	return ""
}

func notCat(cat Category, en bool) string {
	switch {
	case cat == "":
		return ""
	case en:
		return ", not " + string(cat)
	}
	return ", pas " + string(cat)
}

func unlimitedNote(a AppliedRule, en bool) string {
	if a.Def.Duration.Unlimited {
		if en {
			return "unlimited delay"
		}
		return "délai illimité"
	}
	if en {
		return fmt.Sprintf("delay of %s, read as unlimited", formatDuration(a.Def.Duration, "en"))
	}
	return fmt.Sprintf("délai de %s, lu comme illimité", formatDuration(a.Def.Duration, "fr"))
}

// startNote says what was missing to start a rule's clock, and where it was looked for.
func startNote(a AppliedRule, en bool) string {
	where := consulted(a, en)
	if en {
		switch a.StartBasis {
		case BasisEndOfBuildingUse:
			return "unknown start (the end of the buildings' use must be declared as StartDate)"
		case BasisDeathDate:
			if a.StartUnit != "" {
				return "unknown start (no declared StartDate, and a person named on " + a.StartUnit + " has no death date: they may be alive)"
			}
			return "unknown start (no declared StartDate and no death date of the persons named on " + where + ")"
		case BasisBirthDate:
			return "unknown start (no declared StartDate and no birth date of the persons named on " + where + ")"
		case BasisNone:
			return "unknown start (no declared StartDate and no starting event in the referential)"
		}
		return "unknown start (no declared StartDate and no content end date on " + where + ")"
	}
	switch a.StartBasis {
	case BasisEndOfBuildingUse:
		return "date de départ inconnue (la fin de l'affectation des bâtiments doit être déclarée en StartDate)"
	case BasisDeathDate:
		if a.StartUnit != "" {
			return "date de départ inconnue (pas de StartDate déclarée, et une personne nommée sur " + a.StartUnit + " n'a pas de date de décès : elle est peut-être vivante)"
		}
		return "date de départ inconnue (ni StartDate déclarée ni date de décès des personnes nommées sur " + where + ")"
	case BasisBirthDate:
		return "date de départ inconnue (ni StartDate déclarée ni date de naissance des personnes nommées sur " + where + ")"
	case BasisRegisterClosing:
		return "date de clôture du registre inconnue (ni StartDate déclarée ni date de fin du contenu sur " + where + ")"
	case BasisNone:
		return "date de départ inconnue (ni StartDate déclarée ni événement de départ dans le référentiel)"
	}
	return "date de départ inconnue (ni StartDate déclarée ni date de fin du contenu sur " + where + ")"
}

// consulted lists the units whose facts were read for a rule: the unit, then the origin.
func consulted(a AppliedRule, en bool) string {
	unit := a.Path[len(a.Path)-1]
	switch {
	case unit == a.Origin:
		return unit
	case en:
		return unit + " or " + a.Origin
	}
	return unit + " ou " + a.Origin
}

// startSource says where a rule's start comes from.
func startSource(a AppliedRule, lang string) string {
	en := lang == "en"
	switch {
	case a.StartDeclared && en:
		return "StartDate declared on " + a.StartUnit
	case a.StartDeclared:
		return "StartDate déclarée sur " + a.StartUnit
	case a.StartDate == nil && en:
		return "no delay"
	case a.StartDate == nil:
		return "délai nul"
	}
	if en {
		return sourceEn[a.StartBasis] + a.StartUnit
	}
	return sourceFr[a.StartBasis] + a.StartUnit
}

var sourceFr = map[Basis]string{
	BasisDocumentDate:    "date de fin du contenu de ",
	BasisRegisterClosing: "clôture du registre : date de fin du contenu de ",
	BasisDeathDate:       "décès le plus récent des personnes nommées sur ",
	BasisBirthDate:       "naissance la plus récente des personnes nommées sur ",
}

var sourceEn = map[Basis]string{
	BasisDocumentDate:    "content end date of ",
	BasisRegisterClosing: "register closing: content end date of ",
	BasisDeathDate:       "latest death among the persons named on ",
	BasisBirthDate:       "latest birth among the persons named on ",
}

// ruleLine is one rule in Explain.
func ruleLine(a AppliedRule, cat Category, lang string) string {
	en := lang == "en"
	var b strings.Builder
	b.WriteString(a.RuleID)
	if a.Def != nil {
		fmt.Fprintf(&b, " (%s", a.Def.Label)
		if a.Def.LegalBasis != "" {
			b.WriteString(map[bool]string{false: " ; ", true: "; "}[en] + a.Def.LegalBasis)
		}
		b.WriteString(")")
	}
	sep := " ; "
	if en {
		sep = "; "
	}
	parts := []string{}
	if a.Def != nil && a.Problem != ProblemCategory {
		parts = append(parts, delayText(*a.Def, lang))
	}
	parts = append(parts, origin(a, lang, a.Problem == ProblemCode, true))
	switch a.Status {
	case Open:
		parts = append(parts, openParts(a, lang)...)
	case Never:
		parts = append(parts, map[bool]string{false: "n'expire jamais", true: "never ends"}[en])
	default:
		parts = append(parts, ruleNoteCat(a, cat, lang))
	}
	if a.Decisive {
		parts = append(parts, map[bool]string{false: "déterminante", true: "decisive"}[en])
	}
	if en {
		b.WriteString(": ")
	} else {
		b.WriteString(" : ")
	}
	b.WriteString(strings.Join(parts, sep) + ".")
	return b.String()
}

func delayText(def RuleDef, lang string) string {
	switch {
	case def.Never():
		return unlimitedNote(AppliedRule{Def: &def}, lang == "en")
	case def.Duration.Zero() && lang == "en":
		return "no delay"
	case def.Duration.Zero():
		return "délai nul"
	}
	return formatDuration(def.Duration, lang) + " " + basisPhrase(def.Basis, lang)
}

func openParts(a AppliedRule, lang string) []string {
	if a.StartDate == nil {
		if lang == "en" {
			return []string{"elapsed since always"}
		}
		return []string{"échue depuis toujours"}
	}
	if lang == "en" {
		return []string{fmt.Sprintf("starts on %s (%s)", formatDate(*a.StartDate, lang), startSource(a, lang)),
			"ends on " + formatDate(*a.End, lang)}
	}
	return []string{fmt.Sprintf("départ le %s (%s)", formatDate(*a.StartDate, lang), startSource(a, lang)),
		"échéance le " + formatDate(*a.End, lang)}
}

// groupLine says how a group of alternative clocks resolved.
func groupLine(g GroupOutcome, lang string) string {
	ids := strings.Join(g.Rules, ", ")
	if lang == "en" {
		s := fmt.Sprintf("Alternative delays %s (%s): ", g.Name, ids)
		switch {
		case g.Status == Open && g.Fallback:
			return s + fmt.Sprintf("no primary delay is known, the fallback %s applies%s.", g.Chosen, endEn(g.End))
		case g.Status == Open:
			return s + fmt.Sprintf("the shortest known applies, %s%s.", g.Chosen, endEn(g.End))
		case g.Status == Never:
			return s + "none ever ends."
		}
		return s + "none can be computed."
	}
	s := fmt.Sprintf("Délais alternatifs %s (%s) : ", g.Name, ids)
	switch {
	case g.Status == Open && g.Fallback:
		return s + fmt.Sprintf("aucun délai principal n'est connu, le délai subsidiaire %s s'applique%s.", g.Chosen, endFr(g.End))
	case g.Status == Open:
		return s + fmt.Sprintf("le plus court des délais connus s'applique, %s%s.", g.Chosen, endFr(g.End))
	case g.Status == Never:
		return s + "aucun n'expire jamais."
	}
	return s + "aucun ne peut être calculé."
}

func endFr(t *time.Time) string {
	if t == nil {
		return " (sans délai)"
	}
	return " (échéance le " + formatDate(*t, "fr") + ")"
}

func endEn(t *time.Time) string {
	if t == nil {
		return " (no delay)"
	}
	return " (ends on " + formatDate(*t, "en") + ")"
}

// blockedLine says where an inherited rule stopped.
func blockedLine(b BlockedRule, lang string) string {
	if lang == "en" {
		how := map[BlockKind]string{ByPreventInheritance: "PreventInheritance", ByRefNonRuleID: "RefNonRuleId",
			ByRedeclaration: "replaced by its own declaration there"}[b.By]
		return fmt.Sprintf("Stopped: %s declared on %s, stopped at %s (%s).", b.RuleID, b.Origin, b.At, how)
	}
	how := map[BlockKind]string{ByPreventInheritance: "PreventInheritance", ByRefNonRuleID: "RefNonRuleId",
		ByRedeclaration: "remplacée par sa redéclaration"}[b.By]
	return fmt.Sprintf("Bloquée : %s déclarée sur %s, arrêtée sur %s (%s).", b.RuleID, b.Origin, b.At, how)
}

// gapText words a fault of the unit graph.
func gapText(g Gap, lang string) string {
	en := lang == "en"
	switch {
	case g.Kind == GapCycle && en:
		return "the units form a cycle through " + g.Unit
	case g.Kind == GapCycle:
		return "les unités forment un cycle passant par " + g.Unit
	case g.Child == "" && en:
		return fmt.Sprintf("unit “%s” not found", g.Unit)
	case g.Child == "":
		return fmt.Sprintf("unité « %s » introuvable", g.Unit)
	case en:
		return fmt.Sprintf("parent unit “%s” of %s not found", g.Unit, g.Child)
	}
	return fmt.Sprintf("l'unité parente « %s » de %s est introuvable", g.Unit, g.Child)
}
