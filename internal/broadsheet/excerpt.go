package broadsheet

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Excerpt shortens plain text to at most max runes for a summary: whole
// when it fits; else cut after the last sentence that ends in the second
// half of the allowance (no ellipsis: nothing reads as cut); else at the last
// word boundary there, with "…"; a single long word is cut at max−1 runes.
// Sentence ends are those of the scripts a newsroom writes in: . ! ? and
// the Urdu/Arabic (۔ ؟), Devanagari (। ॥) and CJK (。！？) marks.
func Excerpt(text string, max int) string {
	text = strings.TrimSpace(text)
	if utf8.RuneCountInString(text) <= max {
		return text
	}
	r := []rune(text)
	// A sentence end: a mark followed by a space (or, for CJK marks, anything).
	for i := max - 1; i >= max/2; i-- {
		switch r[i] {
		case '。', '！', '？':
			return string(r[:i+1])
		case '.', '!', '?', '۔', '؟', '।', '॥':
			if i+1 < len(r) && unicode.IsSpace(r[i+1]) {
				return string(r[:i+1])
			}
		}
	}
	for i := max - 1; i >= max/2; i-- {
		if unicode.IsSpace(r[i]) {
			return strings.TrimRightFunc(string(r[:i]), func(c rune) bool { return unicode.IsSpace(c) || strings.ContainsRune(",;:–—-", c) }) + "…"
		}
	}
	return string(r[:max-1]) + "…"
}
