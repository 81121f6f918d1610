package journaltest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"sesam/access"
	"sesam/store"
)

// tenantsOf lists the tenants of entries, in order.
func tenantsOf(es []access.JournalEntry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Tenant)
	}
	return out
}

func TestAuditorSeesOnlyTheirTenants(t *testing.T) {
	resetJournal(t)
	j := newJournal(t)
	ctx := context.Background()
	all := []string{"cdg62", "cdg62/ruitz", "cdg620", "cdg59", "cdg59/lille", "", "a_b", "axb/c"}
	for i, tenant := range all {
		if _, err := j.Append(ctx, view("agent", tenant, int64(i+1))); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name   string
		scopes []string
		want   []string
	}{
		{"auditor of cdg62", []string{"cdg62"}, []string{"cdg62", "cdg62/ruitz"}},
		{"auditor of the communes under cdg62", []string{"cdg62/*"}, []string{"cdg62/ruitz"}},
		{"auditor of two scopes", []string{"cdg59/lille", "cdg62/ruitz"}, []string{"cdg62/ruitz", "cdg59/lille"}},
		{"auditor of a tenant with _ in its id", []string{"a_b"}, []string{"a_b"}},
		{"platform auditor", []string{"*"}, all},
		{"no scope at all", []string{}, nil},
		{"no filter (the command line)", nil, all},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es, err := st.JournalEntries(ctx, store.JournalFilter{Tenants: tt.scopes})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, tenantsOf(es)); diff != "" {
				t.Errorf("tenants seen (-want +got):\n%s", diff)
			}
			// The store's SQL and access.CoversTenant agree.
			if tt.scopes == nil {
				return
			}
			var covered []string
			for _, tenant := range all {
				if slices.ContainsFunc(tt.scopes, func(s string) bool { return access.CoversTenant(s, tenant) }) {
					covered = append(covered, tenant)
				}
			}
			if diff := cmp.Diff(covered, tenantsOf(es)); diff != "" {
				t.Errorf("the SQL scope and access.CoversTenant disagree (-CoversTenant +SQL):\n%s", diff)
			}
		})
	}
}

func TestJournalFilters(t *testing.T) {
	resetJournal(t)
	j := newJournal(t)
	ctx := context.Background()
	add := func(subject, tenant, action string, unit int64) access.JournalEntry {
		e := view(subject, tenant, unit)
		e.Action = action
		stored, err := j.Append(ctx, e)
		if err != nil {
			t.Fatal(err)
		}
		return stored
	}
	es := []access.JournalEntry{
		add("marie", "cdg62", access.ActionLogin, 0),
		add("marie", "cdg62/ruitz", access.ActionUnitView, 10),
		add("paul", "cdg62/ruitz", access.ActionObjectDownload, 10),
		add("paul", "cdg59", access.ActionUnitView, 11),
		add("marie", "cdg62/ruitz", access.ActionUnitView, 12),
	}
	seqs := func(idx ...int) []int64 {
		var out []int64
		for _, i := range idx {
			out = append(out, es[i].Seq)
		}
		return out
	}
	tests := []struct {
		name string
		f    store.JournalFilter
		want []int64
	}{
		{"subject", store.JournalFilter{Subject: "paul"}, seqs(2, 3)},
		{"action", store.JournalFilter{Action: access.ActionUnitView}, seqs(1, 3, 4)},
		{"consultations", store.JournalFilter{Actions: access.ConsultationActions}, seqs(1, 2, 3, 4)},
		{"tenant and below", store.JournalFilter{Tenant: "cdg62"}, seqs(0, 1, 2, 4)},
		{"unit", store.JournalFilter{UnitID: 10}, seqs(1, 2)},
		{"from", store.JournalFilter{From: es[3].At}, seqs(3, 4)},
		{"to (exclusive)", store.JournalFilter{To: es[1].At}, seqs(0)},
		{"first page", store.JournalFilter{Limit: 2}, seqs(0, 1)},
		{"next page", store.JournalFilter{Limit: 2, After: es[1].Seq}, seqs(2, 3)},
		{"newest first", store.JournalFilter{Desc: true, Limit: 2}, seqs(4, 3)},
		{"older page, newest first", store.JournalFilter{Desc: true, Limit: 2, Before: es[3].Seq}, seqs(2, 1)},
		{"subject in a scope", store.JournalFilter{Subject: "paul", Tenants: []string{"cdg62"}}, seqs(2)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := st.JournalEntries(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var gotSeqs []int64
			for _, e := range got {
				gotSeqs = append(gotSeqs, e.Seq)
			}
			if diff := cmp.Diff(tt.want, gotSeqs); diff != "" {
				t.Errorf("entries (-want +got):\n%s", diff)
			}
		})
	}
}

// insertAt writes entries at chosen times (the store stamps appends with the time of
// their commit, so a chart over several months needs them written directly).
func insertAt(t *testing.T, es ...access.JournalEntry) {
	t.Helper()
	tamper(t, func(ctx context.Context, tx pgx.Tx) error {
		for i, e := range es {
			e.Seq, e.PrevHash, e.Hash = int64(i+1), access.GenesisHash, access.GenesisHash
			if e.Roles == nil {
				e.Roles = []string{}
			}
			if err := insertRaw(ctx, tx, e); err != nil {
				return err
			}
		}
		return nil
	})
}

func TestJournalStats(t *testing.T) {
	resetJournal(t)
	at := func(s, action string) access.JournalEntry {
		e := view("marie", "cdg62", 1)
		e.Action = action
		e.At, _ = time.Parse(time.RFC3339, s)
		return e
	}
	insertAt(t,
		at("2026-03-01T22:30:00Z", access.ActionUnitView),       // 23:30 on Sunday 1 March in Paris
		at("2026-03-01T23:30:00Z", access.ActionObjectDownload), // 00:30 on Monday 2 March in Paris
		at("2026-03-02T10:00:00Z", access.ActionUnitView),
		at("2026-03-02T10:00:01Z", access.ActionLogin),      // not a consultation
		at("2026-03-30T10:00:00Z", access.ActionObjectView), // summer time from 29 March
		at("2026-04-01T10:00:00Z", access.ActionUnitView),
	)
	paris := access.JournalZone()
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, paris) }
	tests := []struct {
		bucket string
		want   []store.JournalBucket
	}{
		{"day", []store.JournalBucket{{Start: day(3, 1), Count: 1}, {Start: day(3, 2), Count: 2}, {Start: day(3, 30), Count: 1}, {Start: day(4, 1), Count: 1}}},
		{"week", []store.JournalBucket{{Start: day(2, 23), Count: 1}, {Start: day(3, 2), Count: 2}, {Start: day(3, 30), Count: 2}}},
		{"month", []store.JournalBucket{{Start: day(3, 1), Count: 4}, {Start: day(4, 1), Count: 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.bucket, func(t *testing.T) {
			got, err := st.JournalStats(context.Background(), store.JournalFilter{Actions: access.ConsultationActions}, tt.bucket)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("JournalStats (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := st.JournalStats(context.Background(), store.JournalFilter{}, "year; DROP TABLE journal"); err == nil {
		t.Error("JournalStats accepted an unknown period")
	}
}

func TestTopUnits(t *testing.T) {
	resetJournal(t)
	ctx := context.Background()
	for _, id := range []string{"topunits", "topunits/ruitz"} {
		if err := st.AddTenant(ctx, store.Tenant{ID: id, Name: "Collectivité " + id}); err != nil {
			t.Fatal(err)
		}
	}
	sip := filepath.Join("..", "..", "..", "shared", "testdata", "seda", "sip", "itests__OK_SIP_2_GO.zip")
	res, err := st.Import(ctx, "topunits/ruitz", sip, store.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	type unit struct {
		id    int64
		title string
	}
	var units []unit
	rows, _ := st.Pool().Query(ctx, `SELECT id, title FROM unit WHERE transfer_id = $1 ORDER BY id LIMIT 2`, res.TransferID)
	for rows.Next() {
		var u unit
		rows.Scan(&u.id, &u.title)
		units = append(units, u)
	}
	if rows.Err() != nil || len(units) < 2 || units[0].title == "" || units[1].title == "" {
		t.Fatalf("units of the imported package: %v, %v", units, rows.Err())
	}
	j := newJournal(t)
	gone := int64(1 << 40) // a unit no longer in the store
	for _, v := range []struct {
		unit   int64
		action string
		tenant string
		times  int
	}{
		{units[0].id, access.ActionUnitView, "topunits/ruitz", 2},
		{units[1].id, access.ActionObjectDownload, "topunits/ruitz", 3},
		{units[1].id, access.ActionSearch, "topunits/ruitz", 5}, // not a consultation
		{gone, access.ActionUnitView, "topunits", 1},
		{units[0].id, access.ActionUnitView, "elsewhere", 9}, // outside the auditor's scope
	} {
		for range v.times {
			e := view("marie", v.tenant, v.unit)
			e.Action = v.action
			if _, err := j.Append(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
	}
	got, err := st.TopUnits(ctx, store.JournalFilter{Actions: access.ConsultationActions, Tenants: []string{"topunits"}}, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.UnitCount{
		{UnitID: units[1].id, Count: 3},
		{UnitID: units[0].id, Count: 2},
		{UnitID: gone, Count: 1},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("TopUnits (-want +got):\n%s", diff)
	}
}

func TestExport(t *testing.T) {
	fill(t, 3)
	j := newJournal(t)
	ctx := context.Background()
	search := access.JournalEntry{Subject: "paul", Name: "Paul, dit \"le Grand\"", Roles: []string{"reader@cdg62", "auditor@cdg62"},
		Tenant: "cdg62", Action: access.ActionSearch, Query: `=HYPERLINK("http://evil.example/", "clic")`,
		Filters: `{"level":["File"]}`, Results: 3, Detail: "ligne 1\nligne 2"}
	if _, err := j.Append(ctx, search); err != nil {
		t.Fatal(err)
	}
	want, err := st.JournalEntries(ctx, store.JournalFilter{})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("csv", func(t *testing.T) {
		var buf bytes.Buffer
		if n, err := st.ExportJournal(ctx, &buf, store.JournalFilter{}, "csv"); err != nil || n != 4 {
			t.Fatalf("ExportJournal = %d, %v", n, err)
		}
		recs, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 5 {
			t.Fatalf("%d CSV records, want a header and 4 rows", len(recs))
		}
		if got := strings.Join(recs[0], ","); !strings.HasPrefix(got, "seq,at,subject,name,roles,tenant,action,unit_id") || !strings.HasSuffix(got, "prev_hash,hash,format,email,tenants,units") {
			t.Errorf("CSV header %s", got)
		}
		last := recs[4]
		wantRow := []string{"4", want[3].At.UTC().Format(access.JournalTimeLayout), "paul", search.Name,
			"reader@cdg62 auditor@cdg62", "cdg62", "search", "0", "0", "0", "'" + search.Query, search.Filters, "3",
			"", "", "", "", search.Detail, hex.EncodeToString(want[3].PrevHash), hex.EncodeToString(want[3].Hash),
			"2", "", "cdg62", ""}
		if diff := cmp.Diff(wantRow, last); diff != "" {
			t.Errorf("CSV row of the search (-want +got):\n%s", diff)
		}
	})

	t.Run("jsonl", func(t *testing.T) {
		var buf bytes.Buffer
		if n, err := st.ExportJournal(ctx, &buf, store.JournalFilter{}, "jsonl"); err != nil || n != 4 {
			t.Fatalf("ExportJournal = %d, %v", n, err)
		}
		got := parseJSONL(t, buf.String())
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("entries read back from JSON Lines (-stored +exported):\n%s", diff)
		}
		// An auditor can check the exported chain on its own.
		var prev *access.JournalEntry
		for i := range got {
			if problem := access.VerifyJournalLink(prev, &got[i]); problem != "" {
				t.Errorf("exported entry %d: %s", got[i].Seq, problem)
			}
			prev = &got[i]
		}
	})

	t.Run("filtered and bounded", func(t *testing.T) {
		var buf bytes.Buffer
		n, err := st.ExportJournal(ctx, &buf, store.JournalFilter{Subject: "marie.durand@cdg62.fr", Limit: 2}, "jsonl")
		if err != nil || n != 2 {
			t.Fatalf("ExportJournal = %d, %v; want 2", n, err)
		}
		if diff := cmp.Diff(want[:2], parseJSONL(t, buf.String())); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})

	t.Run("unknown format", func(t *testing.T) {
		if _, err := st.ExportJournal(ctx, &bytes.Buffer{}, store.JournalFilter{}, "xml"); err == nil {
			t.Error("export as xml accepted")
		}
	})
}

// TestExportPagesThroughLongJournal: an export longer than a page has every entry once.
func TestExportPagesThroughLongJournal(t *testing.T) {
	resetJournal(t)
	ctx := context.Background()
	if err := appendMany(ctx, newJournal(t), "marie", 8, 700); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	n, err := st.ExportJournal(ctx, &buf, store.JournalFilter{}, "jsonl")
	if err != nil || n != 5600 {
		t.Fatalf("ExportJournal = %d, %v; want 5600", n, err)
	}
	for i, e := range parseJSONL(t, buf.String()) {
		if e.Seq != int64(i+1) {
			t.Fatalf("line %d holds entry %d", i+1, e.Seq)
		}
	}
}

// parseJSONL reads a JSON Lines export back into entries, as an auditor's tool would.
func parseJSONL(t *testing.T, text string) []access.JournalEntry {
	t.Helper()
	var out []access.JournalEntry
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r struct {
			Format         int
			Seq            int64
			At             string
			Subject, Name  string
			Email          string
			Roles          []string
			Tenant         string
			Tenants        []string
			Action         string
			UnitID         int64 `json:"unit_id"`
			Units          []int64
			ObjectID       int64 `json:"object_id"`
			RequestID      int64 `json:"request_id"`
			Query, Filters string
			Results        int64
			Grant, Client  string
			UserAgent      string `json:"user_agent"`
			HTTPRequestID  string `json:"http_request_id"`
			Detail         string
			PrevHash       string `json:"prev_hash"`
			Hash           string
		}
		dec := json.NewDecoder(strings.NewReader(sc.Text()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		at, err := time.Parse(access.JournalTimeLayout, r.At)
		if err != nil {
			t.Fatal(err)
		}
		prev, _ := hex.DecodeString(r.PrevHash)
		hash, _ := hex.DecodeString(r.Hash)
		out = append(out, access.JournalEntry{Format: r.Format, Seq: r.Seq, At: at, Subject: r.Subject, Name: r.Name,
			Email: r.Email, Roles: r.Roles, Tenant: r.Tenant, Tenants: r.Tenants, Action: r.Action, UnitID: r.UnitID,
			Units: r.Units, ObjectID: r.ObjectID,
			RequestID: r.RequestID, Query: r.Query, Filters: r.Filters, Results: r.Results, Grant: r.Grant,
			Client: r.Client, UserAgent: r.UserAgent, HTTPRequestID: r.HTTPRequestID, Detail: r.Detail,
			PrevHash: prev, Hash: hash})
	}
	return out
}
