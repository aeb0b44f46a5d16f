package richtext

import (
	"strings"
	"testing"

	"broadsheet/internal/broadsheet"
)

// Shapes that make goldmark super-linear are refused before rendering, as a
// field error on body: 400, never a timeout or a 503.
func TestMarkdownRefusesPathologicalShapes(t *testing.T) {
	nestedList := func(levels int) string {
		var b strings.Builder
		for i := 0; i < levels; i++ {
			b.WriteString(strings.Repeat("  ", i) + "- item\n")
		}
		return b.String()
	}
	for name, src := range map[string]string{
		"160 KB of unclosed link openers":  strings.Repeat("[a](", 40000),
		"100 KB of nested quotes":          strings.Repeat(">", 100000) + " x",
		"50,000 list markers on a line":    strings.Repeat("- ", 50000) + "x",
		"2,000 nested list levels":         nestedList(2000),
		"17 nested quotes":                 strings.Repeat("> ", 17) + "deep",
		"brackets without end":             strings.Repeat("[", 20000),
		"200 KB of ampersands (1 MB HTML)": strings.Repeat("&", 200000),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Markdown(src)
			var e *broadsheet.Error
			if !asError(err, &e) || e.Code != broadsheet.CodeValidation || e.Fields["body"] == "" {
				t.Fatalf("Markdown = %v, want a validation error on body", err)
			}
		})
	}
}

func TestMarkdownAcceptsWhatArticlesUse(t *testing.T) {
	for name, src := range map[string]string{
		"16 nested quotes":     strings.Repeat("> ", 16) + "deep enough",
		"nested lists":         "- a\n  - b\n    - c\n      1. d\n         - e\n",
		"a long article":       strings.Repeat("Some **bold** text with a [link](https://example.com) and more words here.\n\n", 1000),
		"code with brackets":   "```go\nm := map[string][]int{}\n```\n",
		"numbered headlines":   "1. First\n2. Second\n10. Tenth\n",
		"deeply indented code": "```json\n" + strings.Repeat(" ", 60) + "- {\"deep\": true}\n```\n",
		"indented paragraph":   strings.Repeat(" ", 3) + "text\n\n" + strings.Repeat("    ", 12) + "code line\n",
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := Markdown(src); err != nil {
				t.Fatalf("Markdown = %v", err)
			}
		})
	}
}

func asError(err error, target **broadsheet.Error) bool {
	e, ok := err.(*broadsheet.Error)
	*target = e
	return ok
}

func TestNesting(t *testing.T) {
	for line, want := range map[string]int{
		"plain text\n":      0,
		"        code\n":    0,
		"> quote\n":         1,
		"> > - item\n":      3,
		"    - indented\n":  3,
		"1. first\n":        1,
		"2024 was a year\n": 0,
		"- 1. mixed\n":      2,
	} {
		if got := nesting(line); got != want {
			t.Errorf("nesting(%q) = %d, want %d", line, got, want)
		}
	}
}
