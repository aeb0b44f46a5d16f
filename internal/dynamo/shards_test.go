package dynamo_test

import (
	"context"
	"fmt"
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

// writers submit comments on one article concurrently, as a viral article's
// readers would; each test checks the result is exact and spread.
const (
	shardWriters   = 8
	shardPerWriter = 25
)

func parallel(t *testing.T, f func(w, i int) error) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, shardWriters*shardPerWriter)
	for w := 0; w < shardWriters; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < shardPerWriter; i++ {
				if err := f(w, i); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func shardedCounterIsExactAndSpread(t *testing.T) {
	st := dynamotest.NewStore(t)
	ctx := context.Background()
	article := ulid.Make().String()
	parallel(t, func(w, i int) error {
		return st.AddCommentCount(ctx, article, ulid.Make().String(), dynamo.CounterShards, 1)
	})
	shards, err := st.CommentCountShards(ctx, article, dynamo.CounterShards)
	if err != nil {
		t.Fatal(err)
	}
	total, used := int64(0), 0
	for _, v := range shards {
		total += v
		if v > 0 {
			used++
		}
	}
	t.Logf("%d writers × %d increments over %d shards: %v", shardWriters, shardPerWriter, dynamo.CounterShards, shards)
	if want := int64(shardWriters * shardPerWriter); total != want {
		t.Fatalf("count %d, want %d", total, want)
	}
	if sum, err := st.CommentCount(ctx, article, dynamo.CounterShards); err != nil || sum != total {
		t.Fatalf("CommentCount = %d, %v", sum, err)
	}
	// 200 uniform ids over 10 shards: every shard gets some, none a third.
	for k, v := range shards {
		if v == 0 || v > total/3 {
			t.Errorf("shard %d holds %d of %d: not spread", k, v, total)
		}
	}
	if used != dynamo.CounterShards {
		t.Errorf("%d of %d shards used", used, dynamo.CounterShards)
	}
	// A decrement lands on the shard of the same comment id.
	id := ulid.Make().String()
	if err := st.AddCommentCount(ctx, article, id, dynamo.CounterShards, 1); err != nil {
		t.Fatal(err)
	}
	if err := st.AddCommentCount(ctx, article, id, dynamo.CounterShards, -1); err != nil {
		t.Fatal(err)
	}
	if sum, _ := st.CommentCount(ctx, article, dynamo.CounterShards); sum != total {
		t.Fatalf("after +1 −1: %d, want %d", sum, total)
	}
}

func shardedPendingQueueSpreadsAndMerges(t *testing.T) {
	st := dynamotest.NewStore(t)
	ctx := context.Background()
	article := ulid.Make().String()
	base := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	parallel(t, func(w, i int) error {
		n := w*shardPerWriter + i
		c := &broadsheet.Comment{
			ID: ulid.Make().String(), ArticleID: article, ArticleSlug: "viral", Name: fmt.Sprintf("Reader %d", n),
			Body: fmt.Sprintf("comment %d", n), Status: broadsheet.CommentPending,
			CreatedAt: base.Add(time.Duration(n) * time.Millisecond),
		}
		if n%4 == 0 {
			c.Status = broadsheet.CommentApproved
		}
		return st.PutCommentSharded(ctx, c, dynamo.CounterShards)
	})
	total := shardWriters * shardPerWriter
	// The moderation queue reads back whole and in order, page by page,
	// across all shards.
	var got []*broadsheet.Comment
	var after map[string]string
	pages := 0
	for {
		page, err := st.CommentsByStatus(ctx, broadsheet.CommentPending, 7, after)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, page.Items...)
		pages++
		if page.Next == nil {
			break
		}
		if pages > total {
			t.Fatal("pagination does not end")
		}
		after = page.Next
	}
	perShard := make([]int, dynamo.QueueShards)
	seen := map[string]bool{}
	for _, c := range got {
		perShard[dynamo.ShardOf(c.ID, dynamo.QueueShards)]++
		if seen[c.ID] {
			t.Fatalf("comment %s read twice", c.ID)
		}
		seen[c.ID] = true
	}
	t.Logf("%d pending comments from %d writers over %d queue shards, read in %d pages: %v", len(got), shardWriters, dynamo.QueueShards, pages, perShard)
	if want := total * 3 / 4; len(got) != want {
		t.Fatalf("%d pending comments read back, want %d", len(got), want)
	}
	for i := 1; i < len(got); i++ {
		if got[i].CreatedAt.Before(got[i-1].CreatedAt) {
			t.Fatalf("merged queue out of order at %d", i)
		}
	}
	for k, v := range perShard {
		if v == 0 || v > len(got)/4 {
			t.Errorf("queue shard %d holds %d of %d: not spread", k, v, len(got))
		}
	}
	if sum, err := st.CommentCount(ctx, article, dynamo.CounterShards); err != nil || sum != int64(total/4) {
		t.Fatalf("approved count %d, %v; want %d", sum, err, total/4)
	}
	// The unsharded key is what the current design writes.
	if k := dynamo.StatusQueueKey(broadsheet.CommentPending, "x", 1); k != "CSTATUS#pending" {
		t.Fatalf("unsharded key %q", k)
	}
}

// BenchmarkShardedCounterWriters measures concurrent increments of one
// article's counter: spread over CounterShards items, or all on one
// (shards=1, what the article item's commentCount is today).
func BenchmarkShardedCounterWriters(b *testing.B) {
	for _, shards := range []int{1, dynamo.CounterShards} {
		b.Run(fmt.Sprintf("shards=%d", shards), func(b *testing.B) {
			st := dynamotest.NewStore(b)
			ctx := context.Background()
			article := ulid.Make().String()
			b.SetParallelism(4)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := st.AddCommentCount(ctx, article, ulid.Make().String(), shards, 1); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// queueReadsCommentsStoredBeforeSharding: a comment whose queue key is
// the old, unsharded CSTATUS#<status> still shows in the moderation queue.
func queueReadsCommentsStoredBeforeSharding(t *testing.T) {
	st := dynamotest.NewStore(t)
	ctx := context.Background()
	old := &broadsheet.Comment{ID: ulid.Make().String(), ArticleID: "A", ArticleSlug: "a", Name: "Old", Body: "before",
		Status: broadsheet.CommentPending, CreatedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	if err := st.PutCommentSharded(ctx, old, 1); err != nil {
		t.Fatal(err)
	}
	// Move it to the unsharded key, as a comment written by the old code has it.
	_, err := st.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &st.Table,
		Key: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: "COMMENT#" + old.ID}, "sk": &types.AttributeValueMemberS{Value: "COMMENT"},
		},
		UpdateExpression:          aws.String("SET gsi3pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: "CSTATUS#pending"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	fresh := *old
	fresh.ID, fresh.CreatedAt = ulid.Make().String(), old.CreatedAt.Add(time.Hour)
	if err := st.PutCommentSharded(ctx, &fresh, 1); err != nil {
		t.Fatal(err)
	}
	page, err := st.CommentsByStatus(ctx, broadsheet.CommentPending, 10, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 2 || page.Items[0].ID != old.ID || page.Items[1].ID != fresh.ID || page.Next != nil {
		t.Fatalf("queue = %+v next %v", page.Items, page.Next)
	}
}
