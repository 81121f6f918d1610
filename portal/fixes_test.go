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
