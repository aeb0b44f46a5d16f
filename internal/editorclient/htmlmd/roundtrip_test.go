package htmlmd

import (
	"bytes"
	"net/url"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"golang.org/x/net/html"
)

// shape is the text and the sequence of structural tags of an HTML fragment.
func shape(t *testing.T, src string) (text string, tags []string) {
	t.Helper()
	keep := map[string]bool{"em": true, "strong": true, "a": true, "img": true, "code": true, "pre": true,
		"h1": true, "h2": true, "h3": true, "ul": true, "ol": true, "li": true, "blockquote": true,
		"table": true, "th": true, "td": true, "del": true, "hr": true, "br": true}
	alias := map[string]string{"i": "em", "b": "strong", "s": "del"}
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			b.WriteString(n.Data + " ")
		case html.ElementNode:
			name := n.Data
			if a, ok := alias[name]; ok {
				name = a
			}
			if name == "script" || name == "style" {
				return
			}
			if keep[name] {
				tag := name
				if name == "a" {
					for _, at := range n.Attr {
						if at.Key == "href" {
							u, err := url.PathUnescape(at.Val)
							if err != nil {
								u = at.Val
							}
							tag += "[" + u + "]"
						}
					}
				}
				tags = append(tags, tag)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range parse(src) {
		walk(n)
	}
	return strings.Join(strings.Fields(b.String()), " "), tags
}

// TestRoundTrip renders Convert's Markdown with goldmark (CommonMark + GFM,
// as the API does) and checks that text and structure survive: escaping
// mistakes show up here as stray or missing emphasis, links or lists.
func TestRoundTrip(t *testing.T) {
	md := goldmark.New(goldmark.WithExtensions(extension.GFM))
	inputs := []string{
		"<p>Plain *stars* and _underscores_ and snake_case_name, [brackets](not a link) `ticks` &lt;b&gt;not bold&lt;/b&gt; 3 &lt; 4 &amp;amp; AT&amp;T</p>",
		"<p># hash start</p><p>1. one</p><p>+ plus</p><p>- minus</p><p>&gt; gt</p><p>= eq</p><p>--- dashes</p><p>| pipe | start</p>",
		"<h2>Heading with <em>em</em> and <a href=\"https://x.org/a_(b)\">a link</a></h2><p>Text with <strong>strong <em>nested</em></strong>.</p>",
		"<ul><li>one <code>c*d</code></li><li>two<ol><li>inner <a href=\"/p?q=1&amp;r=2\">l</a></li><li>inner2</li></ol></li></ul><ol start=\"7\"><li>seven</li></ol>",
		"<blockquote><p>quote <em>it</em></p><ul><li>in quote</li></ul></blockquote><pre><code>*not em*\n  indented\n# not heading</code></pre>",
		"<table><tr><th>h1</th><th>h|2</th></tr><tr><td><strong>b</strong></td><td>x</td></tr></table><hr><p>after <del>gone</del></p>",
		"Classic\n\nparagraphs with a<br />\nbreak and <a href=\"https://example.org/x y\">spaced href</a>.",
		"<p>“Typographic” ‘quotes’ — Zürich, شکریہ, 北京.</p><p><img src=\"/i.png\" alt=\"alt *x*\"></p>",
	}
	for _, in := range inputs {
		out := Convert(in)
		var buf bytes.Buffer
		if err := md.Convert([]byte(out), &buf); err != nil {
			t.Fatal(err)
		}
		wantText, wantTags := shape(t, in)
		gotText, gotTags := shape(t, buf.String())
		if gotText != wantText {
			t.Errorf("text changed\n  in: %q\n  md: %q\ngot:  %q\nwant: %q", in, out, gotText, wantText)
		}
		if strings.Join(gotTags, " ") != strings.Join(wantTags, " ") {
			t.Errorf("structure changed\n  in: %q\n  md: %q\ngot:  %v\nwant: %v", in, out, gotTags, wantTags)
		}
	}
}
