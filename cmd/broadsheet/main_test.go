package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"broadsheet/internal/broadsheet"
	"broadsheet/internal/editorclient"
	"broadsheet/internal/testkit/apiserver"
)

const sampleWXR = "../../internal/editorclient/testdata/sample.wxr.xml"

var sampleEmails = []string{
	"sana.mir@example.pk", "jerome@ledger.example.pk", "pending.reader@example.com",
	"sales@spam.example.net", "omar@example.org", "zoe.mueller@example.ch", "amina.q@ledger.example.pk",
}

func init() {
	// wait as little as possible in tests: a millisecond of backoff, and a
	// Retry-After honoured up to the same
	configureClient = func(c *editorclient.Client) {
		c.BaseBackoff, c.MaxBackoff, c.MaxRetryAfter = time.Millisecond, time.Millisecond, time.Millisecond
	}
}

type result struct {
	code           int
	stdout, stderr string
}

func cli(t *testing.T, s *apiserver.Server, tty bool, args ...string) result {
	t.Helper()
	env := map[string]string{"BROADSHEET_TOKEN": "no-server"}
	if s != nil {
		env["BROADSHEET_API"], env["BROADSHEET_TOKEN"] = s.URL, s.Token
	}
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb, func(k string) string { return env[k] }, tty)
	r := result{code, out.String(), errb.String()}
	t.Logf("broadsheet %s → %d\n%s%s", strings.Join(args, " "), code, r.stdout, r.stderr)
	return r
}

// newServer is the real API over a memory store (internal/testkit/apiserver),
// with wrap, if any, in front of it for the faults a test injects.
func newServer(t *testing.T, wrap func(http.Handler) http.Handler) *apiserver.Server {
	return apiserver.New(t, apiserver.Options{Wrap: wrap})
}

func noEmails(t *testing.T, r result) {
	t.Helper()
	for _, e := range sampleEmails {
		if strings.Contains(r.stdout, e) || strings.Contains(r.stderr, e) {
			t.Errorf("email %s printed", e)
		}
	}
	if regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+\.[A-Za-z]`).MatchString(r.stdout + r.stderr) {
		t.Errorf("something email-like printed")
	}
}

func mustContain(t *testing.T, what, s string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(s, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

func TestImportWXR(t *testing.T) {
	s := newServer(t, apiserver.Refuse("POST /admin/comments", 1, broadsheet.CodeRateLimited, time.Second))

	r := cli(t, s, false, "import", "wxr", sampleWXR)
	if r.code != 0 {
		t.Fatalf("exit %d", r.code)
	}
	mustContain(t, "stdout", r.stdout,
		"import wxr "+sampleWXR+"\n",
		"articles: 4 created, 0 updated, 0 unchanged, 3 skipped\n",
		`  skipped post 104 "About us": not a post (page)`+"\n",
		`  skipped post 55 "schober": not a post (attachment)`+"\n",
		`  skipped post 106 "": empty title`+"\n",
		"comments: 5 imported, 0 already present, 3 skipped (1 pending, 1 pingback, 1 spam; not imported)\n",
		"failures: 0\n")
	mustContain(t, "stderr", r.stderr, "[4/4] created ", "retrying POST /admin/comments in 1ms: POST /admin/comments: 429 rate_limited")
	if strings.Contains(r.stderr, "\r") {
		t.Error("progress bar drawn on a non-terminal")
	}
	noEmails(t, r)
	if len(s.Articles(t)) != 4 || len(s.Comments(t)) != 5 {
		t.Fatalf("stored %d articles, %d comments", len(s.Articles(t)), len(s.Comments(t)))
	}

	s.ResetCalls()
	r = cli(t, s, false, "import", "wxr", "-concurrency", "2", sampleWXR)
	if r.code != 0 {
		t.Fatalf("re-run exit %d", r.code)
	}
	mustContain(t, "re-run stdout", r.stdout,
		"articles: 0 created, 0 updated, 4 unchanged, 3 skipped\n",
		"comments: 0 imported, 5 already present, 3 skipped")
	for _, c := range s.Calls() {
		if c.Method != "GET" {
			t.Errorf("re-run wrote %v", c)
		}
	}
	noEmails(t, r)
}

func TestImportProgressBarOnTerminal(t *testing.T) {
	s := newServer(t, nil)
	r := cli(t, s, true, "import", "wxr", sampleWXR)
	if r.code != 0 {
		t.Fatal(r.code)
	}
	mustContain(t, "stderr", r.stderr, "\r\033[K", "█", "4/4 articles")
	if !strings.HasSuffix(r.stderr, "\n") {
		t.Error("bar not finished with a newline")
	}
	noEmails(t, r)
}

func TestImportJSONLFailuresExitNonZero(t *testing.T) {
	s := newServer(t, nil)
	path := filepath.Join(t.TempDir(), "a.jsonl")
	os.WriteFile(path, []byte(`{"title":"Good","body":"Text.","author":{"name":"A"},"comments":[{"externalId":"x1","name":"R","email":"reader@example.net","body":"Hi"}]}
{"title":"No author","body":"Text."}
not json
`), 0o644)
	r := cli(t, s, false, "import", "jsonl", path)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1", r.code)
	}
	mustContain(t, "stdout", r.stdout,
		"articles: 1 created, 0 updated, 0 unchanged, 0 skipped",
		"comments: 1 imported",
		"failures: 2\n",
		`line 2 "No author": article no-author: POST /admin/articles: 400 validation_failed`,
		"line 3: invalid JSON")
	mustContain(t, "stderr", r.stderr, `failed line 2 "No author"`)
	if strings.Contains(r.stdout+r.stderr, "reader@example.net") {
		t.Error("email printed")
	}
}

func copyFixtures(t *testing.T) string {
	dir := t.TempDir()
	for _, f := range []string{"afghan-talks.md", "budget-notes.md", "no-title.md"} {
		b, err := os.ReadFile(filepath.Join("testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, f), b, 0o644)
	}
	return dir
}

func TestPublish(t *testing.T) {
	// someone else saves the budget article before each PUT, once touching is on
	var s *apiserver.Server
	var touching atomic.Bool
	ids := map[string]string{}
	s = newServer(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if apiserver.RouteOf(r) == "PUT /admin/articles/{id}" && touching.Load() {
				s.Touch(t, ids["notes-on-the-budget"])
			}
			next.ServeHTTP(w, r)
		})
	})
	dir := copyFixtures(t)
	a, b := filepath.Join(dir, "afghan-talks.md"), filepath.Join(dir, "budget-notes.md")

	r := cli(t, s, false, "publish", a, b)
	if r.code != 0 {
		t.Fatalf("exit %d", r.code)
	}
	for _, art := range s.Articles(t) {
		ids[art.Slug] = art.ID
	}
	want := "created   pm-us-visit-afghan-peace-talks  " + ids["pm-us-visit-afghan-peace-talks"] + "\n" +
		"created   notes-on-the-budget  " + ids["notes-on-the-budget"] + "\n"
	if r.stdout != want {
		t.Fatalf("stdout\n%q\nwant\n%q", r.stdout, want)
	}
	stored := s.Article(t, "notes-on-the-budget")
	if stored.Author.Bio != "Economics desk, Zürich" || stored.Status != "draft" || stored.Tags[0] != "economy" {
		t.Errorf("%+v", stored)
	}

	// again: nothing changes, nothing is written
	s.ResetCalls()
	r = cli(t, s, false, "publish", a, b)
	if r.code != 0 || strings.Count(r.stdout, "unchanged ") != 2 {
		t.Fatalf("second run: %d %q", r.code, r.stdout)
	}
	for _, c := range s.Calls() {
		if c.Method != "GET" {
			t.Errorf("unchanged publish wrote %v", c)
		}
	}

	// edit one file: updated with If-Match; flags after the file work too
	src, _ := os.ReadFile(b)
	os.WriteFile(b, append(src, []byte("3. Pensions\n")...), 0o644)
	s.ResetCalls()
	r = cli(t, s, false, "publish", b, a, "-timeout", "5s")
	if r.code != 0 || !strings.Contains(r.stdout, "updated   notes-on-the-budget  "+ids["notes-on-the-budget"]) || !strings.Contains(r.stdout, "unchanged pm-us-visit-afghan-peace-talks") {
		t.Fatalf("%d %q", r.code, r.stdout)
	}
	for _, c := range s.Calls() {
		if c.Method == "PUT" && c.IfMatch == "" {
			t.Error("PUT without If-Match")
		}
	}

	// someone keeps editing it: conflict after one retry, exit 1
	touching.Store(true)
	os.WriteFile(b, append(src, []byte("3. Subsidies\n")...), 0o644)
	s.ResetCalls()
	r = cli(t, s, false, "publish", b)
	if r.code != 1 || !strings.Contains(r.stderr, "conflict  notes-on-the-budget  "+ids["notes-on-the-budget"]) {
		t.Fatalf("%d %q %q", r.code, r.stdout, r.stderr)
	}
	puts := 0
	for _, c := range s.Calls() {
		if c.Method == "PUT" {
			puts++
			if c.Status != 412 {
				t.Errorf("PUT answered %d", c.Status)
			}
		}
	}
	if puts != 2 {
		t.Errorf("%d PUTs, want 2 (one retry)", puts)
	}
	touching.Store(false)

	// a bad file fails alone
	r = cli(t, s, false, "publish", filepath.Join(dir, "no-title.md"), a)
	if r.code != 1 || !strings.Contains(r.stderr, "no-title.md: front matter: title is required") || !strings.Contains(r.stdout, "unchanged pm-us-visit-afghan-peace-talks") {
		t.Fatalf("%d %q %q", r.code, r.stdout, r.stderr)
	}
}

func TestModerate(t *testing.T) {
	s := newServer(t, nil)
	dir := copyFixtures(t)
	if r := cli(t, s, false, "publish", filepath.Join(dir, "afghan-talks.md")); r.code != 0 {
		t.Fatal(r.stderr)
	}
	// three first-time commenters: their comments wait for moderation
	slug := "pm-us-visit-afghan-peace-talks"
	var ids []string
	for i, r := range []apiserver.Reader{
		{Name: "Waiting Reader", Email: "pending.reader@example.com", Body: "Is this moderated?"},
		{Name: "Cheap Watches", Email: "sales@spam.example.net", Body: "Best prices!!!"},
		{Name: "Rude", Email: "omar@example.org", Body: "…"},
	} {
		r.Address = fmt.Sprintf("198.51.100.%d", 10+i)
		id, status := s.ReaderComment(t, slug, r)
		if status != "pending" {
			t.Fatalf("reader comment %s is %s, want pending", id, status)
		}
		ids = append(ids, id)
	}
	p1, p2, p3 := ids[0], ids[1], ids[2]

	r := cli(t, s, false, "moderate", "list")
	if r.code != 0 {
		t.Fatal(r.code)
	}
	mustContain(t, "list", r.stdout, "ID", "STATUS", p1, p2, p3, "pending", "pm-us-visit-afghan-peace-talks", "Is this moderated?")
	noEmails(t, r)
	if !strings.Contains(s.Calls()[len(s.Calls())-1].Query, "status=pending") {
		t.Error("list should default to the pending queue")
	}
	r = cli(t, s, false, "moderate", "list", "-emails")
	mustContain(t, "list -emails", r.stdout, "EMAIL", "pending.reader@example.com")

	r = cli(t, s, false, "moderate", "approve", p1)
	if r.code != 0 || r.stdout != "approved  "+p1+"\n" {
		t.Fatalf("%d %q", r.code, r.stdout)
	}
	r = cli(t, s, false, "moderate", "spam", p2)
	if r.code != 0 || r.stdout != "spam      "+p2+"\n" {
		t.Fatalf("%d %q", r.code, r.stdout)
	}
	r = cli(t, s, false, "moderate", "reject", p3)
	if r.code != 0 || r.stdout != "rejected  "+p3+"\n" {
		t.Fatalf("%d %q", r.code, r.stdout)
	}
	st := map[string]string{}
	for _, c := range s.Comments(t) {
		st[c.ID] = string(c.Status)
	}
	if st[p1] != "approved" || st[p2] != "spam" || st[p3] != "rejected" {
		t.Fatalf("%v", st)
	}
	r = cli(t, s, false, "moderate", "list", "-status", "any")
	mustContain(t, "list any", r.stdout, "approved", "spam", "rejected")

	r = cli(t, s, false, "moderate", "delete", p2, "nope")
	if r.code != 1 || r.stdout != "deleted   "+p2+"\n" || !strings.Contains(r.stderr, "failed    nope: DELETE /admin/comments/nope: 404 not_found") {
		t.Fatalf("%d %q %q", r.code, r.stdout, r.stderr)
	}
	r = cli(t, s, false, "moderate", "list")
	if r.code != 0 || !strings.Contains(r.stderr, "no comments") {
		t.Fatalf("%q", r.stderr)
	}
}

func TestArticles(t *testing.T) {
	s := newServer(t, nil)
	dir := copyFixtures(t)
	cli(t, s, false, "publish", filepath.Join(dir, "afghan-talks.md"), filepath.Join(dir, "budget-notes.md"))
	r := cli(t, s, false, "articles", "list")
	mustContain(t, "list", r.stdout, "pm-us-visit-afghan-peace-talks", "notes-on-the-budget", "2026-11-24T08:30:00Z", "PM’s US visit")
	r = cli(t, s, false, "articles", "list", "-status", "draft")
	if strings.Contains(r.stdout, "pm-us-visit") || !strings.Contains(r.stdout, "notes-on-the-budget") {
		t.Fatalf("%q", r.stdout)
	}

	id := s.Articles(t)[0].ID
	s.ResetCalls()
	r = cli(t, s, false, "articles", "delete", id)
	if r.code != 0 || r.stdout != "deleted   "+id+"\n" {
		t.Fatalf("%d %q %q", r.code, r.stdout, r.stderr)
	}
	if calls := s.Calls(); len(calls) != 1 || calls[0].Status != 204 || len(s.Articles(t)) != 1 {
		t.Fatalf("%v", calls)
	}
}

func TestUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{nil, 2, "no command given"},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"publish"}, 2, "publish needs at least one Markdown file"},
		{[]string{"import", "csv", "x"}, 2, "usage: broadsheet import wxr"},
		{[]string{"moderate", "approve"}, 2, "needs comment ids"},
		{[]string{"-bogus"}, 2, "flag provided but not defined"},
		{[]string{"help"}, 0, "Usage: broadsheet"},
	} {
		r := cli(t, nil, false, tc.args...)
		if r.code != tc.code || !strings.Contains(r.stdout+r.stderr, tc.want) {
			t.Errorf("%v: %d %q %q", tc.args, r.code, r.stdout, r.stderr)
		}
	}
	// no token
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"articles", "list"}, &out, &errb, func(string) string { return "" }, false)
	if code != 2 || !strings.Contains(errb.String(), "no token") {
		t.Errorf("%d %q", code, errb.String())
	}
	// a token from -token wins, and is never printed; API Gateway's
	// authorizer refuses it before any function runs
	s := newServer(t, nil)
	code = run(context.Background(), []string{"-api", s.URL, "-token", "wrong-secret", "articles", "list"}, &out, &errb, func(string) string { return "" }, false)
	if code != 1 || !strings.Contains(errb.String(), "401 http_401: Unauthorized") || !strings.Contains(errb.String(), "refused the token") || strings.Contains(out.String()+errb.String(), "wrong-secret") {
		t.Errorf("%d %q", code, errb.String())
	}
}
