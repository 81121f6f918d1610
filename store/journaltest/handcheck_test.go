package journaltest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"sesam/access"
	"sesam/store"
)

// TestChainCheckedByHandFromExport recomputes every hash of a JSON Lines export the way
// README "The journal's canonical encoding" tells an auditor to, written from that text
// alone: it uses nothing of package access but the entries it appends. If the README
// and the code disagree, an auditor's own check would fail: so does this test.
func TestChainCheckedByHandFromExport(t *testing.T) {
	v1Entries(t, 2) // a journal begun in format 1...
	j := newJournal(t)
	ctx := context.Background()
	for _, e := range []access.JournalEntry{ // ...continued in format 2
		{Subject: "sub-7", Name: "Zoé Ñúñez", Email: "zoe@cdg62.fr", Roles: []string{"reader@cdg62/ruitz", "auditor@cdg62"},
			Action: access.ActionSearch, Query: "état civil « Saint-Lazare »", Filters: `{"tenant":["cdg62/ruitz"]}`,
			Results: 3, Units: []int64{12, 5}, Tenants: []string{"cdg62/ruitz", "cdg62"}, Client: "192.0.2.1"},
		{Subject: "cli:root@host", Action: access.ActionRoleGrant, Tenant: "*", Detail: "grant x admin *"},
		{Subject: "sub-7", Action: access.ActionObjectView, Tenant: "cdg62/ruitz", UnitID: 12, ObjectID: 3, Grant: "R-1"},
	} {
		if _, err := j.Append(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, err := st.ExportJournal(ctx, &buf, store.JournalFilter{}, "jsonl"); err != nil {
		t.Fatal(err)
	}
	prev := strings.Repeat("00", 32)
	n := 0
	sc := bufio.NewScanner(&buf)
	for sc.Scan() {
		var rec map[string]any
		dec := json.NewDecoder(strings.NewReader(sc.Text()))
		dec.UseNumber()
		if err := dec.Decode(&rec); err != nil {
			t.Fatal(err)
		}
		n++
		sum := sha256.Sum256(handEncoding(t, rec))
		if got := hex.EncodeToString(sum[:]); got != rec["hash"] {
			t.Errorf("entry %v: hash by hand %s, exported %s", rec["seq"], got, rec["hash"])
		}
		if rec["prev_hash"] != prev {
			t.Errorf("entry %v: prev_hash %s, want the previous entry's hash %s", rec["seq"], rec["prev_hash"], prev)
		}
		prev = rec["hash"].(string)
	}
	if n != 5 {
		t.Errorf("%d entries exported, want 5", n)
	}
}

// handEncoding is the README's canonical encoding of an exported entry.
func handEncoding(t *testing.T, rec map[string]any) []byte {
	t.Helper()
	var out []byte
	text := func(b []byte) {
		out = binary.BigEndian.AppendUint32(out, uint32(len(b)))
		out = append(out, b...)
	}
	integer := func(v any) {
		i, err := v.(json.Number).Int64()
		if err != nil {
			t.Fatalf("%v: %v", v, err)
		}
		out = binary.BigEndian.AppendUint64(out, uint64(i))
	}
	format, _ := rec["format"].(json.Number).Int64()
	v2 := format == 2
	text([]byte(fmt.Sprintf("sesam-journal-v%d", format)))
	fields := []struct {
		name, kind string
		v2only     bool
	}{
		{"seq", "int", false}, {"at", "text", false}, {"subject", "text", false}, {"name", "text", false},
		{"email", "text", true}, {"roles", "texts", false}, {"tenant", "text", false}, {"tenants", "texts", true},
		{"action", "text", false}, {"unit_id", "int", false}, {"units", "ints", true}, {"object_id", "int", false},
		{"request_id", "int", false}, {"query", "text", false}, {"filters", "text", false}, {"results", "int", false},
		{"grant", "text", false}, {"client", "text", false}, {"user_agent", "text", false},
		{"http_request_id", "text", false}, {"detail", "text", false}, {"prev_hash", "hex", false},
	}
	for _, f := range fields {
		if f.v2only && !v2 {
			continue
		}
		v := rec[f.name]
		switch f.kind {
		case "int":
			integer(v)
		case "text":
			text([]byte(v.(string)))
		case "hex":
			b, _ := hex.DecodeString(v.(string))
			text(b)
		case "texts", "ints":
			list := v.([]any)
			out = binary.BigEndian.AppendUint32(out, uint32(len(list)))
			for _, x := range list {
				if f.kind == "ints" {
					integer(x)
				} else {
					text([]byte(x.(string)))
				}
			}
		}
	}
	return out
}
