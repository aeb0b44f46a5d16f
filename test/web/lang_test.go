package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/css"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/chromedp"
)

const (
	urduTitle     = "وزیراعظم کا امریکہ کا دورہ: افغان امن مذاکرات"
	urduBody      = "پاکستان کے وزیراعظم پیر کو واشنگٹن پہنچیں گے، جہاں افغان امن مذاکرات ایجنڈے میں سرفہرست ہیں۔"
	arabicComment = "شكراً على هذا التقرير المفصّل عن مباحثات السلام."
)

// TestRightToLeft: an Urdu article reads right to left in an Urdu face, an
// Arabic comment on an English article reads right to left inside a
// left-to-right page, and a search answering an Urdu and an English article
// lays each result out in its own direction.
func TestRightToLeft(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests need DynamoDB Local and Chromium")
	}
	e := newEnv(t)
	urdu := e.publish(seedArticle{Title: urduTitle, Body: urduBody, Lang: "ur",
		Author: author{Name: "عائشہ خان"}, Tags: []string{"پاکستان"}})
	english := e.publish(seedArticle{Title: "Pakistan's prime minister visits Washington", Body: "Pakistan and the United States resume talks.",
		Author: author{Name: "Ayesha Khan"}, Tags: []string{"pakistan"}})

	t.Run("an Urdu article reads right to left in Nastaliq", func(t *testing.T) {
		for _, page := range []struct{ name, url, shot string }{
			{"reader page", e.api + "/?article=" + url.QueryEscape(urdu), "urdu-article.png"},
			{"server-rendered page", e.api + "/a/" + url.PathEscape(urdu), "urdu-article-ssr.png"},
		} {
			tb := e.newTab(t)
			tb.open(page.url)
			type story struct {
				Lang, Dir, Direction, Font  string
				TitleRightGap, TitleLeftGap float64
			}
			// The title's text hugs the right edge of its box (start in RTL).
			s := eval[story](tb, `(() => {
				const st = document.querySelector("article.story"), h = document.getElementById("story-title");
				const r = document.createRange(); r.selectNodeContents(h);
				const text = r.getClientRects()[0], box = h.getBoundingClientRect();
				return {Lang: st.lang, Dir: st.dir, Direction: getComputedStyle(st).direction,
					Font: getComputedStyle(h).fontFamily,
					TitleRightGap: box.right - text.right, TitleLeftGap: text.left - box.left};
			})()`)
			if s.Lang != "ur" || s.Direction != "rtl" {
				t.Errorf("%s: story lang %q dir %q direction %q, want ur, rtl", page.name, s.Lang, s.Dir, s.Direction)
			}
			if s.TitleRightGap > 2 || s.TitleLeftGap < s.TitleRightGap {
				t.Errorf("%s: title text is %.0f px from the right and %.0f px from the left of its box: not aligned right", page.name, s.TitleRightGap, s.TitleLeftGap)
			}
			if !strings.HasPrefix(strings.Trim(s.Font, `"`), "Noto Nastaliq Urdu") {
				t.Errorf("%s: title font-family %s, want the Urdu stack first", page.name, s.Font)
			}
			if used := usedFonts(tb, "#story-title"); !strings.Contains(used, "Noto Nastaliq Urdu") {
				t.Errorf("%s: the title is drawn with %q, want Noto Nastaliq Urdu (Debian: fonts-noto-core)", page.name, used)
			}
			e.screenshot(tb, page.shot)
			tb.clean()
		}
	})

	t.Run("an Arabic comment reads right to left on an English page", func(t *testing.T) {
		r := e.call(http.MethodPost, "/articles/"+url.PathEscape(english)+"/comments",
			map[string]string{"name": "سارة", "email": "sara@example.com", "body": arabicComment}, nil)
		if r.status >= 300 {
			t.Fatalf("POST comment: %d %s", r.status, r.body)
		}
		e.approveByBody(arabicComment)
		tb := e.newTab(t)
		tb.open(e.api + "/?article=" + url.QueryEscape(english))
		tb.waitFor("the comment", `document.querySelectorAll("#comment-list .comment").length === 1`)
		type view struct {
			Page, Comment, Align string
			RightGap, LeftGap    float64
		}
		v := eval[view](tb, `(() => {
			const c = document.querySelector("#comment-list .comment article"), b = c.querySelector(".comment-body");
			const r = document.createRange(); r.selectNodeContents(b);
			const rects = r.getClientRects(), text = rects[rects.length - 1], box = b.getBoundingClientRect();
			return {Page: getComputedStyle(document.querySelector("article.story")).direction,
				Comment: getComputedStyle(c).direction, Align: getComputedStyle(b).textAlign,
				RightGap: box.right - text.right, LeftGap: text.left - box.left};
		})()`)
		if v.Page != "ltr" || v.Comment != "rtl" {
			t.Errorf("story direction %q, comment direction %q; want ltr and rtl", v.Page, v.Comment)
		}
		if v.RightGap > 2 || v.LeftGap < v.RightGap {
			t.Errorf("the comment's text is %.0f px from the right and %.0f px from the left (text-align %s): not aligned right", v.RightGap, v.LeftGap, v.Align)
		}
		if used := usedFonts(tb, "#comment-list .comment-body"); !strings.Contains(used, "Noto Naskh Arabic") && !strings.Contains(used, "Noto Sans Arabic") {
			t.Errorf("the Arabic comment is drawn with %q, want a Noto Arabic face", used)
		}
		e.screenshot(tb, "arabic-comment.png")
		tb.clean()
	})

	t.Run("search results in both directions", func(t *testing.T) {
		fns := localFunctions()
		if fns["functions/search"] == nil || fns["functions/indexer"] == nil {
			t.Skip("SKIPPED: no local search functions")
		}
		// Typed with Arabic letter forms (ك, ي): the Urdu article still matches.
		q := "پاكستان Pakistan"
		deadline := time.Now().Add(30 * time.Second)
		for {
			r := e.call(http.MethodGet, "/search?q="+url.QueryEscape(q), nil, nil)
			body := string(r.body)
			if r.status == http.StatusOK && strings.Contains(body, `"`+english+`"`) && strings.Contains(body, urduTitle) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("both articles never answered %q: %d %s", q, r.status, r.body)
			}
			time.Sleep(300 * time.Millisecond)
		}
		tb := e.newTab(t)
		tb.open(e.api + "/?q=" + url.QueryEscape(q))
		tb.waitFor("two results", `document.querySelectorAll("#search-results > li").length === 2`)
		type result struct {
			Title, Direction  string
			Marks             int
			RightGap, LeftGap float64
		}
		rs := eval[[]result](tb, `[...document.querySelectorAll("#search-results > li")].map(li => {
			const h = li.querySelector(".teaser-title"), r = document.createRange(); r.selectNodeContents(h);
			const text = r.getClientRects()[0], box = h.getBoundingClientRect();
			return {Title: h.textContent.trim(), Direction: getComputedStyle(li).direction, Marks: li.querySelectorAll("mark").length,
				RightGap: box.right - text.right, LeftGap: text.left - box.left};
		})`)
		for _, r := range rs {
			rtl := strings.Contains(r.Title, "وزیراعظم")
			want := map[bool]string{true: "rtl", false: "ltr"}[rtl]
			if r.Direction != want {
				t.Errorf("result %q: direction %q, want %s", r.Title, r.Direction, want)
			}
			if r.Marks == 0 {
				t.Errorf("result %q: no highlight", r.Title)
			}
			if rtl && (r.RightGap > 2 || r.LeftGap < r.RightGap) {
				t.Errorf("result %q is not aligned right (%.0f px right, %.0f px left)", r.Title, r.RightGap, r.LeftGap)
			}
			if !rtl && (r.LeftGap > 2 || r.RightGap < r.LeftGap) {
				t.Errorf("result %q is not aligned left (%.0f px left, %.0f px right)", r.Title, r.LeftGap, r.RightGap)
			}
		}
		e.screenshot(tb, "search-mixed-direction.png")
		tb.clean()
	})
}

// usedFonts names the platform fonts Chromium drew the text of the first
// element matching selector with (CSS.getPlatformFontsForNode): what the
// reader sees, not just what the style asks for.
func usedFonts(tb *tab, selector string) string {
	tb.t.Helper()
	var names []string
	err := chromedp.Do(tb.ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := cdp.Call(ctx, t, dom.Enable, dom.EnableParams{}); err != nil {
			return err
		}
		if _, err := cdp.Call(ctx, t, css.Enable, cdp.Empty{}); err != nil {
			return err
		}
		doc, err := cdp.Call(ctx, t, dom.GetDocument, dom.GetDocumentParams{})
		if err != nil {
			return err
		}
		node, err := cdp.Call(ctx, t, dom.QuerySelector, dom.QuerySelectorParams{NodeID: doc.Root.NodeID, Selector: selector})
		if err != nil {
			return err
		}
		fonts, err := cdp.Call(ctx, t, css.GetPlatformFontsForNode, css.GetPlatformFontsForNodeParams{NodeID: node.NodeID})
		if err != nil {
			return err
		}
		for _, f := range fonts.Fonts {
			names = append(names, f.FamilyName)
		}
		return nil
	}))
	if err != nil {
		tb.t.Fatalf("fonts of %s: %v", selector, err)
	}
	return strings.Join(names, ", ")
}
