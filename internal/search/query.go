package search

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"broadsheet/internal/analysis"
)

// Query is a reader's query understood: the terms that rank, the quoted
// phrases a result must contain, and the words it must not.
//
//	peace talks              any of the words, best matches first
//	"peace talks"            the words next to each other, in that order
//	talks -cricket           results without the word "cricket"
//	"peace talks" -cricket   combined; an unclosed quote runs to the end
//
// Phrases and exclusions are analysed like the text (case, accents and word
// endings fold; stop words are skipped on both sides), so "Peace Talk"
// matches "peace talks" and -election excludes "elections" too.
type Query struct {
	Terms   []string   // analysed terms that rank: the free words and the phrases' words
	Phrases [][]string // each an analysed term sequence that must appear contiguously
	Exclude []string   // analysed terms no result may contain
	// phraseOf[i] numbers the quoted phrase Phrases[i] is one language's
	// analysis of: a document needs one form of each quoted phrase.
	phraseOf []int
}

// ParseQuery reads the query syntax above, analysed as English. A '-'
// excludes only at the start of a word ("e-mail" and "-5" stay ordinary
// text); quotes only group.
func ParseQuery(q string) Query { return ParseQueryIn(q, nil) }

// ParseQueryIn reads the query syntax analysed for each of langs (the
// languages of the index; none means English): the terms of every
// language's analysis rank (analysis.QueryTerms), a phrase is satisfied in
// the document's own language, and an excluded word is excluded in all.
func ParseQueryIn(q string, langs []string) Query {
	var out Query
	analyzers := analysis.Analyzers(langs)
	quoted := 0
	var free strings.Builder
	seenEx := map[string]bool{}
	for len(q) > 0 {
		r, size := utf8.DecodeRuneInString(q)
		switch {
		case isQuote(r):
			rest := q[size:]
			end := strings.IndexFunc(rest, isQuote)
			phrase := rest
			if end >= 0 {
				_, qs := utf8.DecodeRuneInString(rest[end:])
				phrase, q = rest[:end], rest[end+qs:]
			} else {
				q = ""
			}
			out.Terms = append(out.Terms, analysis.QueryTerms(phrase, langs)...)
			added := false
			for _, a := range analyzers {
				if terms := a.Terms(phrase); len(terms) > 1 {
					out.Phrases = append(out.Phrases, terms)
					out.phraseOf = append(out.phraseOf, quoted)
					added = true
				}
			}
			if added {
				quoted++
			}
			free.WriteByte(' ')
			continue
		case r == '-' && atWordStart(free.String()) && len(q) > size:
			next, _ := utf8.DecodeRuneInString(q[size:])
			if unicode.IsLetter(next) {
				end := strings.IndexFunc(q[size:], func(r rune) bool { return unicode.IsSpace(r) || isQuote(r) })
				word := q[size:]
				if end >= 0 {
					word, q = q[size:size+end], q[size+end:]
				} else {
					q = ""
				}
				for _, a := range analyzers {
					for _, t := range a.Terms(word) {
						if !seenEx[t] {
							seenEx[t] = true
							out.Exclude = append(out.Exclude, t)
						}
					}
				}
				free.WriteByte(' ')
				continue
			}
		}
		free.WriteString(q[:size])
		q = q[size:]
	}
	out.Terms = append(analysis.QueryTerms(free.String(), langs), out.Terms...)
	// An excluded word never ranks, even when it is also typed plainly.
	out.Terms = slices.DeleteFunc(out.Terms, func(t string) bool { return seenEx[t] })
	if len(out.Terms) == 0 {
		out.Terms = nil
	}
	if len(analyzers) == 1 {
		out.phraseOf = nil // one form per phrase
	}
	return out
}

// Filtered reports whether the query has conditions beyond ranking, which
// are checked on each candidate's text (Accepts).
func (q Query) Filtered() bool { return len(q.Phrases) > 0 || len(q.Exclude) > 0 }

// Accepts reports whether a document with this title and text, in English,
// satisfies the phrases and exclusions (always true when there are none).
func (q Query) Accepts(title, text string) bool { return q.AcceptsIn("", title, text) }

// AcceptsIn is Accepts for a document in lang (BCP 47), analysed as it was
// indexed.
func (q Query) AcceptsIn(lang, title, text string) bool {
	if !q.Filtered() {
		return true
	}
	an := analysis.For(lang)
	fields := [][]string{an.Terms(title), an.Terms(text)}
	for _, ex := range q.Exclude {
		for _, f := range fields {
			if slices.Contains(f, ex) {
				return false
			}
		}
	}
	found := map[int]bool{}
	for i, p := range q.Phrases {
		if containsRun(fields[0], p) || containsRun(fields[1], p) {
			found[q.group(i)] = true
		}
	}
	for i := range q.Phrases {
		if !found[q.group(i)] {
			return false
		}
	}
	return true
}

// group is the quoted phrase Phrases[i] stands for (a Query built by hand
// has one form per phrase).
func (q Query) group(i int) int {
	if i < len(q.phraseOf) {
		return q.phraseOf[i]
	}
	return i
}

// containsRun reports whether run occurs contiguously in terms.
func containsRun(terms, run []string) bool {
	for i := 0; i+len(run) <= len(terms); i++ {
		if slices.Equal(terms[i:i+len(run)], run) {
			return true
		}
	}
	return false
}

// isQuote is a straight or typographic double quote (phones type “ ”).
func isQuote(r rune) bool {
	return r == '"' || r == '“' || r == '”' || r == '„' || r == '«' || r == '»'
}

// atWordStart reports whether the text so far ends where a word may start.
func atWordStart(before string) bool {
	if before == "" {
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(before)
	return unicode.IsSpace(r)
}
