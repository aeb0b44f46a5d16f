package comments_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"broadsheet/internal/broadsheet"
	"broadsheet/internal/dynamo"
	"broadsheet/internal/handlers/articles"
	"broadsheet/internal/local/ddblocal"
	"broadsheet/internal/testkit/eventtest"
)

// syncBuffer collects log output from concurrent handlers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// TestEmailNeverLeaks posts with a marker address and walks every public
// answer — successes, 400, 409, 429, 503, replays, lists, cursors decoded to
// raw bytes, the article and the article list, every header — and every log
// line written meanwhile (at DEBUG), failing if the address or its local part
// shows up in any case.
func TestEmailNeverLeaks(t *testing.T) {
	const marker = "Privacy.Marker.Q7x@Example.ORG"
	needles := []string{strings.ToLower(marker), "privacy.marker.q7x"}

	logs := &syncBuffer{}
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	t.Cleanup(func() { slog.SetDefault(prev) })

	f := newFixture(t, "first-time")
	f.article("private", nil)
	art := &articles.Handler{Store: f.store, Cursors: f.h.Cursors, Now: f.clock.Now}
	var seen []string // everything the public could read
	keep := func(what string, a answer) answer {
		t.Helper()
		seen = append(seen, what+" body: "+a.Body)
		for k, v := range a.Headers {
			seen = append(seen, what+" header "+k+": "+v)
		}
		for _, v := range a.MultiValueHeaders {
			seen = append(seen, what+" headers: "+strings.Join(v, ","))
		}
		for _, c := range a.Cookies {
			seen = append(seen, what+" cookie: "+c)
		}
		if cur, _ := a.json["nextCursor"].(string); cur != "" {
			raw, err := base64.RawURLEncoding.DecodeString(cur)
			if err != nil {
				t.Fatalf("%s: cursor is not base64url: %v", what, err)
			}
			seen = append(seen, what+" cursor bytes: "+string(raw), what+" cursor: "+cur)
		}
		return a
	}
	post := func(what string, body map[string]any, ip string, hdr ...string) answer {
		return keep(what, f.post("private", body, ip, hdr...))
	}

	first := post("first POST", comment(marker, "My private thoughts"), "192.0.2.1", "Idempotency-Key", "privacy-1")
	if first.StatusCode != 201 {
		t.Fatalf("first: %d %s", first.StatusCode, first.Body)
	}
	post("replayed POST", comment(marker, "My private thoughts"), "192.0.2.1", "Idempotency-Key", "privacy-1")
	if a := post("429", comment(marker, "Too soon"), "192.0.2.2"); a.StatusCode != 429 {
		t.Fatalf("want 429: %d", a.StatusCode)
	}
	f.clock.Advance(time.Minute)
	if a := post("409", comment(strings.ToUpper(marker), "my PRIVATE thoughts"), "192.0.2.3"); a.StatusCode != 409 {
		t.Fatalf("want 409: %d", a.StatusCode)
	}
	if a := post("400 bad email", comment("Privacy.Marker.Q7x@Example", "Hello"), "192.0.2.4"); a.StatusCode != 400 {
		t.Fatalf("want 400: %d", a.StatusCode)
	}
	bad := comment(marker, "Hello")
	bad["website"] = "mailto:" + marker
	if a := post("400 bad website", bad, "192.0.2.5"); a.StatusCode != 400 {
		t.Fatalf("want 400: %d", a.StatusCode)
	}
	typed := `{"name":"X","email":{"address":"` + marker + `"},"body":"Hi"}`
	keep("400 wrong type", f.do(f.pub, eventtest.Spec{Route: "POST /articles/{slug}/comments", Params: map[string]string{"slug": "private"},
		Headers: map[string]string{"content-type": "application/json"}, Body: typed}))

	// Approved (and so public) comments from the marker: approve, then post
	// again as a returning commenter, so lists have two pages.
	if m := f.moderate(first.str("id"), "approved"); m.StatusCode != 200 {
		t.Fatalf("approve: %d", m.StatusCode)
	}
	f.clock.Advance(time.Minute)
	if a := post("approved POST", comment(marker, "Second thoughts"), "192.0.2.6"); a.str("status") != "approved" {
		t.Fatalf("returning commenter: %s", a.Body)
	}
	page1 := keep("comments page 1", f.list("private", map[string]string{"limit": "1"}))
	keep("comments page 2", f.list("private", map[string]string{"limit": "1", "cursor": page1.str("nextCursor")}))
	keep("article", f.do(art.Router(), eventtest.Spec{Route: "GET /articles/{slug}", Params: map[string]string{"slug": "private"}}))
	keep("article list", f.do(art.Router(), eventtest.Spec{Route: "GET /articles", Query: map[string]string{"limit": "1"}}))

	// Storage down: the 503 and its log lines must not carry the address either.
	down := *f.h
	down.Store = &dynamo.Store{DB: dynamodb.NewFromConfig(ddblocal.AWSConfig(), func(o *dynamodb.Options) {
		o.BaseEndpoint, o.RetryMaxAttempts = aws.String("http://127.0.0.1:1"), 1
	}), Table: "nowhere"}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, _ := down.Router().Handle(ctx, eventtest.Spec{Route: "POST /articles/{slug}/comments", Params: map[string]string{"slug": "private"},
		Headers: map[string]string{"content-type": "application/json"}, Body: eventtest.JSONBody(comment(marker, "Anyone there?"))}.Event(t))
	if resp.StatusCode != 503 {
		t.Fatalf("want 503 with storage down, got %d %s", resp.StatusCode, resp.Body)
	}
	keep("503", answer{Response: resp})

	if len(seen) < 20 || !strings.Contains(logs.String(), `"status":201`) {
		t.Fatalf("the walk saw too little (%d answers parts; logs %d bytes)", len(seen), len(logs.String()))
	}
	for _, s := range append(seen, "log: "+logs.String()) {
		for _, n := range needles {
			if strings.Contains(strings.ToLower(s), n) {
				t.Errorf("the email leaked: %.300s", s)
			}
		}
	}
	// The address is stored for moderators, though.
	stored, err := f.store.CommentByID(context.Background(), first.str("id"))
	if err != nil || stored.Email != marker || stored.Status != broadsheet.CommentApproved {
		t.Fatalf("stored comment: %+v %v", stored, err)
	}
}
