package analysis

import (
	"sort"
	"strings"
	"unicode"

	"github.com/kljensen/snowball/french"
	"github.com/kljensen/snowball/hungarian"
	"github.com/kljensen/snowball/norwegian"
	"github.com/kljensen/snowball/russian"
	"github.com/kljensen/snowball/spanish"
	"github.com/kljensen/snowball/swedish"
	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Analysis per language. Every analyser splits words and folds scripts the
// same way (a script is visible in each character: scripts.go); a language
// only chooses its stop words and, where Snowball has one, its stemmer.
//
// Terms that a language's stemmer (or, for German, its spelling
// normalisation) produced carry the language as a prefix ("es/eleccion",
// "de/wahlen"): they meet only terms of the same language, because stems of
// different languages collide by accident ("gener" is not the same stem in
// English and Spanish). Everything else is shared by every language: English
// stems (so English analysis, and every index written before languages
// existed, is unchanged), numbers, and the words of scripts analysed without
// stemming (Arabic script, Devanagari, CJK bigrams). A query is analysed once
// per language present in the index (QueryTerms) and so meets each document
// in that document's own analysis.

// Analyzer is one language's analysis. The zero value is not usable; use
// English or For.
type Analyzer struct {
	name string
	// family prefixes the terms stem produced ("" for English).
	family string
	// stops reports stop words (folded forms, and for stemmed languages the
	// lower-cased form with its accents).
	stops func(string) bool
	// stem is the language's stemmer for lower-cased words (accents kept)
	// written in its script; nil: English stemming of ASCII words only.
	stem   func(string) string
	script *unicode.RangeTable
	// elide drops French elisions ("l'élection" → "élection").
	elide bool
}

// English is today's analysis: English stop words (and the Urdu and Arabic
// function words, which cannot collide with English), English Snowball
// stemming of ASCII words, and script folding for everything else.
var English = &Analyzer{name: "en", stops: IsStopWord}

var analyzers = map[string]*Analyzer{"en": English}

func init() {
	snowball := func(name string, stem func(string, bool) string, stop func(string) bool, script *unicode.RangeTable) *Analyzer {
		return &Analyzer{name: name, family: name, stops: stop, script: script,
			stem: func(w string) string { return stem(w, true) }}
	}
	for _, a := range []*Analyzer{
		snowball("es", spanish.Stem, spanish.IsStopWord, unicode.Latin),
		snowball("fr", french.Stem, french.IsStopWord, unicode.Latin),
		snowball("ru", russian.Stem, russian.IsStopWord, unicode.Cyrillic),
		snowball("sv", swedish.Stem, swedish.IsStopWord, unicode.Latin),
		snowball("no", norwegian.Stem, norwegian.IsStopWord, unicode.Latin),
		snowball("hu", hungarian.Stem, hungarian.IsStopWord, unicode.Latin),
		// Snowball in Go has no German stemmer: German gets its spelling
		// normalised (umlauts and their ae/oe/ue spellings, ß → ss) and its
		// stop words, without stemming.
		{name: "de", family: "de", stops: stopSet(germanStopWords), script: unicode.Latin, stem: germanNormalize},
		// Arabic script and Devanagari: script folding (shared terms) and
		// the language's function words, plus English's for quoted English.
		{name: "ur", stops: orStop(stopSet(urduStopWords), englishOnly)},
		{name: "ar", stops: orStop(stopSet(arabicStopWords), englishOnly)},
		{name: "fa", stops: orStop(stopSet(persianStopWords), englishOnly)},
		{name: "hi", stops: orStop(stopSet(hindiStopWords), englishOnly)},
	} {
		analyzers[a.name] = a
	}
	analyzers["fr"].elide = true
	analyzers["nb"], analyzers["nn"] = analyzers["no"], analyzers["no"]
}

// For returns the analyser of a BCP 47 language tag ("es-MX" → Spanish).
// Languages without their own analyser (Chinese, Japanese and Korean are
// split by script; Polish, Turkish, … are folded but not stemmed) get
// English, the analysis every index began with.
func For(lang string) *Analyzer {
	base, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(lang)), "-")
	base, _, _ = strings.Cut(base, "_")
	if a, ok := analyzers[base]; ok {
		return a
	}
	return English
}

// Name is the analyser's language ("en", "es", "ur"): what an index records
// of the languages it holds, and what For gives back.
func (a *Analyzer) Name() string { return a.name }

// Family is the prefix of the terms this analyser stems ("" for English and
// the unstemmed scripts): documents of one family meet queries of it.
func (a *Analyzer) Family() string { return a.family }

// FamilyOf is the family of an analysed term ("es/eleccion" → "es").
func FamilyOf(term string) string {
	if i := strings.IndexByte(term, '/'); i > 0 {
		return term[:i]
	}
	return ""
}

func (a *Analyzer) isStop(w word, raw string) bool {
	if a.stops(w.folded) || a.stops(w.norm) {
		return true
	}
	return a.stem != nil && a.stops(a.lower(raw))
}

// term is the index term of a word: its clean folded form norm, and the
// original text raw for languages that stem before folding (accents guide
// Snowball: French "é", Russian "й").
func (a *Analyzer) term(norm, raw string) string {
	if a.stem == nil || !inScript(norm, a.script) {
		return stemEnglish(norm)
	}
	if stemmed := fold(a.stem(a.lower(raw))); stemmed != "" {
		return a.family + "/" + stemmed
	}
	return norm
}

// lower is a word as a stemmer expects it: case-folded, NFC, letters and
// marks only, French elisions removed.
func (a *Analyzer) lower(raw string) string {
	w := norm.NFC.String(cases.Fold().String(raw))
	if a.elide {
		if i := strings.IndexAny(w, "'’"); i > 0 && elisions[w[:i]] {
			w = w[i+len(string([]rune(w[i:])[0])):]
		}
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsMark(r) {
			return r
		}
		return -1
	}, w)
}

var elisions = map[string]bool{"l": true, "d": true, "j": true, "m": true, "n": true, "s": true, "t": true, "c": true,
	"qu": true, "jusqu": true, "lorsqu": true, "puisqu": true, "quoiqu": true}

func inScript(w string, script *unicode.RangeTable) bool {
	for _, r := range w {
		if !unicode.IsLetter(r) || !unicode.Is(script, r) {
			return false
		}
	}
	return w != ""
}

// germanNormalize spells German the way readers may type it, as Lucene's
// GermanNormalizationFilter does: ß → ss, ä/ö/ü → a/o/u, and the
// transliterations ae/oe/ue → a/o/u (not "ue" after q: "Quelle"), so
// "Wähler", "Waehler" and "Wahler" meet.
func germanNormalize(w string) string {
	w = strings.ReplaceAll(w, "ß", "ss")
	var b strings.Builder
	var prev rune
	for _, r := range w {
		switch r {
		case 'ä', 'à', 'á', 'â':
			r = 'a'
		case 'ö', 'ò', 'ó', 'ô':
			r = 'o'
		case 'ü', 'ù', 'ú', 'û':
			r = 'u'
		case 'e':
			if prev == 'a' || prev == 'o' || prev == 'u' {
				prev = 0 // "ae" → "a"; "aee" keeps the second e
				continue
			}
		}
		if r == 'u' && prev == 'q' {
			b.WriteRune(r)
			prev = 0 // "que…": the e stays
			continue
		}
		b.WriteRune(r)
		prev = r
	}
	return b.String()
}

// QueryTerms analyses a query for each language in langs (names or BCP 47
// tags; none means English) and merges the terms: in the order their words
// appear, a term repeated within one language's analysis keeps its count,
// and a term that several languages produce alike (English stems, numbers,
// Urdu words) counts once, not once per language.
func QueryTerms(text string, langs []string) []string {
	as := Analyzers(langs)
	if len(as) == 1 {
		return as[0].Terms(text)
	}
	type at struct {
		start int
		term  string
		n     int // occurrence of term within its analysis, from 1
	}
	var all []at
	for _, a := range as {
		count := map[string]int{}
		for _, t := range a.Analyze(text) {
			count[t.Term]++
			all = append(all, at{t.Start, t.Term, count[t.Term]})
		}
	}
	// Stable by position: words first, then the languages in the order given.
	sort.SliceStable(all, func(i, j int) bool { return all[i].start < all[j].start })
	kept := map[string]int{}
	var out []string
	for _, t := range all {
		if t.n > kept[t.term] {
			kept[t.term] = t.n
			out = append(out, t.term)
		}
	}
	return out
}

// Analyzers are the distinct analysers of langs, in order (English when
// langs is empty).
func Analyzers(langs []string) []*Analyzer {
	var out []*Analyzer
	seen := map[*Analyzer]bool{}
	for _, l := range langs {
		if a := For(l); !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		out = append(out, English)
	}
	return out
}

func stopSet(words []string) func(string) bool {
	set := make(map[string]struct{}, len(words))
	for _, w := range words {
		set[w] = struct{}{}
		f, _ := normalizeWord(w)
		set[f] = struct{}{}
	}
	return func(w string) bool { _, ok := set[w]; return ok }
}

func orStop(fs ...func(string) bool) func(string) bool {
	return func(w string) bool {
		for _, f := range fs {
			if f(w) {
				return true
			}
		}
		return false
	}
}

// englishOnly is the English stop list without the other scripts' words.
var englishOnly = func(w string) bool { return isASCII(w) && IsStopWord(w) }
