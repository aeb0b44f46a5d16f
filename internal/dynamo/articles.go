package dynamo

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"broadsheet/internal/broadsheet"
)

// Store implements the domain's store interfaces on one DynamoDB table.
type Store struct {
	DB    API
	Table string
}

var _ broadsheet.ArticleStore = (*Store)(nil)

// articleItem is an article as stored. The gsi attributes place it in the
// indexes: gsi1 by slug (always), gsi2 in the public feed (published only),
// gsi3 in the editors' list for its status.
type articleItem struct {
	PK           string   `dynamodbav:"pk"`
	SK           string   `dynamodbav:"sk"`
	GSI1PK       string   `dynamodbav:"gsi1pk"`
	GSI1SK       string   `dynamodbav:"gsi1sk"`
	GSI2PK       string   `dynamodbav:"gsi2pk,omitempty"`
	GSI2SK       string   `dynamodbav:"gsi2sk,omitempty"`
	GSI3PK       string   `dynamodbav:"gsi3pk"`
	GSI3SK       string   `dynamodbav:"gsi3sk"`
	Type         string   `dynamodbav:"type"`
	ID           string   `dynamodbav:"id"`
	Slug         string   `dynamodbav:"slug"`
	Title        string   `dynamodbav:"title"`
	Summary      string   `dynamodbav:"summary"`
	Body         string   `dynamodbav:"body"`
	BodyHTML     string   `dynamodbav:"bodyHtml"`
	AuthorName   string   `dynamodbav:"authorName"`
	AuthorBio    string   `dynamodbav:"authorBio"`
	Tags         []string `dynamodbav:"tags"`
	Status       string   `dynamodbav:"status"`
	PublishedAt  string   `dynamodbav:"publishedAt"`
	CreatedAt    string   `dynamodbav:"createdAt"`
	UpdatedAt    string   `dynamodbav:"updatedAt"`
	Version      int64    `dynamodbav:"version"`
	CommentsOpen bool     `dynamodbav:"commentsOpen"`
	CommentCount int64    `dynamodbav:"commentCount"`
	Lang         string   `dynamodbav:"lang,omitempty"`
	// Image is a map attribute, absent when the article has none.
	Image *imageItem `dynamodbav:"image,omitempty"`
}

// imageItem is a lead image as stored: one map attribute, so the feed index
// projects it whole (ArticleSummaryAttributes).
type imageItem struct {
	URL    string `dynamodbav:"url"`
	Alt    string `dynamodbav:"alt"`
	Credit string `dynamodbav:"credit,omitempty"`
	Width  int    `dynamodbav:"width,omitempty"`
	Height int    `dynamodbav:"height,omitempty"`
}

func toImageItem(im *broadsheet.Image) *imageItem {
	if im == nil {
		return nil
	}
	return &imageItem{URL: im.URL, Alt: im.Alt, Credit: im.Credit, Width: im.Width, Height: im.Height}
}

func (it *imageItem) image() *broadsheet.Image {
	if it == nil || it.URL == "" {
		return nil
	}
	return &broadsheet.Image{URL: it.URL, Alt: it.Alt, Credit: it.Credit, Width: it.Width, Height: it.Height}
}

// ArticleSummaryAttributes are what the public feed index (gsi2) projects.
// The lead image is among them so lists and feeds can show it without
// reading bodies (template.yaml's gsi2 NonKeyAttributes must match).
var ArticleSummaryAttributes = []string{"id", "slug", "title", "summary", "authorName", "tags", "publishedAt", "commentCount", "image"}

func toArticleItem(a *broadsheet.Article) articleItem {
	it := articleItem{
		PK: prefixArticle + a.ID, SK: skArticle,
		GSI1PK: prefixSlug + a.Slug, GSI1SK: skArticle,
		GSI3PK: prefixArticleStatus + string(a.Status), GSI3SK: timeKey(a.CreatedAt) + "#" + a.ID,
		Type: "article", ID: a.ID, Slug: a.Slug, Title: a.Title, Summary: a.Summary,
		Body: a.Body, BodyHTML: a.BodyHTML, AuthorName: a.Author.Name, AuthorBio: a.Author.Bio,
		Tags: a.Tags, Status: string(a.Status), CreatedAt: FormatTime(a.CreatedAt), UpdatedAt: FormatTime(a.UpdatedAt),
		Version: a.Version, CommentsOpen: a.CommentsOpen, CommentCount: a.CommentCount, Lang: a.Lang,
		Image: toImageItem(a.Image),
	}
	if it.Tags == nil {
		it.Tags = []string{}
	}
	if !a.PublishedAt.IsZero() {
		it.PublishedAt = FormatTime(a.PublishedAt)
	}
	if a.Status == broadsheet.StatusPublished {
		it.GSI2PK, it.GSI2SK = pkFeed, timeKey(a.PublishedAt)+"#"+a.ID
	}
	return it
}

func (it *articleItem) article() *broadsheet.Article {
	return &broadsheet.Article{
		ID: it.ID, Slug: it.Slug, Title: it.Title, Summary: it.Summary, Body: it.Body, BodyHTML: it.BodyHTML,
		Author: broadsheet.Author{Name: it.AuthorName, Bio: it.AuthorBio}, Tags: it.Tags,
		Status: broadsheet.Status(it.Status), PublishedAt: parseTime(it.PublishedAt),
		CreatedAt: parseTime(it.CreatedAt), UpdatedAt: parseTime(it.UpdatedAt),
		Version: it.Version, CommentsOpen: it.CommentsOpen, CommentCount: it.CommentCount, Lang: it.Lang,
		Image: it.Image.image(),
	}
}

// FormatTime is how the table stores a time (UTC, RFC 3339 with nanoseconds),
// for readers of stream images that keep the stored text.
func FormatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func parseTime(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

// listingKeys are the base-table index items that place a published article
// in tag and author lists (an article has many tags, and a GSI key holds one
// value), plus its place in the editors' list of everything.
func listingKeys(a *broadsheet.Article) []map[string]types.AttributeValue {
	keys := []map[string]types.AttributeValue{key(pkAllArticles, timeKey(a.CreatedAt)+"#"+a.ID)}
	if a.Status != broadsheet.StatusPublished {
		return keys
	}
	sk := timeKey(a.PublishedAt) + "#" + a.ID
	for _, t := range a.Tags {
		keys = append(keys, key(prefixTag+t, sk))
	}
	if ak := broadsheet.Slugify(a.Author.Name); ak != "" {
		keys = append(keys, key(prefixAuthor+ak, sk))
	}
	return keys
}

func keyString(k map[string]types.AttributeValue) string {
	return k["pk"].(*types.AttributeValueMemberS).Value + "\x00" + k["sk"].(*types.AttributeValueMemberS).Value
}

func listingPut(table string, k map[string]types.AttributeValue, id string) types.TransactWriteItem {
	item := map[string]types.AttributeValue{"pk": k["pk"], "sk": k["sk"], "type": s("listing"), "id": s(id)}
	return types.TransactWriteItem{Put: &types.Put{TableName: aws.String(table), Item: item}}
}

func listingDelete(table string, k map[string]types.AttributeValue) types.TransactWriteItem {
	return types.TransactWriteItem{Delete: &types.Delete{TableName: aws.String(table), Key: k}}
}

// CreateArticle writes the article, its slug reservation and its listing items
// in one transaction; the slug condition makes a taken slug fail atomically.
func (st *Store) CreateArticle(ctx context.Context, a *broadsheet.Article) error {
	item, err := attributevalue.MarshalMap(toArticleItem(a))
	if err != nil {
		return err
	}
	ops := []types.TransactWriteItem{
		{Put: &types.Put{TableName: &st.Table, Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)")}},
		{Put: &types.Put{
			TableName:           &st.Table,
			Item:                map[string]types.AttributeValue{"pk": s(prefixSlug + a.Slug), "sk": s(skSlug), "type": s("slug"), "articleId": s(a.ID)},
			ConditionExpression: aws.String("attribute_not_exists(pk)"),
		}},
	}
	for _, k := range listingKeys(a) {
		ops = append(ops, listingPut(st.Table, k, a.ID))
	}
	err = Transact(ctx, st.DB, ops, transactAttempts)
	if failed := ConditionFailures(err); failed != nil {
		if failed[1] {
			return broadsheet.Errorf(broadsheet.CodeSlugTaken, "the slug %q is taken", a.Slug)
		}
		return broadsheet.Errorf(broadsheet.CodeSlugTaken, "an article with this id exists")
	}
	if err != nil {
		return unavailable(ctx, "CreateArticle", err)
	}
	return nil
}

// ReplaceArticle updates every editable attribute of old's item, conditioned on
// old's version, and moves its slug and listing items in the same transaction.
// The comment count is left alone so that a concurrent approval is not lost.
func (st *Store) ReplaceArticle(ctx context.Context, a, old *broadsheet.Article) error {
	it := toArticleItem(a)
	vals, err := attributevalue.MarshalMap(map[string]any{
		":gsi1pk": it.GSI1PK, ":gsi3pk": it.GSI3PK, ":gsi3sk": it.GSI3SK,
		":slug": it.Slug, ":title": it.Title, ":summary": it.Summary, ":body": it.Body, ":bodyHtml": it.BodyHTML,
		":authorName": it.AuthorName, ":authorBio": it.AuthorBio, ":tags": it.Tags, ":status": it.Status,
		":publishedAt": it.PublishedAt, ":updatedAt": it.UpdatedAt, ":version": it.Version,
		":commentsOpen": it.CommentsOpen, ":lang": it.Lang, ":expected": old.Version,
	})
	if err != nil {
		return err
	}
	update := "SET gsi1pk = :gsi1pk, gsi3pk = :gsi3pk, gsi3sk = :gsi3sk, slug = :slug, title = :title, summary = :summary, " +
		"body = :body, bodyHtml = :bodyHtml, authorName = :authorName, authorBio = :authorBio, tags = :tags, #status = :status, " +
		"publishedAt = :publishedAt, updatedAt = :updatedAt, version = :version, commentsOpen = :commentsOpen, lang = :lang"
	var remove []string
	if it.GSI2PK != "" {
		update += ", gsi2pk = :gsi2pk, gsi2sk = :gsi2sk"
		vals[":gsi2pk"], vals[":gsi2sk"] = s(it.GSI2PK), s(it.GSI2SK)
	} else {
		remove = append(remove, "gsi2pk", "gsi2sk")
	}
	if it.Image != nil {
		im, err := attributevalue.Marshal(it.Image)
		if err != nil {
			return err
		}
		update += ", image = :image"
		vals[":image"] = im
	} else {
		remove = append(remove, "image") // the editor took the image away
	}
	if len(remove) > 0 {
		update += " REMOVE " + strings.Join(remove, ", ")
	}
	ops := []types.TransactWriteItem{{Update: &types.Update{
		TableName:                 &st.Table,
		Key:                       key(prefixArticle+a.ID, skArticle),
		UpdateExpression:          &update,
		ConditionExpression:       aws.String("version = :expected"),
		ExpressionAttributeNames:  map[string]string{"#status": "status"},
		ExpressionAttributeValues: vals,
	}}}
	slugOp := -1
	if a.Slug != old.Slug {
		ops = append(ops, types.TransactWriteItem{Delete: &types.Delete{
			TableName: &st.Table, Key: key(prefixSlug+old.Slug, skSlug),
			ConditionExpression:       aws.String("articleId = :id"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":id": s(a.ID)},
		}})
		slugOp = len(ops)
		ops = append(ops, types.TransactWriteItem{Put: &types.Put{
			TableName:           &st.Table,
			Item:                map[string]types.AttributeValue{"pk": s(prefixSlug + a.Slug), "sk": s(skSlug), "type": s("slug"), "articleId": s(a.ID)},
			ConditionExpression: aws.String("attribute_not_exists(pk)"),
		}})
	}
	oldKeys, newKeys := map[string]bool{}, map[string]bool{}
	for _, k := range listingKeys(a) {
		newKeys[keyString(k)] = true
	}
	for _, k := range listingKeys(old) {
		oldKeys[keyString(k)] = true
		if !newKeys[keyString(k)] {
			ops = append(ops, listingDelete(st.Table, k))
		}
	}
	for _, k := range listingKeys(a) {
		if !oldKeys[keyString(k)] {
			ops = append(ops, listingPut(st.Table, k, a.ID))
		}
	}
	err = Transact(ctx, st.DB, ops, transactAttempts)
	if failed := ConditionFailures(err); failed != nil {
		if failed[0] {
			return broadsheet.Errorf(broadsheet.CodePreconditionFailed, "the article changed since you read it; fetch it again")
		}
		if slugOp >= 0 && failed[slugOp] {
			return broadsheet.Errorf(broadsheet.CodeSlugTaken, "the slug %q is taken", a.Slug)
		}
		return broadsheet.Errorf(broadsheet.CodePreconditionFailed, "the article changed since you read it; fetch it again")
	}
	if err != nil {
		return unavailable(ctx, "ReplaceArticle", err)
	}
	return nil
}

// DeleteArticle removes the article, its slug and its listing items, if it is
// still at a's version. The stream's REMOVE record takes it out of search.
func (st *Store) DeleteArticle(ctx context.Context, a *broadsheet.Article) error {
	ops := []types.TransactWriteItem{
		{Delete: &types.Delete{
			TableName: &st.Table, Key: key(prefixArticle+a.ID, skArticle),
			ConditionExpression:       aws.String("version = :v"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":v": &types.AttributeValueMemberN{Value: strconv.FormatInt(a.Version, 10)}},
		}},
		{Delete: &types.Delete{TableName: &st.Table, Key: key(prefixSlug+a.Slug, skSlug)}},
	}
	for _, k := range listingKeys(a) {
		ops = append(ops, listingDelete(st.Table, k))
	}
	err := Transact(ctx, st.DB, ops, transactAttempts)
	if ConditionFailures(err) != nil {
		return broadsheet.Errorf(broadsheet.CodePreconditionFailed, "the article changed since you read it; fetch it again")
	}
	if err != nil {
		return unavailable(ctx, "DeleteArticle", err)
	}
	return nil
}

// ArticleByID reads one article with a strongly consistent GetItem (editors
// must see their own writes).
func (st *Store) ArticleByID(ctx context.Context, id string) (*broadsheet.Article, error) {
	it, err := getConsistent[articleItem](ctx, st, "ArticleByID", key(prefixArticle+id, skArticle), "no such article")
	if err != nil {
		return nil, err
	}
	return it.article(), nil
}

// getConsistent reads one item with a strongly consistent GetItem (editors
// and moderation must see their own writes); absent is 404 with notFound.
func getConsistent[T any](ctx context.Context, st *Store, op string, k map[string]types.AttributeValue, notFound string) (*T, error) {
	out, err := st.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: &st.Table, Key: k, ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, unavailable(ctx, op, err)
	}
	if out.Item == nil {
		return nil, broadsheet.Errorf(broadsheet.CodeNotFound, "%s", notFound)
	}
	var it T
	if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
		return nil, err
	}
	return &it, nil
}

// queryArticles runs one Query over article items and pages its answer.
func (st *Store) queryArticles(ctx context.Context, op string, in *dynamodb.QueryInput) (broadsheet.Page[*broadsheet.Article], error) {
	var page broadsheet.Page[*broadsheet.Article]
	out, err := st.DB.Query(ctx, in)
	if err != nil {
		return page, unavailable(ctx, op, err)
	}
	var items []articleItem
	if err := attributevalue.UnmarshalListOfMaps(out.Items, &items); err != nil {
		return page, err
	}
	for i := range items {
		page.Items = append(page.Items, items[i].article())
	}
	page.Next = position(out.LastEvaluatedKey)
	return page, nil
}

// ArticleIDBySlug reads the slug reservation, consistently.
func (st *Store) ArticleIDBySlug(ctx context.Context, slug string) (string, error) {
	out, err := st.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: &st.Table, Key: key(prefixSlug+slug, skSlug), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return "", unavailable(ctx, "ArticleIDBySlug", err)
	}
	if v, ok := out.Item["articleId"].(*types.AttributeValueMemberS); ok {
		return v.Value, nil
	}
	return "", broadsheet.Errorf(broadsheet.CodeNotFound, "no such article")
}

// ArticleBySlug is one eventually consistent Query on gsi1: the reader's path.
func (st *Store) ArticleBySlug(ctx context.Context, slug string) (*broadsheet.Article, error) {
	out, err := st.DB.Query(ctx, &dynamodb.QueryInput{
		TableName: &st.Table, IndexName: aws.String(indexBySlug),
		KeyConditionExpression:    aws.String("gsi1pk = :pk AND gsi1sk = :sk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(prefixSlug + slug), ":sk": s(skArticle)},
		Limit:                     aws.Int32(1),
	})
	if err != nil {
		return nil, unavailable(ctx, "ArticleBySlug", err)
	}
	if len(out.Items) == 0 {
		return nil, broadsheet.Errorf(broadsheet.CodeNotFound, "no such article")
	}
	var it articleItem
	if err := attributevalue.UnmarshalMap(out.Items[0], &it); err != nil {
		return nil, err
	}
	return it.article(), nil
}

// PublishedArticles serves the public lists. Without filters it is one Query
// on the feed index, whose projection carries the summaries. With a tag or
// author it queries that list's index items, then fetches the summaries in
// one BatchGetItem: two round trips, because the exact comment count lives
// only on the article item.
func (st *Store) PublishedArticles(ctx context.Context, f broadsheet.ArticleFilter, now time.Time, limit int, after map[string]string) (broadsheet.Page[*broadsheet.Article], error) {
	var page broadsheet.Page[*broadsheet.Article]
	if f.Tag == "" && f.Author == "" {
		return st.queryArticles(ctx, "PublishedArticles", &dynamodb.QueryInput{
			TableName: &st.Table, IndexName: aws.String(indexFeed),
			KeyConditionExpression:    aws.String("gsi2pk = :pk AND gsi2sk <= :now"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(pkFeed), ":now": s(upTo(now))},
			ScanIndexForward:          aws.Bool(false),
			Limit:                     aws.Int32(int32(limit)),
			ExclusiveStartKey:         startKey(after),
		})
	}
	pk := prefixTag + f.Tag
	if f.Tag == "" {
		pk = prefixAuthor + broadsheet.Slugify(f.Author)
	}
	out, err := st.DB.Query(ctx, &dynamodb.QueryInput{
		TableName:                 &st.Table,
		KeyConditionExpression:    aws.String("pk = :pk AND sk <= :now"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(pk), ":now": s(upTo(now))},
		ScanIndexForward:          aws.Bool(false),
		Limit:                     aws.Int32(int32(limit)),
		ExclusiveStartKey:         startKey(after),
	})
	if err != nil {
		return page, unavailable(ctx, "PublishedArticles", err)
	}
	ids := make([]string, 0, len(out.Items))
	for _, item := range out.Items {
		if v, ok := item["id"].(*types.AttributeValueMemberS); ok {
			ids = append(ids, v.Value)
		}
	}
	articles, err := st.articlesByID(ctx, ids, ArticleSummaryAttributes)
	if err != nil {
		return page, err
	}
	authorKey := broadsheet.Slugify(f.Author)
	for _, id := range ids {
		a, ok := articles[id]
		if !ok || (f.Tag != "" && f.Author != "" && broadsheet.Slugify(a.Author.Name) != authorKey) {
			continue
		}
		page.Items = append(page.Items, a)
	}
	page.Next = position(out.LastEvaluatedKey)
	return page, nil
}

// articlesByID fetches articles in one BatchGetItem (retrying only what
// DynamoDB reports unprocessed), optionally projecting a few attributes.
func (st *Store) articlesByID(ctx context.Context, ids []string, attrs []string) (map[string]*broadsheet.Article, error) {
	found := make(map[string]*broadsheet.Article, len(ids))
	if len(ids) == 0 {
		return found, nil
	}
	ka := types.KeysAndAttributes{}
	if attrs != nil {
		names := map[string]string{}
		proj := ""
		for i, a := range attrs {
			n := "#a" + strconv.Itoa(i)
			names[n] = a
			if proj != "" {
				proj += ","
			}
			proj += n
		}
		ka.ProjectionExpression, ka.ExpressionAttributeNames = &proj, names
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			ka.Keys = append(ka.Keys, key(prefixArticle+id, skArticle))
		}
	}
	req := map[string]types.KeysAndAttributes{st.Table: ka}
	for attempt := 0; len(req) > 0; attempt++ {
		if attempt == maxAttempts {
			return nil, unavailable(ctx, "BatchGetItem", errors.New("unprocessed keys after retries"))
		}
		if attempt > 0 {
			time.Sleep(time.Duration(attempt*attempt) * 20 * time.Millisecond)
		}
		out, err := st.DB.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: req})
		if err != nil {
			return nil, unavailable(ctx, "BatchGetItem", err)
		}
		for _, item := range out.Responses[st.Table] {
			var it articleItem
			if err := attributevalue.UnmarshalMap(item, &it); err != nil {
				return nil, err
			}
			found[it.ID] = it.article()
		}
		req = out.UnprocessedKeys
	}
	return found, nil
}

// ArticlesByStatus serves the editors' list, newest created first. A status
// is one Query on gsi3; "all" walks the base-table list and fetches the page's
// articles in one BatchGetItem.
func (st *Store) ArticlesByStatus(ctx context.Context, status broadsheet.Status, limit int, after map[string]string) (broadsheet.Page[*broadsheet.Article], error) {
	var page broadsheet.Page[*broadsheet.Article]
	if status != "" {
		return st.queryArticles(ctx, "ArticlesByStatus", &dynamodb.QueryInput{
			TableName: &st.Table, IndexName: aws.String(indexByStatus),
			KeyConditionExpression:    aws.String("gsi3pk = :pk"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(prefixArticleStatus + string(status))},
			ScanIndexForward:          aws.Bool(false),
			Limit:                     aws.Int32(int32(limit)),
			ExclusiveStartKey:         startKey(after),
		})
	}
	out, err := st.DB.Query(ctx, &dynamodb.QueryInput{
		TableName:                 &st.Table,
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(pkAllArticles)},
		ScanIndexForward:          aws.Bool(false),
		Limit:                     aws.Int32(int32(limit)),
		ExclusiveStartKey:         startKey(after),
	})
	if err != nil {
		return page, unavailable(ctx, "ArticlesByStatus", err)
	}
	var ids []string
	for _, item := range out.Items {
		if v, ok := item["id"].(*types.AttributeValueMemberS); ok {
			ids = append(ids, v.Value)
		}
	}
	found, err := st.articlesByID(ctx, ids, nil)
	if err != nil {
		return page, err
	}
	for _, id := range ids {
		if a, ok := found[id]; ok {
			page.Items = append(page.Items, a)
		}
	}
	page.Next = position(out.LastEvaluatedKey)
	return page, nil
}

// ConditionFailures returns, for a cancelled transaction, which of its
// operations failed their condition; nil for any other outcome (including a
// cancellation for conflicts or throttling alone, which is retryable).
func ConditionFailures(err error) map[int]bool {
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) {
		return nil
	}
	failed := map[int]bool{}
	for i, r := range tce.CancellationReasons {
		if aws.ToString(r.Code) == "ConditionalCheckFailed" {
			failed[i] = true
		}
	}
	if len(failed) == 0 {
		return nil
	}
	return failed
}

// Transact runs a transaction. Its retries are the SDK retryer's, the one
// retry policy of the client (see Budget): a cancellation only for concurrent
// transactions on its items or throttling wrote nothing and is retried there
// (retryableCancellation), so racing writers get a real answer (their
// conditions passed or failed) rather than a 503. Hot items (an article's
// count, a common term's df) warrant more attempts than the budget's: the
// call raises the retryer's attempts to attempts, never lowers them.
func Transact(ctx context.Context, db API, ops []types.TransactWriteItem, attempts int) error {
	_, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: ops},
		func(o *dynamodb.Options) {
			if o.Retryer != nil && attempts > o.Retryer.MaxAttempts() {
				o.Retryer = retry.AddWithMaxAttempts(o.Retryer, attempts)
			}
		})
	return err
}

// retryableCancellation reports a transaction refused for reasons that say
// nothing about its conditions: every cancellation reason is a conflict with
// another transaction, throttling, or none (the operations that did not
// fail). A ConditionalCheckFailed, or any other reason, is the answer.
func retryableCancellation(err error) bool {
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) {
		return false
	}
	for _, r := range tce.CancellationReasons {
		switch aws.ToString(r.Code) {
		case "", "None", "TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded":
		default:
			return false
		}
	}
	return true
}

// Attempts for Transact: ordinary items, and items many writers share.
const (
	transactAttempts    = 6
	transactHotAttempts = 12
)
