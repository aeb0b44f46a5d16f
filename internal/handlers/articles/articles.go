// Package articles serves the public article routes of the Articles
// function: GET /articles and GET /articles/{slug}.
package articles

import (
	"context"
	"net/url"
	"time"

	"broadsheet/internal/apigw"
	"broadsheet/internal/broadsheet"
	"broadsheet/internal/cursor"
	"broadsheet/internal/dynamo"
)

// CacheControl lets browsers and a CDN keep public reads briefly and serve a
// stale copy while they revalidate: a viral article costs one read per edge
// per minute, not one per reader.
const CacheControl = "public, max-age=60, stale-while-revalidate=300"

// Store is what the handler needs of storage.
type Store interface {
	ArticleBySlug(ctx context.Context, slug string) (*broadsheet.Article, error)
	PublishedArticles(ctx context.Context, f broadsheet.ArticleFilter, now time.Time, limit int, after map[string]string) (broadsheet.Page[*broadsheet.Article], error)
}

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
	cur, err := cursor.FromEnv(getenv)
	if err != nil {
		return nil, err
	}
	h := &Handler{Store: store, Cursors: cur, Now: time.Now}
	return h.Router().Handle, nil
}

// Router maps the template's route keys to their code.
func (h *Handler) Router() apigw.Router {
	return apigw.Router{
		"GET /articles":        h.list,
		"GET /articles/{slug}": h.get,
	}
}

func (h *Handler) list(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	limit, err := apigw.Limit(req, 20, 50)
	if err != nil {
		return apigw.Response{}, err
	}
	f := broadsheet.ArticleFilter{Tag: apigw.Query(req, "tag"), Author: broadsheet.CleanText(apigw.Query(req, "author"))}
	if f.Tag != "" && !broadsheet.ValidSlug(f.Tag) {
		// Tags are stored slugified; anything else cannot match.
		f.Tag = broadsheet.Slugify(f.Tag)
		if f.Tag == "" {
			return apigw.Cacheable(req, apigw.List[apigw.ArticleSummary]{Items: []apigw.ArticleSummary{}}, CacheControl), nil
		}
	}
	if len(f.Author) > 200 {
		return apigw.Response{}, &broadsheet.Error{Code: broadsheet.CodeValidation, Message: "author is too long", Fields: map[string]string{"author": "is too long"}}
	}
	scope := "articles?" + url.Values{"tag": {f.Tag}, "author": {f.Author}}.Encode()
	after, err := apigw.OpenCursor(h.Cursors, req, scope)
	if err != nil {
		return apigw.Response{}, err
	}
	page, err := h.Store.PublishedArticles(ctx, f, h.Now(), limit, after)
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
	slug := req.PathParameters["slug"]
	if !broadsheet.ValidSlug(slug) {
		return apigw.Response{}, broadsheet.Errorf(broadsheet.CodeNotFound, "no such article")
	}
	a, err := h.Store.ArticleBySlug(ctx, slug)
	if err != nil {
		return apigw.Response{}, err
	}
	if !a.VisibleAt(h.Now()) {
		return apigw.Response{}, broadsheet.Errorf(broadsheet.CodeNotFound, "no such article")
	}
	return apigw.Cacheable(req, apigw.ArticleOf(a), CacheControl), nil
}
