package portal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// The browser tests run the portal on a real loopback listener and drive one headless
// Chromium (Debian's chromium, through chromedp) for the whole package run; every
// subtest opens its own tab in a fresh browser context, so cookies never leak from
// one test to the next. axe-core is injected into the pages for the accessibility
// audit, and a full-page screenshot of each page type is kept under var/screenshots.

// installHint says what the browser tests need when something is missing.
const installHint = "install Chromium (apt-get install -y chromium) and axe-core " +
	"(npm install --prefix $HOME/.cache/sesam axe-core), or point SESAM_CHROMIUM and SESAM_AXE_JS at them"

// stepTimeout bounds one browser step (a navigation, a click and the page it loads, an
// audit); a step that waits longer has failed.
const stepTimeout = 20 * time.Second

// browserEnv is the portal served on loopback and the browser that visits it.
type browserEnv struct {
	base    string          // http://127.0.0.1:PORT
	browser context.Context // the browser's own context; tabs are its children
	axe     string          // axe-core's source
	shots   string          // where screenshots go (var/screenshots at the repository root)
}

// chromiumPath finds the browser: SESAM_CHROMIUM, else Debian's /usr/bin/chromium.
func chromiumPath() (string, error) {
	for _, p := range []string{os.Getenv("SESAM_CHROMIUM"), "/usr/bin/chromium"} {
		if p == "" {
			continue
		}
		if path, err := exec.LookPath(p); err == nil {
			return path, nil
		}
	}
	return "", errors.New("no Chromium (SESAM_CHROMIUM, /usr/bin/chromium)")
}

// axePath finds axe.min.js: SESAM_AXE_JS, else the cache directory CI installs into,
// else a global npm installation.
func axePath() (string, error) {
	cands := []string{os.Getenv("SESAM_AXE_JS")}
	if home, err := os.UserHomeDir(); err == nil {
		cands = append(cands, filepath.Join(home, ".cache", "sesam", "node_modules", "axe-core", "axe.min.js"))
	}
	cands = append(cands, "/usr/lib/node_modules/axe-core/axe.min.js", "/usr/local/lib/node_modules/axe-core/axe.min.js")
	for _, p := range cands {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", errors.New("no axe-core (SESAM_AXE_JS, ~/.cache/sesam/node_modules/axe-core/axe.min.js)")
}

// startBrowser serves the portal on a loopback port and starts Chromium, or skips the
// test saying what to install. Clean-up closes the browser first, then the portal:
// the browser's keep-alive connections would otherwise hold the shutdown for its
// whole timeout.
func startBrowser(t *testing.T) *browserEnv {
	t.Helper()
	chromium, axe := browserTools(t)
	return launchBrowser(t, servePortal(t), chromium, axe)
}

// browserTools finds Chromium and axe-core, or skips the test saying what to install.
func browserTools(t *testing.T) (chromium, axe string) {
	t.Helper()
	chromium, err := chromiumPath()
	if err != nil {
		t.Skipf("browser tests skipped: %v; %s", err, installHint)
	}
	axeFile, err := axePath()
	if err != nil {
		t.Skipf("browser tests skipped: %v; %s", err, installHint)
	}
	b, err := os.ReadFile(axeFile)
	if err != nil {
		t.Fatal(err)
	}
	return chromium, string(b)
}

// launchBrowser starts Chromium for a portal already served at base (started before,
// so that it stops after the browser).
func launchBrowser(t *testing.T, base, chromium, axe string) *browserEnv {
	t.Helper()
	env := &browserEnv{base: base, axe: axe, shots: filepath.Join("..", "var", "screenshots")}
	if err := os.MkdirAll(env.shots, 0o755); err != nil {
		t.Fatal(err)
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true), chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("force-color-profile", "srgb"), chromedp.Flag("hide-scrollbars", true), chromedp.Flag("mute-audio", true),
		chromedp.WindowSize(1280, 900), chromedp.UserDataDir(t.TempDir()))
	bctx, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
	})
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start Chromium (%s): %v", chromium, err)
	}
	env.browser = bctx
	return env
}

// servePortal serves a portal with the dev login on a loopback port until the test
// ends, and returns its address.
func servePortal(t *testing.T) string {
	t.Helper()
	app, err := newTestApp(context.Background(), tJournal)
	if err != nil {
		t.Fatal(err)
	}
	return serveApp(t, app)
}

// serveApp serves app on a loopback port until the test ends, and returns its address.
func serveApp(t *testing.T, app *App) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- app.Listen(ctx, ln) }()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("portal shutdown: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

// tab is one browser tab in a browser context of its own (its own cookies).
type tab struct {
	env *browserEnv
	ctx context.Context

	mu       sync.Mutex
	problems []string // script errors and security messages (CSP) of the pages so far
}

// newTab opens a tab for the test, closed when the test ends.
func (env *browserEnv) newTab(t *testing.T) *tab {
	t.Helper()
	tb := &tab{env: env}
	ctx, cancel := chromedp.NewContext(env.browser, chromedp.WithNewBrowserContext(), chromedp.WithListener(tb.watch))
	t.Cleanup(cancel)
	// The first run opens the tab; it must not carry a timeout (the tab would close
	// with it), the later steps do.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	tb.ctx = ctx
	return tb
}

// watch keeps what the pages' scripts throw and what the browser logs as an error,
// except the network's (an error page's own status is expected). It runs in the
// tab's event loop: it only records.
func (tb *tab) watch(ev any) {
	var msg string
	switch ev := ev.(type) {
	case *runtime.EventExceptionThrown:
		msg = "exception: " + ev.ExceptionDetails.Text
		if ev.ExceptionDetails.Exception != nil {
			msg += " " + ev.ExceptionDetails.Exception.Description
		}
	case *log.EventEntryAdded:
		if ev.Entry.Level != log.EntryLevelError || ev.Entry.Source == log.EntrySourceNetwork {
			return
		}
		msg = string(ev.Entry.Source) + ": " + ev.Entry.Text
	case *runtime.EventConsoleAPICalled:
		if ev.Type != runtime.ConsoleAPICalledTypeError {
			return
		}
		msg = "console.error:"
		for _, a := range ev.Args {
			if len(a.Value) > 0 {
				msg += " " + string(a.Value)
			} else {
				msg += " " + a.Description
			}
		}
	default:
		return
	}
	tb.mu.Lock()
	defer tb.mu.Unlock()
	tb.problems = append(tb.problems, msg)
}

// checkConsole fails the test for the script errors and security messages (CSP
// violations) seen since the last check.
func (tb *tab) checkConsole(t *testing.T, where string) {
	t.Helper()
	tb.mu.Lock()
	ps := tb.problems
	tb.problems = nil
	tb.mu.Unlock()
	for _, p := range ps {
		t.Errorf("%s: the browser reports %s", where, p)
	}
}

// run runs one action in the tab within stepTimeout.
func run[T any](t *testing.T, tb *tab, what string, a chromedp.Action[T]) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("%s: %v (%s)", what, err, tb.failure(t))
	}
	return v
}

// failure keeps a screenshot of the page a step failed on, for the CI artefacts, and
// says where the tab was.
func (tb *tab) failure(t *testing.T) string {
	ctx, cancel := context.WithTimeout(tb.ctx, 5*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		return "at " + loc
	}
	name := "failed-" + strings.NewReplacer("/", "-", " ", "_").Replace(t.Name()) + ".png"
	if err := os.WriteFile(filepath.Join(tb.env.shots, name), png, 0o644); err != nil {
		return "at " + loc
	}
	return "at " + loc + ", screenshot " + name
}

// do runs steps in the tab within stepTimeout.
func (tb *tab) do(t *testing.T, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	run(t, tb, what, chromedp.Steps(steps...))
}

// Selectors are CSS selectors (DOM.querySelector), or XPath expressions when they
// start with "/" (DOM.performSearch, for finding an element by its text).

// click clicks the element sel finds, once it is visible.
func click(sel string) chromedp.Action[chromedp.Void] {
	if strings.HasPrefix(sel, "/") {
		return chromedp.Click(chromedp.Search(sel), chromedp.NodeVisible)
	}
	return chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible)
}

// textOf reads the visible text of the element sel finds, once it is visible.
func textOf(sel string) chromedp.Action[string] {
	if strings.HasPrefix(sel, "/") {
		return chromedp.Text(chromedp.Search(sel), chromedp.NodeVisible)
	}
	return chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible)
}

// open loads a path of the portal and returns the HTTP status of the page.
func (tb *tab) open(t *testing.T, path string) int64 {
	t.Helper()
	resp := run(t, tb, "open "+path, chromedp.NavigateResponse(tb.env.base+path))
	return resp.Status
}

// follow clicks what sel finds (a link, a submit button) and waits for the page the
// click loads; it returns that page's HTTP status.
func (tb *tab) follow(t *testing.T, sel string) int64 {
	t.Helper()
	return tb.followAction(t, "click "+sel, click(sel))
}

// followAction runs an action that loads another page and waits for that page; it
// returns the page's HTTP status.
func (tb *tab) followAction(t *testing.T, what string, a chromedp.Action[chromedp.Void]) int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, a)
	if err != nil {
		t.Fatalf("%s: %v (%s)", what, err, tb.failure(t))
	}
	return resp.Status
}

// evalJS evaluates a JavaScript expression in the page and decodes its value.
func evalJS[T any](t *testing.T, tb *tab, expr string) T {
	t.Helper()
	return run(t, tb, "evaluate "+expr, chromedp.Evaluate[T](expr))
}

// text is the visible text of the first element sel finds (waiting for it).
func (tb *tab) text(t *testing.T, sel string) string {
	t.Helper()
	return run(t, tb, "text of "+sel, textOf(sel))
}

// texts is the text of every element the CSS selector matches now (none: empty).
func (tb *tab) texts(t *testing.T, css string) []string {
	t.Helper()
	b, err := json.Marshal(css)
	if err != nil {
		t.Fatal(err)
	}
	return evalJS[[]string](t, tb, fmt.Sprintf(`Array.from(document.querySelectorAll(%s), e => e.textContent.replace(/\s+/g, " ").trim())`, b))
}

// lang is the language of the page (<html lang>).
func (tb *tab) lang(t *testing.T) string {
	t.Helper()
	return evalJS[string](t, tb, `document.documentElement.lang`)
}

// location is the page's address without the portal's base.
func (tb *tab) location(t *testing.T) string {
	t.Helper()
	return strings.TrimPrefix(run(t, tb, "location", chromedp.Location()), tb.env.base)
}

// setSession gives the tab a session cookie, as a login would.
func (tb *tab) setSession(t *testing.T, token string) {
	t.Helper()
	run(t, tb, "set the session cookie", chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		_, err := cdp.Call(ctx, target, network.SetCookie, network.SetCookieParams{Name: sessionCookie, Value: token,
			URL: tb.env.base + "/", HTTPOnly: new(true), SameSite: network.CookieSameSiteLax})
		return err
	}))
}

// axeViolation is a rule axe-core found broken, with the elements that break it.
type axeViolation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Help    string   `json:"help"`
	Targets []string `json:"targets"`
}

// axeScript runs axe-core on the page for WCAG 2.0/2.1 A and AA and returns the
// violations with the elements they concern.
const axeScript = `axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']})
  .then(r => r.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map(n => n.target.join(' ') + (n.failureSummary ? ' — ' + n.failureSummary.replace(/\s+/g, ' ') : ''))})))`

// audit runs axe-core on the page the tab shows and fails the test for every serious
// or critical violation (SESAM_AXE_ALL=1 logs the moderate and minor ones too); then
// it keeps a full-page screenshot named name.
func (tb *tab) audit(t *testing.T, name string) {
	t.Helper()
	if !evalJS[bool](t, tb, `typeof axe !== "undefined"`) {
		run(t, tb, "inject axe-core", chromedp.Evaluate[chromedp.Void](tb.env.axe))
	}
	tb.checkConsole(t, name)
	vs := run(t, tb, "axe-core on "+name, chromedp.Evaluate[[]axeViolation](axeScript, chromedp.EvalAwaitPromise))
	for _, v := range vs {
		if v.Impact != "serious" && v.Impact != "critical" {
			if os.Getenv("SESAM_AXE_ALL") != "" {
				t.Logf("axe on %s: %s [%s] %s\n\t%s", name, v.ID, v.Impact, v.Help, strings.Join(v.Targets, "\n\t"))
			}
			continue
		}
		t.Errorf("axe on %s (%s): %s [%s] %s\n\t%s", name, tb.location(t), v.ID, v.Impact, v.Help, strings.Join(v.Targets, "\n\t"))
	}
	tb.screenshot(t, name)
}

// screenshot keeps a full-page PNG of what the tab shows, as var/screenshots/name.png.
func (tb *tab) screenshot(t *testing.T, name string) {
	t.Helper()
	png := run(t, tb, "screenshot "+name, chromedp.FullScreenshot(100))
	if err := os.WriteFile(filepath.Join(tb.env.shots, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// download clicks a download link and returns what the browser saved.
func (tb *tab) download(t *testing.T, sel string) string {
	t.Helper()
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	_, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: new(true),
		BrowserContextID: chromedp.FromContext(tb.ctx).BrowserContextID})
	if err != nil {
		t.Fatalf("allow downloads: %v", err)
	}
	events := chromedp.BrowserEvents(ctx, browser.DownloadProgress)
	if err := chromedp.Do(ctx, click(sel)); err != nil {
		t.Fatalf("click %s: %v", sel, err)
	}
	for ev, err := range events {
		if err != nil {
			t.Fatalf("download from %s: %v", sel, err)
		}
		switch ev.State {
		case browser.DownloadProgressStateCompleted:
			b, err := os.ReadFile(filepath.Join(dir, ev.GUID))
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		case browser.DownloadProgressStateCanceled:
			t.Fatalf("download from %s canceled", sel)
		}
	}
	t.Fatalf("download from %s: no end", sel)
	return ""
}

// disableJS turns JavaScript off in the tab, for the pages that must work without it.
func (tb *tab) disableJS(t *testing.T) {
	t.Helper()
	run(t, tb, "disable JavaScript", chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		_, err := cdp.Call(ctx, target, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	}))
}
