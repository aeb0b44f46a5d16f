package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"broadsheet/internal/local/ddblocal"
	"broadsheet/internal/local/localapi"
	"broadsheet/internal/testkit/dynamotest"
)

func TestMain(m *testing.M) { os.Exit(dynamotest.RunTests(m)) }

// floodSeconds is the CommentFloodSeconds the stack runs with: short, so the
// suite stays quick, yet long enough for two browser submissions in a row to
// fall into one window.
const floodSeconds = 3

// repoRoot walks up from the working directory to the directory with go.mod.
func repoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("webtest: no go.mod above the working directory")
		}
		dir = parent
	}
}

// chromiumPath finds the browser: $CHROMIUM, then chromium or
// chromium-browser on PATH, then /usr/bin/chromium. Without one the tests
// skip, unless CI=true, where they fail.
func chromiumPath(t testing.TB) string {
	t.Helper()
	candidates := []string{os.Getenv("CHROMIUM"), "chromium", "chromium-browser", "/usr/bin/chromium"}
	for _, c := range candidates {
		if c == "" {
			continue
		}
		if p, err := exec.LookPath(c); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("webtest: no Chromium binary found (looked for $CHROMIUM, chromium, chromium-browser, /usr/bin/chromium); CI must run the browser tests: apt-get install -y chromium")
	}
	t.Skip("webtest: no Chromium binary found (install Debian's chromium or set CHROMIUM); skipping the browser tests outside CI")
	return ""
}

// env is one running stack, the web servers of other origins and a browser.
type env struct {
	t       *testing.T
	root    string
	st      *localapi.Stack
	api     string // the stack's base URL; it also serves web/ at /
	token   string
	allowed *httptest.Server // web/ from an origin in AllowedOrigins
	foreign *httptest.Server // web/ from an origin that is not
	media   *httptest.Server // lead images, over https
	browser context.Context

	mu          sync.Mutex
	lastComment time.Time // last accepted comment, for the flood window
}

func newEnv(t *testing.T) *env {
	t.Helper()
	exe := chromiumPath(t)
	root := repoRoot(t)
	e := &env{t: t, root: root}

	// The other origins first: the stack's AllowedOrigins must name one of them.
	web := http.FileServer(http.Dir(filepath.Join(root, "web")))
	e.allowed = httptest.NewServer(web)
	t.Cleanup(e.allowed.Close)
	e.foreign = httptest.NewServer(web)
	t.Cleanup(e.foreign.Close)
	e.media = newMediaServer(t)

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	logger := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	st, err := localapi.Start(ctx, localapi.Config{
		Root:             root,
		DataDir:          t.TempDir(),
		DynamoDBEndpoint: dynamotest.Endpoint(t),
		TableName:        ddblocal.UniqueName("webtest"),
		Functions:        localFunctions(),
		Parameters: map[string]string{
			"AllowedOrigins":      e.allowed.URL,
			"CommentFloodSeconds": fmt.Sprint(floodSeconds),
			"CommentModeration":   "first-time",
			// The page's behaviour, not verification (test/e2e covers it):
			// trust an email as typed, as before.
			"CommentVerification": "off",
			"LogLevel":            "WARN",
		},
		Logger:             logger,
		StreamPollInterval: 100 * time.Millisecond,
	})
	if err != nil {
		t.Fatalf("start the local stack: %v", err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Logf("close the stack: %v", err)
		}
	})
	e.st, e.api = st, st.URL()
	if e.token, err = st.Token(); err != nil {
		t.Fatal(err)
	}

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("mute-audio", true),
		chromedp.Flag("force-color-profile", "srgb"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
		mediaTrust(e.media),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	bctx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelBrowser)
	if err := chromedp.Do(bctx); err != nil { // starts the browser, with no timeout
		t.Fatalf("start Chromium (%s): %v", exe, err)
	}
	e.browser = bctx
	return e
}

// ---------------------------------------------------------------------------
// The API, from Go

type apiResponse struct {
	status int
	header http.Header
	body   []byte
}

func (e *env) call(method, path string, body any, hdr map[string]string) apiResponse {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, e.api+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return apiResponse{status: res.StatusCode, header: res.Header, body: b}
}

func (e *env) editor(method, path string, body any) apiResponse {
	e.t.Helper()
	return e.call(method, path, body, map[string]string{"Authorization": "Bearer " + e.token})
}

func decode[T any](t testing.TB, r apiResponse) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
	return v
}

type seedArticle struct {
	Title   string     `json:"title"`
	Summary string     `json:"summary,omitempty"`
	Body    string     `json:"body"`
	Author  author     `json:"author"`
	Tags    []string   `json:"tags,omitempty"`
	Status  string     `json:"status"`
	Lang    string     `json:"lang,omitempty"`
	Image   *seedImage `json:"image,omitempty"`
}

type seedImage struct {
	URL    string `json:"url"`
	Alt    string `json:"alt"`
	Credit string `json:"credit,omitempty"`
	Width  int    `json:"width,omitempty"`
	Height int    `json:"height,omitempty"`
}

type author struct {
	Name string `json:"name"`
	Bio  string `json:"bio,omitempty"`
}

// publish creates a published article and returns its slug.
func (e *env) publish(a seedArticle) string {
	e.t.Helper()
	a.Status = "published"
	r := e.editor(http.MethodPost, "/admin/articles", a)
	if r.status != http.StatusCreated {
		e.t.Fatalf("publish %q: %d %s", a.Title, r.status, r.body)
	}
	return decode[struct {
		Slug string `json:"slug"`
	}](e.t, r).Slug
}

type pendingComment struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Email       string `json:"email"`
	Body        string `json:"body"`
	ArticleSlug string `json:"articleSlug"`
	Status      string `json:"status"`
}

// pending lists the moderation queue.
func (e *env) pending() []pendingComment {
	e.t.Helper()
	r := e.editor(http.MethodGet, "/admin/comments?status=pending&limit=50", nil)
	if r.status != http.StatusOK {
		e.t.Fatalf("GET /admin/comments: %d %s", r.status, r.body)
	}
	return decode[struct {
		Items []pendingComment `json:"items"`
	}](e.t, r).Items
}

// approveByBody finds the pending comment with this body and approves it.
func (e *env) approveByBody(body string) pendingComment {
	e.t.Helper()
	for _, c := range e.pending() {
		if c.Body == body {
			r := e.editor(http.MethodPatch, "/admin/comments/"+url.PathEscape(c.ID), map[string]string{"status": "approved"})
			if r.status != http.StatusOK {
				e.t.Fatalf("approve %s: %d %s", c.ID, r.status, r.body)
			}
			return c
		}
	}
	e.t.Fatalf("no pending comment with body %q", body)
	return pendingComment{}
}

// commented records an accepted comment; waitFlood waits until the flood
// window of the last one has passed (every browser comment comes from
// 127.0.0.1, and the API limits by client address as well as by email).
func (e *env) commented() {
	e.mu.Lock()
	e.lastComment = time.Now()
	e.mu.Unlock()
}

func (e *env) waitFlood() {
	e.mu.Lock()
	wait := time.Until(e.lastComment.Add(floodSeconds*time.Second + 300*time.Millisecond))
	e.mu.Unlock()
	if wait > 0 {
		time.Sleep(wait)
	}
}

// ---------------------------------------------------------------------------
// Browser tabs

// tab is one browser tab with what it saw: dialogs, uncaught exceptions and
// console errors (CSP violations among them).
type tab struct {
	t   *testing.T
	ctx context.Context

	mu         sync.Mutex
	dialogs    []string
	exceptions []string
	errors     []string
}

func (e *env) newTab(t *testing.T) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(e.browser)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	tb := &tab{t: t, ctx: ctx}
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			tb.mu.Lock()
			tb.dialogs = append(tb.dialogs, fmt.Sprintf("%s: %s", ev.Type, ev.Message))
			tb.mu.Unlock()
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}()
	console := chromedp.Console(ctx)
	go func() {
		for m, err := range console {
			if err != nil {
				return
			}
			tb.mu.Lock()
			switch {
			case m.IsException():
				tb.exceptions = append(tb.exceptions, m.String())
			case m.Type == chromedp.ConsoleError:
				tb.errors = append(tb.errors, m.String())
			}
			tb.mu.Unlock()
		}
	}()
	return tb
}

// do runs actions with a timeout.
func (tb *tab) do(actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		tb.t.Fatalf("browser: %v\n%s", err, tb.state())
	}
}

// eval evaluates a JavaScript expression and decodes its value.
func eval[T any](tb *tab, expr string) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.t.Fatalf("evaluate %s: %v\n%s", expr, err, tb.state())
	}
	return v
}

// waitFor polls a JavaScript predicate until it is truthy.
func (tb *tab) waitFor(what, predicate string) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](predicate,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(15*time.Second)))
	if err != nil {
		tb.t.Fatalf("waiting for %s (%s): %v\n%s", what, predicate, err, tb.state())
	}
}

// open navigates and waits until app.js has rendered the view.
func (tb *tab) open(u string) {
	tb.t.Helper()
	tb.do(chromedp.Navigate(u))
	tb.waitFor("the page to render", `document.documentElement.dataset.ready === "true"`)
}

// state describes the page for a failure message.
func (tb *tab) state() string {
	ctx, cancel := context.WithTimeout(tb.ctx, 3*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText.slice(0, 1500) : ""`))
	tb.mu.Lock()
	defer tb.mu.Unlock()
	return fmt.Sprintf("page %s\n--- text ---\n%s\n--- exceptions %q\n--- console errors %q\n--- dialogs %q",
		loc, text, tb.exceptions, tb.errors, tb.dialogs)
}

// clean fails the test if the page threw, violated its CSP or opened a dialog.
func (tb *tab) clean() {
	tb.t.Helper()
	time.Sleep(100 * time.Millisecond) // let the event goroutines catch up
	tb.mu.Lock()
	defer tb.mu.Unlock()
	if len(tb.dialogs) > 0 {
		tb.t.Errorf("the page opened dialogs: %q", tb.dialogs)
	}
	if len(tb.exceptions) > 0 {
		tb.t.Errorf("the page threw: %q", tb.exceptions)
	}
	for _, m := range tb.errors {
		if strings.Contains(m, "Content Security Policy") || strings.Contains(m, "Content-Security-Policy") {
			tb.t.Errorf("CSP violation: %s", m)
		}
	}
}

func (tb *tab) dialogCount() int {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	return len(tb.dialogs)
}

// screenshot saves a full-page PNG under reports/screenshots/.
func (e *env) screenshot(tb *tab, name string) string {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tb.t.Fatalf("screenshot: %v", err)
	}
	dir := filepath.Join(e.root, "reports", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		tb.t.Fatal(err)
	}
	rel, err := filepath.Rel(e.root, path)
	if err != nil {
		rel = path
	}
	tb.t.Logf("screenshot: %s", rel)
	return path
}

// js quotes a Go string as a JavaScript string literal.
func js(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
