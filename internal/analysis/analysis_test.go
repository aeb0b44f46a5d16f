package analysis

import (
	"slices"
	"testing"
	"unicode/utf8"
)

func TestAnalyzeTerms(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"empty", "", nil},
		{"only punctuation and spaces", " \t—…!? ", nil},
		{"stop words only", "The and of it", nil},
		{"stemming", "Running runners ran", []string{"run", "runner", "ran"}},
		{"typographic possessive", "Pakistan’s army", []string{"pakistan", "armi"}},
		{"ascii possessive", "Pakistan's army", []string{"pakistan", "armi"}},
		{"plural possessive", "the students' union", []string{"student", "union"}},
		{"contraction is a stop word", "they don’t know", []string{"know"}},
		{"apostrophe inside a name", "O’Brien said", []string{"obrien", "said"}},
		{"curly quotes are not part of words", "“Hello” ‘world’", []string{"hello", "world"}},
		{"prime as apostrophe", "Pakistan′s", []string{"pakistan"}},
		{"hyphen: parts and joined form", "peace-talks", []string{"peacetalk", "peac", "talk"}},
		{"hyphen joins e-mail and email", "e-mail", []string{"email", "e", "mail"}},
		{"long hyphen chains keep only parts", "state-of-the-art", []string{"state", "art"}},
		{"dashes separate without joining", "Paris–Berlin — today", []string{"pari", "berlin", "today"}},
		{"accents folded", "Café naïve résumé", []string{"cafe", "naiv", "resum"}},
		{"undecomposable letters", "Øresund Łódź", []string{"oresund", "lodz"}},
		{"case and ß folding", "STRASSE Straße", []string{"strass", "strass"}},
		{"ligature and full-width", "ﬁnance ２０２６", []string{"financ", "2026"}},
		{"soft hyphen is invisible", "news\u00ADpaper", []string{"newspap"}},
		{"years and decimals", "In 2026 growth was 3.5%.", []string{"2026", "growth", "3.5"}},
		{"thousands separator", "1,000 troops", []string{"1000", "troop"}},
		{"sentence dot after number", "ended in 1999.", []string{"end", "1999"}},
		{"alphanumerics are not stemmed", "1950s mp3", []string{"1950s", "mp3"}},
		{"cyrillic kept whole, unstemmed", "Москва news", []string{"москва", "news"}},
		{"greek accents folded", "Αθήνα", []string{"αθηνα"}},
		{"a CJK run becomes overlapping bigrams", "東京大学 tower", []string{"東京", "京大", "大学", "tower"}},
		{"a lone CJK character stays a unigram", "中 tower", []string{"中", "tower"}},
		{"invalid utf-8 separates", "bad\xffbyte", []string{"bad", "byte"}},
		{"kept prepositions", "vote against", []string{"vote", "against"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Terms(tt.text); !slices.Equal(got, tt.want) {
				t.Errorf("Terms(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestAnalyzeOffsetsPointAtOriginalWords(t *testing.T) {
	text := "“Pakistan’s” café, peace-talks"
	want := []struct {
		term, original string
		pos            int
	}{
		{"pakistan", "Pakistan’s", 0},
		{"cafe", "café", 1},
		{"peacetalk", "peace-talks", 2},
		{"peac", "peace", 2},
		{"talk", "talks", 3},
	}
	got := Analyze(text)
	if len(got) != len(want) {
		t.Fatalf("Analyze(%q) = %+v, want %d tokens", text, got, len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Term != w.term || text[g.Start:g.End] != w.original || g.Position != w.pos {
			t.Errorf("token %d = %q %q pos %d, want %q %q pos %d",
				i, g.Term, text[g.Start:g.End], g.Position, w.term, w.original, w.pos)
		}
	}
}

func TestPositionsCountStopWords(t *testing.T) {
	got := Analyze("the war in the north")
	if len(got) != 2 || got[0].Position != 1 || got[1].Position != 4 {
		t.Errorf("positions = %+v, want war@1 north@4", got)
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"Pakistan’s", "pakistan"},
		{"Café", "cafe"},
		{"Running", "running"}, // not stemmed
		{"The", "the"},         // not stop-filtered
		{"  New   YORK ", "new york"},
		{"Paki", "paki"}, // a type-ahead prefix stays a prefix
		{"O’Bri", "obri"},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// checkInvariants is shared by the fuzz target and the seed test.
func checkInvariants(t *testing.T, text string) {
	t.Helper()
	prevStart, prevPos := 0, 0
	for i, tok := range Analyze(text) {
		if tok.Term == "" {
			t.Fatalf("token %d has an empty term: %+v", i, tok)
		}
		if !utf8.ValidString(tok.Term) {
			t.Fatalf("token %d term is not valid UTF-8: %q", i, tok.Term)
		}
		if tok.Start < 0 || tok.Start >= tok.End || tok.End > len(text) {
			t.Fatalf("token %d offsets [%d,%d) out of bounds (len %d)", i, tok.Start, tok.End, len(text))
		}
		if tok.Start < prevStart || tok.Position < prevPos {
			t.Fatalf("token %d out of order: %+v after start %d pos %d", i, tok, prevStart, prevPos)
		}
		prevStart, prevPos = tok.Start, tok.Position
	}
	_ = Normalize(text)
}

func FuzzAnalyze(f *testing.F) {
	for _, s := range []string{
		"", "Pakistan’s peace-talks don’t", "Café ２０２６ 3.5 1,000", "東京 Москва",
		"bad\xff\xfe utf8", "news\u00ADpaper", "a-", "-a", "'s", "’’’", "1.2.3", "İstanbul ǅ ﬃ",
	} {
		f.Add(s)
	}
	f.Fuzz(checkInvariants)
}
