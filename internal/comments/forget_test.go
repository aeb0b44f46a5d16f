package comments_test

import (
	"context"
	"net/mail"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/broadsheet"
	"broadsheet/internal/comments"
)

func withForgetting(v *verifying) *verifying {
	v.uc.Forgetting = &comments.Forgetting{Mail: v.box, From: mail.Address{Address: "comments@news.example"}, SiteName: "News"}
	v.uc.Links = testLinks
	return v
}

// TestForgetMeByMailedLink: a request for an address with comments mails
// that address a link; its page changes nothing, its button erases the
// email from every comment (name Anonymous, website gone, text kept).
func TestForgetMeByMailedLink(t *testing.T) {
	v := withForgetting(newVerifying(t, broadsheet.ModerateNone))
	ctx := context.Background()
	first, err := v.uc.Submit(ctx, comments.Submission{Slug: "open", ClientIP: "198.51.100.1",
		Input: broadsheet.CommentInput{Name: "Ada", Email: "ada@example.com", Website: "https://ada.example", Body: "One", NotifyReplies: true}}, render)
	if err != nil {
		t.Fatal(err)
	}
	*v.clock = v.clock.Add(time.Minute)
	v.confirm(t)
	second := v.post(t, "ada@example.com", "Two", "198.51.100.1")
	sent := v.box.count()
	if err := v.uc.RequestForget(ctx, "ADA+x@example.com", "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	if v.box.count() != sent+1 || v.last().To.Address != "ADA+x@example.com" || !strings.Contains(v.last().Text, "https://api.example/comments/forget/confirm?token=") {
		t.Fatalf("forget mail: %d, %+v", v.box.count()-sent, v.last())
	}
	tok := v.box.token(t)
	if err := v.uc.ForgetPreview(tok); err != nil {
		t.Fatal(err)
	}
	if c, _ := v.st.CommentByID(ctx, first.Answer.CommentID); c.Name != "Ada" {
		t.Fatal("the preview changed the comment")
	}
	n, err := v.uc.ConfirmForget(ctx, tok)
	if err != nil || n != 2 {
		t.Fatalf("erased %d %v, want 2", n, err)
	}
	for _, id := range []string{first.Answer.CommentID, second.Answer.CommentID} {
		c, _ := v.st.CommentByID(ctx, id)
		if c.Name != broadsheet.ErasedName || c.Email != "" || c.Website != "" || c.Notify != "" || c.Body == "" {
			t.Errorf("after forget: %+v", c)
		}
	}
	// The address is a stranger again: its next comment is held.
	if res := v.post(t, "ada@example.com", "Three", "198.51.100.1"); res.Outcome != comments.Pending {
		t.Fatalf("after forget: %s, want held (trust erased)", res.Outcome)
	}
	if again, err := v.uc.ConfirmForget(ctx, tok); err != nil || again != 1 {
		t.Fatalf("the link again: %d %v (only the new comment)", again, err)
	}
	*v.clock = v.clock.Add(25 * time.Hour)
	if _, err := v.uc.ConfirmForget(ctx, tok); broadsheet.ErrorCode(err) != broadsheet.CodeBadRequest {
		t.Fatalf("after a day: %v, want expired", err)
	}
}

// TestForgetRequestIsNoOracle: an address without comments gets the same
// answer and no mail; one address asking again within the window is 429;
// another address asking for the same email within the window gets the
// same answer and sends no second mail.
func TestForgetRequestIsNoOracle(t *testing.T) {
	v := withForgetting(newVerifying(t, broadsheet.ModerateNone))
	ctx := context.Background()
	v.post(t, "ada@example.com", "One", "198.51.100.1")
	sent := v.box.count()
	if err := v.uc.RequestForget(ctx, "nobody@example.com", "192.0.2.1"); err != nil || v.box.count() != sent {
		t.Fatalf("unknown address: %v, %d mails", err, v.box.count()-sent)
	}
	if err := v.uc.RequestForget(ctx, "ada@example.com", "192.0.2.1"); broadsheet.ErrorCode(err) != broadsheet.CodeRateLimited {
		t.Fatalf("same client within the window: %v, want rate_limited", err)
	}
	if err := v.uc.RequestForget(ctx, "ada@example.com", "192.0.2.2"); err != nil || v.box.count() != sent+1 {
		t.Fatalf("first request for Ada: %v, %d mails", err, v.box.count()-sent)
	}
	if err := v.uc.RequestForget(ctx, "Ada@Example.com", "192.0.2.3"); err != nil || v.box.count() != sent+1 {
		t.Fatalf("another client, same mailbox: %v, %d mails, want the same answer and no mail", err, v.box.count()-sent)
	}
	for _, bad := range []string{"", "not an address", "a@b"} {
		err := v.uc.RequestForget(ctx, bad, "192.0.2.9")
		var be *broadsheet.Error
		if !asError(err, &be) || be.Fields["email"] == "" {
			t.Errorf("%q: %v, want a field error on email", bad, err)
		}
	}
	v.uc.Forgetting = nil
	if err := v.uc.RequestForget(ctx, "ada@example.com", "192.0.2.10"); broadsheet.ErrorCode(err) != broadsheet.CodeNotFound {
		t.Fatalf("without mail: %v", err)
	}
}

func asError(err error, be **broadsheet.Error) bool {
	e, ok := err.(*broadsheet.Error)
	*be = e
	return ok
}
