package editor_test

import (
	"context"
	"errors"
	"io"
	"mime/quotedprintable"
	netmail "net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"broadsheet/internal/broadsheet"
	"broadsheet/internal/comments"
	"broadsheet/internal/mail"
	"broadsheet/internal/testkit/eventtest"
)

// withReplies gives the editor reply notifications into sender.
func (e *env) withReplies(sender mail.Sender) {
	h := e.h
	h.Comments.Replies = &comments.Replies{Mail: sender, From: netmail.Address{Name: "News", Address: "comments@news.example"}, SiteName: "News"}
	h.Comments.SiteURL, h.Comments.APIURL = "https://news.example", "https://api.news.example"
	e.rt = h.Router()
}

// thread stores an approved parent whose author's opt-in is proven, and a
// pending reply to it by someone else.
func (e *env) thread() (parent, reply *broadsheet.Comment) {
	e.t.Helper()
	ctx := context.Background()
	a := e.article()
	parent = &broadsheet.Comment{ID: broadsheet.NewID(), ArticleID: a.ID, ArticleSlug: a.Slug, Name: "Ada", Email: "ada@example.com",
		EmailHash: e.id.Email("ada@example.com"), Body: "Question?", Status: broadsheet.CommentApproved, CreatedAt: e.now, Notify: broadsheet.NotifyOn}
	reply = &broadsheet.Comment{ID: broadsheet.NewID(), ArticleID: a.ID, ArticleSlug: a.Slug, ParentID: parent.ID, Name: "Bob", Email: "bob@example.com",
		EmailHash: e.id.Email("bob@example.com"), Body: "Answer.", Status: broadsheet.CommentPending, CreatedAt: e.now}
	for _, c := range []*broadsheet.Comment{parent, reply} {
		if err := e.store.SubmitComment(ctx, &broadsheet.Submission{Comment: c, Now: e.now}); err != nil {
			e.t.Fatal(err)
		}
	}
	return parent, reply
}

func (e *env) approve(id string) reply {
	e.t.Helper()
	return e.do(eventtest.Spec{Route: "PATCH /admin/comments/{id}", Params: map[string]string{"id": id}, Editor: true,
		Headers: map[string]string{"Content-Type": "application/json"}, Body: `{"status":"approved"}`})
}

// TestApprovalNotifiesTheParent: the editor's approval of a reply mails
// the opted-in parent's author one message (the .eml parsed back) with the
// reply's link and RFC 8058 one-click headers on the public API's base.
func TestApprovalNotifiesTheParent(t *testing.T) {
	e := newEnv(t)
	dir := filepath.Join(t.TempDir(), "mail")
	e.withReplies(mail.Dir(dir))
	_, r := e.thread()
	if got := e.approve(r.ID); got.status != 200 {
		t.Fatalf("approve: %d %s", got.status, got.raw)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
	if len(files) != 1 {
		t.Fatalf("%d messages, want 1", len(files))
	}
	raw, _ := os.ReadFile(files[0])
	m, err := netmail.ReadMessage(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	text, _ := io.ReadAll(quotedprintable.NewReader(m.Body))
	if to, _ := m.Header.AddressList("To"); len(to) != 1 || to[0].Address != "ada@example.com" {
		t.Fatalf("To %q", m.Header.Get("To"))
	}
	if !strings.HasPrefix(m.Header.Get("List-Unsubscribe"), "<https://api.news.example/comments/unsubscribe?token=") ||
		m.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
		t.Fatalf("headers %v", m.Header)
	}
	if !strings.Contains(string(text), "https://news.example/a/"+r.ArticleSlug+"#comment-"+r.ID) || strings.Contains(string(text), "bob@example.com") {
		t.Fatalf("text %q", text)
	}
	// Approving again changes nothing and mails nothing.
	e.approve(r.ID)
	if files, _ := filepath.Glob(filepath.Join(dir, "*.eml")); len(files) != 1 {
		t.Fatalf("%d messages after a repeated approval", len(files))
	}
}

type brokenMail struct{}

func (brokenMail) Send(context.Context, mail.Message) error { return errors.New("SES: throttled") }

// TestApprovalSurvivesAMailFailure: the mail is after the commit and best
// effort: the PATCH answers 200 and the reply is public.
func TestApprovalSurvivesAMailFailure(t *testing.T) {
	e := newEnv(t)
	e.withReplies(brokenMail{})
	_, r := e.thread()
	if got := e.approve(r.ID); got.status != 200 || got.body["status"] != "approved" {
		t.Fatalf("approve with failing mail: %d %s", got.status, got.raw)
	}
	if c, _ := e.store.CommentByID(context.Background(), r.ID); c.Status != broadsheet.CommentApproved {
		t.Fatalf("stored %s", c.Status)
	}
}
