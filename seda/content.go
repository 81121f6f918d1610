package seda

import (
	"encoding/xml"
	"strings"
	"time"
)

// contentXML is the part of an ArchiveUnit's Content that sesam keeps. Anything else
// (Coverage, Gps, Event, TextContent, extensions) is skipped by the decoder.
type contentXML struct {
	DescriptionLevel        string         `xml:"DescriptionLevel"`
	Titles                  []textXML      `xml:"Title"`
	FilePlanPositions       []string       `xml:"FilePlanPosition"`
	SystemIDs               []string       `xml:"SystemId"`
	OriginatingSystemIDs    []string       `xml:"OriginatingSystemId"`
	ArchivalAgencyIDs       []string       `xml:"ArchivalAgencyArchiveUnitIdentifier"`
	OriginatingAgencyIDs    []string       `xml:"OriginatingAgencyArchiveUnitIdentifier"`
	TransferringAgencyIDs   []string       `xml:"TransferringAgencyArchiveUnitIdentifier"`
	Descriptions            []textXML      `xml:"Description"`
	CustodialHistory        []string       `xml:"CustodialHistory>CustodialHistoryItem"`
	Type                    string         `xml:"Type"`
	DocumentType            string         `xml:"DocumentType"`
	Languages               []string       `xml:"Language"`
	DescriptionLanguage     string         `xml:"DescriptionLanguage"`
	Status                  string         `xml:"Status"`
	Tags                    []string       `xml:"Tag"`
	Keywords                []keywordXML   `xml:"Keyword"`
	OriginatingAgency       *agencyXML     `xml:"OriginatingAgency"`
	SubmissionAgency        *agencyXML     `xml:"SubmissionAgency"`
	Sources                 []string       `xml:"Source"`
	RelatedObjectReferences []relationsXML `xml:"RelatedObjectReference"`
	PersistentIdentifiers   []string       `xml:"PersistentIdentifier>PersistentIdentifierContent"`
	Signatures              []signatureXML `xml:"Signature"`          // SEDA 2.1, 2.2
	SigningInformation      []signingXML   `xml:"SigningInformation"` // SEDA 2.3
	AgentGroups             []personsXML   `xml:"AgentGroup"`         // SEDA 2.3
	DateLitteral            string         `xml:"DateLitteral"`
	personsXML
	contentDatesXML
}

type contentDatesXML struct {
	StartDate      string `xml:"StartDate"`
	EndDate        string `xml:"EndDate"`
	CreatedDate    string `xml:"CreatedDate"`
	TransactedDate string `xml:"TransactedDate"`
	AcquiredDate   string `xml:"AcquiredDate"`
	SentDate       string `xml:"SentDate"`
	ReceivedDate   string `xml:"ReceivedDate"`
	RegisteredDate string `xml:"RegisteredDate"`
}

type textXML struct {
	Lang  string `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	Value string `xml:",chardata"`
}

type keywordXML struct {
	Content   string `xml:"KeywordContent"`
	Reference string `xml:"KeywordReference"`
	Type      string `xml:"KeywordType"`
}

// personsXML holds the agent groups of SEDA 2.1–2.3, each element a role.
type personsXML struct {
	Agent           []personXML `xml:"Agent"`
	AuthorizedAgent []personXML `xml:"AuthorizedAgent"`
	Writer          []personXML `xml:"Writer"`
	Addressee       []personXML `xml:"Addressee"`
	Recipient       []personXML `xml:"Recipient"`
	Transmitter     []personXML `xml:"Transmitter"`
	Sender          []personXML `xml:"Sender"`
}

type signatureXML struct {
	Signer    []personXML `xml:"Signer"`
	Validator []personXML `xml:"Validator"`
}

type signingXML struct {
	Signatures   []signatureXML `xml:"Signature"`
	Descriptions []signatureXML `xml:"SignatureDescription"`
}

type personXML struct {
	FirstName   string   `xml:"FirstName"`
	BirthName   string   `xml:"BirthName"`
	FullName    string   `xml:"FullName"`
	GivenName   string   `xml:"GivenName"`
	Gender      string   `xml:"Gender"`
	BirthDate   string   `xml:"BirthDate"`
	BirthPlace  placeXML `xml:"BirthPlace"`
	DeathDate   string   `xml:"DeathDate"`
	DeathPlace  placeXML `xml:"DeathPlace"`
	Corpname    string   `xml:"Corpname"`
	Identifiers []string `xml:"Identifier"`
	Functions   []string `xml:"Function"`
	Positions   []string `xml:"Position"`
}

type placeXML struct {
	Geogname   string `xml:"Geogname"`
	Address    string `xml:"Address"`
	PostalCode string `xml:"PostalCode"`
	City       string `xml:"City"`
	Region     string `xml:"Region"`
	Country    string `xml:"Country"`
}

// relationsXML is a RelatedObjectReference: each child is a relation (Replaces,
// IsPartOf, References...) naming a unit, an object or an outside reference.
type relationsXML struct {
	Relations []struct {
		XMLName   xml.Name
		Unit      string `xml:"ArchiveUnitRefId"`
		Object    string `xml:"DataObjectReference>DataObjectReferenceId"`
		Group     string `xml:"DataObjectReference>DataObjectGroupReferenceId"`
		UnitPID   string `xml:"RepositoryArchiveUnitPID"`
		ObjectPID string `xml:"RepositoryObjectPID"`
		External  string `xml:"ExternalReference"`
	} `xml:",any"`
}

func (m *parser) content(t xml.StartElement, u *Unit) error {
	var c contentXML
	if err := m.decode(&c, t); err != nil {
		return err
	}
	u.Level = trim(c.DescriptionLevel)
	u.Titles = texts(c.Titles)
	u.Descriptions = texts(c.Descriptions)
	u.ArchivalAgencyIDs = trimAll(c.ArchivalAgencyIDs)
	u.OriginatingAgencyIDs = trimAll(c.OriginatingAgencyIDs)
	u.TransferringAgencyIDs = trimAll(c.TransferringAgencyIDs)
	u.SystemIDs = trimAll(c.SystemIDs)
	u.OriginatingSystemIDs = trimAll(c.OriginatingSystemIDs)
	u.FilePlanPositions = trimAll(c.FilePlanPositions)
	u.PersistentIdentifiers = trimAll(c.PersistentIdentifiers)
	u.Type = trim(c.Type)
	u.DocumentType = trim(c.DocumentType)
	u.Languages = trimAll(c.Languages)
	u.DescriptionLanguage = trim(c.DescriptionLanguage)
	u.Status = trim(c.Status)
	u.Tags = trimAll(c.Tags)
	u.CustodialHistory = trimAll(c.CustodialHistory)
	u.Source = strings.Join(trimAll(c.Sources), "; ")
	u.Keywords = keywords(c.Keywords)
	u.OriginatingAgency = agencyPtr(c.OriginatingAgency)
	u.SubmissionAgency = agencyPtr(c.SubmissionAgency)
	u.RelatedObjectReference = relations(c.RelatedObjectReferences)
	u.Persons = m.persons(u.ID, &c)
	m.dates(u, &c)
	return nil
}

// dates reads the date group. A value that is not a date is dropped with a warning; a
// StartDate or EndDate dropped so is kept in DateLitteral when the unit has none, so
// that "vers 1850" stays visible and searchable.
func (m *parser) dates(u *Unit, c *contentXML) {
	where := "unit " + u.ID
	u.DateLitteral = trim(c.DateLitteral)
	u.StartDate = m.date(where, "StartDate", c.StartDate, periodStart)
	u.EndDate = m.date(where, "EndDate", c.EndDate, periodEnd)
	u.CreatedDate = m.date(where, "CreatedDate", c.CreatedDate, periodEnd)
	u.TransactedDate = m.date(where, "TransactedDate", c.TransactedDate, periodEnd)
	u.AcquiredDate = m.date(where, "AcquiredDate", c.AcquiredDate, periodEnd)
	u.SentDate = m.date(where, "SentDate", c.SentDate, periodEnd)
	u.ReceivedDate = m.date(where, "ReceivedDate", c.ReceivedDate, periodEnd)
	u.RegisteredDate = m.date(where, "RegisteredDate", c.RegisteredDate, periodEnd)
	if u.DateLitteral != "" {
		return
	}
	var unread []string
	if s := trim(c.StartDate); s != "" && u.StartDate == nil {
		unread = append(unread, s)
	}
	if s := trim(c.EndDate); s != "" && u.EndDate == nil {
		unread = append(unread, s)
	}
	u.DateLitteral = strings.Join(unread, " – ")
}

// date parses one date, warning when a value is there but cannot be read.
func (m *parser) date(where, field, raw string, side periodSide) *time.Time {
	raw = trim(raw)
	if raw == "" {
		return nil
	}
	d, ok := parseDate(raw, side)
	if !ok {
		m.warnf("%s: %s %q is not a date: ignored", where, field, raw)
		return nil
	}
	return &d
}

func (m *parser) persons(unit string, c *contentXML) []Person {
	var out []Person
	add := func(role string, xs []personXML) {
		for _, x := range xs {
			out = append(out, m.person(unit, role, x))
		}
	}
	addGroup := func(g personsXML) {
		add("Agent", g.Agent)
		add("AuthorizedAgent", g.AuthorizedAgent)
		add("Writer", g.Writer)
		add("Addressee", g.Addressee)
		add("Recipient", g.Recipient)
		add("Transmitter", g.Transmitter)
		add("Sender", g.Sender)
	}
	addSignatures := func(ss []signatureXML) {
		for _, s := range ss {
			add("Signer", s.Signer)
			add("Validator", s.Validator)
		}
	}
	addGroup(c.personsXML)
	for _, g := range c.AgentGroups {
		addGroup(g)
	}
	addSignatures(c.Signatures)
	for _, si := range c.SigningInformation {
		addSignatures(si.Signatures)
		addSignatures(si.Descriptions)
	}
	return out
}

// person converts one person. Birth and death dates are read as the last day of a
// partial date (a year alone): "120 years after birth" must never end early.
func (m *parser) person(unit, role string, x personXML) Person {
	where := "unit " + unit + ": " + role
	return Person{
		Role:        role,
		FirstName:   trim(x.FirstName),
		BirthName:   trim(x.BirthName),
		FullName:    trim(x.FullName),
		GivenName:   trim(x.GivenName),
		Gender:      trim(x.Gender),
		BirthDate:   m.date(where, "BirthDate", x.BirthDate, periodEnd),
		BirthPlace:  x.BirthPlace.String(),
		DeathDate:   m.date(where, "DeathDate", x.DeathDate, periodEnd),
		DeathPlace:  x.DeathPlace.String(),
		Corpname:    trim(x.Corpname),
		Identifiers: trimAll(x.Identifiers),
		Function:    strings.Join(trimAll(x.Functions), "; "),
		Position:    strings.Join(trimAll(x.Positions), "; "),
	}
}

// String writes a place as one line, each part once: "Uzel, Place de la Mairie, 22460, Bretagne, France".
func (p placeXML) String() string {
	var parts []string
	for _, s := range []string{p.Geogname, p.Address, p.PostalCode, p.City, p.Region, p.Country} {
		if s = trim(s); s != "" && !containsString(parts, s) {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}

func keywords(xs []keywordXML) []Keyword {
	var out []Keyword
	for _, x := range xs {
		k := Keyword{Content: trim(x.Content), Reference: trim(x.Reference), Type: trim(x.Type)}
		if k.Content != "" {
			out = append(out, k)
		}
	}
	return out
}

// relations writes each related reference as "Relation: target", e.g. "Replaces: ID02".
func relations(xs []relationsXML) []string {
	var out []string
	for _, x := range xs {
		for _, r := range x.Relations {
			for _, target := range []string{r.Unit, r.Object, r.Group, r.UnitPID, r.ObjectPID, r.External} {
				if target = trim(target); target != "" {
					out = append(out, r.XMLName.Local+": "+target)
				}
			}
		}
	}
	return out
}

func agencyPtr(x *agencyXML) *Agency {
	if x == nil {
		return nil
	}
	a := x.agency()
	if a == (Agency{}) {
		return nil
	}
	return &a
}

func texts(xs []textXML) []Text {
	var out []Text
	for _, x := range xs {
		if v := trim(x.Value); v != "" {
			out = append(out, Text{Lang: trim(x.Lang), Value: v})
		}
	}
	return out
}

func trim(s string) string { return strings.TrimSpace(s) }

// trimAll trims each value and drops the empty ones.
func trimAll(xs []string) []string {
	var out []string
	for _, x := range xs {
		if x = trim(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
