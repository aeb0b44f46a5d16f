package comments_test

import (
	"context"
	"io"
	"mime/quotedprintable"
	netmail "net/mail"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/broadsheet"
	"broadsheet/internal/handlers/comments"
	"broadsheet/internal/memstore"
	"broadsheet/internal/testkit/contract"
	"broadsheet/internal/testkit/eventtest"
)

// newVerifyingFixture is the fixture with COMMENT_VERIFICATION=on and mail
// written to a directory, as the local runtime configures it.
func newVerifyingFixture(t *testing.T, moderation string) (*fixture, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "mail")
	env := map[string]string{"SIGNING_SECRET": "0123456789abcdef0123456789abcdef", "COMMENT_MODERATION": moderation,
		"COMMENT_FLOOD_SECONDS": "15", "COMMENT_VERIFICATION": "on", "MAIL_DIR": dir, "SITE_NAME": "The Daily"}
	h, err := comments.Configure(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, moderation)
	store := f.store.(*memstore.Store)
	h.Store, h.Now = store, f.clock.Now
	f.h, f.pub = h, h.Router()
	return f, dir
}

// mails reads every .eml in dir, oldest first, as a mail reader would.
func mails(t *testing.T, dir string) []*netmail.Message {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
	var out []*netmail.Message
	for _, name := range files {
		raw, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		m, err := netmail.ReadMessage(strings.NewReader(string(raw)))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out = append(out, m)
	}
	return out
}

var verifyLink = regexp.MustCompile(`https?://\S+/comments/verify\?token=(\S+)`)

func linkToken(t *testing.T, m *netmail.Message) string {
	t.Helper()
	body, _ := io.ReadAll(quotedprintable.NewReader(m.Body))
	found := verifyLink.FindStringSubmatch(string(body))
	if found == nil {
		t.Fatalf("no verification link in %q", body)
	}
	tok, err := url.QueryUnescape(found[1])
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// html sends one event to the verification routes and checks the answer
// against the contract; the answers are pages, not JSON.
func (f *fixture) html(s eventtest.Spec) (int, string) {
	f.t.Helper()
	ev := s.Event(f.t)
	resp, err := f.pub.Handle(context.Background(), ev)
	if err != nil {
		f.t.Fatalf("%s: %v", s.Route, err)
	}
	contract.ValidateEventResponse(f.t, ev, resp)
	if !strings.HasPrefix(resp.Headers["Content-Type"], "text/html") || resp.Headers["Cache-Control"] != "no-store" {
		f.t.Fatalf("%s: headers %v", s.Route, resp.Headers)
	}
	return resp.StatusCode, resp.Body
}

// TestVerificationThroughTheRoutes: the first comment is held and one
// message lands in the mail directory; opening the link changes nothing;
// pressing the button publishes the comment; the same email from another
// network is held again.
func TestVerificationThroughTheRoutes(t *testing.T) {
	f, dir := newVerifyingFixture(t, "none")
	f.article("open", nil)
	a := f.post("open", comment("reader@example.com", "Verified words"), "198.51.100.1")
	if a.StatusCode != 201 || a.str("status") != "pending" {
		t.Fatalf("first comment: %d %s, want 201 pending", a.StatusCode, a.Body)
	}
	box := mails(t, dir)
	if len(box) != 1 {
		t.Fatalf("%d messages, want 1", len(box))
	}
	if to, _ := box[0].Header.AddressList("To"); len(to) != 1 || to[0].Address != "reader@example.com" {
		t.Fatalf("To %v", box[0].Header.Get("To"))
	}
	if from, _ := box[0].Header.AddressList("From"); len(from) != 1 || from[0].Name != "The Daily" {
		t.Fatalf("From %v", box[0].Header.Get("From"))
	}
	token := linkToken(t, box[0])

	// Opening the link (as a mail scanner would) only shows the button.
	status, page := f.html(eventtest.Spec{Route: "GET /comments/verify", Query: map[string]string{"token": token}})
	if status != 200 || !strings.Contains(page, `<form method="post"`) || !strings.Contains(page, `name="token"`) {
		t.Fatalf("verify page: %d %s", status, page)
	}
	if got := f.stored(broadsheet.CommentPending); len(got) != 1 {
		t.Fatalf("opening the link changed the comment: %d pending", len(got))
	}
	status, page = f.html(eventtest.Spec{Route: "POST /comments/verify",
		Headers: map[string]string{"content-type": "application/x-www-form-urlencoded"}, Body: "token=" + url.QueryEscape(token)})
	if status != 200 || !strings.Contains(page, "your comment is published") || !strings.Contains(page, "/a/open#comments") {
		t.Fatalf("confirm: %d %s", status, page)
	}
	if got := f.stored(broadsheet.CommentApproved); len(got) != 1 {
		t.Fatalf("after confirming: %d approved, want 1", len(got))
	}
	f.clock.Advance(time.Minute)
	if a := f.post("open", comment("reader@example.com", "From the same network"), "198.51.100.1"); a.str("status") != "approved" {
		t.Fatalf("verified pair: %s", a.Body)
	}
	f.clock.Advance(time.Hour)
	if a := f.post("open", comment("reader@example.com", "From somewhere else"), "203.0.113.50"); a.str("status") != "pending" {
		t.Fatalf("same email, another network: %s, want pending", a.Body)
	}
	if n := len(mails(t, dir)); n != 2 {
		t.Fatalf("%d messages, want 2 (the second link goes to the owner)", n)
	}
	// Broken and forged links get a page that says so.
	for _, bad := range []string{"", "nonsense", token[:len(token)-1] + "x"} {
		status, page := f.html(eventtest.Spec{Route: "POST /comments/verify",
			Headers: map[string]string{"content-type": "application/x-www-form-urlencoded"}, Body: "token=" + url.QueryEscape(bad)})
		if status != 400 || !strings.Contains(page, "This link does not work") {
			t.Errorf("token %q: %d %.200s", bad, status, page)
		}
	}
}

func TestVerificationNeedsASender(t *testing.T) {
	env := map[string]string{"SIGNING_SECRET": "0123456789abcdef0123456789abcdef", "COMMENT_VERIFICATION": "on"}
	if _, err := comments.Configure(func(k string) string { return env[k] }); err == nil || !strings.Contains(err.Error(), "MAIL_FROM") {
		t.Fatalf("verification without a sender: %v", err)
	}
	env["COMMENT_VERIFICATION"] = "yes"
	if _, err := comments.Configure(func(k string) string { return env[k] }); err == nil {
		t.Fatal("COMMENT_VERIFICATION=yes accepted")
	}
}
