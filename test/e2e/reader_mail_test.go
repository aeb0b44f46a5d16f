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

// testReaderMail, through the local stack: Ada opts in to reply
// notifications and follows her verification link; Bob's reply, released
// by his link, puts a notification in $DATA_DIR/mail with RFC 8058
// headers, and a one-click POST to its List-Unsubscribe URL stops it.
// Then Ada asks to be forgotten: 202, a mailed link whose page changes
// nothing and whose button signs her comment "Anonymous" in the public
// list and the server-rendered page.
func testReaderMail(t *testing.T) {
	s := newStack(t, stackOptions{env: map[string]string{"COMMENT_FLOOD_SECONDS": "0"}})
	s.createArticle("reader-mail", "Reader mail")
	logs.secret("ada-reader@example.com", "a commenter's email")
	logs.secret("bob-reader@example.com", "a commenter's email")
	box := func(want int) []*netmail.Message {
		t.Helper()
		files, _ := filepath.Glob(filepath.Join(s.dataDir, "mail", "*.eml"))
		if len(files) != want {
			t.Fatalf("%d messages under $DATA_DIR/mail, want %d", len(files), want)
		}
		var out []*netmail.Message
		for _, f := range files {
			raw, _ := os.ReadFile(f)
			m, err := netmail.ReadMessage(strings.NewReader(string(raw)))
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, m)
		}
		return out
	}
	text := func(m *netmail.Message) string {
		b, _ := io.ReadAll(quotedprintable.NewReader(m.Body))
		return string(b)
	}
	form := map[string][]string{"Content-Type": {"application/x-www-form-urlencoded"}}
	follow := func(m *netmail.Message) {
		t.Helper()
		found := mailedLink.FindStringSubmatch(text(m))
		if found == nil {
			t.Fatalf("no verification link in %q", text(m))
		}
		token, _ := url.QueryUnescape(found[2])
		if a := s.do(request{method: "POST", path: "/comments/verify", header: form, body: []byte("token=" + url.QueryEscape(token))}); a.status != 200 {
			t.Fatalf("verify: %s", a)
		}
	}
	post := func(ip string, fields map[string]any) string {
		t.Helper()
		a := s.do(request{method: "POST", path: "/articles/reader-mail/comments", localIP: ip, body: jsonBody(fields)})
		var c struct{ ID string }
		a.json(t, &c)
		if a.status != 201 {
			t.Fatalf("post: %s", a)
		}
		return c.ID
	}
	parent := post("127.5.0.1", map[string]any{"name": "Ada Reader", "email": "ada-reader@example.com", "body": "Who checks the facts?",
		"website": "https://ada-reader.example", "notifyReplies": true})
	follow(box(1)[0])
	reply := post("127.5.0.2", map[string]any{"name": "Bob", "email": "bob-reader@example.com", "body": "The desk does.", "parentId": parent})
	follow(box(2)[1])
	n := box(3)[2]
	if to, _ := n.Header.AddressList("To"); len(to) != 1 || to[0].Address != "ada-reader@example.com" {
		t.Fatalf("notification to %q", n.Header.Get("To"))
	}
	if !strings.Contains(text(n), "/a/reader-mail#comment-"+reply) || n.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
		t.Fatalf("notification: %q %v", text(n), n.Header)
	}
	unsub := regexp.MustCompile(`^<(\S+)>$`).FindStringSubmatch(n.Header.Get("List-Unsubscribe"))
	if unsub == nil || !strings.HasPrefix(unsub[1], s.base+"/comments/unsubscribe?token=") {
		t.Fatalf("List-Unsubscribe %q", n.Header.Get("List-Unsubscribe"))
	}
	path := strings.TrimPrefix(unsub[1], s.base)
	if a := s.do(request{method: "GET", path: path}); a.status != 200 || !strings.Contains(string(a.body), "Unsubscribe</button>") {
		t.Fatalf("unsubscribe page: %s", a)
	}
	if a := s.do(request{method: "POST", path: path, header: form, body: []byte("List-Unsubscribe=One-Click")}); a.status != 200 {
		t.Fatalf("one-click unsubscribe: %s", a)
	}

	// Forget me.
	ask := func(email, ip string) answer {
		return s.do(request{method: "POST", path: "/comments/forget", localIP: ip, body: jsonBody(map[string]any{"email": email})})
	}
	known, unknown := ask("ada-reader@example.com", "127.5.0.3"), ask("nobody-here@example.com", "127.5.0.4")
	if known.status != 202 || unknown.status != 202 || string(known.body) != string(unknown.body) {
		t.Fatalf("forget answers differ: %s / %s", known, unknown)
	}
	forget := box(4)[3]
	found := regexp.MustCompile(`(https?://\S+)(/comments/forget/confirm\?token=\S+)`).FindStringSubmatch(text(forget))
	if found == nil || found[1] != s.base {
		t.Fatalf("no forget link to this stack in %q", text(forget))
	}
	if a := s.do(request{method: "GET", path: found[2]}); a.status != 200 || !strings.Contains(string(a.body), "Remove my email</button>") {
		t.Fatalf("forget page: %s", a)
	}
	if list := s.do(request{method: "GET", path: "/articles/reader-mail/comments"}); !strings.Contains(string(list.body), "Ada Reader") {
		t.Fatal("opening the forget link changed the list")
	}
	u, _ := url.Parse(found[2])
	if a := s.do(request{method: "POST", path: u.Path, header: form, body: []byte("token=" + url.QueryEscape(u.Query().Get("token")))}); a.status != 200 ||
		!strings.Contains(string(a.body), "removed from 1 comment") {
		t.Fatalf("forget: %s", a)
	}
	list := s.do(request{method: "GET", path: "/articles/reader-mail/comments"})
	if strings.Contains(string(list.body), "Ada Reader") || strings.Contains(string(list.body), "ada-reader.example") || !strings.Contains(string(list.body), "Who checks the facts?") {
		t.Fatalf("list after forget: %s", list)
	}
	if page := s.do(request{method: "GET", path: "/a/reader-mail"}); strings.Contains(string(page.body), "Ada Reader") || !strings.Contains(string(page.body), "Anonymous") {
		t.Fatalf("article page after forget still names Ada (or lost the comment)")
	}
}
