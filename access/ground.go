package access

import (
	"fmt"
	"strings"
	"time"
)

// GroundKind is the ground on which a principal sees a unit.
type GroundKind string

// The grounds, in the order Scope.Ground looks for them.
const (
	GroundNone        GroundKind = "none"        // hidden
	GroundAll         GroundKind = "platform"    // a role on every tenant ("*")
	GroundTenant      GroundKind = "role"        // a role on the unit's tenant (or above it)
	GroundGrant       GroundKind = "grant"       // a running grant of an access request
	GroundPublic      GroundKind = "public"      // published online: communicable, no dissemination rule running
	GroundDescription GroundKind = "description" // the tenant made this fonds' description public
)

// Ground is what a principal may see of a unit and why.
type Ground struct {
	Visibility Visibility
	Kind       GroundKind
	Unit       UnitView
	Today      int

	Domain          string       // GroundTenant: the scope tenant covering the unit
	Role            *Assignment  // GroundAll, GroundTenant: the role that gives it (nil if the scope does not say)
	Grant           *Grant       // GroundGrant: the grant; hidden: a grant on the unit that has ended
	Limit           *AgencyScope // hidden: a reader's access to the tenant, limited to other agencies
	TenantPublishes bool         // the unit's tenant publishes online
}

// Text says the ground in one sentence, in French or (lang "en") English.
func (g Ground) Text(lang string) string {
	en := lang == "en"
	w := groundWords[en]
	switch g.Kind {
	case GroundAll:
		return w.visible + g.roleText(en, "*") + w.allTenants
	case GroundTenant:
		return w.visible + g.roleText(en, g.Domain) + fmt.Sprintf(w.covers, g.Unit.Tenant) + g.agencyText(en)
	case GroundGrant:
		return g.grantText(en)
	case GroundPublic:
		return w.visibleAll + fmt.Sprintf(w.publishes, g.Unit.Tenant) + g.openText(en) + "."
	case GroundDescription:
		return w.descOnly + fmt.Sprintf(w.descPublic, g.Unit.Tenant) + g.openText(en) + ")."
	}
	return w.hidden + strings.Join(g.hiddenParts(en), w.sep) + "."
}

type groundTexts struct {
	visible, visibleAll, descOnly, hidden, allTenants, covers, publishes, descPublic string
	role, access, agencies, unitAgency, noAgency                                     string
	grant, online, room, roomTail, noRole, limited, noPublish, publishButClosed      string
	grantEnded, noGrant, opensFrom, openSince, openAlways, notOpen, pubFrom, noPub   string
	sep                                                                              string
}

var groundWords = map[bool]groundTexts{
	false: {
		sep: " ; ", visible: "Visible : ", visibleAll: "Visible de tous : ", descOnly: "Description seulement : ", hidden: "Non visible : ",
		allTenants: " (toutes les archives de la plateforme).", covers: ", qui couvre %s (ses archives quel que soit leur délai)",
		publishes: "%s publie en ligne, ", descPublic: "%s publie en ligne et a rendu publique la description de ce fonds ; les documents restent fermés (",
		role: "rôle %s sur « %s »", access: "accès aux archives de « %s »", agencies: ", limité aux services producteurs %s, dont relève l'unité",
		grant: "autorisation %s (demande %s) sur l'unité %s et sa descendance, jusqu'au %s inclus", online: "de consultation en ligne",
		room: "de consultation en salle de lecture", roomTail: " ; les documents se consultent sur place",
		noRole: "aucun rôle ne donne accès aux archives de %s", limited: "le rôle reader sur « %s » est limité aux services producteurs %s, et l'unité relève de %s",
		noAgency: "d'aucun service producteur", noPublish: "%s ne publie pas en ligne", publishButClosed: "%s publie en ligne, mais ",
		grantEnded: "l'autorisation de la demande %s a pris fin le %s", noGrant: "aucune autorisation en cours sur cette unité",
		opensFrom: "l'unité n'est communicable qu'à partir du %s", openSince: "l'unité est communicable depuis le %s",
		openAlways: "l'unité est communicable sans délai", notOpen: "l'unité n'est pas communicable (jamais, ou à une date inconnue)",
		pubFrom: "sa diffusion en ligne n'est permise qu'à partir du %s", noPub: "sa diffusion en ligne n'est jamais permise",
	},
	true: {
		sep: "; ", visible: "Visible: ", visibleAll: "Visible to anyone: ", descOnly: "Description only: ", hidden: "Not visible: ",
		allTenants: " (every archive of the platform).", covers: ", which covers %s (its archives whatever their delay)",
		publishes: "%s publishes online, ", descPublic: "%s publishes online and made this fonds' description public; the documents stay closed (",
		role: "role %s on “%s”", access: "access to the archives of “%s”", agencies: ", limited to the originating agencies %s, the unit's among them",
		grant: "grant %s (request %s) on unit %s and its subtree, until %s inclusive", online: "for consultation online",
		room: "for consultation in the reading room", roomTail: "; the documents are seen on site",
		noRole: "no role gives access to the archives of %s", limited: "the reader role on “%s” is limited to the originating agencies %s, and the unit is of %s",
		noAgency: "no agency", noPublish: "%s does not publish online", publishButClosed: "%s publishes online, but ",
		grantEnded: "the grant of request %s ended on %s", noGrant: "no running grant on this unit",
		opensFrom: "the unit is communicable only from %s", openSince: "the unit is communicable since %s",
		openAlways: "the unit is communicable without delay", notOpen: "the unit is not communicable (never, or from an unknown day)",
		pubFrom: "its online publication is allowed only from %s", noPub: "its online publication is never allowed",
	},
}

func (g Ground) roleText(en bool, domain string) string {
	w := groundWords[en]
	if g.Role == nil {
		return fmt.Sprintf(w.access, domain)
	}
	return fmt.Sprintf(w.role, g.Role.Role, g.Role.Domain)
}

func (g Ground) agencyText(en bool) string {
	if g.Role == nil || len(g.Role.Agencies) == 0 {
		return "."
	}
	return fmt.Sprintf(groundWords[en].agencies, strings.Join(g.Role.Agencies, ", ")) + "."
}

func (g Ground) grantText(en bool) string {
	w := groundWords[en]
	how, tail, head := w.online, "", w.visible
	if g.Visibility != Full {
		how, tail, head = w.room, w.roomTail, w.descOnly
	}
	return head + fmt.Sprintf(w.grant, how, g.Grant.RequestID, g.Grant.UnitID, dayText(g.Grant.UntilDay, en)) + tail + "."
}

// openText says whether the unit is communicable today, and publishable online.
func (g Ground) openText(en bool) string {
	w := groundWords[en]
	u := g.Unit
	s := ""
	switch {
	case u.OpenDay == AlwaysDay:
		s = w.openAlways
	case u.OpenDay >= NeverDay:
		s = w.notOpen
	case u.OpenDay > g.Today:
		s = fmt.Sprintf(w.opensFrom, dayText(u.OpenDay, en))
	default:
		s = fmt.Sprintf(w.openSince, dayText(u.OpenDay, en))
	}
	if u.OpenDay <= g.Today && u.PublishDay > g.Today {
		s += w.sep + g.publishText(en)
	}
	return s
}

func (g Ground) publishText(en bool) string {
	w := groundWords[en]
	if g.Unit.PublishDay >= NeverDay {
		return w.noPub
	}
	return fmt.Sprintf(w.pubFrom, dayText(g.Unit.PublishDay, en))
}

// hiddenParts says what each way in lacks: a role, online publication, a grant.
func (g Ground) hiddenParts(en bool) []string {
	w := groundWords[en]
	u := g.Unit
	var parts []string
	if g.Limit != nil {
		agency := u.Agency
		if agency == "" {
			agency = w.noAgency
		}
		parts = append(parts, fmt.Sprintf(w.limited, g.Limit.Tenant, strings.Join(g.Limit.Agencies, ", "), agency))
	} else {
		parts = append(parts, fmt.Sprintf(w.noRole, u.Tenant))
	}
	switch {
	case !g.TenantPublishes:
		parts = append(parts, fmt.Sprintf(w.noPublish, u.Tenant))
	case u.OpenDay > g.Today:
		parts = append(parts, fmt.Sprintf(w.publishButClosed, u.Tenant)+g.openText(en))
	default:
		parts = append(parts, fmt.Sprintf(w.publishButClosed, u.Tenant)+g.publishText(en))
	}
	if g.Grant != nil {
		return append(parts, fmt.Sprintf(w.grantEnded, g.Grant.RequestID, dayText(g.Grant.UntilDay, en)))
	}
	return append(parts, w.noGrant)
}

// dayText writes a day number for people.
func dayText(n int, en bool) string {
	lang := "fr"
	if en {
		lang = "en"
	}
	return formatDate(time.Date(n/10000, time.Month(n/100%100), n%100, 0, 0, 0, 0, time.UTC), lang)
}
