package editorclient

import (
	"net/url"
	"regexp"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// MaxSlugLen is the contract's limit on slug length.
const MaxSlugLen = 120

var slugRe = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)

// ValidSlug reports whether s is a slug the API accepts.
func ValidSlug(s string) bool { return len(s) <= MaxSlugLen && slugRe.MatchString(s) }

// special letters that do not decompose into a base letter plus marks.
var translit = map[rune]string{
	'ß': "ss", 'æ': "ae", 'Æ': "ae", 'ø': "o", 'Ø': "o", 'œ': "oe", 'Œ': "oe",
	'đ': "d", 'Đ': "d", 'ł': "l", 'Ł': "l", 'þ': "th", 'Þ': "th", 'ð': "d", 'Ð': "d",
	'ı': "i", '&': "-and-",
}

// Slugify makes a contract slug from s: percent-decoded (WordPress stores
// non-ASCII slugs percent-encoded), accents removed, lower-cased, runs of
// anything else turned into single hyphens, cut to MaxSlugLen at a hyphen.
// It returns "" when nothing usable is left (a title in a non-Latin script,
// say).
func Slugify(s string) string {
	if d, err := url.PathUnescape(s); err == nil {
		s = d
	}
	var b strings.Builder
	for _, r := range norm.NFKD.String(s) {
		if t, ok := translit[r]; ok {
			b.WriteString(t)
			continue
		}
		switch {
		case unicode.Is(unicode.Mn, r):
			// combining mark left by decomposition: drop
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(unicode.ToLower(r))
		case r == '\'' || r == '’' || r == 'ʼ':
			// apostrophes vanish: "don't" → "dont"
		default:
			b.WriteByte('-')
		}
	}
	parts := strings.FieldsFunc(b.String(), func(r rune) bool { return r == '-' })
	out := strings.Join(parts, "-")
	for len(out) > MaxSlugLen {
		i := strings.LastIndexByte(out[:MaxSlugLen+1], '-')
		if i <= 0 {
			out = out[:MaxSlugLen]
			break
		}
		out = out[:i]
	}
	return strings.Trim(out, "-")
}

// MaxTags is how many tags the server keeps on an article.
const MaxTags = 10

// NormalizeTags turns tags into the slugs the server stores ("New York" →
// "new-york"), dropping empty ones and duplicates, keeping order.
func NormalizeTags(tags []string) []string {
	out := []string{}
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
