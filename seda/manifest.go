package seda

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// ReadManifest parses a SEDA 2.x manifest and validates its structure (see Open), without
// looking for any file: every object is recorded as absent. Refusals are *RefusalError.
func ReadManifest(r io.Reader) (*Transfer, error) {
	return readManifest(r, "the manifest")
}

// readManifest streams a manifest: the token walk keeps only a stack of the open
// elements and ArchiveUnits, and decodes whole only the bounded blocks (Content,
// Management, a data object, ManagementMetadata, an agency). No tree of the document is
// ever built, so the memory used grows with what is kept, not with the XML.
func readManifest(r io.Reader, name string) (*Transfer, error) {
	src := &trackingReader{r: r}
	br := bufio.NewReaderSize(src, 64<<10)
	if err := sniffManifest(br, name); err != nil {
		return nil, err
	}
	in, wide := utf16Reader(br)
	m := &parser{name: name, src: src, t: &Transfer{}, g: newGraph()}
	m.d = xml.NewDecoder(in)
	m.d.CharsetReader = m.charsetReader(wide)
	if err := m.parse(); err != nil {
		return nil, err
	}
	if err := m.resolve(); err != nil {
		return nil, err
	}
	return m.t, nil
}

// sniffManifest names the common mistake of a binary file saved as manifest.xml.
func sniffManifest(br *bufio.Reader, name string) error {
	head, _ := br.Peek(8)
	switch {
	case len(bytes.TrimSpace(head)) == 0 && len(head) < 8:
		return refusef("%s is empty", name)
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return refusef("%s is not XML: it is a PDF document", name)
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return refusef("%s is not XML: it is a zip archive", name)
	}
	return nil
}

// utf16Reader decodes a UTF-16 manifest to UTF-8 for the XML decoder, which reads only
// UTF-8 itself: XML 1.0 (appendix F) tells UTF-16 by its byte-order mark (FE FF, FF FE)
// or, without one, by "<?" written on two bytes a character (00 3C 00 3F, 3C 00 3F 00).
// Windows tools save manifests so. It reports whether it decodes.
func utf16Reader(br *bufio.Reader) (io.Reader, bool) {
	head, _ := br.Peek(4)
	var enc encoding.Encoding
	switch {
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE, 0, 0}) || bytes.HasPrefix(head, []byte{0, 0, 0xFE, 0xFF}):
		return br, false // UTF-32: left to the XML decoder, which refuses it
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		enc = unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM)
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		enc = unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM)
	case bytes.Equal(head, []byte{0, '<', 0, '?'}):
		enc = unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM)
	case bytes.Equal(head, []byte{'<', 0, '?', 0}):
		enc = unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)
	default:
		return br, false
	}
	return transform.NewReader(br, enc.NewDecoder()), true
}

// charsetReader gives the XML decoder a reader for the encoding the declaration names.
// A manifest already decoded from UTF-16 is UTF-8 by then, whatever it declares; one
// declaring UTF-16 without being UTF-16 contradicts itself and is refused.
func (m *parser) charsetReader(wide bool) func(string, io.Reader) (io.Reader, error) {
	return func(label string, input io.Reader) (io.Reader, error) {
		isUTF16 := strings.HasPrefix(strings.ReplaceAll(strings.ToLower(label), "-", ""), "utf16")
		switch {
		case wide:
			return input, nil
		case isUTF16:
			m.refusal = refusef("%s declares encoding %q but is not written in UTF-16 (no byte-order mark, one byte a character)", m.name, label)
			return nil, m.refusal
		}
		enc, err := htmlindex.Get(label)
		if err != nil {
			return nil, fmt.Errorf("unsupported character encoding %q", label)
		}
		return enc.NewDecoder().Reader(input), nil
	}
}

// trackingReader remembers the last error of the underlying reader, so that a failure to
// read (or a limit refusal) is not mistaken for malformed XML.
type trackingReader struct {
	r   io.Reader
	err error
}

func (t *trackingReader) Read(b []byte) (int, error) {
	n, err := t.r.Read(b)
	if err != nil && err != io.EOF {
		t.err = err
	}
	return n, err
}

// parser walks the manifest's tokens.
type parser struct {
	name string
	src  *trackingReader
	d    *xml.Decoder
	ns   string // the SEDA namespace of the root element
	t    *Transfer
	g    *graph

	path  []string     // local names of the open elements the walk went into
	units []*unitFrame // the open ArchiveUnit elements, innermost last
	group string       // id of the open DataObjectGroup element

	refusal error // a refusal the XML decoder could only report as text (from CharsetReader)
}

// unitFrame is an ArchiveUnit element being read. Until it closes, it is not known
// whether it is a unit or a link (an element holding only an ArchiveUnitRefId).
type unitFrame struct {
	unit       *Unit
	parent     string // id of the enclosing unit, "" at the top of DescriptiveMetadata
	refID      string
	body       bool // holds Content, Management, a DataObjectReference or a nested unit
	hasContent bool
}

func (m *parser) parse() error {
	if err := m.root(); err != nil {
		return err
	}
	for len(m.path) > 0 {
		tok, err := m.d.Token()
		if err != nil {
			return m.xmlError(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			err = m.start(t)
		case xml.EndElement:
			err = m.end()
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// root reads up to the root element and checks it is a SEDA 2.x transfer.
func (m *parser) root() error {
	for {
		tok, err := m.d.Token()
		if err == io.EOF && m.src.err == nil {
			return refusef("%s holds no XML element", m.name)
		}
		if err != nil {
			return m.xmlError(err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			return m.checkRoot(se)
		}
	}
}

const (
	sedaNS   = "fr:gouv:culture:archivesdefrance:seda:"
	legacyNS = "fr:gouv:ae:archive:draft:standard_echange_v"
)

func (m *parser) checkRoot(se xml.StartElement) error {
	ns := se.Name.Space
	switch {
	case strings.HasPrefix(ns, legacyNS):
		return refusef("SEDA %s bordereau (namespace %s) is not supported: only ArchiveTransfer 2.0–2.3",
			strings.TrimPrefix(ns, legacyNS), ns)
	case ns == sedaNS+"v1.0":
		return refusef("SEDA 1.0 bordereau (namespace %s) is not supported: only ArchiveTransfer 2.0–2.3", ns)
	case !strings.HasPrefix(ns, sedaNS):
		return refusef("not a SEDA manifest: root element <%s> in namespace %q", se.Name.Local, ns)
	}
	v := strings.TrimPrefix(ns, sedaNS)
	switch v {
	case "v2.0", "v2.1", "v2.2", "v2.3":
	default:
		return refusef("unsupported SEDA version %q (supported: 2.0, 2.1, 2.2, 2.3)", v)
	}
	switch se.Name.Local {
	case "ArchiveTransfer", "ArchiveDeliveryRequestReply":
	default:
		return refusef("a SEDA %s %s is not a transfer: only ArchiveTransfer (or ArchiveDeliveryRequestReply) carries archives",
			v[1:], se.Name.Local)
	}
	m.ns = ns
	m.t.Version = v[1:]
	m.t.Message = se.Name.Local
	m.path = []string{se.Name.Local}
	return nil
}

// xmlError tells a failure to read the input from XML the manifest cannot be.
func (m *parser) xmlError(err error) error {
	if m.src.err != nil {
		return readError(m.name, m.src.err)
	}
	if m.refusal != nil {
		return m.refusal
	}
	var re *RefusalError
	if errors.As(err, &re) {
		return err
	}
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return refusef("malformed XML in %s: line %d: %s", m.name, se.Line, se.Msg)
	}
	if errors.Is(err, io.EOF) {
		return refusef("malformed XML in %s: unexpected end of file", m.name)
	}
	return refusef("malformed XML in %s: %s", m.name, strings.TrimPrefix(err.Error(), "xml: "))
}

// start dispatches an element on where it stands. Each handler either pushes the
// element (the walk goes into it) or consumes it whole (decodes or skips it).
func (m *parser) start(t xml.StartElement) error {
	if t.Name.Space != m.ns && t.Name.Space != "" { // an extension: not ours to read
		return m.skip()
	}
	switch m.path[len(m.path)-1] {
	case m.t.Message:
		return m.inRoot(t)
	case "DataObjectPackage":
		return m.inPackage(t)
	case "DataObjectGroup":
		return m.inGroup(t)
	case "DescriptiveMetadata":
		if t.Name.Local == "ArchiveUnit" {
			return m.openUnit(t, "")
		}
	case "ArchiveUnit":
		return m.inUnit(t)
	}
	return m.skip()
}

func (m *parser) end() error {
	closed := m.path[len(m.path)-1]
	m.path = m.path[:len(m.path)-1]
	switch closed {
	case "ArchiveUnit":
		return m.closeUnit()
	case "DataObjectGroup":
		m.group = ""
	}
	return nil
}

func (m *parser) push(t xml.StartElement) error {
	m.path = append(m.path, t.Name.Local)
	return nil
}

func (m *parser) skip() error {
	if err := m.d.Skip(); err != nil {
		return m.xmlError(err)
	}
	return nil
}

func (m *parser) decode(v any, t xml.StartElement) error {
	if err := m.d.DecodeElement(v, &t); err != nil {
		return m.xmlError(err)
	}
	return nil
}

func (m *parser) text(t xml.StartElement) (string, error) {
	var s string
	err := m.decode(&s, t)
	return strings.TrimSpace(s), err
}

func (m *parser) inRoot(t xml.StartElement) error {
	var err error
	switch t.Name.Local {
	case "Comment":
		var c string
		if c, err = m.text(t); c != "" {
			m.t.Comments = append(m.t.Comments, c)
		}
	case "Date":
		m.t.Date, err = m.text(t)
	case "MessageIdentifier":
		m.t.MessageIdentifier, err = m.text(t)
	case "ArchivalAgreement":
		m.t.ArchivalAgreement, err = m.text(t)
	case "ArchivalAgency":
		err = m.agency(t, &m.t.ArchivalAgency)
	case "TransferringAgency":
		err = m.agency(t, &m.t.TransferringAgency)
	case "DataObjectPackage":
		return m.push(t)
	default:
		return m.skip()
	}
	return err
}

func (m *parser) inPackage(t xml.StartElement) error {
	switch t.Name.Local {
	case "DataObjectGroup":
		id := attr(t, "id")
		if id == "" {
			return refusef("a DataObjectGroup has no id")
		}
		if err := m.g.declare(id, "DataObjectGroup"); err != nil {
			return err
		}
		m.g.groups.add(id)
		m.group = id
		return m.push(t)
	case "BinaryDataObject", "PhysicalDataObject":
		return m.dataObject(t)
	case "DescriptiveMetadata":
		return m.push(t)
	case "ManagementMetadata":
		return m.managementMetadata(t)
	}
	return m.skip()
}

func (m *parser) inGroup(t xml.StartElement) error {
	switch t.Name.Local {
	case "BinaryDataObject", "PhysicalDataObject":
		return m.dataObject(t)
	}
	return m.skip()
}

func (m *parser) inUnit(t xml.StartElement) error {
	f := m.units[len(m.units)-1]
	switch t.Name.Local {
	case "ArchiveUnit":
		f.body = true
		return m.openUnit(t, f.unit.ID)
	case "ArchiveUnitRefId":
		ref, err := m.text(t)
		if err == nil && (ref == "" || f.refID != "") {
			err = refusef("unit %s: empty or repeated ArchiveUnitRefId", f.unit.ID)
		}
		f.refID = ref
		return err
	case "Content":
		if f.hasContent {
			return refusef("unit %s has two Content blocks", f.unit.ID)
		}
		f.body, f.hasContent = true, true
		return m.content(t, f.unit)
	case "Management":
		f.body = true
		return m.unitManagement(t, f.unit)
	case "DataObjectReference":
		f.body = true
		return m.objectReference(t, f.unit.ID)
	case "ArchiveUnitProfile":
		f.body = true
	}
	return m.skip()
}

// openUnit starts an ArchiveUnit element. Its Unit is listed at once, to keep document
// order, and dropped when the element turns out to be a link.
func (m *parser) openUnit(t xml.StartElement, parent string) error {
	id := attr(t, "id")
	if id == "" {
		return refusef("an ArchiveUnit has no id")
	}
	if err := m.g.declare(id, "ArchiveUnit"); err != nil {
		return err
	}
	u := &Unit{ID: id}
	m.t.Units = append(m.t.Units, u)
	m.units = append(m.units, &unitFrame{unit: u, parent: parent})
	return m.push(t)
}

func (m *parser) closeUnit() error {
	f := m.units[len(m.units)-1]
	m.units = m.units[:len(m.units)-1]
	id := f.unit.ID
	switch {
	case f.refID != "" && f.body:
		return refusef("unit %s has both an ArchiveUnitRefId and content of its own", id)
	case f.refID != "":
		// A link: it has no nested element, so its placeholder is the last unit listed.
		m.t.Units = m.t.Units[:len(m.t.Units)-1]
		m.g.links[id] = f.refID
		if f.parent != "" {
			m.g.edges = append(m.g.edges, edge{parent: f.parent, child: f.refID})
		}
		return nil
	case !f.hasContent:
		return refusef("unit %s has no Content", id)
	}
	if f.parent != "" {
		m.g.edges = append(m.g.edges, edge{parent: f.parent, child: id})
	}
	return nil
}

func (m *parser) objectReference(t xml.StartElement, unit string) error {
	var x struct {
		Object string `xml:"DataObjectReferenceId"`
		Group  string `xml:"DataObjectGroupReferenceId"`
	}
	if err := m.decode(&x, t); err != nil {
		return err
	}
	r := objectRef{unit: unit, object: strings.TrimSpace(x.Object), group: strings.TrimSpace(x.Group)}
	if r.object == "" && r.group == "" {
		return refusef("unit %s: empty DataObjectReference", unit)
	}
	m.g.objectRefs = append(m.g.objectRefs, r)
	return nil
}

type agencyXML struct {
	Identifier string `xml:"Identifier"`
	Name       string `xml:"OrganizationDescriptiveMetadata>Name"`
}

func (x agencyXML) agency() Agency {
	return Agency{Identifier: strings.TrimSpace(x.Identifier), Name: strings.TrimSpace(x.Name)}
}

func (m *parser) agency(t xml.StartElement, a *Agency) error {
	var x agencyXML
	if err := m.decode(&x, t); err != nil {
		return err
	}
	*a = x.agency()
	return nil
}

// attr is the value of an unqualified attribute.
func attr(t xml.StartElement, local string) string {
	for _, a := range t.Attr {
		if a.Name.Local == local && a.Name.Space == "" {
			return strings.TrimSpace(a.Value)
		}
	}
	return ""
}

// warnf records something the reader corrected or dropped (see Transfer.Warnings).
func (m *parser) warnf(format string, args ...any) {
	m.t.Warnings = append(m.t.Warnings, fmt.Sprintf(format, args...))
}
