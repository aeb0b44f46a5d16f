package searchindex

import (
	"context"
	"errors"
	"fmt"
	"sort"
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

// Article is what the indexer knows of an article from a stream image.
type Article struct {
	ID, Slug, Title, Summary string
	Text                     string // plain text of the body
	AuthorName               string
	AuthorKey                string // slug of the author's name, as the articles list filters
	Tags                     []string
	Status                   string
	PublishedAt              time.Time
	PublishedAtRaw           string // as stored (RFC 3339)
	Version                  int64
	CommentCount             int64
	Lang                     string // BCP 47 language the article is analysed in ("" English)
}

// Indexable reports whether the article belongs in the index: published,
// with a date. A future date (scheduled) is indexed; readers filter on it.
func (a *Article) Indexable() bool {
	return a != nil && a.Status == "published" && !a.PublishedAt.IsZero()
}

// Change is one ordered change of an article, as a stream record carries it.
type Change struct {
	ID string
	// Seq orders a document's changes: 2·version for a write, 2·version+1 for
	// its deletion. Changes at or below the applied Seq are ignored, which
	// makes replays of older records harmless.
	Seq     int64
	Article *Article // nil: the article was deleted
}

// Writer applies changes to the index.
type Writer struct {
	DB    dynamo.API
	Table string
	// Parallel bounds concurrent transactions per document (default 4).
	Parallel int
}

type loaded struct {
	doc       map[string]types.AttributeValue
	committed *state
	pending   *state
}

func (w *Writer) load(ctx context.Context, id string) (loaded, error) {
	var l loaded
	out, err := w.DB.Query(ctx, &dynamodb.QueryInput{
		TableName:                 &w.Table,
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(dynamo.SearchDocPK(id))},
		ConsistentRead:            aws.Bool(true),
	})
	if err != nil {
		return l, fmt.Errorf("load %s: %w", id, err)
	}
	for _, it := range out.Items {
		switch getS(it, "sk") {
		case dynamo.SKSearchDoc:
			l.doc = it
		case dynamo.SKSearchTerms:
			l.committed = stateFrom(it)
		case dynamo.SKSearchPending:
			l.pending = stateFrom(it)
		}
	}
	return l, nil
}

// Apply brings the index in line with one change. It is idempotent and safe to
// repeat after a failure at any point:
//
//  1. the target state (each term's posting key) is written ahead to PENDING,
//     or taken from PENDING when a previous attempt at the same change left it;
//  2. each posting delete (condition: exists) and put (condition: not exists)
//     is paired with its term's df ADD in one transaction, so df always equals
//     the number of postings; pairs whose condition fails are dropped;
//  3. TERMS, DOC and the global statistics are committed in one transaction
//     conditioned on TERMS' sequence, so the statistics move exactly once.
func (w *Writer) Apply(ctx context.Context, ch Change) error {
	cur, err := w.load(ctx, ch.ID)
	if err != nil {
		return err
	}
	committed := cur.committed
	if committed == nil {
		committed = &state{Terms: map[string]termState{}}
	}
	if cur.committed != nil && committed.Seq >= ch.Seq {
		if committed.Seq == ch.Seq && cur.doc != nil && ch.Article.Indexable() && getN(cur.doc, "commentCount") != ch.Article.CommentCount {
			return w.updateCommentCount(ctx, ch)
		}
		return nil // already applied, or older than what is applied
	}
	resume := cur.pending != nil && cur.pending.Seq == ch.Seq
	if cur.pending != nil && cur.pending.Seq > ch.Seq {
		return nil // a newer change is half applied; its retry finishes it
	}

	target := &state{Seq: ch.Seq, Terms: map[string]termState{}}
	postings := map[string]search.Posting{}
	var docItem map[string]types.AttributeValue
	if a := ch.Article; a.Indexable() {
		tps, titleLen, bodyLen, err := w.prepare(ctx, a, committed)
		if err != nil {
			return err
		}
		target.Indexed, target.TitleLen, target.BodyLen = true, titleLen, bodyLen
		for _, tp := range tps {
			k := search.FormatImpactKey(tp.Impact)
			if old, ok := committed.Terms[tp.Term]; ok && old.A == tp.TitleTF && old.B == tp.BodyTF &&
				committed.TitleLen == titleLen && committed.BodyLen == bodyLen {
				k = old.Key // unchanged scoring data: keep the posting where it is
			}
			if resume {
				if pk, ok := cur.pending.Terms[tp.Term]; ok {
					k = pk.Key
				}
			}
			p := tp.Posting
			if u, err := keyImpact(k); err == nil {
				p.Impact = u
			}
			target.Terms[tp.Term] = termState{Key: k, A: tp.TitleTF, B: tp.BodyTF}
			postings[tp.Term] = p
			if target.DocHash == "" {
				target.DocHash = docHash(p)
			}
		}
		target.Sug, target.SugHash, _ = suggestItems(a)
		docItem = docRecord(a, ch.Seq)
	}
	if !resume {
		if _, err := w.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: &w.Table, Item: target.item(ch.ID, dynamo.SKSearchPending)}); err != nil {
			return fmt.Errorf("write ahead %s: %w", ch.ID, err)
		}
	}

	// Postings that may exist: the committed ones and those of an abandoned
	// attempt at another change.
	type tk struct{ term, key string }
	var mayExist []tk
	for t, ts := range committed.Terms {
		mayExist = append(mayExist, tk{t, ts.Key})
	}
	if cur.pending != nil && !resume {
		for t, ts := range cur.pending.Terms {
			if c, ok := committed.Terms[t]; !ok || c.Key != ts.Key {
				mayExist = append(mayExist, tk{t, ts.Key})
			}
		}
	}
	sort.Slice(mayExist, func(i, j int) bool {
		if mayExist[i].term != mayExist[j].term {
			return mayExist[i].term < mayExist[j].term
		}
		return mayExist[i].key < mayExist[j].key
	})
	var deletes []pairOp
	for _, e := range mayExist {
		if t, ok := target.Terms[e.term]; ok && t.Key == e.key {
			continue
		}
		deletes = append(deletes, pairOp{term: e.term, delta: -1, op: types.TransactWriteItem{Delete: &types.Delete{
			TableName: &w.Table, Key: dynamo.Key(dynamo.TermPK(e.term), dynamo.PostingSK(e.key, ch.ID)),
			ConditionExpression: aws.String("attribute_exists(pk)"),
		}}})
	}
	if _, err := w.pairs(ctx, deletes); err != nil {
		return err
	}

	var puts []pairOp
	var overwrite []map[string]types.AttributeValue
	terms := make([]string, 0, len(target.Terms))
	for t := range target.Terms {
		terms = append(terms, t)
	}
	sort.Strings(terms)
	for _, t := range terms {
		ts := target.Terms[t]
		item := postingItem(t, ts.Key, postings[t])
		if old, ok := committed.Terms[t]; ok && old.Key == ts.Key {
			if old.A != ts.A || old.B != ts.B || committed.DocHash != target.DocHash {
				overwrite = append(overwrite, item)
			}
			continue
		}
		puts = append(puts, pairOp{term: t, delta: 1, item: item, op: types.TransactWriteItem{Put: &types.Put{
			TableName: &w.Table, Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)"),
		}}})
	}
	failed, err := w.pairs(ctx, puts)
	if err != nil {
		return err
	}
	for _, f := range failed {
		overwrite = append(overwrite, f.item) // exists from an earlier attempt: refresh its content
	}

	// Suggest items and overwrites carry no counters: plain idempotent writes.
	var writes []types.WriteRequest
	for _, it := range overwrite {
		writes = append(writes, types.WriteRequest{PutRequest: &types.PutRequest{Item: it}})
	}
	targetSug := map[string]bool{}
	for _, k := range target.Sug {
		targetSug[k] = true
	}
	oldSug := map[string]bool{}
	for _, k := range committed.Sug {
		oldSug[k] = true
	}
	if cur.pending != nil && !resume {
		for _, k := range cur.pending.Sug {
			oldSug[k] = true
		}
	}
	for k := range oldSug {
		if !targetSug[k] {
			pk, sk, _ := strings.Cut(k, " ")
			writes = append(writes, types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: dynamo.Key(pk, sk)}})
		}
	}
	if ch.Article.Indexable() {
		_, _, items := suggestItems(ch.Article)
		for _, k := range target.Sug {
			if !oldSug[k] || committed.SugHash != target.SugHash || resume {
				writes = append(writes, types.WriteRequest{PutRequest: &types.PutRequest{Item: items[k]}})
			}
		}
	}
	if err := w.batchWrite(ctx, writes); err != nil {
		return err
	}
	return w.commit(ctx, ch, committed, target, docItem)
}

func keyImpact(k string) (float64, error) {
	var u uint32
	_, err := fmt.Sscan(k, &u)
	return search.ImpactFromKey(u), err
}

// prepare analyses the article with the statistics known now, leaving its own
// committed version out of them.
func (w *Writer) prepare(ctx context.Context, a *Article, committed *state) ([]search.TermPosting, int, int, error) {
	doc := search.Document{ID: a.ID, Title: a.Title, Body: a.Text, PublishedAt: a.PublishedAt, Tags: a.Tags, Author: a.AuthorKey, Lang: a.Lang}
	raw, _, _ := search.BuildPostings(doc)
	terms := make([]string, len(raw))
	for i, tp := range raw {
		terms[i] = tp.Term
	}
	var (
		st          search.Stats
		df          map[string]int
		errS, errDF error
		wg          sync.WaitGroup
	)
	wg.Add(2)
	go func() { defer wg.Done(); st, errS = w.globalStats(ctx) }()
	go func() { defer wg.Done(); df, errDF = w.docFreqs(ctx, terms) }()
	wg.Wait()
	if err := errors.Join(errS, errDF); err != nil {
		return nil, 0, 0, err
	}
	if committed.Indexed {
		st.Docs--
		st.TitleLenSum -= int64(committed.TitleLen)
		st.BodyLenSum -= int64(committed.BodyLen)
		for t := range committed.Terms {
			if _, ok := df[t]; ok {
				df[t] = max(0, df[t]-1)
			}
		}
	}
	st.Docs = max(0, st.Docs)
	tps, tl, bl := search.PrepareIndex(doc, st, df)
	return tps, tl, bl, nil
}

func (w *Writer) globalStats(ctx context.Context) (search.Stats, error) {
	out, err := w.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: &w.Table, Key: dynamo.Key(dynamo.SearchStatsPK, dynamo.SearchStatsSK), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return search.Stats{}, fmt.Errorf("global stats: %w", err)
	}
	return statsFrom(out.Item), nil
}

func statsFrom(it map[string]types.AttributeValue) search.Stats {
	return search.Stats{Docs: int(getN(it, "docs")), TitleLenSum: getN(it, "tls"), BodyLenSum: getN(it, "bls")}
}

// docFreqs reads the df items of terms, 100 per BatchGetItem, in parallel.
func (w *Writer) docFreqs(ctx context.Context, terms []string) (map[string]int, error) {
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
			items, err := batchGet(ctx, w.DB, w.Table, keys, "pk, df")
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

func (w *Writer) updateCommentCount(ctx context.Context, ch Change) error {
	_, err := w.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &w.Table, Key: dynamo.Key(dynamo.SearchDocPK(ch.ID), dynamo.SKSearchDoc),
		UpdateExpression:          aws.String("SET commentCount = :c"),
		ConditionExpression:       aws.String("seq = :seq"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":c": n(ch.Article.CommentCount), ":seq": n(ch.Seq)},
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return nil
	}
	return err
}

// commit records the applied state, the display record and the statistics in
// one transaction that succeeds once per change.
func (w *Writer) commit(ctx context.Context, ch Change, committed, target *state, docItem map[string]types.AttributeValue) error {
	termsPut := &types.Put{TableName: &w.Table, Item: target.item(ch.ID, dynamo.SKSearchTerms),
		ConditionExpression:       aws.String("attribute_not_exists(seq) OR seq < :seq"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":seq": n(ch.Seq)},
	}
	ops := []types.TransactWriteItem{
		{Put: termsPut},
		{Delete: &types.Delete{TableName: &w.Table, Key: dynamo.Key(dynamo.SearchDocPK(ch.ID), dynamo.SKSearchPending)}},
	}
	if docItem != nil {
		ops = append(ops, types.TransactWriteItem{Put: &types.Put{TableName: &w.Table, Item: docItem}})
	} else {
		ops = append(ops, types.TransactWriteItem{Delete: &types.Delete{TableName: &w.Table, Key: dynamo.Key(dynamo.SearchDocPK(ch.ID), dynamo.SKSearchDoc)}})
	}
	var dd, dt, db int64
	if committed.Indexed {
		dd, dt, db = -1, -int64(committed.TitleLen), -int64(committed.BodyLen)
	}
	if target.Indexed {
		dd, dt, db = dd+1, dt+int64(target.TitleLen), db+int64(target.BodyLen)
	}
	if dd != 0 || dt != 0 || db != 0 || docItem != nil {
		// langs: the analysers the index holds, so queries are analysed for
		// each (a set: adding is idempotent; a language whose last article
		// went stays listed, which only costs its queries a few empty reads).
		update, values := "ADD docs :d, tls :t, bls :b", map[string]types.AttributeValue{":d": n(dd), ":t": n(dt), ":b": n(db)}
		if docItem != nil { // indexed: the DOC record says its language
			update += ", langs :l"
			values[":l"] = &types.AttributeValueMemberSS{Value: []string{analysis.For(getS(docItem, "lang")).Name()}}
		}
		ops = append(ops, types.TransactWriteItem{Update: &types.Update{
			TableName: &w.Table, Key: dynamo.Key(dynamo.SearchStatsPK, dynamo.SearchStatsSK),
			UpdateExpression: aws.String(update), ExpressionAttributeValues: values,
		}})
	}
	err := dynamo.Transact(ctx, w.DB, ops, transactAttempts)
	if failed := dynamo.ConditionFailures(err); failed != nil {
		return nil // committed by an earlier attempt
	}
	if err != nil {
		return fmt.Errorf("commit %s: %w", ch.ID, err)
	}
	return nil
}

// pairOp is a posting write and its df change.
type pairOp struct {
	term  string
	delta int
	op    types.TransactWriteItem
	item  map[string]types.AttributeValue
}

// pairsPerTransaction keeps transactions at 50 operations (DynamoDB allows
// 100): smaller transactions conflict less on the shared df items of common
// terms, and a conflict retries less work.
const pairsPerTransaction = 25

// pairs applies posting writes with their df changes, pairsPerTransaction
// pairs per transaction, each term at most once per transaction. It returns the pairs whose condition failed, which were not
// applied.
func (w *Writer) pairs(ctx context.Context, ops []pairOp) ([]pairOp, error) {
	if len(ops) == 0 {
		return nil, nil
	}
	// Waves: the i-th occurrence of a term goes to wave i.
	var waves [][]pairOp
	seen := map[string]int{}
	for _, op := range ops {
		i := seen[op.term]
		seen[op.term]++
		if i == len(waves) {
			waves = append(waves, nil)
		}
		waves[i] = append(waves[i], op)
	}
	par := w.Parallel
	if par <= 0 {
		par = 4
	}
	var failed []pairOp
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
				f, err := w.pairChunk(ctx, chunk)
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

func (w *Writer) pairChunk(ctx context.Context, chunk []pairOp) ([]pairOp, error) {
	var failed []pairOp
	for len(chunk) > 0 {
		ops := make([]types.TransactWriteItem, 0, 2*len(chunk))
		for _, p := range chunk {
			ops = append(ops, p.op, types.TransactWriteItem{Update: &types.Update{
				TableName: &w.Table, Key: dynamo.Key(dynamo.TermPK(p.term), dynamo.SKTermStats),
				UpdateExpression:          aws.String("ADD df :d"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":d": n(int64(p.delta))},
			}})
		}
		err := dynamo.Transact(ctx, w.DB, ops, transactAttempts)
		if err == nil {
			return failed, nil
		}
		bad := dynamo.ConditionFailures(err)
		if bad == nil {
			return nil, err
		}
		rest := chunk[:0:0]
		for i, p := range chunk {
			if bad[2*i] {
				failed = append(failed, p)
			} else {
				rest = append(rest, p)
			}
		}
		chunk = rest
	}
	return failed, nil
}

// batchWrite writes in chunks of 25, retrying unprocessed items.
func (w *Writer) batchWrite(ctx context.Context, writes []types.WriteRequest) error {
	for i := 0; i < len(writes); i += 25 {
		req := map[string][]types.WriteRequest{w.Table: writes[i:min(i+25, len(writes))]}
		for attempt := 0; len(req) > 0; attempt++ {
			if attempt == 8 {
				return errors.New("batch write: unprocessed items after retries")
			}
			if attempt > 0 {
				time.Sleep(time.Duration(attempt*attempt) * 20 * time.Millisecond)
			}
			out, err := w.DB.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: req})
			if err != nil {
				return fmt.Errorf("batch write: %w", err)
			}
			req = out.UnprocessedItems
		}
	}
	return nil
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

// docRecord is the DOC item: what a result and its snippet show.
func docRecord(a *Article, seq int64) map[string]types.AttributeValue {
	text := a.Text
	if len(text) > MaxTextBytes {
		text = strings.ToValidUTF8(text[:MaxTextBytes], "")
	}
	it := dynamo.Key(dynamo.SearchDocPK(a.ID), dynamo.SKSearchDoc)
	it["id"], it["slug"], it["title"], it["summary"] = s(a.ID), s(a.Slug), s(a.Title), s(a.Summary)
	it["authorName"], it["publishedAt"], it["text"] = s(a.AuthorName), s(a.PublishedAtRaw), s(text)
	it["tags"] = list(a.Tags)
	it["commentCount"] = n(a.CommentCount)
	it["p"] = n(a.PublishedAt.Unix())
	it["seq"] = n(seq)
	if a.Lang != "" {
		it["lang"] = s(a.Lang)
	}
	return it
}

// transactAttempts is generous: a common term's df item is shared by every
// document, so concurrent indexing conflicts on it often.
const transactAttempts = 12
