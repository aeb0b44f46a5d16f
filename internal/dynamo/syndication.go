package dynamo

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"broadsheet/internal/broadsheet"
)

// The reads feeds and sitemaps make: the same feed index as the public list,
// bounded by a date range, so a sitemap of one month is one Query (paged)
// and never a Scan.

// PublishedInRange lists published articles with from ≤ PublishedAt ≤ to,
// newest first, as summaries: one Query on the feed index.
func (st *Store) PublishedInRange(ctx context.Context, from, to time.Time, limit int, after map[string]string) (broadsheet.Page[*broadsheet.Article], error) {
	return st.queryArticles(ctx, "PublishedInRange", &dynamodb.QueryInput{
		TableName: &st.Table, IndexName: aws.String(indexFeed),
		KeyConditionExpression: aws.String("gsi2pk = :pk AND gsi2sk BETWEEN :from AND :to"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": s(pkFeed), ":from": s(timeKey(from)), ":to": s(upTo(to)),
		},
		ScanIndexForward:  aws.Bool(false),
		Limit:             aws.Int32(int32(limit)),
		ExclusiveStartKey: startKey(after),
	})
}

// OldestPublished is the earliest PublishedAt of a published article (ok is
// false when there is none): the first item of the feed index.
func (st *Store) OldestPublished(ctx context.Context) (t time.Time, ok bool, err error) {
	page, err := st.queryArticles(ctx, "OldestPublished", &dynamodb.QueryInput{
		TableName: &st.Table, IndexName: aws.String(indexFeed),
		KeyConditionExpression:    aws.String("gsi2pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(pkFeed)},
		ScanIndexForward:          aws.Bool(true),
		Limit:                     aws.Int32(1),
	})
	if err != nil || len(page.Items) == 0 {
		return time.Time{}, false, err
	}
	return page.Items[0].PublishedAt, true, nil
}

// LatestApprovedComments lists an article's newest approved comments, newest
// first: gsi1 read backwards (the comments feed).
func (st *Store) LatestApprovedComments(ctx context.Context, articleID string, limit int) ([]*broadsheet.Comment, error) {
	page, err := st.queryComments(ctx, "LatestApprovedComments", &dynamodb.QueryInput{
		TableName: &st.Table, IndexName: aws.String(indexBySlug),
		KeyConditionExpression:    aws.String("gsi1pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(prefixComments + articleID)},
		ScanIndexForward:          aws.Bool(false),
		Limit:                     aws.Int32(int32(limit)),
	})
	return page.Items, err
}
