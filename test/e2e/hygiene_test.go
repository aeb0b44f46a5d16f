package e2e

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testResponseHygiene: headers of every kind of answer, CORS on editor
// routes, and the logs of a workload that carries marker secrets.
func testResponseHygiene(t *testing.T) {
	s := newStack(t, stackOptions{moderation: "first-time"})
	markerEmail := "hygiene-marker-3b1e@example.com"
	markerBody := "hygiene marker body c0ffee 91d2"
	logs.secret(markerEmail, "the marker email")
	logs.secret(markerBody, "the marker comment body")
	start := len(logs.text())

	art := s.createArticle("hygiene", "Hygiene")
	post := func(ip string) answer {
		return s.do(request{method: "POST", path: "/articles/hygiene/comments", localIP: ip, header: http.Header{"Idempotency-Key": {"hyg-1"}},
			body: jsonBody(map[string]any{"name": "Marker", "email": markerEmail, "body": markerBody})})
	}
	first := post("127.4.0.1")
	var cm struct{ ID string }
	first.json(t, &cm)
	exchanges := []struct {
		name string
		r    request
	}{
		{"list", request{method: "GET", path: "/articles"}},
		{"article", request{method: "GET", path: "/articles/hygiene"}},
		{"comments", request{method: "GET", path: "/articles/hygiene/comments"}},
		{"search", request{method: "GET", path: "/search?q=hygiene"}},
		{"suggest", request{method: "GET", path: "/search/suggest?q=hyg"}},
		{"editor get", request{method: "GET", path: "/admin/articles/" + art.ID, token: s.token}},
		{"editor list", request{method: "GET", path: "/admin/comments?status=pending", token: s.token}},
		{"editor 404", request{method: "GET", path: "/admin/articles/01ARZ3NDEKTSV4RRFFQ69G5FAV", token: s.token}},
		{"function 400", request{method: "GET", path: "/articles?limit=0"}},
		{"duplicate comment 409", request{method: "POST", path: "/articles/hygiene/comments", localIP: "127.4.0.2",
			body: jsonBody(map[string]any{"name": "Marker", "email": markerEmail, "body": markerBody})}},
		{"flood 429", request{method: "POST", path: "/articles/hygiene/comments", localIP: "127.4.0.1",
			body: jsonBody(map[string]any{"name": "Marker", "email": "x" + markerEmail, "body": markerBody + " again"})}},
		{"idempotent replay", request{method: "POST", path: "/articles/hygiene/comments", localIP: "127.4.0.3", header: http.Header{"Idempotency-Key": {"hyg-1"}},
			body: jsonBody(map[string]any{"name": "Marker", "email": markerEmail, "body": markerBody})}},
		{"bad email 400", request{method: "POST", path: "/articles/hygiene/comments", localIP: "127.4.0.4",
			body: jsonBody(map[string]any{"name": "Marker", "email": markerEmail + "@@", "body": markerBody})}},
		{"moderate", request{method: "PATCH", path: "/admin/comments/" + cm.ID, token: s.token, body: []byte(`{"status":"approved"}`)}},
	}
	for _, ex := range exchanges {
		a := s.do(ex.r)
		checkFunctionHeaders(t, ex.name, a)
		if strings.Contains(string(a.body), markerEmail) && !strings.HasPrefix(ex.r.path, "/admin") {
			t.Errorf("%s: the email is in a public answer", ex.name)
		}
		for k, vs := range a.header {
			if strings.Contains(strings.Join(vs, " "), markerEmail) {
				t.Errorf("%s: the email is in header %s", ex.name, k)
			}
		}
	}

	// API Gateway's own answers (no route, no token): what AWS sends, which
	// carries no nosniff. Mirrored on purpose; see docs/reliability.md.
	for _, r := range []request{{method: "GET", path: "/nope"}, {method: "PATCH", path: "/articles"}, {method: "GET", path: "/admin/articles"}} {
		a := s.do(r)
		if a.gatewayMessage() == "" || !strings.HasPrefix(a.header.Get("Content-Type"), "application/json") {
			t.Errorf("%s %s: %s %v", r.method, r.path, a, a.header)
		}
		checkNoBanner(t, r.path, a)
	}

	// Static files the local runtime serves beside the API.
	static := []string{"/openapi.yaml"}
	if entries, err := os.ReadDir("../../web"); err == nil {
		for _, e := range entries {
			if !e.IsDir() {
				static = append(static, "/"+e.Name())
			}
		}
		static = append(static, "/")
	}
	for _, p := range static {
		a := s.do(request{method: "GET", path: p})
		if a.status != http.StatusOK {
			t.Errorf("static %s: %d", p, a.status)
			continue
		}
		checkNoBanner(t, p, a)
		ct := a.header.Get("Content-Type")
		if a.header.Get("X-Content-Type-Options") != "nosniff" || (isText(ct) && !strings.Contains(strings.ToLower(ct), "charset=")) {
			t.Errorf("static %s: Content-Type %q, nosniff %q", p, ct, a.header.Get("X-Content-Type-Options"))
		}
		_ = filepath.Ext(p)
	}

	// CORS: editor routes never answer with *; a foreign origin gets nothing.
	for _, origin := range []string{"http://127.0.0.1:3000", "https://evil.example.com", "null"} {
		pre := s.do(request{method: "OPTIONS", path: "/admin/articles", header: http.Header{
			"Origin": {origin}, "Access-Control-Request-Method": {"POST"}, "Access-Control-Request-Headers": {"authorization,content-type"}}})
		act := s.do(request{method: "GET", path: "/admin/articles", token: s.token, header: http.Header{"Origin": {origin}}})
		for name, a := range map[string]answer{"preflight": pre, "actual": act} {
			acao := a.header.Get("Access-Control-Allow-Origin")
			if acao == "*" {
				t.Errorf("%s for %s: Access-Control-Allow-Origin *", name, origin)
			}
			if origin != "http://127.0.0.1:3000" && acao != "" {
				t.Errorf("%s for foreign origin %s: allowed (%q)", name, origin, acao)
			}
			if origin == "http://127.0.0.1:3000" && acao != origin {
				t.Errorf("%s for configured origin: %q", name, acao)
			}
			if a.header.Get("Access-Control-Allow-Credentials") == "true" {
				t.Errorf("%s: credentials allowed", name)
			}
		}
	}

	// The logs of this test: JSON lines, no secrets.
	text := logs.text()[start:]
	lines := 0
	for _, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		lines++
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil || m["level"] == nil || m["msg"] == nil {
			t.Errorf("log line is not slog JSON: %.200s", line)
		}
	}
	for _, secret := range []string{markerEmail, markerBody, s.token, "Bearer "} {
		if strings.Contains(text, secret) {
			t.Errorf("the logs contain %.30q", secret)
		}
	}
	if lines < len(exchanges) {
		t.Errorf("only %d log lines captured: is the capture working?", lines)
	}
	t.Logf("FIGURES hygiene: %d log lines scanned, no email, token or comment body", lines)
}

func isText(ct string) bool {
	return strings.HasPrefix(ct, "text/") || strings.Contains(ct, "json") || strings.Contains(ct, "yaml") || strings.Contains(ct, "javascript")
}

func checkNoBanner(t *testing.T, where string, a answer) {
	t.Helper()
	for _, h := range []string{"Server", "X-Powered-By", "X-AspNet-Version", "X-Runtime"} {
		if v := a.header.Get(h); v != "" {
			t.Errorf("%s: %s: %s", where, h, v)
		}
	}
}

// checkFunctionHeaders: every answer a function produced.
func checkFunctionHeaders(t *testing.T, where string, a answer) {
	t.Helper()
	checkNoBanner(t, where, a)
	if a.header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("%s (%d): no X-Content-Type-Options: nosniff", where, a.status)
	}
	if a.status != http.StatusNoContent && a.status != http.StatusNotModified {
		if ct := a.header.Get("Content-Type"); !strings.Contains(strings.ToLower(ct), "charset=utf-8") {
			t.Errorf("%s (%d): Content-Type %q", where, a.status, ct)
		}
	}
}
