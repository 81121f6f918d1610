package stamp

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/create"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"

	"sesam"
)

// Letter is a decision on an access request, as the requester receives it.
type Letter struct {
	Authority   string    // the archives service deciding, e.g. "Centre de gestion du Pas-de-Calais — service d'archives"
	Place       string    // where the letter is signed, e.g. "Arras"; "" leaves the date alone on its line
	Tenant      string    // the producing collectivité, e.g. "Commune de Ruitz"
	RequestID   int64     // the request's number, as the requester knows it
	Requester   string    // name
	Address     []string  // postal address lines or the e-mail, may be empty
	SubmittedAt time.Time // registration (the two-month clock)
	DecidedAt   time.Time // the letter's date
	Mode        string    // "online" or "reading_room"
	Units       []LetterUnit
	Signatory   string // the archivist who decided
}

// LetterUnit is the decision on one unit of the request.
type LetterUnit struct {
	Cote, Title string
	Granted     bool
	Withdrawn   bool      // the requester withdrew it before it was decided
	Until       time.Time // end of the grant; zero when refused
	Reasons     string    // the reasons of a refusal (L213-5); line breaks separate paragraphs
	Derogation  bool      // the unit needed the producer's agreement (L213-3)
	Producer    ProducerAnswer
}

// ProducerAnswer is what became of the producing authority's agreement on a unit: the
// letter says the authority was asked only when it was, and names its refusal.
type ProducerAnswer string

// Producer answers.
const (
	ProducerNotAsked ProducerAnswer = ""
	ProducerAsked    ProducerAnswer = "asked" // asked, no answer before the decision
	ProducerAgreed   ProducerAnswer = "agreed"
	ProducerRefused  ProducerAnswer = "refused"
)

// The CADA's postal address, as the service-public.fr directory gives it (street
// address and postal address, TSA), and its site, where its on-line form is. Its e-mail
// is left out: the sources consulted disagree on it.
const (
	cadaAddress = "20 avenue de Ségur, TSA 50730, 75334 Paris Cedex 07"
	cadaSite    = "www.cada.fr"
)

// Letter writes the letter as a PDF (A4, French) to w, in the installed DejaVuSans so
// that every name prints as written. A letter with a character the font lacks is
// refused with an error wrapping ErrCannotStamp, naming the characters, rather than
// sent with a wrong name; an incomplete letter (no unit, a refusal without reasons, an
// unknown mode...) is refused with an error wrapping sesam.ErrInvalid. Dates are shown
// as days in their own location: pass them in the archives' time zone. On error w may
// have received part of the letter.
func (s *Stamper) Letter(ctx context.Context, w io.Writer, l Letter) error {
	doc, err := l.compose()
	if err != nil {
		return fmt.Errorf("letter for request %d: %w", l.RequestID, err)
	}
	if missing := s.missing(doc.text()); missing != "" {
		return fmt.Errorf("letter for request %d: %w: DejaVuSans has no glyph for %s", l.RequestID, ErrCannotStamp, missing)
	}
	select {
	case s.slots <- struct{}{}:
		defer func() { <-s.slots }()
	case <-ctx.Done():
		return fmt.Errorf("letter for request %d: %w", l.RequestID, ctx.Err())
	}
	ttf, err := fontMetrics()
	if err != nil {
		return fmt.Errorf("letter for request %d: %w", l.RequestID, err)
	}
	m := metrics{widths: ttf.GlyphWidths, chars: ttf.Chars}
	pages := paginate(m.layout(doc.blocks))
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("letter for request %d: %w", l.RequestID, err)
	}
	if err := writePDF(w, m, pages, doc.footer, doc.title); err != nil {
		return fmt.Errorf("letter for request %d: %w", l.RequestID, err)
	}
	return nil
}

// nbsp keeps together what French typography keeps together: "n° 42", "Objet :", a date.
const nbsp = "\u00a0"

// Font sizes (points).
const (
	headSize = 12
	bodySize = 10
	noteSize = 8 // the footer
)

// document is a letter composed but not laid out: its blocks of paragraphs, the
// footer line of every page and the PDF's title.
type document struct {
	blocks []block
	footer string
	title  string
}

// text is everything the letter prints, for the glyph check.
func (d document) text() string {
	var b strings.Builder
	b.WriteString(d.footer)
	b.WriteString(d.title)
	for _, bl := range d.blocks {
		for _, p := range bl.paras {
			for _, s := range p.spans {
				b.WriteString(s.text)
			}
		}
	}
	return b.String()
}

// compose writes the letter's French text.
func (l Letter) compose() (document, error) {
	if err := l.validate(); err != nil {
		return document{}, err
	}
	req := "n°" + nbsp + strconv.FormatInt(l.RequestID, 10)
	submitted := frenchDate(l.SubmittedAt)
	blocks := append(l.heading(), block{paras: []para{{before: 30, hangLabel: true, spans: []span{
		{"Objet" + nbsp + ": ", true}, {"votre demande de communication " + req + " du " + submitted, false}}}}})
	blocks = append(blocks, l.preamble(submitted)...)
	for _, u := range l.Units {
		blocks = append(blocks, l.unit(u))
	}
	if l.anyRefused() {
		blocks = append(blocks, remedies())
	}
	blocks = append(blocks, l.signature())
	return document{
		blocks: blocks,
		footer: "Demande de communication " + req + " du " + submitted + " — " + clean(l.Tenant),
		title:  "Décision sur la demande de communication " + req,
	}, nil
}

// preamble is the salutation, the request recalled and the legal frame, up to the list
// of decisions.
func (l Letter) preamble(submitted string) []block {
	paragraph := func(before float64, text string) block {
		return block{paras: []para{{before: before, spans: plain(text)}}}
	}
	blocks := []block{
		paragraph(18, "Madame, Monsieur,"),
		paragraph(10, "Par une demande enregistrée le "+submitted+", vous avez sollicité la communication "+
			"de documents d’archives publiques conservés par notre service (producteur"+nbsp+": "+clean(l.Tenant)+")."),
		paragraph(6, "En application des articles L213-1 et L213-2 du code du patrimoine, les archives publiques "+
			"sont communicables de plein droit, à l’expiration, le cas échéant, des délais fixés par l’article L213-2. "+
			"Avant l’expiration de ces délais, leur consultation peut être autorisée par dérogation (article L213-3), "+
			"après accord de l’autorité dont les documents émanent, dans la mesure où l’intérêt qui s’attache à la consultation "+
			"ne conduit pas à porter une atteinte excessive aux intérêts que la loi a entendu protéger."),
	}
	if asked := l.producerAsked(); asked != "" {
		blocks = append(blocks, paragraph(6, asked))
	}
	return append(blocks, paragraph(6, "Après examen, la décision prise pour chacun des documents demandés est la suivante"+nbsp+":"))
}

// validate refuses a letter that would not be a complete decision.
func (l Letter) validate() error {
	var missing []string
	for _, f := range []struct{ name, value string }{
		{"Authority", l.Authority}, {"Tenant", l.Tenant}, {"Requester", l.Requester}, {"Signatory", l.Signatory},
	} {
		if clean(f.value) == "" {
			missing = append(missing, f.name)
		}
	}
	if l.RequestID <= 0 {
		missing = append(missing, "RequestID")
	}
	if l.SubmittedAt.IsZero() || l.DecidedAt.IsZero() {
		missing = append(missing, "dates")
	}
	if len(l.Units) == 0 {
		missing = append(missing, "Units")
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: missing %s", sesam.ErrInvalid, strings.Join(missing, ", "))
	}
	if _, ok := modes[l.Mode]; !ok {
		return fmt.Errorf("%w: unknown consultation mode %q", sesam.ErrInvalid, l.Mode)
	}
	for _, u := range l.Units {
		if clean(u.Cote) == "" && clean(u.Title) == "" {
			return fmt.Errorf("%w: a unit with neither cote nor title", sesam.ErrInvalid)
		}
		if !u.Granted && !u.Withdrawn && len(paragraphs(u.Reasons)) == 0 {
			return fmt.Errorf("%w: refusal of %q without reasons (L213-5)", sesam.ErrInvalid, u.Cote)
		}
	}
	return nil
}

// modes are the consultation modes as the letter names them.
var modes = map[string]string{
	"online":       "consultation en ligne",
	"reading_room": "consultation en salle de lecture",
}

// heading is the letterhead, the recipient (placed for a window envelope) and the
// place and date.
func (l Letter) heading() []block {
	letterhead := block{paras: []para{
		{spans: []span{{clean(l.Authority), true}}, size: headSize, width: 260},
		{before: 6, rule: 60},
	}}
	recipient := block{top: recipientTop, paras: []para{{indent: recipientX - marginL, spans: plain(clean(l.Requester))}}}
	for _, a := range l.Address {
		if a = clean(a); a != "" {
			recipient.paras = append(recipient.paras, para{indent: recipientX - marginL, spans: plain(a)})
		}
	}
	dated := "Le " + frenchDate(l.DecidedAt)
	if place := clean(l.Place); place != "" {
		dated = place + ", le " + frenchDate(l.DecidedAt)
	}
	date := block{paras: []para{{before: 28, indent: recipientX - marginL, spans: plain(dated)}}}
	return []block{letterhead, recipient, date}
}

// unit is one entry of the list: cote — title, the decision and, for a refusal, its
// reasons. It is kept on one page.
func (l Letter) unit(u LetterUnit) block {
	head := []span{{clean(u.Cote), true}}
	if t := clean(u.Title); t != "" {
		if len(head[0].text) > 0 {
			t = " — " + t
		}
		head = append(head, span{t, false})
	}
	b := block{keep: true, paras: []para{
		{before: 9, spans: head, hang: unitIndent},
		{before: 2, indent: unitIndent, hangLabel: true, spans: []span{{"Décision" + nbsp + ": ", true}, {decision(u, modes[l.Mode]), false}}},
	}}
	if u.Granted || u.Withdrawn {
		return b
	}
	const label = "Motifs" + nbsp + ": "
	for i, r := range paragraphs(u.Reasons) {
		p := para{before: 2, indent: unitIndent, hangLabel: true, spans: []span{{label, true}, {r, false}}}
		if i > 0 {
			p = para{before: 2, indent: unitIndent, under: label, spans: plain(r)}
		}
		b.paras = append(b.paras, p)
	}
	return b
}

// decision says what was decided for u, e.g. "accordée jusqu’au 25 novembre 2027,
// consultation en ligne".
func decision(u LetterUnit, mode string) string {
	switch {
	case u.Withdrawn:
		return "demande retirée avant la décision"
	case !u.Granted:
		return "refusée" + refusalNote(u)
	}
	d := "accordée"
	if u.Derogation {
		d += " par dérogation (article L213-3 du code du patrimoine)"
		if u.Producer == ProducerAgreed {
			d += ", après accord de l’autorité productrice"
		}
		d += ","
	}
	if !u.Until.IsZero() {
		d += " jusqu’au " + frenchDate(u.Until)
	}
	return d + ", " + mode
}

// refusalNote qualifies the refusal of a unit that needed a dérogation with what the
// producing authority answered, when it was asked.
func refusalNote(u LetterUnit) string {
	const l213 = "demande de dérogation, article L213-3 du code du patrimoine"
	switch {
	case u.Producer == ProducerRefused:
		return ", l’autorité productrice ayant refusé son accord (" + l213 + ")"
	case !u.Derogation:
		return ""
	case u.Producer == ProducerAgreed:
		return " malgré l’accord de l’autorité productrice (" + l213 + ")"
	case u.Producer == ProducerAsked:
		return " (" + l213 + nbsp + "; l’autorité productrice, consultée, n’avait pas répondu)"
	}
	return " (" + l213 + ")"
}

// remedies are the voies et délais de recours a refusal must state, or the two-month
// delay does not run (CADA, "Quand et comment saisir la CADA").
func remedies() block {
	return block{keep: true, paras: []para{
		{before: 18, spans: []span{{"Voies et délais de recours", true}}},
		{before: 4, spans: plain("Conformément à l’article L213-5 du code du patrimoine, les refus ci-dessus sont motivés. " +
			"Vous pouvez saisir la Commission d’accès aux documents administratifs (CADA), " + cadaAddress + " (" + cadaSite + "), " +
			"dans un délai de deux mois à compter de la notification de la présente décision" + nbsp + "; " +
			"la saisine de la CADA est un préalable obligatoire au recours contentieux devant le tribunal administratif " +
			"(article L342-1 du code des relations entre le public et l’administration).")},
	}}
}

// signature is the closing formula and the signature, kept together.
func (l Letter) signature() block {
	return block{keep: true, paras: []para{
		{before: 16, spans: plain("Je vous prie d’agréer, Madame, Monsieur, l’expression de mes salutations distinguées.")},
		{before: 22, indent: recipientX - marginL, spans: plain("L’archiviste,")},
		{before: 40, indent: recipientX - marginL, spans: []span{{clean(l.Signatory), true}}},
	}}
}

func (l Letter) anyRefused() bool {
	for _, u := range l.Units {
		if !u.Granted && !u.Withdrawn {
			return true
		}
	}
	return false
}

// producerAsked says whether the producing authority was asked for its agreement: for
// every unit that needed a dérogation, for some of them, or (empty) for none.
func (l Letter) producerAsked() string {
	derogations, asked := 0, 0
	for _, u := range l.Units {
		if u.Derogation && !u.Withdrawn {
			derogations++
		}
		if u.Producer != ProducerNotAsked && !u.Withdrawn {
			asked++
		}
	}
	authority := "l’accord de l’autorité productrice (" + clean(l.Tenant) + ") a été sollicité avant la décision"
	switch {
	case asked == 0:
		return ""
	case asked < derogations:
		return "Pour certains des documents qui relevaient d’une dérogation, " + authority + ", comme indiqué ci-dessous."
	}
	return "Pour les documents qui relevaient d’une dérogation, " + authority + "."
}

// paragraphs splits text at its line breaks into cleaned, non-empty paragraphs.
func paragraphs(text string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(text, "\r", "\n"), "\n") {
		if p = clean(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

var months = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet",
	"août", "septembre", "octobre", "novembre", "décembre"}

// frenchDate is t's day as a French letter writes it: "25 novembre 2026", "1er mars 2027".
func frenchDate(t time.Time) string {
	day := strconv.Itoa(t.Day())
	if t.Day() == 1 {
		day = "1er"
	}
	return day + nbsp + months[t.Month()-1] + nbsp + strconv.Itoa(t.Year())
}

// The page (A4 portrait, points; y from the top edge while laying out).
const (
	pageW, pageH = 595.0, 842.0
	marginL      = 68.0  // 24 mm
	marginR      = 57.0  // 20 mm
	marginT      = 50.0  //
	marginB      = 72.0  // the footer is in it
	footerY      = 36.0  // footer baseline, from the bottom edge
	recipientX   = 312.0 // 110 mm: the window of a DL envelope
	recipientTop = 140.0 // 49 mm
	unitIndent   = 14.0
	leading      = 1.4 // line height / font size
)

// span is a run of text in one style; a para's spans are one paragraph.
type span struct {
	text string
	bold bool
}

func plain(s string) []span { return []span{{s, false}} }

// para is a paragraph: its text and where it goes.
type para struct {
	spans     []span
	size      float64 // points; bodySize when 0
	before    float64 // space above, dropped at the top of a page
	indent    float64 // from the left margin
	width     float64 // the widest a line may be; to the right margin when 0
	hang      float64 // further indent of the lines after the first
	hangLabel bool    // lines after the first start under the text after the first span (a label ending with a space)
	under     string  // the lines start under the text that follows this label on the line above
	rule      float64 // a horizontal rule this long instead of text
}

// block is a unit of pagination.
type block struct {
	paras []para
	keep  bool    // not split across pages, unless taller than a page
	top   float64 // the block starts no higher than this (from the top edge) on the first page
}

// line is a laid-out line: its runs at their x, in one size.
type line struct {
	runs   []textRun
	size   float64
	before float64
	first  bool // the first line of its paragraph
	rule   float64
	x      float64 // the rule's start
}

type textRun struct {
	x    float64
	text string
	bold bool
}

func (ln line) height() float64 {
	if ln.rule > 0 {
		return 1
	}
	return ln.size * leading
}

// laidBlock is a block broken into lines.
type laidBlock struct {
	lines []line
	keep  bool
	top   float64
}

// metrics measure text in the installed font.
type metrics struct {
	widths []int             // per glyph, in 1/1000 of the font size
	chars  map[uint32]uint16 // character → glyph
}

func (m metrics) width(s string, size float64) float64 {
	w := 0
	for _, r := range s {
		if g := int(m.chars[uint32(r)]); g < len(m.widths) {
			w += m.widths[g]
		}
	}
	return float64(w) * size / 1000
}

// layout breaks every paragraph into lines.
func (m metrics) layout(blocks []block) []laidBlock {
	out := make([]laidBlock, 0, len(blocks))
	for _, b := range blocks {
		lb := laidBlock{keep: b.keep, top: b.top}
		for _, p := range b.paras {
			lb.lines = append(lb.lines, m.lines(p)...)
		}
		out = append(out, lb)
	}
	return out
}

// lines wraps p at its spaces into lines that fit its width; a word longer than a
// whole line is cut where it has to be, so that nothing runs off the page.
func (m metrics) lines(p para) []line {
	size := p.size
	if size == 0 {
		size = bodySize
	}
	left := marginL + p.indent + m.width(p.under, size)
	width := pageW - marginR - left
	if p.width > 0 {
		width = min(width, p.width)
	}
	if p.rule > 0 {
		return []line{{before: p.before, first: true, rule: p.rule, x: left}}
	}
	hang := p.hang
	if p.hangLabel && len(p.spans) > 0 {
		hang += min(m.width(p.spans[0].text, size), width*0.4)
	}
	var out []line
	var cur []word
	avail := width
	flush := func() {
		ln := line{size: size, runs: m.runs(cur, left+width-avail, size)}
		if len(out) == 0 {
			ln.before, ln.first = p.before, true
		}
		out = append(out, ln)
		cur, avail = nil, width-hang
	}
	space := m.width(" ", size)
	used := 0.0
	for _, w := range words(p.spans) {
		ww := m.wordWidth(w, size)
		if len(cur) > 0 && used+space+ww <= avail {
			cur, used = append(cur, w), used+space+ww
			continue
		}
		if len(cur) > 0 {
			flush()
		}
		for ww > avail {
			var head word
			head, w = m.cut(w, avail, size)
			cur = []word{head}
			flush()
			ww = m.wordWidth(w, size)
		}
		cur, used = []word{w}, ww
	}
	if len(cur) > 0 || len(out) == 0 {
		flush()
	}
	return out
}

// word is what lines break between: text with no space, maybe in several styles.
type word []span

func words(spans []span) []word {
	var out []word
	fresh := true
	for _, s := range spans {
		for i, part := range strings.Split(s.text, " ") {
			if i > 0 {
				fresh = true
			}
			if part == "" {
				continue
			}
			if fresh || len(out) == 0 {
				out = append(out, word{{part, s.bold}})
				fresh = false
				continue
			}
			out[len(out)-1] = append(out[len(out)-1], span{part, s.bold})
		}
	}
	return out
}

func (m metrics) wordWidth(w word, size float64) float64 {
	total := 0.0
	for _, s := range w {
		total += m.width(s.text, size)
	}
	return total
}

// cut splits w after as many characters as fit in avail (one at least).
func (m metrics) cut(w word, avail, size float64) (head, tail word) {
	used := 0.0
	for i, s := range w {
		for j, r := range s.text {
			rw := m.width(string(r), size)
			if used+rw > avail && (i > 0 || j > 0) {
				head = append(append(word{}, w[:i]...), span{s.text[:j], s.bold})
				tail = append(word{{s.text[j:], s.bold}}, w[i+1:]...)
				return trimEmpty(head), tail
			}
			used += rw
		}
	}
	return w, nil
}

func trimEmpty(w word) word {
	out := w[:0]
	for _, s := range w {
		if s.text != "" {
			out = append(out, s)
		}
	}
	return out
}

// runs places the words of a line from x, one run per change of style.
func (m metrics) runs(ws []word, x, size float64) []textRun {
	var out []textRun
	for i, w := range ws {
		for j, s := range w {
			text := s.text
			if i > 0 && j == 0 {
				text = " " + text
			}
			if n := len(out); n > 0 && out[n-1].bold == s.bold {
				out[n-1].text += text
			} else {
				start := x
				if n > 0 {
					start = out[n-1].x + m.width(out[n-1].text, size)
				}
				out = append(out, textRun{x: start, text: text, bold: s.bold})
			}
		}
	}
	return out
}

// placed is a line at its baseline (from the top edge).
type placed struct {
	line
	y float64
}

// bottom is the lowest a line may reach, from the top edge.
const bottom = pageH - marginB

// paginate puts the lines on pages. A block that must be kept together and does not
// fit below goes to the next page; so does a paragraph of three lines or less, or one
// of which not even two lines fit. Anything else is split between lines.
func paginate(blocks []laidBlock) [][]placed {
	pages := [][]placed{nil}
	y := marginT
	newPage := func() {
		pages = append(pages, nil)
		y = marginT
	}
	for _, b := range blocks {
		if len(pages) == 1 && b.top > y {
			y = b.top
		}
		if b.keep && !fits(b.lines, y) && fits(b.lines, marginT) {
			newPage()
		}
		for i, ln := range b.lines {
			if ln.first {
				p := b.lines[i : i+paraLen(b.lines[i:])]
				if !fits(p, y) && fits(p, marginT) && (len(p) <= 3 || !fits(p[:2], y)) {
					newPage()
				}
			}
			before := ln.before
			if y == marginT {
				before = 0
			}
			if y+before+ln.height() > bottom && y > marginT {
				newPage()
				before = 0
			}
			y += before
			pages[len(pages)-1] = append(pages[len(pages)-1], placed{ln, y + ln.size})
			y += ln.height()
		}
	}
	return pages
}

// fits reports whether lines fit on the page below y (from the top edge).
func fits(lines []line, y float64) bool {
	return y+height(lines, y == marginT) <= bottom
}

// paraLen is the number of lines of the paragraph lines starts with.
func paraLen(lines []line) int {
	for i := 1; i < len(lines); i++ {
		if lines[i].first {
			return i
		}
	}
	return len(lines)
}

func height(lines []line, atTop bool) float64 {
	h := 0.0
	for i, ln := range lines {
		if i > 0 || !atTop {
			h += ln.before
		}
		h += ln.height()
	}
	return h
}

// fontID is the font's resource name in every page.
const fontID = "F1"

// writePDF draws the pages and writes the document. The text is drawn glyph by glyph
// (Identity-H) in the installed font, which pdfcpu embeds as a subset of the glyphs
// used, with the map back to Unicode that lets readers copy and search the text.
// Bold is the regular font drawn with a thin outline, so one font is enough.
func writePDF(w io.Writer, m metrics, pages [][]placed, footer, title string) error {
	conf := model.NewDefaultConfiguration()
	conf.Cmd = model.CREATE
	doc, err := pdfcpu.CreateContextWithXRefTable(conf, types.PaperSize["A4"])
	if err != nil {
		return fmt.Errorf("new PDF: %w", err)
	}
	if doc.XRefTable.UsedGIDs == nil {
		doc.XRefTable.UsedGIDs = map[string]map[uint16]bool{}
	}
	used := map[uint16]bool{}
	doc.XRefTable.UsedGIDs[fontName] = used
	box := types.RectForDim(pageW, pageH)
	var out []*model.Page
	for i, lines := range pages {
		p := model.NewPage(box, box)
		p.Fm[fontName] = model.FontResource{Res: model.Resource{ID: fontID}}
		c := canvas{m: m, used: used, buf: p.Buf}
		c.page(lines, footer, fmt.Sprintf("page %d/%d", i+1, len(pages)))
		out = append(out, &p)
	}
	fonts := model.FontMap{fontName: model.FontResource{Res: model.Resource{ID: fontID}}}
	if _, _, err := create.UpdatePageTree(doc, out, fonts); err != nil {
		return fmt.Errorf("pages: %w", err)
	}
	if err := describe(doc, title); err != nil {
		return err
	}
	cw := &checkedWriter{w: w}
	if err := api.WriteContext(doc, cw); err != nil {
		if cw.err != nil {
			return fmt.Errorf("write letter: %w", cw.err)
		}
		return fmt.Errorf("write letter: %w", err)
	}
	return nil
}

// describe gives the document its title and language, which readers and screen
// readers show and use.
func describe(doc *model.Context, title string) error {
	info := types.NewDict()
	info.Insert("Title", types.NewHexLiteral([]byte(types.EncodeUTF16String(title))))
	ref, err := doc.IndRefForNewObject(info)
	if err != nil {
		return fmt.Errorf("document info: %w", err)
	}
	doc.Info = ref
	root, err := doc.Catalog()
	if err != nil {
		return fmt.Errorf("catalog: %w", err)
	}
	root.InsertString("Lang", "fr-FR")
	return nil
}

// canvas writes a page's content stream.
type canvas struct {
	m    metrics
	used map[uint16]bool
	buf  *bytes.Buffer
}

func (c canvas) page(lines []placed, footer, number string) {
	c.buf.WriteString("0 g 0 G 0.3 w\n")
	for _, ln := range lines {
		if ln.rule > 0 {
			y := pageH - ln.y
			fmt.Fprintf(c, "q 0.6 w %.2f %.2f m %.2f %.2f l S Q\n", ln.x, y, ln.x+ln.rule, y)
			continue
		}
		for _, r := range ln.runs {
			c.text(r, ln.size, pageH-ln.y)
		}
	}
	y := footerY + noteSize + 4
	fmt.Fprintf(c, "q 0.5 G 0.4 w %.2f %.2f m %.2f %.2f l S Q\n", marginL, y, pageW-marginR, y)
	c.buf.WriteString("0.35 g\n")
	c.text(textRun{x: marginL, text: footer}, noteSize, footerY)
	c.text(textRun{x: pageW - marginR - c.m.width(number, noteSize), text: number}, noteSize, footerY)
}

// text draws r with its baseline at y (from the bottom edge). Bold is fill and stroke.
func (c canvas) text(r textRun, size, y float64) {
	mode := 0
	if r.bold {
		mode = 2
	}
	fmt.Fprintf(c, "BT /%s %g Tf %d Tr %.2f %.2f Td <", fontID, size, mode, r.x, y)
	for _, ch := range r.text {
		g := c.m.chars[uint32(ch)]
		c.used[g] = true
		fmt.Fprintf(c, "%04X", g)
	}
	c.buf.WriteString("> Tj ET\n")
}

func (c canvas) Write(p []byte) (int, error) { return c.buf.Write(p) }
