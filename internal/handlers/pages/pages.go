// Package pages is the Pages function: the routes a news site is found
// through. GET /a/{slug} (the server-rendered article page), /feed,
// /rss.xml and /atom.xml (the latest articles, ?tag= or ?author= for one
// list), /a/{slug}/comments.xml (an article's comments), /sitemap.xml and
// /sitemaps/{name} (sitemaps), /robots.txt. It is a door: visibility is the
// articles use case's, formats are internal/syndication's.
package pages

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"broadsheet/internal/apigw"
	rules "broadsheet/internal/articles"
	"broadsheet/internal/broadsheet"
	"broadsheet/internal/dynamo"
	"broadsheet/internal/syndication"
)

// Cache lifetimes, purge-free: short max-age, a longer stale-while-revalidate.
const (
	PageCacheControl    = "public, max-age=60, stale-while-revalidate=300"
	FeedCacheControl    = "public, max-age=300, stale-while-revalidate=600"
	SitemapCacheControl = "public, max-age=900, stale-while-revalidate=3600"
	RobotsCacheControl  = "public, max-age=86400"
)

// Store is what the routes read.
type Store interface {
	rules.ReadStore
	PublishedInRange(ctx context.Context, from, to time.Time, limit int, after map[string]string) (broadsheet.Page[*broadsheet.Article], error)
	OldestPublished(ctx context.Context) (time.Time, bool, error)
	ApprovedComments(ctx context.Context, articleID string, limit int, after map[string]string) (broadsheet.Page[*broadsheet.Comment], error)
	LatestApprovedComments(ctx context.Context, articleID string, limit int) ([]*broadsheet.Comment, error)
}

// Handler serves the routes.
type Handler struct {
	Store Store
	Site  syndication.Site
	Now   func() time.Time
}

// New wires the handler from the function's environment.
func New(ctx context.Context, getenv func(string) string) (func(context.Context, apigw.Request) (apigw.Response, error), error) {
	site, err := syndication.SiteFromEnv(getenv)
	if err != nil {
		return nil, err
	}
	store, err := dynamo.FromEnv(ctx, getenv)
	if err != nil {
		return nil, err
	}
	h := &Handler{Store: store, Site: site, Now: time.Now}
	return h.Router().Handle, nil
}

// Router maps the template's route keys to their code.
func (h *Handler) Router() apigw.Router {
	return apigw.Router{
		"GET /a/{slug}":              h.article,
		"GET /a/{slug}/comments.xml": h.commentsFeed,
		"GET /feed":                  h.rss,
		"GET /rss.xml":               h.rss,
		"GET /atom.xml":              h.atom,
		"GET /sitemap.xml":           h.sitemapIndex,
		"GET /sitemaps/{name}":       h.sitemap,
		"GET /robots.txt":            h.robots,
	}
}

func (h *Handler) reader() *rules.Reader { return &rules.Reader{Store: h.Store, Now: h.Now} }

// site is the configured site, its URL taken from the request when
// SITE_URL is not set (local runs; a deployment sets it, see the template).
func (h *Handler) site(req apigw.Request) syndication.Site {
	return h.Site.WithURL(apigw.BaseURL(req))
}

func (h *Handler) article(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	site := h.site(req)
	a, err := h.reader().Article(ctx, req.PathParameters["slug"])
	if broadsheet.ErrorCode(err) == broadsheet.CodeNotFound {
		return notFoundPage(site), nil
	}
	if err != nil {
		return apigw.Response{}, err
	}
	comments, err := h.Store.ApprovedComments(ctx, a.ID, syndication.PageComments, nil)
	if err != nil {
		return apigw.Response{}, err
	}
	body, err := syndication.ArticlePage(site, a, comments.Items)
	if err != nil {
		return apigw.Response{}, err
	}
	r := document(req, "text/html; charset=utf-8", body, lastChange(a), PageCacheControl)
	r.Headers["Content-Security-Policy"] = pageCSP(site)
	r.Headers["Content-Language"] = site.Language
	return r, nil
}

// pageCSP allows the page's own assets and API, and nothing inline: the
// JSON-LD and article data blocks are not scripts.
func pageCSP(site syndication.Site) string {
	self := "'self'"
	for _, u := range []string{site.Assets(), site.API()} {
		if o := origin(u); o != "" && !strings.Contains(self, o) {
			self += " " + o
		}
	}
	return "default-src " + self + "; connect-src " + self + "; img-src 'self' https: data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
}

func origin(u string) string {
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok {
		return ""
	}
	host, _, _ := strings.Cut(rest, "/")
	return scheme + "://" + host
}

func (h *Handler) commentsFeed(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	site := h.site(req)
	a, err := h.reader().Article(ctx, req.PathParameters["slug"])
	if err != nil {
		return apigw.Response{}, err
	}
	cs, err := h.Store.LatestApprovedComments(ctx, a.ID, syndication.CommentFeedItems)
	if err != nil {
		return apigw.Response{}, err
	}
	body, err := syndication.CommentsRSS(site, a, cs)
	if err != nil {
		return apigw.Response{}, err
	}
	mod := lastChange(a)
	for _, c := range cs {
		if c.CreatedAt.After(mod) {
			mod = c.CreatedAt
		}
	}
	return document(req, "application/rss+xml; charset=utf-8", body, mod, FeedCacheControl), nil
}

// feed reads the latest articles of the site, a tag or an author, whole when
// the site publishes full content (one parallel round of reads by slug).
func (h *Handler) feed(ctx context.Context, req apigw.Request, self string) (syndication.Feed, error) {
	site := h.site(req)
	tag, author := apigw.Query(req, "tag"), apigw.Query(req, "author")
	f, matchesNothing, err := rules.PublicFilter(tag, author)
	if err != nil {
		return syndication.Feed{}, err
	}
	feed := syndication.Feed{Title: site.Name, Subtitle: site.Description, Self: site.URL + self, Alternate: site.ListURL(f.Tag, f.Author)}
	switch {
	case f.Tag != "":
		feed.Title, feed.Self = site.Name+": "+f.Tag, feed.Self+"?tag="+url.QueryEscape(f.Tag)
	case f.Author != "":
		feed.Title, feed.Self = site.Name+": "+f.Author, feed.Self+"?author="+url.QueryEscape(f.Author)
	}
	if matchesNothing {
		return feed, nil
	}
	page, err := h.reader().Published(ctx, f, syndication.FeedItems, nil)
	if err != nil {
		return syndication.Feed{}, err
	}
	feed.Articles = page.Items
	if site.FullContent {
		if feed.Articles, err = h.whole(ctx, page.Items); err != nil {
			return syndication.Feed{}, err
		}
	}
	return feed, nil
}

// whole reads each listed article in full, in parallel; one unpublished or
// deleted since the list was read is left out.
func (h *Handler) whole(ctx context.Context, list []*broadsheet.Article) ([]*broadsheet.Article, error) {
	out := make([]*broadsheet.Article, len(list))
	errs := make([]error, len(list))
	var wg sync.WaitGroup
	for i, s := range list {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i], errs[i] = h.reader().Article(ctx, s.Slug)
		}()
	}
	wg.Wait()
	kept := out[:0]
	for i, a := range out {
		switch {
		case errs[i] == nil:
			kept = append(kept, a)
		case broadsheet.ErrorCode(errs[i]) != broadsheet.CodeNotFound:
			return nil, errs[i]
		}
	}
	return kept, nil
}

func (h *Handler) rss(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	f, err := h.feed(ctx, req, syndication.RSSPath)
	if err != nil {
		return apigw.Response{}, err
	}
	body, err := syndication.RSS(h.site(req), f)
	if err != nil {
		return apigw.Response{}, err
	}
	return document(req, "application/rss+xml; charset=utf-8", body, f.Updated(), FeedCacheControl), nil
}

func (h *Handler) atom(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	f, err := h.feed(ctx, req, syndication.AtomPath)
	if err != nil {
		return apigw.Response{}, err
	}
	body, err := syndication.Atom(h.site(req), f)
	if err != nil {
		return apigw.Response{}, err
	}
	return document(req, "application/atom+xml; charset=utf-8", body, f.Updated(), FeedCacheControl), nil
}

func (h *Handler) sitemapIndex(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	now := h.Now().UTC()
	oldest, ok, err := h.Store.OldestPublished(ctx)
	if err != nil {
		return apigw.Response{}, err
	}
	var months []syndication.Month
	if ok {
		if oldest.After(now) {
			oldest = now // only scheduled articles so far
		}
		months = syndication.Months(oldest, now)
	}
	body, err := syndication.SitemapIndex(h.site(req), months, now)
	if err != nil {
		return apigw.Response{}, err
	}
	return document(req, "application/xml; charset=utf-8", body, time.Time{}, SitemapCacheControl), nil
}

func (h *Handler) sitemap(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	site, now := h.site(req), h.Now().UTC()
	name := req.PathParameters["name"]
	if name == syndication.NewsSitemapName {
		list, err := h.inRange(ctx, now.Add(-syndication.NewsWindow), now, syndication.MaxNewsURLs)
		if err != nil {
			return apigw.Response{}, err
		}
		body, err := syndication.NewsSitemap(site, list)
		if err != nil {
			return apigw.Response{}, err
		}
		return document(req, "application/xml; charset=utf-8", body, time.Time{}, SitemapCacheControl), nil
	}
	m, err := syndication.ParseMonth(name)
	if errors.Is(err, syndication.ErrNoSuchSitemap) || m.Start.After(now) {
		return apigw.Response{}, broadsheet.Errorf(broadsheet.CodeNotFound, "no such sitemap")
	}
	to := m.End()
	if to.After(now) {
		to = now // scheduled articles are not listed before they are published
	}
	list, err := h.inRange(ctx, m.Start, to, syndication.MaxSitemapURLs)
	if err != nil {
		return apigw.Response{}, err
	}
	body, err := syndication.Sitemap(site, list)
	if err != nil {
		return apigw.Response{}, err
	}
	return document(req, "application/xml; charset=utf-8", body, time.Time{}, SitemapCacheControl), nil
}

// inRange pages through the feed index's date range up to max articles.
func (h *Handler) inRange(ctx context.Context, from, to time.Time, max int) ([]*broadsheet.Article, error) {
	var out []*broadsheet.Article
	var after map[string]string
	for len(out) < max {
		page, err := h.Store.PublishedInRange(ctx, from, to, min(1000, max-len(out)), after)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Items...)
		if after = page.Next; after == nil {
			break
		}
	}
	return out, nil
}

func (h *Handler) robots(_ context.Context, req apigw.Request) (apigw.Response, error) {
	return document(req, "text/plain; charset=utf-8", syndication.Robots(h.site(req)), time.Time{}, RobotsCacheControl), nil
}

func lastChange(a *broadsheet.Article) time.Time {
	if a.UpdatedAt.After(a.PublishedAt) {
		return a.UpdatedAt
	}
	return a.PublishedAt
}

// document answers a cacheable non-JSON body with an ETag and, when known,
// Last-Modified; a matching If-None-Match (or, without one, an
// If-Modified-Since at or after the last change) is 304 with no body.
func document(req apigw.Request, contentType string, body []byte, lastModified time.Time, cacheControl string) apigw.Response {
	r := apigw.Response{StatusCode: http.StatusOK, Body: string(body), Headers: map[string]string{
		"Content-Type": contentType, "X-Content-Type-Options": "nosniff", "Cache-Control": cacheControl,
	}}
	tag := apigw.ETag(r.Body)
	r.Headers["ETag"] = tag
	if !lastModified.IsZero() {
		r.Headers["Last-Modified"] = lastModified.UTC().Format(http.TimeFormat)
	}
	inm := apigw.Header(req, "if-none-match")
	notModified := apigw.MatchesETag(inm, tag)
	if inm == "" && !lastModified.IsZero() {
		if t, err := http.ParseTime(apigw.Header(req, "if-modified-since")); err == nil && !lastModified.Truncate(time.Second).After(t) {
			notModified = true
		}
	}
	if notModified {
		r.StatusCode, r.Body = http.StatusNotModified, ""
	}
	return r
}

// notFoundPage is the article page's 404: HTML, since a person (or a
// crawler) asked for a page.
func notFoundPage(site syndication.Site) apigw.Response {
	body := "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">" +
		"<meta name=\"robots\" content=\"noindex\"><title>Article not found</title><link rel=\"stylesheet\" href=\"" + htmlAttr(site.Assets()) + "/style.css\"></head>" +
		"<body><main id=\"main\"><div class=\"view\"><h1>Article not found</h1><p>This article does not exist or is no longer available.</p>" +
		"<p><a href=\"" + htmlAttr(site.URL) + "/\">Back to the latest articles</a></p></div></main></body></html>\n"
	return apigw.Response{StatusCode: http.StatusNotFound, Body: body, Headers: map[string]string{
		"Content-Type": "text/html; charset=utf-8", "X-Content-Type-Options": "nosniff", "Cache-Control": "public, max-age=60",
	}}
}

func htmlAttr(s string) string {
	return strings.NewReplacer("&", "&amp;", "\"", "&quot;", "<", "&lt;", ">", "&gt;").Replace(s)
}
