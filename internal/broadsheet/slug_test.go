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
		{"mixed scripts", "Budget 2026: بجٹ پر بحث", "budget-2026-بجٹ-پر-بحث"},
		{"already a slug", "pm-us-visit-afghan-peace-talks", "pm-us-visit-afghan-peace-talks"},
		{"separators only", "  --a--b--  ", "a-b"},
		// Other scripts keep their letters (percent-encoded on the wire).
		{"Urdu", "وزیراعظم کا دورہ امریکہ: افغان امن مذاکرات دوبارہ شروع", "وزیراعظم-کا-دورہ-امریکہ-افغان-امن-مذاکرات-دوبارہ-شروع"},
		{"Urdu with ZWNJ and digits", "بجٹ\u200c ۲۰۲۶", "بجٹ-۲۰۲۶"},
		{"Arabic", "محادثات السلام تستأنف في الدوحة", "محادثات-السلام-تستأنف-في-الدوحة"},
		{"Arabic harakat and tatweel are optional", "مُحَادَثَات الســلام", "محادثات-السلام"},
		{"Hindi keeps its vowel signs", "बजट सत्र में हंगामा", "बजट-सत्र-में-हंगामा"},
		{"Bengali", "ঢাকায় বৃষ্টি", "ঢাকায়-বৃষ্টি"},
		{"Russian lowers", "Выборы в Москве", "выборы-в-москве"},
		{"Greek", "Αθήνα: Εκλογές", "αθήνα-εκλογές"},
		{"Chinese", "北京时间", "北京时间"},
		{"full-width digits", "Ｇ２０ summit", "g20-summit"},
		// A word never mixes scripts: a look-alike letter starts a new word,
		// so "аfghan" with a Cyrillic а can never be the slug "afghan".
		{"Cyrillic look-alike in a Latin word", "PM US visit аfghan", "pm-us-visit-а-fghan"},
		{"Greek omicron in a Latin word", "Gοogle", "g-ο-ogle"},
		{"Latin inside Devanagari", "बजटx", "बजट-x"},
		{"digits join any script", "Covid19 Москва2026", "covid19-москва2026"},
		{"Japanese mixes Han and kana", "東京オリンピックの開催", "東京オリンピックの開催"},
		{"Korean mixes Hangul and Han", "大韓民國 대한민국", "大韓民國-대한민국"},
		{"Han then Latin", "北京abc", "北京-abc"},
		{"nothing to keep", "!!! — ???", ""},
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

// TestValidSlugRefusesMixedScriptWords: a slug typed by an editor (or an
// attacker) that hides a look-alike letter inside a word is not a slug.
func TestValidSlugRefusesMixedScriptWords(t *testing.T) {
	for _, s := range []string{"pm-us-visit-аfghan", "gοogle", "北京abc", "бюджетx"} {
		if ValidSlug(s) {
			t.Errorf("ValidSlug(%q) = true, want false", s)
		}
	}
	for _, s := range []string{"pm-us-visit-afghan", "выборы-в-москве", "東京オリンピックの開催", "covid19-москва2026"} {
		if !ValidSlug(s) {
			t.Errorf("ValidSlug(%q) = false, want true", s)
		}
	}
}

func TestSlugifyCutsLongTitlesAtAWord(t *testing.T) {
	words := strings.Repeat("word ", 40) // 199 characters as a slug
	if got, want := Slugify(words), strings.TrimSuffix(strings.Repeat("word-", 24), "-"); got != want {
		t.Errorf("got %q (%d), want %q", got, len(got), want)
	}
	urdu := Slugify(strings.Repeat("پاکستان ", 30)) // 240 characters as a slug
	if n := len([]rune(urdu)); n > MaxSlugLen || n < MaxSlugLen-8 || !ValidSlug(urdu) {
		t.Errorf("Urdu cut to %d characters: %q", n, urdu)
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
		"straße":                          false, // not canonical: "strasse"
		"café":                            false,
		"بجٹ-پر-بحث":                      true,
		"बजट-सत्र-में":                    true,
		"Выборы":                          false,
		"выборы":                          true,
		"مُحَادَثَات":                     false, // harakat are not kept
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

// A title in any script derives a slug; only a title with no letters or
// digits needs one sent, and the answer names the slug field.
func TestTitleWithoutLettersNeedsASlug(t *testing.T) {
	in := ArticleInput{Title: "بجٹ پر بحث", Body: "متن", Author: Author{Name: "Amina Qureshi"}}
	in.Normalize()
	if err := in.Validate(); err != nil || in.Slug != "بجٹ-پر-بحث" {
		t.Fatalf("Urdu title: slug %q, %v", in.Slug, err)
	}
	in = ArticleInput{Title: "???", Body: "متن", Author: Author{Name: "Amina Qureshi"}}
	in.Normalize()
	err := in.Validate()
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeValidation || e.Fields["slug"] == "" || len(e.Fields) != 1 {
		t.Fatalf("Validate() = %v, want only a slug field error", err)
	}
}

func TestNormalizeTags(t *testing.T) {
	got := NormalizeTags([]string{"New York", "pakistan", "Pakistan", "Łódź", "بجٹ", "", "new-york", "پاکستان"})
	want := []string{"new-york", "pakistan", "lodz", "بجٹ", "پاکستان"}
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

// A tag is never dropped silently: one in any script is kept, one with no
// letters or digits is a validation error naming the tags field.
func TestTagsAreKeptOrRefused(t *testing.T) {
	in := ArticleInput{Title: "وزیراعظم کا دورہ", Body: "متن", Author: Author{Name: "Amina Qureshi"}, Tags: []string{"پاکستان", "Diplomacy"}}
	in.Normalize()
	if err := in.Validate(); err != nil || strings.Join(in.Tags, ",") != "پاکستان,diplomacy" {
		t.Fatalf("tags %q, %v", in.Tags, err)
	}
	in = ArticleInput{Title: "Budget", Body: "b", Author: Author{Name: "A"}, Tags: []string{"economy", "!!!"}}
	in.Normalize()
	var e *Error
	if err := in.Validate(); !errors.As(err, &e) || !strings.Contains(e.Fields["tags"], `"!!!"`) {
		t.Fatalf("Validate() = %v, want a tags field error naming the tag", err)
	}
}

// An article's language is a BCP 47 tag, stored in canonical case.
func TestArticleLanguage(t *testing.T) {
	for in, want := range map[string]string{"": "", "ur": "ur", " EN-gb ": "en-GB", "pt-BR": "pt-BR", "zh-Hant-TW": "zh-Hant-TW"} {
		a := ArticleInput{Title: "T", Body: "b", Author: Author{Name: "A"}, Lang: in}
		a.Normalize()
		if err := a.Validate(); err != nil || a.Lang != want {
			t.Errorf("lang %q: %q, %v; want %q", in, a.Lang, err, want)
		}
	}
	for _, bad := range []string{"english", "e", "123", "en-", "🙂"} {
		a := ArticleInput{Title: "T", Body: "b", Author: Author{Name: "A"}, Lang: bad}
		a.Normalize()
		var e *Error
		if err := a.Validate(); !errors.As(err, &e) || e.Fields["lang"] == "" {
			t.Errorf("lang %q accepted: %v", bad, err)
		}
	}
}
