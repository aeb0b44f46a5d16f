package editorclient

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"broadsheet/internal/apigw"
	"broadsheet/internal/broadsheet"
)

// ArticleQuery filters GET /admin/articles. Slug is a contract extension:
// the list filtered by exact slug.
type ArticleQuery struct {
	Status string
	Slug   string
	Limit  int
	Cursor string
}

func (q ArticleQuery) values() url.Values {
	v := url.Values{}
	if q.Status != "" {
		v.Set("status", q.Status)
	}
	if q.Slug != "" {
		v.Set("slug", q.Slug)
	}
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	if q.Cursor != "" {
		v.Set("cursor", q.Cursor)
	}
	return v
}

// ListArticles returns one page of GET /admin/articles.
func (c *Client) ListArticles(ctx context.Context, q ArticleQuery) (ArticlePage, error) {
	var page ArticlePage
	resp, err := c.do(ctx, request{method: http.MethodGet, path: "/admin/articles", query: q.values()})
	if err != nil {
		return page, err
	}
	err = resp.decode(&page)
	return page, err
}

// Articles iterates over every article matching q, following nextCursor.
func (c *Client) Articles(ctx context.Context, q ArticleQuery) iter.Seq2[Article, error] {
	return pages(func(cursor string) (ArticlePage, error) {
		q.Cursor = cursor
		return c.ListArticles(ctx, q)
	})
}

// FindArticleBySlug looks the slug up with GET /admin/articles?slug=. It
// returns (nil, nil) when there is none. Items are checked client-side too, so
// a server that ignored the filter gives a right (if slower) answer.
func (c *Client) FindArticleBySlug(ctx context.Context, slug string) (*Article, error) {
	for a, err := range c.Articles(ctx, ArticleQuery{Slug: slug, Limit: 50}) {
		if err != nil {
			return nil, err
		}
		if a.Slug == slug {
			return &a, nil
		}
	}
	return nil, nil
}

// GetArticle returns one article with its Markdown body, version and ETag.
func (c *Client) GetArticle(ctx context.Context, id string) (Article, error) {
	var a Article
	resp, err := c.do(ctx, request{method: http.MethodGet, path: "/admin/articles/" + escape(id)})
	if err != nil {
		return a, err
	}
	if err := resp.decode(&a); err != nil {
		return a, err
	}
	a.ETag = resp.header.Get("ETag")
	return a, nil
}

// CreateArticle creates an article (POST /admin/articles).
func (c *Client) CreateArticle(ctx context.Context, in ArticleInput) (Article, error) {
	var a Article
	resp, err := c.do(ctx, request{method: http.MethodPost, path: "/admin/articles", body: normalizeInput(in)})
	if err != nil {
		return a, err
	}
	if err := resp.decode(&a); err != nil {
		return a, err
	}
	a.ETag = resp.header.Get("ETag")
	return a, nil
}

// UpdateArticle replaces an article (PUT /admin/articles/{id}) with If-Match: etag.
func (c *Client) UpdateArticle(ctx context.Context, id, etag string, in ArticleInput) (Article, error) {
	var a Article
	resp, err := c.do(ctx, request{method: http.MethodPut, path: "/admin/articles/" + escape(id), body: normalizeInput(in), ifMatch: etag})
	if err != nil {
		return a, err
	}
	if err := resp.decode(&a); err != nil {
		return a, err
	}
	a.ETag = resp.header.Get("ETag")
	return a, nil
}

// DeleteArticle deletes an article. The contract sends no If-Match; if the
// server answers 428 precondition_required, the ETag is fetched and the
// delete retried with it (and once more after a 412).
func (c *Client) DeleteArticle(ctx context.Context, id string) error {
	path := "/admin/articles/" + escape(id)
	_, err := c.do(ctx, request{method: http.MethodDelete, path: path})
	if StatusCode(err) != http.StatusPreconditionRequired {
		return err
	}
	for try := 0; try < 2; try++ {
		a, gerr := c.GetArticle(ctx, id)
		if gerr != nil {
			return gerr
		}
		_, err = c.do(ctx, request{method: http.MethodDelete, path: path, ifMatch: a.ETag})
		if StatusCode(err) != http.StatusPreconditionFailed {
			return err
		}
	}
	return err
}

func normalizeInput(in ArticleInput) ArticleInput {
	if in.Tags == nil {
		in.Tags = []string{}
	}
	return in
}

// Action is what an upsert or import did with an article.
type Action string

const (
	Created   Action = "created"
	Updated   Action = "updated"
	Unchanged Action = "unchanged"
)

// ConflictError is returned by UpsertArticle when the article changed under
// us twice in a row (two 412s).
type ConflictError struct {
	Slug, ID string
	Err      error
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("conflict: article %s (%s) was changed by someone else while updating; try again", e.Slug, e.ID)
}

func (e *ConflictError) Unwrap() error { return e.Err }

// UpsertArticle creates the article in, or replaces the existing article
// with the same slug when it differs (see Differs). in.Slug must be set.
//
// Replacing uses If-Match with the ETag from GET /admin/articles/{id}; on a
// 412 the article is fetched again and the update retried once, then a
// *ConflictError is returned.
func (c *Client) UpsertArticle(ctx context.Context, in ArticleInput) (Action, Article, error) {
	if in.Slug == "" {
		return "", Article{}, errors.New("upsert needs a slug")
	}
	for lookups := 0; ; lookups++ {
		found, err := c.FindArticleBySlug(ctx, in.Slug)
		if err != nil {
			return "", Article{}, err
		}
		if found == nil {
			a, err := c.CreateArticle(ctx, in)
			if err == nil {
				return Created, a, nil
			}
			if HasCode(err, "slug_taken") && lookups == 0 {
				continue // created concurrently (or by a retried POST): look again
			}
			if HasCode(err, "slug_taken") {
				return "", Article{}, fmt.Errorf("%w (and GET /admin/articles?slug=%s does not find it)", err, in.Slug)
			}
			return "", Article{}, err
		}
		return c.replaceIfChanged(ctx, found.ID, in)
	}
}

func (c *Client) replaceIfChanged(ctx context.Context, id string, in ArticleInput) (Action, Article, error) {
	var lastErr error
	for try := 0; try < 2; try++ {
		cur, err := c.GetArticle(ctx, id)
		if err != nil {
			return "", Article{}, err
		}
		if !Differs(in, cur) {
			return Unchanged, cur, nil
		}
		body := in
		if body.PublishedAt == "" && cur.PublishedAt != nil && statusOf(in.Status) == broadsheet.StatusPublished {
			body.PublishedAt = cur.PublishedAt.Format(time.RFC3339) // keep the original publication time
		}
		if body.Lang == "" {
			body.Lang = cur.Lang // a PUT replaces the article: keep the language it has
		}
		a, err := c.UpdateArticle(ctx, id, cur.ETag, body)
		if err == nil {
			return Updated, a, nil
		}
		if StatusCode(err) != http.StatusPreconditionFailed {
			return "", Article{}, err
		}
		lastErr = err
	}
	return "", Article{}, &ConflictError{Slug: in.Slug, ID: id, Err: lastErr}
}

// statusOf is the status an article is stored with: draft unless given.
func statusOf(s broadsheet.Status) broadsheet.Status {
	if s == "" {
		return broadsheet.StatusDraft
	}
	return s
}

// Differs reports whether writing in would change cur. Fields that in leaves
// empty (summary, publishedAt, author bio, commentsOpen, lang) are treated as
// "not specified" rather than "clear it", because the server may fill them in;
// tags compare as a set of slugs (the server slugifies tags); bodies and text
// fields compare as the server stores them (broadsheet.CleanMarkdown, CleanText).
func Differs(in ArticleInput, cur Article) bool {
	if text(in.Title) != text(cur.Title) {
		return true
	}
	if broadsheet.CleanMarkdown(in.Body) != broadsheet.CleanMarkdown(cur.Body) {
		return true
	}
	if in.Summary != "" && text(in.Summary) != text(cur.Summary) {
		return true
	}
	if text(in.Author.Name) != text(cur.Author.Name) {
		return true
	}
	if in.Author.Bio != "" && text(in.Author.Bio) != text(cur.Author.Bio) {
		return true
	}
	if statusOf(in.Status) != statusOf(broadsheet.Status(cur.Status)) {
		return true
	}
	if in.Slug != "" && in.Slug != cur.Slug {
		return true
	}
	if in.PublishedAt != "" && !sameInstant(in.PublishedAt, cur.PublishedAt) {
		return true
	}
	if in.CommentsOpen != nil && *in.CommentsOpen != cur.CommentsOpen {
		return true
	}
	if in.Lang != "" && !strings.EqualFold(strings.TrimSpace(in.Lang), cur.Lang) {
		return true // the server stores the canonical tag ("EN-gb" → "en-GB")
	}
	if !sameImage(in.Image, cur.Image) {
		return true
	}
	return !sameTags(in.Tags, cur.Tags)
}

// sameImage compares the image sent with the one stored. No image sent means
// none, as no tags do: the file or export is the article's whole truth, and
// a PUT without an image removes it.
func sameImage(in *broadsheet.ImageInput, cur *apigw.Image) bool {
	if in == nil || cur == nil {
		return in == nil && cur == nil
	}
	size := func(p *int) int {
		if p == nil || in.Width == nil || in.Height == nil {
			return 0 // the server keeps a size only when both are given
		}
		return *p
	}
	return strings.TrimSpace(in.URL) == cur.URL && text(in.Alt) == cur.Alt && text(in.Credit) == cur.Credit &&
		size(in.Width) == cur.Width && size(in.Height) == cur.Height
}

// text is how the server stores a one-line text field.
func text(s string) string { return broadsheet.CleanText(s) }

// sameInstant reports whether the RFC 3339 time a names the instant b; an
// unparsable a differs (the server will say why).
func sameInstant(a string, b *time.Time) bool {
	t, err := time.Parse(time.RFC3339, a)
	return err == nil && b != nil && t.Equal(*b)
}

func sameTags(a, b []string) bool {
	set := func(ts []string) []string {
		out := broadsheet.NormalizeTags(ts)
		slices.Sort(out)
		return out
	}
	return slices.Equal(set(a), set(b))
}
