package dynamo_test

import (
	"context"
	"strings"
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

// TestCommentItemsDynamoDB holds what only DynamoDB has: item layout, keys,
// shards. The comment rules themselves are the conformance cases
// (internal/testkit/storetest), run here by TestConformance.
func TestCommentItemsDynamoDB(t *testing.T) {
	t.Run("KeysHoldNoEmail", keysHoldNoEmail)
	t.Run("NoCounterItemForDeletedArticle", noCounterItemForDeletedArticle)
	t.Run("ShardedCounterIsExactAndSpread", shardedCounterIsExactAndSpread)
	t.Run("ShardedPendingQueueSpreadsAndMerges", shardedPendingQueueSpreadsAndMerges)
	t.Run("QueueReadsCommentsStoredBeforeSharding", queueReadsCommentsStoredBeforeSharding)
}

// noCounterItemForDeletedArticle: moderating the comments of a deleted
// article (the rules are in storetest) leaves no bare ARTICLE# counter item.
func noCounterItemForDeletedArticle(t *testing.T) {
	st := dynamotest.NewStore(t)
	ctx := context.Background()
	a := commentArticle(t, st)
	approved := newComment(a, "h1", "one", broadsheet.CommentApproved)
	if err := st.SubmitComment(ctx, &broadsheet.Submission{Comment: approved, Now: commentNow}); err != nil {
		t.Fatal(err)
	}
	if err := st.DeleteArticle(ctx, a); err != nil {
		t.Fatal(err)
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

// keysHoldNoEmail: every key and the dedupe, flood and idempotency items
// are built from hashes; only the comment item holds the address.
func keysHoldNoEmail(t *testing.T) {
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
