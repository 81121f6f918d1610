package portal

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"sesam/access"
)

func TestHomePage(t *testing.T) {
	r := get(t, tApp, nil, "/")
	if r.status != 200 {
		t.Fatalf("home: %d", r.status)
	}
	mustContain(t, "public home", r.body, `lang="fr"`, "Commune de Ruitz", `<form class="search" role="search"`)
	mustNotContain(t, "public home", r.body, "Ville de Lille") // Lille does not publish online
	r = get(t, tApp, agentLille, "/")
	mustContain(t, "Lille agent's home", r.body, "Ville de Lille", "Commune de Ruitz")
}

func TestSearchPage(t *testing.T) {
	r := get(t, tApp, nil, searchPath("registre"))
	if r.status != 200 {
		t.Fatalf("search: %d %s", r.status, r.body)
	}
	// The public sees the open registers, not the 1960 marriages (open in 2035).
	mustContain(t, "public search", r.body, "<mark>Registre</mark> des naissances", "<mark>Registre</mark> des décès",
		`<svg viewBox="0 0 600 100"`, "Niveau", "Dossier")
	mustNotContain(t, "public search", r.body, "des mariages", "3 E 12/40")
	r = get(t, tApp, agentRuitz, searchPath("registre"))
	mustContain(t, "agent search", r.body, "<mark>Registre</mark> des mariages", "Communicabilité") // staff get the status facet
	// A facet value selected is shown removable, and the count follows the filter.
	r = get(t, tApp, agentRuitz, searchPath("registre", "level", "File"))
	mustContain(t, "facet selected", r.body, `aria-current="true"`, "retirer le filtre")
	// Full-text hits name the page.
	r = get(t, tApp, nil, searchPath("experts-comptables"))
	mustContain(t, "pdf hit", r.body, "Discours sur la réforme", "page 4", "<mark>experts</mark>")
}

func TestBadQueryIs400(t *testing.T) {
	for _, p := range []string{searchPath(`"conseil municipal`), searchPath("1975..1950"), "/search?from=abc", "/search?sort=hasard"} {
		r := get(t, tApp, nil, p)
		if r.status != 400 {
			t.Errorf("%s: status %d, want 400", p, r.status)
		}
		mustContain(t, p, r.body, "Erreur 400")
	}
	r := get(t, tApp, nil, "/api/v1/search?q=%22ouvert")
	var body struct {
		Error struct{ Code, Message, Detail string }
	}
	if err := json.Unmarshal([]byte(r.body), &body); err != nil || r.status != 400 || body.Error.Code != "invalid_query" || body.Error.Detail == "" {
		t.Errorf("API bad query: %d %s", r.status, r.body)
	}
}

// TestClosedUnitsAreNotFound: what one may not see answers exactly like what does
// not exist, on every path.
func TestClosedUnitsAreNotFound(t *testing.T) {
	missing := get(t, tApp, nil, "/units/987654321")
	if missing.status != 404 {
		t.Fatalf("missing unit: %d", missing.status)
	}
	for _, who := range []as{nil, agentLille} {
		closed := get(t, tApp, who, unitPath("E-MARIAGES"))
		// The pages differ only by the address the visitor typed (in the return links).
		same := strings.ReplaceAll(withoutRequestID(closed.body), "units%2f"+strconv.FormatInt(ruitz["E-MARIAGES"], 10)+`"`, "units%2f987654321\"")
		if missing := withoutRequestID(get(t, tApp, who, "/units/987654321").body); closed.status != 404 || same != missing {
			t.Errorf("closed unit as %v: status %d, and the page must be the missing unit's page", who, closed.status)
		}
		mustNotContain(t, "closed unit", closed.body, "mariages")
		for _, p := range []string{"/api/v1" + unitPath("E-MARIAGES"), "/api/v1" + unitPath("E-MARIAGES") + "/children"} {
			if r := get(t, tApp, who, p); r.status != 404 || strings.Contains(r.body, "mariages") {
				t.Errorf("%s as %v: %d %s", p, who, r.status, r.body)
			}
		}
	}
	r := get(t, tApp, agentRuitz, unitPath("E-MARIAGES"))
	if r.status != 200 {
		t.Fatalf("the producer's agent sees its closed unit: %d", r.status)
	}
	mustContain(t, "closed unit for its agent", r.body, "Registre des mariages", "Non communicable", "31 décembre 2035", "AR054")
}

func TestUnitPage(t *testing.T) {
	r := get(t, tApp, nil, unitPath("M-EGLISE"))
	if r.status != 200 {
		t.Fatalf("unit: %d", r.status)
	}
	mustContain(t, "unit page", r.body, "Église Saint-Pierre : restauration du clocher", "1 M 4", "Louis Cordonnier",
		"Archives communales de Ruitz", "Communicable", "Rechercher dans cet ensemble", `name="within"`)
	// A series lists its children; the public does not see the closed ones.
	r = get(t, tApp, nil, unitPath("SERIE-E"))
	mustContain(t, "series page", r.body, "Registre des naissances", "Registre des décès")
	mustNotContain(t, "series page", r.body, "Registre des mariages")
	// A unit with two parents is under both.
	for _, parent := range []string{"SERIE-G", "M-COEUR"} {
		mustContain(t, "children of "+parent, get(t, tApp, nil, unitPath(parent)).body, "Plan général de la commune")
	}
}

func TestEnglish(t *testing.T) {
	r := get(t, tApp, nil, "/lang/en?back=/search")
	if r.status != http.StatusSeeOther || !strings.Contains(r.header.Get("Set-Cookie"), "sesam_lang=en") || r.header.Get("Location") != "/search" {
		t.Fatalf("language switch: %d %v", r.status, r.header)
	}
	req := httptest.NewRequest(http.MethodGet, unitPath("M-EGLISE"), nil)
	req.AddCookie(&http.Cookie{Name: "sesam_lang", Value: "en"})
	r = do(t, tApp, nil, req)
	mustContain(t, "English unit page", r.body, `lang="en"`, "Reference", "Access", "Search within")
	if r := get(t, tApp, nil, "/lang/en?back=https://evil.example/"); r.header.Get("Location") != "/" {
		t.Errorf("open redirect through the language switch: %s", r.header.Get("Location"))
	}
}

func TestSecurityHeaders(t *testing.T) {
	r := get(t, tApp, nil, "/")
	for h, want := range map[string]string{"Content-Security-Policy": "frame-ancestors 'none'", "X-Content-Type-Options": "nosniff",
		"Referrer-Policy": "same-origin"} {
		if !strings.Contains(r.header.Get(h), want) {
			t.Errorf("%s = %q, want %q", h, r.header.Get(h), want)
		}
	}
	if csp := r.header.Get("Content-Security-Policy"); strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP allows inline code: %s", csp)
	}
	// A form without its token is refused.
	req := httptest.NewRequest(http.MethodPost, "/logout", strings.NewReader("x=1"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if r := do(t, tApp, agentRuitz, req); r.status != http.StatusForbidden {
		t.Errorf("logout without CSRF token: %d, want 403", r.status)
	}
}

func TestDevLoginRefusedOffLoopback(t *testing.T) {
	_, err := New(context.Background(), Config{Addr: "0.0.0.0:8080", DevLogin: true}, Deps{Store: tStore, Index: tIndex, Rights: tRights})
	if err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("dev login on 0.0.0.0: %v, want a refusal", err)
	}
}

// TestDownloads: the public gets a stamped consultation copy, the producer's own agent
// the original; both are journalled; the other tenant's agent gets nothing.
func TestDownloads(t *testing.T) {
	objs, err := tStore.UnitObjects(context.Background(), ruitz["W-DISCOURS"])
	if err != nil || len(objs) != 1 {
		t.Fatalf("objects: %v %v", objs, err)
	}
	o := objs[0]
	path := "/objects/" + strconv.FormatInt(o.ID, 10)
	before := countJournal(t, access.ActionObjectDownload)

	pub := get(t, tApp, nil, path)
	if pub.status != 200 || pub.header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("public download: %d %s", pub.status, pub.header.Get("Content-Type"))
	}
	if text := pdfText(t, pub.body); !strings.Contains(text, "Copie de consultation") || !strings.Contains(text, "W 2001/1") {
		t.Errorf("the public copy is not stamped with the reference: %.300q", text)
	}
	own := get(t, tApp, agentRuitz, path)
	sum := sha256.Sum256([]byte(own.body))
	if own.status != 200 || hex.EncodeToString(sum[:]) != o.SHA256 {
		t.Errorf("the producer's agent gets the original: status %d, digest %x", own.status, sum)
	}
	arch := get(t, tApp, archiviste, path)
	if text := pdfText(t, arch.body); !strings.Contains(text, "Ariane Archiviste") {
		t.Errorf("the CDG archivist's copy is stamped with her name: %.300q", text)
	}
	if got := countJournal(t, access.ActionObjectDownload) - before; got != 3 {
		t.Errorf("%d downloads journalled, want 3", got)
	}
	// Lille's agent cannot reach a closed Ruitz unit's object; nobody gets an object by a
	// made-up id.
	for _, p := range []string{"/objects/987654321", "/api/v1/objects/987654321/content"} {
		if r := get(t, tApp, agentLille, p); r.status != 404 {
			t.Errorf("%s: %d", p, r.status)
		}
	}
}

func pdfText(t *testing.T, pdf string) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "copy.pdf")
	if err := os.WriteFile(f, []byte(pdf), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", f, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v (is the answer a PDF? %.40q)", err, pdf)
	}
	return string(out)
}

func countJournal(t *testing.T, action string) int64 {
	t.Helper()
	var n int64
	if err := tStore.Pool().QueryRow(context.Background(), `SELECT count(*) FROM journal WHERE action = $1`, action).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestPublicDescription: when the tenant makes a fonds' description public, the public
// finds and reads the description of its closed units, never their documents.
func TestPublicDescription(t *testing.T) {
	ctx := context.Background()
	set := func(on bool) {
		t.Helper()
		if _, err := tStore.SetDescriptionPublic(ctx, ruitz["SERIE-W"], on, "test",
			access.JournalEntry{Subject: "test", Action: access.ActionTenantChange, Detail: "public description"}); err != nil {
			t.Fatal(err)
		}
		if _, err := tIndex.CatchUp(ctx, tStore); err != nil {
			t.Fatal(err)
		}
	}
	if r := get(t, tApp, nil, unitPath("W-PERSONNEL")); r.status != 404 {
		t.Fatalf("before: %d", r.status)
	}
	set(true)
	defer set(false)
	r := get(t, tApp, nil, unitPath("W-PERSONNEL"))
	if r.status != 200 {
		t.Fatalf("closed unit with a public description: %d", r.status)
	}
	mustContain(t, "described unit", r.body, "Personnel communal", "sa description est publique")
	mustNotContain(t, "described unit", r.body, `href="/objects/`)
	objs, _ := tStore.UnitObjects(ctx, ruitz["W-PERSONNEL"])
	if r := get(t, tApp, nil, "/objects/"+strconv.FormatInt(objs[0].ID, 10)); r.status != 404 {
		t.Errorf("the document of a described closed unit was served: %d", r.status)
	}
	if r := get(t, tApp, nil, searchPath("personnel communal")); !strings.Contains(r.body, "des agents") {
		t.Errorf("the described unit is not found by the public")
	}
}

// TestUnitPageSaysOCR: a document whose text came from OCR says so on its unit page.
func TestUnitPageSaysOCR(t *testing.T) {
	ctx := context.Background()
	var unitID, objectID int64
	err := tStore.Pool().QueryRow(ctx, `SELECT uo.unit_id, p.object_id FROM object_page p
		JOIN unit_object uo ON uo.object_id = p.object_id JOIN unit u ON u.id = uo.unit_id
		WHERE u.tenant_id = 'cdg62/ruitz' AND p.source = 'text' ORDER BY p.object_id, uo.unit_id LIMIT 1`).Scan(&unitID, &objectID)
	if err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/units/%d", unitID)
	const said = "reconnaissance automatique (OCR)"
	mustNotContain(t, "unit page before", get(t, tApp, agentRuitz, path).body, said)
	set := func(source string) {
		if _, err := tStore.Pool().Exec(ctx, `UPDATE object_page SET source = $2 WHERE object_id = $1 AND page = 1`, objectID, source); err != nil {
			t.Fatal(err)
		}
	}
	set("ocr")
	t.Cleanup(func() { set("text") })
	mustContain(t, "unit page of an OCR'd document", get(t, tApp, agentRuitz, path).body, said)
}
