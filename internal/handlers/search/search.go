// Package search serves the Search function's routes: GET /search (ranked
// full-text search) and GET /search/suggest (type-ahead), reading the index
// the indexer keeps with at most two sequential rounds of DynamoDB requests.
package search

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"net/url"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"broadsheet/internal/apigw"
	"broadsheet/internal/broadsheet"
	"broadsheet/internal/cursor"
	"broadsheet/internal/dynamo"
	"broadsheet/internal/search"
	"broadsheet/internal/searchindex"
	"broadsheet/internal/telemetry"
)

// Limits of the contract.
const (
	MaxQueryRunes   = 200
	MaxSuggestRunes = 100
	SuggestItems    = 8
	SnippetRunes    = 200
)

// CacheControl lets browsers and a CDN keep search answers briefly.
const CacheControl = "public, max-age=30, stale-while-revalidate=120"

// CostHeader carries per-request DynamoDB counters when SEARCH_DEBUG_COST=1.
const CostHeader = "X-Search-Cost"

// Index is what the handler needs of the index (searchindex.Reader).
type Index interface {
	search.IndexReader
	Docs(ctx context.Context, ids []string) (map[string]*searchindex.Doc, error)
	Suggest(ctx context.Context, q string, now time.Time, max int) ([]searchindex.Suggestion, error)
	// Languages are the index's languages: each query is analysed for them.
	Languages() []string
}

// Handler serves the routes.
type Handler struct {
	Index     Index
	Cursors   *cursor.Sealer
	Now       func() time.Time
	Params    search.Params // zero: search.DefaultParams
	K         int           // zero: search.DefaultK
	DebugCost bool          // add CostHeader to answers (never in production)
}

// New wires the handler from the function's environment.
func New(ctx context.Context, getenv func(string) string) (func(context.Context, apigw.Request) (apigw.Response, error), error) {
	store, err := dynamo.FromEnv(ctx, getenv)
	if err != nil {
		return nil, err
	}
	cur, err := cursor.FromEnv(getenv)
	if err != nil {
		return nil, err
	}
	debug := getenv("SEARCH_DEBUG_COST") == "1"
	db := store.DB
	if debug {
		db = &searchindex.Meter{API: db, Capacity: true}
	}
	reader := &searchindex.Reader{Store: &searchindex.DynamoStore{DB: db, Table: store.Table}}
	// The index's languages, once at start-up (each query's first round
	// refreshes them); without them the first queries are analysed as English.
	if err := reader.LoadLanguages(ctx); err != nil {
		slog.WarnContext(ctx, "search index languages not read", "err", err.Error())
	}
	h := &Handler{Index: reader, Cursors: cur, Now: time.Now, DebugCost: debug}
	return h.Router().Handle, nil
}

// Router maps the template's route keys to their code.
func (h *Handler) Router() apigw.Router {
	return apigw.Router{
		"GET /search":         timed("SearchLatency", h.metered(h.search)),
		"GET /search/suggest": timed("SuggestLatency", h.metered(h.suggest)),
	}
}

// timed reports each answered request's latency as a CloudWatch EMF metric.
func timed(name string, next apigw.HandlerFunc) apigw.HandlerFunc {
	return func(ctx context.Context, req apigw.Request) (apigw.Response, error) {
		start := time.Now()
		resp, err := next(ctx, req)
		if err == nil {
			_ = telemetry.Emit(ctx, "Broadsheet", map[string]string{"Function": "Search"},
				map[string]float64{name: float64(time.Since(start).Microseconds()) / 1000},
				map[string]telemetry.Unit{name: telemetry.Milliseconds})
		}
		return resp, err
	}
}

func (h *Handler) metered(next apigw.HandlerFunc) apigw.HandlerFunc {
	if !h.DebugCost {
		return next
	}
	return func(ctx context.Context, req apigw.Request) (apigw.Response, error) {
		ctx, cost := searchindex.WithCost(ctx)
		resp, err := next(ctx, req)
		if err == nil {
			calls, items, rounds, rcu := cost.Snapshot()
			if resp.Headers == nil {
				resp.Headers = map[string]string{}
			}
			resp.Headers[CostHeader] = fmt.Sprintf("rounds=%d;calls=%d;items=%d;rcu=%.1f", rounds, calls, items, rcu)
		}
		return resp, err
	}
}

// Result is one search result: an ArticleSummary with score and highlights.
type Result struct {
	apigw.ArticleSummary
	Score      float64    `json:"score"`
	Highlights Highlights `json:"highlights"`
}

// Highlights are HTML: text escaped, matches in <mark>.
type Highlights struct {
	Title   string `json:"title"`
	Snippet string `json:"snippet"`
}

// Results is the search answer.
type Results struct {
	Query      string   `json:"query"`
	Items      []Result `json:"items"`
	NextCursor *string  `json:"nextCursor"`
}

func invalid(field, msg string) error {
	return &broadsheet.Error{Code: broadsheet.CodeValidation, Message: field + " " + msg, Fields: map[string]string{field: msg}}
}

func unavailable(ctx context.Context, err error) error {
	slog.WarnContext(ctx, "search index read failed", "err", err.Error())
	return &broadsheet.Error{Code: broadsheet.CodeUnavailable, Message: "search is briefly unavailable; please retry", RetryAfter: time.Second}
}

func (h *Handler) search(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	q := broadsheet.CleanText(apigw.Query(req, "q"))
	switch n := utf8.RuneCountInString(q); {
	case n == 0:
		return apigw.Response{}, invalid("q", "is required")
	case n > MaxQueryRunes:
		return apigw.Response{}, invalid("q", "must be at most "+strconv.Itoa(MaxQueryRunes)+" characters")
	}
	limit, err := apigw.Limit(req, 10, 50)
	if err != nil {
		return apigw.Response{}, err
	}
	out := Results{Query: q, Items: []Result{}}
	tag := apigw.Query(req, "tag")
	if tag != "" && !broadsheet.ValidSlug(tag) {
		tag = broadsheet.Slugify(tag) // tags are stored slugified
		if tag == "" {
			return apigw.Cacheable(req, out, CacheControl), nil
		}
	}
	author := broadsheet.CleanText(apigw.Query(req, "author"))
	if len(author) > 200 {
		return apigw.Response{}, invalid("author", "is too long")
	}
	authorKey := broadsheet.Slugify(author)
	if author != "" && authorKey == "" {
		return apigw.Cacheable(req, out, CacheControl), nil
	}
	scope := "search?" + url.Values{"q": {q}, "tag": {tag}, "author": {authorKey}}.Encode()
	pos, err := apigw.OpenCursor(h.Cursors, req, scope)
	if err != nil {
		return apigw.Response{}, err
	}
	now := h.Now()
	seen := seenSet{}
	if pos != nil {
		// The first page's clock is kept so every page sees the same articles
		// as published; seen holds the candidates earlier pages consumed.
		t, err1 := strconv.ParseInt(pos["t"], 10, 64)
		set, err2 := decodeSeen(pos["s"])
		if err1 != nil || err2 != nil || len(set) == 0 {
			return apigw.Response{}, broadsheet.Errorf(broadsheet.CodeInvalidCursor, "the cursor is not valid for this list; start again without it")
		}
		seen, now = set, time.Unix(0, t)
	}

	query := search.ParseQueryIn(q, h.Index.Languages())
	if len(query.Terms) == 0 {
		return apigw.Cacheable(req, out, CacheControl), nil
	}
	s := &search.Searcher{Index: h.Index, Params: h.Params, K: h.K, Now: func() time.Time { return now }}
	if tag != "" || authorKey != "" {
		s.Filter = func(p *search.Posting) bool {
			return (tag == "" || slices.Contains(p.Tags, tag)) && (authorKey == "" || p.Author == authorKey)
		}
	}
	// Round 1: df, top-K postings per term, global statistics.
	res, err := s.SearchTerms(ctx, query.Terms, -1)
	if err != nil {
		return apigw.Response{}, unavailable(ctx, err)
	}
	// Round 2: the display records of the page's candidates; phrases and
	// exclusions are checked on their text.
	plan := planPage(res.Hits, seen, limit, query.Filtered())
	docs, err := h.Index.Docs(ctx, plan.fetch)
	if err != nil {
		return apigw.Response{}, unavailable(ctx, err)
	}
	scores := make(map[string]float64, len(plan.fetch))
	for _, hit := range res.Hits {
		scores[hit.DocID] = hit.Score
	}
	page := cutPage(plan, docs, res.Hits, seen, limit, now, func(d *searchindex.Doc) bool { return query.AcceptsIn(d.Lang, d.Title, d.Text) })
	// Highlights mark every ranked term: a phrase's words, not excluded ones.
	for _, d := range page.shown {
		a := &broadsheet.Article{ID: d.ID, Slug: d.Slug, Title: d.Title, Summary: d.Summary,
			Author: broadsheet.Author{Name: d.AuthorName}, Tags: d.Tags, PublishedAt: d.PublishedAt, CommentCount: d.CommentCount}
		out.Items = append(out.Items, Result{
			ArticleSummary: apigw.SummaryOf(a),
			Score:          math.Round(scores[d.ID]*1e4) / 1e4,
			Highlights: Highlights{
				Title:   search.HighlightIn(d.Lang, d.Title, res.Terms),
				Snippet: search.SnippetIn(d.Lang, d.Text, res.Terms, SnippetRunes),
			},
		})
	}
	if page.more {
		pos := map[string]string{"t": strconv.FormatInt(now.UnixNano(), 10), "s": seen.encode()}
		if out.NextCursor, err = apigw.NextCursor(h.Cursors, scope, pos); err != nil {
			return apigw.Response{}, err
		}
	}
	return apigw.Cacheable(req, out, CacheControl), nil
}

// Suggestions is the type-ahead answer.
type Suggestions struct {
	Items []searchindex.Suggestion `json:"items"`
}

func (h *Handler) suggest(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	q := broadsheet.CleanText(apigw.Query(req, "q"))
	switch n := utf8.RuneCountInString(q); {
	case n == 0:
		return apigw.Response{}, invalid("q", "is required")
	case n > MaxSuggestRunes:
		return apigw.Response{}, invalid("q", "must be at most "+strconv.Itoa(MaxSuggestRunes)+" characters")
	}
	items, err := h.Index.Suggest(ctx, q, h.Now(), SuggestItems)
	if err != nil {
		return apigw.Response{}, unavailable(ctx, err)
	}
	return apigw.Cacheable(req, Suggestions{Items: items}, CacheControl), nil
}
