// Package syndication renders what makes a news site findable: RSS 2.0 and
// Atom 1.0 feeds (site, tag, author, an article's comments), sitemaps (an
// index, one per month, a Google News sitemap of the last 48 hours),
// robots.txt, and the server-rendered article page with its canonical link,
// Open Graph, Twitter card and JSON-LD NewsArticle. It turns domain values
// into bytes and holds no I/O: the Pages function (internal/handlers/pages)
// reads the store and calls it, so every format is tested on plain values.
//
// The formats are written with encoding/xml and html/template rather than
// gorilla/feeds: that library gives an item one category, writes Atom
// categories without the required term attribute, and has no xml:lang,
// dc:creator or Media RSS, all of which a news feed needs.
package syndication

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Site is the site-wide settings feeds and pages are written with.
type Site struct {
	Name        string // publication name, e.g. "Dawn"
	Description string
	// URL is the public origin and path prefix of the site's pages, without a
	// trailing slash, e.g. https://news.example.com. Links in feeds, sitemaps
	// and canonical tags are built on it.
	URL string
	// AssetsURL is where web/ (style.css, app.js) is served; empty: URL.
	AssetsURL string
	// APIURL is the API's base URL for the page's script; empty: the API
	// that served the page (WithURL).
	APIURL string
	// Language is the BCP 47 tag of articles that do not say otherwise.
	Language string
	// FullContent puts each article's whole body in feeds, not only its summary.
	FullContent bool
}

// SiteFromEnv reads the settings the template passes to the Pages function.
// SITE_URL may be empty: the handler then derives it from each request.
func SiteFromEnv(getenv func(string) string) (Site, error) {
	s := Site{
		Name:        strings.TrimSpace(getenv("SITE_NAME")),
		Description: strings.TrimSpace(getenv("SITE_DESCRIPTION")),
		URL:         strings.TrimRight(strings.TrimSpace(getenv("SITE_URL")), "/"),
		AssetsURL:   strings.TrimRight(strings.TrimSpace(getenv("ASSETS_URL")), "/"),
		APIURL:      strings.TrimRight(strings.TrimSpace(getenv("PUBLIC_API_URL")), "/"),
		Language:    strings.TrimSpace(getenv("SITE_LANGUAGE")),
	}
	if s.Name == "" {
		s.Name = "Broadsheet"
	}
	if s.Description == "" {
		s.Description = "The latest news, analysis and comment."
	}
	if s.Language == "" {
		s.Language = "en"
	}
	switch c := getenv("FEED_CONTENT"); c {
	case "", "summary":
	case "full":
		s.FullContent = true
	default:
		return Site{}, fmt.Errorf("FEED_CONTENT %q: want summary or full", c)
	}
	for name, v := range map[string]string{"SITE_URL": s.URL, "ASSETS_URL": s.AssetsURL, "PUBLIC_API_URL": s.APIURL} {
		if v == "" {
			continue
		}
		if u, err := url.Parse(v); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return Site{}, fmt.Errorf("%s %q: want an absolute http(s) URL without query or fragment", name, v)
		}
	}
	return s, nil
}

// WithURL fills what is not configured from the base URL of the API that
// received the request: the site's URL (SITE_URL unset: local runs) and the
// API the page's script calls.
func (s Site) WithURL(base string) Site {
	base = strings.TrimRight(base, "/")
	if s.URL == "" {
		s.URL = base
	}
	if s.APIURL == "" {
		s.APIURL = base
	}
	return s
}

// Assets is the base URL of the page's static files.
func (s Site) Assets() string {
	if s.AssetsURL != "" {
		return s.AssetsURL
	}
	return s.URL
}

// API is the API base URL the page's script calls.
func (s Site) API() string {
	if s.APIURL != "" {
		return s.APIURL
	}
	return s.URL
}

// Paths of the Pages function's routes, one owner for each.
const (
	ArticlePathPrefix = "/a/"
	FeedPath          = "/feed"
	RSSPath           = "/rss.xml"
	AtomPath          = "/atom.xml"
	SitemapIndexPath  = "/sitemap.xml"
	SitemapPathPrefix = "/sitemaps/"
	NewsSitemapName   = "news.xml"
	RobotsPath        = "/robots.txt"
	CommentsFeedName  = "comments.xml"
)

// ArticleURL is an article's canonical page. Slugs are percent-encoded, so a
// Unicode slug stays a valid URL.
func (s Site) ArticleURL(slug string) string {
	return s.URL + ArticlePathPrefix + url.PathEscape(slug)
}

// CommentsFeedURL is the RSS feed of an article's approved comments.
func (s Site) CommentsFeedURL(slug string) string {
	return s.ArticleURL(slug) + "/" + CommentsFeedName
}

// ListURL is the reference page's list of a tag or an author ("" both: home).
func (s Site) ListURL(tag, author string) string {
	q := url.Values{}
	if tag != "" {
		q.Set("tag", tag)
	}
	if author != "" {
		q.Set("author", author)
	}
	if len(q) == 0 {
		return s.URL + "/"
	}
	return s.URL + "/?" + q.Encode()
}

// ID is a stable identifier for an article in feeds (RSS guid, Atom id): a
// tag URI (RFC 4151) on the site's host and the article's id, so it survives
// slug changes and never collides across sites.
func (s Site) ID(kind, id string) string {
	host := "broadsheet.invalid"
	if u, err := url.Parse(s.URL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	return "tag:" + host + ",2026:" + kind + "/" + id
}

// ErrNoSuchSitemap is a sitemap name that is not one of ours.
var ErrNoSuchSitemap = errors.New("no such sitemap")
