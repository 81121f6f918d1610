package portal

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"sesam/access"
	"sesam/index"
	"sesam/pdftext"
	"sesam/stamp"
	"sesam/store"
	"sesam/store/storetest"
)

// The portal tests share a store holding the hand-made Ruitz transfer (tenant
// cdg62/ruitz, which publishes online) and real corpus packages (cdg59/lille), an index
// built from it, and the portal over them, with the real journal and stamper.
var (
	tStore   *store.Store
	tIndex   *index.Index
	tRights  *access.Rights
	tJournal *store.Journal
	tStamper *stamp.Stamper
	tApp     *App
	ruitz    map[string]int64 // manifest id → unit id
	tmpDir   string
)

// Demo people of the tests and their roles.
var (
	agentRuitz = &store.Session{Subject: "sub-agent-ruitz", Email: "agent@ruitz.fr", Name: "Louis Agent"}
	archiviste = &store.Session{Subject: "sub-archiviste", Email: "archiviste@cdg62.fr", Name: "Ariane Archiviste"}
	agentLille = &store.Session{Subject: "sub-agent-lille", Email: "agent@lille.fr", Name: "Łukasz Żółć"}
)

func TestMain(m *testing.M) { os.Exit(runMain(m)) }

func runMain(m *testing.M) int {
	ctx := context.Background()
	var err error
	if tmpDir, err = os.MkdirTemp("", "sesam-portal-test-"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(tmpDir)
	st, _, cleanup, err := storetest.NewStore(ctx, "portal", filepath.Join(tmpDir, "data"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer cleanup()
	tStore = st
	if err := setUp(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "set-up:", err)
		return 1
	}
	defer tJournal.Close()
	defer tIndex.Close()
	return m.Run()
}

func setUp(ctx context.Context) error {
	for _, t := range []store.Tenant{{ID: "cdg62", Name: "CDG 62"}, {ID: "cdg62/ruitz", Name: "Commune de Ruitz", Publish: true},
		{ID: "cdg59", Name: "CDG 59"}, {ID: "cdg59/lille", Name: "Ville de Lille"}} {
		if err := tStore.AddTenant(ctx, t); err != nil {
			return err
		}
	}
	dir, err := storetest.RuitzPackage(filepath.Join(tmpDir, "ruitz"), filepath.Join("..", "..", "shared", "testdata", "pdf"))
	if err != nil {
		return err
	}
	res, err := tStore.Import(ctx, "cdg62/ruitz", dir, store.ImportOptions{Text: pdftext.New(pdftext.Options{OCR: pdftext.OCROff})})
	if err != nil {
		return err
	}
	if ruitz, err = storetest.SedaIDs(ctx, tStore, res.TransferID); err != nil {
		return err
	}
	p := filepath.Join("..", "..", "shared", "testdata", "seda", "sip", "vitam__dossier_nicolas_perrin_demo_IT16.zip")
	if _, err := tStore.Import(ctx, "cdg59/lille", p, store.ImportOptions{}); err != nil {
		return err
	}
	if tRights, err = access.NewRights(tStore.CasbinAdapter()); err != nil {
		return err
	}
	for _, a := range []access.Assignment{{Subject: agentRuitz.Email, Role: access.RoleReader, Domain: "cdg62/ruitz"},
		{Subject: archiviste.Email, Role: access.RoleArchivist, Domain: "cdg62"},
		{Subject: agentLille.Email, Role: access.RoleReader, Domain: "cdg59/lille"}} {
		if _, err := tRights.Grant(a); err != nil {
			return err
		}
	}
	if tIndex, _, err = index.Open(filepath.Join(tmpDir, "index")); err != nil {
		return err
	}
	if err := tIndex.Rebuild(ctx, tStore, nil); err != nil {
		return err
	}
	tJournal = store.NewJournal(tStore, store.JournalOptions{})
	if tStamper, err = stamp.New(filepath.Join(tmpDir, "pdfcpu"), ""); err != nil {
		return err
	}
	tApp, err = newTestApp(ctx, tJournal)
	return err
}

func newTestApp(ctx context.Context, j Journal) (*App, error) {
	return New(ctx, Config{Addr: "127.0.0.1:0", BaseURL: "http://127.0.0.1:0", DevLogin: true, SearchRate: 10000, LoginRate: 10000},
		Deps{Store: tStore, Index: tIndex, Rights: tRights, Journal: j, Stamper: tStamper, Log: testLog})
}

// testLog keeps the portal's logs out of the test output (set SESAM_TEST_LOG=1 to see them).
var testLog = func() *slog.Logger {
	if os.Getenv("SESAM_TEST_LOG") != "" {
		return slog.Default()
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}()

// response is what a test request gave.
type response struct {
	status int
	header http.Header
	body   string
}

// as is who makes a request: nil for the public.
type as = *store.Session

// get requests a path as someone (nil: the public) from app.
func get(t *testing.T, app *App, who as, path string) response {
	t.Helper()
	return do(t, app, who, httptest.NewRequest(http.MethodGet, path, nil))
}

// do sends a request as someone: a fresh session is opened in the store for them.
func do(t *testing.T, app *App, who as, req *http.Request) response {
	t.Helper()
	if who != nil {
		withSession(t, who, req)
	}
	resp, err := app.Handler().Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// withSession opens a fresh session in the store for who and adds its cookie to req.
func withSession(t *testing.T, who as, req *http.Request) *http.Request {
	t.Helper()
	token := "test-" + randomToken()
	s := *who
	s.CSRF, s.ExpiresAt = "csrf-"+token, time.Now().Add(time.Hour)
	if err := tStore.CreateSession(context.Background(), token, s); err != nil {
		t.Fatal(err)
	}
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: token})
	return req
}

func unitPath(name string) string { return fmt.Sprintf("/units/%d", ruitz[name]) }

var requestIDRe = regexp.MustCompile(`Réf\. [A-Za-z0-9_-]+|"request_id":"[^"]*"|name="_csrf" value="[^"]*"`)

// withoutRequestID removes what differs between two answers to two requests.
func withoutRequestID(s string) string { return requestIDRe.ReplaceAllString(s, "") }

func searchPath(q string, extra ...string) string {
	v := url.Values{"q": {q}}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Add(extra[i], extra[i+1])
	}
	return "/search?" + v.Encode()
}

func mustContain(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s: want %q in the page", what, w)
		}
	}
}

func mustNotContain(t *testing.T, what, body string, nots ...string) {
	t.Helper()
	for _, n := range nots {
		if strings.Contains(body, n) {
			t.Errorf("%s: %q must not appear", what, n)
		}
	}
}
