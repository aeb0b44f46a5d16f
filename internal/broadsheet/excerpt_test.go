package broadsheet

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestExcerpt(t *testing.T) {
	tests := []struct {
		name, in string
		max      int
		want     string
	}{
		{"fits whole", "Short text.", 50, "Short text."},
		{"ends on a sentence", "The talks resumed. Delegates met in Doha on Monday evening", 30, "The talks resumed."},
		{"a sentence too early falls back to a word", "Yes. The delegates met in Doha on Monday evening for talks", 40, "Yes. The delegates met in Doha on…"},
		{"word boundary drops trailing punctuation", "Delegates met in Doha, Kabul, Islamabad and Washington", 30, "Delegates met in Doha, Kabul…"},
		{"abbreviation-like dot inside a word is not an end", "Version 2.5 of the plan was agreed by all parties", 20, "Version 2.5 of the…"},
		{"urdu full stop", "وزیراعظم امریکہ پہنچ گئے۔ افغان امن مذاکرات پر بات چیت جاری ہے", 40, "وزیراعظم امریکہ پہنچ گئے۔"},
		{"cjk needs no space", "会谈在多哈恢复。代表们星期一晚上会面讨论和平问题以及其他事项", 14, "会谈在多哈恢复。"},
		{"one long word", strings.Repeat("a", 30), 10, strings.Repeat("a", 9) + "…"},
	}
	for _, tt := range tests {
		got := Excerpt(tt.in, tt.max)
		if got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
		if n := utf8.RuneCountInString(got); n > tt.max {
			t.Errorf("%s: %d runes, max %d", tt.name, n, tt.max)
		}
	}
}
