// Package seda reads SEDA 2.x ArchiveTransfer packages (2.0 to 2.3) into typed values.
//
// It knows nothing of the database: it opens a package (zip, tar.gz, folder or bare
// manifest), streams its manifest, resolves the unit graph, checks what can be checked
// without the archive store (structure, references, paths, sizes, digests) and either
// returns a Transfer or refuses the package with a one-line reason.
package seda

import "time"

// Category is a SEDA management rule category, named as in the manifest.
type Category string

// The management rule categories of SEDA 2.x (HoldRule since 2.2).
const (
	StorageRule        Category = "StorageRule"
	AppraisalRule      Category = "AppraisalRule"
	AccessRule         Category = "AccessRule"
	DisseminationRule  Category = "DisseminationRule"
	ReuseRule          Category = "ReuseRule"
	ClassificationRule Category = "ClassificationRule"
	HoldRule           Category = "HoldRule"
)

// Categories lists every category in manifest order.
var Categories = []Category{StorageRule, AppraisalRule, AccessRule, DisseminationRule, ReuseRule, ClassificationRule, HoldRule}

// Transfer is one ArchiveTransfer message with everything sesam keeps of it.
//
// Dates are civil dates: time.Time values at midnight UTC. A date-time in the manifest
// keeps its date part (as written, ignoring its offset); a missing date is nil.
type Transfer struct {
	Version string // "2.0", "2.1", "2.2" or "2.3"
	// Message is the manifest's root element: "ArchiveTransfer", or "ArchiveDeliveryRequestReply"
	// for a delivery (DIP) re-imported from another archive. Added by the seda reader.
	Message            string
	MessageIdentifier  string
	Date               string // the message Date as written
	Comments           []string
	ArchivalAgreement  string
	ArchivalAgency     Agency
	TransferringAgency Agency
	Management         ManagementMetadata

	// Units holds every ArchiveUnit that has content, in document order. Units that only
	// carry an ArchiveUnitRefId are not units: they add a parent to the unit they point to.
	Units     []*Unit
	Roots     []string // ids of the units without a parent, in document order
	Binaries  []*BinaryObject
	Physicals []*PhysicalObject

	// Warnings lists what the reader accepted but had to correct or drop, one line each
	// (an unreadable date, a declared Size that disagrees with bytes whose digest matches).
	// Added by the seda reader and the store, which records them with the transfer.
	Warnings []string
}

// ManagementMetadata is the transfer-wide management block. Its rules apply to the
// transfer's root units (Vitam stores them on the roots; a rule the root redeclares wins).
type ManagementMetadata struct {
	ArchivalProfile             string
	ServiceLevel                string
	AcquisitionInformation      string
	LegalStatus                 string
	OriginatingAgencyIdentifier string // the producer
	SubmissionAgencyIdentifier  string
	Rules                       Management
}

// Management holds the rules declared on a unit (or the transfer defaults), per category.
type Management struct {
	Rules             map[Category]*RuleSet
	NeedAuthorization *bool
}

// RuleSet is one category's block: its rules, and what it blocks from the ancestors.
type RuleSet struct {
	Rules              []Rule
	PreventInheritance bool     // block every inherited rule of this category
	RefNonRuleIDs      []string // block only these inherited rules
	FinalAction        string   // StorageRule and AppraisalRule
	// ClassificationRule extras.
	ClassificationLevel    string
	ClassificationOwner    string
	ClassificationAudience string
}

// Rule is a rule reference with its optional start date.
type Rule struct {
	ID        string
	StartDate *time.Time
	// HoldRule extras (SEDA 2.2+).
	HoldEndDate *time.Time
	HoldOwner   string
	HoldReason  string
}

// Text is a string with its language (xml:lang), as Titles and Descriptions carry.
type Text struct {
	Lang  string
	Value string
}

// Agency is an organisation named by an identifier, sometimes with a name.
type Agency struct {
	Identifier string
	Name       string
}

// Keyword is a Content/Keyword.
type Keyword struct {
	Content   string
	Reference string
	Type      string // corpname, persname, geogname, subject, ... as written
}

// Person is a person or corporate body named in a unit's content (Agent, Writer,
// Addressee, Recipient, Transmitter, Sender, AuthorizedAgent, Signer...).
type Person struct {
	Role        string // the element it came from: "Writer", "Addressee", ...
	FirstName   string
	BirthName   string
	FullName    string
	GivenName   string
	Gender      string
	BirthDate   *time.Time
	BirthPlace  string
	DeathDate   *time.Time
	DeathPlace  string
	Corpname    string
	Identifiers []string
	Function    string
	Position    string
}

// Name is the person's display name: full name, else given and birth names, else corpname.
func (p Person) Name() string {
	switch {
	case p.FullName != "":
		return p.FullName
	case p.FirstName != "" || p.BirthName != "":
		n := p.FirstName
		if p.BirthName != "" {
			if n != "" {
				n += " "
			}
			n += p.BirthName
		}
		return n
	case p.GivenName != "":
		return p.GivenName
	}
	return p.Corpname
}

// Unit is an ArchiveUnit.
type Unit struct {
	ID       string   // the id attribute in the manifest
	Parents  []string // parent unit ids, by nesting and by ArchiveUnitRefId
	Children []string // child unit ids in document order

	Level        string // DescriptionLevel: Fonds, Series, File, Item, ...
	Titles       []Text
	Descriptions []Text

	// Identifiers. ArchivalAgencyIDs[0] is the cote shown to users.
	ArchivalAgencyIDs      []string
	OriginatingAgencyIDs   []string
	TransferringAgencyIDs  []string
	SystemIDs              []string
	OriginatingSystemIDs   []string
	FilePlanPositions      []string
	PersistentIdentifiers  []string // e.g. ark:/...
	Type                   string
	DocumentType           string
	Languages              []string
	DescriptionLanguage    string
	Status                 string
	Tags                   []string
	Keywords               []Keyword
	OriginatingAgency      *Agency
	SubmissionAgency       *Agency
	Persons                []Person
	CustodialHistory       []string
	Source                 string
	RelatedObjectReference []string

	StartDate      *time.Time
	EndDate        *time.Time
	CreatedDate    *time.Time
	TransactedDate *time.Time
	AcquiredDate   *time.Time
	SentDate       *time.Time
	ReceivedDate   *time.Time
	RegisteredDate *time.Time
	DateLitteral   string

	Management Management

	// Existing is set when the unit stands for a unit already in the archive, which the
	// transfer's units attach to (Vitam's Management/UpdateOperation). The store must find
	// that unit rather than create this one. Added by the seda reader.
	Existing *ExistingUnit

	// Objects lists the ids of the binary and physical objects this unit references,
	// directly or through their object group.
	Objects []string
}

// Title is the unit's first title, preferring French, then untagged, then any.
func (u *Unit) Title() string { return pick(u.Titles) }

// Description is the unit's first description with the same preference as Title.
func (u *Unit) Description() string { return pick(u.Descriptions) }

// Cote is the identifier shown to users: the archival agency's identifier.
func (u *Unit) Cote() string {
	if len(u.ArchivalAgencyIDs) > 0 {
		return u.ArchivalAgencyIDs[0]
	}
	return ""
}

func pick(ts []Text) string {
	for _, t := range ts {
		if t.Lang == "fr" || len(t.Lang) > 2 && t.Lang[:3] == "fr-" {
			return t.Value
		}
	}
	for _, t := range ts {
		if t.Lang == "" {
			return t.Value
		}
	}
	if len(ts) > 0 {
		return ts[0].Value
	}
	return ""
}

// ExistingUnit names a unit already in the archive: by its system id, or by the value
// of one of its metadata (e.g. Title, OriginatingAgencyArchiveUnitIdentifier).
type ExistingUnit struct {
	SystemID      string
	MetadataName  string
	MetadataValue string
}

// BinaryObject is a BinaryDataObject.
type BinaryObject struct {
	ID             string
	GroupID        string // DataObjectGroup id, when grouped
	Version        string // DataObjectVersion as written: BinaryMaster_1, Dissemination, ...
	URI            string // Uri as written, relative to the package root
	Filename       string
	MimeType       string
	FormatID       string // PRONOM id, e.g. fmt/18
	FormatLitteral string
	Encoding       string
	Size           int64 // declared size in bytes; -1 when not declared

	// Digest is the declared MessageDigest, normalised to lowercase hex (base64 values
	// are decoded); DigestAlgorithm is normalised to SHA-512, SHA-256, SHA-1 or MD5
	// (or SHA-384, which Vitam also accepts).
	Digest          string
	DigestAlgorithm string

	// Present says the package holds the bytes (false for a bare manifest). When true,
	// the reader has checked Size and Digest against the bytes and filled SHA256 and
	// ActualSize.
	Present    bool
	SHA256     string // lowercase hex of the bytes, the blob store's address
	ActualSize int64
}

// PhysicalObject is a PhysicalDataObject.
type PhysicalObject struct {
	ID          string
	GroupID     string
	Version     string
	PhysicalIDs []string
	Description string // a readable summary of its dimensions or note, if any
}
