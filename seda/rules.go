package seda

import (
	"encoding/xml"
	"strings"
)

// managementXML is a Management or ManagementMetadata block as written. A rule block
// is a sequence (Rule, StartDate?, Rule, StartDate?...), so it is read token by token:
// decoding it into lists would lose which StartDate belongs to which Rule.
type managementXML struct {
	sets     []ruleSetXML
	needAuth string
	fields   map[string]string // ManagementMetadata's own elements (OriginatingAgencyIdentifier...)
	update   *updateXML
}

// updateXML is Vitam's UpdateOperation: the unit is one already in the archive.
type updateXML struct {
	SystemID string `xml:"SystemId"`
	Name     string `xml:"ArchiveUnitIdentifierKey>MetadataName"`
	Value    string `xml:"ArchiveUnitIdentifierKey>MetadataValue"`
}

type ruleSetXML struct {
	category           Category
	rules              []ruleXML
	preventInheritance string
	refNonRuleIDs      []string
	finalAction        string
	level, owner, aud  string
}

type ruleXML struct {
	id, startDate                   string
	holdEndDate, holdOwner, holdWhy string
}

// categories finds a rule category by its element name.
var categories = func() map[string]Category {
	m := make(map[string]Category, len(Categories))
	for _, c := range Categories {
		m[string(c)] = c
	}
	return m
}()

// managementFields are the elements of ManagementMetadata kept besides the rules.
var managementFields = map[string]bool{
	"ArchivalProfile": true, "ServiceLevel": true, "AcquisitionInformation": true, "LegalStatus": true,
	"OriginatingAgencyIdentifier": true, "SubmissionAgencyIdentifier": true,
}

// UnmarshalXML reads the children of a management block; unknown ones (LogBook,
// UpdateOperation, extensions) are skipped.
func (x *managementXML) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	x.fields = make(map[string]string)
	return eachChild(d, func(t xml.StartElement) error {
		name := t.Name.Local
		switch {
		case categories[name] != "":
			set := ruleSetXML{category: categories[name]}
			if err := set.read(d); err != nil {
				return err
			}
			x.sets = append(x.sets, set)
			return nil
		case name == "NeedAuthorization":
			return d.DecodeElement(&x.needAuth, &t)
		case name == "UpdateOperation":
			x.update = &updateXML{}
			return d.DecodeElement(x.update, &t)
		case managementFields[name]:
			var s string
			err := d.DecodeElement(&s, &t)
			x.fields[name] = strings.TrimSpace(s)
			return err
		}
		return d.Skip()
	})
}

// read reads a rule block's children in order, attaching each StartDate and hold detail
// to the Rule before it.
func (s *ruleSetXML) read(d *xml.Decoder) error {
	return eachChild(d, func(t xml.StartElement) error {
		var v string
		if err := d.DecodeElement(&v, &t); err != nil {
			return err
		}
		v = strings.TrimSpace(v)
		last := &ruleXML{} // details before any Rule have nowhere to go
		if len(s.rules) > 0 {
			last = &s.rules[len(s.rules)-1]
		}
		switch t.Name.Local {
		case "Rule":
			s.rules = append(s.rules, ruleXML{id: v})
		case "StartDate":
			last.startDate = v
		case "HoldEndDate":
			last.holdEndDate = v
		case "HoldOwner":
			last.holdOwner = v
		case "HoldReason":
			last.holdWhy = v
		case "PreventInheritance":
			s.preventInheritance = v
		case "RefNonRuleId":
			s.refNonRuleIDs = append(s.refNonRuleIDs, v)
		case "FinalAction":
			s.finalAction = v
		case "ClassificationLevel":
			s.level = v
		case "ClassificationOwner":
			s.owner = v
		case "ClassificationAudience":
			s.aud = v
		}
		return nil
	})
}

// eachChild calls fn on each child element of the element just opened; fn must consume
// the child (decode or skip it). It returns at the element's end.
func eachChild(d *xml.Decoder, fn func(xml.StartElement) error) error {
	for {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if err := fn(t); err != nil {
				return err
			}
		case xml.EndElement:
			return nil
		}
	}
}

func (m *parser) unitManagement(t xml.StartElement, u *Unit) error {
	var x managementXML
	if err := m.decode(&x, t); err != nil {
		return err
	}
	u.Management = m.management("unit "+u.ID, &x)
	if up := x.update; up != nil {
		e := ExistingUnit{SystemID: trim(up.SystemID), MetadataName: trim(up.Name), MetadataValue: trim(up.Value)}
		if e != (ExistingUnit{}) {
			u.Existing = &e
		}
	}
	return nil
}

func (m *parser) managementMetadata(t xml.StartElement) error {
	var x managementXML
	if err := m.decode(&x, t); err != nil {
		return err
	}
	mm := &m.t.Management
	mm.ArchivalProfile = x.fields["ArchivalProfile"]
	mm.ServiceLevel = x.fields["ServiceLevel"]
	mm.AcquisitionInformation = x.fields["AcquisitionInformation"]
	mm.LegalStatus = x.fields["LegalStatus"]
	mm.OriginatingAgencyIdentifier = x.fields["OriginatingAgencyIdentifier"]
	mm.SubmissionAgencyIdentifier = x.fields["SubmissionAgencyIdentifier"]
	mm.Rules = m.management("ManagementMetadata", &x)
	return nil
}

// management converts the rule blocks. A value that cannot be read never loosens a
// protection: an unreadable StartDate leaves the rule without a start (its end is then
// unknown and the unit stays closed), an unreadable PreventInheritance blocks nothing.
func (m *parser) management(where string, x *managementXML) Management {
	var out Management
	if x.needAuth != "" {
		b, ok := parseBool(x.needAuth)
		if ok {
			out.NeedAuthorization = &b
		} else {
			m.warnf("%s: NeedAuthorization %q is not a boolean: ignored", where, trim(x.needAuth))
		}
	}
	for _, s := range x.sets {
		if out.Rules == nil {
			out.Rules = make(map[Category]*RuleSet)
		}
		rs := out.Rules[s.category]
		if rs == nil {
			rs = &RuleSet{}
			out.Rules[s.category] = rs
		}
		m.addRuleSet(where+": "+string(s.category), rs, s)
	}
	return out
}

// addRuleSet adds one block to the category's set (a block repeated in one Management
// is merged rather than lost).
func (m *parser) addRuleSet(where string, rs *RuleSet, s ruleSetXML) {
	for _, r := range s.rules {
		if r.id == "" {
			m.warnf("%s: a Rule without an identifier: ignored", where)
			continue
		}
		rs.Rules = append(rs.Rules, Rule{
			ID:          r.id,
			StartDate:   m.date(where+" "+r.id, "StartDate", r.startDate, periodEnd),
			HoldEndDate: m.date(where+" "+r.id, "HoldEndDate", r.holdEndDate, periodEnd),
			HoldOwner:   r.holdOwner,
			HoldReason:  r.holdWhy,
		})
	}
	if s.preventInheritance != "" {
		b, ok := parseBool(s.preventInheritance)
		if !ok {
			m.warnf("%s: PreventInheritance %q is not a boolean: read as false", where, s.preventInheritance)
		}
		rs.PreventInheritance = rs.PreventInheritance || b
	}
	rs.RefNonRuleIDs = append(rs.RefNonRuleIDs, trimAll(s.refNonRuleIDs)...)
	rs.FinalAction = firstNonEmpty(s.finalAction, rs.FinalAction)
	rs.ClassificationLevel = firstNonEmpty(s.level, rs.ClassificationLevel)
	rs.ClassificationOwner = firstNonEmpty(s.owner, rs.ClassificationOwner)
	rs.ClassificationAudience = firstNonEmpty(s.aud, rs.ClassificationAudience)
}

func parseBool(s string) (bool, bool) {
	switch strings.TrimSpace(s) {
	case "true", "1":
		return true, true
	case "false", "0":
		return false, true
	}
	return false, false
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
