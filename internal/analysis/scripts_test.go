package analysis

import (
	"slices"
	"testing"
)

// What readers type and what editors stored meet, whichever letter forms
// each used.
func TestScriptsMeetAcrossLetterVariants(t *testing.T) {
	for _, tc := range []struct {
		name, stored, typed string
	}{
		{"Urdu yeh typed as Arabic yeh", "پاکستانی", "پاكستاني"},
		{"Urdu heh goal typed as Arabic heh", "وزیراعظم کا دورہ", "وزيراعظم دوره"},
		{"alef with hamza", "أفغانستان", "افغانستان"},
		{"alef madda", "آزادی", "ازادی"},
		{"teh marbuta", "مدرسة", "مدرسه"},
		{"harakat", "مُحَمَّد", "محمد"},
		{"tatweel", "پاکـــستان", "پاکستان"},
		{"Arabic-Indic digits", "٢٠٢٦", "2026"},
		{"Extended Arabic-Indic digits", "۲۰۲۶", "2026"},
		{"Devanagari nukta", "ज़िंदगी", "जिंदगी"},
		{"Devanagari chandrabindu", "माँ", "मां"},
		{"Devanagari digits", "२०२६", "2026"},
		{"CJK word inside a sentence", "北京大学的学生", "北京大学"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stored, typed := Terms(tc.stored), Terms(tc.typed)
			if len(typed) == 0 {
				t.Fatalf("Terms(%q) is empty", tc.typed)
			}
			for _, term := range typed {
				if !slices.Contains(stored, term) {
					t.Errorf("typed %q → %q; stored %q → %q: %q does not meet", tc.typed, typed, tc.stored, stored, term)
				}
			}
		})
	}
}

// Hindi keeps its vowel signs and virama: they distinguish words.
func TestDevanagariKeepsVowelSigns(t *testing.T) {
	if a, b := Terms("कुल"), Terms("कल"); slices.Equal(a, b) {
		t.Errorf("कुल (total) and कल (tomorrow) fold to the same term %q", a)
	}
	if got := Terms("हिन्दी"); !slices.Equal(got, []string{"हिन्दी"}) {
		t.Errorf("Terms(हिन्दी) = %q", got)
	}
}

func TestUrduAndArabicFunctionWordsAreStopWords(t *testing.T) {
	got := Terms("وزیراعظم کا امریکہ کا دورہ اور افغان امن مذاکرات")
	want := Terms("وزیراعظم امریکہ دورہ افغان امن مذاکرات")
	if !slices.Equal(got, want) {
		t.Errorf("Terms = %q, want %q", got, want)
	}
	if got := Terms("في القدس"); !slices.Equal(got, []string{"القدس"}) {
		t.Errorf("Terms(في القدس) = %q", got)
	}
}

func TestCJKBigramOffsetsCoverBothCharacters(t *testing.T) {
	text := "在北京"
	toks := Analyze(text)
	if len(toks) != 2 || text[toks[0].Start:toks[0].End] != "在北" || text[toks[1].Start:toks[1].End] != "北京" || toks[1].Position != 1 {
		t.Errorf("Analyze(%q) = %+v", text, toks)
	}
}
