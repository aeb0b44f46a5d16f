package editor_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"broadsheet/internal/broadsheet"
	"broadsheet/internal/cursor"
	"broadsheet/internal/handlers/articles"
	"broadsheet/internal/handlers/editor"
	"broadsheet/internal/memstore"
	"broadsheet/internal/testkit/dynamotest"
	"broadsheet/internal/testkit/lambdatest"
)

func TestMain(m *testing.M) { os.Exit(dynamotest.RunTests(m)) }

// stack is the Editor and Articles functions over one store.
type stack struct{ editor, articles any }

// newStack wires both handlers over one memory store, as New wires them over
// the table; TestDynamoDB runs the lifecycle on DynamoDB Local through New.
func newStack(t *testing.T) stack {
	store := memstore.New()
	cur, err := cursor.New([]byte(dynamotest.Secret))
	if err != nil {
		t.Fatal(err)
	}
	id, err := broadsheet.NewIdentity([]byte(dynamotest.Secret))
	if err != nil {
		t.Fatal(err)
	}
	ed := &editor.Handler{
		Articles: store, Comments: editor.Comments{Store: store, Identity: id},
		Cursors: cur, Now: time.Now, NewID: broadsheet.NewID,
	}
	ar := &articles.Handler{Store: store, Cursors: cur, Now: time.Now}
	return stack{ed.Router().Handle, ar.Router().Handle}
}

// newDynamoDBStack is both functions as New wires them, on a fresh table.
func newDynamoDBStack(t *testing.T) stack {
	env := dynamotest.Env(t, nil)
	ed, err := editor.New(t.Context(), env)
	if err != nil {
		t.Fatal(err)
	}
	ar, err := articles.New(t.Context(), env)
	if err != nil {
		t.Fatal(err)
	}
	return stack{ed, ar}
}

// TestDynamoDB proves New wires the handlers to DynamoDB: the lifecycle
// below, on DynamoDB Local.
func TestDynamoDB(t *testing.T) {
	s := newDynamoDBStack(t)
	t.Run("ArticleLifecycle", func(t *testing.T) { articleLifecycle(t, s) })
	t.Run("LeadImageRoundTrip", func(t *testing.T) { leadImageRoundTrip(t, s) })
}

func withBody(e events.APIGatewayV2HTTPRequest, body map[string]any) events.APIGatewayV2HTTPRequest {
	b, _ := json.Marshal(body)
	e.Body = string(b)
	return e
}

func withID(e events.APIGatewayV2HTTPRequest, id string) events.APIGatewayV2HTTPRequest {
	e.PathParameters = map[string]string{"id": id}
	e.RawPath = "/admin/articles/" + id
	return e
}

func withHeader(e events.APIGatewayV2HTTPRequest, k, v string) events.APIGatewayV2HTTPRequest {
	h := map[string]string{}
	for hk, hv := range e.Headers {
		h[hk] = hv
	}
	if v == "" {
		delete(h, k)
	} else {
		h[k] = v
	}
	e.Headers = h
	return e
}

func decode(t *testing.T, resp events.APIGatewayV2HTTPResponse) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(resp.Body), &m); err != nil {
		t.Fatalf("body %q: %v", resp.Body, err)
	}
	return m
}

// TestArticleLifecycle walks an article from creation to deletion, checking
// what editors and readers see at each step.
func TestArticleLifecycle(t *testing.T) { articleLifecycle(t, newStack(t)) }

func articleLifecycle(t *testing.T, s stack) {
	create := lambdatest.Event(t, "admin-articles-create.json")
	resp := lambdatest.Invoke(t, s.editor, create)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", resp.StatusCode, resp.Body)
	}
	created := decode(t, resp)
	id := created["id"].(string)
	if resp.Headers["ETag"] != `"v1"` || created["version"].(float64) != 1 || created["status"] != "published" {
		t.Errorf("create answer: ETag %s body %v", resp.Headers["ETag"], created)
	}
	if !strings.Contains(created["bodyHtml"].(string), "<strong>Afghan peace talks</strong>") {
		t.Errorf("bodyHtml = %v", created["bodyHtml"])
	}

	// Readers see it, with validators.
	get := lambdatest.Event(t, "articles-get.json")
	resp = lambdatest.Invoke(t, s.articles, get)
	if resp.StatusCode != 200 || resp.Headers["ETag"] == "" || !strings.Contains(resp.Headers["Cache-Control"], "public") {
		t.Fatalf("public get: %d %v %s", resp.StatusCode, resp.Headers, resp.Body)
	}
	pub := decode(t, resp)
	if _, leaked := pub["body"]; leaked {
		t.Error("public article exposes the Markdown body")
	}
	if pub["author"].(map[string]any)["bio"] != "Diplomatic correspondent." {
		t.Errorf("author = %v", pub["author"])
	}
	resp = lambdatest.Invoke(t, s.articles, withHeader(get, "if-none-match", resp.Headers["ETag"]))
	if resp.StatusCode != http.StatusNotModified || resp.Body != "" {
		t.Errorf("conditional get: %d", resp.StatusCode)
	}
	list := lambdatest.Event(t, "articles-list.json")
	resp = lambdatest.Invoke(t, s.articles, list)
	if items := decode(t, resp)["items"].([]any); resp.StatusCode != 200 || len(items) != 1 {
		t.Fatalf("list: %d %s", resp.StatusCode, resp.Body)
	}

	// Replace needs the current ETag.
	replace := withID(lambdatest.Event(t, "admin-articles-replace.json"), id)
	body := map[string]any{"title": "New title", "body": "New *body*", "author": map[string]any{"name": "Ayesha Khan"}, "status": "published", "slug": "pm-us-visit-afghan-peace-talks"}
	for _, tt := range []struct {
		ifMatch string
		status  int
		code    string
	}{
		{"", http.StatusPreconditionRequired, "precondition_required"},
		{"*", http.StatusPreconditionRequired, "precondition_required"},
		{`"v7"`, http.StatusPreconditionFailed, "precondition_failed"},
		{`"v1"`, http.StatusOK, ""},
		{`"v1"`, http.StatusPreconditionFailed, "precondition_failed"}, // now stale
	} {
		resp = lambdatest.Invoke(t, s.editor, withHeader(withBody(replace, body), "if-match", tt.ifMatch))
		if resp.StatusCode != tt.status || lambdatest.ErrorCode(resp) != tt.code {
			t.Errorf("PUT If-Match %q: %d %s, want %d %s", tt.ifMatch, resp.StatusCode, resp.Body, tt.status, tt.code)
		}
	}
	resp = lambdatest.Invoke(t, s.articles, get)
	if decode(t, resp)["title"] != "New title" {
		t.Errorf("public read after replace: %s", resp.Body)
	}

	// Unpublish: readers get 404, editors still see it.
	body["status"] = "draft"
	resp = lambdatest.Invoke(t, s.editor, withHeader(withBody(replace, body), "if-match", `"v2"`))
	if resp.StatusCode != 200 {
		t.Fatalf("unpublish: %d %s", resp.StatusCode, resp.Body)
	}
	if resp = lambdatest.Invoke(t, s.articles, get); resp.StatusCode != 404 || lambdatest.ErrorCode(resp) != "not_found" {
		t.Errorf("draft is public: %d", resp.StatusCode)
	}
	resp = lambdatest.Invoke(t, s.editor, withID(lambdatest.Event(t, "admin-articles-get.json"), id))
	if resp.StatusCode != 200 || decode(t, resp)["body"] != "New *body*" {
		t.Errorf("editor get: %d %s", resp.StatusCode, resp.Body)
	}
	resp = lambdatest.Invoke(t, s.editor, lambdatest.Event(t, "admin-articles-list.json"))
	if items := decode(t, resp)["items"].([]any); len(items) != 1 {
		t.Errorf("draft list: %s", resp.Body)
	}

	// Delete: a stale If-Match is refused, then it is gone.
	del := withID(lambdatest.Event(t, "admin-articles-delete.json"), id)
	if resp = lambdatest.Invoke(t, s.editor, withHeader(del, "if-match", `"v1"`)); resp.StatusCode != 412 {
		t.Errorf("stale delete: %d", resp.StatusCode)
	}
	if resp = lambdatest.Invoke(t, s.editor, del); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete: %d %s", resp.StatusCode, resp.Body)
	}
	if resp = lambdatest.Invoke(t, s.editor, withID(lambdatest.Event(t, "admin-articles-get.json"), id)); resp.StatusCode != 404 {
		t.Errorf("deleted article still there: %d", resp.StatusCode)
	}
}

func TestEditorRejectsBadInput(t *testing.T) {
	s := newStack(t)
	create := lambdatest.Event(t, "admin-articles-create.json")
	valid := func() map[string]any {
		return map[string]any{"title": "T", "body": "B", "author": map[string]any{"name": "A"}}
	}
	with := func(k string, v any) map[string]any { m := valid(); m[k] = v; return m }
	tests := []struct {
		name   string
		req    events.APIGatewayV2HTTPRequest
		status int
		code   string
		field  string
	}{
		{"missing title", withBody(create, with("title", "")), 400, "validation_failed", "title"},
		{"missing body", withBody(create, with("body", "  ")), 400, "validation_failed", "body"},
		{"missing author", withBody(create, with("author", map[string]any{})), 400, "validation_failed", "author.name"},
		{"title wrong type", withBody(create, with("title", 42)), 400, "validation_failed", "title"},
		{"tags wrong type", withBody(create, with("tags", "a,b")), 400, "validation_failed", "tags"},
		{"bad slug", withBody(create, with("slug", "Not A Slug")), 400, "validation_failed", "slug"},
		{"bad status", withBody(create, with("status", "live")), 400, "validation_failed", "status"},
		{"empty status is not the default", withBody(create, with("status", "")), 400, "validation_failed", "status"},
		{"status wrong type", withBody(create, with("status", 1)), 400, "validation_failed", "status"},
		{"null inside tags", withBody(create, with("tags", []any{"pakistan", nil})), 400, "validation_failed", "tags"},
		{"bad date", withBody(create, with("publishedAt", "yesterday")), 400, "validation_failed", "publishedAt"},
		{"control characters", withBody(create, with("title", "a\u0000b")), 400, "validation_failed", "title"},
		{"image not an object", withBody(create, with("image", "https://cdn.example.com/a.jpg")), 400, "validation_failed", "image"},
		{"image over http", withBody(create, with("image", map[string]any{"url": "http://cdn.example.com/a.jpg", "alt": "x"})), 400, "validation_failed", "image.url"},
		{"image without alt", withBody(create, with("image", map[string]any{"url": "https://cdn.example.com/a.jpg"})), 400, "validation_failed", "image.alt"},
		{"image width not a whole number", withBody(create, with("image", map[string]any{"url": "https://cdn.example.com/a.jpg", "alt": "x", "width": 1.5, "height": 2})), 400, "validation_failed", "image.width"},
		{"image width without height", withBody(create, with("image", map[string]any{"url": "https://cdn.example.com/a.jpg", "alt": "x", "width": 1200})), 400, "validation_failed", "image.height"},
		{"malformed JSON", func() events.APIGatewayV2HTTPRequest { e := create; e.Body = `{"title":`; return e }(), 400, "bad_request", ""},
		{"JSON array", func() events.APIGatewayV2HTTPRequest { e := create; e.Body = `[1]`; return e }(), 400, "bad_request", ""},
		{"trailing data", func() events.APIGatewayV2HTTPRequest { e := create; e.Body = `{"title":"x"} {}`; return e }(), 400, "bad_request", ""},
		// Invalid UTF-8 can only reach Lambda base64-encoded: JSON transport would replace it.
		{"invalid UTF-8", func() events.APIGatewayV2HTTPRequest {
			e := create
			e.Body, e.IsBase64Encoded = base64.StdEncoding.EncodeToString([]byte("{\"title\":\"\xff\"}")), true
			return e
		}(), 400, "bad_request", ""},
		{"bad base64", func() events.APIGatewayV2HTTPRequest { e := create; e.Body, e.IsBase64Encoded = "%%%", true; return e }(), 400, "bad_request", ""},
		{"not JSON", withHeader(create, "content-type", "text/plain"), 415, "unsupported_media_type", ""},
		{"no content type", withHeader(create, "content-type", ""), 415, "unsupported_media_type", ""},
		{"too large", withBody(create, with("body", strings.Repeat("x", 600_000))), 413, "payload_too_large", ""},
		{"bad limit", func() events.APIGatewayV2HTTPRequest {
			e := lambdatest.Event(t, "admin-articles-list.json")
			e.QueryStringParameters = map[string]string{"limit": "0"}
			return e
		}(), 400, "validation_failed", "limit"},
		{"forged cursor", func() events.APIGatewayV2HTTPRequest {
			e := lambdatest.Event(t, "admin-articles-list.json")
			e.QueryStringParameters = map[string]string{"cursor": "eyJwayI6IkFSVElDTEUjMSJ9"}
			return e
		}(), 400, "invalid_cursor", ""},
		{"unknown id", withID(lambdatest.Event(t, "admin-articles-get.json"), "01JDQ7Z8X9K2M3N4P5Q6R7S8T0"), 404, "not_found", ""},
		{"traversal id", withID(lambdatest.Event(t, "admin-articles-get.json"), "../etc/passwd"), 404, "not_found", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := lambdatest.Invoke(t, s.editor, tt.req)
			if resp.StatusCode != tt.status || lambdatest.ErrorCode(resp) != tt.code {
				t.Fatalf("got %d %s, want %d %s", resp.StatusCode, resp.Body, tt.status, tt.code)
			}
			if !strings.HasPrefix(resp.Headers["Content-Type"], "application/json; charset=utf-8") || resp.Headers["X-Content-Type-Options"] != "nosniff" {
				t.Errorf("headers %v", resp.Headers)
			}
			if tt.field != "" {
				if fields, _ := decode(t, resp)["error"].(map[string]any)["fields"].(map[string]any); fields[tt.field] == nil {
					t.Errorf("fields %v lack %s", fields, tt.field)
				}
			}
		})
	}
	// Nothing was stored by any of them.
	resp := lambdatest.Invoke(t, s.editor, func() events.APIGatewayV2HTTPRequest {
		e := lambdatest.Event(t, "admin-articles-list.json")
		e.QueryStringParameters = nil
		return e
	}())
	if items := decode(t, resp)["items"].([]any); len(items) != 0 {
		t.Errorf("rejected requests stored %d articles", len(items))
	}
}

func TestEditorAuthorisation(t *testing.T) {
	s := newStack(t)
	base := lambdatest.Event(t, "admin-articles-list.json")
	claims := func(c map[string]string, scopes []string) events.APIGatewayV2HTTPRequest {
		e := base
		if c == nil {
			e.RequestContext.Authorizer = nil
			return e
		}
		e.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: c, Scopes: scopes},
		}
		return e
	}
	tests := []struct {
		name   string
		req    events.APIGatewayV2HTTPRequest
		status int
	}{
		{"no authorizer context (misconfigured) fails closed", claims(nil, nil), 401},
		{"empty claims", claims(map[string]string{}, nil), 401},
		{"authorization header alone grants nothing", withHeader(claims(nil, nil), "authorization", "Bearer x"), 401},
		{"valid token without rights", claims(map[string]string{"sub": "u", "scope": "openid"}, []string{"openid"}), 403},
		{"other group", claims(map[string]string{"sub": "u", "cognito:groups": "[readers]"}, nil), 403},
		{"scope in scopes", claims(map[string]string{"sub": "u"}, []string{"articles:write"}), 200},
		{"scope claim", claims(map[string]string{"sub": "u", "scope": "openid articles:write"}, nil), 200},
		{"editors group", claims(map[string]string{"sub": "u", "cognito:groups": "[editors]"}, nil), 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := lambdatest.Invoke(t, s.editor, tt.req)
			if resp.StatusCode != tt.status {
				t.Errorf("got %d %s, want %d", resp.StatusCode, resp.Body, tt.status)
			}
		})
	}
}
