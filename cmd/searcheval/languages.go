package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"broadsheet/internal/search"
	"broadsheet/internal/tools/searcheval"
)

// languageReport is nDCG@10 per language of the multilingual set.
type languageReport struct {
	Lang                                     string
	Docs, Queries                            int
	Whitespace, AsEnglish, Analysed, InMixed searcheval.Report
}

// evaluateLanguages scores each language of the multilingual set four ways:
// whitespace tokens with textbook BM25 (the baseline); Broadsheet with the
// articles' language unset (English analysis: script folding and CJK
// bigrams, which hold for every language); Broadsheet with each article's
// language (its stop words, stemmer or spelling normalisation); and the
// same in one index holding all four languages, where every query is
// analysed for each language present, as the Search function does.
func evaluateLanguages(ctx context.Context, root string) ([]languageReport, error) {
	sets, err := searcheval.LoadMultilingual(root)
	if err != nil {
		return nil, err
	}
	mixed := search.NewMemoryIndex()
	for _, l := range sets {
		for _, d := range l.Docs {
			mixed.Add(search.Document{ID: l.Lang + ":" + d.ID, Title: d.Title, Body: d.Body, Lang: l.Lang})
		}
	}
	var out []languageReport
	for _, l := range sets {
		english, analysed := search.NewMemoryIndex(), search.NewMemoryIndex()
		for _, d := range l.Docs {
			english.Add(search.Document{ID: d.ID, Title: d.Title, Body: d.Body})
			analysed.Add(search.Document{ID: d.ID, Title: d.Title, Body: d.Body, Lang: l.Lang})
		}
		r := languageReport{Lang: l.Lang, Docs: len(l.Docs), Queries: len(l.Queries)}
		if r.Whitespace, err = searcheval.Run(ctx, l.Collection, searcheval.WhitespaceBM25(l.Docs)); err != nil {
			return nil, err
		}
		r.AsEnglish = run(ctx, l.Collection, &search.Searcher{Index: english})
		r.Analysed = run(ctx, l.Collection, &search.Searcher{Index: analysed})
		prefix := l.Lang + ":"
		s := &search.Searcher{Index: mixed}
		if r.InMixed, err = searcheval.Run(ctx, l.Collection, func(ctx context.Context, q searcheval.Query) ([]string, int, error) {
			res, err := s.Search(ctx, q.Text, depth)
			if err != nil {
				return nil, 0, err
			}
			ids := make([]string, len(res.Hits))
			for i, h := range res.Hits {
				ids[i] = h.DocID // another language's documents keep their prefix: never relevant
				if strings.HasPrefix(h.DocID, prefix) {
					ids[i] = strings.TrimPrefix(h.DocID, prefix)
				}
			}
			return ids, res.PostingsRead, nil
		}); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

func writeLanguages(w io.Writer, reports []languageReport) {
	fmt.Fprintf(w, "\n## Languages (testdata/multilingual, nDCG@10)\n\n")
	fmt.Fprintf(w, "| language | docs | queries | whitespace BM25 | Broadsheet, lang unset | **Broadsheet, lang set** | same, one index of all languages |\n|---|---|---|---|---|---|---|\n")
	for _, r := range reports {
		fmt.Fprintf(w, "| %s | %d | %d | %.4f | %.4f | **%.4f** | %.4f |\n", r.Lang, r.Docs, r.Queries,
			r.Whitespace.NDCG10, r.AsEnglish.NDCG10, r.Analysed.NDCG10, r.InMixed.NDCG10)
	}
}
