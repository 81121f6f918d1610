package access

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"
	"time"
)

// Journal actions: what a journal entry records.
const (
	ActionLogin           = "login"
	ActionLogout          = "logout"
	ActionSearch          = "search"
	ActionUnitView        = "unit_view"
	ActionObjectDownload  = "object_download"
	ActionObjectView      = "object_view"
	ActionRequestEvent    = "request_event"
	ActionRequestDecision = "request_decision"
	ActionRoleGrant       = "role_grant"
	ActionRoleRevoke      = "role_revoke"
	ActionRulesLoad       = "rules_load"
	ActionTenantChange    = "tenant_change"
	ActionJournalView     = "journal_view"
	ActionJournalExport   = "journal_export"
)

// JournalActions lists every action a journal entry may record. An entry with another
// action is refused, so that a typo cannot hide consultations from an auditor's filter.
var JournalActions = []string{
	ActionLogin, ActionLogout, ActionSearch, ActionUnitView, ActionObjectDownload,
	ActionObjectView, ActionRequestEvent, ActionRequestDecision, ActionRoleGrant,
	ActionRoleRevoke, ActionRulesLoad, ActionTenantChange, ActionJournalView,
	ActionJournalExport,
}

// ConsultationActions are the actions that show an archive to someone: what the
// auditor's chart counts as consultations.
var ConsultationActions = []string{ActionUnitView, ActionObjectDownload, ActionObjectView}

// JournalZone is the zone in which the journal's days are counted (Paris): the
// auditor's chart, the dates given to an export, the daily anchor files.
func JournalZone() *time.Location { return parisZone() }

// ValidJournalAction reports whether a is one of JournalActions.
func ValidJournalAction(a string) bool { return slices.Contains(JournalActions, a) }

// JournalEntry is one entry of the consultation journal. Each entry carries the hash
// of the one before it, so that changing, inserting or deleting an entry breaks the
// chain (see VerifyJournalLink).
type JournalEntry struct {
	Format  int       // canonical encoding: JournalFormatV1 or JournalFormatV2 (assigned by the store)
	Seq     int64     // position in the chain: 1, 2, 3... with no gap (assigned by the store)
	At      time.Time // UTC, microsecond precision (assigned by the store)
	Subject string    // actor's subject or e-mail; "" for the public
	Name    string    // display name
	Email   string    // actor's e-mail, when known (v2)
	Roles   []string  // roles in force, e.g. "archivist@cdg62"
	Tenant  string    // the main tenant concerned ("" when none, e.g. a search across tenants)
	// Tenants are every tenant the entry concerns (v2), so that each one's auditors see
	// it: the actor's role domains for logins, searches and journal reads (as granted:
	// "cdg62", "cdg62/*", "*"), the tenants of the units found or opened, and Tenant.
	// Sorted, each once.
	Tenants       []string
	Action        string  // one of JournalActions
	UnitID        int64   // 0 when none
	Units         []int64 // every unit the entry concerns, UnitID included (v2); sorted, each once
	ObjectID      int64   // 0 when none
	RequestID     int64   // 0 when none
	Query         string  // search text
	Filters       string  // search filters, canonical JSON
	Results       int64   // result count (-1 when not a search)
	Grant         string  // the grant or request a consultation was made under, if any
	Client        string  // client address
	UserAgent     string  //
	HTTPRequestID string  //
	Detail        string  // free text (a decision's reasons, a role change...)
	PrevHash      []byte  // hash of entry Seq-1 (32 zero bytes for the first)
	Hash          []byte  // SHA-256 of Canonical()
}

// The formats of the canonical encoding. Entries keep the format they were written in
// (their hash was computed over it); new entries are written in the latest.
const (
	JournalFormatV1     = 1 // the first: no e-mail, tenant list or unit list
	JournalFormatV2     = 2 // adds Email, Tenants and Units
	JournalFormatLatest = JournalFormatV2
)

// journalFormatNames open the canonical encodings, so that formats cannot be confused.
var journalFormatNames = map[int]string{JournalFormatV1: "sesam-journal-v1", JournalFormatV2: "sesam-journal-v2"}

// JournalTimeLayout is how the canonical encoding and the exports write an entry's
// time: RFC 3339 in UTC with exactly six fractional digits.
const JournalTimeLayout = "2006-01-02T15:04:05.000000Z"

// GenesisHash is the previous hash of the first entry: 32 zero bytes.
var GenesisHash = make([]byte, sha256.Size)

// Canonical is the byte string the entry's hash is computed over. It is meant to be
// re-implemented by an auditor's own tool (README, "The journal's canonical encoding"),
// so it is simple and unambiguous:
//
//   - first the format's name, "sesam-journal-v1" or "sesam-journal-v2", as a text,
//     then every field in this order: Seq, At, Subject, Name, [Email], Roles, Tenant,
//     [Tenants], Action, UnitID, [Units], ObjectID, RequestID, Query, Filters,
//     Results, Grant, Client, UserAgent, HTTPRequestID, Detail, PrevHash; the fields
//     in brackets are in format 2 only;
//   - a text or byte field is its length as 4 bytes big-endian, then its bytes (UTF-8);
//   - an integer is 8 bytes big-endian, two's complement (Results -1 is ff...ff);
//   - At is the text of its UTC time in JournalTimeLayout (truncated to the
//     microsecond), e.g. "2026-03-01T09:30:00.000000Z";
//   - a list (Roles, Tenants, Units) is its number of elements as 4 bytes big-endian,
//     then each element (a text, or for Units an integer), in the order stored.
//
// Hash itself is not part of the encoding. An entry of an unknown format encodes as its
// format number alone, which no stored hash matches.
func (e *JournalEntry) Canonical() []byte {
	var b bytes.Buffer
	text := func(s []byte) {
		b.Write(binary.BigEndian.AppendUint32(nil, uint32(len(s))))
		b.Write(s)
	}
	num := func(n int64) { b.Write(binary.BigEndian.AppendUint64(nil, uint64(n))) }
	count := func(n int) { b.Write(binary.BigEndian.AppendUint32(nil, uint32(n))) }
	name, ok := journalFormatNames[e.Format]
	if !ok {
		num(int64(e.Format))
		return b.Bytes()
	}
	v2 := e.Format >= JournalFormatV2
	text([]byte(name))
	num(e.Seq)
	text([]byte(e.At.UTC().Format(JournalTimeLayout)))
	text([]byte(e.Subject))
	text([]byte(e.Name))
	if v2 {
		text([]byte(e.Email))
	}
	count(len(e.Roles))
	for _, r := range e.Roles {
		text([]byte(r))
	}
	text([]byte(e.Tenant))
	if v2 {
		count(len(e.Tenants))
		for _, t := range e.Tenants {
			text([]byte(t))
		}
	}
	text([]byte(e.Action))
	num(e.UnitID)
	if v2 {
		count(len(e.Units))
		for _, u := range e.Units {
			num(u)
		}
	}
	num(e.ObjectID)
	num(e.RequestID)
	for _, s := range []string{e.Query, e.Filters} {
		text([]byte(s))
	}
	num(e.Results)
	for _, s := range []string{e.Grant, e.Client, e.UserAgent, e.HTTPRequestID, e.Detail} {
		text([]byte(s))
	}
	text(e.PrevHash)
	return b.Bytes()
}

// ComputeHash is the SHA-256 of the entry's canonical encoding.
func (e *JournalEntry) ComputeHash() []byte {
	h := sha256.Sum256(e.Canonical())
	return h[:]
}

// VerifyJournalLink checks entry e against the entry before it in the chain (nil when
// e should be the first) and says what is wrong, or "" when e is sound. The checks go
// from the coarsest to the finest, so that the problem named is the likeliest cause:
// a gap in the numbering (entries deleted), then a broken link to the previous entry
// (an entry inserted or deleted before e, or the previous one changed and rehashed),
// then a hash that does not match e's own content (e changed).
func VerifyJournalLink(prev, e *JournalEntry) string {
	switch {
	case prev == nil && e.Seq != 1:
		return fmt.Sprintf("the journal starts at entry %d instead of 1 (entries deleted)", e.Seq)
	case prev != nil && e.Seq != prev.Seq+1:
		return fmt.Sprintf("sequence jumps from %d to %d (entries deleted)", prev.Seq, e.Seq)
	case prev == nil && !bytes.Equal(e.PrevHash, GenesisHash):
		return "the first entry's previous hash is not zero (entries deleted or inserted before it)"
	case prev != nil && !bytes.Equal(e.PrevHash, prev.Hash):
		return fmt.Sprintf("previous hash does not match entry %d (an entry inserted or deleted before it, or entry %d changed and rehashed)", prev.Seq, prev.Seq)
	case journalFormatNames[e.Format] == "":
		return fmt.Sprintf("unknown format %d (changed)", e.Format)
	case !bytes.Equal(e.Hash, e.ComputeHash()):
		return "hash does not match its content (changed)"
	}
	return ""
}
