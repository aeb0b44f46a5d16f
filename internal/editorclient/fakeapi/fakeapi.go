// Package fakeapi is an in-memory fake of Broadsheet's editor API (the
// /admin routes of API.md plus the extensions the editor tools rely on:
// GET /admin/articles?slug=, POST /admin/comments with externalId
// idempotence, GET /admin/comments?articleId=), for tests of clients. Its
// behaviour follows internal/handlers/editor where the contract is silent.
//
// It is faithful where clients can trip: bearer auth (401), JSON content
// type (415) and syntax (400), validation (400 validation_failed with
// fields), ETags with If-Match (428 when missing, 412 when stale), 409
// slug_taken, 409 duplicate_comment, opaque tamper-evident cursors, limit
// range checks. Knobs inject 429 with Retry-After and 503 answers, and
// concurrent edits.
package fakeapi

import (
	"broadsheet/internal/broadsheet"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Call is one request the fake received.
type Call struct {
	Method   string
	Path     string
	Query    string
	Route    string // the matched pattern, e.g. "PUT /admin/articles/{id}"
	IfMatch  string
	Body     string
	Status   int
	Response string
}

func (c Call) String() string {
	s := c.Method + " " + c.Path
	if c.Query != "" {
		s += "?" + c.Query
	}
	return fmt.Sprintf("%s → %d", s, c.Status)
}

// Article is an article as stored.
type Article struct {
	ID           string
	Slug         string
	Title        string
	Body         string
	Summary      string
	AuthorName   string
	AuthorBio    string
	Tags         []string
	Status       string
	PublishedAt  string
	CreatedAt    string
	UpdatedAt    string
	Version      int
	CommentsOpen *bool
	Image        *broadsheet.Image
}

// Comment is a comment as stored.
type Comment struct {
	ID, ArticleID, ParentID       string
	Name, Email, Website, Body    string
	CreatedAt, Status, ExternalID string
}

// Server is the fake. Set the knobs before use; they are read under the
// server's lock.
type Server struct {
	*httptest.Server
	Token string

	// RateLimitOnce makes the first request to each listed route (e.g.
	// "POST /admin/comments") answer 429 rate_limited with Retry-After: 1.
	RateLimitOnce map[string]bool
	// Unavailable makes the next N requests to a route answer 503.
	Unavailable map[string]int
	// ExternalIDAnswer is how a POST /admin/comments with an already
	// imported externalId is answered: 409 (duplicate_comment, the default)
	// or 200 (the existing comment).
	ExternalIDAnswer int
	// HideExternalIDs leaves externalId out of GET /admin/comments items, so
	// that importers must rely on POST /admin/comments answering 409/200.
	HideExternalIDs bool
	// RequireIfMatchOnDelete makes DELETE /admin/articles/{id} need If-Match.
	RequireIfMatchOnDelete bool
	// OnRequest is called before each request is handled, without the lock
	// held, so it may call the server's methods (e.g. Touch to simulate a
	// concurrent edit).
	OnRequest func(method, path string)

	mu        sync.Mutex
	mux       *http.ServeMux
	seq       int
	articles  []*Article // creation order
	comments  []*Comment // creation order
	calls     []Call
	limited   map[string]bool
	idem      map[string]idemAnswer
	now       func() time.Time
	cursorKey []byte
}

type idemAnswer struct {
	status int
	body   []byte
	header http.Header
}

// New starts a fake that accepts token.
func New(token string) *Server {
	s := &Server{
		Token:            token,
		ExternalIDAnswer: http.StatusConflict,
		limited:          map[string]bool{},
		idem:             map[string]idemAnswer{},
		cursorKey:        []byte("fakeapi-cursor-key"),
	}
	base := time.Date(2026, 11, 27, 14, 0, 0, 0, time.UTC)
	tick := 0
	s.now = func() time.Time { tick++; return base.Add(time.Duration(tick) * time.Second) }
	m := http.NewServeMux()
	m.HandleFunc("POST /admin/articles", s.createArticle)
	m.HandleFunc("GET /admin/articles", s.listArticles)
	m.HandleFunc("GET /admin/articles/{id}", s.getArticle)
	m.HandleFunc("PUT /admin/articles/{id}", s.putArticle)
	m.HandleFunc("DELETE /admin/articles/{id}", s.deleteArticle)
	m.HandleFunc("GET /admin/comments", s.listComments)
	m.HandleFunc("POST /admin/comments", s.createComment)
	m.HandleFunc("PATCH /admin/comments/{id}", s.patchComment)
	m.HandleFunc("DELETE /admin/comments/{id}", s.deleteComment)
	s.mux = m
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

type recorder struct {
	http.ResponseWriter
	status int
	buf    strings.Builder
}

func (r *recorder) WriteHeader(code int) { r.status = code; r.ResponseWriter.WriteHeader(code) }
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = 200
	}
	r.buf.Write(b)
	return r.ResponseWriter.Write(b)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if s.OnRequest != nil {
		s.OnRequest(r.Method, r.URL.Path)
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	r.Body = io.NopCloser(strings.NewReader(string(body)))
	_, pattern := s.mux.Handler(r)
	rec := &recorder{ResponseWriter: w}

	s.mu.Lock()
	defer s.mu.Unlock()
	defer func() {
		s.calls = append(s.calls, Call{
			Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Route: pattern,
			IfMatch: r.Header.Get("If-Match"), Body: string(body), Status: rec.status, Response: rec.buf.String(),
		})
	}()

	if r.Header.Get("Authorization") != "Bearer "+s.Token {
		writeErr(rec, 401, "unauthorized", "a valid bearer token is required", nil)
		return
	}
	if pattern == "" {
		writeErr(rec, 404, "not_found", "no such route", nil)
		return
	}
	if s.RateLimitOnce[pattern] && !s.limited[pattern] {
		s.limited[pattern] = true
		rec.Header().Set("Retry-After", "1")
		writeErr(rec, 429, "rate_limited", "too many requests", nil)
		return
	}
	if s.Unavailable[pattern] > 0 {
		s.Unavailable[pattern]--
		writeErr(rec, 503, "unavailable", "try again", nil)
		return
	}
	if len(body) > 0 || r.Method == http.MethodPost || r.Method == http.MethodPut || r.Method == http.MethodPatch {
		mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if mt != "application/json" {
			writeErr(rec, 415, "unsupported_media_type", "send JSON", nil)
			return
		}
		if !json.Valid(body) {
			writeErr(rec, 400, "invalid_json", "the body is not valid JSON", nil)
			return
		}
	}
	key := r.Header.Get("Idempotency-Key")
	if key != "" && r.Method == http.MethodPost {
		if a, ok := s.idem[pattern+" "+key]; ok {
			for k, v := range a.header {
				rec.Header()[k] = v
			}
			rec.WriteHeader(a.status)
			rec.Write(a.body)
			return
		}
	}
	s.mux.ServeHTTP(rec, r)
	if key != "" && r.Method == http.MethodPost && rec.status < 500 && rec.status != 429 {
		s.idem[pattern+" "+key] = idemAnswer{status: rec.status, body: []byte(rec.buf.String()), header: rec.Header().Clone()}
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeErr(w http.ResponseWriter, status int, code, msg string, fields map[string]string) {
	e := map[string]any{"code": code, "message": msg}
	if len(fields) > 0 {
		e["fields"] = fields
	}
	writeJSON(w, status, map[string]any{"error": e})
}

func (s *Server) nextID(prefix string) string {
	s.seq++
	return fmt.Sprintf("%s%04d", prefix, s.seq)
}

func etag(a *Article) string { return fmt.Sprintf(`"%s.v%d"`, a.ID, a.Version) }

func (s *Server) findArticle(id string) *Article {
	for _, a := range s.articles {
		if a.ID == id {
			return a
		}
	}
	return nil
}

func (s *Server) articleJSON(a *Article, withBody bool) map[string]any {
	count := 0
	for _, c := range s.comments {
		if c.ArticleID == a.ID && c.Status == "approved" {
			count++
		}
	}
	author := map[string]any{"name": a.AuthorName}
	if a.AuthorBio != "" {
		author["bio"] = a.AuthorBio
	}
	tags := a.Tags
	if tags == nil {
		tags = []string{}
	}
	m := map[string]any{
		"id": a.ID, "slug": a.Slug, "title": a.Title, "summary": a.Summary,
		"author": author, "tags": tags, "status": a.Status, "version": a.Version,
		"updatedAt": a.UpdatedAt, "commentCount": count,
	}
	if a.PublishedAt != "" {
		m["publishedAt"] = a.PublishedAt
	}
	if a.CommentsOpen != nil {
		m["commentsOpen"] = *a.CommentsOpen
	}
	if a.Image != nil {
		m["image"] = a.Image // the JSON the server writes: url, alt, credit/width/height when set
	}
	if withBody {
		m["body"] = a.Body
		m["bodyHtml"] = "<p>" + html.EscapeString(a.Body) + "</p>"
	}
	return m
}

type articleIn struct {
	Title   string `json:"title"`
	Body    string `json:"body"`
	Summary string `json:"summary"`
	Author  *struct {
		Name string `json:"name"`
		Bio  string `json:"bio"`
	} `json:"author"`
	Tags         []string               `json:"tags"`
	Slug         string                 `json:"slug"`
	Status       string                 `json:"status"`
	PublishedAt  string                 `json:"publishedAt"`
	CommentsOpen *bool                  `json:"commentsOpen"`
	Image        *broadsheet.ImageInput `json:"image"`
}

func (s *Server) validateArticle(w http.ResponseWriter, r *http.Request) (*articleIn, bool) {
	var in articleIn
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeErr(w, 400, "invalid_json", "the body does not have the article's shape", nil)
		return nil, false
	}
	fields := map[string]string{}
	if strings.TrimSpace(in.Title) == "" {
		fields["title"] = "required"
	}
	if strings.TrimSpace(in.Body) == "" {
		fields["body"] = "required"
	}
	if in.Author == nil || strings.TrimSpace(in.Author.Name) == "" {
		fields["author.name"] = "required"
	}
	if in.Slug != "" && !broadsheet.ValidSlug(in.Slug) { // the server's own rule
		fields["slug"] = "invalid"
	}
	if in.Status == "" {
		in.Status = "draft"
	}
	if in.Status != "draft" && in.Status != "published" {
		fields["status"] = "must be draft or published"
	}
	if in.PublishedAt != "" {
		t, err := time.Parse(time.RFC3339, in.PublishedAt)
		if err != nil {
			fields["publishedAt"] = "must be RFC 3339"
		} else {
			in.PublishedAt = t.UTC().Format(time.RFC3339)
		}
	}
	if len(fields) > 0 {
		keys := make([]string, 0, len(fields))
		for k := range fields {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		writeErr(w, 400, "validation_failed", keys[0]+" is "+fields[keys[0]], fields)
		return nil, false
	}
	if in.Slug == "" {
		in.Slug = broadsheet.Slugify(in.Title)
	}
	return &in, true
}

func (s *Server) slugOwner(slug string) *Article {
	for _, a := range s.articles {
		if a.Slug == slug {
			return a
		}
	}
	return nil
}

func (s *Server) apply(a *Article, in *articleIn) {
	now := s.now().Format(time.RFC3339)
	a.Title, a.Body, a.Summary, a.Slug, a.Status = in.Title, in.Body, in.Summary, in.Slug, in.Status
	a.AuthorName, a.AuthorBio = in.Author.Name, in.Author.Bio
	a.Tags = slices.Clone(in.Tags)
	a.PublishedAt = in.PublishedAt
	if a.Status == "published" && a.PublishedAt == "" {
		a.PublishedAt = now
	}
	if in.CommentsOpen != nil {
		v := *in.CommentsOpen
		a.CommentsOpen = &v
	}
	a.Image = (&broadsheet.ArticleInput{Image: in.Image}).LeadImage() // PUT replaces: none sent, none kept
	a.UpdatedAt = now
	a.Version++
}

func (s *Server) createArticle(w http.ResponseWriter, r *http.Request) {
	in, ok := s.validateArticle(w, r)
	if !ok {
		return
	}
	if s.slugOwner(in.Slug) != nil {
		writeErr(w, 409, "slug_taken", "the slug "+in.Slug+" is taken", map[string]string{"slug": "taken"})
		return
	}
	a := &Article{ID: s.nextID("art")}
	a.CreatedAt = s.now().Format(time.RFC3339)
	s.apply(a, in)
	s.articles = append(s.articles, a)
	w.Header().Set("ETag", etag(a))
	writeJSON(w, 201, s.articleJSON(a, true))
}

func (s *Server) getArticle(w http.ResponseWriter, r *http.Request) {
	a := s.findArticle(r.PathValue("id"))
	if a == nil {
		writeErr(w, 404, "not_found", "no such article", nil)
		return
	}
	w.Header().Set("ETag", etag(a))
	writeJSON(w, 200, s.articleJSON(a, true))
}

func (s *Server) putArticle(w http.ResponseWriter, r *http.Request) {
	a := s.findArticle(r.PathValue("id"))
	if a == nil {
		writeErr(w, 404, "not_found", "no such article", nil)
		return
	}
	im := r.Header.Get("If-Match")
	if im == "" {
		writeErr(w, 428, "precondition_required", "send If-Match with the article's ETag", nil)
		return
	}
	if im != etag(a) {
		writeErr(w, 412, "precondition_failed", "the article has changed", nil)
		return
	}
	in, ok := s.validateArticle(w, r)
	if !ok {
		return
	}
	if o := s.slugOwner(in.Slug); o != nil && o != a {
		writeErr(w, 409, "slug_taken", "the slug "+in.Slug+" is taken", map[string]string{"slug": "taken"})
		return
	}
	s.apply(a, in)
	w.Header().Set("ETag", etag(a))
	writeJSON(w, 200, s.articleJSON(a, true))
}

func (s *Server) deleteArticle(w http.ResponseWriter, r *http.Request) {
	a := s.findArticle(r.PathValue("id"))
	if a == nil {
		writeErr(w, 404, "not_found", "no such article", nil)
		return
	}
	im := r.Header.Get("If-Match")
	if im == "" && s.RequireIfMatchOnDelete {
		writeErr(w, 428, "precondition_required", "send If-Match with the article's ETag", nil)
		return
	}
	if im != "" && im != etag(a) {
		writeErr(w, 412, "precondition_failed", "the article has changed", nil)
		return
	}
	s.articles = slices.DeleteFunc(s.articles, func(x *Article) bool { return x == a })
	s.comments = slices.DeleteFunc(s.comments, func(c *Comment) bool { return c.ArticleID == a.ID })
	w.WriteHeader(204)
}

func (s *Server) cursor(kind string, off int) string {
	msg := kind + ":" + strconv.Itoa(off)
	m := hmac.New(sha256.New, s.cursorKey)
	m.Write([]byte(msg))
	return base64.RawURLEncoding.EncodeToString([]byte(msg + ":" + base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:8])))
}

func (s *Server) parseCursor(kind, c string) (int, bool) {
	if c == "" {
		return 0, true
	}
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, false
	}
	parts := strings.Split(string(raw), ":")
	if len(parts) != 3 || parts[0] != kind {
		return 0, false
	}
	off, err := strconv.Atoi(parts[1])
	if err != nil || off < 0 || s.cursor(kind, off) != c {
		return 0, false
	}
	return off, true
}

func pageParams(w http.ResponseWriter, r *http.Request, def int) (int, bool) {
	limit := def
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 50 {
			writeErr(w, 400, "validation_failed", "limit must be 1–50", map[string]string{"limit": "out of range"})
			return 0, false
		}
		limit = n
	}
	return limit, true
}

func page[T any](s *Server, w http.ResponseWriter, r *http.Request, kind string, all []T, render func(T) any) {
	limit, ok := pageParams(w, r, 20)
	if !ok {
		return
	}
	off, ok := s.parseCursor(kind, r.URL.Query().Get("cursor"))
	if !ok {
		writeErr(w, 400, "invalid_cursor", "the cursor is not valid", nil)
		return
	}
	items := []any{}
	for i := off; i < len(all) && len(items) < limit; i++ {
		items = append(items, render(all[i]))
	}
	var next any
	if off+limit < len(all) {
		next = s.cursor(kind, off+limit)
	}
	writeJSON(w, 200, map[string]any{"items": items, "nextCursor": next})
}

func (s *Server) listArticles(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var sel []*Article
	for i := len(s.articles) - 1; i >= 0; i-- { // newest first
		a := s.articles[i]
		if st := q.Get("status"); st != "" && a.Status != st {
			continue
		}
		if sl := q.Get("slug"); sl != "" && a.Slug != sl {
			continue
		}
		sel = append(sel, a)
	}
	page(s, w, r, "articles", sel, func(a *Article) any { return s.articleJSON(a, false) })
}

func (s *Server) commentJSON(c *Comment) map[string]any {
	m := map[string]any{
		"id": c.ID, "articleId": c.ArticleID, "name": c.Name, "email": c.Email,
		"body": c.Body, "createdAt": c.CreatedAt, "status": c.Status,
	}
	if a := s.findArticle(c.ArticleID); a != nil {
		m["articleSlug"] = a.Slug
	}
	if c.ParentID != "" {
		m["parentId"] = c.ParentID
	}
	if c.Website != "" {
		m["website"] = c.Website
	}
	if c.ExternalID != "" && !s.HideExternalIDs {
		m["externalId"] = c.ExternalID
	}
	return m
}

// listComments mirrors the server: without articleId it is the moderation
// queue of one status (default pending); with articleId it lists that
// article's approved comments (status must then be approved or absent).
func (s *Server) listComments(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	st := q.Get("status")
	articleID, byArticle := q["articleId"]
	if st != "" && !slices.Contains([]string{"pending", "approved", "spam", "rejected"}, st) {
		writeErr(w, 400, "validation_failed", "status must be pending, approved, spam or rejected", map[string]string{"status": "invalid"})
		return
	}
	if byArticle && st != "" && st != "approved" {
		writeErr(w, 400, "validation_failed", "status must be approved (or absent) with articleId", map[string]string{"status": "invalid"})
		return
	}
	if st == "" {
		st = "pending"
		if byArticle {
			st = "approved"
		}
	}
	var sel []*Comment
	for _, c := range s.comments {
		if c.Status != st {
			continue
		}
		if byArticle && c.ArticleID != articleID[0] {
			continue
		}
		sel = append(sel, c)
	}
	page(s, w, r, "comments", sel, func(c *Comment) any { return s.commentJSON(c) })
}

var emailRe = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)

func (s *Server) createComment(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ArticleID, Name, Email, Website, Body, CreatedAt, Status, ParentID, ExternalID string
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeErr(w, 400, "invalid_json", "the body does not have the comment's shape", nil)
		return
	}
	a := s.findArticle(in.ArticleID)
	if a == nil {
		writeErr(w, 404, "not_found", "no such article", nil)
		return
	}
	if in.ExternalID != "" {
		for _, c := range s.comments {
			if c.ArticleID == a.ID && c.ExternalID == in.ExternalID {
				if s.ExternalIDAnswer == http.StatusOK {
					writeJSON(w, 200, s.commentJSON(c))
				} else {
					writeErr(w, 409, "duplicate_comment", "this comment was already imported", nil)
				}
				return
			}
		}
	}
	fields := map[string]string{}
	if strings.TrimSpace(in.Name) == "" {
		fields["name"] = "required"
	}
	if strings.TrimSpace(in.Body) == "" {
		fields["body"] = "required"
	}
	if in.Email != "" && !emailRe.MatchString(in.Email) {
		fields["email"] = "invalid"
	}
	if in.Status == "" {
		in.Status = "pending"
	}
	if !slices.Contains([]string{"pending", "approved", "spam", "rejected"}, in.Status) {
		fields["status"] = "invalid"
	}
	if in.ParentID != "" {
		ok := false
		for _, c := range s.comments {
			if c.ID == in.ParentID && c.ArticleID == a.ID {
				ok = true
			}
		}
		if !ok {
			fields["parentId"] = "unknown"
		}
	}
	if in.CreatedAt == "" {
		in.CreatedAt = s.now().Format(time.RFC3339)
	} else if _, err := time.Parse(time.RFC3339, in.CreatedAt); err != nil {
		fields["createdAt"] = "must be RFC 3339"
	}
	if len(fields) > 0 {
		writeErr(w, 400, "validation_failed", "the comment is not valid", fields)
		return
	}
	for _, c := range s.comments {
		if c.ArticleID == a.ID && c.Email == in.Email && c.Body == in.Body {
			writeErr(w, 409, "duplicate_comment", "the same comment already exists", nil)
			return
		}
	}
	c := &Comment{
		ID: s.nextID("cmt"), ArticleID: a.ID, ParentID: in.ParentID, Name: in.Name, Email: in.Email,
		Website: in.Website, Body: in.Body, CreatedAt: in.CreatedAt, Status: in.Status, ExternalID: in.ExternalID,
	}
	s.comments = append(s.comments, c)
	writeJSON(w, 201, s.commentJSON(c))
}

func (s *Server) findComment(id string) *Comment {
	for _, c := range s.comments {
		if c.ID == id {
			return c
		}
	}
	return nil
}

func (s *Server) patchComment(w http.ResponseWriter, r *http.Request) {
	c := s.findComment(r.PathValue("id"))
	if c == nil {
		writeErr(w, 404, "not_found", "no such comment", nil)
		return
	}
	var in struct{ Status string }
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeErr(w, 400, "invalid_json", "bad body", nil)
		return
	}
	if !slices.Contains([]string{"approved", "rejected", "spam"}, in.Status) {
		writeErr(w, 400, "validation_failed", "status must be approved, rejected or spam", map[string]string{"status": "invalid"})
		return
	}
	c.Status = in.Status
	writeJSON(w, 200, s.commentJSON(c))
}

func (s *Server) deleteComment(w http.ResponseWriter, r *http.Request) {
	c := s.findComment(r.PathValue("id"))
	if c == nil {
		writeErr(w, 404, "not_found", "no such comment", nil)
		return
	}
	s.comments = slices.DeleteFunc(s.comments, func(x *Comment) bool { return x == c })
	w.WriteHeader(204)
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

// Articles returns copies of the stored articles in creation order.
func (s *Server) Articles() []Article {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Article, len(s.articles))
	for i, a := range s.articles {
		out[i] = *a
	}
	return out
}

// ArticleBySlug returns a copy of the article with slug.
func (s *Server) ArticleBySlug(slug string) (Article, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a := s.slugOwner(slug); a != nil {
		return *a, true
	}
	return Article{}, false
}

// Comments returns copies of the stored comments in creation order.
func (s *Server) Comments() []Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Comment, len(s.comments))
	for i, c := range s.comments {
		out[i] = *c
	}
	return out
}

// Touch simulates someone else editing the article: its version (and so its
// ETag) changes.
func (s *Server) Touch(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a := s.findArticle(id); a != nil {
		a.Version++
	}
}

// AddComment stores a comment directly (e.g. a pending one from a reader).
func (s *Server) AddComment(c Comment) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.ID = s.nextID("cmt")
	if c.CreatedAt == "" {
		c.CreatedAt = s.now().Format(time.RFC3339)
	}
	s.comments = append(s.comments, &c)
	return c.ID
}
