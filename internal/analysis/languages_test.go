package analysis

import (
	"slices"
	"testing"
)

func TestLanguagesAnalyse(t *testing.T) {
	for _, tc := range []struct {
		lang, text string
		want       []string
	}{
		{"en", "Running elections", []string{"run", "elect"}},
		{"en-GB", "Running elections", []string{"run", "elect"}},
		{"", "Running elections", []string{"run", "elect"}},
		{"es", "Las elecciones generales de 2026", []string{"es/eleccion", "es/general", "2026"}},
		{"es-MX", "la elección", []string{"es/eleccion"}},
		{"fr", "L'élection présidentielle", []string{"fr/elect", "fr/presidentiel"}},
		{"ru", "Выборы в Государственную думу", []string{"ru/выбор", "ru/государствен", "ru/дум"}},
		{"de", "Die Wähler in der Straße", []string{"de/wahler", "de/strasse"}},
		{"de", "Waehler Strasse Quelle", []string{"de/wahler", "de/strasse", "de/quelle"}},
		{"de", "Berlin 2026: news", []string{"de/berlin", "2026", "de/news"}},
		{"ru", "Москва and London", []string{"ru/москв", "and", "london"}}, // English stop words are English's
		{"ur", "وزیراعظم کا امریکہ کا دورہ", []string{"وزیراعظم", "امریکه", "دوره"}},
		{"fa", "سفر به تهران", []string{"سفر", "تهران"}},
		{"hi", "भारत के चुनाव में", []string{"भारत", "चुनाव"}},
		{"zh", "北京大学", []string{"北京", "京大", "大学"}},
		{"pl", "Łódź", []string{"lodz"}},
	} {
		if got := For(tc.lang).Terms(tc.text); !slices.Equal(got, tc.want) {
			t.Errorf("For(%q).Terms(%q) = %q, want %q", tc.lang, tc.text, got, tc.want)
		}
	}
}

// English analysis is what Analyze always was: the For("en") analyser is
// the package default, so an index written before languages existed is
// read with the same terms.
func TestEnglishIsTheDefault(t *testing.T) {
	for _, lang := range []string{"", "en", "en-US", "zh", "ja", "ko", "pl", "tr", "xx"} {
		if For(lang) != English {
			t.Errorf("For(%q) = %s, want English", lang, For(lang).Name())
		}
	}
}

func TestQueryTermsMergeLanguages(t *testing.T) {
	got := QueryTerms("elecciones 2026 2026", []string{"en", "es", "es-MX"})
	want := []string{"eleccion", "es/eleccion", "2026", "2026"}
	if !slices.Equal(got, want) {
		t.Errorf("QueryTerms = %q, want %q", got, want)
	}
	if got := QueryTerms("peace talks", nil); !slices.Equal(got, Terms("peace talks")) {
		t.Errorf("QueryTerms without languages = %q, want English %q", got, Terms("peace talks"))
	}
	if FamilyOf("es/eleccion") != "es" || FamilyOf("elect") != "" {
		t.Error("FamilyOf")
	}
}
