package broadsheet

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// MaxSlugLen is the contract's limit on a slug's length, in bytes (a slug is ASCII).
const MaxSlugLen = 120

var slugPattern = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)

// ValidSlug reports whether s is a slug as the contract defines it: lower-case
// ASCII letters and digits in words joined by single hyphens, at most
// MaxSlugLen characters.
func ValidSlug(s string) bool { return len(s) <= MaxSlugLen && slugPattern.MatchString(s) }

// latinLetters spells the Latin letters that Unicode does not decompose into
// an ASCII base letter plus combining marks, so stripping marks alone would
// drop them ("Łódź" would become "odz"). Keys are lower case: Slugify lowers
// before it looks them up.
var latinLetters = map[rune]string{
	'ß': "ss", // German; upper-case ẞ lowers to it
	'æ': "ae", // Danish, Norwegian, Icelandic, French ligature
	'œ': "oe", // French
	'ø': "o",  // Danish, Norwegian
	'ł': "l",  // Polish
	'đ': "d",  // Vietnamese, Croatian, Serbian Latin
	'ð': "d",  // Icelandic, Faroese
	'þ': "th", // Icelandic
	'ı': "i",  // Turkish dotless i
	'ħ': "h",  // Maltese
	'ŧ': "t",  // Northern Sami
	'ŋ': "ng", // Sami
	'ĸ': "k",  // Greenlandic
}

// apostrophes join the letters around them: "Pakistan's" → "pakistans", not
// "pakistan-s".
func isApostrophe(r rune) bool { return r == '\'' || r == '’' || r == 'ʼ' }

// Slugify turns a title, a tag or an author's name into a slug: Latin
// letters folded to ASCII (diacritics stripped, ß → ss, Ł → l, æ → ae, …),
// lower case, every run of anything else one hyphen, and cut at a word
// boundary to MaxSlugLen. Scripts with no Latin letters (Urdu, Arabic, Hindi,
// Chinese, …) give "": the caller decides what that means (the editor API
// asks for an explicit slug; an import may fall back to an id).
func Slugify(s string) string {
	// NFKD splits "é" into "e" plus a combining accent and ligatures such as
	// "ﬁ" into "fi"; the chain is built per call because transformers keep state.
	stripMarks := transform.Chain(norm.NFKD, runes.Remove(runes.In(unicode.Mn)))
	folded, _, err := transform.String(stripMarks, s)
	if err != nil {
		folded = s // invalid UTF-8 runes then fall through as separators
	}
	var b strings.Builder
	pendingHyphen := false
	word := func(w string) {
		if pendingHyphen && b.Len() > 0 {
			b.WriteByte('-')
		}
		pendingHyphen = false
		b.WriteString(w)
	}
	for _, r := range strings.ToLower(folded) {
		switch {
		case isApostrophe(r):
		case r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			word(string(r))
		case latinLetters[r] != "":
			word(latinLetters[r])
		default:
			pendingHyphen = true
		}
	}
	return cutSlug(b.String())
}

// cutSlug shortens a well-formed slug to MaxSlugLen, at the last hyphen when
// one falls in the second half, so that a long title keeps whole words.
func cutSlug(s string) string {
	if len(s) <= MaxSlugLen {
		return s
	}
	if s[MaxSlugLen] == '-' {
		return s[:MaxSlugLen]
	}
	cut := s[:MaxSlugLen]
	if i := strings.LastIndexByte(cut, '-'); i > MaxSlugLen/2 {
		return cut[:i]
	}
	return strings.TrimRight(cut, "-")
}

// NormalizeTags turns tags into the slugs the server stores ("New York" →
// "new-york"), dropping those that slug to nothing and duplicates, keeping the
// first occurrence's order. A nil slice stays nil.
func NormalizeTags(tags []string) []string {
	out := tags[:0:0]
	seen := map[string]bool{}
	for _, t := range tags {
		t = Slugify(t)
		if t != "" && !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}
