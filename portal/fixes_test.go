package portal

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestMetricsAfterPost: the request metrics are labelled with the method and route of
// each request. Fiber hands out strings that point into the connection's buffer; a
// label kept from one request must not change when the next request on the same
// connection reuses that buffer (it made /metrics answer 500 after the first POST:
// "collected metric ... method=\"GETT\" ... was collected before").
func TestMetricsAfterPost(t *testing.T) {
	base := servePortal(t)
	client := &http.Client{} // keep-alive: every request on one connection
	t.Cleanup(client.CloseIdleConnections)
	send := func(method, path string, form url.Values) (int, string) {
		t.Helper()
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req, err := http.NewRequest(method, base+path, body)
		if err != nil {
			t.Fatal(err)
		}
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	send(http.MethodPost, "/basket", url.Values{"unit": {"1"}}) // refused (no CSRF token): still measured
	for _, p := range []string{"/healthz", "/", "/healthz", "/search?q=registre"} {
		send(http.MethodGet, p, nil)
	}
	for i := 0; i < 2; i++ {
		status, body := send(http.MethodGet, "/metrics", nil)
		if status != http.StatusOK {
			t.Fatalf("/metrics after a POST and GETs: %d\n%.600s", status, body)
		}
		bad := map[string]bool{}
		for _, m := range regexp.MustCompile(`method="([^"]*)"`).FindAllStringSubmatch(body, -1) {
			if m[1] != "GET" && m[1] != "POST" && !bad[m[1]] {
				bad[m[1]] = true
				t.Errorf("a request metric is labelled method=%q", m[1])
			}
		}
		if !strings.Contains(body, `method="POST",route="/basket",status="403"`) {
			t.Errorf("the refused POST is not in the metrics")
		}
	}
}

// TestLocalPath: return addresses (/lang/en?back=, /login?back=, the dev login's back)
// stay on this site, whatever a browser would make of them.
func TestLocalPath(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"/search?q=registre&level=File", "/search?q=registre&level=File"},
		{"/units/12#documents", "/units/12#documents"},
		{"/", "/"},
		{"/search?q=%2F%2Fevil.example", "/search?q=%2F%2Fevil.example"},
		{"", "/"},
		{"search", "/"},
		{"//evil.example", "/"},
		{"/\t/evil.example", "/"},                // browsers drop the tab: //evil.example
		{"/\n/evil.example", "/"},                // and newlines
		{"/\r/evil.example", "/"},                // and carriage returns
		{"/\\evil.example", "/"},                 // a backslash is a slash to them
		{"/%5Cevil.example", "/%5Cevil.example"}, // encoded: a path here
		{"\\\\evil.example", "/"},
		{"/ /evil.example", "/"},
		{" //evil.example", "/"},
		{"/\x00/evil.example", "/"},
		{"/\u0085/evil.example", "/"},
		{"https://evil.example/", "/"},
		{"https:/evil.example", "/"},
		{"javascript:alert(1)", "/"},
		{"/\u2028/evil.example", "/"},
	} {
		if got := localPath(tc.in); got != tc.want {
			t.Errorf("localPath(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	// Through the handlers: the Location header is the checked address.
	for _, p := range []string{"/lang/en?back=%2F%09%2Fevil.example", "/lang/fr?back=%2F%5C%2Fevil.example",
		"/lang/en?back=%2F%2Fevil.example", "/lang/en?back=https%3A%2F%2Fevil.example"} {
		r := get(t, tApp, nil, p)
		if loc := r.header.Get("Location"); r.status != http.StatusSeeOther || loc != "/" {
			t.Errorf("%s: %d to %q, want 303 to /", p, r.status, loc)
		}
	}
	// The dev login form carries the return address, checked again when posted.
	v := newVisitor(t, tApp)
	page := v.get("/login?back=%2F%09%2Fevil.example")
	mustContain(t, "dev login form", page.body, `name="back" value="/"`)
	r := v.do(http.MethodPost, "/login/dev", url.Values{csrfField: {v.cookie(csrfCookie)}, "subject": {"dev-citoyen"},
		"back": {"/\t/evil.example"}}, nil)
	if loc := r.header.Get("Location"); r.status != http.StatusSeeOther || loc != "/" {
		t.Errorf("dev login back to a tab-slash address: %d to %q, want 303 to /", r.status, loc)
	}
}
