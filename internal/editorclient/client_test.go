package editorclient_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"broadsheet/internal/editorclient"
	"broadsheet/internal/editorclient/fakeapi"
)

const token = "test-token"

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
func newClient(t *testing.T, url string) (*editorclient.Client, *sleeps) {
	t.Helper()
	c := editorclient.New(url, token)
	c.BaseBackoff, c.MaxBackoff, c.MaxRetryAfter = time.Millisecond, time.Millisecond, time.Millisecond
	sl := &sleeps{}
	c.OnRetry = func(_, _ string, _ int, wait time.Duration, _ error) { sl.record(wait) }
	return c, sl
}

func newFake(t *testing.T) *fakeapi.Server {
	t.Helper()
	s := fakeapi.New(token)
	t.Cleanup(s.Close)
	return s
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

func routes(calls []fakeapi.Call) []string {
	var out []string
	for _, c := range calls {
		out = append(out, c.Method+" "+c.Route+" "+http.StatusText(c.Status))
	}
	return out
}

func TestAPIErrorCarriesContractBody(t *testing.T) {
	s := newFake(t)
	c, _ := newClient(t, s.URL)
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

func TestUnauthorized(t *testing.T) {
	s := newFake(t)
	c := editorclient.New(s.URL, "wrong")
	_, err := c.ListArticles(context.Background(), editorclient.ArticleQuery{})
	if !editorclient.HasCode(err, "unauthorized") || editorclient.StatusCode(err) != 401 {
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
	c, _ := newClient(t, srv.URL)
	_, err := c.GetArticle(context.Background(), "x")
	if !editorclient.HasCode(err, "http_502") {
		t.Fatalf("got %v", err)
	}
	if strings.Contains(err.Error(), "someone@example.com") || !strings.Contains(err.Error(), "<email>") {
		t.Fatalf("email not redacted: %v", err)
	}
}

func TestRetriesHonourRetryAfterAnd503(t *testing.T) {
	s := newFake(t)
	s.RateLimitOnce = map[string]bool{"GET /admin/articles": true}
	s.Unavailable = map[string]int{"GET /admin/articles": 2}
	c, sl := newClient(t, s.URL)
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
	s := newFake(t)
	s.Unavailable = map[string]int{"GET /admin/articles/{id}": 100}
	c, _ := newClient(t, s.URL)
	c.MaxAttempts = 3
	_, err := c.GetArticle(context.Background(), "art1")
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
	c, sl := newClient(t, srv.URL)
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
	c2, _ := newClient(t, "http://"+addr)
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
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		keys = append(keys, r.Header.Get("Idempotency-Key"))
		first := len(keys) == 1
		mu.Unlock()
		if first {
			w.WriteHeader(503)
			return
		}
		w.WriteHeader(201)
		w.Write([]byte(`{"id":"c1"}`))
	}))
	defer srv.Close()
	c, _ := newClient(t, srv.URL)
	cm, existed, err := c.CreateComment(context.Background(), editorclient.CommentInput{ArticleID: "a", Name: "n", Body: "b", Status: "approved"})
	if err != nil || existed || cm.ID != "c1" {
		t.Fatal(cm, existed, err)
	}
	if len(keys) != 2 || keys[0] == "" || keys[0] != keys[1] {
		t.Fatalf("keys %q", keys)
	}
}

func TestUpsertCreateUnchangedUpdate(t *testing.T) {
	ctx := context.Background()
	s := newFake(t)
	c, _ := newClient(t, s.URL)
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
	if got := routes(s.Calls()); strings.Join(got, ",") != "GET GET /admin/articles OK,GET GET /admin/articles/{id} OK" {
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
	stored, _ := s.ArticleBySlug("hello-world")
	if stored.Body != "Changed body.\n" || a.PublishedAt == nil || stored.PublishedAt != a.PublishedAt.Format(time.RFC3339) {
		t.Fatalf("stored %+v (publishedAt must be kept: %s)", stored, a.PublishedAt)
	}
}

func TestUpsertRetriesOnceAfter412ThenConflict(t *testing.T) {
	ctx := context.Background()
	s := newFake(t)
	c, _ := newClient(t, s.URL)
	in := sampleInput("contested")
	_, a, err := c.UpsertArticle(ctx, in)
	if err != nil {
		t.Fatal(err)
	}

	// someone edits the article between our GET and the first PUT only
	var mu sync.Mutex
	edits := 1
	s.OnRequest = func(method, path string) {
		mu.Lock()
		defer mu.Unlock()
		if method == "PUT" && edits > 0 {
			edits--
			s.Touch(a.ID)
		}
	}
	s.ResetCalls()
	in.Title = "Contested, again"
	act, _, err := c.UpsertArticle(ctx, in)
	if err != nil || act != editorclient.Updated {
		t.Fatalf("want updated after one 412, got %v %v", act, err)
	}
	want := "GET GET /admin/articles OK,GET GET /admin/articles/{id} OK,PUT PUT /admin/articles/{id} Precondition Failed,GET GET /admin/articles/{id} OK,PUT PUT /admin/articles/{id} OK"
	if got := strings.Join(routes(s.Calls()), ","); got != want {
		t.Fatalf("calls\n got %s\nwant %s", got, want)
	}

	// edited before every PUT: a conflict after the one retry
	s.OnRequest = func(method, path string) {
		if method == "PUT" {
			s.Touch(a.ID)
		}
	}
	in.Title = "Contested, thrice"
	_, _, err = c.UpsertArticle(ctx, in)
	var ce *editorclient.ConflictError
	if !errors.As(err, &ce) || editorclient.StatusCode(err) != 412 {
		t.Fatalf("want ConflictError wrapping 412, got %v", err)
	}
}

func TestUpsertSlugTakenRace(t *testing.T) {
	ctx := context.Background()
	s := newFake(t)
	c, _ := newClient(t, s.URL)
	in := sampleInput("racy")
	// another editor creates the same slug right after our lookup
	other, _ := newClient(t, s.URL)
	var fired atomic.Bool
	s.OnRequest = func(method, path string) {
		if method == "POST" && fired.CompareAndSwap(false, true) {
			o := in
			o.Body = "Theirs.\n"
			if _, err := other.CreateArticle(ctx, o); err != nil {
				t.Error(err)
			}
		}
	}
	act, _, err := c.UpsertArticle(ctx, in)
	if err != nil || act != editorclient.Updated {
		t.Fatalf("want updated after 409 slug_taken, got %v %v", act, err)
	}
	if a, _ := s.ArticleBySlug("racy"); a.Body != in.Body {
		t.Fatalf("body %q", a.Body)
	}
}

func TestDeleteArticleHandles428(t *testing.T) {
	ctx := context.Background()
	s := newFake(t)
	c, _ := newClient(t, s.URL)
	_, a, err := c.UpsertArticle(ctx, sampleInput("doomed"))
	if err != nil {
		t.Fatal(err)
	}
	s.RequireIfMatchOnDelete = true
	s.ResetCalls()
	if err := c.DeleteArticle(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	calls := s.Calls()
	if len(calls) != 3 || calls[0].Status != 428 || calls[2].IfMatch != a.ETag || calls[2].Status != 204 {
		t.Fatalf("calls %v", calls)
	}
	if len(s.Articles()) != 0 {
		t.Fatal("not deleted")
	}
	if err := c.DeleteArticle(ctx, a.ID); !editorclient.IsNotFound(err) {
		t.Fatalf("second delete: %v", err)
	}
}

func TestListPaginationFollowsCursor(t *testing.T) {
	ctx := context.Background()
	s := newFake(t)
	c, _ := newClient(t, s.URL)
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
