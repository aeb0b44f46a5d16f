// Package richtext turns an editor's Markdown into HTML that is safe to insert
// into a page as is. It runs once, when an article is written.
package richtext

import (
	"bytes"
	"fmt"
	"sync"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

var (
	once     sync.Once
	renderer goldmark.Markdown
	policy   *bluemonday.Policy
)

// setup is lazy so that functions which never render (most of them) pay
// nothing for it at cold start.
func setup() {
	renderer = goldmark.New(goldmark.WithExtensions(extension.GFM, extension.Typographer))
	// Raw HTML in Markdown is dropped by goldmark's default (unsafe off);
	// bluemonday is the second, independent line of defence.
	policy = bluemonday.UGCPolicy()
	policy.RequireNoFollowOnLinks(true)
	policy.AddTargetBlankToFullyQualifiedLinks(false)
	policy.AllowURLSchemes("http", "https", "mailto")
	policy.RequireParseableURLs(true)
}

// Markdown converts CommonMark (with GitHub tables, strikethrough and autolinks)
// into sanitised HTML. Input beyond the bounds in limits.go is refused with a
// validation error (a *broadsheet.Error on the body field) before rendering.
func Markdown(src string) (string, error) {
	if err := checkComplexity(src); err != nil {
		return "", err
	}
	once.Do(setup)
	var buf bytes.Buffer
	if err := renderer.Convert([]byte(src), &buf); err != nil {
		return "", err
	}
	html := policy.Sanitize(buf.String())
	if len(html) > MaxHTMLBytes {
		return "", tooComplex(fmt.Sprintf("renders to %d KB of HTML, over the %d KB an article may store: shorten it", len(html)/1000, MaxHTMLBytes/1000))
	}
	return html, nil
}
