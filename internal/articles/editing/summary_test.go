package editing

import (
	"strings"
	"testing"

	"broadsheet/internal/htmltext"
	"broadsheet/internal/richtext"
)

// TestSummaryIsThePlainTextOfTheBody: without a summary from the editor, the
// article's summary is its rendered body as text, entities decoded, cut at a
// word near 200 characters.
func TestSummaryIsThePlainTextOfTheBody(t *testing.T) {
	html, _ := richtext.Markdown("# Title\n\nSome *text* & more")
	if got := summarize(htmltext.PlainText(html), 200); !strings.Contains(got, "Some text & more") {
		t.Errorf("summary = %q", got)
	}
	long := strings.Repeat("word ", 100)
	got := summarize(long, 200)
	if !strings.HasSuffix(got, "…") || len([]rune(got)) > 201 || strings.Contains(got, "wor…") {
		t.Errorf("long summary = %q", got)
	}
}
