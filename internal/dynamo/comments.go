package dynamo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"broadsheet/internal/broadsheet"
)

var _ broadsheet.CommentStore = (*Store)(nil)

// Comment key prefixes (see docs/comments.md). The Comments function's IAM
// policy grants writes by these prefixes, so a new prefix written from the
// submission path needs a template change too.
const (
	prefixComment       = "COMMENT#" // COMMENT#<id> / COMMENT: the comment
	skComment           = "COMMENT"
	prefixComments      = "COMMENTS#" // gsi1pk: COMMENTS#<articleId>, approved comments only
	prefixCommentStatus = "CSTATUS#"  // gsi3pk: CSTATUS#<status>, moderation queues
	prefixDedupe        = "DEDUPE#"   // DEDUPE#<articleId>#<emailHash>#<bodySha256> / DEDUPE
	skDedupe            = "DEDUPE"
	prefixRate          = "RATE#" // RATE#ip#<hash>, RATE#email#<hash> / RATE
	skRate              = "RATE"
	prefixIdem          = "IDEM#" // IDEM#<hmac(slug, key)> / IDEM
	skIdem              = "IDEM"
	prefixCommenter     = "COMMENTER#" // COMMENTER#<emailHash> / APPROVED
	skCommenterApproved = "APPROVED"
	skTrustPrefix       = "TRUST#"   // COMMENTER#<emailHash> / TRUST#<addressHash>: verified from there
	skCommenterComment  = "COMMENT#" // COMMENTER#<emailHash> / COMMENT#<id>: the email's comments (forget me)
	prefixImport        = "IMPORT#"  // IMPORT#<articleId>#<sha256(externalId)> / IMPORT
	skImport            = "IMPORT"
)

// idempotencyTTL is how long a stored answer is replayed.
const idempotencyTTL = 24 * time.Hour

// commentItem is a comment as stored. gsi1 attributes exist only while the
// comment is approved (the public list); gsi3 always (the moderation queue of
// its status). dedupeKey is the dedupe item written with it, deleted with it.
type commentItem struct {
	PK          string `dynamodbav:"pk"`
	SK          string `dynamodbav:"sk"`
	GSI1PK      string `dynamodbav:"gsi1pk,omitempty"`
	GSI1SK      string `dynamodbav:"gsi1sk,omitempty"`
	GSI3PK      string `dynamodbav:"gsi3pk"`
	GSI3SK      string `dynamodbav:"gsi3sk"`
	Type        string `dynamodbav:"type"`
	ID          string `dynamodbav:"id"`
	ArticleID   string `dynamodbav:"articleId"`
	ArticleSlug string `dynamodbav:"articleSlug"`
	ParentID    string `dynamodbav:"parentId,omitempty"`
	Name        string `dynamodbav:"name"`
	Email       string `dynamodbav:"email,omitempty"`
	EmailHash   string `dynamodbav:"emailHash,omitempty"`
	Website     string `dynamodbav:"website,omitempty"`
	Body        string `dynamodbav:"body"`
	Status      string `dynamodbav:"status"`
	CreatedAt   string `dynamodbav:"createdAt"`
	ExternalID  string `dynamodbav:"externalId,omitempty"`
	DedupeKey   string `dynamodbav:"dedupeKey,omitempty"`
	Notify      string `dynamodbav:"notify,omitempty"`
}

// commentSortKey orders comments by creation time, then id.
func commentSortKey(c *broadsheet.Comment) string { return timeKey(c.CreatedAt) + "#" + c.ID }

// dedupeKey is the dedupe item's pk for c, or "" for a comment without email.
func dedupeKey(c *broadsheet.Comment) string {
	if c.EmailHash == "" {
		return ""
	}
	return prefixDedupe + c.ArticleID + "#" + c.EmailHash + "#" + broadsheet.BodyFingerprint(c.Body)
}

func importKey(articleID, externalID string) string {
	sum := sha256.Sum256([]byte(externalID))
	return prefixImport + articleID + "#" + hex.EncodeToString(sum[:])
}

func toCommentItem(c *broadsheet.Comment) commentItem {
	it := commentItem{
		PK: prefixComment + c.ID, SK: skComment,
		GSI3PK: StatusQueueKey(c.Status, c.ID, QueueShards), GSI3SK: commentSortKey(c),
		Type: "comment", ID: c.ID, ArticleID: c.ArticleID, ArticleSlug: c.ArticleSlug, ParentID: c.ParentID,
		Name: c.Name, Email: c.Email, EmailHash: c.EmailHash, Website: c.Website, Body: c.Body,
		Status: string(c.Status), CreatedAt: FormatTime(c.CreatedAt), ExternalID: c.ExternalID,
		DedupeKey: dedupeKey(c), Notify: string(c.Notify),
	}
	if c.Status == broadsheet.CommentApproved {
		it.GSI1PK, it.GSI1SK = prefixComments+c.ArticleID, commentSortKey(c)
	}
	return it
}

func (it *commentItem) comment() *broadsheet.Comment {
	return &broadsheet.Comment{
		ID: it.ID, ArticleID: it.ArticleID, ArticleSlug: it.ArticleSlug, ParentID: it.ParentID,
		Name: it.Name, Email: it.Email, EmailHash: it.EmailHash, Website: it.Website, Body: it.Body,
		Status: broadsheet.CommentStatus(it.Status), CreatedAt: parseTime(it.CreatedAt), ExternalID: it.ExternalID,
		Notify: broadsheet.ReplyNotify(it.Notify),
	}
}

func n(v int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
}

// Transaction building blocks.

func (st *Store) putComment(c *broadsheet.Comment) (types.TransactWriteItem, error) {
	item, err := attributevalue.MarshalMap(toCommentItem(c))
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	return types.TransactWriteItem{Put: &types.Put{TableName: &st.Table, Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)")}}, nil
}

// putDedupe claims (articleId, email, normalised body) for c, failing if taken.
func (st *Store) putDedupe(c *broadsheet.Comment) types.TransactWriteItem {
	return types.TransactWriteItem{Put: &types.Put{
		TableName: &st.Table,
		Item: map[string]types.AttributeValue{
			"pk": s(dedupeKey(c)), "sk": s(skDedupe), "type": s("dedupe"), "commentId": s(c.ID),
		},
		ConditionExpression: aws.String("attribute_not_exists(pk)"),
	}}
}

// putRate closes a flood key until now+window. It fails while the key is
// still closed; an expired item counts as open whether or not TTL has
// deleted it yet (DynamoDB Local never does).
func (st *Store) putRate(k string, now time.Time, window time.Duration) types.TransactWriteItem {
	until := now.Add(window).UnixMilli()
	return types.TransactWriteItem{Put: &types.Put{
		TableName: &st.Table,
		Item: map[string]types.AttributeValue{
			"pk": s(prefixRate + k), "sk": s(skRate), "type": s("rate"),
			"until": n(until), "expiresAt": n(until/1000 + 60),
		},
		ConditionExpression:       aws.String("attribute_not_exists(pk) OR #until <= :now"),
		ExpressionAttributeNames:  map[string]string{"#until": "until"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":now": n(now.UnixMilli())},
	}}
}

func (st *Store) putIdem(k string, a broadsheet.StoredAnswer, now time.Time) types.TransactWriteItem {
	return types.TransactWriteItem{Put: &types.Put{
		TableName: &st.Table,
		Item: map[string]types.AttributeValue{
			"pk": s(prefixIdem + k), "sk": s(skIdem), "type": s("idempotency"),
			"status": n(int64(a.Status)), "body": s(a.Body), "commentId": s(a.CommentID), "fingerprint": s(a.Fingerprint),
			"createdAt": s(FormatTime(now)), "expiresAt": n(now.Add(idempotencyTTL).Unix()),
		},
		ConditionExpression:       aws.String("attribute_not_exists(pk) OR expiresAt < :nowSecs"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":nowSecs": n(now.Unix())},
	}}
}

// checkParent holds the transaction to parent being an approved comment of
// the same article at commit time.
func (st *Store) checkParent(c *broadsheet.Comment) types.TransactWriteItem {
	return types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{
		TableName:                 &st.Table,
		Key:                       key(prefixComment+c.ParentID, skComment),
		ConditionExpression:       aws.String("#status = :approved AND articleId = :articleId"),
		ExpressionAttributeNames:  map[string]string{"#status": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":approved": s(string(broadsheet.CommentApproved)), ":articleId": s(c.ArticleID)},
	}}
}

// countDelta adds delta to the article's commentCount. The condition keeps
// a deleted article from being resurrected as a bare counter item.
func (st *Store) countDelta(articleID string, delta int64) types.TransactWriteItem {
	return types.TransactWriteItem{Update: &types.Update{
		TableName:                 &st.Table,
		Key:                       key(prefixArticle+articleID, skArticle),
		UpdateExpression:          aws.String("ADD commentCount :d"),
		ConditionExpression:       aws.String("attribute_exists(pk)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":d": n(delta)},
	}}
}

func (st *Store) putCommenter(emailHash string, now time.Time) types.TransactWriteItem {
	return types.TransactWriteItem{Put: &types.Put{
		TableName: &st.Table,
		Item: map[string]types.AttributeValue{
			"pk": s(prefixCommenter + emailHash), "sk": s(skCommenterApproved), "type": s("commenter"),
			"approvedAt": s(FormatTime(now)),
		},
	}}
}

// SubmitComment writes a reader's comment in one TransactWriteItems:
//
//	comment         Put, attribute_not_exists(pk)
//	dedupe          Put, attribute_not_exists(pk)                    → 409
//	rate (per key)  Put, attribute_not_exists(pk) OR #until <= :now  → 429
//	idempotency     Put, attribute_not_exists(pk) OR expiresAt < :nowSecs → replay
//	parent          ConditionCheck, approved and same article        → 400
//	article         Update ADD commentCount 1 (approved only)        → 404 if gone
//	commenter       Put (auto-approved first-timer only)
//
// Either all of it happens or none of it, so no interleaving of concurrent
// submissions can store a duplicate, beat the flood window or double-count.
func (st *Store) SubmitComment(ctx context.Context, sub *broadsheet.Submission) error {
	c := sub.Comment
	put, err := st.putComment(c)
	if err != nil {
		return err
	}
	ops := []types.TransactWriteItem{put}
	dedupeOp, idemOp, parentOp, articleOp := -1, -1, -1, -1
	rateOps := map[int]string{}
	if c.EmailHash != "" {
		dedupeOp = len(ops)
		ops = append(ops, st.putDedupe(c), st.putCommenterComment(c))
	}
	if sub.FloodWindow > 0 {
		for _, k := range sub.FloodKeys {
			rateOps[len(ops)] = k
			ops = append(ops, st.putRate(k, sub.Now, sub.FloodWindow))
		}
	}
	if sub.IdempotencyKey != "" {
		idemOp = len(ops)
		ops = append(ops, st.putIdem(sub.IdempotencyKey, sub.Answer, sub.Now))
	}
	if c.ParentID != "" {
		parentOp = len(ops)
		ops = append(ops, st.checkParent(c))
	}
	if c.Status == broadsheet.CommentApproved {
		articleOp = len(ops)
		ops = append(ops, st.countDelta(c.ArticleID, 1))
		if sub.NewCommenter && c.EmailHash != "" {
			ops = append(ops, st.putCommenter(c.EmailHash, sub.Now))
		}
	}
	err = Transact(ctx, st.DB, ops, transactHotAttempts)
	failed := ConditionFailures(err)
	switch {
	case failed == nil && err != nil:
		return unavailable(ctx, "SubmitComment", err)
	case failed == nil:
		return nil
	case failed[idemOp]:
		return broadsheet.ErrIdempotencyRace
	}
	// The poster's own windows decide before anything that depends on
	// another person's data (the dedupe key holds the email typed).
	var limited []string
	for i, k := range rateOps {
		if failed[i] {
			limited = append(limited, k)
		}
	}
	if len(limited) > 0 {
		return st.rateLimited(ctx, limited, sub.Now)
	}
	switch {
	case failed[dedupeOp]:
		// A duplicate stores nothing, but it still spends the address's
		// window: otherwise guessing which email wrote a public comment
		// would be free and unlimited.
		st.closeWindows(ctx, sub)
		return duplicateComment()
	case failed[articleOp]:
		return broadsheet.Errorf(broadsheet.CodeNotFound, "no such article")
	case failed[parentOp]:
		return parentInvalid()
	}
	return errors.New("SubmitComment: comment id collision")
}

func duplicateComment() error {
	return broadsheet.Errorf(broadsheet.CodeDuplicateComment, "you already posted this comment on this article")
}

func parentInvalid() error {
	return &broadsheet.Error{
		Code: broadsheet.CodeValidation, Message: "parentId does not name an approved comment on this article",
		Fields: map[string]string{"parentId": "does not name an approved comment on this article"},
	}
}

// closeWindows closes the submission's client-address window on its own
// (best effort: a failure only leaves the window open, as before).
func (st *Store) closeWindows(ctx context.Context, sub *broadsheet.Submission) {
	if sub.FloodWindow <= 0 {
		return
	}
	for _, k := range sub.AddressFloodKeys() {
		_, _ = st.ClaimWindow(ctx, k, sub.Now, sub.FloodWindow)
	}
}

// rateLimited reads the flood keys that refused the comment and answers 429
// with the wait until the last of them opens again (at least one second).
func (st *Store) rateLimited(ctx context.Context, keys []string, now time.Time) error {
	var until int64
	for _, k := range keys {
		out, err := st.DB.GetItem(ctx, &dynamodb.GetItemInput{
			TableName: &st.Table, Key: key(prefixRate+k, skRate), ConsistentRead: aws.Bool(true),
			ProjectionExpression: aws.String("#until"), ExpressionAttributeNames: map[string]string{"#until": "until"},
		})
		if err != nil {
			return unavailable(ctx, "rateLimited", err)
		}
		if v, ok := out.Item["until"].(*types.AttributeValueMemberN); ok {
			if u, err := strconv.ParseInt(v.Value, 10, 64); err == nil && u > until {
				until = u
			}
		}
	}
	wait := time.Duration(until-now.UnixMilli()) * time.Millisecond
	wait = max(wait, time.Second)
	return &broadsheet.Error{
		Code:       broadsheet.CodeRateLimited,
		Message:    "you are commenting too quickly; wait " + strconv.Itoa(int((wait+time.Second-1)/time.Second)) + " seconds and try again",
		RetryAfter: wait,
	}
}

// IdempotentAnswer reads a stored answer; an expired one (TTL deletion is
// lazy, and never happens on DynamoDB Local) counts as absent.
func (st *Store) IdempotentAnswer(ctx context.Context, k string, now time.Time) (*broadsheet.StoredAnswer, error) {
	out, err := st.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: &st.Table, Key: key(prefixIdem+k, skIdem), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, unavailable(ctx, "IdempotentAnswer", err)
	}
	if out.Item == nil {
		return nil, nil
	}
	var it struct {
		Status      int    `dynamodbav:"status"`
		Body        string `dynamodbav:"body"`
		CommentID   string `dynamodbav:"commentId"`
		Fingerprint string `dynamodbav:"fingerprint"`
		ExpiresAt   int64  `dynamodbav:"expiresAt"`
	}
	if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
		return nil, err
	}
	if it.ExpiresAt < now.Unix() {
		return nil, nil
	}
	return &broadsheet.StoredAnswer{Status: it.Status, Body: it.Body, CommentID: it.CommentID, Fingerprint: it.Fingerprint}, nil
}

// CommenterApproved reads the first-time record.
func (st *Store) CommenterApproved(ctx context.Context, emailHash string) (bool, error) {
	if emailHash == "" {
		return false, nil
	}
	out, err := st.DB.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: &st.Table, Key: key(prefixCommenter+emailHash, skCommenterApproved),
		ConsistentRead: aws.Bool(true), ProjectionExpression: aws.String("pk"),
	})
	if err != nil {
		return false, unavailable(ctx, "CommenterApproved", err)
	}
	return out.Item != nil, nil
}

// CommentByID reads one comment, strongly consistent.
func (st *Store) CommentByID(ctx context.Context, id string) (*broadsheet.Comment, error) {
	it, err := getConsistent[commentItem](ctx, st, "CommentByID", key(prefixComment+id, skComment), "no such comment")
	if err != nil {
		return nil, err
	}
	return it.comment(), nil
}

func (st *Store) queryComments(ctx context.Context, op string, in *dynamodb.QueryInput) (broadsheet.Page[*broadsheet.Comment], error) {
	var page broadsheet.Page[*broadsheet.Comment]
	out, err := st.DB.Query(ctx, in)
	if err != nil {
		return page, unavailable(ctx, op, err)
	}
	var items []commentItem
	if err := attributevalue.UnmarshalListOfMaps(out.Items, &items); err != nil {
		return page, err
	}
	for i := range items {
		page.Items = append(page.Items, items[i].comment())
	}
	page.Next = position(out.LastEvaluatedKey)
	return page, nil
}

// ApprovedComments is one Query on gsi1, ascending: oldest first.
func (st *Store) ApprovedComments(ctx context.Context, articleID string, limit int, after map[string]string) (broadsheet.Page[*broadsheet.Comment], error) {
	return st.queryComments(ctx, "ApprovedComments", &dynamodb.QueryInput{
		TableName: &st.Table, IndexName: aws.String(indexBySlug),
		KeyConditionExpression:    aws.String("gsi1pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(prefixComments + articleID)},
		ScanIndexForward:          aws.Bool(true),
		Limit:                     aws.Int32(int32(limit)),
		ExclusiveStartKey:         startKey(after),
	})
}

// CommentsByStatus reads a moderation queue oldest first (the oldest has
// waited longest). The queue's gsi3 key is sharded QueueShards ways so that a
// flood of comments does not make one GSI partition hot (docs/scaling.md):
// every shard, and the unsharded key of comments stored before sharding, is
// queried in one parallel round and the answers are merged by sort key. The
// position is each shard's last consumed sort key ("" before the first,
// exhausted when absent from a non-empty position).
func (st *Store) CommentsByStatus(ctx context.Context, status broadsheet.CommentStatus, limit int, after map[string]string) (broadsheet.Page[*broadsheet.Comment], error) {
	var page broadsheet.Page[*broadsheet.Comment]
	keys := make([]string, 0, QueueShards+1)
	for k := 0; k < QueueShards; k++ {
		keys = append(keys, prefixCommentStatus+string(status)+"#"+strconv.Itoa(k))
	}
	keys = append(keys, prefixCommentStatus+string(status)) // before sharding
	type shard struct {
		items []commentItem
		more  bool
		err   error
	}
	shards := make([]shard, len(keys))
	var wg sync.WaitGroup
	for k, pk := range keys {
		last, seen := after[strconv.Itoa(k)]
		if len(after) > 0 && !seen {
			continue // exhausted on an earlier page
		}
		in := &dynamodb.QueryInput{
			TableName: &st.Table, IndexName: aws.String(indexByStatus),
			KeyConditionExpression:    aws.String("gsi3pk = :pk"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(pk)},
			ScanIndexForward:          aws.Bool(true),
			Limit:                     aws.Int32(int32(limit)),
		}
		if last != "" {
			// A gsi3 start key needs the table key too: COMMENT#<id>, read
			// back from the sort key "<time>#<id>".
			id := last[strings.LastIndexByte(last, '#')+1:]
			in.ExclusiveStartKey = map[string]types.AttributeValue{
				"pk": s(prefixComment + id), "sk": s(skComment), "gsi3pk": s(pk), "gsi3sk": s(last),
			}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := st.DB.Query(ctx, in)
			if err != nil {
				shards[k].err = err
				return
			}
			shards[k].more = len(out.LastEvaluatedKey) > 0
			shards[k].err = attributevalue.UnmarshalListOfMaps(out.Items, &shards[k].items)
		}()
	}
	wg.Wait()
	type entry struct {
		shard int
		item  *commentItem
	}
	var all []entry
	for k := range shards {
		if shards[k].err != nil {
			return page, unavailable(ctx, "CommentsByStatus", shards[k].err)
		}
		for i := range shards[k].items {
			all = append(all, entry{k, &shards[k].items[i]})
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].item.GSI3SK < all[j].item.GSI3SK })
	taken := all
	if len(taken) > limit {
		taken = all[:limit]
	}
	consumed := make([]int, len(keys))
	next := map[string]string{}
	for _, e := range taken {
		page.Items = append(page.Items, e.item.comment())
		consumed[e.shard]++
		next[strconv.Itoa(e.shard)] = e.item.GSI3SK
	}
	more := false
	for k := range shards {
		pending := shards[k].more || consumed[k] < len(shards[k].items)
		if !pending {
			delete(next, strconv.Itoa(k))
			continue
		}
		more = true
		if _, ok := next[strconv.Itoa(k)]; !ok {
			next[strconv.Itoa(k)] = after[strconv.Itoa(k)] // unchanged ("" if never read)
		}
	}
	if more {
		page.Next = next
	}
	return page, nil
}

// SetCommentStatus moves c from c.Status to to in one transaction with the
// count change it implies (+1 into approved, −1 out of it). The comment update
// is conditioned on c.Status, so of two concurrent moderations of the same
// comment exactly one applies its count change.
func (st *Store) SetCommentStatus(ctx context.Context, c *broadsheet.Comment, to broadsheet.CommentStatus, now time.Time) error {
	from := c.Status
	if from == to {
		return nil
	}
	vals := map[string]types.AttributeValue{
		":to": s(string(to)), ":from": s(string(from)), ":gsi3pk": s(StatusQueueKey(to, c.ID, QueueShards)),
	}
	update := "SET #status = :to, gsi3pk = :gsi3pk"
	if to == broadsheet.CommentApproved {
		update += ", gsi1pk = :gsi1pk, gsi1sk = :gsi1sk"
		vals[":gsi1pk"], vals[":gsi1sk"] = s(prefixComments+c.ArticleID), s(commentSortKey(c))
	} else {
		update += " REMOVE gsi1pk, gsi1sk"
	}
	ops := []types.TransactWriteItem{{Update: &types.Update{
		TableName:                 &st.Table,
		Key:                       key(prefixComment+c.ID, skComment),
		UpdateExpression:          &update,
		ConditionExpression:       aws.String("#status = :from"),
		ExpressionAttributeNames:  map[string]string{"#status": "status"},
		ExpressionAttributeValues: vals,
	}}}
	switch {
	case to == broadsheet.CommentApproved:
		ops = append(ops, st.countDelta(c.ArticleID, 1))
		if c.EmailHash != "" {
			ops = append(ops, st.putCommenter(c.EmailHash, now))
		}
	case from == broadsheet.CommentApproved:
		ops = append(ops, st.countDelta(c.ArticleID, -1))
	}
	countOp := -1
	if len(ops) > 1 {
		countOp = 1
	}
	return st.withCount(ctx, "SetCommentStatus", ops, countOp, to == broadsheet.CommentApproved)
}

// withCount runs a moderation transaction whose ops[0] is the comment's
// conditional write and ops[countOp] (if countOp ≥ 0) the article count
// update. If the article is gone, an approval is refused (404), while an
// un-approval or deletion goes ahead without the count.
func (st *Store) withCount(ctx context.Context, op string, ops []types.TransactWriteItem, countOp int, approving bool) error {
	err := Transact(ctx, st.DB, ops, transactHotAttempts)
	failed := ConditionFailures(err)
	if failed == nil && err != nil {
		return unavailable(ctx, op, err)
	}
	switch {
	case failed == nil:
		return nil
	case failed[0]:
		return broadsheet.Errorf(broadsheet.CodePreconditionFailed, "the comment changed since you read it")
	case failed[countOp] && approving:
		return broadsheet.Errorf(broadsheet.CodeNotFound, "the comment's article no longer exists")
	case failed[countOp]:
		rest := append(append([]types.TransactWriteItem{}, ops[:countOp]...), ops[countOp+1:]...)
		return st.withCount(ctx, op, rest, -1, false)
	}
	return errors.New(op + ": unexpected cancellation")
}

// DeleteComment removes c and its dedupe key (so its author may post the same
// text again), conditioned on c.Status; deleting an approved comment
// decrements the count in the same transaction. The import key stays, so a
// re-run import does not bring back what an editor deleted.
func (st *Store) DeleteComment(ctx context.Context, c *broadsheet.Comment) error {
	ops := []types.TransactWriteItem{{Delete: &types.Delete{
		TableName:                 &st.Table,
		Key:                       key(prefixComment+c.ID, skComment),
		ConditionExpression:       aws.String("#status = :from"),
		ExpressionAttributeNames:  map[string]string{"#status": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":from": s(string(c.Status))},
	}}}
	countOp := -1
	if c.Status == broadsheet.CommentApproved {
		countOp = len(ops)
		ops = append(ops, st.countDelta(c.ArticleID, -1))
	}
	if dk := dedupeKey(c); dk != "" {
		// Only the comment's own claim: a dedupe item names its comment.
		ops = append(ops, types.TransactWriteItem{Delete: &types.Delete{
			TableName: &st.Table, Key: key(dk, skDedupe),
			ConditionExpression:       aws.String("attribute_not_exists(pk) OR commentId = :id"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":id": s(c.ID)},
		}})
	}
	if c.EmailHash != "" {
		ops = append(ops, types.TransactWriteItem{Delete: &types.Delete{
			TableName: &st.Table, Key: key(prefixCommenter+c.EmailHash, skCommenterComment+c.ID),
		}})
	}
	return st.withCount(ctx, "DeleteComment", ops, countOp, false)
}

// ImportComment stores an editor's import in one transaction: the comment,
// its IMPORT# key (attribute_not_exists: one comment per externalId and
// article), its dedupe key, the parent check, and for an approved comment the
// count and commenter record. No flood limit and no moderation apply.
func (st *Store) ImportComment(ctx context.Context, c *broadsheet.Comment) (*broadsheet.Comment, bool, error) {
	put, err := st.putComment(c)
	if err != nil {
		return nil, false, err
	}
	ops := []types.TransactWriteItem{put}
	importOp, dedupeOp, parentOp, articleOp := -1, -1, -1, -1
	if c.ExternalID != "" {
		importOp = len(ops)
		ops = append(ops, types.TransactWriteItem{Put: &types.Put{
			TableName: &st.Table,
			Item: map[string]types.AttributeValue{
				"pk": s(importKey(c.ArticleID, c.ExternalID)), "sk": s(skImport), "type": s("import"), "commentId": s(c.ID),
			},
			ConditionExpression: aws.String("attribute_not_exists(pk)"),
		}})
	}
	if c.EmailHash != "" {
		dedupeOp = len(ops)
		ops = append(ops, st.putDedupe(c), st.putCommenterComment(c))
	}
	if c.ParentID != "" {
		parentOp = len(ops)
		ops = append(ops, st.checkParent(c))
	}
	if c.Status == broadsheet.CommentApproved {
		articleOp = len(ops)
		ops = append(ops, st.countDelta(c.ArticleID, 1))
		if c.EmailHash != "" {
			ops = append(ops, st.putCommenter(c.EmailHash, c.CreatedAt))
		}
	}
	err = Transact(ctx, st.DB, ops, transactHotAttempts)
	failed := ConditionFailures(err)
	switch {
	case failed == nil && err != nil:
		return nil, false, unavailable(ctx, "ImportComment", err)
	case failed == nil:
		return c, true, nil
	case failed[importOp]:
		existing, err := st.importedComment(ctx, c.ArticleID, c.ExternalID)
		return existing, false, err
	case failed[dedupeOp]:
		return nil, false, duplicateComment()
	case failed[articleOp]:
		return nil, false, broadsheet.Errorf(broadsheet.CodeNotFound, "no such article")
	case failed[parentOp]:
		return nil, false, parentInvalid()
	}
	return nil, false, errors.New("ImportComment: comment id collision")
}

// importedComment follows an IMPORT# key to its comment. If an editor has
// since deleted that comment, the import is answered as a duplicate.
func (st *Store) importedComment(ctx context.Context, articleID, externalID string) (*broadsheet.Comment, error) {
	out, err := st.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: &st.Table, Key: key(importKey(articleID, externalID), skImport), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, unavailable(ctx, "importedComment", err)
	}
	id, _ := out.Item["commentId"].(*types.AttributeValueMemberS)
	if id == nil {
		return nil, errors.New("importedComment: import key vanished")
	}
	c, err := st.CommentByID(ctx, id.Value)
	if broadsheet.ErrorCode(err) == broadsheet.CodeNotFound {
		return nil, broadsheet.Errorf(broadsheet.CodeDuplicateComment, "this externalId was imported before and the comment has since been deleted")
	}
	return c, err
}

// CommenterTrusted reads whether the email was verified from the address
// (strongly consistent; an expired record still present counts as absent).
func (st *Store) CommenterTrusted(ctx context.Context, emailHash, address string, now time.Time) (bool, error) {
	if emailHash == "" {
		return false, nil
	}
	out, err := st.DB.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: &st.Table, Key: key(prefixCommenter+emailHash, skTrustPrefix+address),
		ConsistentRead: aws.Bool(true), ProjectionExpression: aws.String("expiresAt"),
	})
	if err != nil {
		return false, unavailable(ctx, "CommenterTrusted", err)
	}
	var it struct {
		ExpiresAt int64 `dynamodbav:"expiresAt"`
	}
	if out.Item == nil {
		return false, nil
	}
	if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
		return false, err
	}
	return it.ExpiresAt > now.Unix(), nil
}

// TrustCommenter records that the email was verified from the address, for
// broadsheet.TrustLifetime (TTL cleans up); first is false when a live
// record was already there.
func (st *Store) TrustCommenter(ctx context.Context, emailHash, address string, now time.Time) (bool, error) {
	return st.putIfAllowed(ctx, "TrustCommenter", &dynamodb.PutItemInput{
		TableName: &st.Table,
		Item: map[string]types.AttributeValue{
			"pk": s(prefixCommenter + emailHash), "sk": s(skTrustPrefix + address), "type": s("trust"),
			"verifiedAt": s(FormatTime(now)), "expiresAt": n(now.Add(broadsheet.TrustLifetime).Unix()),
		},
		ConditionExpression:       aws.String("attribute_not_exists(pk) OR expiresAt <= :now"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":now": n(now.Unix())},
	})
}

// ClaimWindow closes the window key (a RATE# item, as the flood limit's)
// unless it is already closed: false means it was.
func (st *Store) ClaimWindow(ctx context.Context, k string, now time.Time, window time.Duration) (bool, error) {
	p := st.putRate(k, now, window).Put
	return st.putIfAllowed(ctx, "ClaimWindow", &dynamodb.PutItemInput{
		TableName: p.TableName, Item: p.Item, ConditionExpression: p.ConditionExpression,
		ExpressionAttributeNames: p.ExpressionAttributeNames, ExpressionAttributeValues: p.ExpressionAttributeValues,
	})
}

// putIfAllowed is one conditional PutItem whose failed condition is an
// answer (false), not an error.
func (st *Store) putIfAllowed(ctx context.Context, op string, in *dynamodb.PutItemInput) (bool, error) {
	_, err := st.DB.PutItem(ctx, in)
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return false, nil
	}
	if err != nil {
		return false, unavailable(ctx, op, err)
	}
	return true, nil
}

// putCommenterComment indexes c under its email (COMMENTER#<emailHash> /
// COMMENT#<id>), in the comment's own transaction, so that "forget me"
// finds every comment of an email with one Query and no Scan.
func (st *Store) putCommenterComment(c *broadsheet.Comment) types.TransactWriteItem {
	return types.TransactWriteItem{Put: &types.Put{
		TableName: &st.Table,
		Item: map[string]types.AttributeValue{
			"pk": s(prefixCommenter + c.EmailHash), "sk": s(skCommenterComment + c.ID), "type": s("commenter-comment"),
			"commentId": s(c.ID),
		},
	}}
}

// SetReplyNotify sets (or, for NotifyNone, removes) the comment's notify
// attribute; CodeNotFound if the comment is gone.
func (st *Store) SetReplyNotify(ctx context.Context, commentID string, to broadsheet.ReplyNotify) error {
	in := &dynamodb.UpdateItemInput{
		TableName: &st.Table, Key: key(prefixComment+commentID, skComment),
		UpdateExpression:         aws.String("REMOVE #notify"),
		ConditionExpression:      aws.String("attribute_exists(pk)"),
		ExpressionAttributeNames: map[string]string{"#notify": "notify"},
	}
	if to != broadsheet.NotifyNone {
		in.UpdateExpression = aws.String("SET #notify = :to")
		in.ExpressionAttributeValues = map[string]types.AttributeValue{":to": s(string(to))}
	}
	_, err := st.DB.UpdateItem(ctx, in)
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return broadsheet.Errorf(broadsheet.CodeNotFound, "no such comment")
	}
	if err != nil {
		return unavailable(ctx, "SetReplyNotify", err)
	}
	return nil
}

// CommenterHasComments is one Query on the email's item collection for a
// COMMENT# index item (Limit 1).
func (st *Store) CommenterHasComments(ctx context.Context, emailHash string) (bool, error) {
	if emailHash == "" {
		return false, nil
	}
	out, err := st.DB.Query(ctx, &dynamodb.QueryInput{
		TableName:              &st.Table,
		KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :sk)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": s(prefixCommenter + emailHash), ":sk": s(skCommenterComment),
		},
		ConsistentRead: aws.Bool(true), Limit: aws.Int32(1), ProjectionExpression: aws.String("pk"),
	})
	if err != nil {
		return false, unavailable(ctx, "CommenterHasComments", err)
	}
	return len(out.Items) > 0, nil
}

// ForgetCommenter pages through the email's item collection
// (COMMENTER#<emailHash>). Each COMMENT# index item is one transaction:
// the comment updated (name → ErasedName; email, emailHash, website,
// notify and dedupeKey removed; conditioned on still carrying the hash),
// its dedupe claim and the index item deleted. A comment deleted
// meanwhile leaves only its index item to delete. Trust and
// approved-commenter records are deleted one by one. Each step is
// idempotent, so a run cut short is finished by the next.
func (st *Store) ForgetCommenter(ctx context.Context, emailHash string) (int, error) {
	if emailHash == "" {
		return 0, nil
	}
	pk := prefixCommenter + emailHash
	erased := 0
	var start map[string]types.AttributeValue
	for {
		out, err := st.DB.Query(ctx, &dynamodb.QueryInput{
			TableName: &st.Table, KeyConditionExpression: aws.String("pk = :pk"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(pk)},
			ConsistentRead:            aws.Bool(true), ProjectionExpression: aws.String("pk, sk"),
			ExclusiveStartKey: start,
		})
		if err != nil {
			return erased, unavailable(ctx, "ForgetCommenter", err)
		}
		for _, it := range out.Items {
			sk, _ := it["sk"].(*types.AttributeValueMemberS)
			if sk == nil {
				continue
			}
			if id, ok := strings.CutPrefix(sk.Value, skCommenterComment); ok {
				done, err := st.eraseComment(ctx, emailHash, id)
				if err != nil {
					return erased, err
				}
				if done {
					erased++
				}
				continue
			}
			if _, err := st.DB.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &st.Table, Key: key(pk, sk.Value)}); err != nil {
				return erased, unavailable(ctx, "ForgetCommenter", err)
			}
		}
		if len(out.LastEvaluatedKey) == 0 {
			return erased, nil
		}
		start = out.LastEvaluatedKey
	}
}

// eraseComment erases one indexed comment; done is false when the comment
// no longer carried the email (deleted, or erased before).
func (st *Store) eraseComment(ctx context.Context, emailHash, id string) (bool, error) {
	index := types.TransactWriteItem{Delete: &types.Delete{TableName: &st.Table, Key: key(prefixCommenter+emailHash, skCommenterComment+id)}}
	c, err := st.CommentByID(ctx, id)
	if broadsheet.ErrorCode(err) == broadsheet.CodeNotFound || (err == nil && c.EmailHash != emailHash) {
		if err := Transact(ctx, st.DB, []types.TransactWriteItem{index}, transactHotAttempts); err != nil {
			return false, unavailable(ctx, "ForgetCommenter", err)
		}
		return false, nil
	}
	if err != nil {
		return false, err
	}
	ops := []types.TransactWriteItem{{Update: &types.Update{
		TableName:                 &st.Table,
		Key:                       key(prefixComment+id, skComment),
		UpdateExpression:          aws.String("SET #name = :anon REMOVE email, emailHash, website, #notify, dedupeKey"),
		ConditionExpression:       aws.String("emailHash = :h"),
		ExpressionAttributeNames:  map[string]string{"#name": "name", "#notify": "notify"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":anon": s(broadsheet.ErasedName), ":h": s(emailHash)},
	}}, index}
	if dk := dedupeKey(c); dk != "" {
		ops = append(ops, types.TransactWriteItem{Delete: &types.Delete{
			TableName: &st.Table, Key: key(dk, skDedupe),
			ConditionExpression:       aws.String("attribute_not_exists(pk) OR commentId = :id"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":id": s(id)},
		}})
	}
	err = Transact(ctx, st.DB, ops, transactHotAttempts)
	failed := ConditionFailures(err)
	switch {
	case failed == nil && err != nil:
		return false, unavailable(ctx, "ForgetCommenter", err)
	case failed == nil:
		return true, nil
	case !failed[0] && len(ops) == 3:
		// The dedupe key is another comment's claim (this one's was freed
		// and claimed again): leave it, erase the comment.
		if err := Transact(ctx, st.DB, ops[:2], transactHotAttempts); err != nil {
			return false, unavailable(ctx, "ForgetCommenter", err)
		}
		return true, nil
	}
	// Changed between the read and the write (deleted or erased): only the
	// index item is left to remove.
	if err := Transact(ctx, st.DB, []types.TransactWriteItem{index}, transactHotAttempts); err != nil {
		return false, unavailable(ctx, "ForgetCommenter", err)
	}
	return false, nil
}
