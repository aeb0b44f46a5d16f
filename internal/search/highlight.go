package search

import (
	"html"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"broadsheet/internal/analysis"
)

const (
	markOpen  = "<mark>"
	markClose = "</mark>"
	ellipsis  = "…"
)

// Highlight returns text as HTML: everything is escaped, and words whose
// analysed term is one of terms (pass Result.Terms or analysis.Terms(query))
// are wrapped in <mark>…</mark>. Because matching uses the same analysis as
// the index, "Pakistan’s" is marked for the query "pakistan", and "Café" for
// "cafe". Invalid UTF-8 is replaced by U+FFFD.
func Highlight(text string, terms []string) string { return HighlightIn("", text, terms) }

// HighlightIn is Highlight for a text in lang (BCP 47), analysed as the
// index analysed it, so "elecciones" is marked for the Spanish query
// "elección" and ی-spelt Urdu for a query typed with ي.
func HighlightIn(lang, text string, terms []string) string {
	var b strings.Builder
	writeHighlighted(&b, analysis.For(lang), text, termSet(terms), false)
	return b.String()
}

// Snippet returns an HTML passage of at most maxRunes runes of body (whitespace
// runs then collapse to one space; the "…" marking a cut is extra), chosen to
// contain the most distinct query terms, then the most matches, then the
// earliest. The passage is cut at spaces, escaped and highlighted like
// Highlight. With no match it is the beginning of body.
func Snippet(body string, terms []string, maxRunes int) string {
	return SnippetIn("", body, terms, maxRunes)
}

// SnippetIn is Snippet for a body in lang (BCP 47), as HighlightIn.
func SnippetIn(lang, body string, terms []string, maxRunes int) string {
	an := analysis.For(lang)
	if maxRunes <= 0 {
		return ""
	}
	set := termSet(terms)
	// starts[i] is the byte offset of rune i; starts[n] == len(body). Invalid
	// bytes count as one rune each, as in DecodeRuneInString.
	starts := make([]int, 0, len(body)+1)
	for i := 0; i < len(body); {
		starts = append(starts, i)
		_, size := utf8.DecodeRuneInString(body[i:])
		i += size
	}
	total := len(starts)
	starts = append(starts, len(body))
	runeAt := func(byteOff int) int { return sort.SearchInts(starts, byteOff) }

	var matches []analysis.Token
	for _, t := range an.Analyze(body) {
		if _, ok := set[t.Term]; ok {
			matches = append(matches, t)
		}
	}

	// Sliding window over the matches: the best window of matches spanning at
	// most maxRunes.
	ws, we := 0, 0 // byte span of the best window; empty: no match fits
	bestDistinct, bestCount := 0, 0
	counts := map[string]int{}
	for l, r := 0, 0; r < len(matches); r++ {
		counts[matches[r].Term]++
		for l <= r && runeAt(matches[r].End)-runeAt(matches[l].Start) > maxRunes {
			if counts[matches[l].Term]--; counts[matches[l].Term] == 0 {
				delete(counts, matches[l].Term)
			}
			l++
		}
		if l > r {
			continue
		}
		if n := len(counts); n > bestDistinct || (n == bestDistinct && r-l+1 > bestCount) {
			bestDistinct, bestCount = n, r-l+1
			ws, we = matches[l].Start, maxEnd(matches[l:r+1])
		}
	}

	// Spread the spare room around the window, then cut at spaces outside it.
	slack := maxRunes - (runeAt(we) - runeAt(ws))
	startRune := max(0, runeAt(ws)-slack/2)
	endRune := min(total, startRune+maxRunes)
	startRune = max(0, endRune-maxRunes)
	s, e := starts[startRune], starts[endRune]
	if s > 0 {
		if i := strings.IndexFunc(body[s:ws], unicode.IsSpace); i >= 0 {
			s += i
		} else {
			s = ws
		}
	}
	if e < len(body) && e > we {
		if i := strings.LastIndexFunc(body[we:e], unicode.IsSpace); i >= 0 {
			e = we + i
		} else if we > ws {
			e = we
		}
	}

	var b strings.Builder
	if strings.TrimSpace(body[:s]) != "" {
		b.WriteString(ellipsis)
	}
	writeHighlighted(&b, an, strings.TrimSpace(body[s:e]), set, true)
	if strings.TrimSpace(body[e:]) != "" {
		b.WriteString(ellipsis)
	}
	return b.String()
}

// writeHighlighted escapes text into b, marking tokens whose term is in set.
// A hyphenated compound's joined token comes before its parts; once it is
// marked, the overlapping part tokens are skipped.
func writeHighlighted(b *strings.Builder, an *analysis.Analyzer, text string, set map[string]struct{}, collapse bool) {
	cursor := 0
	for _, t := range an.Analyze(text) {
		if t.Start < cursor {
			continue
		}
		if _, ok := set[t.Term]; !ok {
			continue
		}
		writeEscaped(b, text[cursor:t.Start], collapse)
		b.WriteString(markOpen)
		writeEscaped(b, text[t.Start:t.End], collapse)
		b.WriteString(markClose)
		cursor = t.End
	}
	writeEscaped(b, text[cursor:], collapse)
}

func writeEscaped(b *strings.Builder, s string, collapse bool) {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if collapse {
		s = collapseSpace(s)
	}
	b.WriteString(html.EscapeString(s))
}

// collapseSpace replaces each run of whitespace (CRLF line breaks included)
// by one space.
func collapseSpace(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	if space {
		b.WriteByte(' ')
	}
	return b.String()
}

func maxEnd(ts []analysis.Token) int {
	e := 0
	for _, t := range ts {
		e = max(e, t.End)
	}
	return e
}

func termSet(terms []string) map[string]struct{} {
	set := make(map[string]struct{}, len(terms))
	for _, t := range terms {
		set[t] = struct{}{}
	}
	return set
}
