package editorclient_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"broadsheet/internal/broadsheet"
	"broadsheet/internal/editorclient"
	"broadsheet/internal/testkit/apiserver"
)

// sleeps records the waits a client asked for instead of sleeping.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) record(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.d = append(s.d, d)
}

func (s *sleeps) all() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

// newClient returns a client that waits a millisecond between tries (and at
// most that for a Retry-After), recording each wait.
func newClient(t *testing.T, s *apiserver.Server) (*editorclient.Client, *sleeps) {
	t.Helper()
	return newClientAt(t, s.URL, s.Token)
}

func newClientAt(t *testing.T, url, token string) (*editorclient.Client, *sleeps) {
	t.Helper()
	c := editorclient.New(url, token)
	c.BaseBackoff, c.MaxBackoff, c.MaxRetryAfter = time.Millisecond, time.Millisecond, time.Millisecond
	sl := &sleeps{}
	c.OnRetry = func(_, _ string, _ int, wait time.Duration, _ error) { sl.record(wait) }
	return c, sl
}

// newServer is the real API (the editor, article and comment handlers over
// a memory store, behind the local API Gateway emulation), with wraps in
// front of it for the faults a test injects.
func newServer(t *testing.T, wraps ...func(http.Handler) http.Handler) *apiserver.Server {
	t.Helper()
	return apiserver.New(t, apiserver.Options{Wrap: func(api http.Handler) http.Handler {
		for _, w := range slices.Backward(wraps) {
			api = w(api)
		}
		return api
	}})
}

// beforeEach runs do before each request to route reaches the API.
func beforeEach(route string, do func()) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if apiserver.RouteOf(r) == route {
				do()
			}
			next.ServeHTTP(w, r)
		})
	}
}

func sampleInput(slug string) editorclient.ArticleInput {
	return editorclient.ArticleInput{
		Title:  "Hello “world”",
		Body:   "Some *Markdown*.\n",
		Author: editorclient.Author{Name: "Amina Qureshi"},
		Tags:   []string{"pakistan"},
		Slug:   slug,
		Status: "published",
	}
}

func routes(calls []apiserver.Call) []string {
	var out []string
	for _, c := range calls {
		out = append(out, c.Route+" "+http.StatusText(c.Status))
	}
	return out
}

func TestAPIErrorCarriesContractBody(t *testing.T) {
	s := newServer(t)
	c, _ := newClient(t, s)
	_, err := c.CreateArticle(context.Background(), editorclient.ArticleInput{Title: "x", Slug: "Bad Slug"})
	var ae *editorclient.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want *APIError, got %T %v", err, err)
	}
	if ae.StatusCode != 400 || ae.Code != "validation_failed" {
		t.Fatalf("got %d %s", ae.StatusCode, ae.Code)
	}
	for _, f := range []string{"body", "author.name", "slug"} {
		if ae.Fields[f] == "" {
			t.Errorf("field %s missing from %v", f, ae.Fields)
		}
	}
	if !strings.Contains(err.Error(), "POST /admin/articles: 400 validation_failed") {
		t.Errorf("message: %v", err)
	}
}

// A refused token is answered by API Gateway's authorizer, before any
// function runs: 401 with its own {"message":"Unauthorized"} body, not the
// contract's error body.
func TestUnauthorized(t *testing.T) {
	s := newServer(t)
	c := editorclient.New(s.URL, "wrong")
	_, err := c.ListArticles(context.Background(), editorclient.ArticleQuery{})
	if !editorclient.HasCode(err, "http_401") || editorclient.StatusCode(err) != 401 || !strings.Contains(err.Error(), "Unauthorized") {
		t.Fatalf("got %v", err)
	}
	if len(s.Calls()) != 1 {
		t.Fatalf("401 must not be retried: %v", s.Calls())
	}
}

func TestNonJSONErrorAndRedaction(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(502)
		w.Write([]byte("upstream said: bad thing for someone@example.com"))
	}))
	defer srv.Close()
	c, _ := newClientAt(t, srv.URL, "token")
	_, err := c.GetArticle(context.Background(), "x")
	if !editorclient.HasCode(err, "http_502") {
		t.Fatalf("got %v", err)
	}
	if strings.Contains(err.Error(), "someone@example.com") || !strings.Contains(err.Error(), "<email>") {
		t.Fatalf("email not redacted: %v", err)
	}
}

func TestRetriesHonourRetryAfterAnd503(t *testing.T) {
	s := newServer(t,
		apiserver.Refuse("GET /admin/articles", 1, broadsheet.CodeRateLimited, time.Second),
		apiserver.Refuse("GET /admin/articles", 2, broadsheet.CodeUnavailable, 0))
	c, sl := newClient(t, s)
	if _, err := c.ListArticles(context.Background(), editorclient.ArticleQuery{}); err != nil {
		t.Fatal(err)
	}
	got := sl.all()
	if len(got) != 3 || got[0] != time.Millisecond {
		t.Fatalf("sleeps = %v, want Retry-After (capped at MaxRetryAfter) then two backoffs", got)
	}
	if n := len(s.Calls()); n != 4 {
		t.Fatalf("calls = %d, want 4", n)
	}
}

func TestRetriesGiveUp(t *testing.T) {
	s := newServer(t, apiserver.Refuse("GET /admin/articles/{id}", 100, broadsheet.CodeUnavailable, 0))
	c, _ := newClient(t, s)
	c.MaxAttempts = 3
	_, err := c.GetArticle(context.Background(), broadsheet.NewID())
	if editorclient.StatusCode(err) != 503 || len(s.Calls()) != 3 {
		t.Fatalf("err %v after %d calls", err, len(s.Calls()))
	}
}

func TestRetriesNetworkErrors(t *testing.T) {
	var mu sync.Mutex
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		first := n == 1
		mu.Unlock()
		if first { // drop the connection without answering
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"items":[],"nextCursor":null}`))
	}))
	defer srv.Close()
	c, sl := newClientAt(t, srv.URL, "token")
	if _, err := c.ListComments(context.Background(), editorclient.CommentQuery{}); err != nil {
		t.Fatal(err)
	}
	if len(sl.all()) != 1 {
		t.Fatalf("sleeps %v", sl.all())
	}

	// a closed port: fails after MaxAttempts with a NetworkError
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	c2, _ := newClientAt(t, "http://"+addr, "token")
	c2.MaxAttempts = 2
	_, err := c2.ListComments(context.Background(), editorclient.CommentQuery{})
	var ne *editorclient.NetworkError
	if !errors.As(err, &ne) {
		t.Fatalf("want NetworkError, got %v", err)
	}
}

func TestPostsKeepIdempotencyKeyAcrossRetries(t *testing.T) {
	var mu sync.Mutex
	var keys []string
	recordKeys := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			keys = append(keys, r.Header.Get("Idempotency-Key"))
			mu.Unlock()
			next.ServeHTTP(w, r)
		})
	}
	s := newServer(t, recordKeys, apiserver.Refuse("POST /admin/comments", 1, broadsheet.CodeUnavailable, 0))
	c, _ := newClient(t, s)
	a, err := c.CreateArticle(context.Background(), sampleInput("keyed"))
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	keys = nil
	mu.Unlock()
	cm, existed, err := c.CreateComment(context.Background(), editorclient.CommentInput{ArticleID: a.ID, Name: "n", Body: "b", Status: "approved"})
	if err != nil || existed || cm.ID == "" {
		t.Fatal(cm, existed, err)
	}
	if len(keys) != 2 || keys[0] == "" || keys[0] != keys[1] {
		t.Fatalf("keys %q", keys)
	}
}

func TestUpsertCreateUnchangedUpdate(t *testing.T) {
	ctx := context.Background()
	s := newServer(t)
	c, _ := newClient(t, s)
	in := sampleInput("hello-world")

	act, a, err := c.UpsertArticle(ctx, in)
	if err != nil || act != editorclient.Created || a.ID == "" || a.ETag == "" {
		t.Fatalf("create: %v %+v %v", act, a, err)
	}
	s.ResetCalls()
	act, _, err = c.UpsertArticle(ctx, in)
	if err != nil || act != editorclient.Unchanged {
		t.Fatalf("second: %v %v", act, err)
	}
	if got := routes(s.Calls()); strings.Join(got, ",") != "GET /admin/articles OK,GET /admin/articles/{id} OK" {
		t.Fatalf("calls %v", got)
	}
	if q := s.Calls()[0].Query; !strings.Contains(q, "slug=hello-world") {
		t.Fatalf("lookup query %q", q)
	}

	s.ResetCalls()
	in.Body = "Changed body.\n"
	act, a2, err := c.UpsertArticle(ctx, in)
	if err != nil || act != editorclient.Updated || a2.ID != a.ID {
		t.Fatalf("update: %v %v", act, err)
	}
	put := s.Calls()[2]
	if put.Method != "PUT" || put.IfMatch != a.ETag {
		t.Fatalf("PUT with If-Match %q, want %q (%v)", put.IfMatch, a.ETag, put)
	}
	stored := s.Article(t, "hello-world")
	if stored.Body != "Changed body." || a.PublishedAt == nil || !stored.PublishedAt.Equal(*a.PublishedAt) {
		t.Fatalf("stored %+v (publishedAt must be kept: %s)", stored, a.PublishedAt)
	}
}

func TestUpsertRetriesOnceAfter412ThenConflict(t *testing.T) {
	ctx := context.Background()
	// someone else saves the article between our GET and each PUT, for as
	// many PUTs as edits says
	var s *apiserver.Server
	var id string
	var edits atomic.Int32
	s = newServer(t, beforeEach("PUT /admin/articles/{id}", func() {
		if edits.Add(-1) >= 0 {
			s.Touch(t, id)
		}
	}))
	c, _ := newClient(t, s)
	in := sampleInput("contested")
	_, a, err := c.UpsertArticle(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	id = a.ID

	edits.Store(1)
	s.ResetCalls()
	in.Title = "Contested, again"
	act, _, err := c.UpsertArticle(ctx, in)
	if err != nil || act != editorclient.Updated {
		t.Fatalf("want updated after one 412, got %v %v", act, err)
	}
	want := "GET /admin/articles OK,GET /admin/articles/{id} OK,PUT /admin/articles/{id} Precondition Failed,GET /admin/articles/{id} OK,PUT /admin/articles/{id} OK"
	if got := strings.Join(routes(s.Calls()), ","); got != want {
		t.Fatalf("calls\n got %s\nwant %s", got, want)
	}

	// edited before every PUT: a conflict after the one retry
	edits.Store(1000)
	in.Title = "Contested, thrice"
	_, _, err = c.UpsertArticle(ctx, in)
	var ce *editorclient.ConflictError
	if !errors.As(err, &ce) || editorclient.StatusCode(err) != 412 {
		t.Fatalf("want ConflictError wrapping 412, got %v", err)
	}
}

func TestUpsertSlugTakenRace(t *testing.T) {
	ctx := context.Background()
	in := sampleInput("racy")
	// another editor creates the same slug right after our lookup
	var s *apiserver.Server
	var fired atomic.Bool
	s = newServer(t, beforeEach("POST /admin/articles", func() {
		if fired.CompareAndSwap(false, true) {
			other, _ := newClient(t, s)
			o := in
			o.Body = "Theirs.\n"
			if _, err := other.CreateArticle(ctx, o); err != nil {
				t.Error(err)
			}
		}
	}))
	c, _ := newClient(t, s)
	act, _, err := c.UpsertArticle(ctx, in)
	if err != nil || act != editorclient.Updated {
		t.Fatalf("want updated after 409 slug_taken, got %v %v", act, err)
	}
	if a := s.Article(t, "racy"); a.Body != strings.TrimSpace(in.Body) {
		t.Fatalf("body %q", a.Body)
	}
}

// The editor API deletes without If-Match (a delete loses no edit): one call.
func TestDeleteArticle(t *testing.T) {
	ctx := context.Background()
	s := newServer(t)
	c, _ := newClient(t, s)
	_, a, err := c.UpsertArticle(ctx, sampleInput("doomed"))
	if err != nil {
		t.Fatal(err)
	}
	s.ResetCalls()
	if err := c.DeleteArticle(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if calls := s.Calls(); len(calls) != 1 || calls[0].IfMatch != "" || calls[0].Status != 204 {
		t.Fatalf("calls %v", calls)
	}
	if len(s.Articles(t)) != 0 {
		t.Fatal("not deleted")
	}
	if err := c.DeleteArticle(ctx, a.ID); !editorclient.IsNotFound(err) {
		t.Fatalf("second delete: %v", err)
	}
}

// A deployment that wants If-Match on deletes answers 428 (the server's own
// precondition_required): the client fetches the ETag and sends it, and the
// server checks it.
func TestDeleteArticleHandles428(t *testing.T) {
	ctx := context.Background()
	requireIfMatch := func(next http.Handler) http.Handler {
		refuse := apiserver.Refuse("DELETE /admin/articles/{id}", 1<<30, broadsheet.CodePreconditionRequired, 0)(next)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("If-Match") == "" {
				refuse.ServeHTTP(w, r)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
	s := newServer(t, requireIfMatch)
	c, _ := newClient(t, s)
	_, a, err := c.UpsertArticle(ctx, sampleInput("doomed"))
	if err != nil {
		t.Fatal(err)
	}
	s.ResetCalls()
	if err := c.DeleteArticle(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	calls := s.Calls()
	if len(calls) != 3 || calls[0].Status != 428 || calls[2].IfMatch != a.ETag || calls[2].Status != 204 {
		t.Fatalf("calls %v", calls)
	}
	if len(s.Articles(t)) != 0 {
		t.Fatal("not deleted")
	}
	if err := c.DeleteArticle(ctx, a.ID); !editorclient.IsNotFound(err) {
		t.Fatalf("second delete: %v", err)
	}
}

func TestListPaginationFollowsCursor(t *testing.T) {
	ctx := context.Background()
	s := newServer(t)
	c, _ := newClient(t, s)
	for i := 0; i < 7; i++ {
		in := sampleInput("")
		in.Slug = "a-" + string(rune('a'+i))
		if _, err := c.CreateArticle(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	for _, err := range c.Articles(ctx, editorclient.ArticleQuery{Limit: 3}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 7 {
		t.Fatalf("got %d articles", n)
	}
	_, err := c.ListArticles(ctx, editorclient.ArticleQuery{Cursor: "forged"})
	if !editorclient.HasCode(err, "invalid_cursor") {
		t.Fatalf("forged cursor: %v", err)
	}
}

func TestCommentStringsHideEmail(t *testing.T) {
	cm := editorclient.Comment{ID: "c1", Name: "Sana", Email: "sana@example.pk", Status: "approved"}
	in := editorclient.CommentInput{Name: "Sana", Email: "sana@example.pk"}
	for _, s := range []string{fmtV(cm), fmtV(in), fmtV(&cm)} {
		if strings.Contains(s, "@") {
			t.Errorf("email printed: %s", s)
		}
	}
}

// Two trailing spaces are a Markdown line break: adding them is an edit the
// server stores, so the client must not call the article unchanged.
func TestUpsertNoticesALineBreak(t *testing.T) {
	ctx := context.Background()
	s := newServer(t)
	c, _ := newClient(t, s)
	in := sampleInput("verse")
	in.Body = "Line one.\nLine two.\n"
	if _, _, err := c.UpsertArticle(ctx, in); err != nil {
		t.Fatal(err)
	}
	in.Body = "Line one.  \nLine two.\n"
	act, _, err := c.UpsertArticle(ctx, in)
	if err != nil || act != editorclient.Updated {
		t.Fatalf("got %v %v, want updated", act, err)
	}
	if a := s.Article(t, "verse"); !strings.Contains(a.BodyHTML, "<br") {
		t.Fatalf("stored %q → %q", a.Body, a.BodyHTML)
	}
}

// A PUT replaces the whole article: an update from a file that names no
// language keeps the one the article has; one that names it changes it.
func TestUpsertKeepsTheLanguage(t *testing.T) {
	ctx := context.Background()
	s := newServer(t)
	c, _ := newClient(t, s)
	in, _, err := editorclient.ParseMarkdown([]byte("---\ntitle: Lahore notes\nauthor: A\nlang: ur\n---\nمتن۔\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.UpsertArticle(ctx, in); err != nil {
		t.Fatal(err)
	}
	if got := s.Article(t, in.Slug).Lang; got != "ur" {
		t.Fatalf("lang %q after create", got)
	}
	in.Lang, in.Body = "", "متن، دوبارہ۔"
	if act, _, err := c.UpsertArticle(ctx, in); err != nil || act != editorclient.Updated {
		t.Fatalf("%v %v", act, err)
	}
	if got := s.Article(t, in.Slug).Lang; got != "ur" {
		t.Fatalf("lang %q after an update that named none", got)
	}
	in.Lang = "UR"
	if act, _, err := c.UpsertArticle(ctx, in); err != nil || act != editorclient.Unchanged {
		t.Fatalf("%v %v: the same language in another case is no change", act, err)
	}
	in.Lang = "en"
	if act, _, err := c.UpsertArticle(ctx, in); err != nil || act != editorclient.Updated || s.Article(t, in.Slug).Lang != "en" {
		t.Fatalf("%v %v", act, err)
	}
}
