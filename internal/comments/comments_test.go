package comments_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/broadsheet"
	"broadsheet/internal/comments"
	"broadsheet/internal/memstore"
)

var now = time.Date(2026, 11, 27, 14, 0, 0, 0, time.UTC)

// store is the memory store, with a helper to add articles.
type store struct{ *memstore.Store }

func (s *store) add(slug string, edit func(a *broadsheet.Article)) *broadsheet.Article {
	a := &broadsheet.Article{ID: broadsheet.NewID(), Slug: slug, Title: "T", Body: "B", BodyHTML: "<p>B</p>",
		Author: broadsheet.Author{Name: "Staff"}, Status: broadsheet.StatusPublished,
		PublishedAt: now.Add(-time.Hour), CreatedAt: now.Add(-time.Hour), UpdatedAt: now.Add(-time.Hour),
		Version: 1, CommentsOpen: true}
	if edit != nil {
		edit(a)
	}
	if err := s.CreateArticle(context.Background(), a); err != nil {
		panic(err)
	}
	return a
}

func newPublic(t *testing.T, st comments.SubmitStore) *comments.Public {
	t.Helper()
	id, err := broadsheet.NewIdentity([]byte("a test signing secret of some length"))
	if err != nil {
		t.Fatal(err)
	}
	return &comments.Public{Store: st, Identity: id, Moderation: broadsheet.ModerateAll, Flood: 15 * time.Second,
		Now: func() time.Time { return now }, NewID: broadsheet.NewID}
}

func newStore() *store {
	return &store{memstore.New()}
}

// render stands in for the door's wire format.
func render(c *broadsheet.Comment, answered broadsheet.CommentStatus) (string, error) {
	b, err := json.Marshal(map[string]string{"id": c.ID, "status": string(answered), "body": c.Body})
	return string(b), err
}

func input(body string) broadsheet.CommentInput {
	return broadsheet.CommentInput{Name: "Ada", Email: "ada@example.com", Body: body}
}

func TestSubmitRefusals(t *testing.T) {
	st := newStore()
	st.add("open", nil)
	st.add("closed", func(a *broadsheet.Article) { a.CommentsOpen = false })
	st.add("draft", func(a *broadsheet.Article) { a.Status = broadsheet.StatusDraft })
	st.add("scheduled", func(a *broadsheet.Article) { a.PublishedAt = now.Add(time.Hour) })
	tests := []struct {
		name  string
		sub   comments.Submission
		code  string
		field string
	}{
		{"invalid slug", comments.Submission{Slug: "Not A Slug", Input: input("hi")}, broadsheet.CodeNotFound, ""},
		{"missing article", comments.Submission{Slug: "missing", Input: input("hi")}, broadsheet.CodeNotFound, ""},
		{"draft", comments.Submission{Slug: "draft", Input: input("hi")}, broadsheet.CodeNotFound, ""},
		{"scheduled", comments.Submission{Slug: "scheduled", Input: input("hi")}, broadsheet.CodeNotFound, ""},
		{"comments closed", comments.Submission{Slug: "closed", Input: input("hi")}, broadsheet.CodeCommentsClosed, ""},
		{"bad idempotency key", comments.Submission{Slug: "open", Input: input("hi"), IdempotencyKey: "tab\there"}, broadsheet.CodeBadRequest, ""},
		{"blank body after trimming", comments.Submission{Slug: "open", Input: input("  \r\n ")}, broadsheet.CodeValidation, "body"},
		{"no email", comments.Submission{Slug: "open", Input: broadsheet.CommentInput{Name: "Ada", Body: "hi"}}, broadsheet.CodeValidation, "email"},
		{"parent not an id", comments.Submission{Slug: "open", Input: broadsheet.CommentInput{Name: "Ada", Email: "a@example.com", Body: "hi", ParentID: "x"}}, broadsheet.CodeValidation, "parentId"},
		{"parent missing", comments.Submission{Slug: "open", Input: broadsheet.CommentInput{Name: "Ada", Email: "a@example.com", Body: "hi", ParentID: broadsheet.NewID()}}, broadsheet.CodeValidation, "parentId"},
	}
	uc := newPublic(t, st)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := uc.Submit(context.Background(), tt.sub, render)
			if broadsheet.ErrorCode(err) != tt.code {
				t.Fatalf("got %v, want %s", err, tt.code)
			}
			if be, _ := err.(*broadsheet.Error); tt.field != "" && be.Fields[tt.field] == "" {
				t.Fatalf("no %s field in %+v", tt.field, be)
			}
		})
	}
	if page, _ := st.CommentsByStatus(context.Background(), broadsheet.CommentPending, 10, nil); len(page.Items) != 0 {
		t.Fatalf("a refused submission was stored: %d", len(page.Items))
	}
}

func TestSubmitStoresNormalisedPendingComment(t *testing.T) {
	st := newStore()
	a := st.add("open", nil)
	uc := newPublic(t, st)
	res, err := uc.Submit(context.Background(), comments.Submission{Slug: "open", ClientIP: "192.0.2.1",
		Input: broadsheet.CommentInput{Name: "  Ada ", Email: " ada@example.com ", Body: " line one\r\nline two  "}}, render)
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != comments.Pending || res.Answer.Status != 201 {
		t.Fatalf("outcome %s, answer %+v", res.Outcome, res.Answer)
	}
	c, err := st.CommentByID(context.Background(), res.Answer.CommentID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "Ada" || c.Body != "line one\nline two" || c.ArticleID != a.ID || c.EmailHash != uc.Identity.Email("ada@example.com") ||
		c.Status != broadsheet.CommentPending || !c.CreatedAt.Equal(now) {
		t.Fatalf("stored %+v", c)
	}
	// The flood window closes the client address, whatever the email.
	_, err = uc.Submit(context.Background(), comments.Submission{Slug: "open", ClientIP: "192.0.2.1",
		Input: broadsheet.CommentInput{Name: "Bob", Email: "bob@example.com", Body: "another"}}, render)
	if broadsheet.ErrorCode(err) != broadsheet.CodeRateLimited {
		t.Fatalf("second comment from the address: %v", err)
	}
}

func TestSpamIsAnsweredAsPending(t *testing.T) {
	st := newStore()
	st.add("open", nil)
	uc := newPublic(t, st)
	in := input("buy now")
	in.URL2 = "http://bot.example"
	res, err := uc.Submit(context.Background(), comments.Submission{Slug: "open", Input: in}, render)
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != comments.Spam || !strings.Contains(res.Answer.Body, `"status":"pending"`) {
		t.Fatalf("outcome %s, body %s", res.Outcome, res.Answer.Body)
	}
	if c, _ := st.CommentByID(context.Background(), res.Answer.CommentID); c.Status != broadsheet.CommentSpam {
		t.Fatalf("stored as %s", c.Status)
	}
}

func TestIdempotencyKeyReplaysTheFirstAnswer(t *testing.T) {
	st := newStore()
	st.add("open", nil)
	st.add("other", nil)
	uc := newPublic(t, st)
	sub := comments.Submission{Slug: "open", Input: input("once"), IdempotencyKey: "retry-1"}
	first, err := uc.Submit(context.Background(), sub, render)
	if err != nil {
		t.Fatal(err)
	}
	again, err := uc.Submit(context.Background(), sub, render)
	if err != nil || again.Outcome != comments.Replayed || again.Answer != first.Answer {
		t.Fatalf("retry: %+v %v, want the first answer %+v", again, err, first.Answer)
	}
	// Another comment under the same key is refused, never given the first
	// comment's answer.
	sub.Input = input("changed on retry")
	if _, err := uc.Submit(context.Background(), sub, render); broadsheet.ErrorCode(err) != broadsheet.CodeIdempotencyMismatch {
		t.Fatalf("changed retry: %v, want %s", err, broadsheet.CodeIdempotencyMismatch)
	}
	// The same key on another article is another request.
	elsewhere := broadsheet.CommentInput{Name: "Bob", Email: "bob@example.com", Body: "elsewhere"}
	other, err := uc.Submit(context.Background(), comments.Submission{Slug: "other", Input: elsewhere, IdempotencyKey: "retry-1"}, render)
	if err != nil || other.Outcome == comments.Replayed {
		t.Fatalf("same key, other article: %+v %v", other, err)
	}
}

// racingStore misses the stored answer on its first read, as a request does
// that reads just before a concurrent one with the same key commits.
type racingStore struct {
	*store
	reads int
}

func (s *racingStore) IdempotentAnswer(ctx context.Context, key string, at time.Time) (*broadsheet.StoredAnswer, error) {
	s.reads++
	if s.reads == 1 {
		return nil, nil
	}
	return s.store.IdempotentAnswer(ctx, key, at)
}

func TestIdempotencyRaceReplaysTheWinner(t *testing.T) {
	st := newStore()
	st.add("open", nil)
	winner, err := newPublic(t, st).Submit(context.Background(), comments.Submission{Slug: "open", Input: input("won"), IdempotencyKey: "k"}, render)
	if err != nil {
		t.Fatal(err)
	}
	loser := newPublic(t, &racingStore{store: st})
	got, err := loser.Submit(context.Background(), comments.Submission{Slug: "open", Input: input("won"), IdempotencyKey: "k"}, render)
	if err != nil || got.Outcome != comments.Replayed || got.Answer != winner.Answer {
		t.Fatalf("loser: %+v %v, want the winner's answer", got, err)
	}
	// A different comment that lost the race under the same key is told so.
	other := newPublic(t, &racingStore{store: st})
	if _, err := other.Submit(context.Background(), comments.Submission{Slug: "open", Input: input("lost"), IdempotencyKey: "k"}, render); broadsheet.ErrorCode(err) != broadsheet.CodeIdempotencyMismatch {
		t.Fatalf("different loser: %v, want %s", err, broadsheet.CodeIdempotencyMismatch)
	}
}

func TestReplyNeedsApprovedParentOnTheSameArticle(t *testing.T) {
	st := newStore()
	st.add("open", nil)
	st.add("other", nil)
	uc := newPublic(t, st)
	pending, err := uc.Submit(context.Background(), comments.Submission{Slug: "open", Input: input("parent")}, render)
	if err != nil {
		t.Fatal(err)
	}
	reply := broadsheet.CommentInput{Name: "Bob", Email: "bob@example.com", Body: "reply", ParentID: pending.Answer.CommentID}
	for _, slug := range []string{"open", "other"} {
		if _, err := uc.Submit(context.Background(), comments.Submission{Slug: slug, Input: reply}, render); broadsheet.ErrorCode(err) != broadsheet.CodeValidation {
			t.Errorf("reply on %s to a pending parent: %v", slug, err)
		}
	}
}

func TestQueueCheck(t *testing.T) {
	id := broadsheet.NewID()
	tests := []struct {
		q      comments.Queue
		status broadsheet.CommentStatus
		field  string
	}{
		{comments.Queue{}, broadsheet.CommentPending, ""},
		{comments.Queue{Status: broadsheet.CommentSpam}, broadsheet.CommentSpam, ""},
		{comments.Queue{Status: "hidden"}, "", "status"},
		{comments.Queue{ByArticle: true, ArticleID: id}, broadsheet.CommentPending, ""},
		{comments.Queue{ByArticle: true, ArticleID: id, Status: broadsheet.CommentApproved}, broadsheet.CommentApproved, ""},
		{comments.Queue{ByArticle: true, ArticleID: id, Status: broadsheet.CommentPending}, "", "status"},
		{comments.Queue{ByArticle: true}, "", "articleId"},
	}
	for _, tt := range tests {
		q := tt.q
		err := q.Check()
		be, _ := err.(*broadsheet.Error)
		switch {
		case tt.field == "" && (err != nil || q.Status != tt.status):
			t.Errorf("%+v: %v, status %q", tt.q, err, q.Status)
		case tt.field != "" && (be == nil || be.Fields[tt.field] == ""):
			t.Errorf("%+v: %v, want a %s field error", tt.q, err, tt.field)
		}
	}
}

func newModeration(t *testing.T, st *store) *comments.Moderation {
	return &comments.Moderation{Store: st, Articles: st, Identity: newPublic(t, st).Identity, Now: func() time.Time { return now }}
}

func TestModerationStatusAndDelete(t *testing.T) {
	st := newStore()
	st.add("open", nil)
	ctx := context.Background()
	res, err := newPublic(t, st).Submit(ctx, comments.Submission{Slug: "open", Input: input("to moderate")}, render)
	if err != nil {
		t.Fatal(err)
	}
	m := newModeration(t, st)
	for _, tt := range []struct {
		to    broadsheet.CommentStatus
		field bool
	}{{"", true}, {broadsheet.CommentPending, true}, {"hidden", true}} {
		if _, err := m.SetStatus(ctx, res.Answer.CommentID, tt.to); broadsheet.ErrorCode(err) != broadsheet.CodeValidation {
			t.Errorf("to %q: %v", tt.to, err)
		}
	}
	c, err := m.SetStatus(ctx, res.Answer.CommentID, broadsheet.CommentRejected)
	if err != nil || c.Status != broadsheet.CommentRejected || c.Email != "ada@example.com" {
		t.Fatalf("reject: %+v %v", c, err)
	}
	if _, err := m.SetStatus(ctx, "not-an-id", broadsheet.CommentSpam); broadsheet.ErrorCode(err) != broadsheet.CodeNotFound {
		t.Fatalf("bad id: %v", err)
	}
	if err := m.Delete(ctx, res.Answer.CommentID); err != nil {
		t.Fatal(err)
	}
	if err := m.Delete(ctx, res.Answer.CommentID); broadsheet.ErrorCode(err) != broadsheet.CodeNotFound {
		t.Fatalf("deleting twice: %v", err)
	}
}

func TestImport(t *testing.T) {
	st := newStore()
	a := st.add("open", nil)
	ctx := context.Background()
	m := newModeration(t, st)
	in := comments.Import{ArticleID: a.ID, Name: " Old Reader ", Body: "from 2019", CreatedAt: "2019-03-01T10:00:00Z", ExternalID: "wp-7"}
	c, created, err := m.Import(ctx, in)
	if err != nil || !created {
		t.Fatalf("import: %v %v", created, err)
	}
	if c.Name != "Old Reader" || c.Status != broadsheet.CommentPending || !c.CreatedAt.Equal(time.Date(2019, 3, 1, 10, 0, 0, 0, time.UTC)) || c.EmailHash != "" {
		t.Fatalf("imported %+v", c)
	}
	again, created, err := m.Import(ctx, in)
	if err != nil || created || again.ID != c.ID {
		t.Fatalf("re-run: %+v %v %v", again, created, err)
	}
	for _, tt := range []struct {
		name string
		in   comments.Import
		code string
	}{
		{"no article", comments.Import{Name: "N", Body: "b"}, broadsheet.CodeValidation},
		{"article not an id", comments.Import{ArticleID: "x", Name: "N", Body: "b"}, broadsheet.CodeNotFound},
		{"missing article", comments.Import{ArticleID: broadsheet.NewID(), Name: "N", Body: "b"}, broadsheet.CodeNotFound},
		{"bad status", comments.Import{ArticleID: a.ID, Name: "N", Body: "b", Status: "spam"}, broadsheet.CodeValidation},
		{"future time", comments.Import{ArticleID: a.ID, Name: "N", Body: "b", CreatedAt: "2027-01-01T00:00:00Z"}, broadsheet.CodeValidation},
		{"bad email", comments.Import{ArticleID: a.ID, Name: "N", Body: "b", Email: "nope"}, broadsheet.CodeValidation},
	} {
		if _, _, err := m.Import(ctx, tt.in); broadsheet.ErrorCode(err) != tt.code {
			t.Errorf("%s: %v, want %s", tt.name, err, tt.code)
		}
	}
}

// TestFirstTimeModeration: with the first-time policy a new commenter waits;
// once an editor approves them, their next comment is published and counted.
func TestFirstTimeModeration(t *testing.T) {
	st := newStore()
	a := st.add("open", nil)
	ctx := context.Background()
	uc := newPublic(t, st)
	uc.Moderation, uc.Flood = broadsheet.ModerateFirstTime, 0
	first, err := uc.Submit(ctx, comments.Submission{Slug: "open", Input: input("first time")}, render)
	if err != nil || first.Outcome != comments.Pending {
		t.Fatalf("first comment: %+v %v", first, err)
	}
	if _, err := newModeration(t, st).SetStatus(ctx, first.Answer.CommentID, broadsheet.CommentApproved); err != nil {
		t.Fatal(err)
	}
	uc.Now = func() time.Time { return now.Add(time.Minute) }
	second, err := uc.Submit(ctx, comments.Submission{Slug: "open", Input: input("welcome back")}, render)
	if err != nil || second.Outcome != comments.Accepted || !strings.Contains(second.Answer.Body, `"status":"approved"`) {
		t.Fatalf("returning commenter: %+v %v", second, err)
	}
	got, err := st.ArticleByID(ctx, a.ID)
	if err != nil || got.CommentCount != 2 {
		t.Fatalf("count %+v %v, want 2", got, err)
	}
	list, err := uc.Approved(ctx, got, 10, nil)
	if err != nil || len(list.Items) != 2 || list.Items[0].ID != first.Answer.CommentID {
		t.Fatalf("approved list %+v %v", list.Items, err)
	}
	// A link-heavy comment waits whatever the policy.
	uc.Moderation = broadsheet.ModerateNone
	links, err := uc.Submit(ctx, comments.Submission{Slug: "open",
		Input: input("see http://a.example http://b.example www.c.example")}, render)
	if err != nil || links.Outcome != comments.Pending {
		t.Fatalf("three links: %+v %v", links, err)
	}
}
