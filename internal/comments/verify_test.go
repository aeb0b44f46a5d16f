package comments_test

import (
	"context"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"broadsheet/internal/broadsheet"
	"broadsheet/internal/comments"
	bmail "broadsheet/internal/mail"
)

// outbox records what would have been mailed.
type outbox struct {
	mu   sync.Mutex
	sent []bmail.Message
}

func (o *outbox) Send(_ context.Context, m bmail.Message) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.sent = append(o.sent, m)
	return nil
}

func (o *outbox) count() int { o.mu.Lock(); defer o.mu.Unlock(); return len(o.sent) }

var linkToken = regexp.MustCompile(`\?token=(\S+)`)

// token is the link of the last message.
func (o *outbox) token(t *testing.T) string {
	t.Helper()
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.sent) == 0 {
		t.Fatal("nothing was mailed")
	}
	m := linkToken.FindStringSubmatch(o.sent[len(o.sent)-1].Text)
	if m == nil {
		t.Fatalf("no link in %q", o.sent[len(o.sent)-1].Text)
	}
	tok, err := url.QueryUnescape(m[1])
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

type verifying struct {
	uc    *comments.Public
	st    *store
	box   *outbox
	clock *time.Time
}

func newVerifying(t *testing.T, mode broadsheet.Moderation) *verifying {
	st := newStore()
	st.add("open", nil)
	box := &outbox{}
	uc := newPublic(t, st)
	uc.Moderation = mode
	clock := now
	uc.Now = func() time.Time { return clock }
	uc.Verification = &comments.Verification{Mail: box, From: mail.Address{Name: "News", Address: "comments@news.example"}, SiteName: "News"}
	return &verifying{uc: uc, st: st, box: box, clock: &clock}
}

func (v *verifying) post(t *testing.T, email, body, ip string) *comments.Submitted {
	t.Helper()
	res, err := v.uc.Submit(context.Background(), comments.Submission{Slug: "open", ClientIP: ip, VerifyURL: "https://api.example/comments/verify",
		Input: broadsheet.CommentInput{Name: "Ada", Email: email, Body: body}}, render)
	if err != nil {
		t.Fatalf("post %q from %s: %v", body, ip, err)
	}
	*v.clock = v.clock.Add(time.Minute) // past the flood window
	return res
}

func status(t *testing.T, st *store, id string) broadsheet.CommentStatus {
	t.Helper()
	c, err := st.CommentByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c.Status
}

// TestFirstCommentIsHeldUntilTheLinkIsFollowed: with moderation off, a new
// commenter is held and mailed a link; following it publishes the comment,
// and later comments from that address need nothing.
func TestFirstCommentIsHeldUntilTheLinkIsFollowed(t *testing.T) {
	v := newVerifying(t, broadsheet.ModerateNone)
	first := v.post(t, "ada@example.com", "My first words", "198.51.100.1")
	if first.Outcome != comments.Pending || !strings.Contains(first.Answer.Body, `"status":"pending"`) {
		t.Fatalf("first comment: %s %s, want held", first.Outcome, first.Answer.Body)
	}
	if v.box.count() != 1 {
		t.Fatalf("%d mails, want 1", v.box.count())
	}
	m := v.box.sent[0]
	if m.To.Address != "ada@example.com" || !strings.Contains(m.Text, "https://api.example/comments/verify?token=") || !strings.Contains(m.Text, "> My first words") {
		t.Fatalf("mail %+v", m)
	}
	res, err := v.uc.Confirm(context.Background(), v.box.token(t))
	if err != nil || res.Outcome != comments.Published || res.Slug != "open" {
		t.Fatalf("confirm: %+v %v", res, err)
	}
	if got := status(t, v.st, first.Answer.CommentID); got != broadsheet.CommentApproved {
		t.Fatalf("after the link the comment is %s", got)
	}
	second := v.post(t, "ADA@example.com", "Second thoughts", "198.51.100.1")
	if second.Outcome != comments.Accepted || v.box.count() != 1 {
		t.Fatalf("second comment from the verified address: %s, %d mails", second.Outcome, v.box.count())
	}
	// The link is single-use.
	if again, err := v.uc.Confirm(context.Background(), v.box.token(t)); err != nil || again.Outcome != comments.AlreadyUsed {
		t.Fatalf("second use: %+v %v", again, err)
	}
}

// TestImpersonationIsNotTrusted: posting with a trusted commenter's email
// from another network is held, answered exactly like any new comment, and
// the link goes to the real owner.
func TestImpersonationIsNotTrusted(t *testing.T) {
	v := newVerifying(t, broadsheet.ModerateFirstTime)
	own := v.post(t, "ada@example.com", "Mine", "198.51.100.1")
	if _, err := v.uc.Confirm(context.Background(), v.box.token(t)); err != nil {
		t.Fatal(err)
	}
	// An editor approves it: Ada is a returning, verified commenter.
	c, _ := v.st.CommentByID(context.Background(), own.Answer.CommentID)
	if err := v.st.SetCommentStatus(context.Background(), c, broadsheet.CommentApproved, *v.clock); err != nil {
		t.Fatal(err)
	}
	if res := v.post(t, "ada@example.com", "Mine again", "198.51.100.1"); res.Outcome != comments.Accepted {
		t.Fatalf("Ada from her address: %s, want published", res.Outcome)
	}
	*v.clock = v.clock.Add(time.Hour) // past the mail window
	fake := v.post(t, "ada@example.com", "Not really Ada", "203.0.113.66")
	stranger := v.post(t, "nobody@example.com", "A stranger", "203.0.113.67")
	if fake.Outcome != comments.Pending || stranger.Outcome != comments.Pending {
		t.Fatalf("impersonator %s, stranger %s: want both held", fake.Outcome, stranger.Outcome)
	}
	shape := func(body string) string { return regexp.MustCompile(`"(id|body)":"[^"]*"`).ReplaceAllString(body, "") }
	if shape(fake.Answer.Body) != shape(stranger.Answer.Body) {
		t.Fatalf("the answers differ: %s vs %s", fake.Answer.Body, stranger.Answer.Body)
	}
	if last := v.box.sent[v.box.count()-2]; last.To.Address != "ada@example.com" {
		t.Fatalf("the impersonation's link went to %s", last.To.Address)
	}
}

// TestVerificationMailIsLimited: someone posting with another person's
// address over and over sends them one mail per window.
func TestVerificationMailIsLimited(t *testing.T) {
	v := newVerifying(t, broadsheet.ModerateNone)
	for i := range 5 {
		v.post(t, "victim@example.com", "Spam attempt "+string(rune('a'+i)), "203.0.113."+string(rune('1'+i)))
	}
	if v.box.count() != 1 {
		t.Fatalf("5 posts in 5 minutes sent %d mails, want 1", v.box.count())
	}
	*v.clock = v.clock.Add(10 * time.Minute)
	v.post(t, "victim@example.com", "Later", "203.0.113.9")
	if v.box.count() != 2 {
		t.Fatalf("after the window: %d mails, want 2", v.box.count())
	}
}

func TestLinksCannotBeForgedOrReusedLate(t *testing.T) {
	v := newVerifying(t, broadsheet.ModerateAll)
	held := v.post(t, "ada@example.com", "Held", "198.51.100.1")
	tok := v.box.token(t)
	for name, bad := range map[string]string{
		"empty": "", "garbage": "abc", "no signature": strings.Split(tok, ".")[0],
		"signature of another": strings.Split(tok, ".")[0] + "." + strings.Repeat("0", 32),
		"payload changed":      "A" + tok[1:],
	} {
		if _, err := v.uc.Confirm(context.Background(), bad); broadsheet.ErrorCode(err) != broadsheet.CodeBadRequest {
			t.Errorf("%s: %v, want bad_request", name, err)
		}
	}
	// Under moderation of everything, verifying leaves the decision to an editor.
	res, err := v.uc.Confirm(context.Background(), tok)
	if err != nil || res.Outcome != comments.AwaitsEditor || status(t, v.st, held.Answer.CommentID) != broadsheet.CommentPending {
		t.Fatalf("confirm under all: %+v %v", res, err)
	}
	*v.clock = v.clock.Add(49 * time.Hour)
	if _, err := v.uc.Confirm(context.Background(), tok); broadsheet.ErrorCode(err) != broadsheet.CodeBadRequest || !strings.Contains(err.Error(), "expired") {
		t.Fatalf("after 48 hours: %v, want expired", err)
	}
}

// TestSpamIsNeverMailed: a honeypot post is stored as spam and sends
// nothing, so bots cannot make the site mail strangers.
func TestSpamIsNeverMailed(t *testing.T) {
	v := newVerifying(t, broadsheet.ModerateNone)
	in := broadsheet.CommentInput{Name: "Bot", Email: "victim@example.com", Body: "Buy", URL2: "http://bot.example"}
	res, err := v.uc.Submit(context.Background(), comments.Submission{Slug: "open", Input: in, ClientIP: "203.0.113.1"}, render)
	if err != nil || res.Outcome != comments.Spam || v.box.count() != 0 {
		t.Fatalf("honeypot: %+v %v, %d mails", res, err, v.box.count())
	}
}
