package comments_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"broadsheet/internal/apigw"
	"broadsheet/internal/broadsheet"
	"broadsheet/internal/dynamo"
	"broadsheet/internal/handlers/comments"
	"broadsheet/internal/handlers/editor"
	"broadsheet/internal/local/ddblocal"
	"broadsheet/internal/memstore"
	"broadsheet/internal/testkit/contract"
	"broadsheet/internal/testkit/dynamotest"
	"broadsheet/internal/testkit/eventtest"
)

func TestMain(m *testing.M) { os.Exit(dynamotest.RunTests(m)) }

// clock is the injected time: tests move it instead of sleeping.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fixture is a fresh memory store with the Comments and Editor handlers
// wired to it as their New functions wire them, except for the store and the
// injected clock. TestDynamoDB proves New itself against DynamoDB Local.
type fixture struct {
	t     *testing.T
	store testStore
	h     *comments.Handler
	ed    *editor.Handler
	clock *clock
	pub   apigw.Router
	adm   apigw.Router
}

// testStore is what the fixture's handlers and assertions use of a store.
type testStore interface {
	editor.ArticleStore
	broadsheet.CommentStore
}

// testEnv is the function's environment without a table.
func testEnv(moderation string) func(string) string {
	env := map[string]string{"SIGNING_SECRET": dynamotest.Secret, "COMMENT_MODERATION": moderation, "COMMENT_FLOOD_SECONDS": "15"}
	return func(k string) string { return env[k] }
}

func newFixture(t *testing.T, moderation string) *fixture {
	t.Helper()
	h, err := comments.Configure(testEnv(moderation))
	if err != nil {
		t.Fatal(err)
	}
	store := memstore.New()
	clk := &clock{t: time.Date(2026, 11, 27, 14, 0, 0, 0, time.UTC)}
	h.Store, h.Now = store, clk.Now
	ed := &editor.Handler{
		Articles: store, Comments: editor.Comments{Store: store, Identity: h.Identity},
		Cursors: h.Cursors, Now: clk.Now, NewID: broadsheet.NewID,
	}
	return &fixture{t: t, store: store, h: h, ed: ed, clock: clk, pub: h.Router(), adm: ed.Router()}
}

// TestDynamoDB: the handler New wires from the function's environment
// accepts, lists and replays comments on DynamoDB Local.
func TestDynamoDB(t *testing.T) {
	getenv := dynamotest.Env(t, map[string]string{"COMMENT_MODERATION": "none", "COMMENT_FLOOD_SECONDS": "15"})
	handle, err := comments.New(context.Background(), getenv)
	if err != nil {
		t.Fatal(err)
	}
	store := &dynamo.Store{DB: localClient(getenv("DYNAMODB_ENDPOINT")), Table: getenv("TABLE_NAME")}
	now := time.Now().UTC()
	a := &broadsheet.Article{
		ID: broadsheet.NewID(), Slug: "wired", Title: "Wired", Body: "Body", BodyHTML: "<p>Body</p>",
		Author: broadsheet.Author{Name: "Staff"}, Status: broadsheet.StatusPublished,
		PublishedAt: now.Add(-time.Hour), CreatedAt: now.Add(-time.Hour), UpdatedAt: now.Add(-time.Hour),
		Version: 1, CommentsOpen: true,
	}
	if err := store.CreateArticle(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	post := eventtest.Spec{
		Route: "POST /articles/{slug}/comments", Params: map[string]string{"slug": "wired"},
		Headers: map[string]string{"Content-Type": "application/json", "Idempotency-Key": "wired-1"},
		Body:    `{"name":"Ada","email":"ada@example.com","body":"wired up"}`,
	}.Event(t)
	first, err := handle(context.Background(), post)
	if err != nil || first.StatusCode != http.StatusCreated {
		t.Fatalf("submit: %d %v %s", first.StatusCode, err, first.Body)
	}
	again, err := handle(context.Background(), post)
	if err != nil || again.Body != first.Body || again.Headers["Idempotent-Replayed"] != "true" {
		t.Fatalf("retry: %v %+v", err, again)
	}
	list, err := handle(context.Background(), eventtest.Spec{Route: "GET /articles/{slug}/comments", Params: map[string]string{"slug": "wired"}}.Event(t))
	if err != nil || list.StatusCode != http.StatusOK || !strings.Contains(list.Body, "wired up") || strings.Contains(list.Body, "ada@example.com") {
		t.Fatalf("list: %d %v %s", list.StatusCode, err, list.Body)
	}
	if got, err := store.ArticleByID(context.Background(), a.ID); err != nil || got.CommentCount != 1 {
		t.Fatalf("count: %+v %v", got, err)
	}
}

// article stores a published article open for comments; edit may change it.
func (f *fixture) article(slug string, edit func(a *broadsheet.Article)) *broadsheet.Article {
	f.t.Helper()
	now := f.clock.Now()
	a := &broadsheet.Article{
		ID: broadsheet.NewID(), Slug: slug, Title: "Title of " + slug, Body: "Body", BodyHTML: "<p>Body</p>",
		Author: broadsheet.Author{Name: "Staff"}, Status: broadsheet.StatusPublished,
		PublishedAt: now.Add(-time.Hour), CreatedAt: now.Add(-time.Hour), UpdatedAt: now.Add(-time.Hour),
		Version: 1, CommentsOpen: true,
	}
	if edit != nil {
		edit(a)
	}
	if err := f.store.CreateArticle(context.Background(), a); err != nil {
		f.t.Fatal(err)
	}
	return a
}

// localClient is a DynamoDB Local client for bursts of 200–400 concurrent
// requests on two shared cores. It has no per-attempt timeout (the production
// client's 2 s is sized for DynamoDB), and retries without the SDK's client
// side retry quota: DynamoDB Local serialises transactions on a hot item with
// a lock and answers 500 "timed out waiting for a lock" where DynamoDB would
// cancel with TransactionConflict. The SDK's retries reuse the transaction's
// ClientRequestToken, so they cannot apply a transaction twice.
func localClient(endpoint string) *dynamodb.Client {
	return dynamodb.NewFromConfig(ddblocal.AWSConfig(), func(o *dynamodb.Options) {
		o.BaseEndpoint = aws.String(endpoint)
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
			so.MaxAttempts = 10
			so.RateLimiter = ratelimit.None
		})
	})
}

type answer struct {
	apigw.Response
	json map[string]any
}

func (a answer) str(k string) string { s, _ := a.json[k].(string); return s }

func (a answer) errCode() string {
	e, _ := a.json["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}

func (a answer) errField(field string) string {
	e, _ := a.json["error"].(map[string]any)
	fs, _ := e["fields"].(map[string]any)
	s, _ := fs[field].(string)
	return s
}

func (f *fixture) do(rt apigw.Router, s eventtest.Spec) answer {
	f.t.Helper()
	ev := s.Event(f.t)
	resp, err := rt.Handle(context.Background(), ev)
	if err != nil {
		f.t.Fatalf("%s: handler returned a Go error: %v", s.Route, err)
	}
	contract.ValidateEventResponse(f.t, ev, resp) // every answer agrees with openapi.yaml
	a := answer{Response: resp}
	if resp.Body != "" {
		if err := json.Unmarshal([]byte(resp.Body), &a.json); err != nil {
			f.t.Fatalf("%s: answer is not JSON: %q", s.Route, resp.Body)
		}
	}
	return a
}

// post submits a comment as a browser would.
func (f *fixture) post(slug string, body map[string]any, ip string, headers ...string) answer {
	f.t.Helper()
	h := map[string]string{"Content-Type": "application/json"}
	for i := 0; i+1 < len(headers); i += 2 {
		h[headers[i]] = headers[i+1]
	}
	return f.do(f.pub, eventtest.Spec{
		Route: "POST /articles/{slug}/comments", Params: map[string]string{"slug": slug},
		Headers: h, Body: eventtest.JSONBody(body), IP: ip,
	})
}

func (f *fixture) list(slug string, query map[string]string) answer {
	f.t.Helper()
	return f.do(f.pub, eventtest.Spec{Route: "GET /articles/{slug}/comments", Params: map[string]string{"slug": slug}, Query: query})
}

func (f *fixture) moderate(id, status string) answer {
	f.t.Helper()
	return f.do(f.adm, eventtest.Spec{
		Route: "PATCH /admin/comments/{id}", Params: map[string]string{"id": id}, Editor: true,
		Headers: map[string]string{"content-type": "application/json"}, Body: `{"status":"` + status + `"}`,
	})
}

func (f *fixture) remove(id string) answer {
	f.t.Helper()
	return f.do(f.adm, eventtest.Spec{Route: "DELETE /admin/comments/{id}", Params: map[string]string{"id": id}, Editor: true})
}

func (f *fixture) count(a *broadsheet.Article) int64 {
	f.t.Helper()
	got, err := f.store.ArticleByID(context.Background(), a.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	return got.CommentCount
}

// stored lists every comment in a status (walking all pages).
func (f *fixture) stored(status broadsheet.CommentStatus) []*broadsheet.Comment {
	f.t.Helper()
	var out []*broadsheet.Comment
	var after map[string]string
	for {
		page, err := f.store.CommentsByStatus(context.Background(), status, 100, after)
		if err != nil {
			f.t.Fatal(err)
		}
		out = append(out, page.Items...)
		if page.Next == nil {
			return out
		}
		after = page.Next
	}
}

// publicIDs walks the public list of an article, page by page.
func (f *fixture) publicIDs(slug string, limit int) []string {
	f.t.Helper()
	var ids []string
	q := map[string]string{"limit": strconv.Itoa(limit)}
	for pages := 0; ; pages++ {
		a := f.list(slug, q)
		if a.StatusCode != http.StatusOK {
			f.t.Fatalf("list: %d %s", a.StatusCode, a.Body)
		}
		for _, it := range a.json["items"].([]any) {
			ids = append(ids, it.(map[string]any)["id"].(string))
		}
		next, _ := a.json["nextCursor"].(string)
		if next == "" || pages > 1000 {
			return ids
		}
		q["cursor"] = next
	}
}

func comment(email, body string) map[string]any {
	return map[string]any{"name": "Reader", "email": email, "body": body}
}

// TestSubmissionAnswers walks every answer the contract lists for
// POST /articles/{slug}/comments, over events shaped as API Gateway sends them.
func TestSubmissionAnswers(t *testing.T) {
	f := newFixture(t, "first-time")
	f.article("open", nil)
	f.article("closed", func(a *broadsheet.Article) { a.CommentsOpen = false })
	f.article("draft", func(a *broadsheet.Article) { a.Status = broadsheet.StatusDraft })
	f.article("scheduled", func(a *broadsheet.Article) { a.PublishedAt = f.clock.Now().Add(24 * time.Hour) })
	gone := f.article("deleted", nil)
	if err := f.store.DeleteArticle(context.Background(), gone); err != nil {
		t.Fatal(err)
	}
	f.post("open", comment("first@example.com", "An earlier comment"), "198.51.100.1") // for the 409 row
	f.clock.Advance(time.Minute)                                                       // its flood window is over
	f.post("open", comment("quick@example.com", "A first quick one"), "198.51.100.7")  // for the 429 row, 0 s ago

	jsonCT := map[string]string{"content-type": "application/json; charset=utf-8"}
	tests := []struct {
		name    string
		slug    string
		headers map[string]string
		body    string
		status  int
		code    string // error code, or the comment status for 201
		field   string // the field named in error.fields
	}{
		{"a first-time commenter waits", "open", jsonCT, `{"name":"Ann","email":"ann@example.com","body":"Hello"}`, 201, "pending", ""},
		{"name is required", "open", jsonCT, `{"email":"ann@example.com","body":"Hello"}`, 400, "validation_failed", "name"},
		{"email is required", "open", jsonCT, `{"name":"Ann","body":"Hello"}`, 400, "validation_failed", "email"},
		{"body is required", "open", jsonCT, `{"name":"Ann","email":"ann@example.com","body":"   "}`, 400, "validation_failed", "body"},
		{"bad email", "open", jsonCT, `{"name":"Ann","email":"Ann <ann@example.com>","body":"Hello"}`, 400, "validation_failed", "email"},
		{"bad website", "open", jsonCT, `{"name":"Ann","email":"ann@example.com","website":"javascript:alert(1)","body":"Hello"}`, 400, "validation_failed", "website"},
		{"body over the limit", "open", jsonCT, eventtest.JSONBody(comment("ann@example.com", strings.Repeat("x", 5001))), 400, "validation_failed", "body"},
		{"control character in body", "open", jsonCT, `{"name":"Ann","email":"ann@example.com","body":"a\u0000b"}`, 400, "validation_failed", "body"},
		{"unknown parentId", "open", jsonCT, `{"name":"Ann","email":"ann@example.com","body":"Hi","parentId":"01JD0000000000000000000000"}`, 400, "validation_failed", "parentId"},
		{"wrong type", "open", jsonCT, `{"name":"Ann","email":["x"],"body":"Hi"}`, 400, "validation_failed", "email"},
		{"malformed JSON", "open", jsonCT, `{"name":`, 400, "bad_request", ""},
		{"not JSON", "open", map[string]string{"content-type": "text/plain"}, `name=Ann`, 415, "unsupported_media_type", ""},
		{"no content type", "open", nil, `{}`, 415, "unsupported_media_type", ""},
		{"body over 64 KiB", "open", jsonCT, eventtest.JSONBody(comment("ann@example.com", strings.Repeat("x", 70<<10))), 413, "payload_too_large", ""},
		{"bad Idempotency-Key", "open", map[string]string{"content-type": "application/json", "idempotency-key": strings.Repeat("k", 201)}, `{"name":"Ann","email":"ann@example.com","body":"Hello"}`, 400, "bad_request", ""},
		{"comments closed", "closed", jsonCT, `{"name":"Ann","email":"ann@example.com","body":"Hello"}`, 403, "comments_closed", ""},
		{"unknown article", "nope", jsonCT, `{"name":"Ann","email":"ann@example.com","body":"Hello"}`, 404, "not_found", ""},
		{"draft article", "draft", jsonCT, `{"name":"Ann","email":"ann@example.com","body":"Hello"}`, 404, "not_found", ""},
		{"scheduled article", "scheduled", jsonCT, `{"name":"Ann","email":"ann@example.com","body":"Hello"}`, 404, "not_found", ""},
		{"deleted article", "deleted", jsonCT, `{"name":"Ann","email":"ann@example.com","body":"Hello"}`, 404, "not_found", ""},
		{"slug that cannot exist", "Not_A_Slug", jsonCT, `{"name":"Ann","email":"ann@example.com","body":"Hello"}`, 404, "not_found", ""},
		{"duplicate", "open", jsonCT, `{"name":"Ann","email":"FIRST@example.com","body":"an  EARLIER comment"}`, 409, "duplicate_comment", ""},
		{"flood from the same address", "open", jsonCT, `{"name":"Bo","email":"bo@example.com","body":"Quick"}`, 429, "rate_limited", ""},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.t = t
			ip := fmt.Sprintf("192.0.2.%d", i+1)
			if tt.code == "rate_limited" {
				ip = "198.51.100.7" // the address of the quick comment, 0 s ago
			}
			a := f.do(f.pub, eventtest.Spec{
				Route: "POST /articles/{slug}/comments", Params: map[string]string{"slug": tt.slug},
				Headers: tt.headers, Body: tt.body, IP: ip,
			})
			if a.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", a.StatusCode, tt.status, a.Body)
			}
			if tt.status == 201 {
				if a.str("status") != tt.code || a.str("id") == "" {
					t.Fatalf("201 answer %s, want status %s", a.Body, tt.code)
				}
				return
			}
			if a.errCode() != tt.code {
				t.Fatalf("error code %q, want %q: %s", a.errCode(), tt.code, a.Body)
			}
			if tt.field != "" && a.errField(tt.field) == "" {
				t.Fatalf("want fields.%s in %s", tt.field, a.Body)
			}
			if tt.status == 429 {
				if ra, _ := strconv.Atoi(a.Headers["Retry-After"]); ra < 1 || ra > 15 {
					t.Fatalf("Retry-After %q, want 1..15", a.Headers["Retry-After"])
				}
			}
		})
	}
}

// TestListAnswers covers the public list: 200 with cache headers, 304, 404,
// bad limit and forged cursors.
func TestListAnswers(t *testing.T) {
	f := newFixture(t, "none")
	f.article("open", nil)
	f.article("draft", func(a *broadsheet.Article) { a.Status = broadsheet.StatusDraft })
	for i := range 3 {
		f.clock.Advance(time.Minute)
		if a := f.post("open", comment(fmt.Sprintf("r%d@example.com", i), fmt.Sprintf("comment %d", i)), ""); a.StatusCode != 201 || a.str("status") != "approved" {
			t.Fatalf("post: %d %s", a.StatusCode, a.Body)
		}
	}
	first := f.list("open", map[string]string{"limit": "2"})
	if first.StatusCode != 200 || first.Headers["Cache-Control"] != comments.CacheControl || first.Headers["ETag"] == "" {
		t.Fatalf("list: %d %v", first.StatusCode, first.Headers)
	}
	items := first.json["items"].([]any)
	if len(items) != 2 || items[0].(map[string]any)["body"] != "comment 0" || first.str("nextCursor") == "" {
		t.Fatalf("want the two oldest first and a cursor: %s", first.Body)
	}
	cur := first.str("nextCursor")
	tests := []struct {
		name   string
		slug   string
		query  map[string]string
		hdr    map[string]string
		status int
		code   string
	}{
		{"next page", "open", map[string]string{"cursor": cur}, nil, 200, ""},
		{"not modified", "open", map[string]string{"limit": "2"}, map[string]string{"if-none-match": first.Headers["ETag"]}, 304, ""},
		{"limit 0", "open", map[string]string{"limit": "0"}, nil, 400, "validation_failed"},
		{"limit 51", "open", map[string]string{"limit": "51"}, nil, 400, "validation_failed"},
		{"forged cursor", "open", map[string]string{"cursor": "AAAA" + cur[4:]}, nil, 400, "invalid_cursor"},
		{"garbage cursor", "open", map[string]string{"cursor": "%%%"}, nil, 400, "invalid_cursor"},
		{"unknown article", "nope", nil, nil, 404, "not_found"},
		{"draft article", "draft", nil, nil, 404, "not_found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.t = t
			a := f.do(f.pub, eventtest.Spec{Route: "GET /articles/{slug}/comments", Params: map[string]string{"slug": tt.slug}, Query: tt.query, Headers: tt.hdr})
			if a.StatusCode != tt.status || (tt.code != "" && a.errCode() != tt.code) {
				t.Fatalf("got %d %s, want %d %s", a.StatusCode, a.Body, tt.status, tt.code)
			}
		})
	}
	f.t = t
	// A cursor from another article's list is refused, never served.
	f.article("other", nil)
	if a := f.list("other", map[string]string{"cursor": cur}); a.errCode() != "invalid_cursor" {
		t.Fatalf("transplanted cursor: %d %s", a.StatusCode, a.Body)
	}
}
