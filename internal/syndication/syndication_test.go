package syndication

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/broadsheet"
)

var site = Site{Name: "The Daily <Test>", Description: "News & views", URL: "https://news.example.com", Language: "en-GB"}

var published = time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)

func sample() *broadsheet.Article {
	return &broadsheet.Article{
		ID: "01JDX4Q7ZP3M8V5K2R9T6W1YHC", Slug: "peace-talks-resume", Title: `Peace talks "resume" <script>alert(1)</script>`,
		Summary: "Delegates met in Doha & agreed.", BodyHTML: "<p>Delegates met in <b>Doha</b>.</p>",
		Author: broadsheet.Author{Name: "Ayesha Khan", Bio: "Reporter"}, Tags: []string{"pakistan", "diplomacy"},
		Status: broadsheet.StatusPublished, PublishedAt: published, UpdatedAt: published.Add(2 * time.Hour),
		CommentsOpen: true, CommentCount: 2,
	}
}

// wellFormed fails unless b parses as XML to the end.
func wellFormed(t *testing.T, b []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		if _, err := d.Token(); err == io.EOF {
			return
		} else if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, b)
		}
	}
}

func TestRSSCarriesWhatReadersAndAggregatorsUse(t *testing.T) {
	for _, full := range []bool{false, true} {
		s := site
		s.FullContent = full
		b, err := RSS(s, Feed{Title: s.Name, Self: s.URL + RSSPath, Alternate: s.URL + "/", Articles: []*broadsheet.Article{sample()}})
		if err != nil {
			t.Fatal(err)
		}
		wellFormed(t, b)
		out := string(b)
		for _, want := range []string{
			`<rss version="2.0"`, `<language>en-GB</language>`,
			`<atom:link href="https://news.example.com/rss.xml" rel="self" type="application/rss+xml">`,
			`<link>https://news.example.com/a/peace-talks-resume</link>`,
			`<guid isPermaLink="false">tag:news.example.com,2026:article/01JDX4Q7ZP3M8V5K2R9T6W1YHC</guid>`,
			`<pubDate>Tue, 01 Dec 2026 09:30:00 +0000</pubDate>`, `<dc:creator>Ayesha Khan</dc:creator>`,
			`<category>pakistan</category>`, `<category>diplomacy</category>`,
			`&lt;script&gt;`, `Doha &amp; agreed`,
		} {
			if !strings.Contains(out, want) {
				t.Errorf("full=%v: RSS lacks %s\n%s", full, want, out)
			}
		}
		if has := strings.Contains(out, "<content:encoded><![CDATA[<p>Delegates met in <b>Doha</b>.</p>]]></content:encoded>"); has != full {
			t.Errorf("full=%v: content:encoded present = %v", full, has)
		}
	}
}

func TestAtomIsValidAtom(t *testing.T) {
	s := site
	s.FullContent = true
	b, err := Atom(s, Feed{Title: s.Name, Self: s.URL + AtomPath, Alternate: s.URL + "/", Articles: []*broadsheet.Article{sample()}})
	if err != nil {
		t.Fatal(err)
	}
	wellFormed(t, b)
	out := string(b)
	for _, want := range []string{
		`<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en-GB" xmlns:media="http://search.yahoo.com/mrss/">`, `<id>https://news.example.com/atom.xml</id>`,
		`<updated>2026-12-01T11:30:00Z</updated>`, `<published>2026-12-01T09:30:00Z</published>`,
		`<category term="pakistan" label="pakistan"></category>`, `<content type="html">&lt;p&gt;Delegates`,
		`<summary type="text">Delegates met in Doha &amp; agreed.</summary>`, `<name>Ayesha Khan</name>`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("Atom lacks %s\n%s", want, out)
		}
	}
	// An empty feed is still valid: it needs an updated date.
	empty, _ := Atom(s, Feed{Title: "x", Self: s.URL + AtomPath})
	if !strings.Contains(string(empty), "<updated>1970-01-01T00:00:00Z</updated>") {
		t.Errorf("empty feed: %s", empty)
	}
}

func TestCommentsFeedNeverCarriesEmails(t *testing.T) {
	c := &broadsheet.Comment{ID: "c1", Name: "Reader <One>", Email: "secret@example.com", Body: "Well said & true", CreatedAt: published}
	b, err := CommentsRSS(site, sample(), []*broadsheet.Comment{c})
	if err != nil {
		t.Fatal(err)
	}
	wellFormed(t, b)
	out := string(b)
	if strings.Contains(out, "secret@example.com") || !strings.Contains(out, "Reader &lt;One&gt;") || !strings.Contains(out, "#comment-c1") {
		t.Errorf("comments feed:\n%s", out)
	}
}

func TestSitemapsFollowTheProtocols(t *testing.T) {
	now := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	months := Months(time.Date(2026, 10, 31, 23, 0, 0, 0, time.UTC), now)
	if len(months) != 3 || months[0].Name() != "2026-12.xml" || months[2].Name() != "2026-10.xml" {
		t.Fatalf("months %v", months)
	}
	if m, err := ParseMonth("2026-02.xml"); err != nil || !m.End().Equal(time.Date(2026, 2, 28, 23, 59, 59, 999999999, time.UTC)) {
		t.Errorf("February: %v %v", m.End(), err)
	}
	for _, bad := range []string{"2026-13.xml", "2026-1.xml", "news", "../x.xml", "2026-12.xml.gz"} {
		if _, err := ParseMonth(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	idx, _ := SitemapIndex(site, months, now)
	wellFormed(t, idx)
	for _, want := range []string{`<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`,
		`<loc>https://news.example.com/sitemaps/news.xml</loc>`, `<loc>https://news.example.com/sitemaps/2026-10.xml</loc>`,
		`<lastmod>2026-10-31T23:59:59Z</lastmod>`, `<lastmod>2026-12-05T10:00:00Z</lastmod>`} {
		if !strings.Contains(string(idx), want) {
			t.Errorf("index lacks %s\n%s", want, idx)
		}
	}
	a := sample()
	a.Slug = "وزیراعظم-کا-دورہ"
	sm, _ := Sitemap(site, []*broadsheet.Article{a})
	wellFormed(t, sm)
	if !strings.Contains(string(sm), "<loc>https://news.example.com/a/%D9%88%D8%B2") {
		t.Errorf("a Unicode slug is percent-encoded in loc:\n%s", sm)
	}
	news, _ := NewsSitemap(site, []*broadsheet.Article{sample()})
	wellFormed(t, news)
	for _, want := range []string{`xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"`, `<news:language>en</news:language>`,
		`<news:name>The Daily &lt;Test&gt;</news:name>`, `<news:publication_date>2026-12-01T09:30:00Z</news:publication_date>`} {
		if !strings.Contains(string(news), want) {
			t.Errorf("news sitemap lacks %s\n%s", want, news)
		}
	}
	if r := string(Robots(site)); !strings.Contains(r, "Sitemap: https://news.example.com/sitemap.xml") || !strings.Contains(r, "Disallow: /admin/") {
		t.Errorf("robots.txt:\n%s", r)
	}
}

func TestArticlePageIsCompleteWithoutJavaScript(t *testing.T) {
	a := sample()
	comments := []*broadsheet.Comment{
		{ID: "c1", Name: "Reader", Email: "secret@example.com", Website: "javascript:alert(1)", Body: "<b>not bold</b>", CreatedAt: published},
		{ID: "c2", Name: "Other", Website: "https://example.org", Body: "Agreed", CreatedAt: published.Add(time.Hour)},
	}
	b, err := ArticlePage(site, a, comments)
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	for _, want := range []string{
		`<html lang="en-GB" dir="ltr">`,
		`<link rel="canonical" href="https://news.example.com/a/peace-talks-resume">`,
		`<meta property="og:type" content="article">`, `<meta property="og:locale" content="en_GB">`,
		`<meta property="og:title" content="Peace talks &#34;resume&#34; &lt;script&gt;alert(1)&lt;/script&gt;">`,
		`<meta property="article:published_time" content="2026-12-01T09:30:00Z">`,
		`<meta property="article:tag" content="diplomacy">`, `<meta name="twitter:card" content="summary">`,
		`<h1 id="story-title">Peace talks &#34;resume&#34; &lt;script&gt;alert(1)&lt;/script&gt;</h1>`,
		`<p>Delegates met in <b>Doha</b>.</p>`, `By <a href="https://news.example.com/?author=Ayesha&#43;Khan">Ayesha Khan</a>`,
		`<div class="comment-body">&lt;b&gt;not bold&lt;/b&gt;</div>`, `<a href="https://example.org" rel="nofollow ugc noopener"`,
		`<link rel="alternate" type="application/rss+xml" title="Comments on:`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if strings.Contains(page, "secret@example.com") || strings.Contains(page, "javascript:alert") || strings.Contains(page, "<script>alert") {
		t.Errorf("page leaks an email or unsafe markup:\n%s", page)
	}
	m := regexp.MustCompile(`(?s)<script type="application/ld\+json">(.*?)</script>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no JSON-LD")
	}
	var ld map[string]any
	if err := json.Unmarshal([]byte(m[1]), &ld); err != nil {
		t.Fatalf("JSON-LD is not JSON: %v\n%s", err, m[1])
	}
	if ld["@type"] != "NewsArticle" || ld["datePublished"] != "2026-12-01T09:30:00Z" || ld["dateModified"] != "2026-12-01T11:30:00Z" ||
		ld["inLanguage"] != "en-GB" || ld["publisher"].(map[string]any)["name"] != "The Daily <Test>" {
		t.Errorf("JSON-LD %v", ld)
	}
	if strings.Contains(m[1], "</script") || strings.Contains(m[1], "<script") {
		t.Error("JSON-LD must escape < so no title can close its script element")
	}
}

func TestPageDirectionAndDescription(t *testing.T) {
	for tag, want := range map[string]string{"ur": "rtl", "ar-EG": "rtl", "fa": "rtl", "he": "rtl", "en": "ltr", "hi": "ltr", "pl": "ltr", "x-bad-": "ltr"} {
		if got := direction(tag); got != want {
			t.Errorf("direction(%s) = %s, want %s", tag, got, want)
		}
	}
	a := sample()
	a.Summary = ""
	a.BodyHTML = "<p>" + strings.Repeat("Long sentence here. ", 20) + "</p>"
	if d := Description(a); !strings.HasSuffix(d, "here.") || len([]rune(d)) > 200 {
		t.Errorf("derived description %q", d)
	}
}

func TestSiteFromEnv(t *testing.T) {
	env := map[string]string{"SITE_URL": "https://news.example.com/", "FEED_CONTENT": "full"}
	s, err := SiteFromEnv(func(k string) string { return env[k] })
	if err != nil || s.URL != "https://news.example.com" || !s.FullContent || s.Name != "Broadsheet" || s.Language != "en" {
		t.Errorf("%+v %v", s, err)
	}
	for _, bad := range []map[string]string{{"FEED_CONTENT": "some"}, {"SITE_URL": "news.example.com"}, {"ASSETS_URL": "ftp://x"}, {"SITE_URL": "https://x/?q"}} {
		if _, err := SiteFromEnv(func(k string) string { return bad[k] }); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
	if got := (Site{}).WithURL("http://127.0.0.1:8080/"); got.URL != "http://127.0.0.1:8080" || got.API() != "http://127.0.0.1:8080" {
		t.Errorf("derived %+v", got)
	}
}

// An Urdu article on an English site: its page is right-to-left Urdu and its
// feed entries say so.
func TestArticleInAnotherLanguage(t *testing.T) {
	a := sample()
	a.Lang, a.Title = "ur", "وزیراعظم کا دورہ"
	page, err := ArticlePage(site, a, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), `<html lang="ur" dir="rtl">`) || !strings.Contains(string(page), `"inLanguage":"ur"`) {
		t.Errorf("page is not Urdu, right to left")
	}
	rss, _ := RSS(site, Feed{Articles: []*broadsheet.Article{a}})
	atom, _ := Atom(site, Feed{Articles: []*broadsheet.Article{a}})
	if !strings.Contains(string(rss), "<dc:language>ur</dc:language>") || !strings.Contains(string(atom), `<entry xml:lang="ur">`) {
		t.Errorf("feeds do not carry the entry's language:\n%s\n%s", rss, atom)
	}
}

// hostileImage is a lead image whose every text tries to break out of
// the markup it lands in.
func hostileImage() *broadsheet.Image {
	return &broadsheet.Image{
		URL:    `https://cdn.example.com/a.jpg?x="><script>alert(1)</script>&y=1`,
		Alt:    `Delegates "at" <the> table & </script><script>alert(2)</script>`,
		Credit: `Photo: <b>Reuters</b> & "AP" ]]>`,
		Width:  1200, Height: 800,
	}
}

// TestFeedsCarryTheLeadImage: Media RSS media:content in both feeds, with
// the alt text and credit, plus an Atom enclosure link; every hostile
// character escaped, and no image element for an article without one.
func TestFeedsCarryTheLeadImage(t *testing.T) {
	a, plain := sample(), sample()
	a.Image = hostileImage()
	plain.ID, plain.Slug = "01JDX4Q7ZP3M8V5K2R9T6W1YHD", "no-picture"
	f := Feed{Title: site.Name, Self: site.URL + RSSPath, Alternate: site.URL + "/", Articles: []*broadsheet.Article{a, plain}}
	rss, err := RSS(site, f)
	if err != nil {
		t.Fatal(err)
	}
	f.Self = site.URL + AtomPath
	atom, err := Atom(site, f)
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"rss": rss, "atom": atom} {
		wellFormed(t, b)
		out := string(b)
		for _, want := range []string{
			`xmlns:media="http://search.yahoo.com/mrss/"`,
			`<media:content url="https://cdn.example.com/a.jpg?x=&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;y=1" medium="image" width="1200" height="800">`,
			`<media:title type="plain">Delegates &#34;at&#34; &lt;the&gt; table &amp; &lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;</media:title>`,
			`<media:credit>Photo: &lt;b&gt;Reuters&lt;/b&gt; &amp; &#34;AP&#34; ]]&gt;</media:credit>`,
		} {
			if !strings.Contains(out, want) {
				t.Errorf("%s lacks %s\n%s", name, want, out)
			}
		}
		if n := strings.Count(out, "<media:content"); n != 1 {
			t.Errorf("%s: %d media:content elements, want 1 (the article without an image has none)", name, n)
		}
		if strings.Contains(out, "<script>") {
			t.Errorf("%s: unescaped markup\n%s", name, out)
		}
	}
	if !strings.Contains(string(atom), `<link href="https://cdn.example.com/a.jpg?x=&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;y=1" rel="enclosure" title="Delegates &#34;at&#34; &lt;the&gt; table &amp; &lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;">`) {
		t.Errorf("Atom lacks the enclosure link\n%s", atom)
	}
}

// TestArticlePageShowsTheLeadImage: the figure (alt, intrinsic size, fetched
// first, the credit as its caption), the large-image card and Open Graph
// image, and JSON-LD naming the image; hostile text escaped everywhere.
func TestArticlePageShowsTheLeadImage(t *testing.T) {
	a := sample()
	a.Image = hostileImage()
	b, err := ArticlePage(site, a, nil)
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	const alt = `Delegates &#34;at&#34; &lt;the&gt; table &amp; &lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;`
	for _, want := range []string{
		`<figure class="lead-image">`,
		`<img src="https://cdn.example.com/a.jpg?x=%22%3e%3cscript%3ealert%281%29%3c/script%3e&amp;y=1" alt="` + alt + `" width="1200" height="800" decoding="async" fetchpriority="high">`,
		`<figcaption class="credit">Photo: &lt;b&gt;Reuters&lt;/b&gt; &amp; &#34;AP&#34; ]]&gt;</figcaption>`,
		`<meta property="og:image" content="https://cdn.example.com/a.jpg?x=&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;y=1">`,
		`<meta property="og:image:alt" content="` + alt + `">`,
		`<meta property="og:image:width" content="1200">`, `<meta property="og:image:height" content="800">`,
		`<meta name="twitter:card" content="summary_large_image">`,
		`<meta name="twitter:image" content="https://cdn.example.com/a.jpg?x=&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;y=1">`,
		`<meta name="twitter:image:alt" content="` + alt + `">`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if strings.Contains(page, `content="summary">`) || strings.Contains(page, "<script>alert") || strings.Contains(page, "<b>Reuters") {
		t.Errorf("page has the small card or unescaped markup:\n%s", page)
	}
	m := regexp.MustCompile(`(?s)<script type="application/ld\+json">(.*?)</script>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no JSON-LD")
	}
	if strings.Contains(m[1], "<") {
		t.Error("JSON-LD must escape < so no alt text can close its script element")
	}
	var ld struct {
		Image []struct {
			Type        string `json:"@type"`
			URL         string `json:"url"`
			Width       int    `json:"width"`
			Height      int    `json:"height"`
			Description string `json:"description"`
			CreditText  string `json:"creditText"`
		} `json:"image"`
	}
	if err := json.Unmarshal([]byte(m[1]), &ld); err != nil {
		t.Fatalf("JSON-LD is not JSON: %v\n%s", err, m[1])
	}
	im := a.Image
	if len(ld.Image) != 1 || ld.Image[0].Type != "ImageObject" || ld.Image[0].URL != im.URL || ld.Image[0].Width != 1200 || ld.Image[0].Height != 800 ||
		ld.Image[0].Description != im.Alt || ld.Image[0].CreditText != im.Credit {
		t.Errorf("JSON-LD image %+v", ld.Image)
	}

	// Without a size the box still has its room (a default ratio in CSS), and
	// without a credit there is no empty caption.
	a.Image = &broadsheet.Image{URL: "https://cdn.example.com/b.jpg", Alt: "A street"}
	b, err = ArticlePage(site, a, nil)
	if err != nil {
		t.Fatal(err)
	}
	if page = string(b); !strings.Contains(page, `<img src="https://cdn.example.com/b.jpg" alt="A street" decoding="async" fetchpriority="high">`) ||
		strings.Contains(page, "figcaption") || strings.Contains(page, "og:image:width") {
		t.Errorf("image without size or credit:\n%s", page)
	}
}
