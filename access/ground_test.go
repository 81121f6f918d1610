package access

import (
	"testing"
)

// TestGround: `sesam access explain` says on what ground a principal sees a unit, or
// what each way in lacks, from the scope the search filter is built from.
func TestGround(t *testing.T) {
	r := newTestRights(t,
		Assignment{Subject: "agent@ruitz.fr", Role: RoleReader, Domain: "cdg62/ruitz", Agencies: []string{"DGS", "RH"}},
		Assignment{Subject: "archiviste@cdg62.fr", Role: RoleArchivist, Domain: "cdg62"},
		Assignment{Subject: "root", Role: RoleAdmin, Domain: "*"},
	)
	today := 20261125
	who := func(email string) Principal { return Principal{Subject: "sub-" + email, Email: email} }
	publics := []string{"cdg62/ruitz"}
	grants := []Grant{
		{UnitID: "3", UntilDay: 20270101, Online: true, RequestID: "12"},
		{UnitID: "4", UntilDay: 20270101, RequestID: "13"},
		{UnitID: "5", UntilDay: 20261124, Online: true, RequestID: "14"},
	}
	unit := func(tenant, agency string, open, publish int, anc ...string) UnitView {
		return UnitView{ID: "7", Tenant: tenant, Agency: agency, Ancestors: anc, OpenDay: open, PublishDay: publish}
	}
	cases := []struct {
		name string
		p    Principal
		unit UnitView
		want Visibility
		kind GroundKind
		text string
	}{
		{"administrator", Principal{Subject: "root"}, unit("cdg59/lille", "", NeverDay, NeverDay), Full, GroundAll,
			"Visible : rôle admin sur « * » (toutes les archives de la plateforme)."},
		{"archivist of the tenant above", who("archiviste@cdg62.fr"), unit("cdg62/ruitz", "", NeverDay, NeverDay), Full, GroundTenant,
			"Visible : rôle archivist sur « cdg62 », qui couvre cdg62/ruitz (ses archives quel que soit leur délai)."},
		{"reader of the unit's agency", who("agent@ruitz.fr"), unit("cdg62/ruitz", "RH", 20400101, AlwaysDay), Full, GroundTenant,
			"Visible : rôle reader sur « cdg62/ruitz », qui couvre cdg62/ruitz (ses archives quel que soit leur délai), limité aux services producteurs DGS, RH, dont relève l'unité."},
		{"reader of another agency, closed unit", who("agent@ruitz.fr"), unit("cdg62/ruitz", "CCAS", 20400101, AlwaysDay), Hidden, GroundNone,
			"Non visible : le rôle reader sur « cdg62/ruitz » est limité aux services producteurs DGS, RH, et l'unité relève de CCAS ; cdg62/ruitz publie en ligne, mais l'unité n'est communicable qu'à partir du 1er janvier 2040 ; aucune autorisation en cours sur cette unité."},
		{"public, published unit", Principal{}, unit("cdg62/ruitz", "", 19900101, AlwaysDay), Full, GroundPublic,
			"Visible de tous : cdg62/ruitz publie en ligne, l'unité est communicable depuis le 1er janvier 1990."},
		{"public, communicable but not publishable yet", Principal{}, unit("cdg62/ruitz", "", AlwaysDay, 20300101), Hidden, GroundNone,
			"Non visible : aucun rôle ne donne accès aux archives de cdg62/ruitz ; cdg62/ruitz publie en ligne, mais sa diffusion en ligne n'est permise qu'à partir du 1er janvier 2030 ; aucune autorisation en cours sur cette unité."},
		{"public, never communicable", Principal{}, unit("cdg62/ruitz", "", NeverDay, AlwaysDay), Hidden, GroundNone,
			"Non visible : aucun rôle ne donne accès aux archives de cdg62/ruitz ; cdg62/ruitz publie en ligne, mais l'unité n'est pas communicable (jamais, ou à une date inconnue) ; aucune autorisation en cours sur cette unité."},
		{"public, tenant does not publish", Principal{}, unit("cdg59/lille", "", AlwaysDay, AlwaysDay), Hidden, GroundNone,
			"Non visible : aucun rôle ne donne accès aux archives de cdg59/lille ; cdg59/lille ne publie pas en ligne ; aucune autorisation en cours sur cette unité."},
		{"online grant on an ancestor", who("lecteur@example.fr"), unit("cdg59/lille", "", NeverDay, NeverDay, "1", "3"), Full, GroundGrant,
			"Visible : autorisation de consultation en ligne (demande 12) sur l'unité 3 et sa descendance, jusqu'au 1er janvier 2027 inclus."},
		{"reading-room grant", who("lecteur@example.fr"), unit("cdg59/lille", "", NeverDay, NeverDay, "4"), MetadataOnly, GroundGrant,
			"Description seulement : autorisation de consultation en salle de lecture (demande 13) sur l'unité 4 et sa descendance, jusqu'au 1er janvier 2027 inclus ; les documents se consultent sur place."},
		{"ended grant", who("lecteur@example.fr"), unit("cdg59/lille", "", NeverDay, NeverDay, "5"), Hidden, GroundNone,
			"Non visible : aucun rôle ne donne accès aux archives de cdg59/lille ; cdg59/lille ne publie pas en ligne ; l'autorisation de la demande 14 a pris fin le 24 novembre 2026."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var gs []Grant
			if !c.p.Public() {
				gs = grants
			}
			s := r.Scope(c.p, publics, gs, today)
			g := s.Ground(c.unit)
			if g.Visibility != c.want || s.Visibility(c.unit) != c.want || g.Kind != c.kind {
				t.Errorf("ground %v/%q, Visibility %v; want %v/%q", g.Visibility, g.Kind, s.Visibility(c.unit), c.want, c.kind)
			}
			diff(t, "text", c.text, g.Text("fr"))
		})
	}
}

// TestGroundDescriptionAndEnglish: a closed unit of a fonds whose description is
// public, in both languages.
func TestGroundDescriptionAndEnglish(t *testing.T) {
	s := Scope{PublicTenants: []string{"cdg62/ruitz"}, Today: 20261125}
	u := UnitView{ID: "7", Tenant: "cdg62/ruitz", OpenDay: 20351231, PublishDay: AlwaysDay, DescriptionPublic: true}
	g := s.Ground(u)
	diff(t, "fr", "Description seulement : cdg62/ruitz publie en ligne et a rendu publique la description de ce fonds ; les documents restent fermés (l'unité n'est communicable qu'à partir du 31 décembre 2035).", g.Text("fr"))
	diff(t, "en", "Description only: cdg62/ruitz publishes online and made this fonds' description public; the documents stay closed (the unit is communicable only from 31 December 2035).", g.Text("en"))
	u.DescriptionPublic = false
	diff(t, "en hidden", "Not visible: no role gives access to the archives of cdg62/ruitz; cdg62/ruitz publishes online, but the unit is communicable only from 31 December 2035; no running grant on this unit.", s.Ground(u).Text("en"))
	s.Tenants = []string{"cdg62"} // a scope built by hand names no role
	diff(t, "en role", "Visible: access to the archives of “cdg62”, which covers cdg62/ruitz (its archives whatever their delay).", s.Ground(u).Text("en"))
}
