package richtext

import (
	"regexp"

	"strings"
	"testing"

	"golang.org/x/net/html"
)

func TestRender(t *testing.T) {
	tests := []struct {
		name, in     string
		want         []string // substrings that must appear
		mustNotMatch []string // regexps that must not match
	}{
		{"paragraph and emphasis", "Hello *world*", []string{"<p>Hello <em>world</em></p>"}, nil},
		{"heading", "## Talks", []string{"<h2>Talks</h2>"}, nil},
		{"link gets nofollow", "[site](https://example.com)", []string{`href="https://example.com"`, `rel="nofollow"`}, nil},
		{"raw script dropped", "<script>alert(1)</script>\n\ntext", []string{"text"}, []string{`(?i)<script`}},
		{"inline event handler dropped", `<img src="x" onerror="alert(1)">`, nil, []string{`(?i)onerror`}},
		{"javascript link dropped", "[x](javascript:alert(1))", nil, []string{`(?i)javascript:`}},
		{"encoded javascript link dropped", "[x](jav&#x61;script:alert(1))", nil, []string{`(?i)javascript:`, `(?i)jav&#x61;script`}},
		{"data uri dropped", "![x](data:text/html;base64,PHNjcmlwdD4=)", nil, []string{`(?i)data:text`}},
		{"table", "|a|b|\n|-|-|\n|1|2|", []string{"<table>", "<td>1</td>"}, nil},
		{"typographic quotes", `He said "peace"`, []string{"“peace”"}, nil},
		{"escaped text stays text", "<img src=x onerror=alert(1)//", []string{"&lt;img"}, []string{`<img`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Markdown(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("Markdown(%q) = %q, want it to contain %q", tt.in, got, w)
				}
			}
			for _, bad := range tt.mustNotMatch {
				if regexp.MustCompile(bad).MatchString(got) {
					t.Errorf("Markdown(%q) = %q, must not match %s", tt.in, got, bad)
				}
			}
		})
	}
}

// unsafe reports the first dangerous construct in an HTML fragment, judged the
// way a browser parses it: a script element, an on* attribute, or a URL
// attribute whose scheme is javascript (text that merely reads "onerror=" is fine).
func unsafe(fragment string) string {
	z := html.NewTokenizer(strings.NewReader(fragment))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			if tok.Data == "script" || tok.Data == "iframe" || tok.Data == "object" || tok.Data == "embed" {
				return "<" + tok.Data + ">"
			}
			for _, a := range tok.Attr {
				v := strings.ToLower(strings.Join(strings.Fields(a.Val), ""))
				if strings.HasPrefix(strings.ToLower(a.Key), "on") || strings.HasPrefix(v, "javascript:") || strings.HasPrefix(v, "data:") {
					return a.Key + "=" + a.Val
				}
			}
		}
	}
}

// FuzzRender checks the invariant that matters: whatever the editor writes, no
// script, event handler or javascript: URL survives.
func FuzzRender(f *testing.F) {
	for _, s := range []string{
		"<script>alert(1)</script>", "[a](javascript:alert(1))", `<a href="JaVaScRiPt:x">y</a>`,
		`<svg onload=alert(1)>`, "`code` **b** _i_", "<img src=x onerror=alert(1)//", "[x](java\tscript:1)",
		"<<script>script>alert(1)<</script>/script>", "<iframe src=//evil>", "<a href='&#106;avascript:1'>x</a>",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		out, err := Markdown(src)
		if err != nil {
			return
		}
		if bad := unsafe(out); bad != "" {
			t.Fatalf("unsafe %s in output for %q: %q", bad, src, out)
		}
	})
}
