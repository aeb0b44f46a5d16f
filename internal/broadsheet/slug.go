package broadsheet

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxSlugLen is the contract's limit on a slug's length, in characters.
const MaxSlugLen = 120

// ValidSlug reports whether s is a slug as the contract defines it: Unicode
// letters, digits and marks in lower case, NFC, in words joined by single
// hyphens, at most MaxSlugLen characters, and in the canonical form Slugify
// gives (Latin letters are ASCII: "strasse", never "straße"), so that one
// headline can never have two slugs. Every ASCII slug of the first contract
// (`^[a-z0-9]+(?:-[a-z0-9]+)*$`, ≤ 120) stays valid.
func ValidSlug(s string) bool {
	return s != "" && len(s) <= 4*MaxSlugLen && Slugify(s) == s
}

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

// Slugify turns a title, a tag or an author's name into a slug. Latin
// letters fold to ASCII the way readers expect (diacritics stripped, ß → ss,
// Ł → l, æ → ae, …); other scripts keep their letters, lower-cased where they
// have case, with the marks that are part of a letter (Devanagari vowel
// signs) and without the optional ones (Arabic harakat, tatweel) or invisible
// joiners; digits stay, full-width ones as ASCII. Every run of anything else
// is one hyphen, and the slug is cut at a word boundary to MaxSlugLen
// characters. Only text with no letters or digits at all gives "".
func Slugify(s string) string {
	s = norm.NFC.String(strings.ToValidUTF8(s, " "))
	var b strings.Builder
	pendingHyphen, afterLetter := false, false
	word := "" // the script of the current word's letters
	write := func(w string) {
		if pendingHyphen && b.Len() > 0 {
			b.WriteByte('-')
		}
		if pendingHyphen {
			word = ""
		}
		pendingHyphen = false
		b.WriteString(w)
	}
	// writeLetter starts a new word where the script changes: a word is
	// never mixed-script, so a look-alike slug ("pm-us-visit-аfghan" with a
	// Cyrillic а) can never pass for another (UTS #39, single script).
	writeLetter := func(w, script string) {
		if word != "" && !pendingHyphen && !sameWriting(word, script) {
			pendingHyphen = true
		}
		write(w)
		if word == "" || word == "Han" {
			word = script // Han within kana or Hangul takes the word's script
		}
	}
	for _, r := range s {
		switch {
		case isApostrophe(r), r == '\u200c', r == '\u200d', r == '\u0640':
			// Joins the letters around it: "Pakistan's" → "pakistans"; ZWNJ,
			// ZWJ and tatweel only shape the letters.
		case r < utf8.RuneSelf:
			if afterLetter = unicode.IsLetter(r) || unicode.IsDigit(r); afterLetter {
				if unicode.IsLetter(r) {
					writeLetter(string(unicode.ToLower(r)), "Latin")
				} else {
					write(string(r))
				}
			} else {
				pendingHyphen = true
			}
		case unicode.Is(unicode.Latin, r):
			writeLetter(foldLatin(r), "Latin")
			afterLetter = false // marks on Latin letters were folded away
		case unicode.IsDigit(r):
			if d := norm.NFKC.String(string(r)); len(d) == 1 && d[0] >= '0' && d[0] <= '9' {
				write(d)
			} else {
				write(string(r))
			}
			afterLetter = true
		case unicode.IsLetter(r):
			writeLetter(string(unicode.ToLower(r)), scriptOf(r))
			afterLetter = true
		case unicode.In(r, unicode.Mn, unicode.Mc) && afterLetter:
			if !isArabicHaraka(r) {
				b.WriteRune(r)
			}
		default:
			pendingHyphen, afterLetter = true, false
		}
	}
	return cutSlug(b.String())
}

// commonScripts are tried first: the scripts newsrooms write in.
var commonScripts = []string{"Cyrillic", "Arabic", "Devanagari", "Han", "Greek", "Bengali", "Hiragana", "Katakana",
	"Hangul", "Hebrew", "Thai", "Gurmukhi", "Tamil", "Telugu", "Gujarati", "Kannada", "Malayalam", "Sinhala",
	"Armenian", "Georgian", "Ethiopic"}

// scriptOf names the Unicode script of a letter ("" when it has none).
func scriptOf(r rune) string {
	for _, name := range commonScripts {
		if unicode.Is(unicode.Scripts[name], r) {
			return name
		}
	}
	for name, table := range unicode.Scripts {
		if name != "Common" && name != "Inherited" && unicode.Is(table, r) {
			return name
		}
	}
	return ""
}

// sameWriting: two scripts one word may mix, because a language writes
// with both (Japanese: Han with kana; Korean: Han with Hangul).
func sameWriting(a, b string) bool {
	if a == b {
		return true
	}
	japanese := func(s string) bool { return s == "Han" || s == "Hiragana" || s == "Katakana" }
	korean := func(s string) bool { return s == "Han" || s == "Hangul" }
	return (japanese(a) && japanese(b)) || (korean(a) && korean(b))
}

// foldLatin spells a non-ASCII Latin letter in ASCII: its base letter
// without marks (NFKD also splits ligatures such as "ﬁ"), or the spelling
// latinLetters gives the letters that have no base letter.
func foldLatin(r rune) string {
	r = unicode.ToLower(r)
	if s, ok := latinLetters[r]; ok {
		return s
	}
	var b strings.Builder
	for _, x := range norm.NFKD.String(string(r)) {
		switch {
		case x < utf8.RuneSelf && (unicode.IsLetter(x) || unicode.IsDigit(x)):
			b.WriteRune(unicode.ToLower(x))
		case latinLetters[unicode.ToLower(x)] != "":
			b.WriteString(latinLetters[unicode.ToLower(x)])
		}
	}
	return b.String()
}

// isArabicHaraka is an optional Arabic-script vowel or reading mark (the
// harakat, shadda, sukun, superscript alef, Quranic marks): text is written
// with or without them, so a slug never keeps them.
func isArabicHaraka(r rune) bool {
	return (r >= 0x064B && r <= 0x065F) || r == 0x0670 || (r >= 0x06D6 && r <= 0x06ED) || (r >= 0x08D3 && r <= 0x08FF)
}

// cutSlug shortens a well-formed slug to MaxSlugLen characters, at the last
// hyphen when one falls in the second half, so that a long title keeps whole
// words.
func cutSlug(s string) string {
	r := []rune(s)
	if len(r) <= MaxSlugLen {
		return s
	}
	if r[MaxSlugLen] == '-' {
		return string(r[:MaxSlugLen])
	}
	cut := r[:MaxSlugLen]
	for i := len(cut) - 1; i > MaxSlugLen/2; i-- {
		if cut[i] == '-' {
			return string(cut[:i])
		}
	}
	// No word boundary: cut, but never between a letter and its marks.
	for len(cut) > 1 && unicode.In(cut[len(cut)-1], unicode.Mn, unicode.Mc) {
		cut = cut[:len(cut)-1]
	}
	return strings.TrimRight(string(cut), "-")
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
