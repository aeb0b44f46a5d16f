// Package apiserver serves the real Broadsheet HTTP API to tests of its
// clients (the editor CLI): template.yaml's routes through the local API
// Gateway emulation (internal/local/localapi: routing, the JWT authorizer,
// payload 2.0 events, response mapping), invoking the real Articles,
// Comments and Editor handlers in process over one memory store.
//
// There are no rules here: slugs, validation, ETags, cursors and imports are
// the server's own, so a client test fails when the client and the server
// disagree. It needs no Java. What a test wants to break (a 503, a 429, a
// concurrent edit) it wraps around the API with Options.Wrap.
package apiserver

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"broadsheet/internal/apigw"
	"broadsheet/internal/broadsheet"
	"broadsheet/internal/handlers/articles"
	"broadsheet/internal/handlers/comments"
	"broadsheet/internal/handlers/editor"
	"broadsheet/internal/local"
	"broadsheet/internal/local/localapi"
	"broadsheet/internal/local/localauth"
	"broadsheet/internal/memstore"
)

// EdgeSecret is the EdgeOriginSecret the server runs with: a request that
// carries it in X-Origin-Verify came "through the edge", and its
// CloudFront-Viewer-Address is the reader's address (see ReaderComment).
const EdgeSecret = "apiserver-edge-origin-secret-0123456789"

// defaultParameters are the template parameter values the server runs
// with, over the template's defaults: a fixed signing secret, no
// verification mail (a reader's first comment waits for moderation, as with
// CommentVerification=off on `make local`), and the edge's secret.
var defaultParameters = map[string]string{
	"SigningSecret":       "apiserver-signing-secret-0123456789abcdef",
	"CommentVerification": "off",
	"EdgeOriginSecret":    EdgeSecret,
}

// Options configure New.
type Options struct {
	// Parameters override the template's defaults and the server's own
	// (a fixed SigningSecret, CommentVerification off, EdgeOriginSecret
	// EdgeSecret), as `make local PARAMS=…` does.
	Parameters map[string]string
	// Wrap, when set, stands in front of the API, inside the call log: a
	// test's fault injection (answer 503 once, edit an article before a
	// PUT) without a fake of the API.
	Wrap func(api http.Handler) http.Handler
}

// Call is one request the server received, and its answer.
type Call struct {
	Method  string
	Path    string
	Query   string
	Route   string // the template route key API Gateway matched, e.g. "PUT /admin/articles/{id}"
	IfMatch string
	Body    string
	Status  int
}

func (c Call) String() string {
	s := c.Method + " " + c.Path
	if c.Query != "" {
		s += "?" + c.Query
	}
	return fmt.Sprintf("%s → %d", s, c.Status)
}

// Server is the running API.
type Server struct {
	*httptest.Server
	// Store is what the handlers read and write.
	Store *memstore.Store
	// Token is a valid editor token (scope articles:write) for the
	// template's authorizer.
	Token string

	api   *localapi.Handler
	mu    sync.Mutex
	calls []Call
}

// signer is one RSA key for every server of the test binary: generating
// one costs more than a test.
var signer = sync.OnceValues(localauth.NewEphemeral)

// New starts a server over a fresh memory store; it closes with the test.
func New(t testing.TB, opts Options) *Server {
	t.Helper()
	root, err := local.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	params := map[string]string{}
	for k, v := range defaultParameters {
		params[k] = v
	}
	for k, v := range opts.Parameters {
		params[k] = v
	}
	tpl, err := localapi.LoadTemplate(filepath.Join(root, "template.yaml"), t.TempDir(), "broadsheet", params)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := signer()
	if err != nil {
		t.Fatal(err)
	}
	token, err := sig.Token(localapi.EditorTokenOptions(tpl))
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Store: memstore.New(), Token: token}
	invoker := localapi.NewInProcess(localapi.InProcessConfig{Template: tpl, Factories: s.functions()})
	s.api, err = localapi.NewHandler(localapi.HandlerConfig{
		Template: tpl,
		Invoker:  invoker,
		JWTKeys:  func(string) localauth.KeySet { return sig.Keys() },
		Logger:   slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	var h http.Handler = s.api
	if opts.Wrap != nil {
		h = opts.Wrap(h)
	}
	s.Server = httptest.NewServer(s.logged(h))
	t.Cleanup(s.Close)
	return s
}

// functions are the template's functions the CLI meets, wired by their own
// Configure over the memory store: the rest answer 500, as a function with
// no local factory does on `make local`.
func (s *Server) functions() map[string]localapi.Factory {
	type handler = func(context.Context, apigw.Request) (apigw.Response, error)
	return map[string]localapi.Factory{
		"functions/articles": localapi.Typed(func(_ context.Context, getenv func(string) string) (handler, error) {
			h, err := articles.Configure(getenv)
			if err != nil {
				return nil, err
			}
			h.Store = s.Store
			return h.Router().Handle, nil
		}),
		"functions/comments": localapi.Typed(func(_ context.Context, getenv func(string) string) (handler, error) {
			h, err := comments.Configure(getenv)
			if err != nil {
				return nil, err
			}
			h.Store = s.Store
			return h.Router().Handle, nil
		}),
		"functions/editor": localapi.Typed(func(_ context.Context, getenv func(string) string) (handler, error) {
			h, err := editor.Configure(getenv)
			if err != nil {
				return nil, err
			}
			h.Articles, h.Comments.Store = s.Store, s.Store
			return h.Router().Handle, nil
		}),
	}
}

// statusRecorder keeps the status a handler answered.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// logged records every call, the injected answers included.
func (s *Server) logged(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := &statusRecorder{ResponseWriter: w}
		route := s.Route(r)
		next.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), routeKey{}, route)))
		s.mu.Lock()
		defer s.mu.Unlock()
		s.calls = append(s.calls, Call{
			Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Route: route,
			IfMatch: r.Header.Get("If-Match"), Body: string(body), Status: rec.status,
		})
	})
}

// Route is the template route key API Gateway matches for r, "" if none.
func (s *Server) Route(r *http.Request) string { return s.api.RouteKey(r.Method, r.URL.EscapedPath()) }

type routeKey struct{}

// RouteOf is the route key of a request inside Options.Wrap.
func RouteOf(r *http.Request) string {
	route, _ := r.Context().Value(routeKey{}).(string)
	return route
}

// Refuse returns an Options.Wrap that answers the first n requests to route
// (a template route key) with the server's own error answer for code
// (broadsheet.CodeUnavailable: 503, CodeRateLimited: 429), with Retry-After
// when retryAfter > 0, as a throttled store or the flood limit answers; the
// rest reach next.
func Refuse(route string, n int, code string, retryAfter time.Duration) func(next http.Handler) http.Handler {
	var mu sync.Mutex
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			refuse := RouteOf(r) == route && n > 0
			if refuse {
				n--
			}
			mu.Unlock()
			if !refuse {
				next.ServeHTTP(w, r)
				return
			}
			answer := apigw.Fail(&broadsheet.Error{Code: code, Message: "refused by the test", RetryAfter: retryAfter})
			for k, v := range answer.Headers {
				w.Header().Set(k, v)
			}
			w.WriteHeader(answer.StatusCode)
			_, _ = io.WriteString(w, answer.Body)
		})
	}
}

// Calls returns the requests received so far.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// ResetCalls forgets the requests received so far.
func (s *Server) ResetCalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = nil
}

// Articles returns every stored article, newest created first.
func (s *Server) Articles(t testing.TB) []*broadsheet.Article {
	t.Helper()
	return all(t, func(after map[string]string) (broadsheet.Page[*broadsheet.Article], error) {
		return s.Store.ArticlesByStatus(context.Background(), "", 100, after)
	})
}

// Article returns the article holding slug, failing the test if none does.
func (s *Server) Article(t testing.TB, slug string) *broadsheet.Article {
	t.Helper()
	a, err := s.Store.ArticleBySlug(context.Background(), slug)
	if err != nil {
		t.Fatalf("article %s: %v", slug, err)
	}
	return a
}

// Comments returns every stored comment of every status, oldest first
// within a status.
func (s *Server) Comments(t testing.TB) []*broadsheet.Comment {
	t.Helper()
	var out []*broadsheet.Comment
	for _, st := range []broadsheet.CommentStatus{broadsheet.CommentPending, broadsheet.CommentApproved, broadsheet.CommentRejected, broadsheet.CommentSpam} {
		out = append(out, all(t, func(after map[string]string) (broadsheet.Page[*broadsheet.Comment], error) {
			return s.Store.CommentsByStatus(context.Background(), st, 100, after)
		})...)
	}
	return out
}

func all[T any](t testing.TB, page func(after map[string]string) (broadsheet.Page[T], error)) []T {
	t.Helper()
	var out []T
	var after map[string]string
	for {
		p, err := page(after)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p.Items...)
		if p.Next == nil {
			return out
		}
		after = p.Next
	}
}

// Touch stores article id again as it is, as another editor's save would:
// its version, and so its ETag, moves on. The store's own version check
// applies.
func (s *Server) Touch(t testing.TB, id string) {
	t.Helper()
	ctx := context.Background()
	old, err := s.Store.ArticleByID(ctx, id)
	if err != nil {
		t.Fatalf("touch %s: %v", id, err)
	}
	a := *old
	a.Version, a.UpdatedAt = old.Version+1, time.Now().UTC()
	if err := s.Store.ReplaceArticle(ctx, &a, old); err != nil {
		t.Fatalf("touch %s: %v", id, err)
	}
}

// Reader is someone commenting on the public page, from their own address.
type Reader struct {
	Name, Email, Body string
	Address           string // the reader's IP address; default 198.51.100.7
}

// ReaderComment posts r's comment to POST /articles/{slug}/comments as the
// reader page does, through the edge (so each reader's address is their
// own for the flood limit), and returns the comment's id and status.
func (s *Server) ReaderComment(t testing.TB, slug string, r Reader) (id, status string) {
	t.Helper()
	if r.Address == "" {
		r.Address = "198.51.100.7"
	}
	body, _ := json.Marshal(map[string]string{"name": r.Name, "email": r.Email, "body": r.Body})
	req, err := http.NewRequest(http.MethodPost, s.URL+"/articles/"+slug+"/comments", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(apigw.OriginVerifyHeader, EdgeSecret)
	req.Header.Set(apigw.ViewerAddressHeader, r.Address+":46532")
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var out struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	if resp.StatusCode/100 != 2 || json.Unmarshal(data, &out) != nil || out.ID == "" {
		t.Fatalf("reader comment on %s: %d %s", slug, resp.StatusCode, strings.TrimSpace(string(data)))
	}
	return out.ID, out.Status
}
