package searcheval

import (
	"context"
	"math"
	"path/filepath"
	"sort"
	"strings"
	"unicode"
)

// Lingual is one language's collection of the multilingual set.
type Lingual struct {
	Lang string // BCP 47, the folder name
	*Collection
}

// Languages are the folders of the multilingual set (testdata/multilingual),
// in report order.
var Languages = []string{"ur", "hi", "de", "zh"}

// LoadMultilingual reads the multilingual set: per language a folder with
// docs.all (.I/.T/.W records, as cran.all.1400), queries.qry (.I/.W) and
// qrels ("qid docid code", codes as Cranfield's). See
// testdata/multilingual/README.md for how it is built and judged.
func LoadMultilingual(root string) ([]Lingual, error) {
	var out []Lingual
	for _, lang := range Languages {
		dir := filepath.Join(root, lang)
		var c Collection
		var err error
		if c.Docs, err = parseFile(filepath.Join(dir, "docs.all"), ParseCranfieldDocs); err != nil {
			return nil, err
		}
		if c.Queries, err = parseFile(filepath.Join(dir, "queries.qry"), ParseCranfieldQueries); err != nil {
			return nil, err
		}
		if c.Qrels, err = parseFile(filepath.Join(dir, "qrels"), ParseCranfieldQrels); err != nil {
			return nil, err
		}
		out = append(out, Lingual{Lang: lang, Collection: &c})
	}
	return out, nil
}

// WhitespaceTokens is the baseline tokenisation: split at white space, lower
// case, punctuation and symbols trimmed from each end; nothing folded,
// stemmed or segmented.
func WhitespaceTokens(text string) []string {
	var out []string
	for _, f := range strings.Fields(text) {
		f = strings.TrimFunc(strings.ToLower(f), func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSymbol(r) })
		if f != "" {
			out = append(out, f)
		}
	}
	return out
}

// WhitespaceBM25 ranks docs (title and text as one field) for a query with
// textbook BM25 (k1 1.2, b 0.75) over WhitespaceTokens: the baseline the
// language analysis is measured against.
func WhitespaceBM25(docs []Doc) SearchFunc {
	tf := make([]map[string]int, len(docs))
	lens := make([]float64, len(docs))
	df := map[string]int{}
	var sum float64
	for i, d := range docs {
		tf[i] = map[string]int{}
		toks := WhitespaceTokens(d.Title + " " + d.Body)
		for _, t := range toks {
			if tf[i][t]++; tf[i][t] == 1 {
				df[t]++
			}
		}
		lens[i] = float64(len(toks))
		sum += lens[i]
	}
	avg := math.Max(1, sum/float64(max(1, len(docs))))
	n := float64(len(docs))
	return func(_ context.Context, q Query) ([]string, int, error) {
		scores := map[int]float64{}
		for _, t := range WhitespaceTokens(q.Text) {
			if df[t] == 0 {
				continue
			}
			idf := math.Log(1 + (n-float64(df[t])+0.5)/(float64(df[t])+0.5))
			for i := range docs {
				if f := float64(tf[i][t]); f > 0 {
					scores[i] += idf * f * 2.2 / (f + 1.2*(0.25+0.75*lens[i]/avg))
				}
			}
		}
		ids := make([]int, 0, len(scores))
		for i := range scores {
			ids = append(ids, i)
		}
		sort.Slice(ids, func(a, b int) bool {
			if scores[ids[a]] != scores[ids[b]] {
				return scores[ids[a]] > scores[ids[b]]
			}
			return ids[a] < ids[b]
		})
		out := make([]string, len(ids))
		for k, i := range ids {
			out[k] = docs[i].ID
		}
		return out, 0, nil
	}
}
