package corpus

import (
	"bytes"
	"fmt"
	"strings"
	"time"
)

// manifestWriter writes a SEDA 2.1 ArchiveTransfer by hand, element by element, in the
// order of the 2.1 schema (seda-2.1-main.xsd): streaming text is cheaper than building
// a tree for thousands of units, and the order never changes between runs.
type manifestWriter struct {
	b     bytes.Buffer
	depth int
}

func (w *manifestWriter) open(name string, attrs ...string) {
	w.indent()
	w.b.WriteString("<" + name)
	for i := 0; i+1 < len(attrs); i += 2 {
		fmt.Fprintf(&w.b, ` %s="%s"`, attrs[i], escape(attrs[i+1]))
	}
	w.b.WriteString(">\n")
	w.depth++
}

func (w *manifestWriter) close(name string) {
	w.depth--
	w.indent()
	w.b.WriteString("</" + name + ">\n")
}

// leaf writes <name attrs>text</name>; an empty text writes nothing.
func (w *manifestWriter) leaf(name, text string, attrs ...string) {
	if text == "" {
		return
	}
	w.indent()
	w.b.WriteString("<" + name)
	for i := 0; i+1 < len(attrs); i += 2 {
		fmt.Fprintf(&w.b, ` %s="%s"`, attrs[i], escape(attrs[i+1]))
	}
	w.b.WriteString(">" + escape(text) + "</" + name + ">\n")
}

func (w *manifestWriter) indent() { w.b.WriteString(strings.Repeat("  ", w.depth)) }

// escape escapes what XML requires in text and attribute values (and no more:
// "d'achèvement" stays readable).
var escape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace

func day(t time.Time) string { return t.Format("2006-01-02") }

// writeManifest writes the transfer of one fonds with its objects.
func writeManifest(p *packagePlan, root *unit, objs []*pdfObject, date time.Time) []byte {
	w := &manifestWriter{}
	w.b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	w.open("ArchiveTransfer", "xmlns", "fr:gouv:culture:archivesdefrance:seda:v2.1",
		"xmlns:xlink", "http://www.w3.org/1999/xlink")
	w.leaf("Comment", "Versement généré pour les mesures de performance de sesam : "+root.title)
	w.leaf("Date", date.Format("2006-01-02T15:04:05"))
	w.leaf("MessageIdentifier", fmt.Sprintf("bench-%s-%02d", strings.ReplaceAll(p.tenant.ID, "/", "-"), p.seq))
	w.leaf("ArchivalAgreement", "CONV-"+strings.ToUpper(strings.Split(p.tenant.ID, "/")[0])+"-SAE")
	w.open("CodeListVersions")
	w.leaf("ReplyCodeListVersion", "ReplyCodeListVersion0")
	w.leaf("MessageDigestAlgorithmCodeListVersion", "MessageDigestAlgorithmCodeListVersion0")
	w.leaf("FileFormatCodeListVersion", "PRONOM")
	w.close("CodeListVersions")
	w.open("DataObjectPackage")
	for _, o := range objs {
		writeObject(w, o)
	}
	w.open("DescriptiveMetadata")
	writeUnit(w, root)
	w.close("DescriptiveMetadata")
	w.open("ManagementMetadata")
	w.leaf("OriginatingAgencyIdentifier", p.producer())
	w.leaf("SubmissionAgencyIdentifier", strings.ReplaceAll(p.tenant.ID, "/", "-"))
	w.close("ManagementMetadata")
	w.close("DataObjectPackage")
	w.open("ArchivalAgency")
	w.leaf("Identifier", "cdg59")
	w.close("ArchivalAgency")
	w.open("TransferringAgency")
	w.leaf("Identifier", strings.ReplaceAll(p.tenant.ID, "/", "-"))
	w.close("TransferringAgency")
	w.close("ArchiveTransfer")
	return w.b.Bytes()
}

func writeObject(w *manifestWriter, o *pdfObject) {
	w.open("DataObjectGroup", "id", o.group)
	w.open("BinaryDataObject", "id", o.id)
	w.leaf("DataObjectVersion", "BinaryMaster_1")
	w.leaf("Uri", "content/"+o.filename)
	w.leaf("MessageDigest", o.digest, "algorithm", "SHA-512")
	w.leaf("Size", fmt.Sprint(len(o.body)))
	w.open("FormatIdentification")
	w.leaf("FormatLitteral", "Acrobat PDF 1.4 - Portable Document Format")
	w.leaf("MimeType", "application/pdf")
	w.leaf("FormatId", "fmt/18")
	w.close("FormatIdentification")
	w.open("FileInfo")
	w.leaf("Filename", o.filename)
	w.close("FileInfo")
	w.close("BinaryDataObject")
	w.close("DataObjectGroup")
}

// writeUnit writes a unit and its subtree: Management, Content, children, object.
func writeUnit(w *manifestWriter, u *unit) {
	w.open("ArchiveUnit", "id", u.id)
	if len(u.access) > 0 || len(u.dissem) > 0 {
		w.open("Management")
		writeRules(w, "AccessRule", u.access)
		writeRules(w, "DisseminationRule", u.dissem)
		w.close("Management")
	}
	writeContent(w, u)
	for _, c := range u.children {
		writeUnit(w, c)
	}
	if u.object != nil {
		w.open("DataObjectReference")
		w.leaf("DataObjectGroupReferenceId", u.object.group)
		w.close("DataObjectReference")
	}
	w.close("ArchiveUnit")
}

func writeRules(w *manifestWriter, category string, rules []ruleRef) {
	if len(rules) == 0 {
		return
	}
	w.open(category)
	for _, r := range rules {
		w.leaf("Rule", r.id)
		if r.start != nil {
			w.leaf("StartDate", day(*r.start))
		}
	}
	w.close(category)
}

func writeContent(w *manifestWriter, u *unit) {
	w.open("Content")
	w.leaf("DescriptionLevel", u.level)
	w.leaf("Title", u.title, "xml:lang", "fr")
	w.leaf("ArchivalAgencyArchiveUnitIdentifier", u.cote)
	w.leaf("Description", u.desc, "xml:lang", "fr")
	w.leaf("Language", "fra")
	w.leaf("DescriptionLanguage", "fra")
	for _, k := range u.keywords {
		w.open("Keyword")
		w.leaf("KeywordContent", k.content)
		w.leaf("KeywordType", k.kind, "listVersionID", "edition 2009")
		w.close("Keyword")
	}
	for _, role := range []string{"Writer", "Addressee"} {
		for _, p := range u.persons {
			if p.role == role {
				writePerson(w, p)
			}
		}
	}
	w.leaf("StartDate", day(u.start))
	w.leaf("EndDate", day(u.end))
	w.close("Content")
}

func writePerson(w *manifestWriter, p person) {
	w.open(p.role)
	w.leaf("FirstName", p.first)
	w.leaf("BirthName", p.last)
	if p.birth != nil {
		w.leaf("BirthDate", day(*p.birth))
	}
	if p.death != nil {
		w.leaf("DeathDate", day(*p.death))
	}
	w.close(p.role)
}
