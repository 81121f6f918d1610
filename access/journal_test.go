package access

import (
	"bytes"
	"encoding/hex"
	"reflect"
	"strings"
	"testing"
	"time"
)

// chained returns n entries forming a sound chain.
func chained(n int) []*JournalEntry {
	var out []*JournalEntry
	prev := GenesisHash
	for i := 1; i <= n; i++ {
		e := &JournalEntry{
			Format: JournalFormatLatest, Seq: int64(i), At: time.Date(2026, 3, 1, 9, 30, i, 123456000, time.UTC),
			Subject: "sub-42", Name: "Marie Durand", Email: "marie.durand@cdg62.fr", Roles: []string{"archivist@cdg62"},
			Tenant: "cdg62/ruitz", Tenants: []string{"cdg62/ruitz"}, Action: ActionUnitView,
			UnitID: int64(100 + i), Units: []int64{int64(100 + i)}, Results: -1,
			Client: "192.0.2.10", PrevHash: prev,
		}
		e.Hash = e.ComputeHash()
		prev = e.Hash
		out = append(out, e)
	}
	return out
}

// TestJournalCanonicalVector pins the documented encoding with a test vector built by
// hand from the rules in Canonical's comment: an auditor's own implementation must
// produce the same bytes and the same hash. A change here breaks every existing chain.
func TestJournalCanonicalVector(t *testing.T) {
	e := JournalEntry{
		Format: JournalFormatV1, Seq: 1, At: time.Date(2026, 3, 1, 10, 30, 0, 5000, time.FixedZone("CET", 3600)),
		Subject: "ab", Roles: []string{"x", "yz"}, Tenant: "t", Action: "login",
		UnitID: 2, Results: -1, Detail: "é", PrevHash: []byte{0xaa, 0xbb},
	}
	str := func(s string) string {
		return hex.EncodeToString([]byte{0, 0, 0, byte(len(s))}) + hex.EncodeToString([]byte(s))
	}
	num := func(b byte) string { return "00000000000000" + hex.EncodeToString([]byte{b}) }
	want := str("sesam-journal-v1") +
		num(1) +
		str("2026-03-01T09:30:00.000005Z") + // 10:30 CET is 09:30 UTC; 5000 ns is 5 µs
		str("ab") + str("") + // subject, name
		"00000002" + str("x") + str("yz") + // roles
		str("t") + str("login") +
		num(2) + num(0) + num(0) + // unit, object, request
		str("") + str("") + // query, filters
		"ffffffffffffffff" + // results -1
		str("") + str("") + str("") + str("") + // grant, client, user agent, request id
		"00000002c3a9" + // detail "é" in UTF-8
		"00000002aabb" // previous hash
	if got := hex.EncodeToString(e.Canonical()); got != want {
		t.Errorf("Canonical =\n%s\nwant\n%s", got, want)
	}
	// sha256 of the bytes above, computed outside Go (Python's hashlib).
	const wantHash = "be2e5b6135ce8a6632ad19196a287832875ff1ad38dd42a4e64debe0e27d3f23"
	if got := hex.EncodeToString(e.ComputeHash()); got != wantHash {
		t.Errorf("ComputeHash = %s, want %s", got, wantHash)
	}
}

// TestJournalCanonicalVectorV2 pins format 2 the same way: the e-mail after the name,
// the tenant list after the tenant, the unit list after the unit.
func TestJournalCanonicalVectorV2(t *testing.T) {
	e := JournalEntry{
		Format: JournalFormatV2, Seq: 1, At: time.Date(2026, 3, 1, 10, 30, 0, 5000, time.FixedZone("CET", 3600)),
		Subject: "ab", Email: "a@b", Roles: []string{"x"}, Tenant: "t", Tenants: []string{"t", "u/*"},
		Action: "login", UnitID: 2, Units: []int64{2, 3}, Results: -1, PrevHash: []byte{0xaa, 0xbb},
	}
	str := func(s string) string {
		return hex.EncodeToString([]byte{0, 0, 0, byte(len(s))}) + hex.EncodeToString([]byte(s))
	}
	num := func(b byte) string { return "00000000000000" + hex.EncodeToString([]byte{b}) }
	want := str("sesam-journal-v2") +
		num(1) +
		str("2026-03-01T09:30:00.000005Z") +
		str("ab") + str("") + str("a@b") + // subject, name, e-mail
		"00000001" + str("x") + // roles
		str("t") + "00000002" + str("t") + str("u/*") + // tenant, tenants
		str("login") +
		num(2) + "00000002" + num(2) + num(3) + // unit, units
		num(0) + num(0) + // object, request
		str("") + str("") + // query, filters
		"ffffffffffffffff" + // results -1
		str("") + str("") + str("") + str("") + str("") + // grant, client, user agent, request id, detail
		"00000002aabb" // previous hash
	if got := hex.EncodeToString(e.Canonical()); got != want {
		t.Errorf("Canonical =\n%s\nwant\n%s", got, want)
	}
	// sha256 of the bytes above, computed outside Go (Python's hashlib).
	const wantHash = "460ea5b51821b9e9698b15f2cbc8b58ef1d12310b9a99a9777bac70a3903bda6"
	if got := hex.EncodeToString(e.ComputeHash()); got != wantHash {
		t.Errorf("ComputeHash = %s, want %s", got, wantHash)
	}
}

// TestJournalCanonicalUnambiguous: entries a plain concatenation would confuse have
// different encodings.
func TestJournalCanonicalUnambiguous(t *testing.T) {
	tests := []struct {
		name string
		a, b JournalEntry
	}{
		{"text moved between fields", JournalEntry{Subject: "ab", Name: "c"}, JournalEntry{Subject: "a", Name: "bc"}},
		{"roles split differently", JournalEntry{Roles: []string{"ab", "c"}}, JournalEntry{Roles: []string{"a", "bc"}}},
		{"role moved into tenant", JournalEntry{Roles: []string{"a"}}, JournalEntry{Tenant: "\x00\x00\x00\x01a"}},
		{"empty role list and one empty role", JournalEntry{Roles: nil}, JournalEntry{Roles: []string{""}}},
		{"unit and object swapped", JournalEntry{UnitID: 1}, JournalEntry{ObjectID: 1}},
		{"tenant moved into the list", JournalEntry{Tenant: "a"}, JournalEntry{Tenants: []string{"a"}}},
		{"e-mail moved into the name", JournalEntry{Email: "a"}, JournalEntry{Name: "a"}},
		{"unit moved into the list", JournalEntry{UnitID: 1}, JournalEntry{Units: []int64{1}}},
		{"format 1 and format 2", JournalEntry{Format: JournalFormatV1}, JournalEntry{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.a.Format == 0 {
				tt.a.Format = JournalFormatLatest
			}
			if tt.b.Format == 0 {
				tt.b.Format = JournalFormatLatest
			}
			if bytes.Equal(tt.a.Canonical(), tt.b.Canonical()) {
				t.Errorf("%+v and %+v have the same encoding", tt.a, tt.b)
			}
		})
	}
}

// TestJournalHashCoversEveryField changes each field of an entry in turn: the hash must
// change, or an edit of that field would go unnoticed. A field added to JournalEntry
// but forgotten in Canonical fails here.
func TestJournalHashCoversEveryField(t *testing.T) {
	base := *chained(1)[0]
	typ := reflect.TypeOf(base)
	for i := range typ.NumField() {
		f := typ.Field(i)
		if f.Name == "Hash" {
			continue
		}
		t.Run(f.Name, func(t *testing.T) {
			e := base
			e.Roles = append([]string(nil), base.Roles...)
			v := reflect.ValueOf(&e).Elem().Field(i)
			switch v.Interface().(type) {
			case string:
				v.SetString(v.String() + "x")
			case int64, int:
				v.SetInt(v.Int() + 1)
			case time.Time:
				v.Set(reflect.ValueOf(e.At.Add(time.Microsecond)))
			case []string:
				v.Set(reflect.ValueOf(append(append([]string(nil), v.Interface().([]string)...), "cdg59")))
			case []int64:
				v.Set(reflect.ValueOf(append(append([]int64(nil), base.Units...), 7)))
			case []byte:
				v.Set(reflect.ValueOf(append([]byte{1}, base.PrevHash[1:]...)))
			default:
				t.Fatalf("field %s of type %s: teach this test to change it", f.Name, f.Type)
			}
			if bytes.Equal(e.ComputeHash(), base.ComputeHash()) {
				t.Errorf("changing %s leaves the hash unchanged", f.Name)
			}
		})
	}
}

func TestJournalTimeBelowMicrosecondIgnored(t *testing.T) {
	e := *chained(1)[0]
	f := e
	f.At = e.At.Add(999 * time.Nanosecond) // PostgreSQL keeps microseconds only
	if !bytes.Equal(e.ComputeHash(), f.ComputeHash()) {
		t.Error("nanoseconds below the microsecond change the hash: a stored entry would not verify")
	}
}

func TestVerifyJournalLink(t *testing.T) {
	es := chained(3)
	changed := *es[1]
	changed.Query = "état civil"
	rehashed := changed
	rehashed.Hash = rehashed.ComputeHash()
	forged := *es[1]
	forged.PrevHash = bytes.Repeat([]byte{7}, 32)
	forged.Hash = forged.ComputeHash()
	firstNotZero := *es[0]
	firstNotZero.PrevHash = es[2].Hash
	firstNotZero.Hash = firstNotZero.ComputeHash()
	tests := []struct {
		name     string
		prev, e  *JournalEntry
		wantPart string // "" when sound
	}{
		{"first entry", nil, es[0], ""},
		{"next entry", es[0], es[1], ""},
		{"journal starts later", nil, es[1], "starts at entry 2 instead of 1"},
		{"first entry with a previous hash", nil, &firstNotZero, "first entry's previous hash is not zero"},
		{"entry deleted", es[0], es[2], "sequence jumps from 1 to 3 (entries deleted)"},
		{"entry changed", es[0], &changed, "hash does not match its content (changed)"},
		{"entry changed and rehashed, seen from the next", &rehashed, es[2], "previous hash does not match entry 2"},
		{"entry forged with its own hash", es[0], &forged, "previous hash does not match entry 1"},
		{"same entry twice", es[1], es[1], "sequence jumps from 2 to 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := VerifyJournalLink(tt.prev, tt.e)
			if tt.wantPart == "" && got != "" || !strings.Contains(got, tt.wantPart) {
				t.Errorf("VerifyJournalLink = %q, want %q", got, tt.wantPart)
			}
		})
	}
}
