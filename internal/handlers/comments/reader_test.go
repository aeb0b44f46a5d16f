package comments_test

import (
	"io"
	"mime/quotedprintable"
	netmail "net/mail"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/broadsheet"
	"broadsheet/internal/testkit/eventtest"
)

func mailText(t *testing.T, m *netmail.Message) string {
	t.Helper()
	body, err := io.ReadAll(quotedprintable.NewReader(m.Body))
	if err != nil {
		t.Fatal(err)
	}
	return string(body)
}

var form = map[string]string{"content-type": "application/x-www-form-urlencoded"}

// TestReplyNotificationThroughTheRoutes: Ada opts in and follows her link;
// Bob's reply, published by his link, puts one .eml in the mail directory
// for Ada with the reply's link and RFC 8058 headers; the unsubscribe
// link's GET changes nothing, a one-click POST (token in the query, as
// mail clients send it) stops further mail.
func TestReplyNotificationThroughTheRoutes(t *testing.T) {
	f, dir := newVerifyingFixture(t, "none")
	f.article("open", nil)
	withOptIn := comment("ada@example.com", "A question")
	withOptIn["notifyReplies"] = true
	parent := f.post("open", withOptIn, "198.51.100.1")
	f.html(eventtest.Spec{Route: "POST /comments/verify", Headers: form, Body: "token=" + url.QueryEscape(linkToken(t, mails(t, dir)[0]))})
	f.clock.Advance(time.Minute)
	reply := comment("bob@example.com", "An answer")
	reply["parentId"] = parent.str("id")
	r := f.post("open", reply, "198.51.100.2")
	f.html(eventtest.Spec{Route: "POST /comments/verify", Headers: form, Body: "token=" + url.QueryEscape(linkToken(t, mails(t, dir)[1]))})
	box := mails(t, dir)
	if len(box) != 3 {
		t.Fatalf("%d messages, want 3 (two links, one notification)", len(box))
	}
	n := box[2]
	if to, _ := n.Header.AddressList("To"); len(to) != 1 || to[0].Address != "ada@example.com" {
		t.Fatalf("notification To %q", n.Header.Get("To"))
	}
	if got := n.Header.Get("List-Unsubscribe-Post"); got != "List-Unsubscribe=One-Click" {
		t.Fatalf("List-Unsubscribe-Post %q", got)
	}
	unsub := regexp.MustCompile(`^<(https?://\S+/comments/unsubscribe)\?token=(\S+)>$`).FindStringSubmatch(n.Header.Get("List-Unsubscribe"))
	if unsub == nil {
		t.Fatalf("List-Unsubscribe %q", n.Header.Get("List-Unsubscribe"))
	}
	if text := mailText(t, n); !strings.Contains(text, "/a/open#comment-"+r.str("id")) || strings.Contains(text, "bob@example.com") {
		t.Fatalf("notification text %q", text)
	}
	token, _ := url.QueryUnescape(unsub[2])
	status, page := f.html(eventtest.Spec{Route: "GET /comments/unsubscribe", Query: map[string]string{"token": token}})
	if status != 200 || !strings.Contains(page, "Unsubscribe</button>") {
		t.Fatalf("unsubscribe page: %d %s", status, page)
	}
	if c, _ := f.store.CommentByID(t.Context(), parent.str("id")); c.Notify != broadsheet.NotifyOn {
		t.Fatal("opening the unsubscribe link changed the opt-in")
	}
	status, page = f.html(eventtest.Spec{Route: "POST /comments/unsubscribe", Headers: form, Query: map[string]string{"token": token},
		Body: "List-Unsubscribe=One-Click"})
	if status != 200 || !strings.Contains(page, "no more mail") {
		t.Fatalf("one-click unsubscribe: %d %s", status, page)
	}
	if c, _ := f.store.CommentByID(t.Context(), parent.str("id")); c.Notify != broadsheet.NotifyNone {
		t.Fatalf("after unsubscribing: %q", c.Notify)
	}
	if status, _ := f.html(eventtest.Spec{Route: "POST /comments/unsubscribe", Headers: form, Body: "token=forged." + strings.Repeat("0", 32)}); status != 400 {
		t.Fatalf("forged unsubscribe: %d", status)
	}
}

// TestForgetMeThroughTheRoutes: 202 alike for an address with comments and
// one without; only the first gets mail; the link's page changes nothing,
// its button erases the email, and the public list shows the comment as
// Anonymous with no website.
func TestForgetMeThroughTheRoutes(t *testing.T) {
	f, dir := newVerifyingFixture(t, "none")
	f.article("open", nil)
	c := comment("ada@example.com", "Remember this")
	c["website"] = "https://ada.example"
	posted := f.post("open", c, "198.51.100.1")
	f.html(eventtest.Spec{Route: "POST /comments/verify", Headers: form, Body: "token=" + url.QueryEscape(linkToken(t, mails(t, dir)[0]))})
	before := f.list("open", nil)
	ask := func(email, ip string) answer {
		return f.do(f.pub, eventtest.Spec{Route: "POST /comments/forget", Headers: map[string]string{"Content-Type": "application/json"},
			Body: `{"email":"` + email + `"}`, IP: ip})
	}
	known, unknown := ask("ada@example.com", "192.0.2.1"), ask("nobody@example.com", "192.0.2.2")
	if known.StatusCode != 202 || unknown.StatusCode != 202 || known.Body != unknown.Body {
		t.Fatalf("answers differ: %d %s / %d %s", known.StatusCode, known.Body, unknown.StatusCode, unknown.Body)
	}
	if again := ask("nobody@example.com", "192.0.2.2"); again.StatusCode != 429 {
		t.Fatalf("the same client again: %d", again.StatusCode)
	}
	if bad := ask("not-an-address", "192.0.2.3"); bad.StatusCode != 400 || !strings.Contains(bad.Body, `"email"`) {
		t.Fatalf("bad address: %d %s", bad.StatusCode, bad.Body)
	}
	box := mails(t, dir)
	if len(box) != 2 {
		t.Fatalf("%d messages, want the verification link and one forget link", len(box))
	}
	found := regexp.MustCompile(`https?://\S+/comments/forget/confirm\?token=(\S+)`).FindStringSubmatch(mailText(t, box[1]))
	if found == nil {
		t.Fatalf("no forget link in %q", mailText(t, box[1]))
	}
	token, _ := url.QueryUnescape(found[1])
	status, page := f.html(eventtest.Spec{Route: "GET /comments/forget/confirm", Query: map[string]string{"token": token}})
	if status != 200 || !strings.Contains(page, "Remove my email</button>") {
		t.Fatalf("forget page: %d %s", status, page)
	}
	if got := f.list("open", nil); got.Body != before.Body {
		t.Fatal("opening the forget link changed the list")
	}
	status, page = f.html(eventtest.Spec{Route: "POST /comments/forget/confirm", Headers: form, Body: "token=" + url.QueryEscape(token)})
	if status != 200 || !strings.Contains(page, "removed from 1 comment") {
		t.Fatalf("forget: %d %s", status, page)
	}
	after := f.list("open", nil)
	if !strings.Contains(after.Body, `"name":"Anonymous"`) || strings.Contains(after.Body, "ada.example") || !strings.Contains(after.Body, "Remember this") {
		t.Fatalf("list after forget: %s", after.Body)
	}
	if after.Headers["ETag"] == "" || after.Headers["ETag"] == before.Headers["ETag"] {
		t.Fatalf("ETag unchanged: %q", after.Headers["ETag"])
	}
	if c, _ := f.store.CommentByID(t.Context(), posted.str("id")); c.Email != "" {
		t.Fatal("email kept")
	}
}
