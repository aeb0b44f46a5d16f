package comments_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/broadsheet"
	"broadsheet/internal/comments"
	bmail "broadsheet/internal/mail"
)

var testLinks = comments.Links{Site: "https://news.example", API: "https://api.example"}

func withReplies(v *verifying) *verifying {
	v.uc.Replies = &comments.Replies{Mail: v.box, From: v.uc.Verification.From, SiteName: "News"}
	v.uc.Links = testLinks
	return v
}

func (v *verifying) say(t *testing.T, name, email, body, ip, parent string, notify bool) *comments.Submitted {
	t.Helper()
	res, err := v.uc.Submit(context.Background(), comments.Submission{Slug: "open", ClientIP: ip, VerifyURL: "https://api.example/comments/verify",
		Input: broadsheet.CommentInput{Name: name, Email: email, Body: body, ParentID: parent, NotifyReplies: notify}}, render)
	if err != nil {
		t.Fatalf("post %q: %v", body, err)
	}
	*v.clock = v.clock.Add(time.Minute)
	return res
}

func (v *verifying) last() bmail.Message {
	v.box.mu.Lock()
	defer v.box.mu.Unlock()
	return v.box.sent[len(v.box.sent)-1]
}

func (v *verifying) confirm(t *testing.T) *comments.Confirmed {
	t.Helper()
	res, err := v.uc.Confirm(context.Background(), v.box.token(t))
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestRepliesNotifyAProvenOptIn: Ada opts in and proves her address by the
// verification link; Bob's reply, once his own link publishes it, mails
// her one message with the reply's link and a one-click unsubscribe; more
// replies within the hour send nothing, her own reply never does, and
// after she unsubscribes nothing more comes.
func TestRepliesNotifyAProvenOptIn(t *testing.T) {
	v := withReplies(newVerifying(t, broadsheet.ModerateNone))
	ctx := context.Background()
	parent := v.say(t, "Ada", "ada@example.com", "Question?", "198.51.100.1", "", true)
	v.confirm(t)
	if c, _ := v.st.CommentByID(ctx, parent.Answer.CommentID); c.Notify != broadsheet.NotifyOn || c.Status != broadsheet.CommentApproved {
		t.Fatalf("after Ada's link: %+v", c)
	}
	reply := v.say(t, "Bob", "bob@example.com", "An answer.", "198.51.100.2", parent.Answer.CommentID, false)
	if v.box.count() != 2 || v.last().To.Address != "bob@example.com" {
		t.Fatalf("a held reply mailed someone other than its author: %d mails", v.box.count())
	}
	v.confirm(t) // Bob's link publishes the reply
	if v.box.count() != 3 {
		t.Fatalf("%d mails after the reply was published, want 3", v.box.count())
	}
	m := v.last()
	unsub := m.Headers["List-Unsubscribe"]
	switch {
	case m.To.Address != "ada@example.com":
		t.Fatalf("notification to %s", m.To.Address)
	case !strings.Contains(m.Text, "https://news.example/a/open#comment-"+reply.Answer.CommentID) || !strings.Contains(m.Text, "> An answer."):
		t.Fatalf("no reply link in %q", m.Text)
	case !strings.HasPrefix(unsub, "<https://api.example/comments/unsubscribe?token=") || !strings.HasSuffix(unsub, ">"):
		t.Fatalf("List-Unsubscribe %q", unsub)
	case m.Headers["List-Unsubscribe-Post"] != "List-Unsubscribe=One-Click":
		t.Fatalf("List-Unsubscribe-Post %q", m.Headers["List-Unsubscribe-Post"])
	case !strings.Contains(m.Text, strings.Trim(unsub, "<>")):
		t.Fatal("the unsubscribe link is not in the text")
	}
	// Bob is verified now: his next reply is published at once, but the
	// parent was notified within the hour.
	v.say(t, "Bob", "bob@example.com", "And another thing.", "198.51.100.2", parent.Answer.CommentID, false)
	if v.box.count() != 3 {
		t.Fatalf("a second reply within the window mailed: %d", v.box.count())
	}
	*v.clock = v.clock.Add(time.Hour)
	v.say(t, "Ada", "ada+news@example.com", "Thanks, Bob.", "198.51.100.1", parent.Answer.CommentID, false)
	if v.box.count() != 3 {
		t.Fatal("Ada was notified of her own reply")
	}
	v.say(t, "Bob", "bob@example.com", "You are welcome.", "198.51.100.2", parent.Answer.CommentID, false)
	if v.box.count() != 4 {
		t.Fatalf("after the window: %d mails, want 4", v.box.count())
	}
	u, _ := url.Parse(strings.Trim(unsub, "<>"))
	if err := v.uc.Unsubscribe(ctx, "A"+u.Query().Get("token")); broadsheet.ErrorCode(err) != broadsheet.CodeBadRequest {
		t.Fatalf("forged unsubscribe: %v", err)
	}
	if err := v.uc.Unsubscribe(ctx, u.Query().Get("token")); err != nil {
		t.Fatal(err)
	}
	*v.clock = v.clock.Add(2 * time.Hour)
	v.say(t, "Bob", "bob@example.com", "Still there?", "198.51.100.2", parent.Answer.CommentID, false)
	if v.box.count() != 4 {
		t.Fatal("mailed after unsubscribing")
	}
}

// TestUnprovenOptInIsNeverMailed: Mallory types Ada's address with the
// opt-in from another network; an editor approves that comment without
// anyone following its link, so replies to it mail nobody. Ada's own
// opt-in, proven by her link and approved by an editor, is mailed when
// the editor approves a reply (the Editor function's path).
func TestUnprovenOptInIsNeverMailed(t *testing.T) {
	v := withReplies(newVerifying(t, broadsheet.ModerateAll))
	ctx := context.Background()
	mod := &comments.Moderation{Store: v.st, Identity: v.uc.Identity, Replies: v.uc.Replies, Links: testLinks, Now: v.uc.Now}
	approve := func(id string) {
		t.Helper()
		if _, err := mod.SetStatus(ctx, id, broadsheet.CommentApproved); err != nil {
			t.Fatal(err)
		}
	}
	ada := v.say(t, "Ada", "ada@example.com", "Mine", "198.51.100.1", "", true)
	if res := v.confirm(t); res.Outcome != comments.AwaitsEditor {
		t.Fatalf("confirm: %s", res.Outcome)
	}
	*v.clock = v.clock.Add(time.Hour) // past the verification mail window
	mallory := v.say(t, "Ada", "ada@example.com", "Not Ada", "203.0.113.66", "", true)
	if c, _ := v.st.CommentByID(ctx, mallory.Answer.CommentID); c.Notify != broadsheet.NotifyRequested {
		t.Fatalf("an unproven opt-in is %q", c.Notify)
	}
	approve(ada.Answer.CommentID)
	approve(mallory.Answer.CommentID)
	before := v.box.count()
	toMallory := v.say(t, "Bob", "bob@example.com", "Reply to the fake", "198.51.100.2", mallory.Answer.CommentID, false)
	approve(toMallory.Answer.CommentID)
	if v.box.count() != before+1 { // Bob's own verification mail only
		t.Fatalf("%d mails for a reply to an unproven opt-in, want only Bob's verification", v.box.count()-before)
	}
	toAda := v.say(t, "Carol", "carol@example.com", "Reply to Ada", "198.51.100.3", ada.Answer.CommentID, false)
	n := v.box.count()
	approve(toAda.Answer.CommentID)
	if v.box.count() != n+1 || v.last().To.Address != "ada@example.com" || !strings.Contains(v.last().Text, "Carol replied") {
		t.Fatalf("the editor's approval did not notify Ada: %d", v.box.count()-n)
	}
	// Approving again changes nothing and mails nothing.
	*v.clock = v.clock.Add(2 * time.Hour)
	approve(toAda.Answer.CommentID)
	if v.box.count() != n+1 {
		t.Fatal("a repeated approval mailed again")
	}
}

type failingMail struct{}

func (failingMail) Send(context.Context, bmail.Message) error { return errors.New("SES is down") }

// TestNotificationFailureNeverFailsTheApproval: the mail is best effort
// after the commit.
func TestNotificationFailureNeverFailsTheApproval(t *testing.T) {
	v := withReplies(newVerifying(t, broadsheet.ModerateAll))
	ctx := context.Background()
	ada := v.say(t, "Ada", "ada@example.com", "Mine", "198.51.100.1", "", true)
	v.confirm(t)
	mod := &comments.Moderation{Store: v.st, Identity: v.uc.Identity, Replies: &comments.Replies{Mail: failingMail{}, From: v.uc.Verification.From},
		Links: testLinks, Now: v.uc.Now}
	if _, err := mod.SetStatus(ctx, ada.Answer.CommentID, broadsheet.CommentApproved); err != nil {
		t.Fatal(err)
	}
	reply := v.say(t, "Bob", "bob@example.com", "Reply", "198.51.100.2", ada.Answer.CommentID, false)
	c, err := mod.SetStatus(ctx, reply.Answer.CommentID, broadsheet.CommentApproved)
	if err != nil || c.Status != broadsheet.CommentApproved || status(t, v.st, reply.Answer.CommentID) != broadsheet.CommentApproved {
		t.Fatalf("approval with failing mail: %v", err)
	}
}

// TestOptInIsPartOfTheRequest: the same Idempotency-Key with and without
// the opt-in is two requests.
func TestOptInIsPartOfTheRequest(t *testing.T) {
	in := input("Hello")
	with := in
	with.NotifyReplies = true
	if comments.RequestFingerprint("open", in) == comments.RequestFingerprint("open", with) {
		t.Fatal("the opt-in does not change the fingerprint")
	}
}
