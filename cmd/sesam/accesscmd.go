package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"sesam/access"
	"sesam/store"
)

// explainDoc is `sesam access explain --json`.
type explainDoc struct {
	Unit               int64      `json:"unit"`
	At                 string     `json:"at"`
	Communicable       bool       `json:"communicable"`
	CommunicableFrom   *string    `json:"communicable_from"`
	Status             string     `json:"status"`
	Public             bool       `json:"public"`
	PublishableFrom    *string    `json:"publishable_from"`
	Rules              []ruleDoc  `json:"rules"`
	Blocked            []blockDoc `json:"blocked"`
	VisibleToPrincipal bool       `json:"visible_to_principal"`
	Visibility         string     `json:"visibility"`
	VisibilityGround   string     `json:"visibility_ground"`
	VisibilityReason   string     `json:"visibility_reason"`
	Principal          string     `json:"principal"`
	Reason             string     `json:"reason"`
	Explanation        []string   `json:"explanation"`
	Dissemination      []string   `json:"dissemination"`
}

type ruleDoc struct {
	Code      string  `json:"code"`
	Category  string  `json:"category"`
	Origin    string  `json:"origin_unit"`
	Inherited bool    `json:"inherited"`
	Start     *string `json:"start"`
	End       *string `json:"end"`
	Status    string  `json:"status"`
}

type blockDoc struct {
	Code string `json:"code"`
	At   string `json:"blocked_at_unit"`
	How  string `json:"how"`
}

func isoPtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.Format("2006-01-02")
	return &s
}

func cmdAccess(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 && args[0] == "public-description" {
		return publicDescription(ctx, e, args[1:])
	}
	if len(args) == 0 || args[0] != "explain" {
		return errors.New("usage: sesam access explain --unit ID [--as SUBJECT|public] [--at DATE] [--json] | access public-description --unit ID [--off]")
	}
	fs := newFlags("access explain", e.stderr)
	unit := fs.Int64("unit", 0, "the unit")
	as := fs.String("as", "public", "the principal: public, an e-mail or an OIDC subject")
	at := fs.String("at", "", "the day to decide for (YYYY-MM-DD, default today)")
	asJSON := fs.Bool("json", false, "print JSON")
	lang := fs.String("lang", "fr", "fr or en")
	if _, err := parseArgs(fs, args[1:]); err != nil {
		return err
	}
	when := time.Now()
	if *at != "" {
		t, err := time.ParseInLocation("2006-01-02", *at, parisLocation())
		if err != nil {
			return fmt.Errorf("--at %q: want YYYY-MM-DD", *at)
		}
		when = t.Add(12 * time.Hour)
	}
	st, err := openStore(ctx, e, true)
	if err != nil {
		return err
	}
	defer st.Close()
	doc, err := explain(ctx, st, *unit, principalFlag(*as), when, *lang)
	if err != nil {
		return err
	}
	doc.Principal = *as
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(doc)
	}
	for _, l := range doc.Explanation {
		fmt.Fprintln(e.stdout, l)
	}
	for _, l := range doc.Dissemination {
		fmt.Fprintln(e.stdout, l)
	}
	fmt.Fprintln(e.stdout, visibilityLine(doc, *as, *lang))
	return nil
}

// visibilityLine is the last line of `sesam access explain`: whether the principal
// sees the unit, and on what ground.
func visibilityLine(doc *explainDoc, as, lang string) string {
	if lang == "en" {
		vis := "cannot see"
		if doc.VisibleToPrincipal {
			vis = "can see (" + doc.Visibility + ")"
		}
		return fmt.Sprintf("On %s, %s %s this unit. %s", doc.At, as, vis, doc.VisibilityReason)
	}
	vis := "ne peut pas voir"
	if doc.VisibleToPrincipal {
		vis = "peut voir (" + doc.Visibility + ")"
	}
	return fmt.Sprintf("Le %s, %s %s cette unité. %s", doc.At, as, vis, doc.VisibilityReason)
}

func explain(ctx context.Context, st *store.Store, unitID int64, p access.Principal, when time.Time, lang string) (*explainDoc, error) {
	u, err := st.Unit(ctx, unitID)
	if err != nil {
		return nil, err
	}
	acc, dis, err := st.Explain(ctx, unitID)
	if err != nil {
		return nil, err
	}
	rights, err := access.NewRights(st.CasbinAdapter())
	if err != nil {
		return nil, err
	}
	scope, err := st.Scope(ctx, rights, p, when)
	if err != nil {
		return nil, err
	}
	view := store.ViewOf(u)
	public := access.Scope{PublicTenants: scope.PublicTenants, Today: scope.Today}
	ground := scope.Ground(view)
	vis := ground.Visibility
	d := &explainDoc{Unit: unitID, At: when.In(parisLocation()).Format("2006-01-02"), Communicable: acc.CommunicableAt(when),
		Status: string(acc.Status), Public: public.Visibility(view) == access.Full, VisibleToPrincipal: vis != access.Hidden,
		Visibility:       map[access.Visibility]string{access.Hidden: "hidden", access.MetadataOnly: "description", access.Full: "full"}[vis],
		VisibilityGround: string(ground.Kind), VisibilityReason: ground.Text(lang),
		Reason: acc.ReasonIn(when, lang), Explanation: access.Explain(acc, lang), Dissemination: access.Explain(dis, lang),
		Rules: []ruleDoc{}, Blocked: []blockDoc{}}
	if day, ok := acc.OpensOn(); ok && !day.Equal(access.SinceAlways) {
		d.CommunicableFrom = isoPtr(&day)
	}
	if day, ok := dis.OpensOn(); ok && !day.Equal(access.SinceAlways) {
		d.PublishableFrom = isoPtr(&day)
	}
	for _, dec := range []access.Decision{acc, dis} {
		for _, r := range dec.Rules {
			d.Rules = append(d.Rules, ruleDoc{Code: r.RuleID, Category: string(dec.Category), Origin: r.Origin, Inherited: r.Inherited,
				Start: isoPtr(r.StartDate), End: isoPtr(r.End), Status: string(r.Status)})
		}
		for _, b := range dec.Blocked {
			d.Blocked = append(d.Blocked, blockDoc{Code: b.RuleID, At: b.At, How: string(b.By)})
		}
	}
	return d, nil
}

func parisLocation() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return time.UTC
	}
	return loc
}

// publicDescription makes a fonds' description public (or not) while its documents
// stay closed: the public sees the description, not the objects.
func publicDescription(ctx context.Context, e *env, args []string) error {
	fs := newFlags("access public-description", e.stderr)
	unit := fs.Int64("unit", 0, "the fonds (or any unit): it and everything under it")
	off := fs.Bool("off", false, "make the description private again")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	st, err := openStore(ctx, e, true)
	if err != nil {
		return err
	}
	defer st.Close()
	u, err := st.Unit(ctx, *unit)
	if err != nil {
		return err
	}
	entry := adminEntry(access.ActionTenantChange, fmt.Sprintf("public description %v", !*off))
	entry.Tenant, entry.UnitID = u.TenantID, *unit
	subject, _ := cliActor()
	n, err := st.SetDescriptionPublic(ctx, *unit, !*off, subject, entry)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d units changed\n", n)
	return nil
}
