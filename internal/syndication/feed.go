package syndication

import (
	"bytes"
	"encoding/xml"
	"time"

	"broadsheet/internal/broadsheet"
)

// FeedItems is how many articles a feed carries: what a reader polling every
// hour needs, bounded so one feed request reads a bounded page.
const FeedItems = 20

// CommentFeedItems is how many of an article's newest approved comments its
// comments feed carries.
const CommentFeedItems = 50

// Feed is one feed's content: a title and its newest articles (whole, with
// bodies, when the site publishes full content).
type Feed struct {
	Title    string
	Subtitle string
	// Self is the feed's own URL; Alternate the page it syndicates.
	Self, Alternate string
	Articles        []*broadsheet.Article
}

// Updated is the feed's last change: its newest article's update or
// publication (the zero time for an empty feed).
func (f Feed) Updated() time.Time {
	var t time.Time
	for _, a := range f.Articles {
		if u := lastChange(a); u.After(t) {
			t = u
		}
	}
	return t
}

func lastChange(a *broadsheet.Article) time.Time {
	if a.UpdatedAt.After(a.PublishedAt) {
		return a.UpdatedAt.UTC()
	}
	return a.PublishedAt.UTC()
}

// RSS 2.0 with the content, Dublin Core and Atom (self link) extensions.
type rssDoc struct {
	XMLName   xml.Name   `xml:"rss"`
	Version   string     `xml:"version,attr"`
	NSContent string     `xml:"xmlns:content,attr"`
	NSDC      string     `xml:"xmlns:dc,attr"`
	NSAtom    string     `xml:"xmlns:atom,attr"`
	NSMedia   string     `xml:"xmlns:media,attr,omitempty"`
	Channel   rssChannel `xml:"channel"`
}

type rssChannel struct {
	Title         string    `xml:"title"`
	Link          string    `xml:"link"`
	Description   string    `xml:"description"`
	Language      string    `xml:"language,omitempty"`
	LastBuildDate string    `xml:"lastBuildDate,omitempty"`
	Generator     string    `xml:"generator"`
	Self          atomLink  `xml:"atom:link"`
	Items         []rssItem `xml:"item"`
}

type rssItem struct {
	Title       string        `xml:"title"`
	Link        string        `xml:"link"`
	GUID        rssGUID       `xml:"guid"`
	PubDate     string        `xml:"pubDate"`
	Creator     string        `xml:"dc:creator,omitempty"`
	Categories  []string      `xml:"category"`
	Description string        `xml:"description"`
	Content     *cdata        `xml:"content:encoded"`
	Comments    string        `xml:"comments,omitempty"`
	Language    string        `xml:"dc:language,omitempty"`
	Media       *mediaContent `xml:"media:content,omitempty"`
}

// mediaContent is Media RSS's media:content (https://www.rssboard.org/media-rss),
// the lead image in RSS and Atom. RSS's own enclosure is not used: it
// requires the file's length and MIME type, which a referenced image does
// not come with. The alt text goes in media:title, not media:description:
// Universal Feed Parser (and the readers built on it) reads a
// media:description as the item's own description or content, so the alt
// text would replace the summary or the body.
type mediaContent struct {
	URL    string     `xml:"url,attr"`
	Medium string     `xml:"medium,attr"`
	Width  int        `xml:"width,attr,omitempty"`
	Height int        `xml:"height,attr,omitempty"`
	Title  *mediaText `xml:"media:title,omitempty"`
	Credit *mediaText `xml:"media:credit,omitempty"`
}

type mediaText struct {
	Type  string `xml:"type,attr,omitempty"`
	Value string `xml:",chardata"`
}

// MediaRSSNamespace is the Media RSS namespace the feeds declare as media:.
const MediaRSSNamespace = "http://search.yahoo.com/mrss/"

// leadImage is an article's image as media:content; nil for none.
func leadImage(im *broadsheet.Image) *mediaContent {
	if im == nil {
		return nil
	}
	m := &mediaContent{URL: im.URL, Medium: "image", Width: im.Width, Height: im.Height, Title: &mediaText{Type: "plain", Value: im.Alt}}
	if im.Credit != "" {
		m.Credit = &mediaText{Value: im.Credit}
	}
	return m
}

type rssGUID struct {
	IsPermaLink string `xml:"isPermaLink,attr"`
	Value       string `xml:",chardata"`
}

type cdata struct {
	Value string `xml:",cdata"`
}

type atomLink struct {
	Href  string `xml:"href,attr"`
	Rel   string `xml:"rel,attr,omitempty"`
	Type  string `xml:"type,attr,omitempty"`
	Title string `xml:"title,attr,omitempty"`
}

// RSS writes f as RSS 2.0.
func RSS(site Site, f Feed) ([]byte, error) {
	doc := rssDoc{
		Version: "2.0", NSContent: "http://purl.org/rss/1.0/modules/content/",
		NSDC: "http://purl.org/dc/elements/1.1/", NSAtom: "http://www.w3.org/2005/Atom", NSMedia: MediaRSSNamespace,
		Channel: rssChannel{
			Title: f.Title, Link: f.Alternate, Description: orDefault(f.Subtitle, site.Description),
			Language: site.Language, Generator: "Broadsheet",
			Self: atomLink{Href: f.Self, Rel: "self", Type: "application/rss+xml"},
		},
	}
	if u := f.Updated(); !u.IsZero() {
		doc.Channel.LastBuildDate = u.Format(time.RFC1123Z)
	}
	for _, a := range f.Articles {
		it := rssItem{
			Title: a.Title, Link: site.ArticleURL(a.Slug),
			GUID:    rssGUID{IsPermaLink: "false", Value: site.ID("article", a.ID)},
			PubDate: a.PublishedAt.UTC().Format(time.RFC1123Z), Creator: a.Author.Name,
			Categories: a.Tags, Description: a.Summary,
			Comments: site.ArticleURL(a.Slug) + "#comments",
			Media:    leadImage(a.Image),
		}
		if a.Lang != "" && a.Lang != site.Language {
			it.Language = a.Lang // an article in another language than the site's
		}
		if site.FullContent && a.BodyHTML != "" {
			it.Content = &cdata{Value: a.BodyHTML}
		}
		doc.Channel.Items = append(doc.Channel.Items, it)
	}
	return marshal(doc)
}

// Atom 1.0 (RFC 4287).
type atomFeed struct {
	XMLName  xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang     string      `xml:"xml:lang,attr,omitempty"`
	NSMedia  string      `xml:"xmlns:media,attr"`
	Title    string      `xml:"title"`
	Subtitle string      `xml:"subtitle,omitempty"`
	ID       string      `xml:"id"`
	Updated  string      `xml:"updated"`
	Links    []atomLink  `xml:"link"`
	Author   atomPerson  `xml:"author"`
	Gen      string      `xml:"generator"`
	Entries  []atomEntry `xml:"entry"`
}

type atomPerson struct {
	Name string `xml:"name"`
	URI  string `xml:"uri,omitempty"`
}

type atomEntry struct {
	Lang       string         `xml:"xml:lang,attr,omitempty"`
	Title      string         `xml:"title"`
	ID         string         `xml:"id"`
	Links      []atomLink     `xml:"link"`
	Published  string         `xml:"published"`
	Updated    string         `xml:"updated"`
	Author     *atomPerson    `xml:"author,omitempty"`
	Categories []atomCategory `xml:"category"`
	Summary    *atomText      `xml:"summary,omitempty"`
	Content    *atomText      `xml:"content,omitempty"`
	Media      *mediaContent  `xml:"media:content,omitempty"`
}

type atomCategory struct {
	Term  string `xml:"term,attr"`
	Label string `xml:"label,attr,omitempty"`
}

type atomText struct {
	Type  string `xml:"type,attr"`
	Value string `xml:",chardata"`
}

// Atom writes f as Atom 1.0.
func Atom(site Site, f Feed) ([]byte, error) {
	updated := f.Updated()
	if updated.IsZero() {
		updated = time.Unix(0, 0).UTC() // an empty feed still needs a valid date
	}
	doc := atomFeed{
		NSMedia: MediaRSSNamespace, Lang: site.Language, Title: f.Title, Subtitle: f.Subtitle,
		ID:      f.Self,
		Updated: updated.Format(time.RFC3339),
		Links: []atomLink{
			{Href: f.Self, Rel: "self", Type: "application/atom+xml"},
			{Href: f.Alternate, Rel: "alternate", Type: "text/html"},
		},
		Author: atomPerson{Name: site.Name, URI: site.URL + "/"},
		Gen:    "Broadsheet",
	}
	for _, a := range f.Articles {
		e := atomEntry{
			Title: a.Title, ID: site.ID("article", a.ID),
			Links:     []atomLink{{Href: site.ArticleURL(a.Slug), Rel: "alternate", Type: "text/html"}},
			Published: a.PublishedAt.UTC().Format(time.RFC3339),
			Updated:   lastChange(a).Format(time.RFC3339),
		}
		if a.Author.Name != "" {
			e.Author = &atomPerson{Name: a.Author.Name}
		}
		if a.Image != nil {
			// Atom's enclosure link needs no length or type; its title is
			// the image's text alternative.
			e.Links = append(e.Links, atomLink{Href: a.Image.URL, Rel: "enclosure", Title: a.Image.Alt})
			e.Media = leadImage(a.Image)
		}
		if a.Lang != "" && a.Lang != site.Language {
			e.Lang = a.Lang
		}
		for _, t := range a.Tags {
			e.Categories = append(e.Categories, atomCategory{Term: t, Label: t})
		}
		if a.Summary != "" {
			e.Summary = &atomText{Type: "text", Value: a.Summary}
		}
		if site.FullContent && a.BodyHTML != "" {
			e.Content = &atomText{Type: "html", Value: a.BodyHTML}
		}
		doc.Entries = append(doc.Entries, e)
	}
	return marshal(doc)
}

// CommentsRSS writes an article's newest approved comments as RSS 2.0. The
// commenter's name is all that is said of them: never the email.
func CommentsRSS(site Site, a *broadsheet.Article, comments []*broadsheet.Comment) ([]byte, error) {
	page := site.ArticleURL(a.Slug)
	doc := rssDoc{
		Version: "2.0", NSContent: "http://purl.org/rss/1.0/modules/content/",
		NSDC: "http://purl.org/dc/elements/1.1/", NSAtom: "http://www.w3.org/2005/Atom",
		Channel: rssChannel{
			Title: "Comments on: " + a.Title, Link: page + "#comments",
			Description: "Reader comments on " + a.Title, Language: site.Language, Generator: "Broadsheet",
			Self: atomLink{Href: site.CommentsFeedURL(a.Slug), Rel: "self", Type: "application/rss+xml"},
		},
	}
	var newest time.Time
	for _, c := range comments {
		if c.CreatedAt.After(newest) {
			newest = c.CreatedAt
		}
		doc.Channel.Items = append(doc.Channel.Items, rssItem{
			Title: "By " + c.Name, Link: page + "#comment-" + c.ID,
			GUID:    rssGUID{IsPermaLink: "false", Value: site.ID("comment", c.ID)},
			PubDate: c.CreatedAt.UTC().Format(time.RFC1123Z), Creator: c.Name,
			Description: c.Body,
		})
	}
	if !newest.IsZero() {
		doc.Channel.LastBuildDate = newest.UTC().Format(time.RFC1123Z)
	}
	return marshal(doc)
}

func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
