package syndication

import (
	"encoding/xml"
	"fmt"
	"strings"
	"time"

	"broadsheet/internal/broadsheet"
)

// Sitemaps (sitemaps.org 0.9): an index listing one sitemap per calendar
// month (UTC) from the oldest published article to now, plus a Google News
// sitemap of the last NewsWindow. A month's sitemap is one range read of the
// feed index, so its cost is bounded by MaxSitemapURLs, and a past month's
// file changes only when one of its articles is edited or deleted.
const (
	// MaxSitemapURLs bounds one month's file: the protocol allows 50,000, but a
	// Lambda answer is at most 6 MB and a URL entry takes up to ≈ 200 bytes.
	// A month with more articles (≈ 800 a day) lists its newest 25,000.
	MaxSitemapURLs = 25_000
	// NewsWindow and MaxNewsURLs are Google News's rules for news sitemaps.
	NewsWindow  = 48 * time.Hour
	MaxNewsURLs = 1_000
)

// Month is one month's sitemap: [Start, Start+1 month).
type Month struct{ Start time.Time }

// Name is the sitemap's file name, e.g. "2026-12.xml".
func (m Month) Name() string { return m.Start.Format("2006-01") + ".xml" }

// End is the last instant of the month.
func (m Month) End() time.Time { return m.Start.AddDate(0, 1, 0).Add(-time.Nanosecond) }

// ParseMonth reads a sitemap file name back; anything else is ErrNoSuchSitemap.
func ParseMonth(name string) (Month, error) {
	stem, ok := strings.CutSuffix(name, ".xml")
	if !ok || len(stem) != len("2006-01") {
		return Month{}, ErrNoSuchSitemap
	}
	t, err := time.Parse("2006-01", stem)
	if err != nil {
		return Month{}, ErrNoSuchSitemap
	}
	return Month{Start: t.UTC()}, nil
}

// Months lists every month from the one holding oldest to the one holding
// now, newest first.
func Months(oldest, now time.Time) []Month {
	first := time.Date(oldest.UTC().Year(), oldest.UTC().Month(), 1, 0, 0, 0, 0, time.UTC)
	last := time.Date(now.UTC().Year(), now.UTC().Month(), 1, 0, 0, 0, 0, time.UTC)
	var out []Month
	for m := last; !m.Before(first); m = m.AddDate(0, -1, 0) {
		out = append(out, Month{Start: m})
	}
	return out
}

type sitemapIndex struct {
	XMLName  xml.Name       `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 sitemapindex"`
	Sitemaps []sitemapEntry `xml:"sitemap"`
}

type sitemapEntry struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod,omitempty"`
}

// SitemapIndex lists the news sitemap and every month's sitemap. A past
// month is marked modified at its end; the current month now.
func SitemapIndex(site Site, months []Month, now time.Time) ([]byte, error) {
	idx := sitemapIndex{Sitemaps: []sitemapEntry{{Loc: site.URL + SitemapPathPrefix + NewsSitemapName, LastMod: now.UTC().Format(time.RFC3339)}}}
	for _, m := range months {
		mod := m.End()
		if mod.After(now) {
			mod = now
		}
		idx.Sitemaps = append(idx.Sitemaps, sitemapEntry{Loc: site.URL + SitemapPathPrefix + m.Name(), LastMod: mod.UTC().Format(time.RFC3339)})
	}
	return marshal(idx)
}

type urlSet struct {
	XMLName xml.Name     `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
	NSNews  string       `xml:"xmlns:news,attr,omitempty"`
	URLs    []sitemapURL `xml:"url"`
}

type sitemapURL struct {
	Loc     string    `xml:"loc"`
	LastMod string    `xml:"lastmod,omitempty"`
	News    *newsInfo `xml:"news:news,omitempty"`
}

type newsInfo struct {
	Publication struct {
		Name     string `xml:"news:name"`
		Language string `xml:"news:language"`
	} `xml:"news:publication"`
	PublicationDate string `xml:"news:publication_date"`
	Title           string `xml:"news:title"`
}

// Sitemap lists articles with their last change. Lists come from the feed
// index, which carries the publication date, so lastmod is that date.
func Sitemap(site Site, articles []*broadsheet.Article) ([]byte, error) {
	set := urlSet{}
	for _, a := range articles {
		set.URLs = append(set.URLs, sitemapURL{Loc: site.ArticleURL(a.Slug), LastMod: lastChange(a).Format(time.RFC3339)})
	}
	return marshal(set)
}

// NewsSitemap is the Google News sitemap of the articles given (those of the
// last NewsWindow).
func NewsSitemap(site Site, articles []*broadsheet.Article) ([]byte, error) {
	set := urlSet{NSNews: "http://www.google.com/schemas/sitemap-news/0.9"}
	for _, a := range articles {
		n := &newsInfo{PublicationDate: a.PublishedAt.UTC().Format(time.RFC3339), Title: a.Title}
		n.Publication.Name, n.Publication.Language = site.Name, newsLanguage(site.Language)
		set.URLs = append(set.URLs, sitemapURL{Loc: site.ArticleURL(a.Slug), News: n})
	}
	return marshal(set)
}

// newsLanguage is the ISO 639 code Google News wants (zh-cn and zh-tw are
// the exceptions it keeps).
func newsLanguage(tag string) string {
	t := strings.ToLower(tag)
	if t == "zh-cn" || t == "zh-tw" {
		return t
	}
	lang, _, _ := strings.Cut(t, "-")
	return lang
}

// Robots is robots.txt: everything may be crawled but the editor API, and
// the sitemap index is named.
func Robots(site Site) []byte {
	return []byte(fmt.Sprintf("User-agent: *\nAllow: /\nDisallow: /admin/\n\nSitemap: %s%s\n", site.URL, SitemapIndexPath))
}
