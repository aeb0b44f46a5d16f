package editing

import (
	"strings"
	"testing"

	"broadsheet/internal/broadsheet"
	"broadsheet/internal/htmltext"
	"broadsheet/internal/richtext"
)

// TestSummaryIsThePlainTextOfTheBody: without a summary from the editor, the
// article's summary is its rendered body as text, entities decoded, cut at a
// word near 200 characters.
func TestSummaryIsThePlainTextOfTheBody(t *testing.T) {
	html, _ := richtext.Markdown("# Title\n\nSome *text* & more")
	if got := broadsheet.Excerpt(htmltext.PlainText(html), 200); !strings.Contains(got, "Some text & more") {
		t.Errorf("summary = %q", got)
	}
	long := strings.Repeat("word ", 100)
	got := broadsheet.Excerpt(long, 200)
	if !strings.HasSuffix(got, "…") || len([]rune(got)) > 200 || strings.Contains(got, "wor…") {
		t.Errorf("long summary = %q", got)
	}
}
