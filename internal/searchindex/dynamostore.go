package searchindex

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"broadsheet/internal/analysis"
	"broadsheet/internal/dynamo"
	"broadsheet/internal/search"
)

// DynamoStore keeps the index in the application's table (items and costs:
// docs/search.md; keys: internal/dynamo/searchkeys.go). It is where the
// execution of a plan meets DynamoDB, so how writes are grouped into
// requests (transactions of posting pairs, batches of refreshes) is decided
// here and nowhere else.
type DynamoStore struct {
	DB    dynamo.API
	Table string
	// Parallel bounds concurrent transactions per document (default 4).
	Parallel int
}

var (
	_ Store     = (*DynamoStore)(nil)
	_ ReadStore = (*DynamoStore)(nil)
)

// Load implements Store: one consistent Query of the document's partition.
func (d *DynamoStore) Load(ctx context.Context, docID string) (Stored, error) {
	var st Stored
	out, err := d.DB.Query(ctx, &dynamodb.QueryInput{
		TableName:                 &d.Table,
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(dynamo.SearchDocPK(docID))},
		ConsistentRead:            aws.Bool(true),
	})
	if err != nil {
		return st, err
	}
	for _, it := range out.Items {
		switch getS(it, "sk") {
		case dynamo.SKSearchDoc:
			st.Doc = docFrom(it)
		case dynamo.SKSearchTerms:
			st.Committed = stateFrom(it)
		case dynamo.SKSearchPending:
			st.Pending = stateFrom(it)
		}
	}
	return st, nil
}

// Corpus implements Store: the global statistics and the df items, read in
// parallel.
func (d *DynamoStore) Corpus(ctx context.Context, terms []string) (search.Stats, error) {
	var (
		st          search.Stats
		df          map[string]int
		errS, errDF error
		wg          sync.WaitGroup
	)
	wg.Add(2)
	go func() { defer wg.Done(); st, errS = d.globalStats(ctx) }()
	go func() { defer wg.Done(); df, errDF = d.docFreqs(ctx, terms) }()
	wg.Wait()
	if err := errors.Join(errS, errDF); err != nil {
		return search.Stats{}, err
	}
	st.DocFreq = df
	return st, nil
}

func (d *DynamoStore) globalStats(ctx context.Context) (search.Stats, error) {
	out, err := d.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: &d.Table, Key: dynamo.Key(dynamo.SearchStatsPK, dynamo.SearchStatsSK), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return search.Stats{}, fmt.Errorf("global stats: %w", err)
	}
	return statsFrom(out.Item), nil
}

func statsFrom(it map[string]types.AttributeValue) search.Stats {
	st := search.Stats{Docs: int(getN(it, "docs")), TitleLenSum: getN(it, "tls"), BodyLenSum: getN(it, "bls")}
	if ss, ok := it["langs"].(*types.AttributeValueMemberSS); ok {
		st.Langs = append([]string(nil), ss.Value...)
		sort.Strings(st.Langs)
	}
	return st
}

// docFreqs reads the df items of terms, 100 per BatchGetItem, in parallel.
func (d *DynamoStore) docFreqs(ctx context.Context, terms []string) (map[string]int, error) {
	df := make(map[string]int, len(terms))
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i := 0; i < len(terms); i += 100 {
		chunk := terms[i:min(i+100, len(terms))]
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			keys := make([]map[string]types.AttributeValue, len(chunk))
			for j, t := range chunk {
				keys[j] = dynamo.Key(dynamo.TermPK(t), dynamo.SKTermStats)
			}
			items, err := batchGet(ctx, d.DB, d.Table, keys, "pk, df")
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				firstErr = err
				return
			}
			for _, it := range items {
				df[termOf(getS(it, "pk"))] = int(getN(it, "df"))
			}
		}()
	}
	wg.Wait()
	return df, firstErr
}

// WriteAhead implements Store.
func (d *DynamoStore) WriteAhead(ctx context.Context, docID string, st *State) error {
	_, err := d.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: &d.Table, Item: stateItem(st, docID, dynamo.SKSearchPending)})
	return err
}

// SetCommentCount implements Store.
func (d *DynamoStore) SetCommentCount(ctx context.Context, docID string, seq, count int64) error {
	_, err := d.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &d.Table, Key: dynamo.Key(dynamo.SearchDocPK(docID), dynamo.SKSearchDoc),
		UpdateExpression:          aws.String("SET commentCount = :c"),
		ConditionExpression:       aws.String("seq = :seq"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":c": n(count), ":seq": n(seq)},
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return nil
	}
	return err
}

// Commit implements Store in one transaction.
func (d *DynamoStore) Commit(ctx context.Context, c Commit) error {
	termsPut := &types.Put{TableName: &d.Table, Item: stateItem(c.State, c.DocID, dynamo.SKSearchTerms),
		ConditionExpression:       aws.String("attribute_not_exists(seq) OR seq < :seq"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":seq": n(c.State.Seq)},
	}
	ops := []types.TransactWriteItem{
		{Put: termsPut},
		{Delete: &types.Delete{TableName: &d.Table, Key: dynamo.Key(dynamo.SearchDocPK(c.DocID), dynamo.SKSearchPending)}},
	}
	if c.Doc != nil {
		ops = append(ops, types.TransactWriteItem{Put: &types.Put{TableName: &d.Table, Item: docItem(c.Doc)}})
	} else {
		ops = append(ops, types.TransactWriteItem{Delete: &types.Delete{TableName: &d.Table, Key: dynamo.Key(dynamo.SearchDocPK(c.DocID), dynamo.SKSearchDoc)}})
	}
	if !c.Stats.Zero() || c.Doc != nil {
		// langs: the analysers the index holds, so queries are analysed for
		// each (a set: adding is idempotent; a language whose last article
		// went stays listed, which only costs its queries a few empty reads).
		update := "ADD docs :d, tls :t, bls :b"
		values := map[string]types.AttributeValue{":d": n(c.Stats.Docs), ":t": n(c.Stats.TitleLen), ":b": n(c.Stats.BodyLen)}
		if c.Doc != nil {
			update += ", langs :l"
			values[":l"] = &types.AttributeValueMemberSS{Value: []string{analysis.For(c.Doc.Lang).Name()}}
		}
		ops = append(ops, types.TransactWriteItem{Update: &types.Update{
			TableName: &d.Table, Key: dynamo.Key(dynamo.SearchStatsPK, dynamo.SearchStatsSK),
			UpdateExpression: aws.String(update), ExpressionAttributeValues: values,
		}})
	}
	err := dynamo.Transact(ctx, d.DB, ops, transactAttempts)
	if failed := dynamo.ConditionFailures(err); failed != nil {
		return nil // committed by an earlier attempt
	}
	return err
}

// pairsPerTransaction keeps transactions at 50 operations (DynamoDB allows
// 100): smaller transactions conflict less on the shared df items of common
// terms, and a conflict retries less work.
const pairsPerTransaction = 25

// transactAttempts is generous: a common term's df item is shared by every
// document, so concurrent indexing conflicts on it often.
const transactAttempts = 12

// ApplyPostings implements Store: each posting write is paired with its
// term's ADD df in one TransactWriteItems, pairsPerTransaction pairs per
// transaction and each term at most once per transaction (the i-th write of
// a term goes to wave i). When DynamoDB cancels a transaction, the pairs
// whose condition failed are returned and the rest is retried.
func (d *DynamoStore) ApplyPostings(ctx context.Context, writes []PostingWrite) ([]PostingWrite, error) {
	if len(writes) == 0 {
		return nil, nil
	}
	var waves [][]PostingWrite
	seen := map[string]int{}
	for _, w := range writes {
		i := seen[w.Term]
		seen[w.Term]++
		if i == len(waves) {
			waves = append(waves, nil)
		}
		waves[i] = append(waves[i], w)
	}
	par := d.Parallel
	if par <= 0 {
		par = 4
	}
	var failed []PostingWrite
	for _, wave := range waves {
		var mu sync.Mutex
		var firstErr error
		var wg sync.WaitGroup
		sem := make(chan struct{}, par)
		for i := 0; i < len(wave); i += pairsPerTransaction {
			chunk := wave[i:min(i+pairsPerTransaction, len(wave))]
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer func() { <-sem; wg.Done() }()
				f, err := d.pairChunk(ctx, chunk)
				mu.Lock()
				defer mu.Unlock()
				failed = append(failed, f...)
				if err != nil && firstErr == nil {
					firstErr = err
				}
			}()
		}
		wg.Wait()
		if firstErr != nil {
			return nil, firstErr
		}
	}
	return failed, nil
}

func (d *DynamoStore) pairOp(w PostingWrite) types.TransactWriteItem {
	if w.Delete {
		return types.TransactWriteItem{Delete: &types.Delete{
			TableName: &d.Table, Key: dynamo.Key(dynamo.TermPK(w.Term), dynamo.PostingSK(w.Key, w.DocID)),
			ConditionExpression: aws.String("attribute_exists(pk)"),
		}}
	}
	return types.TransactWriteItem{Put: &types.Put{
		TableName: &d.Table, Item: postingItem(w), ConditionExpression: aws.String("attribute_not_exists(pk)"),
	}}
}

func (d *DynamoStore) pairChunk(ctx context.Context, chunk []PostingWrite) ([]PostingWrite, error) {
	var failed []PostingWrite
	for len(chunk) > 0 {
		ops := make([]types.TransactWriteItem, 0, 2*len(chunk))
		for _, w := range chunk {
			delta := int64(1)
			if w.Delete {
				delta = -1
			}
			ops = append(ops, d.pairOp(w), types.TransactWriteItem{Update: &types.Update{
				TableName: &d.Table, Key: dynamo.Key(dynamo.TermPK(w.Term), dynamo.SKTermStats),
				UpdateExpression:          aws.String("ADD df :d"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":d": n(delta)},
			}})
		}
		err := dynamo.Transact(ctx, d.DB, ops, transactAttempts)
		if err == nil {
			return failed, nil
		}
		bad := dynamo.ConditionFailures(err)
		if bad == nil {
			return nil, err
		}
		rest := chunk[:0:0]
		for i, w := range chunk {
			if bad[2*i] {
				failed = append(failed, w)
			} else {
				rest = append(rest, w)
			}
		}
		chunk = rest
	}
	return failed, nil
}

// Refresh implements Store with BatchWriteItem: posting overwrites, then
// suggest deletes, then suggest puts.
func (d *DynamoStore) Refresh(ctx context.Context, r Refresh) error {
	var writes []types.WriteRequest
	for _, w := range r.Postings {
		writes = append(writes, types.WriteRequest{PutRequest: &types.PutRequest{Item: postingItem(w)}})
	}
	for _, k := range r.SuggestDeletes {
		pk, sk, _ := strings.Cut(k, " ")
		writes = append(writes, types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: dynamo.Key(pk, sk)}})
	}
	for _, it := range r.SuggestPuts {
		writes = append(writes, types.WriteRequest{PutRequest: &types.PutRequest{Item: suggestItem(it)}})
	}
	return d.batchWrite(ctx, writes)
}

// batchWrite writes in chunks of 25, retrying unprocessed items.
func (d *DynamoStore) batchWrite(ctx context.Context, writes []types.WriteRequest) error {
	for i := 0; i < len(writes); i += 25 {
		req := map[string][]types.WriteRequest{d.Table: writes[i:min(i+25, len(writes))]}
		for attempt := 0; len(req) > 0; attempt++ {
			if attempt == 8 {
				return errors.New("batch write: unprocessed items after retries")
			}
			if attempt > 0 {
				time.Sleep(time.Duration(attempt*attempt) * 20 * time.Millisecond)
			}
			out, err := d.DB.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: req})
			if err != nil {
				return fmt.Errorf("batch write: %w", err)
			}
			req = out.UnprocessedItems
		}
	}
	return nil
}

// Read implements ReadStore in one round of parallel requests: a GetItem of
// the global statistics and, per term, one Query of its partition with Limit
// k+1, which returns the df item (sort key "#" sorts first) and the k
// highest-impact postings.
func (d *DynamoStore) Read(ctx context.Context, terms []string, k int) (search.Stats, [][]search.Posting, error) {
	done := BeginRound(ctx)
	defer done()
	lists := make([][]search.Posting, len(terms))
	dfs := make([]int, len(terms))
	errs := make([]error, len(terms)+1)
	var st search.Stats
	var wg sync.WaitGroup
	wg.Add(len(terms) + 1)
	go func() {
		defer wg.Done()
		out, err := d.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: &d.Table, Key: dynamo.Key(dynamo.SearchStatsPK, dynamo.SearchStatsSK)})
		if err != nil {
			errs[len(terms)] = err
			return
		}
		st = statsFrom(out.Item)
	}()
	for i, t := range terms {
		go func() {
			defer wg.Done()
			out, err := d.DB.Query(ctx, &dynamodb.QueryInput{
				TableName:                 &d.Table,
				KeyConditionExpression:    aws.String("pk = :pk"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(dynamo.TermPK(t))},
				Limit:                     aws.Int32(int32(k + 1)),
			})
			if err != nil {
				errs[i] = err
				return
			}
			for _, it := range out.Items {
				if getS(it, "sk") == dynamo.SKTermStats {
					dfs[i] = int(getN(it, "df"))
					continue
				}
				if p, ok := postingFrom(it); ok && len(lists[i]) < k {
					lists[i] = append(lists[i], p)
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return search.Stats{}, nil, fmt.Errorf("read index: %w", err)
		}
	}
	st.DocFreq = make(map[string]int, len(terms))
	for i, t := range terms {
		st.DocFreq[t] = dfs[i]
	}
	return st, lists, nil
}

// Docs implements ReadStore in one BatchGetItem.
func (d *DynamoStore) Docs(ctx context.Context, ids []string) (map[string]*Doc, error) {
	out := make(map[string]*Doc, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	done := BeginRound(ctx)
	defer done()
	keys := make([]map[string]types.AttributeValue, len(ids))
	for i, id := range ids {
		keys[i] = dynamo.Key(dynamo.SearchDocPK(id), dynamo.SKSearchDoc)
	}
	items, err := batchGet(ctx, d.DB, d.Table, keys, "")
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		doc := docFrom(it)
		out[doc.ID] = doc
	}
	return out, nil
}

// SuggestItems implements ReadStore with one Query.
func (d *DynamoStore) SuggestItems(ctx context.Context, partition, prefix string, limit int) ([]SuggestItem, error) {
	in := &dynamodb.QueryInput{
		TableName:                 &d.Table,
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(partition)},
		Limit:                     aws.Int32(int32(limit)),
	}
	if prefix != "" {
		in.KeyConditionExpression = aws.String("pk = :pk AND begins_with(sk, :p)")
		in.ExpressionAttributeValues[":p"] = s(prefix)
	}
	out, err := d.DB.Query(ctx, in)
	if err != nil {
		return nil, err
	}
	items := make([]SuggestItem, len(out.Items))
	for i, it := range out.Items {
		items[i] = SuggestItem{
			Key: getS(it, "pk") + " " + getS(it, "sk"), DocID: getS(it, "d"),
			Title: getS(it, "title"), Slug: getS(it, "slug"), W: getS(it, "w"), P: getN(it, "p"),
		}
	}
	return items, nil
}

// batchGet reads up to 100 keys, retrying unprocessed keys.
func batchGet(ctx context.Context, db dynamo.API, table string, keys []map[string]types.AttributeValue, projection string) ([]map[string]types.AttributeValue, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	ka := types.KeysAndAttributes{Keys: keys}
	if projection != "" {
		ka.ProjectionExpression = aws.String(projection)
	}
	req := map[string]types.KeysAndAttributes{table: ka}
	var items []map[string]types.AttributeValue
	for attempt := 0; len(req) > 0; attempt++ {
		if attempt == 5 {
			return nil, errors.New("batch get: unprocessed keys after retries")
		}
		if attempt > 0 {
			time.Sleep(time.Duration(attempt*attempt) * 20 * time.Millisecond)
		}
		out, err := db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: req})
		if err != nil {
			return nil, fmt.Errorf("batch get: %w", err)
		}
		items = append(items, out.Responses[table]...)
		req = out.UnprocessedKeys
	}
	return items, nil
}

// The stored forms of the index's items (attributes: docs/search.md).

func stateItem(st *State, docID, sk string) map[string]types.AttributeValue {
	terms := make([]string, 0, len(st.Terms))
	for t := range st.Terms {
		terms = append(terms, t)
	}
	sort.Strings(terms)
	var b strings.Builder
	for i, t := range terms {
		ts := st.Terms[t]
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t + ":" + ts.Key + ":" + strconv.Itoa(ts.A) + ":" + strconv.Itoa(ts.B))
	}
	it := dynamo.Key(dynamo.SearchDocPK(docID), sk)
	it["seq"] = n(st.Seq)
	it["indexed"] = &types.AttributeValueMemberBOOL{Value: st.Indexed}
	it["tl"], it["bl"] = n(int64(st.TitleLen)), n(int64(st.BodyLen))
	it["dh"], it["sh"] = s(st.DocHash), s(st.SugHash)
	it["t"] = s(b.String())
	it["sug"] = list(st.Sug)
	return it
}

func stateFrom(it map[string]types.AttributeValue) *State {
	st := &State{
		Seq: getN(it, "seq"), TitleLen: int(getN(it, "tl")), BodyLen: int(getN(it, "bl")),
		DocHash: getS(it, "dh"), SugHash: getS(it, "sh"), Sug: getList(it, "sug"),
		Terms: map[string]TermState{},
	}
	if v, ok := it["indexed"].(*types.AttributeValueMemberBOOL); ok {
		st.Indexed = v.Value
	}
	for _, f := range splitWords(getS(it, "t")) {
		parts := strings.Split(f, ":")
		if len(parts) != 4 {
			continue
		}
		a, _ := strconv.Atoi(parts[2])
		bb, _ := strconv.Atoi(parts[3])
		st.Terms[parts[0]] = TermState{Key: parts[1], A: a, B: bb}
	}
	return st
}

// postingItem is the stored form of one posting.
func postingItem(w PostingWrite) map[string]types.AttributeValue {
	p := w.Posting
	it := dynamo.Key(dynamo.TermPK(w.Term), dynamo.PostingSK(w.Key, w.DocID))
	it["d"] = s(w.DocID)
	it["a"], it["b"] = n(int64(p.TitleTF)), n(int64(p.BodyTF))
	it["tl"], it["bl"] = n(int64(p.TitleLen)), n(int64(p.BodyLen))
	it["p"] = n(p.PublishedAt)
	if len(p.Tags) > 0 {
		it["g"] = s(strings.Join(p.Tags, " "))
	}
	if p.Author != "" {
		it["u"] = s(p.Author)
	}
	if len(p.Signature) > 0 {
		it["s"] = s(search.EncodeSignature(p.Signature))
	}
	return it
}

// postingFrom decodes a posting item; ok is false for the df item.
func postingFrom(it map[string]types.AttributeValue) (search.Posting, bool) {
	key, _, ok := dynamo.SplitPostingSK(getS(it, "sk"))
	if !ok {
		return search.Posting{}, false
	}
	k, err := strconv.ParseUint(key, 10, 32)
	if err != nil {
		return search.Posting{}, false
	}
	p := search.Posting{
		DocID:   getS(it, "d"),
		TitleTF: int(getN(it, "a")), BodyTF: int(getN(it, "b")),
		TitleLen: int(getN(it, "tl")), BodyLen: int(getN(it, "bl")),
		PublishedAt: getN(it, "p"),
		Impact:      search.ImpactFromKey(uint32(k)),
		Tags:        splitWords(getS(it, "g")),
		Author:      getS(it, "u"),
		Signature:   search.DecodeSignature(getS(it, "s")),
	}
	return p, true
}

// docItem is the DOC item.
func docItem(d *Doc) map[string]types.AttributeValue {
	it := dynamo.Key(dynamo.SearchDocPK(d.ID), dynamo.SKSearchDoc)
	it["id"], it["slug"], it["title"], it["summary"] = s(d.ID), s(d.Slug), s(d.Title), s(d.Summary)
	it["authorName"], it["publishedAt"], it["text"] = s(d.AuthorName), s(d.PublishedAtRaw), s(d.Text)
	it["tags"] = list(d.Tags)
	it["commentCount"] = n(d.CommentCount)
	it["p"] = n(d.PublishedAt.Unix())
	it["seq"] = n(d.Seq)
	if d.Lang != "" {
		it["lang"] = s(d.Lang)
	}
	return it
}

func docFrom(it map[string]types.AttributeValue) *Doc {
	d := &Doc{
		ID: getS(it, "id"), Slug: getS(it, "slug"), Title: getS(it, "title"), Summary: getS(it, "summary"),
		AuthorName: getS(it, "authorName"), Tags: getList(it, "tags"), CommentCount: getN(it, "commentCount"),
		Text: getS(it, "text"), PublishedAtRaw: getS(it, "publishedAt"), Seq: getN(it, "seq"), Lang: getS(it, "lang"),
	}
	d.PublishedAt, _ = time.Parse(time.RFC3339Nano, d.PublishedAtRaw)
	return d
}

func suggestItem(si SuggestItem) map[string]types.AttributeValue {
	pk, sk, _ := strings.Cut(si.Key, " ")
	it := dynamo.Key(pk, sk)
	it["d"], it["title"], it["slug"], it["w"] = s(si.DocID), s(si.Title), s(si.Slug), s(si.W)
	it["p"] = n(si.P)
	return it
}
