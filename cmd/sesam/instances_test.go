package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The test binary doubles as the sesam command: started with SESAM_TEST_RUN_MAIN=1 it
// runs sesam's main, so the tests below start real `sesam serve` processes.
func TestMain(m *testing.M) {
	if os.Getenv("SESAM_TEST_RUN_MAIN") == "1" {
		os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// instance is a `sesam serve` process of the test.
type instance struct {
	url      string
	indexDir string
	cmd      *exec.Cmd
	log      *bytes.Buffer
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// serveProcess starts `sesam serve --dev-login` on the database and the data directory
// (blobs) named in the environment, with an index directory of its own (as instances
// behind a load balancer share PostgreSQL and the blob store, each with its index),
// and waits until it is ready.
func serveProcess(t *testing.T, indexDir string) *instance {
	t.Helper()
	addr := freePort(t)
	cmd := exec.Command(os.Args[0], "serve", "--dev-login", "--addr", addr)
	cmd.Env = append(os.Environ(), "SESAM_TEST_RUN_MAIN=1", "SESAM_INDEX_DIR="+indexDir, "SESAM_BASE_URL=")
	in := &instance{url: "http://" + addr, indexDir: indexDir, cmd: cmd, log: &bytes.Buffer{}}
	cmd.Stdout, cmd.Stderr = in.log, in.log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			t.Errorf("sesam serve did not stop on SIGINT within 20 s")
		}
		if t.Failed() {
			t.Logf("log of %s:\n%s", in.url, in.log)
		}
	})
	waitFor(t, 30*time.Second, "ready "+in.url, func() bool {
		resp, err := http.Get(in.url + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	return in
}

func waitFor(t *testing.T, d time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, d)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// total searches an instance's API as the public and returns the total.
func total(in *instance, q string) int {
	resp, err := http.Get(in.url + "/api/v1/search?q=" + url.QueryEscape(q))
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	var doc struct{ Total int }
	if json.NewDecoder(resp.Body).Decode(&doc) != nil {
		return -1
	}
	return doc.Total
}

// TestTwoInstances: two portals on one PostgreSQL. An import is searchable in both
// within seconds; a session opened on one is valid on the other; a reindex on one does
// not disturb the other.
func TestTwoInstances(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	ruitzSetUp(t)
	a := serveProcess(t, t.TempDir())
	b := serveProcess(t, t.TempDir())
	for _, in := range []*instance{a, b} {
		waitFor(t, 10*time.Second, "Ruitz indexed in "+in.url, func() bool { return total(in, "registre") == 3 })
	}
	// An import made now is searchable in both within seconds (NOTIFY, else the sweep).
	start := time.Now()
	mustRun(t, "import", "--tenant", "cdg62/ruitz", sample("sip", "vitam__OK_SIP_ARK.zip"))
	for _, in := range []*instance{a, b} {
		waitFor(t, 10*time.Second, "new import in "+in.url, func() bool { return total(in, "château") > 0 })
	}
	t.Logf("import searchable in both instances after %s", time.Since(start).Round(10*time.Millisecond))

	// Log in on a, use the session on b.
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	page := get(t, client, a.url+"/login")
	token := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindStringSubmatch(page)
	if token == nil {
		t.Fatal("no CSRF token on the login page")
	}
	resp, err := client.PostForm(a.url+"/login/dev", url.Values{"_csrf": {token[1]}, "subject": {"dev-archiviste"}})
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("dev login on a: %v %v", err, resp)
	}
	resp.Body.Close()
	aURL, _ := url.Parse(a.url)
	bURL, _ := url.Parse(b.url)
	jar.SetCookies(bURL, jar.Cookies(aURL)) // same site behind a load balancer
	if me := get(t, client, b.url+"/api/v1/me"); !strings.Contains(me, "archiviste@demo.sesam") {
		t.Errorf("the session opened on a is not valid on b: %s", me)
	}

	// A reindex on a: b keeps answering the whole time, a switches generation.
	stop := make(chan struct{})
	errs := make(chan string, 100)
	go func() {
		for {
			select {
			case <-stop:
				close(errs)
				return
			default:
			}
			if n := total(b, "registre"); n != 3 {
				errs <- fmt.Sprintf("b answered %d during a's reindex", n)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	before, err := os.ReadFile(filepath.Join(a.indexDir, "CURRENT"))
	if err != nil {
		t.Fatal(err)
	}
	oldGen := filepath.Join(a.indexDir, strings.TrimSpace(string(before)))
	code, out, errb := runSesamEnv([]string{"SESAM_INDEX_DIR=" + a.indexDir}, "reindex")
	close(stop)
	for e := range errs {
		t.Error(e)
	}
	if code != 0 {
		t.Fatalf("reindex: %d %s %s", code, out, errb)
	}
	// a picks up the new generation (and removes the old one) within its sweep, and
	// answers the same.
	waitFor(t, 15*time.Second, "a on its new generation", func() bool {
		_, err := os.Stat(oldGen)
		return os.IsNotExist(err)
	})
	if total(a, "registre") != 3 || total(a, "château") == 0 {
		t.Errorf("a after the reindex: registre %d, château %d", total(a, "registre"), total(a, "château"))
	}
}

func get(t *testing.T, c *http.Client, u string) string {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// runSesamEnv runs a sesam command in this process with extra environment.
func runSesamEnv(env []string, args ...string) (int, string, string) {
	saved := map[string]string{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		saved[k] = os.Getenv(k)
		os.Setenv(k, v)
	}
	defer func() {
		for k, v := range saved {
			os.Setenv(k, v)
		}
	}()
	return runSesam(args...)
}
