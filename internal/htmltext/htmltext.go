// Package htmltext reads the text out of stored (already sanitised) HTML, for
// indexing and snippets. It is separate from internal/richtext so that the
// functions which only read HTML do not link, and initialise at cold start,
// the Markdown renderer and the sanitiser.
package htmltext

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// PlainText returns the text of an HTML fragment: entities decoded, block
// elements separated by spaces so that words of adjacent paragraphs never
// fuse, runs of white space collapsed, and script or style content dropped.
func PlainText(fragment string) string {
	z := html.NewTokenizer(strings.NewReader(fragment))
	var b strings.Builder
	skip := 0 // depth inside <script> or <style>
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return strings.TrimSpace(b.String())
		case html.TextToken:
			if skip == 0 {
				writeCollapsed(&b, string(z.Text()))
			}
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			switch atom.Lookup(name) {
			case atom.Script, atom.Style:
				if tt == html.StartTagToken {
					skip++
				} else if tt == html.EndTagToken && skip > 0 {
					skip--
				}
			case atom.P, atom.Br, atom.Li, atom.Ul, atom.Ol, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6,
				atom.Blockquote, atom.Pre, atom.Td, atom.Th, atom.Tr, atom.Table, atom.Div, atom.Hr, atom.Figcaption, atom.Dd, atom.Dt:
				writeCollapsed(&b, " ")
			}
		}
	}
}

// writeCollapsed appends text with every run of white space made one space.
func writeCollapsed(b *strings.Builder, text string) {
	lastSpace := b.Len() == 0 || strings.HasSuffix(b.String(), " ")
	for _, r := range text {
		if r == ' ' || r == '\n' || r == '\t' || r == '\r' || r == '\f' {
			if !lastSpace {
				b.WriteByte(' ')
				lastSpace = true
			}
			continue
		}
		b.WriteRune(r)
		lastSpace = false
	}
}
