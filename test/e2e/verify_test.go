package e2e

import (
	"io"
	"mime/quotedprintable"
	netmail "net/mail"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var mailedLink = regexp.MustCompile(`(https?://\S+/comments/verify)\?token=(\S+)`)

// testVerifiedCommenters, through the local stack as `make local` runs it
// (moderation none, verification on by the template's default): the first
// comment from an address is held and one .eml appears under
// $DATA_DIR/mail/ with the link; opening the link changes nothing, its
// button publishes the comment; the same email from a second address is not
// trusted.
func testVerifiedCommenters(t *testing.T) {
	// The flood window is off so that one reader can post three times in a second.
	s := newStack(t, stackOptions{env: map[string]string{"COMMENT_FLOOD_SECONDS": "0"}})
	s.createArticle("verify-target", "Verify target")
	logs.secret("verified-reader@example.com", "a commenter's email")
	post := func(ip, body string) string {
		a := s.do(request{method: "POST", path: "/articles/verify-target/comments", localIP: ip,
			body: jsonBody(map[string]any{"name": "Reader", "email": "verified-reader@example.com", "body": body})})
		var c struct{ Status string }
		a.json(t, &c)
		if a.status != 201 {
			t.Fatalf("post: %s", a)
		}
		return c.Status
	}
	if got := post("127.4.0.1", "First words"); got != "pending" {
		t.Fatalf("first comment: %s, want pending", got)
	}
	box, _ := filepath.Glob(filepath.Join(s.dataDir, "mail", "*.eml"))
	if len(box) != 1 {
		t.Fatalf("%d messages under $DATA_DIR/mail, want 1", len(box))
	}
	raw, _ := os.ReadFile(box[0])
	m, err := netmail.ReadMessage(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	text, _ := io.ReadAll(quotedprintable.NewReader(m.Body))
	found := mailedLink.FindStringSubmatch(string(text))
	if found == nil || !strings.HasPrefix(found[1], s.base) {
		t.Fatalf("no link to this stack in %q", text)
	}
	token, _ := url.QueryUnescape(found[2])
	page := s.do(request{method: "GET", path: "/comments/verify?token=" + url.QueryEscape(token)})
	if page.status != 200 || !strings.Contains(string(page.body), "Confirm my comment") {
		t.Fatalf("verify page: %s", page)
	}
	if list := s.do(request{method: "GET", path: "/articles/verify-target/comments"}); strings.Contains(string(list.body), "First words") {
		t.Fatal("opening the link published the comment")
	}
	done := s.do(request{method: "POST", path: "/comments/verify",
		header: map[string][]string{"Content-Type": {"application/x-www-form-urlencoded"}}, body: []byte("token=" + url.QueryEscape(token))})
	if done.status != 200 || !strings.Contains(string(done.body), "published") {
		t.Fatalf("confirm: %s", done)
	}
	if list := s.do(request{method: "GET", path: "/articles/verify-target/comments"}); !strings.Contains(string(list.body), "First words") {
		t.Fatalf("after confirming the comment is not listed: %s", list)
	}
	if got := post("127.4.0.1", "Second words"); got != "approved" {
		t.Fatalf("second comment from the verified address: %s, want approved", got)
	}
	if got := post("127.4.0.2", "An impersonator"); got != "pending" {
		t.Fatalf("the same email from a second address: %s, want pending", got)
	}
}
