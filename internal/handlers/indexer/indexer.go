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
}

// New wires the handler from the function's environment; it is what
// functions/indexer runs and what the local runtime runs in-process.
func New(ctx context.Context, getenv func(string) string) (func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error), error) {
	store, err := dynamo.FromEnvWith(ctx, getenv, dynamo.Background)
	if err != nil {
		return nil, err
	}
	h := &Handler{Index: &searchindex.Writer{DB: store.DB, Table: store.Table}}
	if n, err := strconv.Atoi(getenv("INDEXER_PARALLEL")); err == nil && n > 0 {
		h.Parallel = n
	}
	return h.Handle, nil
}

// errSkip marks records that are not article changes.
var errSkip = errors.New("not an article change")

type job struct {
	seq    string // stream sequence number: the batch item identifier
	change searchindex.Change
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
		if errors.Is(err, errSkip) {
			continue
		}
		if err != nil {
			// A record we cannot read will not read better on retry.
			slog.WarnContext(ctx, "skipping unreadable stream record", "eventId", r.EventID, "err", err.Error())
			continue
		}
		if _, ok := groups[ch.ID]; !ok {
			order = append(order, ch.ID)
		}
		groups[ch.ID] = append(groups[ch.ID], job{seq: r.Change.SequenceNumber, change: ch})
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
				if err := h.Index.Apply(ctx, j.change); err != nil {
					slog.ErrorContext(ctx, "indexing failed", "articleId", id, "seq", j.change.Seq, "err", err.Error())
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

// ChangeOf reads an article change from a stream record.
func ChangeOf(r events.DynamoDBEventRecord) (searchindex.Change, error) {
	pk, sk := attrString(r.Change.Keys, "pk"), attrString(r.Change.Keys, "sk")
	if !strings.HasPrefix(pk, "ARTICLE#") || sk != "ARTICLE" {
		return searchindex.Change{}, errSkip
	}
	id := strings.TrimPrefix(pk, "ARTICLE#")
	switch r.EventName {
	case "INSERT", "MODIFY":
		img := r.Change.NewImage
		if img == nil {
			return searchindex.Change{}, errors.New("no new image (the stream must carry NEW_AND_OLD_IMAGES)")
		}
		a, err := articleOf(id, img)
		if err != nil {
			return searchindex.Change{}, err
		}
		return searchindex.Change{ID: id, Seq: 2 * a.Version, Article: a}, nil
	case "REMOVE":
		v, err := attrInt(r.Change.OldImage, "version")
		if err != nil {
			return searchindex.Change{}, err
		}
		return searchindex.Change{ID: id, Seq: 2*v + 1}, nil
	}
	return searchindex.Change{}, errSkip
}

func articleOf(id string, img map[string]events.DynamoDBAttributeValue) (*searchindex.Article, error) {
	v, err := attrInt(img, "version")
	if err != nil {
		return nil, err
	}
	cc, _ := attrInt(img, "commentCount")
	a := &searchindex.Article{
		ID: id, Slug: attrString(img, "slug"), Title: attrString(img, "title"), Summary: attrString(img, "summary"),
		AuthorName: attrString(img, "authorName"), Status: attrString(img, "status"),
		PublishedAtRaw: attrString(img, "publishedAt"), Version: v, CommentCount: cc,
	}
	a.AuthorKey = broadsheet.Slugify(a.AuthorName)
	if a.PublishedAtRaw != "" {
		t, err := time.Parse(time.RFC3339Nano, a.PublishedAtRaw)
		if err != nil {
			return nil, fmt.Errorf("publishedAt: %w", err)
		}
		a.PublishedAt = t
	}
	if t, ok := img["tags"]; ok && t.DataType() == events.DataTypeList {
		for _, e := range t.List() {
			if e.DataType() == events.DataTypeString {
				a.Tags = append(a.Tags, e.String())
			}
		}
	}
	if a.Indexable() {
		a.Text = plainText(attrString(img, "bodyHtml"), attrString(img, "body"))
	}
	return a, nil
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

func attrString(m map[string]events.DynamoDBAttributeValue, name string) string {
	if v, ok := m[name]; ok && v.DataType() == events.DataTypeString {
		return v.String()
	}
	return ""
}

func attrInt(m map[string]events.DynamoDBAttributeValue, name string) (int64, error) {
	v, ok := m[name]
	if !ok || v.DataType() != events.DataTypeNumber {
		return 0, fmt.Errorf("%s missing", name)
	}
	return strconv.ParseInt(v.Number(), 10, 64)
}
