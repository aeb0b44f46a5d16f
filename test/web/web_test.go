package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

const (
	peaceTitle = "PM’s US visit: Afghan peace talks resume in Doha"
	peaceBio   = "Ayesha Khan is our diplomatic correspondent, based in Islamabad."
)

var peaceBody = strings.Join([]string{
	"The prime minister arrives in Washington on Monday, where **Afghan peace talks** top the agenda.",
	"",
	"## What is on the table",
	"",
	"Officials say three questions remain open:",
	"",
	"- a timetable for the withdrawal of foreign troops;",
	"- a ceasefire that holds beyond the holidays;",
	"- the release of prisoners on both sides.",
	"",
	"> “We are closer than we have been in years,” a senior official said.",
	"",
	"Talks resume in Doha next week. *Read our* [earlier coverage](https://example.com/coverage).",
}, "\n")

// TestReaderPage drives the reader page in headless Chromium against the
// local stack. The subtests share one stack and one browser and run in order.
func TestReaderPage(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests need DynamoDB Local and Chromium")
	}
	e := newEnv(t)

	slug := e.publish(seedArticle{
		Title:   peaceTitle,
		Summary: "Washington hosts the prime minister as negotiators prepare to return to the table.",
		Body:    peaceBody,
		Author:  author{Name: "Ayesha Khan", Bio: peaceBio},
		Tags:    []string{"pakistan", "diplomacy"},
	})
	e.publish(seedArticle{
		Title:   "Monsoon rains flood Karachi streets",
		Summary: "Roads close across the city after the heaviest rainfall in a decade.",
		Body:    "Heavy **monsoon** rain flooded the city overnight.",
		Author:  author{Name: "Bilal Ahmed", Bio: "Bilal Ahmed covers Sindh."},
		Tags:    []string{"weather"},
	})
	e.publish(seedArticle{
		Title:  "Cricket board names new selection committee",
		Body:   "The board announced the committee on Friday.",
		Author: author{Name: "Sana Mir"},
		Tags:   []string{"sport"},
	})

	t.Run("home lists articles and filters by tag", func(t *testing.T) {
		tb := e.newTab(t)
		tb.open(e.api + "/")
		if n := eval[int](tb, `document.querySelectorAll("#article-list > li").length`); n < 3 {
			t.Fatalf("home lists %d articles, want 3\n%s", n, tb.state())
		}
		if title := eval[string](tb, `document.title`); !strings.Contains(title, "Broadsheet") {
			t.Errorf("document.title = %q", title)
		}
		// Landmarks and the skip link.
		if ok := eval[bool](tb, `!!(document.querySelector("header.masthead") && document.querySelector("nav") &&
			document.querySelector("main#main") && document.querySelector("footer") &&
			document.querySelector("a.skip-link[href='#main']"))`); !ok {
			t.Error("missing landmarks or skip link")
		}
		// A tag link filters the list.
		e.screenshot(tb, "home.png")
		tb.navigateBy(chromedp.Click(chromedp.CSS(`#article-list a.tag[href*="tag=weather"]`)))
		if !strings.Contains(eval[string](tb, `location.search`), "tag=weather") {
			t.Errorf("the tag link went to %s", eval[string](tb, `location.href`))
		}
		if n := eval[int](tb, `document.querySelectorAll("#article-list > li").length`); n != 1 {
			t.Errorf("tag view lists %d articles, want 1\n%s", n, tb.state())
		}
		if h := eval[string](tb, `document.querySelector("h1").textContent`); !strings.Contains(h, "weather") {
			t.Errorf("tag view heading %q", h)
		}
		tb.clean()
	})

	t.Run("article renders title, body, bio and tags", func(t *testing.T) {
		tb := e.newTab(t)
		tb.open(e.api + "/?article=" + url.QueryEscape(slug))
		type view struct {
			Title, DocTitle, Bio, Datetime string
			Strong, H2, Items, Quote       int
			Tags                           []string
			NoScript                       bool
		}
		v := eval[view](tb, `(() => ({
			Title: document.querySelector("#story-title")?.textContent ?? "",
			DocTitle: document.title,
			Bio: document.querySelector(".author-bio .bio")?.textContent ?? "",
			Datetime: document.querySelector(".byline time")?.getAttribute("datetime") ?? "",
			Strong: document.querySelectorAll(".story-body strong").length,
			H2: document.querySelectorAll(".story-body h2").length,
			Items: document.querySelectorAll(".story-body li").length,
			Quote: document.querySelectorAll(".story-body blockquote").length,
			Tags: [...document.querySelectorAll(".story-footer .tags a")].map(a => a.textContent),
			NoScript: document.querySelectorAll(".story-body script").length === 0,
		}))()`)
		if v.Title != peaceTitle {
			t.Errorf("title %q, want %q", v.Title, peaceTitle)
		}
		if !strings.HasPrefix(v.DocTitle, peaceTitle) {
			t.Errorf("document.title %q does not start with the article title", v.DocTitle)
		}
		if v.Bio != peaceBio {
			t.Errorf("bio %q, want %q", v.Bio, peaceBio)
		}
		if _, err := time.Parse(time.RFC3339, v.Datetime); err != nil {
			t.Errorf("<time datetime=%q>: %v", v.Datetime, err)
		}
		if v.Strong < 1 || v.H2 != 1 || v.Items != 3 || v.Quote != 1 {
			t.Errorf("bodyHtml not rendered as HTML: strong=%d h2=%d li=%d blockquote=%d\n%s", v.Strong, v.H2, v.Items, v.Quote, tb.state())
		}
		if strings.Join(v.Tags, ",") != "pakistan,diplomacy" {
			t.Errorf("tags %q", v.Tags)
		}
		// The bio comes after the body.
		if !eval[bool](tb, `!!(document.querySelector(".story-body").compareDocumentPosition(document.querySelector(".author-bio")) & Node.DOCUMENT_POSITION_FOLLOWING)`) {
			t.Error("the author's bio is not after the body")
		}
		// The comment form: labels, the note, the honeypot.
		type form struct {
			Labels   []string
			Note     string
			HP       map[string]string
			HPHidden bool
		}
		f := eval[form](tb, `(() => {
			const hp = document.querySelector('#comment-form [name="url2"]');
			const r = hp.getBoundingClientRect();
			return {
				Labels: [...document.querySelectorAll("#comment-form label")].filter(l => document.getElementById(l.htmlFor)).map(l => l.htmlFor),
				Note: document.querySelector("#comment-form .note").textContent,
				HP: {tabindex: hp.getAttribute("tabindex"), autocomplete: hp.getAttribute("autocomplete"), ariaHidden: hp.getAttribute("aria-hidden")},
				HPHidden: r.right <= 0 || r.bottom <= 0 || r.width <= 1,
			};
		})()`)
		for _, id := range []string{"comment-name", "comment-email", "comment-website", "comment-body", "comment-notify"} {
			if !strings.Contains(strings.Join(f.Labels, " "), id) {
				t.Errorf("no <label for=%q>", id)
			}
		}
		if !strings.Contains(f.Note, "Your email address will not be published. Required fields are marked *") {
			t.Errorf("note %q", f.Note)
		}
		if f.HP["tabindex"] != "-1" || f.HP["autocomplete"] != "off" || f.HP["ariaHidden"] != "true" || !f.HPHidden {
			t.Errorf("honeypot url2: %v, visually hidden %v", f.HP, f.HPHidden)
		}
		e.screenshot(tb, "article.png")

		// The same page at 320 px and in dark mode, for people looking at the report.
		tb.do(chromedp.EmulateViewport(320, 640))
		if w := eval[int](tb, `document.documentElement.scrollWidth`); w > 320 {
			t.Errorf("at 320 px the page is %d px wide (horizontal scrolling)", w)
		}
		e.screenshot(tb, "article-320.png")
		tb.do(chromedp.EmulateViewport(1280, 900), chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}},
			})
			return err
		}))
		if bg := eval[string](tb, `getComputedStyle(document.body).backgroundColor`); bg == "rgb(251, 250, 247)" {
			t.Errorf("dark mode: the background stays light (%s)", bg)
		}
		e.screenshot(tb, "article-dark.png")
		tb.clean()
	})

	t.Run("server-rendered article: complete without JavaScript, enhanced with it, stable layout", func(t *testing.T) {
		// JavaScript off: what a crawler or a reader with scripts blocked gets.
		off := e.newTab(t)
		off.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
			return err
		}), chromedp.Navigate(e.api+"/a/"+url.PathEscape(slug)))
		type view struct {
			Title, Canonical, Bio, OG string
			Paragraphs, Tags          int
			Form                      bool
		}
		const probe = `(() => ({
			Title: document.querySelector("#story-title")?.textContent ?? "",
			Canonical: document.querySelector("link[rel=canonical]")?.href ?? "",
			Bio: document.querySelector(".author-bio .bio")?.textContent ?? "",
			OG: document.querySelector("meta[property='og:title']")?.content ?? "",
			Paragraphs: document.querySelectorAll(".story-body p").length,
			Tags: document.querySelectorAll(".story-footer .tags a").length,
			Form: !!document.querySelector("#comment-form"),
		}))()`
		v := eval[view](off, probe)
		if v.Title != peaceTitle || v.OG != peaceTitle || v.Bio != peaceBio || v.Paragraphs == 0 || v.Tags != 2 ||
			!strings.HasSuffix(v.Canonical, "/a/"+url.PathEscape(slug)) || v.Form {
			t.Errorf("without JavaScript: %+v\n%s", v, off.state())
		}
		// JavaScript on: the same page gains the comment form and search.
		for _, size := range [][2]int64{{412, 823}, {1280, 900}} {
			tb := e.newTab(t)
			tb.do(chromedp.EmulateViewport(size[0], size[1]))
			tb.open(e.api + "/a/" + url.PathEscape(slug))
			if v := eval[view](tb, probe); !v.Form || v.Title != peaceTitle {
				t.Errorf("%dx%d with JavaScript: %+v\n%s", size[0], size[1], v, tb.state())
			}
			if cls := eval[float64](tb, cumulativeLayoutShift); cls >= 0.1 {
				t.Errorf("%dx%d: article page CLS %.3f, want < 0.1", size[0], size[1], cls)
			}
			tb.open(e.api + "/")
			if cls := eval[float64](tb, cumulativeLayoutShift); cls >= 0.1 {
				t.Errorf("%dx%d: home page CLS %.3f, want < 0.1", size[0], size[1], cls)
			}
			tb.clean()
		}
		off.clean()
	})

	t.Run("unknown article says not found", func(t *testing.T) {
		tb := e.newTab(t)
		tb.open(e.api + "/?article=no-such-article")
		if h := eval[string](tb, `document.querySelector("h1").textContent`); h != "Article not found" {
			t.Errorf("heading %q\n%s", h, tb.state())
		}
	})

	t.Run("comments: errors, moderation, XSS and the flood limit", func(t *testing.T) {
		tb := e.newTab(t)
		page := e.api + "/?article=" + url.QueryEscape(slug)
		tb.open(page)
		fill := func(name, email, website, body string) {
			t.Helper()
			tb.setValue("comment-name", name)
			tb.setValue("comment-email", email)
			tb.setValue("comment-website", website)
			tb.setValue("comment-body", body)
		}
		submitAndWait := func(what string) string {
			t.Helper()
			tb.do(chromedp.Evaluate[chromedp.Void](`document.getElementById("comment-status").textContent = ""`),
				chromedp.Click(chromedp.CSS(`#comment-form button[type="submit"]`)))
			tb.waitFor(what, `(() => { const s = document.getElementById("comment-status").textContent; return s && !s.startsWith("Sending"); })()`)
			return eval[string](tb, `document.getElementById("comment-status").textContent`)
		}

		// 1. A missing email: the API's field error, beside the Email field.
		fill("Sara", "", "", "Good news at last.")
		submitAndWait("the validation answer")
		type fieldState struct {
			Invalid, DescribedBy, Message string
			Hidden                        bool
			Focused                       string
			NameInvalid                   bool
		}
		fs := eval[fieldState](tb, `(() => {
			const i = document.getElementById("comment-email");
			const m = document.getElementById(i.getAttribute("aria-describedby") || "none");
			return {Invalid: i.getAttribute("aria-invalid") || "", DescribedBy: i.getAttribute("aria-describedby") || "",
				Message: m ? m.textContent : "", Hidden: m ? m.hidden : true, Focused: document.activeElement.id,
				NameInvalid: document.getElementById("comment-name").hasAttribute("aria-invalid")};
		})()`)
		if fs.Invalid != "true" || fs.DescribedBy != "comment-email-error" || fs.Hidden || !strings.Contains(fs.Message, "Email is required") {
			t.Fatalf("email field error not shown: %+v\n%s", fs, tb.state())
		}
		if fs.Focused != "comment-email" || fs.NameInvalid {
			t.Errorf("focus %q (want comment-email), name marked invalid %v", fs.Focused, fs.NameInvalid)
		}
		if n := len(e.pending()); n != 0 {
			t.Fatalf("an invalid comment was stored: %d pending", n)
		}

		// 2. A valid first comment waits for moderation.
		first := "Good news at last. Let us hope the talks hold this time."
		fill("Sara", "sara@example.com", "https://sara.example.org/blog", first)
		if msg := submitAndWait("the pending answer"); msg != "Your comment is awaiting moderation. If we have emailed you a link, open it to confirm your comment." {
			t.Fatalf("after a valid comment: %q\n%s", msg, tb.state())
		}
		e.commented()
		if eval[bool](tb, `document.getElementById("comment-email").hasAttribute("aria-invalid")`) {
			t.Error("the email error stayed after a successful submission")
		}
		if eval[string](tb, `document.getElementById("comment-body").value`) != "" {
			t.Error("the comment box was not cleared")
		}
		if eval[int](tb, `document.querySelectorAll("#comment-list .comment").length`) != 0 {
			t.Error("a pending comment is listed")
		}

		// 3. An editor approves it; a reload shows it, with the name linked
		// to the website (nofollow ugc).
		approved := e.approveByBody(first)
		if approved.Email != "sara@example.com" || approved.ArticleSlug != slug {
			t.Errorf("moderation queue item %+v", approved)
		}
		tb.navigateBy(chromedp.Reload())
		tb.waitFor("the approved comment", `document.querySelectorAll("#comment-list .comment").length === 1`)
		type shown struct {
			Body, Name, Href, Rel, Heading string
		}
		s := eval[shown](tb, `(() => { const c = document.querySelector("#comment-list .comment"); const a = c.querySelector("a.comment-author");
			return {Body: c.querySelector(".comment-body").textContent, Name: c.querySelector(".comment-author").textContent,
				Href: a ? a.href : "", Rel: a ? a.rel : "", Heading: document.getElementById("comments-title").textContent}; })()`)
		if s.Body != first || s.Name != "Sara" || s.Href != "https://sara.example.org/blog" || s.Rel != "nofollow ugc noopener" {
			t.Errorf("approved comment shown as %+v", s)
		}
		if s.Heading != "Comments (1)" {
			t.Errorf("comments heading %q", s.Heading)
		}

		// 4. Sara is now a known commenter: her next comment is approved at
		// once. It is an XSS attempt and must show as text, running nothing.
		e.waitFlood()
		xss := `<img src=x onerror=alert(1)> and <script>alert("xss")</script> <b>bold?</b>`
		tb.do(chromedp.Click(chromedp.CSS(`#comment-list .comment .reply`)))
		if r := eval[string](tb, `document.getElementById("replying").hidden ? "" : document.getElementById("replying").textContent`); !strings.Contains(r, "Replying to Sara") {
			t.Errorf("reply banner %q", r)
		}
		if f := eval[string](tb, `document.activeElement.id`); f != "comment-body" {
			t.Errorf("after Reply, focus is on %q, want the comment box", f)
		}
		fill("Mallory", "sara@example.com", "javascript:alert(1)", xss)
		// The website is invalid: the API refuses it, beside the Website field.
		submitAndWait("the website error")
		if m := eval[string](tb, `document.getElementById("comment-website-error").textContent`); !strings.Contains(m, "Website") {
			t.Errorf("website error %q\n%s", m, tb.state())
		}
		tb.setValue("comment-website", "")
		if msg := submitAndWait("the approved answer"); msg != "Your comment has been published." {
			t.Fatalf("after a returning commenter's comment: %q\n%s", msg, tb.state())
		}
		e.commented()
		checkXSS := func(when string) {
			t.Helper()
			type xssView struct {
				Nested             bool
				Text               string
				Elements, Injected int
			}
			v := eval[xssView](tb, `(() => {
				const li = [...document.querySelectorAll("#comment-list .comment")].find(c => c.querySelector(".comment-author").textContent === "Mallory");
				if (!li) return {Text: "", Nested: false, Elements: -1, Injected: -1};
				const body = li.querySelector(".comment-body");
				return {
					Nested: !!li.parentElement.closest(".comment"),
					Text: body.textContent,
					Elements: body.children.length,
					Injected: document.querySelectorAll("#comments img, #comments script:not([src]), #comments b").length,
				};
			})()`)
			if v.Text != xss || v.Elements != 0 || v.Injected != 0 {
				t.Errorf("%s: XSS comment rendered as %+v, want its text verbatim and no elements", when, v)
			}
			if !v.Nested {
				t.Errorf("%s: the reply is not nested under Sara's comment", when)
			}
			time.Sleep(300 * time.Millisecond) // an onerror would have fired by now
			if n := tb.dialogCount(); n != 0 {
				t.Errorf("%s: %d JavaScript dialogs opened", when, n)
			}
		}
		checkXSS("right after posting")
		if r := eval[bool](tb, `document.getElementById("replying").hidden`); !r {
			t.Error("the reply banner stayed after posting")
		}

		// 5. A second comment straight away, from the same email: the flood limit.
		fill("Sara", "sara@example.com", "", "One more thought, quickly.")
		msg := submitAndWait("the rate-limit answer")
		if !strings.HasPrefix(msg, "Please wait ") || !strings.HasSuffix(msg, " before commenting again.") {
			t.Fatalf("after a quick second comment: %q\n%s", msg, tb.state())
		}
		if !strings.Contains(msg, "second") {
			t.Errorf("rate-limit message without the wait: %q", msg)
		}

		// 6. After a reload the XSS comment comes from the list endpoint: still text.
		tb.navigateBy(chromedp.Reload())
		tb.waitFor("both comments", `document.querySelectorAll("#comment-list .comment").length === 2`)
		checkXSS("after a reload")
		e.screenshot(tb, "article-comments.png")
		tb.clean()
	})

	t.Run("search: suggestions and results", func(t *testing.T) {
		fns := localFunctions()
		if fns["functions/search"] == nil || fns["functions/indexer"] == nil {
			t.Skip("SKIPPED: search needs local factories for functions/search and functions/indexer, " +
				"which localFunctions does not have yet (cmd/local's registry is not importable; see functions_test.go)")
		}
		// Wait for the stream-fed index to have the article.
		deadline := time.Now().Add(20 * time.Second)
		for {
			r := e.call(http.MethodGet, "/search/suggest?q=afgh", nil, nil)
			if r.status == http.StatusOK && strings.Contains(string(r.body), `"`+slug+`"`) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the article never reached the search index: %d %s", r.status, r.body)
			}
			time.Sleep(200 * time.Millisecond)
		}

		tb := e.newTab(t)
		tb.open(e.api + "/")
		tb.do(chromedp.Click(chromedp.ID("search-input")), chromedp.SendKeys(chromedp.ID("search-input"), "afgh"))
		tb.waitFor("suggestions", `document.getElementById("search-input").getAttribute("aria-expanded") === "true" &&
			document.querySelectorAll("#search-suggestions [role=option]").length > 0`)
		tb.do(chromedp.KeyEvent(kb.ArrowDown))
		type combo struct{ Active, Selected, Text string }
		c := eval[combo](tb, `(() => { const i = document.getElementById("search-input"); const o = document.getElementById(i.getAttribute("aria-activedescendant") || "none");
			return {Active: i.getAttribute("aria-activedescendant") || "", Selected: o ? o.getAttribute("aria-selected") : "", Text: o ? o.textContent : ""}; })()`)
		if c.Active == "" || c.Selected != "true" || c.Text != peaceTitle {
			t.Fatalf("after ArrowDown: %+v\n%s", c, tb.state())
		}
		e.screenshot(tb, "search-suggestions.png")
		// Escape closes the list; ArrowDown opens it again.
		tb.do(chromedp.KeyEvent(kb.Escape))
		if eval[string](tb, `document.getElementById("search-input").getAttribute("aria-expanded")`) != "false" {
			t.Error("Escape did not close the suggestions")
		}
		tb.do(chromedp.KeyEvent(kb.ArrowDown))
		tb.navigateBy(enterKey)
		if got := eval[string](tb, `document.querySelector("#story-title")?.textContent ?? ""`); got != peaceTitle {
			t.Fatalf("picking the suggestion opened %q\n%s", got, tb.state())
		}

		// Submitting the search form shows results with <mark> highlights.
		tb.setValue("search-input", "afghan peace")
		tb.navigateBy(chromedp.Click(chromedp.CSS(`#search-form button[type="submit"]`)))
		type results struct {
			Search, Title, Count, Status string
			Marks, Items, Elements       int
		}
		r := eval[results](tb, `(() => ({
			Search: location.search, Title: document.title,
			Count: document.getElementById("result-count")?.textContent ?? "",
			Status: document.getElementById("announcer").textContent,
			Marks: document.querySelectorAll("#search-results mark").length,
			Items: document.querySelectorAll("#search-results > li").length,
			Elements: document.querySelectorAll("#search-results .teaser-title *:not(a):not(mark), #search-results .summary *:not(mark)").length,
		}))()`)
		if !strings.Contains(r.Search, "q=afghan+peace") || r.Items < 1 || r.Marks < 1 || !strings.Contains(r.Count, "result") {
			t.Errorf("search results %+v\n%s", r, tb.state())
		}
		if r.Elements != 0 {
			t.Errorf("highlights inserted %d elements other than <mark>", r.Elements)
		}
		if !strings.HasPrefix(r.Title, "Search: afghan peace") {
			t.Errorf("document.title %q", r.Title)
		}
		e.screenshot(tb, "search.png")
		tb.clean()
	})

	t.Run("another origin: allowed origin reads and comments, others are refused", func(t *testing.T) {
		// From the origin in AllowedOrigins, with ?api= pointing at the stack.
		tb := e.newTab(t)
		tb.open(e.allowed.URL + "/?article=" + url.QueryEscape(slug) + "&api=" + url.QueryEscape(e.api))
		if got := eval[string](tb, `document.querySelector("#story-title")?.textContent ?? ""`); got != peaceTitle {
			t.Fatalf("cross-origin article %q\n%s", got, tb.state())
		}
		if href := eval[string](tb, `document.querySelector(".byline .author-link").getAttribute("href")`); !strings.Contains(href, "api=") {
			t.Errorf("links drop the ?api= override: %q", href)
		}
		e.waitFlood()
		body := "Written on another origin, sent across."
		tb.setValue("comment-name", "Omar")
		tb.setValue("comment-email", "omar@example.com")
		tb.setValue("comment-body", body)
		tb.do(chromedp.Click(chromedp.CSS(`#comment-form button[type="submit"]`)))
		tb.waitFor("the cross-origin answer", `/awaiting|Please|could not/.test(document.getElementById("comment-status").textContent)`)
		if msg := eval[string](tb, `document.getElementById("comment-status").textContent`); msg != "Your comment is awaiting moderation. If we have emailed you a link, open it to confirm your comment." {
			t.Fatalf("cross-origin comment: %q\n%s", msg, tb.state())
		}
		e.commented()
		found := false
		for _, c := range e.pending() {
			found = found || c.Body == body
		}
		if !found {
			t.Error("the cross-origin comment is not in the moderation queue")
		}
		tb.clean()

		// From an origin that is not allowed: the browser refuses the answers.
		ft := e.newTab(t)
		ft.open(e.foreign.URL + "/?article=" + url.QueryEscape(slug) + "&api=" + url.QueryEscape(e.api))
		if got := eval[string](ft, `document.querySelector("h1")?.textContent ?? ""`); got == peaceTitle || ft.has(`#story-title`) {
			t.Fatalf("a page from %s read the article: CORS let it through", e.foreign.URL)
		}
		if got := eval[string](ft, `document.querySelector("h1")?.textContent ?? ""`); got != "Something went wrong" {
			t.Errorf("foreign origin page heading %q", got)
		}
		post := eval[string](ft, `fetch(`+js(e.api+"/articles/"+slug+"/comments")+`, {method: "POST",
			headers: {"Content-Type": "application/json"},
			body: JSON.stringify({name: "Eve", email: "eve@example.com", body: "From a foreign origin."})})
			.then(r => "answered " + r.status, err => "refused: " + err.name)`)
		if post != "refused: TypeError" {
			t.Errorf("a POST from a foreign origin: %s", post)
		}
		for _, c := range e.pending() {
			if c.Name == "Eve" {
				t.Error("the foreign-origin POST was stored: the preflight did not stop it")
			}
		}
	})
	t.Run("lead image: shown server-rendered and client-rendered, its box reserved", func(t *testing.T) {
		const alt = "Delegates seated around the table as the talks open"
		pictured := e.publish(seedArticle{
			Title:   "Talks open in Doha with a photo call",
			Summary: "Delegations posed before the first session.",
			Body:    strings.Repeat("Delegations from both sides posed for photographs before the first session began. ", 12),
			Author:  author{Name: "Ayesha Khan"},
			Tags:    []string{"diplomacy"},
			Image: &seedImage{URL: e.media.URL + "/talks.png", Alt: alt, Credit: "Photo: Broadsheet staff",
				Width: leadImageWidth, Height: leadImageHeight},
		})
		type figure struct {
			Alt, Credit, Priority, OGImage, Card string
			Width, Height                        int
			Loaded                               bool
		}
		const probe = `(() => {
			const img = document.querySelector(".story .lead-image img");
			return {
				Alt: img?.alt ?? "", Width: img?.width ?? 0, Height: img?.height ?? 0,
				Priority: img?.getAttribute("fetchpriority") ?? "", Loaded: !!img && img.complete && img.naturalWidth > 0,
				Credit: document.querySelector(".story .lead-image figcaption")?.textContent ?? "",
				OGImage: document.querySelector("meta[property='og:image']")?.content ?? "",
				Card: document.querySelector("meta[name='twitter:card']")?.content ?? "",
			};
		})()`
		for _, size := range [][2]int64{{412, 823}, {1280, 900}} {
			for _, page := range []string{"/a/" + url.PathEscape(pictured), "/?article=" + url.QueryEscape(pictured)} {
				tb := e.newTab(t)
				tb.do(chromedp.EmulateViewport(size[0], size[1]))
				tb.open(e.api + page)
				tb.waitFor("the lead image to load", `(() => { const i = document.querySelector(".lead-image img"); return !!i && i.complete && i.naturalWidth > 0; })()`)
				f := eval[figure](tb, probe)
				// The image spans the column (at most the viewport) at its own ratio.
				if f.Alt != alt || f.Credit != "Photo: Broadsheet staff" || f.Priority != "high" || !f.Loaded ||
					f.Width <= 0 || f.Width > int(size[0]) || abs(f.Height*leadImageWidth/f.Width-leadImageHeight) > 3 {
					t.Errorf("%dx%d %s: figure %+v\n%s", size[0], size[1], page, f, tb.state())
				}
				if strings.HasPrefix(page, "/a/") && (f.OGImage != e.media.URL+"/talks.png" || f.Card != "summary_large_image") {
					t.Errorf("%dx%d %s: metadata %+v", size[0], size[1], page, f)
				}
				// Measured after the picture arrived: a box not reserved for
				// it would have pushed the article's text down by its height.
				if cls := eval[float64](tb, cumulativeLayoutShift); cls >= 0.1 {
					t.Errorf("%dx%d %s: CLS %.3f with a lead image, want < 0.1", size[0], size[1], page, cls)
				} else {
					t.Logf("%dx%d %s: CLS %.4f with a lead image", size[0], size[1], page, cls)
				}
				if size[0] == 412 && strings.HasPrefix(page, "/a/") {
					e.screenshot(tb, "article-lead-image-412.png")
				}
				tb.clean()
			}
		}
	})
}

// enterKey presses Enter as a keyboard does: keydown and keyup, without the
// separate char event chromedp.KeyEvent adds (which a page's preventDefault
// on keydown cannot cancel).
var enterKey = chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
	for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeRawKeyDown, input.DispatchKeyEventTypeKeyUp} {
		if _, err := chromedp.Call(ctx, input.DispatchKeyEvent, input.DispatchKeyEventParams{
			Type: typ, Key: "Enter", Code: "Enter", WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 13,
		}); err != nil {
			return err
		}
	}
	return nil
})

// setValue sets a form field's value by element id.
// cumulativeLayoutShift sums the page's layout shifts so far (not caused by
// input), as Lighthouse's CLS does for a load.
const cumulativeLayoutShift = `new Promise((done) => {
	let sum = 0;
	new PerformanceObserver((list) => {
		for (const e of list.getEntries()) if (!e.hadRecentInput) sum += e.value;
	}).observe({ type: "layout-shift", buffered: true });
	setTimeout(() => done(sum), 300);
})`

func (tb *tab) setValue(id, value string) {
	tb.t.Helper()
	if !eval[bool](tb, `(() => { const f = document.getElementById(`+js(id)+`); if (!f) return false; f.value = `+js(value)+`; return true; })()`) {
		tb.t.Fatalf("no field #%s\n%s", id, tb.state())
	}
}

// navigateBy runs an action that loads a new page and waits for the new view.
func (tb *tab) navigateBy(trigger chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, trigger)); err != nil {
		tb.t.Fatalf("waiting for a page load: %v\n%s", err, tb.state())
	}
	tb.waitFor("the page to render", `document.documentElement.dataset.ready === "true"`)
}

// has reports whether a selector matches.
func (tb *tab) has(selector string) bool {
	tb.t.Helper()
	return eval[bool](tb, `!!document.querySelector(`+js(selector)+`)`)
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
