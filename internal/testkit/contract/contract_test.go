package contract

import (
	"context"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"broadsheet/internal/apigw"
	"broadsheet/internal/broadsheet"
	"broadsheet/internal/cursor"
	"broadsheet/internal/handlers/articles"
	"broadsheet/internal/local/samtemplate"
)

func validator(t *testing.T) *Validator {
	t.Helper()
	v, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestDocumentIsValidOpenAPI31(t *testing.T) {
	v := validator(t)
	doc := v.Doc()
	if doc.OpenAPI != "3.1.0" || !doc.IsOpenAPI31OrLater() {
		t.Fatalf("openapi = %q, want 3.1.0", doc.OpenAPI)
	}
	// Load validated it already; validating again must stay clean (and 3.1 rules apply).
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(doc.Servers) == 0 || doc.Servers[0].URL != "http://127.0.0.1:3000" {
		t.Errorf("servers = %v, want http://127.0.0.1:3000 first", doc.Servers)
	}
	ss := doc.Components.SecuritySchemes["editorJwt"]
	if ss == nil || ss.Value.Type != "http" || ss.Value.Scheme != "bearer" || ss.Value.BearerFormat != "JWT" {
		t.Fatalf("securitySchemes.editorJwt = %+v, want http bearer JWT", ss)
	}
	for _, r := range v.routes {
		for method, op := range r.item.Operations() {
			admin := strings.HasPrefix(r.template, "/admin/")
			secured := op.Security != nil && len(*op.Security) > 0
			if admin != secured {
				t.Errorf("%s %s: secured = %v, want %v (bearer JWT on /admin routes only)", method, r.template, secured, admin)
			}
			if admin {
				for _, code := range []string{"401", "403"} {
					if op.Responses.Value(code) == nil {
						t.Errorf("%s %s does not document %s", method, r.template, code)
					}
				}
			}
			for _, code := range []string{"500", "503"} {
				if op.Responses.Value(code) == nil {
					t.Errorf("%s %s does not document %s", method, r.template, code)
				}
			}
			if op.OperationID == "" {
				t.Errorf("%s %s has no operationId", method, r.template)
			}
		}
	}
}

// Every route of template.yaml is in openapi.yaml and vice versa: the local
// API routes from the template, so the two must name the same API.
func TestRoutesMatchTemplate(t *testing.T) {
	tpl, err := samtemplate.Load("../../../template.yaml", samtemplate.Options{Parameters: map[string]string{"SigningSecret": strings.Repeat("x", 32)}})
	if err != nil {
		t.Fatal(err)
	}
	var fromTemplate []string
	for _, r := range tpl.Routes {
		fromTemplate = append(fromTemplate, r.Method+" "+r.Path)
	}
	sort.Strings(fromTemplate)
	fromDoc := validator(t).Operations()
	for _, k := range fromTemplate {
		if !slices.Contains(fromDoc, k) {
			t.Errorf("template.yaml route %s is missing from openapi.yaml", k)
		}
	}
	for _, k := range fromDoc {
		if !slices.Contains(fromTemplate, k) {
			t.Errorf("openapi.yaml operation %s is not a route in template.yaml", k)
		}
	}
	if len(fromTemplate) < 15 {
		t.Errorf("only %d routes in the template: %v", len(fromTemplate), fromTemplate)
	}
}

// errorCodes parses the Code* constants of internal/broadsheet/errors.go.
func errorCodes(t *testing.T) map[string]string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "../../broadsheet/errors.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]string{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			for i, name := range vs.Names {
				if !strings.HasPrefix(name.Name, "Code") || i >= len(vs.Values) {
					continue
				}
				lit, ok := vs.Values[i].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					continue
				}
				val, _ := strconv.Unquote(lit.Value)
				codes[name.Name] = val
			}
		}
	}
	if len(codes) < 10 {
		t.Fatalf("found only %d error codes in errors.go: %v", len(codes), codes)
	}
	return codes
}

// Every error code the domain can raise is in the Error schema, and every
// code's answer (as apigw.Fail renders it) validates against at least one
// operation documenting that status — unless the code is one no operation
// answers by itself (405), which must then be described.
func TestErrorCodesDocumented(t *testing.T) {
	v := validator(t)
	code := v.Doc().Components.Schemas["Error"].Value.Properties["error"].Value.Properties["code"].Value
	var enum []string
	for _, e := range code.Enum {
		enum = append(enum, e.(string))
	}
	codes := errorCodes(t)
	inDomain := map[string]bool{}
	for name, c := range codes {
		inDomain[c] = true
		if !slices.Contains(enum, c) && !strings.Contains(code.Description, "`"+c+"`") {
			t.Errorf("%s = %q is neither in the Error code enum nor in its description", name, c)
		}
		if !strings.Contains(code.Description, "`"+c+"`") {
			t.Errorf("the Error code description does not list `%s` with its status", c)
		}
		resp := apigw.Fail(&broadsheet.Error{Code: c, Message: "a message", RetryAfter: 2 * time.Second})
		accepted, offered := 0, 0
		var errs []string
		for _, op := range v.Operations() {
			method, path, _ := strings.Cut(op, " ")
			r := v.routeForTemplate(method, path)
			if r.Operation.Responses.Status(resp.StatusCode) == nil {
				continue
			}
			offered++
			ev := events.APIGatewayV2HTTPRequest{RouteKey: op, RawPath: samplePath(path), RequestContext: events.APIGatewayV2HTTPRequestContext{HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: method}}}
			if err := v.CheckEvent(ev, resp); err != nil {
				errs = append(errs, err.Error())
			} else {
				accepted++
			}
		}
		if c == broadsheet.CodeMethodNotAllowed {
			continue // answered by the router for a route this function does not serve
		}
		if accepted == 0 {
			t.Errorf("%s (%d) is accepted by no operation (of %d documenting %d): %v", c, resp.StatusCode, offered, resp.StatusCode, errs)
		}
	}
	for _, c := range enum {
		if !inDomain[c] {
			t.Errorf("the Error code enum has %q, which internal/broadsheet/errors.go does not define", c)
		}
	}
}

func samplePath(tmpl string) string {
	r := strings.NewReplacer("{slug}", "pm-us-visit-afghan-peace-talks", "{id}", "01JDQ7Z8X9K2M3N4P5Q6R7S8T9")
	return r.Replace(tmpl)
}

var jsonHeaders = map[string]string{"Content-Type": "application/json; charset=utf-8", "X-Content-Type-Options": "nosniff"}

func hdr(extra ...string) http.Header {
	h := http.Header{}
	for k, v := range jsonHeaders {
		h.Set(k, v)
	}
	for i := 0; i+1 < len(extra); i += 2 {
		if extra[i+1] == "" {
			h.Del(extra[i])
		} else {
			h.Set(extra[i], extra[i+1])
		}
	}
	return h
}

var (
	published = time.Date(2026, 11, 27, 14, 44, 26, 0, time.UTC)
	article   = &broadsheet.Article{
		ID: "01JDQ7Z8X9K2M3N4P5Q6R7S8T9", Slug: "pm-us-visit-afghan-peace-talks", Title: "PM’s US visit",
		Summary: "The visit.", Body: "**Afghan** peace", BodyHTML: "<p><strong>Afghan</strong> peace</p>",
		Author: broadsheet.Author{Name: "Ayesha Khan", Bio: "Diplomatic correspondent."}, Tags: []string{"pakistan"},
		Status: broadsheet.StatusPublished, PublishedAt: published, CreatedAt: published, UpdatedAt: published,
		Version: 3, CommentsOpen: true, CommentCount: 2,
	}
	draft = &broadsheet.Article{
		ID: "01JDQ7Z8X9K2M3N4P5Q6R7S8TA", Slug: "draft", Title: "Draft", Body: "x", BodyHTML: "<p>x</p>",
		Author: broadsheet.Author{Name: "A"}, Status: broadsheet.StatusDraft, CreatedAt: published, UpdatedAt: published, Version: 1,
	}
)

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// withCode rewrites one error body's code.
func errBody(code string, fields map[string]string) string {
	b, _ := json.Marshal(map[string]any{"error": map[string]any{"code": code, "message": "m", "fields": fields}})
	if fields == nil {
		b, _ = json.Marshal(map[string]any{"error": map[string]any{"code": code, "message": "m"}})
	}
	return string(b)
}

const (
	goodComment    = `{"id":"01JDQ7Z8X9K2M3N4P5Q6R7S8T9","name":"Reader","body":"Hello <b>","createdAt":"2026-11-27T14:44:26Z"}`
	replyComment   = `{"id":"01JDQ7Z8X9K2M3N4P5Q6R7S8TB","parentId":"01JDQ7Z8X9K2M3N4P5Q6R7S8T9","name":"R","website":"https://example.com/","body":"Hi","createdAt":"2026-11-27T14:44:26Z"}`
	leakyComment   = `{"id":"01JDQ7Z8X9K2M3N4P5Q6R7S8T9","name":"Reader","email":"reader@example.com","body":"Hello","createdAt":"2026-11-27T14:44:26Z"}`
	adminComment   = `{"id":"01JDQ7Z8X9K2M3N4P5Q6R7S8T9","name":"Reader","body":"Hello","createdAt":"2026-11-27T14:44:26Z","email":"reader@example.com","articleId":"01JDQ7Z8X9K2M3N4P5Q6R7S8T9","articleSlug":"pm-us-visit-afghan-peace-talks","status":"pending"}`
	searchAnswer   = `{"query":"afghan peace","items":[{"id":"1","slug":"pm-us-visit","title":"PM","summary":"s","author":{"name":"A"},"tags":[],"publishedAt":"2026-11-27T14:44:26Z","score":7.31,"highlights":{"title":"<mark>Afghan</mark>","snippet":"…"}}],"nextCursor":null}`
	suggestOne     = `{"slug":"pm-us-visit","title":"PM"}`
	etagArticle    = `"abcdefABCDEF0123"`
	publicCacheCtl = "public, max-age=60, stale-while-revalidate=300"
)

func TestSampleResponses(t *testing.T) {
	v := validator(t)
	cur := "AbC-_9"
	summaryList := apigw.List[apigw.ArticleSummary]{Items: []apigw.ArticleSummary{apigw.SummaryOf(article)}, NextCursor: &cur}
	editorList := apigw.List[apigw.EditorArticle]{Items: []apigw.EditorArticle{apigw.EditorArticleOf(article), apigw.EditorArticleOf(draft)}}
	nine := "[" + strings.TrimSuffix(strings.Repeat(suggestOne+",", 9), ",") + "]"
	eight := "[" + strings.TrimSuffix(strings.Repeat(suggestOne+",", 8), ",") + "]"
	cases := []struct {
		name         string
		method, path string
		status       int
		header       http.Header
		body         string
		ok           bool
	}{
		// Good answers.
		{"article list", "GET", "/articles?limit=10", 200, hdr("ETag", etagArticle, "Cache-Control", publicCacheCtl), mustJSON(t, summaryList), true},
		{"empty list, null cursor", "GET", "/articles", 200, hdr("ETag", etagArticle, "Cache-Control", publicCacheCtl), `{"items":[],"nextCursor":null}`, true},
		{"list with an extension field", "GET", "/articles", 200, hdr("ETag", etagArticle, "Cache-Control", publicCacheCtl), `{"items":[],"nextCursor":null,"total":0}`, true},
		{"article", "GET", "/articles/pm-us-visit-afghan-peace-talks", 200, hdr("ETag", etagArticle, "Cache-Control", publicCacheCtl), mustJSON(t, apigw.ArticleOf(article)), true},
		{"not modified", "GET", "/articles/pm-us-visit-afghan-peace-talks", 304, http.Header{"Etag": {etagArticle}}, "", true},
		{"not found", "GET", "/articles/nope", 404, hdr(), errBody("not_found", nil), true},
		{"bad limit", "GET", "/articles?limit=99", 400, hdr(), errBody("validation_failed", map[string]string{"limit": "must be from 1 to 50"}), true},
		{"comments", "GET", "/articles/a/comments", 200, hdr("ETag", etagArticle, "Cache-Control", "public, max-age=10"), `{"items":[` + goodComment + `,` + replyComment + `],"nextCursor":null}`, true},
		{"comment accepted", "POST", "/articles/a/comments", 201, hdr(), `{"id":"01JDQ7Z8X9K2M3N4P5Q6R7S8T9","status":"pending","name":"R","body":"Hi","createdAt":"2026-11-27T14:44:26Z"}`, true},
		{"rate limited", "POST", "/articles/a/comments", 429, hdr("Retry-After", "15"), errBody("rate_limited", nil), true},
		{"comments closed", "POST", "/articles/a/comments", 403, hdr(), errBody("comments_closed", nil), true},
		{"duplicate", "POST", "/articles/a/comments", 409, hdr(), errBody("duplicate_comment", nil), true},
		{"search", "GET", "/search?q=afghan+peace", 200, hdr(), searchAnswer, true},
		{"suggest eight", "GET", "/search/suggest?q=afgh", 200, hdr(), `{"items":` + eight + `}`, true},
		{"create", "POST", "/admin/articles", 201, hdr("ETag", `"v1"`, "Location", "/admin/articles/01JDQ7Z8X9K2M3N4P5Q6R7S8T9"), mustJSON(t, apigw.EditorArticleOf(article)), true},
		{"editor list with a draft", "GET", "/admin/articles?status=draft", 200, hdr(), mustJSON(t, editorList), true},
		{"editor get", "GET", "/admin/articles/01JDQ7Z8X9K2M3N4P5Q6R7S8T9", 200, hdr("ETag", `"v3"`), mustJSON(t, apigw.EditorArticleOf(article)), true},
		{"stale If-Match", "PUT", "/admin/articles/01JDQ7Z8X9K2M3N4P5Q6R7S8T9", 412, hdr(), errBody("precondition_failed", nil), true},
		{"no If-Match", "PUT", "/admin/articles/01JDQ7Z8X9K2M3N4P5Q6R7S8T9", 428, hdr(), errBody("precondition_required", nil), true},
		{"delete", "DELETE", "/admin/articles/01JDQ7Z8X9K2M3N4P5Q6R7S8T9", 204, hdr(), "", true},
		{"gateway 401", "GET", "/admin/articles", 401, http.Header{"Content-Type": {"application/json"}}, `{"message":"Unauthorized"}`, true},
		{"function 401", "GET", "/admin/articles", 401, hdr(), errBody("unauthorized", nil), true},
		{"queue", "GET", "/admin/comments?status=pending", 200, hdr(), `{"items":[` + adminComment + `],"nextCursor":null}`, true},
		{"import created", "POST", "/admin/comments", 201, hdr(), adminComment, true},
		{"import replayed", "POST", "/admin/comments", 200, hdr(), adminComment, true},
		{"moderated", "PATCH", "/admin/comments/01JDQ7Z8X9K2M3N4P5Q6R7S8T9", 200, hdr(), strings.Replace(adminComment, `"pending"`, `"approved"`, 1), true},
		{"page", "GET", "/a/pm-us-visit-afghan-peace-talks", 200, hdr("Content-Type", "text/html; charset=utf-8", "ETag", etagArticle, "Cache-Control", "public, max-age=60"), "<!doctype html><title>PM</title>", true},
		{"page not found", "GET", "/a/nope", 404, hdr("Content-Type", "text/html; charset=utf-8"), "<!doctype html><title>Not found</title>", true},
		{"rss feed", "GET", "/rss.xml", 200, hdr("Content-Type", "application/rss+xml; charset=utf-8", "ETag", etagArticle, "Cache-Control", "public, max-age=300"), `<?xml version="1.0"?><rss version="2.0"></rss>`, true},
		{"atom feed", "GET", "/atom.xml", 200, hdr("Content-Type", "application/atom+xml; charset=utf-8", "ETag", etagArticle, "Cache-Control", "public, max-age=300"), `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"></feed>`, true},
		{"sitemap index", "GET", "/sitemap.xml", 200, hdr("Content-Type", "application/xml; charset=utf-8", "ETag", etagArticle, "Cache-Control", "public, max-age=300"), `<?xml version="1.0"?><sitemapindex/>`, true},
		{"month sitemap", "GET", "/sitemaps/2026-12.xml", 200, hdr("Content-Type", "application/xml; charset=utf-8", "ETag", etagArticle, "Cache-Control", "public, max-age=300"), `<?xml version="1.0"?><urlset/>`, true},
		{"robots", "GET", "/robots.txt", 200, hdr("Content-Type", "text/plain; charset=utf-8", "ETag", etagArticle, "Cache-Control", "public, max-age=3600"), "User-agent: *\nAllow: /\n", true},
		{"unavailable", "GET", "/articles", 503, hdr("Retry-After", "1"), errBody("unavailable", nil), true},

		// Broken answers.
		{"missing items", "GET", "/articles", 200, hdr("ETag", etagArticle, "Cache-Control", publicCacheCtl), `{"nextCursor":null}`, false},
		{"missing nextCursor", "GET", "/articles", 200, hdr("ETag", etagArticle, "Cache-Control", publicCacheCtl), `{"items":[]}`, false},
		{"missing ETag", "GET", "/articles/a", 200, hdr("Cache-Control", publicCacheCtl), mustJSON(t, apigw.ArticleOf(article)), false},
		{"missing Cache-Control", "GET", "/articles/a", 200, hdr("ETag", etagArticle), mustJSON(t, apigw.ArticleOf(article)), false},
		{"missing nosniff", "GET", "/articles/a", 404, hdr("X-Content-Type-Options", ""), errBody("not_found", nil), false},
		{"article without bodyHtml", "GET", "/articles/a", 200, hdr("ETag", etagArticle, "Cache-Control", publicCacheCtl), strings.Replace(mustJSON(t, apigw.ArticleOf(article)), `"bodyHtml"`, `"body"`, 1), false},
		{"time not in UTC", "GET", "/articles/a", 200, hdr("ETag", etagArticle, "Cache-Control", publicCacheCtl), strings.ReplaceAll(mustJSON(t, apigw.ArticleOf(article)), "14:44:26Z", "16:44:26+02:00"), false},
		{"public comment leaks email", "GET", "/articles/a/comments", 200, hdr("ETag", etagArticle, "Cache-Control", "public, max-age=10"), `{"items":[` + leakyComment + `],"nextCursor":null}`, false},
		{"accepted comment leaks email", "POST", "/articles/a/comments", 201, hdr(), `{"id":"x","status":"approved","name":"R","email":"r@example.com","body":"Hi","createdAt":"2026-11-27T14:44:26Z"}`, false},
		{"accepted comment with unknown status", "POST", "/articles/a/comments", 201, hdr(), `{"id":"x","status":"spam","name":"R","body":"Hi","createdAt":"2026-11-27T14:44:26Z"}`, false},
		{"rate limited without Retry-After", "POST", "/articles/a/comments", 429, hdr(), errBody("rate_limited", nil), false},
		{"undocumented status", "GET", "/articles", 418, hdr(), errBody("bad_request", nil), false},
		{"201 on a read", "GET", "/articles/a", 201, hdr(), mustJSON(t, apigw.ArticleOf(article)), false},
		{"code of another status", "GET", "/articles/a", 404, hdr(), errBody("slug_taken", nil), false},
		{"unknown code", "GET", "/articles", 400, hdr(), errBody("oops", nil), false},
		{"error without message", "GET", "/articles", 400, hdr(), `{"error":{"code":"bad_request"}}`, false},
		{"error not wrapped", "GET", "/articles", 400, hdr(), `{"code":"bad_request","message":"m"}`, false},
		{"text body", "GET", "/articles", 400, hdr("Content-Type", "text/plain"), "bad request", false},
		{"304 with a body", "GET", "/articles/a", 304, hdr(), `{"items":[]}`, false},
		{"204 with a body", "DELETE", "/admin/comments/01JDQ7Z8X9K2M3N4P5Q6R7S8T9", 204, hdr(), `{}`, false},
		{"editor ETag not a version", "GET", "/admin/articles/01JDQ7Z8X9K2M3N4P5Q6R7S8T9", 200, hdr("ETag", etagArticle), mustJSON(t, apigw.EditorArticleOf(article)), false},
		{"create without Location", "POST", "/admin/articles", 201, hdr("ETag", `"v1"`), mustJSON(t, apigw.EditorArticleOf(article)), false},
		{"search without highlights", "GET", "/search?q=a", 200, hdr(), strings.Replace(searchAnswer, `"highlights"`, `"hl"`, 1), false},
		{"suggest nine", "GET", "/search/suggest?q=afgh", 200, hdr(), `{"items":` + nine + `}`, false},
		{"queue item without email", "GET", "/admin/comments", 200, hdr(), `{"items":[` + strings.Replace(adminComment, `"email"`, `"mail"`, 1) + `],"nextCursor":null}`, false},
		{"queue item with bad status", "GET", "/admin/comments", 200, hdr(), `{"items":[` + strings.Replace(adminComment, `"pending"`, `"hidden"`, 1) + `],"nextCursor":null}`, false},
		{"slug out of pattern", "GET", "/articles", 200, hdr("ETag", etagArticle, "Cache-Control", publicCacheCtl), strings.Replace(mustJSON(t, summaryList), "pm-us-visit-afghan-peace-talks", "PM_US", 1), false},
		{"sitemap answered as JSON", "GET", "/sitemap.xml", 200, hdr("ETag", etagArticle, "Cache-Control", "public, max-age=300"), `{}`, false},
		{"page without Cache-Control", "GET", "/a/pm", 200, hdr("Content-Type", "text/html; charset=utf-8", "ETag", etagArticle), "<!doctype html>", false},
		{"unknown path", "GET", "/nope", 200, hdr(), `{}`, false},
		{"unknown method", "PATCH", "/articles", 200, hdr(), `{}`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := httptest.NewRequest(c.method, "http://127.0.0.1:3000"+c.path, nil)
			err := v.CheckResponse(req, c.status, c.header, []byte(c.body))
			if c.ok && err != nil {
				t.Errorf("want valid, got %v", err)
			}
			if !c.ok && err == nil {
				t.Errorf("want a contract violation, got none")
			}
			if err != nil {
				t.Logf("%.300s", err)
			}
		})
	}
}

func TestSampleRequests(t *testing.T) {
	v := validator(t)
	cases := []struct {
		method, target, body string
		header               map[string]string
		ok                   bool
	}{
		{"GET", "/articles?limit=50", "", nil, true},
		{"GET", "/articles?limit=1&tag=pakistan&author=A", "", nil, true},
		{"GET", "/articles?limit=0", "", nil, false},
		{"GET", "/articles?limit=51", "", nil, false},
		{"GET", "/articles/pm-us-visit", "", nil, true},
		{"GET", "/articles/PM_US", "", nil, false},
		{"GET", "/articles/" + strings.Repeat("a", 121), "", nil, false},
		{"GET", "/articles/" + strings.Repeat("a", 120), "", nil, true},
		{"GET", "/search?q=afghan+peace&limit=10", "", nil, true},
		{"GET", "/search", "", nil, false},
		{"GET", "/search?q=" + strings.Repeat("a", 201), "", nil, false},
		{"GET", "/search?q=" + strings.Repeat("a", 200), "", nil, true},
		{"GET", "/search/suggest?q=" + strings.Repeat("a", 101), "", nil, false},
		{"GET", "/search/suggest?q=afgh", "", nil, true},
		{"POST", "/articles/a/comments", `{"name":"R","email":"r@example.com","body":"Hi"}`, map[string]string{"Content-Type": "application/json"}, true},
		{"POST", "/articles/a/comments", `{"name":"R","body":"Hi"}`, map[string]string{"Content-Type": "application/json"}, false},
		{"POST", "/admin/articles", `{"title":"T","body":"B","author":{"name":"A"},"status":"published","commentsOpen":false}`, map[string]string{"Content-Type": "application/json"}, true},
		{"POST", "/admin/articles", `{"title":"T","body":"B","author":{"name":"A"},"status":"live"}`, map[string]string{"Content-Type": "application/json"}, false},
		{"PUT", "/admin/articles/X", `{"title":"T","body":"B","author":{"name":"A"}}`, map[string]string{"Content-Type": "application/json", "If-Match": `"v1"`}, true},
		{"PATCH", "/admin/comments/X", `{"status":"approved"}`, map[string]string{"Content-Type": "application/json"}, true},
		{"PATCH", "/admin/comments/X", `{"status":"pending"}`, map[string]string{"Content-Type": "application/json"}, false},
		{"GET", "/admin/comments?status=spam", "", nil, true},
		{"GET", "/admin/comments?status=hidden", "", nil, false},
		{"GET", "/admin/articles?slug=pm-us-visit", "", nil, true},
	}
	for _, c := range cases {
		t.Run(c.method+" "+c.target, func(t *testing.T) {
			req := httptest.NewRequest(c.method, "http://127.0.0.1:3000"+c.target, strings.NewReader(c.body))
			for k, val := range c.header {
				req.Header.Set(k, val)
			}
			err := v.CheckRequest(req)
			if c.ok && err != nil {
				t.Errorf("want valid, got %v", err)
			}
			if !c.ok && err == nil {
				t.Errorf("want a contract violation, got none")
			}
		})
	}
}

// Every sample event in events/ is a request the contract allows.
func TestEventsAreValidRequests(t *testing.T) {
	v := validator(t)
	files, err := filepath.Glob("../../../events/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no events: %v", err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var probe struct {
			RouteKey string `json:"routeKey"`
		}
		if json.Unmarshal(data, &probe) != nil || probe.RouteKey == "" {
			continue // not an HTTP API event (e.g. a stream batch)
		}
		var ev events.APIGatewayV2HTTPRequest
		if err := json.Unmarshal(data, &ev); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if err := v.CheckEventRequest(ev); err != nil {
			t.Errorf("%s: %v", filepath.Base(f), err)
		}
	}
}

// fakeStore serves one published article.
type fakeStore struct{}

func (fakeStore) ArticleBySlug(_ context.Context, slug string) (*broadsheet.Article, error) {
	if slug == article.Slug {
		return article, nil
	}
	return nil, broadsheet.Errorf(broadsheet.CodeNotFound, "no such article")
}

func (fakeStore) PublishedArticles(context.Context, broadsheet.ArticleFilter, time.Time, int, map[string]string) (broadsheet.Page[*broadsheet.Article], error) {
	return broadsheet.Page[*broadsheet.Article]{Items: []*broadsheet.Article{article}, Next: map[string]string{"k": "v"}}, nil
}

// The real articles handler's answers to the sample events validate, and a
// doctored answer makes ValidateEventResponse fail the test.
func TestArticlesHandlerAnswersValidate(t *testing.T) {
	sealer, err := cursor.New([]byte(strings.Repeat("s", 32)))
	if err != nil {
		t.Fatal(err)
	}
	h := &articles.Handler{Store: fakeStore{}, Cursors: sealer, Now: func() time.Time { return published.Add(time.Hour) }}
	rt := h.Router()
	for _, name := range []string{"articles-get.json", "articles-list.json"} {
		ev := readEvent(t, name)
		resp, err := rt.Handle(context.Background(), ev)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("%s: %d %v %s", name, resp.StatusCode, err, resp.Body)
		}
		ValidateEventResponse(t, ev, resp)

		// If-None-Match with the ETag: a 304 that validates too.
		ev.Headers["if-none-match"] = resp.Headers["ETag"]
		// A list page with a next page too: its sealed cursor, so its ETag, is stable.
		resp304, _ := rt.Handle(context.Background(), ev)
		if resp304.StatusCode != 304 {
			t.Errorf("%s with If-None-Match: %d", name, resp304.StatusCode)
		}
		ValidateEventResponse(t, ev, resp304)
		delete(ev.Headers, "if-none-match")

		broken := resp
		broken.Headers = map[string]string{"Content-Type": "application/json; charset=utf-8", "X-Content-Type-Options": "nosniff"} // no ETag
		rec := &recorder{TB: t}
		ValidateEventResponse(rec, ev, broken)
		if !rec.failed {
			t.Errorf("%s: an answer without ETag/Cache-Control passed", name)
		}
	}
	// Unknown slug: the handler's 404 validates.
	ev := readEvent(t, "articles-get.json")
	ev.PathParameters["slug"], ev.RawPath = "no-such-article", "/articles/no-such-article"
	resp, _ := rt.Handle(context.Background(), ev)
	if resp.StatusCode != 404 {
		t.Fatalf("unknown slug: %d", resp.StatusCode)
	}
	ValidateEventResponse(t, ev, resp)
	// A forged cursor: 400 invalid_cursor, which validates.
	ev = readEvent(t, "articles-list.json")
	ev.QueryStringParameters["cursor"] = "forged"
	ev.RawQueryString += "&cursor=forged"
	resp, _ = rt.Handle(context.Background(), ev)
	if resp.StatusCode != 400 {
		t.Fatalf("forged cursor: %d %s", resp.StatusCode, resp.Body)
	}
	ValidateEventResponse(t, ev, resp)
}

// The HTTP entry point validates a real round trip (httptest server).
func TestValidateResponseOverHTTP(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		if r.URL.Query().Get("leak") != "" {
			w.Header().Set("ETag", etagArticle)
			w.Header().Set("Cache-Control", "public, max-age=10")
			fmt.Fprint(w, `{"items":[`+leakyComment+`],"nextCursor":null}`)
			return
		}
		w.WriteHeader(404)
		fmt.Fprint(w, errBody("not_found", nil))
	}))
	defer srv.Close()

	get := func(target string) (*http.Request, *http.Response, []byte) {
		req, _ := http.NewRequest("GET", srv.URL+target, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return req, resp, ReadBody(t, resp)
	}
	req, resp, body := get("/articles/a/comments")
	ValidateResponse(t, req, resp, body)

	req, resp, body = get("/articles/a/comments?leak=1")
	rec := &recorder{TB: t}
	ValidateResponse(rec, req, resp, body)
	if !rec.failed || !strings.Contains(rec.msg, "email") {
		t.Errorf("a leaked email passed (failed=%v): %s", rec.failed, rec.msg)
	}
}

func readEvent(t *testing.T, name string) events.APIGatewayV2HTTPRequest {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("../../../events", name))
	if err != nil {
		t.Fatal(err)
	}
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(data, &ev); err != nil {
		t.Fatal(err)
	}
	return ev
}

// recorder is a testing.TB that records a failure instead of failing.
type recorder struct {
	testing.TB
	failed bool
	msg    string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.failed = true
	r.msg += fmt.Sprintf(format, args...)
}
func (r *recorder) Error(args ...any) { r.failed = true; r.msg += fmt.Sprint(args...) }
