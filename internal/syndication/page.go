package syndication

import (
	"bytes"
	"embed"
	"html/template"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/language"

	"broadsheet/internal/broadsheet"
	"broadsheet/internal/htmltext"
)

//go:embed templates/article.html
var templates embed.FS

// articlePage is parsed on the first article page, not at init: the feeds,
// sitemaps and robots.txt never need it, and a cold start should not pay for it.
var articlePage = sync.OnceValue(func() *template.Template {
	return template.Must(template.ParseFS(templates, "templates/article.html"))
})

// PageComments is how many approved comments the article page renders
// (oldest first, as the page's script lists them); the script loads more.
const PageComments = 50

// articleView is what the article template is given.
type articleView struct {
	Site          Site
	Article       *broadsheet.Article
	URL           string
	CommentsFeed  string
	Lang, Dir     string
	Locale        string
	Description   string
	Kicker        string
	Published     string
	PublishedText string
	Updated       bool
	Modified      string
	UpdatedText   string
	Body          template.HTML
	Comments      []commentView
	JSONLD        map[string]any
	Data          map[string]any
}

type commentView struct {
	ID, Name, Website, Created, CreatedText string
	Body                                    string
}

// ArticlePage renders an article's complete HTML page: readable with
// JavaScript off (article, author, tags, approved comments), with the
// canonical link, Open Graph and Twitter tags and JSON-LD NewsArticle that
// crawlers and link previews read. The page's script enhances it (search,
// the comment form) instead of building it. bodyHTML is the article's stored
// HTML, sanitised when it was written.
func ArticlePage(site Site, a *broadsheet.Article, comments []*broadsheet.Comment) ([]byte, error) {
	lang := site.Language
	if a.Lang != "" {
		lang = a.Lang
	}
	v := articleView{
		Site: site, Article: a, URL: site.ArticleURL(a.Slug), CommentsFeed: site.CommentsFeedURL(a.Slug),
		Lang: lang, Dir: direction(lang), Locale: ogLocale(lang),
		Description:   Description(a),
		Published:     a.PublishedAt.UTC().Format(time.RFC3339),
		PublishedText: a.PublishedAt.UTC().Format("2 January 2006"),
		Modified:      lastChange(a).Format(time.RFC3339),
		Body:          template.HTML(a.BodyHTML), // sanitised on write (internal/richtext)
	}
	if len(a.Tags) > 0 {
		v.Kicker = a.Tags[0]
	}
	if a.UpdatedAt.After(a.PublishedAt.Add(time.Minute)) {
		v.Updated, v.UpdatedText = true, a.UpdatedAt.UTC().Format("2 January 2006")
	}
	for _, c := range comments {
		v.Comments = append(v.Comments, commentView{
			ID: c.ID, Name: c.Name, Website: safeWebsite(c.Website), Body: c.Body,
			Created: c.CreatedAt.UTC().Format(time.RFC3339), CreatedText: c.CreatedAt.UTC().Format("2 January 2006, 15:04 UTC"),
		})
	}
	v.JSONLD = newsArticle(site, a, v)
	// What the script needs to enhance the page without fetching the article.
	v.Data = map[string]any{"slug": a.Slug, "title": a.Title, "commentsOpen": a.CommentsOpen, "commentCount": a.CommentCount}
	var b bytes.Buffer
	if err := articlePage().Execute(&b, v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// newsArticle is schema.org's NewsArticle as Google's article structured
// data documents it.
func newsArticle(site Site, a *broadsheet.Article, v articleView) map[string]any {
	ld := map[string]any{
		"@context":         "https://schema.org",
		"@type":            "NewsArticle",
		"headline":         truncateRunes(a.Title, 110),
		"description":      v.Description,
		"datePublished":    v.Published,
		"dateModified":     v.Modified,
		"inLanguage":       v.Lang,
		"mainEntityOfPage": map[string]any{"@type": "WebPage", "@id": v.URL},
		"url":              v.URL,
		"publisher":        map[string]any{"@type": "Organization", "name": site.Name, "url": site.URL + "/"},
	}
	if a.Author.Name != "" {
		ld["author"] = []map[string]any{{"@type": "Person", "name": a.Author.Name, "url": site.ListURL("", a.Author.Name)}}
	}
	if len(a.Tags) > 0 {
		ld["keywords"] = strings.Join(a.Tags, ", ")
	}
	if a.CommentCount > 0 {
		ld["commentCount"] = a.CommentCount
	}
	if im := a.Image; im != nil {
		img := map[string]any{"@type": "ImageObject", "url": im.URL, "contentUrl": im.URL, "description": im.Alt}
		if im.Width > 0 {
			img["width"], img["height"] = im.Width, im.Height
		}
		if im.Credit != "" {
			img["creditText"] = im.Credit
		}
		ld["image"] = []map[string]any{img}
	}
	return ld
}

// Description is the article's summary for previews and metadata: the
// editor's summary, or the start of the text cut at a sentence or word end.
func Description(a *broadsheet.Article) string {
	if s := strings.TrimSpace(a.Summary); s != "" {
		return s
	}
	return broadsheet.Excerpt(htmltext.PlainText(a.BodyHTML), 200)
}

// direction is the writing direction of a language's usual script.
func direction(tag string) string {
	t, err := language.Parse(tag)
	if err != nil {
		return "ltr"
	}
	if script, _ := t.Script(); isRTLScript(script.String()) {
		return "rtl"
	}
	return "ltr"
}

func isRTLScript(s string) bool {
	switch s {
	case "Arab", "Hebr", "Syrc", "Thaa", "Nkoo", "Adlm", "Rohg", "Mand", "Samr":
		return true
	}
	return false
}

// ogLocale is Open Graph's language_TERRITORY form.
func ogLocale(tag string) string {
	t, err := language.Parse(tag)
	if err != nil {
		return "en_GB"
	}
	base, _ := t.Base()
	region, conf := t.Region()
	if conf == language.No {
		return base.String()
	}
	return base.String() + "_" + region.String()
}

// safeWebsite keeps only http(s) links (the same rule the page's script applies).
func safeWebsite(u string) string {
	l := strings.ToLower(u)
	if strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "http://") {
		return u
	}
	return ""
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
