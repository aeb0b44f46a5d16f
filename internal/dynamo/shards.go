package dynamo

import (
	"context"
	"hash/fnv"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"broadsheet/internal/broadsheet"
)

// The sharded write path for a viral article (docs/scaling.md). Every key a
// burst of comments on one article writes to is a single partition key in
// the current design: the article item (commentCount), the moderation queue
// (gsi3 CSTATUS#pending) and the approved list (gsi1 COMMENTS#<articleId>).
// One partition takes at most 1,000 WCU/s, and a GSI that cannot keep up
// throttles the table writes that feed it. Here each of them is spread over
// n keys, chosen by a hash of the comment id (uniform: ids are ULIDs), and
// read back by asking every shard in one parallel round and merging.
//
// Items: counter shard pk COUNT#<articleId>#<k>, sk COUNT, attribute
// commentCount (N); a queue shard is the gsi3 key CSTATUS#<status>#<k>.

const (
	prefixCountShard = "COUNT#"
	skCountShard     = "COUNT"
	// CounterShards spread one article's comment count: 1,000 approvals/s
	// in transactions (2 WCU each on a tiny item) need at least 2 partitions'
	// worth of write capacity; 10 leaves room for bursts and hot spots.
	CounterShards = 10
	// QueueShards spread the pending moderation queue (and, the same way,
	// an article's approved list): 1 KB comments at 1,000/s are 1,000 WCU/s
	// on the GSI, a whole partition; 16 keeps each under 10% of one.
	QueueShards = 16
)

// ShardOf maps key to one of n shards (FNV-1a).
func ShardOf(key string, n int) int {
	if n <= 1 {
		return 0
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(key))
	return int(h.Sum32() % uint32(n))
}

// CountShardKey is the key of shard k of an article's comment counter.
func CountShardKey(articleID string, k int) map[string]types.AttributeValue {
	return key(prefixCountShard+articleID+"#"+strconv.Itoa(k), skCountShard)
}

// CountShardDelta is the transaction item that adds delta to the counter
// shard that commentID falls in: a tiny item, so 1 WCU (2 in a transaction)
// whatever the article's size, where ADD on the article item costs its
// whole size (a 25 KB article: 25 WCU, 50 in a transaction).
func (st *Store) CountShardDelta(articleID, commentID string, shards int, delta int64) types.TransactWriteItem {
	return types.TransactWriteItem{Update: &types.Update{
		TableName:                 &st.Table,
		Key:                       CountShardKey(articleID, ShardOf(commentID, shards)),
		UpdateExpression:          aws.String("ADD commentCount :d"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":d": n(delta)},
	}}
}

// AddCommentCount adds delta to the shard commentID falls in.
func (st *Store) AddCommentCount(ctx context.Context, articleID, commentID string, n int, delta int64) error {
	u := st.CountShardDelta(articleID, commentID, n, delta).Update
	_, err := st.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: u.TableName, Key: u.Key, UpdateExpression: u.UpdateExpression, ExpressionAttributeValues: u.ExpressionAttributeValues,
	})
	if err != nil {
		return unavailable(ctx, "AddCommentCount", err)
	}
	return nil
}

// CommentCountShards reads every shard of an article's counter in one
// BatchGetItem (n × 0.5 RCU eventually consistent) and returns each value.
func (st *Store) CommentCountShards(ctx context.Context, articleID string, n int) ([]int64, error) {
	keys := make([]map[string]types.AttributeValue, n)
	for k := range keys {
		keys[k] = CountShardKey(articleID, k)
	}
	out := make([]int64, n)
	pending := map[string]types.KeysAndAttributes{st.Table: {Keys: keys, ProjectionExpression: aws.String("pk, commentCount")}}
	for attempt := 0; len(pending) > 0 && attempt < 5; attempt++ {
		res, err := st.DB.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: pending})
		if err != nil {
			return nil, unavailable(ctx, "CommentCountShards", err)
		}
		for _, item := range res.Responses[st.Table] {
			var v struct {
				PK           string `dynamodbav:"pk"`
				CommentCount int64  `dynamodbav:"commentCount"`
			}
			if err := attributevalue.UnmarshalMap(item, &v); err != nil {
				return nil, err
			}
			i := len(v.PK) - 1
			for i >= 0 && v.PK[i] != '#' {
				i--
			}
			if k, err := strconv.Atoi(v.PK[i+1:]); err == nil && k >= 0 && k < n {
				out[k] = v.CommentCount
			}
		}
		pending = res.UnprocessedKeys
	}
	if len(pending) > 0 {
		return nil, unavailable(ctx, "CommentCountShards", broadsheet.Errorf(broadsheet.CodeUnavailable, "unprocessed keys"))
	}
	return out, nil
}

// CommentCount is the sum of the counter's shards.
func (st *Store) CommentCount(ctx context.Context, articleID string, n int) (int64, error) {
	shards, err := st.CommentCountShards(ctx, articleID, n)
	if err != nil {
		return 0, err
	}
	var sum int64
	for _, v := range shards {
		sum += v
	}
	return sum, nil
}

// StatusQueueKey is the gsi3 partition key of a comment's moderation queue,
// sharded n ways by its id (n ≤ 1: the unsharded CSTATUS#<status>).
func StatusQueueKey(status broadsheet.CommentStatus, commentID string, n int) string {
	if n <= 1 {
		return prefixCommentStatus + string(status)
	}
	return prefixCommentStatus + string(status) + "#" + strconv.Itoa(ShardOf(commentID, n))
}

// PutCommentSharded stores a new comment (its queue key sharded, as every
// comment's is) and, when it is approved, bumps its article's counter shard,
// in one transaction. The submission path still bumps the article's own
// count; this is the counter design docs/scaling.md proposes next.
func (st *Store) PutCommentSharded(ctx context.Context, c *broadsheet.Comment, counterShards int) error {
	it := toCommentItem(c)
	item, err := attributevalue.MarshalMap(it)
	if err != nil {
		return err
	}
	ops := []types.TransactWriteItem{{Put: &types.Put{TableName: &st.Table, Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)")}}}
	if c.Status == broadsheet.CommentApproved {
		ops = append(ops, st.CountShardDelta(c.ArticleID, c.ID, counterShards, 1))
	}
	if err := Transact(ctx, st.DB, ops, transactHotAttempts); err != nil {
		return unavailable(ctx, "PutCommentSharded", err)
	}
	return nil
}
