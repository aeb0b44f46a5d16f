package editor_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"broadsheet/internal/apigw"
	"broadsheet/internal/broadsheet"
	"broadsheet/internal/cursor"
	"broadsheet/internal/handlers/editor"
	"broadsheet/internal/memstore"
	"broadsheet/internal/testkit/contract"
	"broadsheet/internal/testkit/dynamotest"
	"broadsheet/internal/testkit/eventtest"
)

type env struct {
	t     *testing.T
	store *memstore.Store
	rt    apigw.Router
	h     *editor.Handler
	id    *broadsheet.Identity
	now   time.Time
}

func newEnv(t *testing.T) *env {
	store := memstore.New()
	cur, err := cursor.New([]byte(dynamotest.Secret))
	if err != nil {
		t.Fatal(err)
	}
	id, err := broadsheet.NewIdentity([]byte(dynamotest.Secret))
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, store: store, id: id, now: time.Date(2026, 11, 27, 14, 0, 0, 0, time.UTC)}
	h := &editor.Handler{
		Articles: store, Comments: editor.Comments{Store: store, Identity: id},
		Cursors: cur, Now: func() time.Time { return e.now }, NewID: broadsheet.NewID,
	}
	e.rt, e.h = h.Router(), h
	return e
}

func (e *env) article() *broadsheet.Article {
	e.t.Helper()
	a := &broadsheet.Article{
		ID: broadsheet.NewID(), Slug: fmt.Sprintf("a-%d", time.Now().UnixNano()), Title: "T", Body: "B", BodyHTML: "<p>B</p>",
		Author: broadsheet.Author{Name: "Staff"}, Status: broadsheet.StatusPublished, PublishedAt: e.now.Add(-time.Hour),
		CreatedAt: e.now, UpdatedAt: e.now, Version: 1, CommentsOpen: true,
	}
	if err := e.store.CreateArticle(context.Background(), a); err != nil {
		e.t.Fatal(err)
	}
	return a
}

type reply struct {
	status int
	hdr    map[string]string
	body   map[string]any
	raw    string
}

func (r reply) code() string {
	e, _ := r.body["error"].(map[string]any)
	c, _ := e["code"].(string)
	return c
}

func (r reply) field(name string) string {
	e, _ := r.body["error"].(map[string]any)
	f, _ := e["fields"].(map[string]any)
	s, _ := f[name].(string)
	return s
}

func (e *env) do(s eventtest.Spec) reply {
	e.t.Helper()
	ev := s.Event(e.t)
	resp, err := e.rt.Handle(context.Background(), ev)
	if err != nil {
		e.t.Fatal(err)
	}
	contract.ValidateEventResponse(e.t, ev, resp) // every answer agrees with openapi.yaml
	r := reply{status: resp.StatusCode, hdr: resp.Headers, raw: resp.Body}
	if resp.Body != "" {
		if err := json.Unmarshal([]byte(resp.Body), &r.body); err != nil {
			e.t.Fatalf("not JSON: %q", resp.Body)
		}
	}
	return r
}

func (e *env) importing(in map[string]any) reply {
	e.t.Helper()
	return e.do(eventtest.Spec{Route: "POST /admin/comments", Editor: true,
		Headers: map[string]string{"Content-Type": "application/json"}, Body: eventtest.JSONBody(in)})
}

func (e *env) count(a *broadsheet.Article) int64 {
	e.t.Helper()
	got, err := e.store.ArticleByID(context.Background(), a.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return got.CommentCount
}

// TestCommentRoutesNeedAnEditor: no verified claims → 401; claims without
// the scope or group → 403, on every comment route.
func TestCommentRoutesNeedAnEditor(t *testing.T) {
	e := newEnv(t)
	routes := []eventtest.Spec{
		{Route: "GET /admin/comments"},
		{Route: "POST /admin/comments", Body: "{}", Headers: map[string]string{"content-type": "application/json"}},
		{Route: "PATCH /admin/comments/{id}", Params: map[string]string{"id": broadsheet.NewID()}, Body: `{"status":"approved"}`, Headers: map[string]string{"content-type": "application/json"}},
		{Route: "DELETE /admin/comments/{id}", Params: map[string]string{"id": broadsheet.NewID()}},
	}
	for _, s := range routes {
		if r := e.do(s); r.status != 401 || r.code() != "unauthorized" {
			t.Errorf("%s without token: %d %s", s.Route, r.status, r.raw)
		}
		s.Claims = map[string]string{"sub": "reader", "scope": "profile"}
		if r := e.do(s); r.status != 403 || r.code() != "forbidden" {
			t.Errorf("%s without scope: %d %s", s.Route, r.status, r.raw)
		}
	}
}

// TestModerationRouteAnswers covers the 4xx answers of the moderation routes.
func TestModerationRouteAnswers(t *testing.T) {
	e := newEnv(t)
	a := e.article()
	c := e.importing(map[string]any{"articleId": a.ID, "name": "N", "email": "n@example.com", "body": "b", "status": "pending"})
	if c.status != 201 {
		t.Fatalf("import: %d %s", c.status, c.raw)
	}
	id := c.body["id"].(string)
	json := map[string]string{"content-type": "application/json"}
	tests := []struct {
		name   string
		spec   eventtest.Spec
		status int
		code   string
		field  string
	}{
		{"list with a bad status", eventtest.Spec{Route: "GET /admin/comments", Query: map[string]string{"status": "hidden"}}, 400, "validation_failed", "status"},
		{"list with a bad article id", eventtest.Spec{Route: "GET /admin/comments", Query: map[string]string{"articleId": "x"}}, 400, "validation_failed", "articleId"},
		{"articleId lists approved only", eventtest.Spec{Route: "GET /admin/comments", Query: map[string]string{"articleId": a.ID, "status": "pending"}}, 400, "validation_failed", "status"},
		{"list limit out of range", eventtest.Spec{Route: "GET /admin/comments", Query: map[string]string{"limit": "500"}}, 400, "validation_failed", "limit"},
		{"forged cursor", eventtest.Spec{Route: "GET /admin/comments", Query: map[string]string{"cursor": "bm9wZQ"}}, 400, "invalid_cursor", ""},
		{"patch without status", eventtest.Spec{Route: "PATCH /admin/comments/{id}", Params: map[string]string{"id": id}, Headers: json, Body: `{}`}, 400, "validation_failed", "status"},
		{"patch to an empty status", eventtest.Spec{Route: "PATCH /admin/comments/{id}", Params: map[string]string{"id": id}, Headers: json, Body: `{"status":""}`}, 400, "validation_failed", "status"},
		{"patch to pending", eventtest.Spec{Route: "PATCH /admin/comments/{id}", Params: map[string]string{"id": id}, Headers: json, Body: `{"status":"pending"}`}, 400, "validation_failed", "status"},
		{"patch as text", eventtest.Spec{Route: "PATCH /admin/comments/{id}", Params: map[string]string{"id": id}, Headers: map[string]string{"content-type": "text/plain"}, Body: `approved`}, 415, "unsupported_media_type", ""},
		{"patch an unknown comment", eventtest.Spec{Route: "PATCH /admin/comments/{id}", Params: map[string]string{"id": broadsheet.NewID()}, Headers: json, Body: `{"status":"approved"}`}, 404, "not_found", ""},
		{"patch a malformed id", eventtest.Spec{Route: "PATCH /admin/comments/{id}", Params: map[string]string{"id": "../x"}, Headers: json, Body: `{"status":"approved"}`}, 404, "not_found", ""},
		{"delete an unknown comment", eventtest.Spec{Route: "DELETE /admin/comments/{id}", Params: map[string]string{"id": broadsheet.NewID()}}, 404, "not_found", ""},
		{"patch approves", eventtest.Spec{Route: "PATCH /admin/comments/{id}", Params: map[string]string{"id": id}, Headers: json, Body: `{"status":"approved"}`}, 200, "", ""},
		{"delete", eventtest.Spec{Route: "DELETE /admin/comments/{id}", Params: map[string]string{"id": id}}, 204, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.t = t
			tt.spec.Editor = true
			r := e.do(tt.spec)
			if r.status != tt.status || r.code() != tt.code || (tt.field != "" && r.field(tt.field) == "") {
				t.Fatalf("got %d %s; want %d %s (field %s)", r.status, r.raw, tt.status, tt.code, tt.field)
			}
		})
	}
	e.t = t
	if e.count(a) != 0 {
		t.Fatalf("approved then deleted: count %d, want 0", e.count(a))
	}
}

// TestModerationQueue: oldest first, paginated, scoped cursors, email shown
// to editors.
func TestModerationQueue(t *testing.T) {
	e := newEnv(t)
	a := e.article()
	for i := range 3 {
		r := e.importing(map[string]any{"articleId": a.ID, "name": "N", "email": fmt.Sprintf("q%d@example.com", i), "body": fmt.Sprintf("b%d", i),
			"status": "pending", "createdAt": e.now.Add(time.Duration(i) * time.Minute).Format(time.RFC3339)})
		if r.status != 201 {
			t.Fatalf("import: %d %s", r.status, r.raw)
		}
	}
	r := e.do(eventtest.Spec{Route: "GET /admin/comments", Editor: true, Query: map[string]string{"limit": "2"}})
	items := r.body["items"].([]any)
	if r.status != 200 || len(items) != 2 || items[0].(map[string]any)["email"] != "q0@example.com" || items[0].(map[string]any)["articleSlug"] != a.Slug {
		t.Fatalf("queue: %d %s", r.status, r.raw)
	}
	next := r.body["nextCursor"].(string)
	r = e.do(eventtest.Spec{Route: "GET /admin/comments", Editor: true, Query: map[string]string{"limit": "2", "cursor": next}})
	if items := r.body["items"].([]any); len(items) != 1 || items[0].(map[string]any)["body"] != "b2" {
		t.Fatalf("page 2: %s", r.raw)
	}
	r = e.do(eventtest.Spec{Route: "GET /admin/comments", Editor: true, Query: map[string]string{"status": "spam", "cursor": next}})
	if r.code() != "invalid_cursor" {
		t.Fatalf("a pending-queue cursor on the spam queue: %d %s", r.status, r.raw)
	}
}

// TestImportComment: 201 then 200 for the same externalId (also when ten
// imports race), counted once when approved, listed by articleId with its
// externalId, no flood limit, and a deleted import is not brought back.
func TestImportComment(t *testing.T) {
	e := newEnv(t)
	a := e.article()
	in := map[string]any{"articleId": a.ID, "name": "Old Reader", "email": "old@example.com", "website": "https://old.example",
		"body": "From the old site", "createdAt": "2019-05-01T10:00:00Z", "status": "approved", "externalId": "wp-42"}

	replies := make([]reply, 10)
	var wg sync.WaitGroup
	for i := range replies {
		wg.Go(func() { replies[i] = e.importing(in) })
	}
	wg.Wait()
	codes := map[int]int{}
	for _, r := range replies {
		codes[r.status]++
		if r.body["id"] != replies[0].body["id"] || r.body["externalId"] != "wp-42" || r.body["createdAt"] != "2019-05-01T10:00:00Z" {
			t.Fatalf("racing imports disagree: %s vs %s", r.raw, replies[0].raw)
		}
	}
	if codes[201] != 1 || codes[200] != 9 || e.count(a) != 1 {
		t.Fatalf("want one 201 and nine 200 and count 1: %v, count %d", codes, e.count(a))
	}

	// Many imports in a row: no flood limit; a reply names its parent.
	parent := replies[0].body["id"].(string)
	for i := range 3 {
		r := e.importing(map[string]any{"articleId": a.ID, "name": "R", "email": "old@example.com", "body": fmt.Sprintf("reply %d", i),
			"status": "approved", "parentId": parent, "externalId": fmt.Sprintf("wp-%d", 100+i)})
		if r.status != 201 || r.body["parentId"] != parent {
			t.Fatalf("reply import %d: %d %s", i, r.status, r.raw)
		}
	}
	if r := e.importing(map[string]any{"articleId": a.ID, "name": "P", "body": "no email kept", "status": "pending", "externalId": "wp-7"}); r.status != 201 || r.body["status"] != "pending" {
		t.Fatalf("pending import without email: %d %s", r.status, r.raw)
	}
	if e.count(a) != 4 {
		t.Fatalf("count %d, want 4 (pending imports are not counted)", e.count(a))
	}
	r := e.do(eventtest.Spec{Route: "GET /admin/comments", Editor: true, Query: map[string]string{"articleId": a.ID}})
	if items := r.body["items"].([]any); len(items) != 4 || items[0].(map[string]any)["externalId"] != "wp-42" {
		t.Fatalf("by article: %s", r.raw)
	}

	if d := e.do(eventtest.Spec{Route: "DELETE /admin/comments/{id}", Editor: true, Params: map[string]string{"id": parent}}); d.status != 204 {
		t.Fatalf("delete: %d", d.status)
	}
	if r := e.importing(in); r.status != 409 || r.code() != "duplicate_comment" {
		t.Fatalf("re-import after delete: %d %s", r.status, r.raw)
	}

	invalid := []struct {
		name, field string
		edit        func(m map[string]any)
		status      int
	}{
		{"unknown article", "", func(m map[string]any) { m["articleId"] = broadsheet.NewID() }, 404},
		{"missing article", "articleId", func(m map[string]any) { delete(m, "articleId") }, 400},
		{"missing name", "name", func(m map[string]any) { delete(m, "name") }, 400},
		{"bad email", "email", func(m map[string]any) { m["email"] = "nope" }, 400},
		{"bad createdAt", "createdAt", func(m map[string]any) { m["createdAt"] = "yesterday" }, 400},
		{"future createdAt", "createdAt", func(m map[string]any) { m["createdAt"] = "2099-01-01T00:00:00Z" }, 400},
		{"status spam", "status", func(m map[string]any) { m["status"] = "spam" }, 400},
		{"unknown parent", "parentId", func(m map[string]any) { m["parentId"] = broadsheet.NewID() }, 400},
	}
	for _, tt := range invalid {
		m := map[string]any{}
		for k, v := range in {
			m[k] = v
		}
		m["externalId"] = "x-" + tt.name
		tt.edit(m)
		r := e.importing(m)
		if r.status != tt.status || (tt.field != "" && r.field(tt.field) == "") {
			t.Errorf("%s: %d %s", tt.name, r.status, r.raw)
		}
	}
}
