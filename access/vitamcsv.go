package access

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"sesam"
)

// ErrInvalid marks input that sesam refuses (a malformed referential file, a bad role
// assignment); it is sesam.ErrInvalid, which the portal maps to 400.
var ErrInvalid = sesam.ErrInvalid

// LineError is one problem of a referential file, with the line it starts on.
// It matches ErrInvalid with errors.Is.
type LineError struct {
	Line    int
	Problem string // French, for the operator who loads the file
}

func (e *LineError) Error() string { return fmt.Sprintf("ligne %d : %s", e.Line, e.Problem) }

// Unwrap makes errors.Is(err, ErrInvalid) true.
func (e *LineError) Unwrap() error { return ErrInvalid }

// maxLineErrors bounds the problems reported for one file: enough to fix a file in one
// pass, not a wall of text for a file in the wrong format.
const maxLineErrors = 20

var vitamColumns = []string{"RuleId", "RuleType", "RuleValue", "RuleDescription", "RuleDuration", "RuleMeasurement"}

// ParseVitamCSV reads a rule referential in Vitam's CSV form:
//
//	RuleId,RuleType,RuleValue,RuleDescription,RuleDuration,RuleMeasurement
//
// Columns are found by header name (any order, any case). The file may start with a
// UTF-8 BOM, use ';' instead of ',' (as French spreadsheets write it) and quote fields,
// quoted fields spanning lines included (Vitam descriptions do). RuleDuration is an
// integer from 0 to 999, or "unlimited" or empty for a delay that never elapses.
// RuleMeasurement is DAY, MONTH or YEAR, in English or French, any case, singular or
// plural (jour, mois, an, année...); it may be empty only when the duration is unlimited.
//
// The CSV has no column for the event a delay counts from, so ParseVitamCSV reads it from
// the RuleDescription (see basisFromDescription). When the description names no event,
// Basis is left empty and Referential.Overlay decides: the seed rule's basis for a known
// id, the document date otherwise.
//
// Every bad row is reported (up to maxLineErrors) as a *LineError naming its line;
// the result then is nil: a referential is loaded whole or not at all.
func ParseVitamCSV(r io.Reader) ([]RuleDef, error) {
	cr, err := newVitamReader(r)
	if err != nil {
		return nil, err
	}
	header, err := cr.Read()
	if err != nil {
		return nil, &LineError{Line: 1, Problem: "en-tête illisible : " + csvProblem(err)}
	}
	cols, err := columnIndex(header)
	if err != nil {
		return nil, err
	}
	var defs []RuleDef
	var errs []error
	seen := map[string]int{}
	for len(errs) < maxLineErrors {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			errs = append(errs, &LineError{Line: lineOf(err), Problem: csvProblem(err)})
			if !recoverable(err) {
				break
			}
			continue
		}
		line, _ := cr.FieldPos(0)
		d, err := vitamRow(rec, cols, line)
		if err == nil && seen[d.ID] > 0 {
			err = &LineError{Line: line, Problem: fmt.Sprintf("RuleId « %s » déjà défini ligne %d", d.ID, seen[d.ID])}
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		seen[d.ID] = line
		defs = append(defs, d)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return defs, nil
}

// newVitamReader skips a BOM and picks the separator from the header line.
func newVitamReader(r io.Reader) (*csv.Reader, error) {
	br := bufio.NewReader(r)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	head, err := br.Peek(br.Size())
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, fmt.Errorf("read referential: %w", err)
	}
	if len(head) == 0 {
		return nil, &LineError{Line: 1, Problem: "fichier vide"}
	}
	first, _, _ := bytes.Cut(head, []byte("\n"))
	cr := csv.NewReader(br)
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		cr.Comma = ';'
	}
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	return cr, nil
}

// columnIndex maps each Vitam column to its position in the header.
func columnIndex(header []string) (map[string]int, error) {
	cols := map[string]int{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		for _, c := range vitamColumns {
			if strings.EqualFold(h, c) {
				cols[c] = i
			}
		}
	}
	var missing []string
	for _, c := range vitamColumns {
		if _, ok := cols[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, &LineError{Line: 1, Problem: "colonne(s) absente(s) de l'en-tête : " + strings.Join(missing, ", ")}
	}
	return cols, nil
}

// vitamRow turns one record into a rule definition.
func vitamRow(rec []string, cols map[string]int, line int) (RuleDef, error) {
	bad := func(format string, a ...any) (RuleDef, error) {
		return RuleDef{}, &LineError{Line: line, Problem: fmt.Sprintf(format, a...)}
	}
	if need := maxCol(cols) + 1; len(rec) < need {
		return bad("%d champ(s) au lieu de %d", len(rec), need)
	}
	field := func(c string) string { return strings.TrimSpace(rec[cols[c]]) }
	d := RuleDef{ID: field("RuleId"), Label: field("RuleValue"), Description: field("RuleDescription"), Source: "tenant"}
	if d.ID == "" {
		return bad("RuleId vide")
	}
	cat, ok := parseCategory(field("RuleType"))
	if !ok {
		return bad("RuleType « %s » inconnu (attendu : AccessRule, DisseminationRule, AppraisalRule, StorageRule, ReuseRule, ClassificationRule ou HoldRule)", field("RuleType"))
	}
	d.Category = cat
	dur, problem := parseDuration(field("RuleDuration"), field("RuleMeasurement"))
	if problem != "" {
		return bad("%s (règle %s)", problem, d.ID)
	}
	d.Duration = dur
	d.Basis = basisFromDescription(d.Description)
	return d, nil
}

func maxCol(cols map[string]int) int {
	m := 0
	for _, i := range cols {
		m = max(m, i)
	}
	return m
}

func parseCategory(s string) (Category, bool) {
	for _, c := range categories {
		if strings.EqualFold(s, string(c)) {
			return c, true
		}
	}
	return "", false
}

// parseDuration reads RuleDuration and RuleMeasurement; problem is empty when both are good.
func parseDuration(n, unit string) (d Duration, problem string) {
	u, unitOK := parseUnit(unit)
	if unit != "" && !unitOK {
		return d, fmt.Sprintf("RuleMeasurement « %s » inconnu (attendu : DAY, MONTH ou YEAR)", unit)
	}
	if n == "" || strings.EqualFold(n, "unlimited") {
		return Duration{Unlimited: true}, ""
	}
	v, err := strconv.Atoi(n)
	if err != nil || v < 0 || v > 999 {
		return d, fmt.Sprintf("RuleDuration « %s » n'est ni un entier de 0 à 999 ni « unlimited »", n)
	}
	if unit == "" {
		return d, "RuleMeasurement vide alors que RuleDuration vaut " + n
	}
	return Duration{N: v, Unit: u}, ""
}

var unitWords = map[string]DurationUnit{
	"day": Day, "days": Day, "jour": Day, "jours": Day,
	"month": Month, "months": Month, "mois": Month,
	"year": Year, "years": Year, "an": Year, "ans": Year,
	"année": Year, "années": Year, "annee": Year, "annees": Year,
}

func parseUnit(s string) (DurationUnit, bool) {
	u, ok := unitWords[strings.ToLower(s)]
	return u, ok
}

// basisKeywords are the words of a French rule description that name the event its delay
// counts from, in the order they are tried.
var basisKeywords = []struct {
	word  string
	basis Basis
}{
	{"décès", BasisDeathDate},
	{"deces", BasisDeathDate},
	{"naissance", BasisBirthDate},
	{"clôture", BasisRegisterClosing},
	{"cloture", BasisRegisterClosing},
	{"affectation", BasisEndOfBuildingUse},
	{"enregistrement", BasisDocumentDate}, // "date d'enregistrement du décès": the act's date
	{"date du document", BasisDocumentDate},
	{"document le plus récent", BasisDocumentDate},
}

// startAnchors introduce the start event in Vitam's descriptions: "L'échéance est
// calculée à partir de la date de décès de l'intéressé".
var startAnchors = []string{"à partir de", "à compter de", "à compter du", "a partir de", "a compter de"}

// basisFromDescription guesses a rule's start basis from its description, or returns ""
// when it cannot tell. It looks at the text after the LAST "à partir de" / "à compter
// de" (Vitam's "L'échéance est calculée à partir de ..."), or at the whole description
// if there is none, and takes the first keyword found there: décès → death date,
// naissance → birth date, clôture → register closing, affectation → end of a building's
// use, "date du document" or "enregistrement" → document date. The FIRST keyword in the
// clause wins: "la date d'enregistrement du décès" (Vitam's DIS-00001) is the date of the
// act, a document date.
//
// Reading only the clause matters: Vitam's ACC-00019 says "individus dont la date de
// décès est inconnue ... calculée à partir de la date du document", a document-date rule
// that merely mentions a death. A description such as "voir décès" without an anchor is
// still read as death_date: a wrong guess there errs towards an unknown start (closed).
func basisFromDescription(desc string) Basis {
	text := strings.ToLower(desc)
	at, end := -1, 0
	for _, a := range startAnchors {
		if i := strings.LastIndex(text, a); i > at {
			at, end = i, i+len(a)
		}
	}
	if at >= 0 {
		text = text[end:]
	}
	best, basis := len(text)+1, Basis("")
	for _, k := range basisKeywords {
		if i := strings.Index(text, k.word); i >= 0 && i < best {
			best, basis = i, k.basis
		}
	}
	return basis
}

// csvProblem words an encoding/csv error for the operator.
func csvProblem(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		switch {
		case errors.Is(pe.Err, csv.ErrQuote), errors.Is(pe.Err, csv.ErrBareQuote):
			return "guillemets mal placés"
		}
		return pe.Err.Error()
	}
	return err.Error()
}

func lineOf(err error) int {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.StartLine
	}
	return 0
}

// recoverable reports whether reading can go on after err: a quoting error spoils one
// record, an I/O error the rest of the file.
func recoverable(err error) bool {
	var pe *csv.ParseError
	return errors.As(err, &pe)
}
