package dynamo_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/oklog/ulid/v2"

	"broadsheet/internal/broadsheet"
	"broadsheet/internal/dynamo"
	"broadsheet/internal/testkit/dynamotest"
)

var commentNow = time.Date(2026, 11, 27, 14, 0, 0, 0, time.UTC)

func commentArticle(t *testing.T, st *dynamo.Store) *broadsheet.Article {
	t.Helper()
	a := &broadsheet.Article{
		ID: ulid.Make().String(), Slug: "c-" + ulid.Make().String()[20:], Title: "T", Body: "B", BodyHTML: "<p>B</p>",
		Author: broadsheet.Author{Name: "Staff"}, Status: broadsheet.StatusPublished, PublishedAt: commentNow.Add(-time.Hour),
		CreatedAt: commentNow, UpdatedAt: commentNow, Version: 1, CommentsOpen: true,
	}
	if err := st.CreateArticle(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	return a
}

func newComment(a *broadsheet.Article, emailHash, body string, status broadsheet.CommentStatus) *broadsheet.Comment {
	return &broadsheet.Comment{
		ID: ulid.Make().String(), ArticleID: a.ID, ArticleSlug: a.Slug, Name: "N", Email: "e@example.com",
		EmailHash: emailHash, Body: body, Status: status, CreatedAt: commentNow,
	}
}

func commentCount(t *testing.T, st *dynamo.Store, a *broadsheet.Article) int64 {
	t.Helper()
	got, err := st.ArticleByID(context.Background(), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got.CommentCount
}

// TestSubmitCommentConditions: each conditional write in the submission
// transaction answers for its own rule, read from the cancellation reasons.
func TestSubmitCommentConditions(t *testing.T) {
	st := dynamotest.NewStore(t)
	ctx := context.Background()
	a := commentArticle(t, st)
	sub := func(c *broadsheet.Comment, at time.Time, idem string, keys ...string) error {
		return st.SubmitComment(ctx, &broadsheet.Submission{Comment: c, Now: at, FloodWindow: 15 * time.Second, FloodKeys: keys,
			IdempotencyKey: idem, Answer: broadsheet.StoredAnswer{Status: 201, Body: `{"id":"` + c.ID + `"}`, CommentID: c.ID}})
	}
	if err := sub(newComment(a, "h1", "hello", broadsheet.CommentPending), commentNow, "k1", "email#h1"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		c    *broadsheet.Comment
		at   time.Time
		idem string
		keys []string
		code string
	}{
		{"same idempotency key", newComment(a, "h2", "other", broadsheet.CommentPending), commentNow, "k1", nil, "replay"},
		{"same email and normalised body", newComment(a, "h1", "  HELLO ", broadsheet.CommentPending), commentNow.Add(time.Hour), "", []string{"email#h1"}, broadsheet.CodeDuplicateComment},
		{"same email within the window", newComment(a, "h1", "new words", broadsheet.CommentPending), commentNow.Add(5 * time.Second), "", []string{"email#h1"}, broadsheet.CodeRateLimited},
		{"approved comment on a deleted article", newComment(&broadsheet.Article{ID: "GONE", Slug: "gone"}, "h3", "x", broadsheet.CommentApproved), commentNow, "", nil, broadsheet.CodeNotFound},
		{"window over, item still there (no TTL deletion)", newComment(a, "h1", "new words", broadsheet.CommentPending), commentNow.Add(15 * time.Second), "", []string{"email#h1"}, ""},
	}
	for _, tt := range tests {
		err := sub(tt.c, tt.at, tt.idem, tt.keys...)
		switch {
		case tt.code == "replay":
			if !errors.Is(err, broadsheet.ErrIdempotencyRace) {
				t.Errorf("%s: got %v, want ErrIdempotencyRace", tt.name, err)
			}
		case broadsheet.ErrorCode(err) != tt.code:
			t.Errorf("%s: got %v, want %q", tt.name, err, tt.code)
		}
		var be *broadsheet.Error
		if tt.code == broadsheet.CodeRateLimited && errors.As(err, &be) && be.RetryAfter != 10*time.Second {
			t.Errorf("%s: RetryAfter %v, want 10s", tt.name, be.RetryAfter)
		}
	}
	ans, err := st.IdempotentAnswer(ctx, "k1", commentNow.Add(23*time.Hour))
	if err != nil || ans == nil || ans.Status != 201 {
		t.Fatalf("stored answer: %+v %v", ans, err)
	}
	if ans, _ := st.IdempotentAnswer(ctx, "k1", commentNow.Add(24*time.Hour+time.Second)); ans != nil {
		t.Fatal("an expired answer must not be replayed, deleted by TTL or not")
	}
	// A reply is checked in the transaction: the parent must be approved.
	parent := newComment(a, "", "pending parent", broadsheet.CommentPending)
	if err := sub(parent, commentNow, ""); err != nil {
		t.Fatal(err)
	}
	child := newComment(a, "h9", "child", broadsheet.CommentPending)
	child.ParentID = parent.ID
	if err := sub(child, commentNow, ""); broadsheet.ErrorCode(err) != broadsheet.CodeValidation {
		t.Fatalf("reply to a pending parent: %v", err)
	}
}

// TestSetCommentStatusRace: ten editors approve the same pending comment at
// once, each from the same stale read. One transaction applies; the rest fail
// their condition; the count moves by exactly one. Then ten racing deletions.
func TestSetCommentStatusRace(t *testing.T) {
	st := dynamotest.NewStore(t)
	ctx := context.Background()
	a := commentArticle(t, st)
	c := newComment(a, "h", "body", broadsheet.CommentPending)
	if err := st.SubmitComment(ctx, &broadsheet.Submission{Comment: c, Now: commentNow}); err != nil {
		t.Fatal(err)
	}
	race := func(op func(c broadsheet.Comment) error) map[string]int {
		results := map[string]int{}
		var mu sync.Mutex
		var wg sync.WaitGroup
		for range 10 {
			wg.Go(func() {
				err := op(*c)
				mu.Lock()
				results[broadsheet.ErrorCode(err)]++
				mu.Unlock()
			})
		}
		wg.Wait()
		return results
	}
	got := race(func(c broadsheet.Comment) error {
		return st.SetCommentStatus(ctx, &c, broadsheet.CommentApproved, commentNow)
	})
	if got[""] != 1 || got[broadsheet.CodePreconditionFailed] != 9 || commentCount(t, st, a) != 1 {
		t.Fatalf("approvals: %v, count %d", got, commentCount(t, st, a))
	}
	c.Status = broadsheet.CommentApproved
	got = race(func(c broadsheet.Comment) error { return st.DeleteComment(ctx, &c) })
	if got[""] != 1 || got[broadsheet.CodePreconditionFailed] != 9 || commentCount(t, st, a) != 0 {
		t.Fatalf("deletions: %v, count %d", got, commentCount(t, st, a))
	}
}

// TestModerationOnDeletedArticle: approving a comment of a deleted article is
// refused, while un-approving and deleting go ahead, and no bare counter item
// is left where the article was.
func TestModerationOnDeletedArticle(t *testing.T) {
	st := dynamotest.NewStore(t)
	ctx := context.Background()
	a := commentArticle(t, st)
	approved := newComment(a, "h1", "one", broadsheet.CommentApproved)
	pending := newComment(a, "h2", "two", broadsheet.CommentPending)
	for _, c := range []*broadsheet.Comment{approved, pending} {
		if err := st.SubmitComment(ctx, &broadsheet.Submission{Comment: c, Now: commentNow}); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.DeleteArticle(ctx, &broadsheet.Article{ID: a.ID, Slug: a.Slug, Version: 1, Status: a.Status, CreatedAt: a.CreatedAt, PublishedAt: a.PublishedAt, Author: a.Author}); err != nil {
		t.Fatal(err)
	}
	if err := st.SetCommentStatus(ctx, pending, broadsheet.CommentApproved, commentNow); broadsheet.ErrorCode(err) != broadsheet.CodeNotFound {
		t.Fatalf("approve on a deleted article: %v", err)
	}
	if err := st.SetCommentStatus(ctx, approved, broadsheet.CommentRejected, commentNow); err != nil {
		t.Fatalf("un-approve on a deleted article: %v", err)
	}
	approved.Status = broadsheet.CommentRejected
	if err := st.DeleteComment(ctx, approved); err != nil {
		t.Fatalf("delete on a deleted article: %v", err)
	}
	out, err := st.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: &st.Table, Key: map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: "ARTICLE#" + a.ID}, "sk": &types.AttributeValueMemberS{Value: "ARTICLE"}}})
	if err != nil || out.Item != nil {
		t.Fatalf("the article item came back: %v %v", out.Item, err)
	}
}

// TestKeysHoldNoEmail: every key and the dedupe, flood and idempotency items
// are built from hashes; only the comment item holds the address.
func TestKeysHoldNoEmail(t *testing.T) {
	st := dynamotest.NewStore(t)
	ctx := context.Background()
	a := commentArticle(t, st)
	id, _ := broadsheet.NewIdentity([]byte(dynamotest.Secret))
	const email = "keys.marker@example.com"
	c := newComment(a, id.Email(email), "body", broadsheet.CommentApproved)
	c.Email = email
	err := st.SubmitComment(ctx, &broadsheet.Submission{Comment: c, Now: commentNow, FloodWindow: time.Minute,
		FloodKeys: []string{"email#" + c.EmailHash, "ip#" + id.ClientAddress("192.0.2.1")}, IdempotencyKey: id.IdempotencyKey(a.Slug, "k"),
		Answer: broadsheet.StoredAnswer{Status: 201, Body: "{}"}, NewCommenter: true})
	if err != nil {
		t.Fatal(err)
	}
	out, err := st.DB.(*dynamodb.Client).Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(st.Table)})
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	for _, item := range out.Items {
		pk := item["pk"].(*types.AttributeValueMemberS).Value
		kinds[pk[:4]] = true
		for name, v := range item {
			if sv, ok := v.(*types.AttributeValueMemberS); ok && name != "email" && strings.Contains(strings.ToLower(sv.Value), "keys.marker") {
				t.Errorf("%s.%s holds the email", pk, name)
			}
		}
	}
	for _, k := range []string{"COMM", "DEDU", "RATE", "IDEM", "ARTI"} {
		if !kinds[k] {
			t.Errorf("no %s… item written (%v)", k, kinds)
		}
	}
	if ok, _ := st.CommenterApproved(ctx, c.EmailHash); !ok {
		t.Error("an auto-approved first-timer must be recorded as an approved commenter")
	}
	if commentCount(t, st, a) != 1 {
		t.Error("an auto-approved comment must be counted in its submission")
	}
}
