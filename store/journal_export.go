package store

import (
	"context"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"sesam"
	"sesam/access"
)

// journalCSVHeader names the CSV columns: those of format 1, then those format 2 added
// (at the end, so that a spreadsheet made for the first columns still reads them).
var journalCSVHeader = []string{"seq", "at", "subject", "name", "roles", "tenant", "action",
	"unit_id", "object_id", "request_id", "query", "filters", "results", "grant", "client",
	"user_agent", "http_request_id", "detail", "prev_hash", "hash", "format", "email", "tenants", "units"}

// journalRecord is an entry as one JSON Lines object: every field, times in
// access.JournalTimeLayout and hashes in hexadecimal, so that an auditor can recompute
// each hash from the export alone.
type journalRecord struct {
	Format        int      `json:"format"`
	Seq           int64    `json:"seq"`
	At            string   `json:"at"`
	Subject       string   `json:"subject"`
	Name          string   `json:"name"`
	Email         string   `json:"email"`
	Roles         []string `json:"roles"`
	Tenant        string   `json:"tenant"`
	Tenants       []string `json:"tenants"`
	Action        string   `json:"action"`
	UnitID        int64    `json:"unit_id"`
	Units         []int64  `json:"units"`
	ObjectID      int64    `json:"object_id"`
	RequestID     int64    `json:"request_id"`
	Query         string   `json:"query"`
	Filters       string   `json:"filters"`
	Results       int64    `json:"results"`
	Grant         string   `json:"grant"`
	Client        string   `json:"client"`
	UserAgent     string   `json:"user_agent"`
	HTTPRequestID string   `json:"http_request_id"`
	Detail        string   `json:"detail"`
	PrevHash      string   `json:"prev_hash"`
	Hash          string   `json:"hash"`
}

// journalEncoder writes entries in an export format, a page at a time.
type journalEncoder struct {
	csv   *csv.Writer
	json  *json.Encoder
	begun bool
}

func newJournalEncoder(w io.Writer, format string) (*journalEncoder, error) {
	switch format {
	case "csv":
		return &journalEncoder{csv: csv.NewWriter(w)}, nil
	case "jsonl":
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		return &journalEncoder{json: enc}, nil
	}
	return nil, fmt.Errorf("journal export format %q (csv, jsonl): %w", format, sesam.ErrInvalid)
}

func (enc *journalEncoder) write(es []access.JournalEntry) error {
	if enc.json != nil {
		for _, e := range es {
			if err := enc.json.Encode(newJournalRecord(e)); err != nil {
				return err
			}
		}
		return nil
	}
	if !enc.begun {
		if err := enc.csv.Write(journalCSVHeader); err != nil {
			return err
		}
		enc.begun = true
	}
	for _, e := range es {
		if err := enc.csv.Write(journalCSVRow(e)); err != nil {
			return err
		}
	}
	return nil
}

func (enc *journalEncoder) flush() error {
	if enc.csv == nil {
		return nil
	}
	if !enc.begun { // an empty export still says what its columns are
		enc.write(nil)
	}
	enc.csv.Flush()
	return enc.csv.Error()
}

func newJournalRecord(e access.JournalEntry) journalRecord {
	return journalRecord{Format: e.Format, Seq: e.Seq, At: e.At.UTC().Format(access.JournalTimeLayout), Subject: e.Subject,
		Name: e.Name, Email: e.Email, Roles: orEmpty(e.Roles), Tenant: e.Tenant, Tenants: orEmpty(e.Tenants),
		Action: e.Action, UnitID: e.UnitID, Units: orEmpty(e.Units), ObjectID: e.ObjectID, RequestID: e.RequestID, Query: e.Query, Filters: e.Filters,
		Results: e.Results, Grant: e.Grant, Client: e.Client, UserAgent: e.UserAgent,
		HTTPRequestID: e.HTTPRequestID, Detail: e.Detail,
		PrevHash: hex.EncodeToString(e.PrevHash), Hash: hex.EncodeToString(e.Hash)}
}

// orEmpty makes a nil list an empty one, which JSON writes [] rather than null.
func orEmpty[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}

// journalCSVRow is an entry as a CSV row. Roles, tenants and units are separated by spaces. Text that a
// spreadsheet would run as a formula (a search typed as "=HYPERLINK(...)") is prefixed
// with an apostrophe, so the CSV is safe to open; the JSON Lines export is the exact one.
func journalCSVRow(e access.JournalEntry) []string {
	num := func(n int64) string { return strconv.FormatInt(n, 10) }
	return []string{num(e.Seq), e.At.UTC().Format(access.JournalTimeLayout), cell(e.Subject), cell(e.Name),
		cell(strings.Join(e.Roles, " ")), cell(e.Tenant), cell(e.Action), num(e.UnitID), num(e.ObjectID),
		num(e.RequestID), cell(e.Query), cell(e.Filters), num(e.Results), cell(e.Grant), cell(e.Client),
		cell(e.UserAgent), cell(e.HTTPRequestID), cell(e.Detail),
		hex.EncodeToString(e.PrevHash), hex.EncodeToString(e.Hash),
		strconv.Itoa(e.Format), cell(e.Email), cell(strings.Join(e.Tenants, " ")), joinInts(e.Units)}
}

func joinInts(xs []int64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = strconv.FormatInt(x, 10)
	}
	return strings.Join(parts, " ")
}

func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// WriteJournalCSV writes entries as CSV with a header line.
func WriteJournalCSV(w io.Writer, es []access.JournalEntry) error {
	enc, _ := newJournalEncoder(w, "csv")
	if err := enc.write(es); err != nil {
		return err
	}
	return enc.flush()
}

// WriteJournalJSONL writes entries as JSON Lines, one object per entry.
func WriteJournalJSONL(w io.Writer, es []access.JournalEntry) error {
	enc, _ := newJournalEncoder(w, "jsonl")
	return enc.write(es)
}

// journalExportPage is how many entries an export reads at a time.
const journalExportPage = 5000

// ExportJournal writes the entries the filter selects to w in a format ("csv" or
// "jsonl"), in chain order, a page at a time so that a long journal is never held in
// memory; f.Limit, when set, bounds the total. It returns the number of entries written.
func (s *Store) ExportJournal(ctx context.Context, w io.Writer, f JournalFilter, format string) (int64, error) {
	enc, err := newJournalEncoder(w, format)
	if err != nil {
		return 0, err
	}
	total := f.Limit
	f.Desc = false
	var n int64
	for {
		f.Limit = journalExportPage
		if total > 0 {
			f.Limit = min(journalExportPage, total-int(n))
		}
		es, err := s.JournalEntries(ctx, f)
		if err != nil {
			return n, err
		}
		if err := enc.write(es); err != nil {
			return n, fmt.Errorf("journal export: %w", err)
		}
		n += int64(len(es))
		if len(es) < f.Limit || total > 0 && int(n) >= total {
			break
		}
		f.After = es[len(es)-1].Seq
	}
	if err := enc.flush(); err != nil {
		return n, fmt.Errorf("journal export: %w", err)
	}
	return n, nil
}
