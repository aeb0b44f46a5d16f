package searchindex

import (
	"sort"
	"strings"

	"broadsheet/internal/analysis"
	"broadsheet/internal/dynamo"
)

// Type-ahead keys. Every distinct title word w (normalised, not a stop word,
// at least 2 letters) gets an item under SUG#<first 2 letters of w> with sort
// key <w>#<docId>: a prefix query is begins_with on one partition. Words of
// at least TypoMinLen letters also get items under SUG#~<k> for each k among
// the 4-letter deletion neighbours of their first 5 letters; a typed prefix
// with one edit (substitution, insertion, deletion, transposition) in its
// first 5 letters shares one of those neighbours, and one typo after the 5th
// letter leaves the first 5 intact. Candidates are then checked with an edit
// distance filter.
const (
	TypoMinLen   = 5
	minKeyLen    = 2
	typoKeyChars = 5
)

// titleWords are the normalised, deduplicated, non-stop words of a title.
func titleWords(title string) []string {
	var out []string
	seen := map[string]bool{}
	for _, w := range strings.Fields(analysis.Normalize(title)) {
		if len([]rune(w)) < minKeyLen || analysis.IsStopWord(w) || seen[w] {
			continue
		}
		seen[w] = true
		out = append(out, w)
	}
	return out
}

func prefixRunes(w string, n int) string {
	r := []rune(w)
	if len(r) > n {
		r = r[:n]
	}
	return string(r)
}

// deletionKeys are the distinct strings made by deleting one letter from the
// first typoKeyChars letters of w.
func deletionKeys(w string) []string {
	r := []rune(prefixRunes(w, typoKeyChars))
	seen := map[string]bool{}
	var out []string
	for i := range r {
		k := string(r[:i]) + string(r[i+1:])
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

// suggestItems returns the suggest item keys ("pk sk") of an article, a hash
// of their shared content, and the items by key.
func suggestItems(a *Article) ([]string, string, map[string]SuggestItem) {
	norm := analysis.Normalize(a.Title)
	items := map[string]SuggestItem{}
	add := func(pk, w string) {
		k := pk + " " + dynamo.SuggestSK(w, a.ID)
		if _, ok := items[k]; ok {
			return
		}
		items[k] = SuggestItem{Key: k, DocID: a.ID, Title: a.Title, Slug: a.Slug, W: norm, P: a.PublishedAt.Unix()}
	}
	for _, w := range titleWords(a.Title) {
		add(dynamo.SuggestPK(prefixRunes(w, minKeyLen)), w)
		if len([]rune(w)) >= TypoMinLen {
			for _, k := range deletionKeys(w) {
				add(dynamo.TypoSuggestPK(k), w)
			}
		}
	}
	keys := make([]string, 0, len(items))
	for k := range items {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys, hashStrings(a.Title, a.Slug, a.PublishedAtRaw), items
}

// withinOne reports whether the optimal-string-alignment distance between a
// and b is at most 1.
func withinOne(a, b []rune) bool {
	if abs(len(a)-len(b)) > 1 {
		return false
	}
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	if i == len(a) && i == len(b) {
		return true
	}
	ra, rb := a[i:], b[i:]
	eq := func(x, y []rune) bool { return string(x) == string(y) }
	switch {
	case len(a) == len(b):
		if eq(ra[1:], rb[1:]) {
			return true // substitution
		}
		return len(ra) >= 2 && ra[0] == rb[1] && ra[1] == rb[0] && eq(ra[2:], rb[2:]) // transposition
	case len(a) > len(b):
		return eq(ra[1:], rb)
	default:
		return eq(ra, rb[1:])
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// matchPrefix reports how typed (a word being typed) matches word: 2 for an
// exact prefix, 1 for a prefix with one typo (typed of TypoMinLen letters or
// more), 0 for no match.
func matchPrefix(typed, word string) int {
	if strings.HasPrefix(word, typed) {
		return 2
	}
	t, w := []rune(typed), []rune(word)
	if len(t) < TypoMinLen {
		return 0
	}
	for l := len(t) - 1; l <= len(t)+1; l++ {
		if l >= 1 && l <= len(w) && withinOne(t, w[:l]) {
			return 1
		}
	}
	return 0
}
