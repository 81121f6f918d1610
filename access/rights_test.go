package access

import (
	"errors"
	"slices"
	"testing"

	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"
	"github.com/google/go-cmp/cmp"
)

// memAdapter keeps policy rows in memory, as the store's adapter keeps them in a table.
type memAdapter struct{ rows [][]string }

func (a *memAdapter) LoadPolicy(m model.Model) error {
	for _, r := range a.rows {
		if err := persist.LoadPolicyArray(r, m); err != nil {
			return err
		}
	}
	return nil
}
func (a *memAdapter) SavePolicy(model.Model) error { return errors.New("unused") }
func (a *memAdapter) AddPolicy(sec, ptype string, rule []string) error {
	a.rows = append(a.rows, append([]string{ptype}, rule...))
	return nil
}
func (a *memAdapter) RemovePolicy(sec, ptype string, rule []string) error {
	a.rows = slices.DeleteFunc(a.rows, func(r []string) bool { return slices.Equal(r, append([]string{ptype}, rule...)) })
	return nil
}
func (a *memAdapter) RemoveFilteredPolicy(sec, ptype string, fieldIndex int, values ...string) error {
	a.rows = slices.DeleteFunc(a.rows, func(r []string) bool {
		if r[0] != ptype {
			return false
		}
		for i, v := range values {
			if v != "" && (fieldIndex+i+1 >= len(r) || r[fieldIndex+i+1] != v) {
				return false
			}
		}
		return true
	})
	return nil
}

func newTestRights(t *testing.T, as ...Assignment) *Rights {
	t.Helper()
	r, err := NewRights(&memAdapter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range as {
		if _, err := r.Grant(a); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

func TestRightsCan(t *testing.T) {
	r := newTestRights(t,
		Assignment{Subject: "agent@ruitz.fr", Role: RoleReader, Domain: "cdg62/ruitz"},
		Assignment{Subject: "archiviste@cdg62.fr", Role: RoleArchivist, Domain: "cdg62"},
		Assignment{Subject: "maire@ruitz.fr", Role: RoleProducer, Domain: "cdg62/ruitz"},
		Assignment{Subject: "audit@cdg62.fr", Role: RoleAuditor, Domain: "cdg62/*"},
		Assignment{Subject: "root", Role: RoleAdmin, Domain: "*"},
	)
	p := func(email string) Principal { return Principal{Subject: "sub-" + email, Email: email} }
	tests := []struct {
		who              Principal
		tenant, obj, act string
		want             bool
	}{
		{p("agent@ruitz.fr"), "cdg62/ruitz", ObjUnits, ActRead, true},
		{p("agent@ruitz.fr"), "cdg62", ObjUnits, ActRead, false},
		{p("agent@ruitz.fr"), "cdg62/ruitz-bis", ObjUnits, ActRead, false},
		{p("agent@ruitz.fr"), "cdg62/ruitz", ObjRequests, ActDecide, false},
		{p("AGENT@ruitz.fr"), "cdg62/ruitz", ObjUnits, ActRead, true}, // e-mails are case-insensitive
		{p("archiviste@cdg62.fr"), "cdg62", ObjUnits, ActRead, true},
		{p("archiviste@cdg62.fr"), "cdg62/ruitz", ObjRequests, ActDecide, true},
		{p("archiviste@cdg62.fr"), "cdg59/lille", ObjUnits, ActRead, false},
		{p("maire@ruitz.fr"), "cdg62/ruitz", ObjRequests, ActAgree, true},
		{p("maire@ruitz.fr"), "cdg62/ruitz", ObjRequests, ActDecide, false},
		{p("audit@cdg62.fr"), "cdg62/ruitz", ObjJournal, ActRead, true},
		{p("audit@cdg62.fr"), "cdg62", ObjJournal, ActRead, false}, // cdg62/* is below only
		{p("audit@cdg62.fr"), "cdg62/ruitz", ObjUnits, ActRead, false},
		{p("root"), "cdg59/lille", ObjRoles, ActManage, true},
		{Principal{}, "cdg62/ruitz", ObjUnits, ActRead, false},
		{Principal{Subject: "x", Groups: []string{"sesam:archivist:cdg59"}}, "cdg59/lille", ObjRequests, ActDecide, true},
		{Principal{Subject: "x", Groups: []string{"sesam:archivist:cdg59", "other:admin:*", "sesam:king:*"}}, "cdg62", ObjUnits, ActRead, false},
	}
	for _, tt := range tests {
		if got := r.Can(tt.who, tt.tenant, tt.obj, tt.act); got != tt.want {
			t.Errorf("Can(%s, %s, %s, %s) = %v, want %v", tt.who.Email+tt.who.Subject, tt.tenant, tt.obj, tt.act, got, tt.want)
		}
	}
}

func TestRightsScope(t *testing.T) {
	r := newTestRights(t,
		Assignment{Subject: "agent@ruitz.fr", Role: RoleReader, Domain: "cdg62/ruitz", Agencies: []string{"SERVICE-RH"}},
		Assignment{Subject: "archiviste@cdg62.fr", Role: RoleArchivist, Domain: "cdg62"},
		Assignment{Subject: "archiviste@cdg62.fr", Role: RoleAuditor, Domain: "cdg59"},
	)
	grants := []Grant{{UnitID: "42", UntilDay: 20300101}}
	got := r.Scope(Principal{Email: "agent@ruitz.fr"}, []string{"cdg62/ruitz"}, grants, 20261125)
	want := Scope{AgencyTenants: []AgencyScope{{Tenant: "cdg62/ruitz", Agencies: []string{"SERVICE-RH"}}},
		PublicTenants: []string{"cdg62/ruitz"}, Grants: grants, Today: 20261125,
		Roles: []Assignment{{Subject: "agent@ruitz.fr", Role: RoleReader, Domain: "cdg62/ruitz", Agencies: []string{"SERVICE-RH"}}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("reader scope (-want +got):\n%s", diff)
	}
	got = r.Scope(Principal{Email: "archiviste@cdg62.fr"}, nil, nil, 20261125)
	if diff := cmp.Diff([]string{"cdg62"}, got.Tenants); diff != "" || got.All {
		t.Errorf("archivist scope tenants (-want +got):\n%s (all=%v); an auditor role gives no content", diff, got.All)
	}
	if s := r.Scope(Principal{}, []string{"cdg62/ruitz"}, nil, 20261125); s.All || len(s.Tenants) > 0 {
		t.Errorf("public scope = %+v, want only public tenants", s)
	}
}

func TestRightsGrantErrors(t *testing.T) {
	r := newTestRights(t)
	bad := []Assignment{
		{Subject: "", Role: RoleReader, Domain: "cdg62"},
		{Subject: "a", Role: "king", Domain: "cdg62"},
		{Subject: "a", Role: RoleReader, Domain: "cdg62/*/x"},
		{Subject: "a", Role: RoleReader, Domain: ""},
		{Subject: "a", Role: RoleArchivist, Domain: "cdg62", Agencies: []string{"X"}},
	}
	for _, a := range bad {
		if _, err := r.Grant(a); !errors.Is(err, ErrInvalid) {
			t.Errorf("Grant(%+v) = %v, want ErrInvalid", a, err)
		}
	}
	if err := r.Revoke(Assignment{Subject: "a", Role: RoleReader, Domain: "cdg62"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("revoking a role not held = %v, want ErrInvalid", err)
	}
}

func TestScopeVisibility(t *testing.T) {
	today := 20261125
	unit := func(tenant string, open, publish int) UnitView {
		return UnitView{ID: "7", Tenant: tenant, Agency: "SERVICE-RH", Ancestors: []string{"1", "3"}, OpenDay: open, PublishDay: publish}
	}
	tests := []struct {
		name  string
		scope Scope
		unit  UnitView
		want  Visibility
	}{
		{"own tenant, closed", Scope{Tenants: []string{"cdg62"}}, unit("cdg62/ruitz", NeverDay, AlwaysDay), Full},
		{"other tenant, closed", Scope{Tenants: []string{"cdg59"}}, unit("cdg62/ruitz", NeverDay, AlwaysDay), Hidden},
		{"below only", Scope{Tenants: []string{"cdg62/*"}}, unit("cdg62", AlwaysDay, AlwaysDay), Hidden},
		{"public, open", Scope{PublicTenants: []string{"cdg62/ruitz"}}, unit("cdg62/ruitz", today, AlwaysDay), Full},
		{"public, opens tomorrow", Scope{PublicTenants: []string{"cdg62/ruitz"}}, unit("cdg62/ruitz", today+1, AlwaysDay), Hidden},
		{"public, dissemination runs", Scope{PublicTenants: []string{"cdg62/ruitz"}}, unit("cdg62/ruitz", AlwaysDay, today+1), Hidden},
		{"public, tenant does not publish", Scope{PublicTenants: []string{"cdg62"}}, unit("cdg62/ruitz", AlwaysDay, AlwaysDay), Hidden},
		{"agency match", Scope{AgencyTenants: []AgencyScope{{"cdg62", []string{"SERVICE-RH"}}}}, unit("cdg62/ruitz", NeverDay, NeverDay), Full},
		{"agency mismatch", Scope{AgencyTenants: []AgencyScope{{"cdg62", []string{"DGS"}}}}, unit("cdg62/ruitz", NeverDay, NeverDay), Hidden},
		{"online grant on an ancestor", Scope{Grants: []Grant{{UnitID: "3", UntilDay: today, Online: true}}}, unit("cdg62/ruitz", NeverDay, NeverDay), Full},
		{"reading-room grant", Scope{Grants: []Grant{{UnitID: "3", UntilDay: today}}}, unit("cdg62/ruitz", NeverDay, NeverDay), MetadataOnly},
		{"grant expired yesterday", Scope{Grants: []Grant{{UnitID: "3", UntilDay: today - 1}}}, unit("cdg62/ruitz", NeverDay, NeverDay), Hidden},
		{"grant on another unit", Scope{Grants: []Grant{{UnitID: "8", UntilDay: today}}}, unit("cdg62/ruitz", NeverDay, NeverDay), Hidden},
		{"closed, description public", Scope{PublicTenants: []string{"cdg62/ruitz"}},
			UnitView{ID: "7", Tenant: "cdg62/ruitz", OpenDay: NeverDay, DescriptionPublic: true}, MetadataOnly},
		{"admin", Scope{All: true}, unit("cdg59", NeverDay, NeverDay), Full},
		{"nothing", Scope{}, unit("cdg62/ruitz", AlwaysDay, AlwaysDay), Hidden},
	}
	for _, tt := range tests {
		tt.scope.Today = today
		if got := tt.scope.Visibility(tt.unit); got != tt.want {
			t.Errorf("%s: Visibility = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// BenchmarkVisibility is the cost of one decision on a unit (the check every page,
// download and API call makes after loading the unit).
func BenchmarkVisibility(b *testing.B) {
	s := Scope{Tenants: []string{"cdg62/ruitz"}, AgencyTenants: []AgencyScope{{"cdg59", []string{"RH"}}},
		PublicTenants: []string{"cdg62/arras", "cdg59/lille"}, Grants: []Grant{{UnitID: "9", UntilDay: 20300101}}, Today: 20261125}
	u := UnitView{ID: "7", Tenant: "cdg59/lille", Agency: "DGS", Ancestors: []string{"1", "3", "5"}, OpenDay: 20400101}
	for i := 0; i < b.N; i++ {
		if s.Visibility(u) != Hidden {
			b.Fatal("visible")
		}
	}
}
