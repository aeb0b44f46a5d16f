package dynamo_test

import (
	"context"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"broadsheet/internal/broadsheet"
	"broadsheet/internal/dynamo"
	"broadsheet/internal/testkit/dynamotest"
)

func TestMain(m *testing.M) { os.Exit(dynamotest.RunTests(m)) }

var _ broadsheet.ArticleStore = (*dynamo.Store)(nil)

// TestArticleItemsDynamoDB holds what only DynamoDB has: the items an article
// is stored as (docs/data-model.md). The article rules themselves are the
// conformance cases (internal/testkit/storetest), run here by TestConformance.
func TestArticleItemsDynamoDB(t *testing.T) {
	t.Run("ItemsFollowTheDataModel", itemsFollowTheDataModel)
}

// itemsFollowTheDataModel: an article is its item, a slug reservation and
// one listing item per list it is in; a replace moves exactly those and
// unpublishing takes it out of the feed index.
func itemsFollowTheDataModel(t *testing.T) {
	ctx := context.Background()
	st := dynamotest.NewStore(t)
	created := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	published := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	a := &broadsheet.Article{
		ID: "L1", Slug: "layout", Title: "Layout", Body: "body", BodyHTML: "<p>body</p>",
		Author: broadsheet.Author{Name: "Ayesha Khan"}, Tags: []string{"pakistan", "sport"}, Status: broadsheet.StatusPublished,
		PublishedAt: published, CreatedAt: created, UpdatedAt: created, Version: 1,
	}
	if err := st.CreateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	item := func(pk, sk string) map[string]types.AttributeValue {
		t.Helper()
		out, err := st.DB.GetItem(ctx, &dynamodb.GetItemInput{
			TableName: &st.Table, ConsistentRead: aws.Bool(true),
			Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: pk}, "sk": &types.AttributeValueMemberS{Value: sk}},
		})
		if err != nil {
			t.Fatal(err)
		}
		return out.Item
	}
	str := func(it map[string]types.AttributeValue, name string) string {
		v, _ := it[name].(*types.AttributeValueMemberS)
		if v == nil {
			return ""
		}
		return v.Value
	}
	art := item("ARTICLE#L1", "ARTICLE")
	for name, want := range map[string]string{
		"type": "article", "gsi1pk": "SLUG#layout", "gsi1sk": "ARTICLE",
		"gsi2pk": "FEED", "gsi2sk": "2026-11-20T10:00:00.000000Z#L1",
		"gsi3pk": "ASTATUS#published", "gsi3sk": "2026-11-01T00:00:00.000000Z#L1",
		"authorName": "Ayesha Khan", "bodyHtml": "<p>body</p>",
	} {
		if got := str(art, name); got != want {
			t.Errorf("article item %s = %q, want %q", name, got, want)
		}
	}
	if got := str(item("SLUG#layout", "SLUG"), "articleId"); got != "L1" {
		t.Errorf("slug reservation articleId = %q", got)
	}
	listings := func() []string {
		t.Helper()
		var keys []string
		for _, pk := range []string{"ARTICLES", "TAG#pakistan", "TAG#sport", "TAG#diplomacy", "AUTHOR#ayesha-khan"} {
			out, err := st.DB.Query(ctx, &dynamodb.QueryInput{
				TableName: &st.Table, ConsistentRead: aws.Bool(true),
				KeyConditionExpression:    aws.String("pk = :pk"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: pk}},
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range out.Items {
				if str(it, "type") != "listing" || str(it, "id") != "L1" {
					t.Errorf("listing item %v", it)
				}
				keys = append(keys, pk+" "+str(it, "sk"))
			}
		}
		return keys
	}
	if got, want := listings(), []string{
		"ARTICLES 2026-11-01T00:00:00.000000Z#L1",
		"TAG#pakistan 2026-11-20T10:00:00.000000Z#L1",
		"TAG#sport 2026-11-20T10:00:00.000000Z#L1",
		"AUTHOR#ayesha-khan 2026-11-20T10:00:00.000000Z#L1",
	}; !slices.Equal(got, want) {
		t.Errorf("listing items after create:\n%v\nwant\n%v", got, want)
	}

	next := *a
	next.Tags, next.Status, next.Version = []string{"diplomacy"}, broadsheet.StatusDraft, 2
	if err := st.ReplaceArticle(ctx, &next, a); err != nil {
		t.Fatal(err)
	}
	if got, want := listings(), []string{"ARTICLES 2026-11-01T00:00:00.000000Z#L1"}; !slices.Equal(got, want) {
		t.Errorf("listing items after unpublishing: %v, want %v", got, want)
	}
	art = item("ARTICLE#L1", "ARTICLE")
	if _, inFeed := art["gsi2pk"]; inFeed || str(art, "gsi3pk") != "ASTATUS#draft" {
		t.Errorf("unpublished article item keys: %v", art)
	}
}
