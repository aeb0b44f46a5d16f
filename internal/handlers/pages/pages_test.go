package pages_test

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"broadsheet/internal/broadsheet"
	"broadsheet/internal/handlers/pages"
	"broadsheet/internal/memstore"
	"broadsheet/internal/syndication"
	"broadsheet/internal/testkit/lambdatest"
)

var now = time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)

// fixture is the handler over a memory store: three published articles (one
// in October), a draft, one scheduled for tomorrow, and comments.
func fixture(t *testing.T, site syndication.Site) any {
	t.Helper()
	st := memstore.New()
	leadImages := map[string]*broadsheet.Image{
		"peace-talks": {URL: "https://cdn.example.com/2026/12/talks.jpg?w=1200&q=80", Alt: "Delegates at the table", Credit: "Photo: Reuters", Width: 1200, Height: 800},
	}
	add := func(id, slug, author string, status broadsheet.Status, published time.Time, tags ...string) *broadsheet.Article {
		a := &broadsheet.Article{
			ID: id, Slug: slug, Title: "Title of " + slug, Summary: "Summary of " + slug, Body: "b", BodyHTML: "<p>Body of " + slug + "</p>",
			Author: broadsheet.Author{Name: author}, Tags: tags, Status: status, PublishedAt: published,
			CreatedAt: published, UpdatedAt: published, Version: 1, CommentsOpen: true, Image: leadImages[slug],
		}
		if status == broadsheet.StatusDraft {
			a.PublishedAt = time.Time{}
		}
		if err := st.CreateArticle(t.Context(), a); err != nil {
			t.Fatal(err)
		}
		return a
	}
	talks := add("A1", "peace-talks", "Ayesha Khan", broadsheet.StatusPublished, now.Add(-2*time.Hour), "pakistan", "diplomacy")
	add("A2", "budget", "Omar Ali", broadsheet.StatusPublished, now.Add(-30*time.Hour), "economy")
	add("A3", "october-story", "Omar Ali", broadsheet.StatusPublished, time.Date(2026, 10, 15, 8, 0, 0, 0, time.UTC), "pakistan")
	add("A4", "draft", "Omar Ali", broadsheet.StatusDraft, time.Time{})
	add("A5", "tomorrow", "Omar Ali", broadsheet.StatusPublished, now.Add(24*time.Hour))
	for i, status := range []broadsheet.CommentStatus{broadsheet.CommentApproved, broadsheet.CommentPending, broadsheet.CommentApproved} {
		c := &broadsheet.Comment{
			ID: "C" + string(rune('1'+i)), ArticleID: talks.ID, ArticleSlug: talks.Slug, Name: "Reader " + string(rune('1'+i)),
			Email: "reader@example.com", EmailHash: "h", Body: "Comment " + string(rune('1'+i)), Status: status,
			CreatedAt: now.Add(time.Duration(i-3) * time.Minute),
		}
		if err := st.SubmitComment(t.Context(), &broadsheet.Submission{Comment: c, Now: c.CreatedAt}); err != nil {
			t.Fatal(err)
		}
	}
	h := &pages.Handler{Store: st, Site: site, Now: func() time.Time { return now }}
	return h.Router().Handle
}

func get(t *testing.T, h any, route, path string, params, query, headers map[string]string) events.APIGatewayV2HTTPResponse {
	t.Helper()
	e := lambdatest.Event(t, "pages-article.json")
	e.RouteKey, e.RawPath, e.PathParameters, e.QueryStringParameters = route, path, params, query
	e.RequestContext.RouteKey, e.RequestContext.HTTP.Path = route, path
	for k, v := range headers {
		e.Headers[k] = v
	}
	return lambdatest.Invoke(t, h, e)
}

var site = syndication.Site{Name: "The Daily", Description: "News", URL: "https://news.example.com", Language: "en"}

func TestArticlePage(t *testing.T) {
	h := fixture(t, site)
	r := get(t, h, "GET /a/{slug}", "/a/peace-talks", map[string]string{"slug": "peace-talks"}, nil, nil)
	if r.StatusCode != http.StatusOK || !strings.HasPrefix(r.Headers["Content-Type"], "text/html") {
		t.Fatalf("%d %v", r.StatusCode, r.Headers)
	}
	for _, want := range []string{`<link rel="canonical" href="https://news.example.com/a/peace-talks">`, "Comment 1", "Comment 3", `"@type":"NewsArticle"`} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if strings.Contains(r.Body, "Comment 2") || strings.Contains(r.Body, "reader@example.com") {
		t.Error("the page shows a pending comment or an email")
	}
	if r.Headers["Cache-Control"] != pages.PageCacheControl || r.Headers["ETag"] == "" || r.Headers["Last-Modified"] == "" ||
		!strings.Contains(r.Headers["Content-Security-Policy"], "object-src 'none'") {
		t.Errorf("headers %v", r.Headers)
	}
	// Revalidation by ETag and by date.
	if r2 := get(t, h, "GET /a/{slug}", "/a/peace-talks", map[string]string{"slug": "peace-talks"}, nil, map[string]string{"if-none-match": r.Headers["ETag"]}); r2.StatusCode != http.StatusNotModified || r2.Body != "" {
		t.Errorf("If-None-Match: %d", r2.StatusCode)
	}
	if r3 := get(t, h, "GET /a/{slug}", "/a/peace-talks", map[string]string{"slug": "peace-talks"}, nil, map[string]string{"if-modified-since": r.Headers["Last-Modified"]}); r3.StatusCode != http.StatusNotModified {
		t.Errorf("If-Modified-Since: %d", r3.StatusCode)
	}
	for _, slug := range []string{"draft", "tomorrow", "missing", "Not A Slug"} {
		r := get(t, h, "GET /a/{slug}", "/a/"+slug, map[string]string{"slug": slug}, nil, nil)
		if r.StatusCode != http.StatusNotFound || !strings.Contains(r.Body, "Article not found") || !strings.Contains(r.Body, "noindex") {
			t.Errorf("%s: %d %s", slug, r.StatusCode, r.Body)
		}
	}
}

func TestFeeds(t *testing.T) {
	h := fixture(t, site)
	rss := get(t, h, "GET /rss.xml", "/rss.xml", nil, nil, nil)
	if rss.StatusCode != http.StatusOK || rss.Headers["Content-Type"] != "application/rss+xml; charset=utf-8" || rss.Headers["Cache-Control"] != pages.FeedCacheControl {
		t.Fatalf("%d %v", rss.StatusCode, rss.Headers)
	}
	// Newest first; drafts and scheduled articles never appear.
	order := []int{strings.Index(rss.Body, "/a/peace-talks<"), strings.Index(rss.Body, "/a/budget<"), strings.Index(rss.Body, "/a/october-story<")}
	if order[0] < 0 || order[0] > order[1] || order[1] > order[2] || strings.Contains(rss.Body, "/a/draft") || strings.Contains(rss.Body, "/a/tomorrow") {
		t.Errorf("RSS order %v:\n%s", order, rss.Body)
	}
	if strings.Contains(rss.Body, "content:encoded>") {
		t.Error("summary feeds carry no bodies")
	}
	if r := get(t, h, "GET /rss.xml", "/rss.xml", nil, nil, map[string]string{"if-none-match": rss.Headers["ETag"]}); r.StatusCode != http.StatusNotModified {
		t.Errorf("conditional GET: %d", r.StatusCode)
	}
	tagged := get(t, h, "GET /atom.xml", "/atom.xml", nil, map[string]string{"tag": "Pakistan"}, nil)
	if !strings.Contains(tagged.Body, "/a/peace-talks") || !strings.Contains(tagged.Body, "/a/october-story") || strings.Contains(tagged.Body, "/a/budget") ||
		!strings.Contains(tagged.Body, `href="https://news.example.com/atom.xml?tag=pakistan" rel="self"`) {
		t.Errorf("tag feed:\n%s", tagged.Body)
	}
	byAuthor := get(t, h, "GET /feed", "/feed", nil, map[string]string{"author": "Omar Ali"}, nil)
	if !strings.Contains(byAuthor.Body, "/a/budget") || strings.Contains(byAuthor.Body, "/a/peace-talks") {
		t.Errorf("author feed:\n%s", byAuthor.Body)
	}
	if r := get(t, h, "GET /rss.xml", "/rss.xml", nil, map[string]string{"author": strings.Repeat("x", 300)}, nil); r.StatusCode != http.StatusBadRequest {
		t.Errorf("oversized author: %d", r.StatusCode)
	}

	full := site
	full.FullContent = true
	fullRSS := get(t, fixture(t, full), "GET /rss.xml", "/rss.xml", nil, nil, nil)
	if !strings.Contains(fullRSS.Body, "<content:encoded><![CDATA[<p>Body of peace-talks</p>]]></content:encoded>") {
		t.Errorf("full-content feed:\n%s", fullRSS.Body)
	}

	comments := get(t, h, "GET /a/{slug}/comments.xml", "/a/peace-talks/comments.xml", map[string]string{"slug": "peace-talks"}, nil, nil)
	if comments.StatusCode != http.StatusOK || strings.Index(comments.Body, "Comment 3") > strings.Index(comments.Body, "Comment 1") ||
		strings.Contains(comments.Body, "Comment 2") || strings.Contains(comments.Body, "reader@example.com") {
		t.Errorf("comments feed %d:\n%s", comments.StatusCode, comments.Body)
	}
	if r := get(t, h, "GET /a/{slug}/comments.xml", "/a/draft/comments.xml", map[string]string{"slug": "draft"}, nil, nil); r.StatusCode != http.StatusNotFound {
		t.Errorf("a draft's comments feed: %d", r.StatusCode)
	}
}

func TestSitemapsAndRobots(t *testing.T) {
	h := fixture(t, site)
	idx := get(t, h, "GET /sitemap.xml", "/sitemap.xml", nil, nil, nil)
	for _, want := range []string{"/sitemaps/news.xml", "/sitemaps/2026-12.xml", "/sitemaps/2026-11.xml", "/sitemaps/2026-10.xml"} {
		if !strings.Contains(idx.Body, want) {
			t.Errorf("index lacks %s:\n%s", want, idx.Body)
		}
	}
	if strings.Contains(idx.Body, "2026-09") || strings.Contains(idx.Body, "2027") {
		t.Errorf("index reaches outside the published months:\n%s", idx.Body)
	}
	dec := get(t, h, "GET /sitemaps/{name}", "/sitemaps/2026-12.xml", map[string]string{"name": "2026-12.xml"}, nil, nil)
	if !strings.Contains(dec.Body, "/a/peace-talks") || !strings.Contains(dec.Body, "/a/budget") || strings.Contains(dec.Body, "/a/tomorrow") || strings.Contains(dec.Body, "october") {
		t.Errorf("December:\n%s", dec.Body)
	}
	news := get(t, h, "GET /sitemaps/{name}", "/sitemaps/news.xml", map[string]string{"name": "news.xml"}, nil, nil)
	if !strings.Contains(news.Body, "/a/peace-talks") || !strings.Contains(news.Body, "/a/budget") || strings.Contains(news.Body, "october") {
		t.Errorf("news sitemap (48 hours):\n%s", news.Body)
	}
	for _, name := range []string{"2027-01.xml", "2026-13.xml", "other.xml"} {
		if r := get(t, h, "GET /sitemaps/{name}", "/sitemaps/"+name, map[string]string{"name": name}, nil, nil); lambdatest.ErrorCode(r) != "not_found" {
			t.Errorf("%s: %d %s", name, r.StatusCode, r.Body)
		}
	}
	robots := get(t, h, "GET /robots.txt", "/robots.txt", nil, nil, nil)
	if !strings.Contains(robots.Body, "Sitemap: https://news.example.com/sitemap.xml") {
		t.Errorf("robots.txt: %s", robots.Body)
	}
}

// TestSiteURLFromTheRequest: without SITE_URL, links use the address the
// request came to (the local runtime), stage included.
func TestSiteURLFromTheRequest(t *testing.T) {
	h := fixture(t, syndication.Site{Name: "Local", Language: "en"})
	e := lambdatest.Event(t, "pages-rss.json")
	e.QueryStringParameters = nil
	e.Headers = map[string]string{"host": "127.0.0.1:8080"}
	if r := lambdatest.Invoke(t, h, e); !strings.Contains(r.Body, "<link>http://127.0.0.1:8080/a/peace-talks</link>") {
		t.Errorf("local links:\n%s", r.Body)
	}
	e.Headers = map[string]string{"host": "abc.execute-api.eu-west-1.amazonaws.com", "x-forwarded-proto": "https"}
	e.RequestContext.Stage = "prod"
	if r := lambdatest.Invoke(t, h, e); !strings.Contains(r.Body, "<link>https://abc.execute-api.eu-west-1.amazonaws.com/prod/a/peace-talks</link>") {
		t.Errorf("staged links:\n%s", r.Body)
	}
}

// TestFeedsReadByFeedparser has a real feed consumer (Universal Feed Parser,
// Debian's python3-feedparser) read the RSS and Atom feeds: no bozo
// (malformed) flag, and the fields readers show come through.
func TestFeedsReadByFeedparser(t *testing.T) {
	python := ""
	// Debian's package installs for Debian's interpreter, which a pyenv or
	// venv python3 earlier on PATH does not see.
	for _, p := range []string{os.Getenv("PYTHON"), "/usr/bin/python3", "python3"} {
		if p != "" && exec.Command(p, "-c", "import feedparser").Run() == nil {
			python = p
			break
		}
	}
	if python == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("python3-feedparser is missing; CI must run the feed consumer test: apt-get install -y python3-feedparser")
		}
		t.Skip("python3-feedparser not installed (apt-get install python3-feedparser); CI runs this test")
	}
	for _, content := range []string{"summary", "full"} {
		s := site
		s.FullContent = content == "full"
		h := fixture(t, s)
		for _, path := range []string{"/rss.xml", "/atom.xml", "/a/peace-talks/comments.xml"} {
			readBack(t, python, h, content, path)
		}
	}
}

// readBack has feedparser read one feed and checks it field by field,
// the lead image of "peace-talks" (Media RSS, and Atom's enclosure) with it.
func readBack(t *testing.T, python string, h any, content, path string) {
	t.Helper()
	route := "GET " + path
	var params map[string]string
	if strings.HasPrefix(path, "/a/") {
		route, params = "GET /a/{slug}/comments.xml", map[string]string{"slug": "peace-talks"}
	}
	r := get(t, h, route, path, params, nil, nil)
	cmd := exec.Command(python, "-c", `
import feedparser, json, sys
d = feedparser.parse(sys.stdin.buffer.read())
print(json.dumps({"bozo": bool(d.bozo), "err": str(d.get("bozo_exception", "")), "version": d.version,
  "title": d.feed.get("title"), "lang": d.feed.get("language"),
  "entries": [{"title": e.get("title"), "link": e.get("link"), "id": e.get("id"), "author": e.get("author"),
    "tags": [t["term"] for t in e.get("tags", [])], "published": e.get("published_parsed") is not None,
    "summary": e.get("summary"), "content": [c["value"] for c in e.get("content", [])],
    "media": [{"url": m.get("url"), "medium": m.get("medium"), "width": m.get("width"), "height": m.get("height")} for m in e.get("media_content", [])],
    "credits": [c.get("content") for c in e.get("media_credit", [])],
    "enclosures": [{"href": x.get("href"), "title": x.get("title")} for x in e.get("enclosures", [])]} for e in d.entries]}))`)
	cmd.Stdin = strings.NewReader(r.Body)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: feedparser: %v", path, err)
	}
	type media struct{ URL, Medium, Width, Height string }
	type enclosure struct{ Href, Title string }
	var got struct {
		Bozo    bool   `json:"bozo"`
		Err     string `json:"err"`
		Version string `json:"version"`
		Title   string `json:"title"`
		Entries []struct {
			Title, Link, ID, Author, Summary string
			Tags, Content, Credits           []string
			Published                        bool
			Media                            []media
			Enclosures                       []enclosure
		} `json:"entries"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%s: %v %s", path, err, out)
	}
	if got.Bozo || got.Version == "" || len(got.Entries) == 0 {
		t.Fatalf("%s %s: feedparser read %+v", content, path, got)
	}
	e := got.Entries[0]
	if !e.Published || e.ID == "" || !strings.HasPrefix(e.Link, "https://news.example.com/a/peace-talks") {
		t.Errorf("%s %s: first entry %+v", content, path, e)
	}
	if path == "/a/peace-talks/comments.xml" {
		return
	}
	wantContent := 0
	if content == "full" {
		wantContent = 1
	}
	if e.Title != "Title of peace-talks" || e.Author != "Ayesha Khan" || strings.Join(e.Tags, ",") != "pakistan,diplomacy" ||
		e.Summary != "Summary of peace-talks" || len(e.Content) != wantContent {
		t.Errorf("%s %s: first entry %+v", content, path, e)
	}
	const imageURL = "https://cdn.example.com/2026/12/talks.jpg?w=1200&q=80"
	if !slices.Equal(e.Media, []media{{imageURL, "image", "1200", "800"}}) || !slices.Equal(e.Credits, []string{"Photo: Reuters"}) {
		t.Errorf("%s %s: lead image read back as %+v, credits %v", content, path, e.Media, e.Credits)
	}
	if path == "/atom.xml" && !slices.Equal(e.Enclosures, []enclosure{{imageURL, "Delegates at the table"}}) {
		t.Errorf("%s %s: enclosures %+v", content, path, e.Enclosures)
	}
	for _, other := range got.Entries[1:] {
		if len(other.Media) != 0 || len(other.Enclosures) != 0 {
			t.Errorf("%s %s: %s has an image it was not given: %+v", content, path, other.Title, other)
		}
	}
}
