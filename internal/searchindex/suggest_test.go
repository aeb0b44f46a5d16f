package searchindex

import (
	"slices"
	"testing"
)

// osa is the optimal string alignment distance (Levenshtein plus adjacent
// transpositions), the reference withinOne must agree with.
func osa(a, b []rune) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

func FuzzWithinOne(f *testing.F) {
	for _, s := range [][2]string{{"peace", "paece"}, {"govern", "goverment"}, {"", "a"}, {"ab", "ba"}, {"é", "e"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		ra, rb := []rune(a), []rune(b)
		if got, want := withinOne(ra, rb), osa(ra, rb) <= 1; got != want {
			t.Fatalf("withinOne(%q, %q) = %v, osa = %d", a, b, got, osa(ra, rb))
		}
	})
}

// TestTypoKeysMeet checks the deletion-neighbourhood property the suggest
// index relies on: a typed prefix with one edit in its first 5 letters shares
// a key with the word it was meant to be.
func TestTypoKeysMeet(t *testing.T) {
	word := "government"
	for _, typed := range []string{"goverment", "govenrment", "gpvernm", "gvernme", "goovern", "xovern", "governmnet"} {
		keys := deletionKeys(typed)
		shared := false
		for _, k := range deletionKeys(word) {
			shared = shared || slices.Contains(keys, k)
		}
		if !shared || matchPrefix(typed, word) != 1 {
			t.Errorf("%q vs %q: shared key %v, match %d", typed, word, shared, matchPrefix(typed, word))
		}
	}
	if matchPrefix("gover", word) != 2 || matchPrefix("govx", word) != 0 || matchPrefix("gxvxrn", word) != 0 {
		t.Error("exact prefix, short typo or two typos misjudged")
	}
}
