package analysis

import (
	"strings"
	"unicode"
)

// Script-specific folding. A script, unlike a language, is visible in every
// character, so documents and queries meet without knowing the article's
// language: Urdu typed with Arabic letter forms finds Urdu text, and Hindi
// keeps its vowel signs (which carry meaning) while Latin loses accents.

// arabicFold maps the letter variants that Arabic, Urdu and Persian text mix
// to one form each (as Lucene's ArabicNormalizer and Persian/Urdu search
// engines do): yeh forms → Farsi yeh ی, kaf forms → keheh ک, heh forms → ه,
// alef forms → bare alef, hamza carriers → their base letter, and the
// Arabic-Indic and Extended Arabic-Indic digits → ASCII.
var arabicFold = strings.NewReplacer(
	"ي", "ی", "ى", "ی", "ئ", "ی", "ے", "ی", "ۓ", "ی",
	"ك", "ک",
	"ہ", "ه", "ە", "ه", "ۃ", "ه", "ة", "ه", "ۂ", "ه", "ھ", "ه",
	"أ", "ا", "إ", "ا", "آ", "ا", "ٱ", "ا", "ٲ", "ا", "ٳ", "ا",
	"ؤ", "و",
	"٠", "0", "١", "1", "٢", "2", "٣", "3", "٤", "4", "٥", "5", "٦", "6", "٧", "7", "٨", "8", "٩", "9",
	"۰", "0", "۱", "1", "۲", "2", "۳", "3", "۴", "4", "۵", "5", "۶", "6", "۷", "7", "۸", "8", "۹", "9",
	"\u0640", "", // tatweel (kashida): elongation only
)

// indicFold normalises Devanagari (Hindi, Marathi, Nepali) the way Hindi
// search normalisers do: nukta dropped (क़ → क), chandrabindu → anusvara, and
// Devanagari digits → ASCII. Vowel signs and virama are kept.
var indicFold = strings.NewReplacer(
	"\u093C", "", // nukta
	"\u0901", "\u0902", // chandrabindu → anusvara
	"०", "0", "१", "1", "२", "2", "३", "3", "४", "4", "५", "5", "६", "6", "७", "7", "८", "8", "९", "9",
)

// keepsMarks reports whether a combining mark belongs to a script whose marks
// are part of the letter (Indic scripts: vowel signs, virama), so that the
// diacritic folding meant for Latin, Greek, Cyrillic and Arabic harakat must
// leave it. Nukta is folded separately by indicFold.
func keepsMarks(r rune) bool {
	return r >= 0x0900 && r <= 0x0DFF && r != 0x093C
}

// foldScripts applies the script foldings after case folding and NFC.
func foldScripts(s string) string {
	hasArabic, hasIndic := false, false
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Arabic, r):
			hasArabic = true
		case r >= 0x0900 && r <= 0x097F:
			hasIndic = true
		}
	}
	if hasArabic {
		s = arabicFold.Replace(s)
	}
	if hasIndic {
		s = indicFold.Replace(s)
	}
	return s
}

// isBigramScript marks scripts written without spaces between words (Chinese
// characters, Japanese kana): a run of them is indexed as overlapping
// character bigrams (北京大学 → 北京, 京大, 大学), as Lucene's CJK analyser does,
// which matches words without a dictionary far better than single
// characters. A run of one character is kept as a unigram.
func isBigramScript(r rune) bool {
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r) ||
		r == '\u30FC' // prolonged sound mark, inside katakana words
}

// Function words of Urdu and Arabic, as common as English "the" and "of"
// (postpositions, conjunctions, copulas, demonstratives), listed as typed and
// folded like any word before they are looked up.
var urduStopWords = []string{
	"کا", "کی", "کے", "ہے", "ہیں", "تھا", "تھی", "تھے", "اور", "میں", "سے", "کو", "نے", "پر", "یہ", "وہ", "بھی", "تو", "ہی",
	"کہ", "جو", "اس", "ان", "ایک", "لیے", "گیا", "گئی", "گئے", "رہا", "رہی", "رہے", "ہو", "ہوا", "ہوئی", "ہوئے", "کر", "کیا",
}

var arabicStopWords = []string{
	"في", "من", "على", "إلى", "عن", "مع", "أن", "إن", "و", "أو", "ثم", "هذا", "هذه", "ذلك", "تلك", "التي", "الذي", "الذين",
	"كان", "كانت", "قد", "لا", "ما", "لم", "لن", "هو", "هي", "هم", "بين", "عند", "كل", "بعد", "قبل",
}

func init() {
	for _, w := range append(urduStopWords, arabicStopWords...) {
		stopWords[fold(w)] = struct{}{}
	}
}
