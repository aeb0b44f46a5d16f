package broadsheet

import (
	"errors"
	"strings"
	"testing"
)

// Headlines as newsrooms write them, and the slugs readers see in URLs.
func TestSlugifyHeadlines(t *testing.T) {
	tests := []struct {
		lang, title, want string
	}{
		{"English", "PM’s US visit: “Afghan peace talks” back on track", "pms-us-visit-afghan-peace-talks-back-on-track"},
		{"English", "Hello, World!", "hello-world"},
		{"English", "Tom & Jerry: 100% of the 2026 budget", "tom-jerry-100-of-the-2026-budget"},
		{"German", "Straße in Köln gesperrt: Anwohner ärgern sich über Baustelle", "strasse-in-koln-gesperrt-anwohner-argern-sich-uber-baustelle"},
		{"German", "GROẞE KOALITION", "grosse-koalition"},
		{"Polish", "Łódź: protest przed urzędem miasta", "lodz-protest-przed-urzedem-miasta"},
		{"Polish", "Żółć i gęślą jaźń", "zolc-i-gesla-jazn"},
		{"French", "Élection à Lahore : l’opposition conteste les résultats", "election-a-lahore-lopposition-conteste-les-resultats"},
		{"French", "Œuvres d'art volées retrouvées à Nîmes", "oeuvres-dart-volees-retrouvees-a-nimes"},
		{"Turkish", "İstanbul’da deprem tatbikatı: Şişli ve Üsküdar’da sirenler çaldı", "istanbulda-deprem-tatbikati-sisli-ve-uskudarda-sirenler-caldi"},
		{"Vietnamese", "Đà Nẵng đón hơn một triệu lượt khách quốc tế", "da-nang-don-hon-mot-trieu-luot-khach-quoc-te"},
		{"Danish", "Ærø og Søby får ny færge", "aero-og-soby-far-ny-faerge"},
		{"Icelandic", "Þórshöfn: veðrið í dag", "thorshofn-vedrid-i-dag"},
		{"Spanish", "¿Qué pasó en la Cumbre de Cancún?", "que-paso-en-la-cumbre-de-cancun"},
		{"Czech", "Průzkum: Češi chtějí euro", "pruzkum-cesi-chteji-euro"},
		{"Romanian", "Guvernul își asumă răspunderea", "guvernul-isi-asuma-raspunderea"},
		{"ligature", "Oﬃcial ﬁgures", "official-figures"},
		{"mixed scripts", "Budget 2026: بجٹ پر بحث", "budget-2026"},
		{"already a slug", "pm-us-visit-afghan-peace-talks", "pm-us-visit-afghan-peace-talks"},
		{"separators only", "  --a--b--  ", "a-b"},
		// No Latin letters: no slug. The editor API then asks for one
		// (TestTitleWithoutLatinLettersNeedsASlug).
		{"Urdu", "وزیراعظم کا دورہ امریکہ: افغان امن مذاکرات دوبارہ شروع", ""},
		{"Arabic", "محادثات السلام تستأنف في الدوحة", ""},
		{"Hindi", "बजट सत्र में हंगामा", ""},
		{"Chinese", "北京时间", ""},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.lang+"/"+tt.title, func(t *testing.T) {
			got := Slugify(tt.title)
			if got != tt.want {
				t.Errorf("Slugify(%q) = %q, want %q", tt.title, got, tt.want)
			}
			if got != "" && !ValidSlug(got) {
				t.Errorf("Slugify(%q) = %q is not a valid slug", tt.title, got)
			}
		})
	}
}

func TestSlugifyCutsLongTitlesAtAWord(t *testing.T) {
	words := strings.Repeat("word ", 40) // 199 characters as a slug
	if got, want := Slugify(words), strings.TrimSuffix(strings.Repeat("word-", 24), "-"); got != want {
		t.Errorf("got %q (%d), want %q", got, len(got), want)
	}
	exact := strings.Repeat("abcd-", 24) + "x" // the 121st character starts a word
	if got := Slugify(exact); got != strings.Repeat("abcd-", 23)+"abcd" {
		t.Errorf("got %q", got)
	}
	oneWord := strings.Repeat("a", 200) // no hyphen to cut at
	if got := Slugify(oneWord); got != strings.Repeat("a", MaxSlugLen) {
		t.Errorf("got %q", got)
	}
	longTail := "short-" + strings.Repeat("b", 200) // the only hyphen is too early to cut at
	if got := Slugify(longTail); len(got) != MaxSlugLen || !ValidSlug(got) {
		t.Errorf("got %q (%d)", got, len(got))
	}
}

func TestValidSlug(t *testing.T) {
	for s, want := range map[string]bool{
		"pm-us-visit":                     true,
		"2026":                            true,
		"a":                               true,
		strings.Repeat("a", MaxSlugLen):   true,
		strings.Repeat("a", MaxSlugLen+1): false,
		"":                                false,
		"Not-Lower":                       false,
		"double--hyphen":                  false,
		"-leading":                        false,
		"trailing-":                       false,
		"under_score":                     false,
		"straße":                          false,
		"caf%C3%A9":                       false,
		"space in":                        false,
		strings.Repeat("ab-", 40) + "c":   false, // 121 characters
		strings.Repeat("ab-", 39) + "abc": true,  // 120 characters
	} {
		if got := ValidSlug(s); got != want {
			t.Errorf("ValidSlug(%q) = %v, want %v", s, got, want)
		}
	}
}

// The editor API derives a slug from the title when none is sent; a title
// with no Latin letters derives none, and the answer names the slug field so
// the editor knows to send one.
func TestTitleWithoutLatinLettersNeedsASlug(t *testing.T) {
	in := ArticleInput{Title: "بجٹ پر بحث", Body: "متن", Author: Author{Name: "Amina Qureshi"}}
	in.Normalize()
	err := in.Validate()
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeValidation || e.Fields["slug"] == "" || len(e.Fields) != 1 {
		t.Fatalf("Validate() = %v, want only a slug field error", err)
	}

	in = ArticleInput{Title: "بجٹ پر بحث", Body: "متن", Author: Author{Name: "Amina Qureshi"}, Slug: "budget-debate"}
	in.Normalize()
	if err := in.Validate(); err != nil {
		t.Fatalf("with an explicit slug: %v", err)
	}
}

func TestNormalizeTags(t *testing.T) {
	got := NormalizeTags([]string{"New York", "pakistan", "Pakistan", "Łódź", "بجٹ", "", "new-york"})
	want := []string{"new-york", "pakistan", "lodz"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("NormalizeTags = %q, want %q", got, want)
	}
	if NormalizeTags(nil) != nil {
		t.Error("nil tags must stay nil")
	}
}

// Whatever the input, Slugify gives a valid slug or nothing, and a slug is
// its own slug.
func FuzzSlugify(f *testing.F) {
	for _, s := range []string{"Straße", "Łódź", "İstanbul’da", "Đà Nẵng", "بجٹ", "a--b", strings.Repeat("word ", 40), "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Slugify(s)
		if got != "" && !ValidSlug(got) {
			t.Fatalf("Slugify(%q) = %q is not a valid slug", s, got)
		}
		if again := Slugify(got); again != got {
			t.Fatalf("Slugify(%q) = %q, but Slugify(%q) = %q", s, got, got, again)
		}
	})
}
