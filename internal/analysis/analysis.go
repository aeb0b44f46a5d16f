// Package analysis turns news text into index terms: English as its
// language, and the scripts of other newsrooms by their letters (see
// scripts.go: Arabic-script and Devanagari folding, CJK bigrams).
//
// The pipeline is: Unicode-aware word splitting on the original bytes (so
// every token keeps byte offsets for highlighting), compatibility
// normalisation and diacritic folding (é→e, ﬁ→fi, full-width→ASCII), case
// folding, apostrophe handling (typographic quotes, possessive 's, contractions),
// stop-word removal and English Snowball stemming. Queries and documents must go
// through the same Analyze call so that their terms meet.
//
// The package only depends on golang.org/x/text and the Snowball stemmer, so it
// is cheap to compile into a Lambda binary. All functions are safe for
// concurrent use and never panic, whatever the input bytes.
package analysis

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
	"golang.org/x/text/cases"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Token is one index term found in a text.
type Token struct {
	// Term is the normalised, stemmed term ("Pakistan’s" → "pakistan").
	Term string
	// Position is the index of the word in the text, counting stop words,
	// so distances between positions are real word distances. The joined
	// form of a hyphenated compound shares the position of its first part.
	Position int
	// Start and End are byte offsets of the word in the original text:
	// text[Start:End] is what a highlighter should wrap.
	Start, End int
}

// maxCompoundParts bounds the joined form of hyphenated words: "e-mail" and
// "cease-fire" gain "email"/"ceasefire", but long chains such as
// "boundary-layer-control-flap-system" are not worth an extra term.
const maxCompoundParts = 3

// Analyze returns the index terms of text in order of appearance, analysed
// as English (see English; For gives other languages' analysers).
//
// Tokens are ordered by Start. Stop words are dropped (but still counted in
// Position). For a hyphenated compound such as "peace-talks" the parts
// ("peac", "talk") are emitted and, when every part is alphabetic, the joined
// form ("peacetalk") as well, so that "ceasefire" and "cease-fire" meet.
func Analyze(text string) []Token { return English.Analyze(text) }

// Analyze returns the index terms of text in order of appearance, as the
// package-level Analyze does, with this language's stop words and stemmer.
func (a *Analyzer) Analyze(text string) []Token {
	ws := words(text)
	toks := make([]Token, 0, len(ws))
	for i := 0; i < len(ws); i++ {
		w := ws[i]
		if !w.joinPrev {
			// Start of a (possibly one-part) compound: emit the joined form
			// first so tokens stay ordered by Start.
			j := i + 1
			for j < len(ws) && ws[j].joinPrev {
				j++
			}
			if parts := ws[i:j]; len(parts) > 1 && len(parts) <= maxCompoundParts && allAlpha(parts) {
				var joined, raw strings.Builder
				for _, p := range parts {
					joined.WriteString(p.norm)
					raw.WriteString(text[p.start:p.end])
				}
				toks = append(toks, Token{Term: a.term(joined.String(), raw.String()), Position: w.pos, Start: w.start, End: parts[len(parts)-1].end})
			}
		}
		if w.norm == "" || a.isStop(w, text[w.start:w.end]) {
			continue
		}
		toks = append(toks, Token{Term: a.term(w.norm, text[w.start:w.end]), Position: w.pos, Start: w.start, End: w.end})
	}
	return toks
}

// Terms returns just the terms of Analyze(text); convenient for queries.
func Terms(text string) []string { return English.Terms(text) }

// Terms returns just the terms of a.Analyze(text).
func (a *Analyzer) Terms(text string) []string {
	toks := a.Analyze(text)
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = t.Term
	}
	return out
}

// Normalize folds a word (or a short phrase such as a type-ahead prefix) the
// way Analyze does, but without stemming or stop-word removal: diacritics are
// removed, case is folded, a possessive 's and inner apostrophes are dropped.
// Words are joined by single spaces: Normalize("Pakistan’s Café") ==
// "pakistan cafe". Use it for prefix (type-ahead) matching, where a stemmed
// form of a half-typed word would be wrong.
func Normalize(s string) string {
	ws := words(s)
	parts := make([]string, 0, len(ws))
	for _, w := range ws {
		if w.norm != "" {
			parts = append(parts, w.norm)
		}
	}
	return strings.Join(parts, " ")
}

// word is a normalised (unstemmed) word with its location.
type word struct {
	norm       string
	folded     string // before apostrophes were dropped: "don't", for stop lists
	pos        int
	start, end int
	joinPrev   bool // attached to the previous word by a hyphen
}

// words splits text into words. It walks the original bytes so offsets are
// exact; invalid UTF-8 bytes act as separators.
func words(text string) []word {
	var out []word
	pos := 0
	prevEnd := -1 // end of the previous word, for hyphen compounds
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !isWordRune(r) {
			i += size
			continue
		}
		start := i
		i += size
		if isIdeograph(r) {
			// A run of CJK characters: overlapping bigrams, one position each.
			runEnd, next := i, []int{i}
			for runEnd < len(text) {
				r2, s2 := utf8.DecodeRuneInString(text[runEnd:])
				if !isIdeograph(r2) {
					break
				}
				runEnd += s2
				next = append(next, runEnd)
			}
			// next[k] is the end of the run's k-th character.
			ends := next
			starts := append([]int{start}, ends[:len(ends)-1]...)
			if len(starts) == 1 {
				w := word{pos: pos, start: start, end: ends[0]}
				w.norm, w.folded = normalizeWord(text[start:ends[0]])
				out = append(out, w)
				pos++
			}
			for k := 0; k+1 < len(starts); k++ {
				w := word{pos: pos, start: starts[k], end: ends[k+1]}
				w.norm, w.folded = normalizeWord(text[starts[k]:ends[k+1]])
				out = append(out, w)
				pos++
			}
			i = runEnd
			prevEnd = -1
			continue
		}
		i = scanWord(text, i, r)
		w := word{pos: pos, start: start, end: i}
		w.norm, w.folded = normalizeWord(text[start:i])
		w.joinPrev = prevEnd >= 0 && isHyphenJoin(text[prevEnd:start])
		out = append(out, w)
		pos++
		prevEnd = i
	}
	return out
}

// scanWord extends a word that started before i (last rune prev) and returns
// its end. Apostrophes join letters ("don’t", "O’Brien"), '.' and ',' join
// digits ("3.5", "1,000"), and invisible format characters such as the soft
// hyphen are swallowed.
func scanWord(text string, i int, prev rune) int {
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case isIdeograph(r):
			return i
		case isWordRune(r):
			// ok
		case isIgnorable(r) || isApostrophe(r) || r == '.' || r == ',':
			next, nsize := utf8.DecodeRuneInString(text[i+size:])
			ok := false
			switch {
			case isIgnorable(r):
				ok = isWordRune(next) && !isIdeograph(next)
			case isApostrophe(r):
				ok = isLetterOrDigit(prev) && unicode.IsLetter(next) && !isIdeograph(next)
			default:
				ok = unicode.IsDigit(prev) && unicode.IsDigit(next)
			}
			if !ok {
				return i
			}
			i += size
			r, size = next, nsize
		default:
			return i
		}
		i += size
		prev = r
	}
	return i
}

// isHyphenJoin reports whether the bytes between two words are a single
// hyphen ("peace-talks"), not a dash or space.
func isHyphenJoin(between string) bool {
	r, size := utf8.DecodeRuneInString(between)
	if size != len(between) {
		return false
	}
	switch r {
	case '-', '\u2010', '\u2011': // hyphen-minus, hyphen, non-breaking hyphen
		return true
	}
	return false
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r)
}

func isLetterOrDigit(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }

// isIdeograph marks scripts written without spaces (see isBigramScript).
func isIdeograph(r rune) bool { return isBigramScript(r) }

func isApostrophe(r rune) bool {
	switch r {
	case '\'', '\u2019', '\u2018', '\u02BC', '\u2032', '\uFF07':
		return true
	}
	return false
}

// isIgnorable reports invisible characters that may sit inside a word.
func isIgnorable(r rune) bool {
	switch r {
	case '\u00AD', '\u200C', '\u200D', '\u2060', '\uFEFF':
		return true
	}
	return false
}

// letterFold covers letters that Unicode does not decompose into base+accent.
var letterFold = strings.NewReplacer(
	"\u2019", "'", "\u2018", "'", "\u02BC", "'", "\u2032", "'",
	"ø", "o", "ł", "l", "đ", "d", "ð", "d", "þ", "th", "æ", "ae", "œ", "oe", "ı", "i",
)

// fold applies compatibility normalisation, removes diacritics and invisible
// format characters, and folds case.
func fold(s string) string {
	if isASCII(s) {
		return strings.ToLower(s)
	}
	// Transformers are stateful, so build a chain per call (slow path only).
	t := transform.Chain(norm.NFKD, cases.Fold(), norm.NFKD,
		runes.Remove(runes.Predicate(func(r rune) bool {
			return (unicode.Is(unicode.Mn, r) && !keepsMarks(r)) || unicode.Is(unicode.Cf, r)
		})), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = strings.ToLower(s)
	}
	return foldScripts(letterFold.Replace(out))
}

// normalizeWord folds one raw word: the clean form (letters, digits, inner
// decimal points) and the folded form before apostrophes are dropped, which
// stop lists of contractions ("don't") need.
func normalizeWord(raw string) (clean, folded string) {
	w := fold(raw)
	w = strings.TrimSuffix(w, "'s")
	w = strings.Trim(w, "'")
	// Keep letters, digits and decimal points; drops apostrophes ("o'brien" →
	// "obrien"), thousands separators ("1,000" → "1000") and stray symbols
	// produced by compatibility decomposition ("½" → "1⁄2" → "12").
	clean = strings.Map(func(r rune) rune {
		if isLetterOrDigit(r) || r == '.' || (unicode.IsMark(r) && keepsMarks(r)) {
			return r
		}
		return -1
	}, w)
	return strings.Trim(clean, "."), w
}

// stemEnglish applies the English Snowball stemmer to plain ASCII words only:
// it would mangle numbers ("1950s") and knows nothing of other scripts.
func stemEnglish(w string) string {
	for i := 0; i < len(w); i++ {
		if c := w[i]; c < 'a' || c > 'z' {
			return w
		}
	}
	return english.Stem(w, true)
}

func allAlpha(ws []word) bool {
	for _, w := range ws {
		if w.norm == "" {
			return false
		}
		for _, r := range w.norm {
			if !unicode.IsLetter(r) {
				return false
			}
		}
	}
	return true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
