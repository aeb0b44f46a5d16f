// Package indexer is the Indexer function: it keeps the search index in step
// with the articles, from the table's change stream (events.DynamoDBEvent
// records of ARTICLE# items), and reports partial batch failures.
package indexer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"broadsheet/internal/broadsheet"
	"broadsheet/internal/dynamo"
	"broadsheet/internal/htmltext"
	"broadsheet/internal/searchindex"
	"broadsheet/internal/telemetry"
)

// Applier applies one change to the index (searchindex.Writer).
type Applier interface {
	Apply(ctx context.Context, ch searchindex.Change) error
}

// Handler handles stream batches.
type Handler struct {
	Index Applier
	// Parallel is how many articles are indexed at once (default 4). Records
	// of one article are always applied in stream order.
	Parallel int
	// SiteLanguage is the BCP 47 language of articles that name none
	// (SITE_LANGUAGE; "" English): the analyser they are indexed with.
	SiteLanguage string
}

// New wires the handler from the function's environment; it is what
// functions/indexer runs and what the local runtime runs in-process.
func New(ctx context.Context, getenv func(string) string) (func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error), error) {
	store, err := dynamo.FromEnvWith(ctx, getenv, dynamo.Background)
	if err != nil {
		return nil, err
	}
	h := &Handler{Index: &searchindex.Writer{Store: &searchindex.DynamoStore{DB: store.DB, Table: store.Table}}, SiteLanguage: getenv("SITE_LANGUAGE")}
	if n, err := strconv.Atoi(getenv("INDEXER_PARALLEL")); err == nil && n > 0 {
		h.Parallel = n
	}
	return h.Handle, nil
}

// ErrSkip marks records that are not article changes.
var ErrSkip = errors.New("not an article change")

type job struct {
	seq    string // stream sequence number: the batch item identifier
	change searchindex.Change
	err    error // the record could not be read: reported, never applied
}

// Handle applies a batch. Records of different articles run concurrently,
// those of one article in order; once one fails, it and the article's later
// records are reported as failures (Lambda then retries from the earliest).
func (h *Handler) Handle(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	var resp events.DynamoDBEventResponse
	groups := map[string][]job{}
	var order []string
	for _, r := range ev.Records {
		ch, err := ChangeOf(r)
		if errors.Is(err, ErrSkip) {
			continue
		}
		if ch.Article != nil && ch.Article.Lang == "" {
			ch.Article.Lang = h.SiteLanguage
		}
		id := ch.ID
		if err != nil {
			// An article record we cannot read is reported, not dropped:
			// after the retries it reaches the failure queue, where an
			// operator sees it, instead of leaving the index silently stale.
			id, _ = dynamo.ArticleIDOfKeys(r.Change.Keys)
		}
		if _, ok := groups[id]; !ok {
			order = append(order, id)
		}
		groups[id] = append(groups[id], job{seq: r.Change.SequenceNumber, change: ch, err: err})
	}
	par := h.Parallel
	if par <= 0 {
		par = 4
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, par)
	for _, id := range order {
		jobs := groups[id]
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			for i, j := range jobs {
				err := j.err
				if err == nil {
					err = h.Index.Apply(ctx, j.change)
				}
				if err != nil {
					slog.ErrorContext(ctx, "indexing failed", "articleId", id, "seq", j.change.Seq, "record", j.seq, "err", err.Error())
					mu.Lock()
					for _, f := range jobs[i:] {
						resp.BatchItemFailures = append(resp.BatchItemFailures, events.DynamoDBBatchItemFailure{ItemIdentifier: f.seq})
					}
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	emitBatchMetrics(ctx, ev, len(resp.BatchItemFailures), time.Now())
	return resp, nil
}

// emitBatchMetrics reports, as CloudWatch EMF, how far the index trails the
// table (the oldest record's age when its batch was done) and how many
// records failed: the two numbers that say whether search is fresh.
func emitBatchMetrics(ctx context.Context, ev events.DynamoDBEvent, failed int, now time.Time) {
	if len(ev.Records) == 0 {
		return
	}
	oldest := now
	for _, r := range ev.Records {
		if t := r.Change.ApproximateCreationDateTime.Time; !t.IsZero() && t.Before(oldest) {
			oldest = t
		}
	}
	_ = telemetry.Emit(ctx, "Broadsheet", map[string]string{"Function": "Indexer"},
		map[string]float64{"IndexingLag": float64(now.Sub(oldest).Milliseconds()), "RecordsReceived": float64(len(ev.Records)), "RecordsFailed": float64(failed)},
		map[string]telemetry.Unit{"IndexingLag": telemetry.Milliseconds, "RecordsReceived": telemetry.Count, "RecordsFailed": telemetry.Count})
}

// ChangeOf reads an article change from a stream record. The image is decoded
// by the store's own item type (dynamo.ArticleFromImage), so the indexer reads
// exactly the attributes the store writes.
func ChangeOf(r events.DynamoDBEventRecord) (searchindex.Change, error) {
	id, ok := dynamo.ArticleIDOfKeys(r.Change.Keys)
	if !ok {
		return searchindex.Change{}, ErrSkip
	}
	switch r.EventName {
	case "INSERT", "MODIFY":
		if r.Change.NewImage == nil {
			return searchindex.Change{}, errors.New("no new image (the stream must carry NEW_AND_OLD_IMAGES)")
		}
		a, err := dynamo.ArticleFromImage(r.Change.NewImage)
		if err != nil {
			return searchindex.Change{}, err
		}
		if a.ID != id {
			return searchindex.Change{}, fmt.Errorf("image of article %q under the keys of %q", a.ID, id)
		}
		doc := indexedArticle(a)
		return searchindex.Change{ID: id, Seq: 2 * a.Version, Article: doc}, nil
	case "REMOVE":
		if r.Change.OldImage == nil {
			return searchindex.Change{}, errors.New("no old image (the stream must carry NEW_AND_OLD_IMAGES)")
		}
		a, err := dynamo.ArticleFromImage(r.Change.OldImage)
		if err != nil {
			return searchindex.Change{}, err
		}
		return searchindex.Change{ID: id, Seq: 2*a.Version + 1}, nil
	}
	return searchindex.Change{}, ErrSkip
}

// indexedArticle is what the index keeps of an article.
func indexedArticle(a *broadsheet.Article) *searchindex.Article {
	doc := &searchindex.Article{
		ID: a.ID, Slug: a.Slug, Title: a.Title, Summary: a.Summary,
		AuthorName: a.Author.Name, AuthorKey: broadsheet.Slugify(a.Author.Name), Status: string(a.Status),
		PublishedAt: a.PublishedAt, PublishedAtRaw: dynamo.FormatTime(a.PublishedAt),
		Version: a.Version, CommentCount: a.CommentCount, Tags: a.Tags, Lang: a.Lang,
	}
	if doc.Indexable() {
		doc.Text = plainText(a.BodyHTML, a.Body)
	}
	return doc
}

// plainText is the body's text for indexing and snippets: the stored,
// sanitised HTML without markup. Articles always store bodyHtml (rendered on
// write); should one lack it, its Markdown source is indexed as it is rather
// than rendered here, which would link the renderer into this function.
func plainText(bodyHTML, body string) string {
	if bodyHTML == "" {
		return strings.TrimSpace(body)
	}
	return htmltext.PlainText(bodyHTML)
}
