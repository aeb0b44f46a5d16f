// Package articles serves the public article routes of the Articles
// function: GET /articles and GET /articles/{slug}. It is a door: the rules
// of what readers see are internal/articles (imported as rules).
package articles

import (
	"context"
	"net/url"
	"time"

	"broadsheet/internal/apigw"
	rules "broadsheet/internal/articles"
	"broadsheet/internal/cursor"
	"broadsheet/internal/dynamo"
)

// CacheControl lets browsers and a CDN keep public reads briefly and serve a
// stale copy while they revalidate: a viral article costs one read per edge
// per minute, not one per reader.
const CacheControl = "public, max-age=60, stale-while-revalidate=300"

// Store is what the handler needs of storage: what the public reads use.
type Store = rules.ReadStore

// Handler serves the routes.
type Handler struct {
	Store   Store
	Cursors *cursor.Sealer
	Now     func() time.Time
}

// New wires the handler from the function's environment; it is what
// functions/articles runs and what the local runtime runs in-process.
func New(ctx context.Context, getenv func(string) string) (func(context.Context, apigw.Request) (apigw.Response, error), error) {
	store, err := dynamo.FromEnv(ctx, getenv)
	if err != nil {
		return nil, err
	}
	h, err := Configure(getenv)
	if err != nil {
		return nil, err
	}
	h.Store = store
	return h.Router().Handle, nil
}

// Configure reads everything but the store from the environment, so that
// tests can wire the handler over another store exactly as New wires it
// over the table.
func Configure(getenv func(string) string) (*Handler, error) {
	cur, err := cursor.FromEnv(getenv)
	if err != nil {
		return nil, err
	}
	return &Handler{Cursors: cur, Now: time.Now}, nil
}

// Router maps the template's route keys to their code.
func (h *Handler) Router() apigw.Router {
	return apigw.Router{
		"GET /articles":        h.list,
		"GET /articles/{slug}": h.get,
	}
}

// reader is the use case over the handler's store and clock.
func (h *Handler) reader() *rules.Reader { return &rules.Reader{Store: h.Store, Now: h.Now} }

func (h *Handler) list(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	limit, err := apigw.Limit(req, 20, 50)
	if err != nil {
		return apigw.Response{}, err
	}
	f, matchesNothing, err := rules.PublicFilter(apigw.Query(req, "tag"), apigw.Query(req, "author"))
	if err != nil {
		return apigw.Response{}, err
	}
	if matchesNothing {
		return apigw.Cacheable(req, apigw.List[apigw.ArticleSummary]{Items: []apigw.ArticleSummary{}}, CacheControl), nil
	}
	scope := "articles?" + url.Values{"tag": {f.Tag}, "author": {f.Author}}.Encode()
	after, err := apigw.OpenCursor(h.Cursors, req, scope)
	if err != nil {
		return apigw.Response{}, err
	}
	page, err := h.reader().Published(ctx, f, limit, after)
	if err != nil {
		return apigw.Response{}, err
	}
	out := apigw.List[apigw.ArticleSummary]{Items: make([]apigw.ArticleSummary, 0, len(page.Items))}
	for _, a := range page.Items {
		out.Items = append(out.Items, apigw.SummaryOf(a))
	}
	if out.NextCursor, err = apigw.NextCursor(h.Cursors, scope, page.Next); err != nil {
		return apigw.Response{}, err
	}
	return apigw.Cacheable(req, out, CacheControl), nil
}

func (h *Handler) get(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	a, err := h.reader().Article(ctx, req.PathParameters["slug"])
	if err != nil {
		return apigw.Response{}, err
	}
	return apigw.Cacheable(req, apigw.ArticleOf(a), CacheControl), nil
}
