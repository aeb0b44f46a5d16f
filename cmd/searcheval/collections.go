package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"sort"
	"strings"

	"broadsheet/internal/search"
	"broadsheet/internal/tools/searcheval"
)

// candidate is one ranking configuration the cross-validation may choose.
type candidate struct {
	name   string
	params search.Params
}

// candidates are the configurations compared on every collection: plain
// BM25 over the whole text, and a grid over the production ranker's settings
// (k1, length normalisation, title weight, feedback strength) that contains
// search.DefaultParams inside it, so the evidence says which help everywhere
// and whether the default sits on a plateau or an edge. Recency is only a
// tie-breaker and the collections have no dates.
func candidates() []candidate {
	var out []candidate
	for _, k1 := range []float64{1.2, 1.6, 2.0} {
		for _, b := range []float64{0.4, 0.5, 0.75} {
			for _, tw := range []float64{1, 2, 3, 4} {
				for _, fb := range []search.Feedback{{}, {Docs: 10, Terms: 10, Weight: 0.5}, {Docs: 10, Terms: 20, Weight: 0.5}, {Docs: 10, Terms: 20, Weight: 0.75}} {
					p := search.DefaultParams
					p.K1, p.TitleB, p.BodyB = k1, b, b
					p.TitleWeight, p.Feedback = tw, fb
					name := fmt.Sprintf("k1 %g b %g title×%g", k1, b, tw)
					if fb.Docs > 0 {
						name += fmt.Sprintf(" + feedback %d/%d×%g", fb.Docs, fb.Terms, fb.Weight)
					}
					out = append(out, candidate{name: name, params: p})
				}
			}
		}
	}
	return append([]candidate{{name: "plain BM25", params: search.PlainBM25}}, out...)
}

type scores map[string]map[string]searcheval.Report // collection → candidate → report

// evaluateAll runs every candidate on every collection, in memory, with the
// same Searcher the Search function uses, and writes a Markdown report: per
// collection the production default against plain BM25, then the
// leave-one-collection-out choice.
func evaluateAll(ctx context.Context, root string, w io.Writer) error {
	all, err := searcheval.LoadAll(root)
	if err != nil {
		return err
	}
	cands := candidates()
	s := scores{}
	for _, c := range all {
		plain, fielded := search.NewMemoryIndex(), search.NewMemoryIndex()
		for _, d := range c.Docs {
			// Plain BM25 sees one field: the title (when the collection marks
			// one) and the text, as the reference figures index them.
			plain.Add(search.Document{ID: d.ID, Body: strings.TrimSpace(d.Title + "\n" + d.Body)})
			fielded.Add(search.Document{ID: d.ID, Title: d.Title, Body: d.Body})
		}
		s[c.Name] = map[string]searcheval.Report{}
		for _, cand := range cands {
			idx := fielded
			if cand.params.TitleWeight == 0 {
				idx = plain
			}
			s[c.Name][cand.name] = run(ctx, c.Collection, &search.Searcher{Index: idx, Params: cand.params, K: search.DefaultK})
		}
		// The served K bounds reads per term; unbounded runs show what it costs.
		s[c.Name]["plain BM25, unbounded"] = run(ctx, c.Collection, &search.Searcher{Index: plain, Params: cands[0].params, K: -1})
		s[c.Name]["default, unbounded"] = run(ctx, c.Collection, &search.Searcher{Index: fielded, Params: search.DefaultParams, K: -1})
		log.Printf("%s: %d documents, %d judged queries", c.Name, len(c.Docs), s[c.Name]["plain BM25"].Queries)
	}
	def := defaultName(cands)
	fmt.Fprintf(w, "## Every collection, in memory (K=%d postings per term)\n\n", search.DefaultK)
	fmt.Fprintf(w, "Plain BM25 reads the same K postings per term as Broadsheet; exact BM25 reads every posting (the textbook figure, at a cost no served query pays).\n\n")
	fmt.Fprintf(w, "| collection | system | nDCG@10 | MAP | P@10 | R@100 |\n|---|---|---|---|---|---|\n")
	mean := map[string]float64{}
	for _, c := range all {
		for _, name := range []string{"plain BM25", "plain BM25, unbounded", def} {
			r := s[c.Name][name]
			label := name
			switch name {
			case def:
				label = "Broadsheet (default: " + name + ")"
			case "plain BM25, unbounded":
				label = "exact BM25 (every posting read)"
			}
			fmt.Fprintf(w, "| %s | %s | %.4f | %.4f | %.4f | %.4f |\n", c.Name, label, r.NDCG10, r.MAP, r.P10, r.R100)
		}
	}
	for _, c := range all {
		mean["plain BM25, unbounded"] += s[c.Name]["plain BM25, unbounded"].NDCG10 / float64(len(all))
	}
	for _, cand := range cands {
		for _, c := range all {
			mean[cand.name] += s[c.Name][cand.name].NDCG10 / float64(len(all))
		}
	}
	fmt.Fprintf(w, "\nMean nDCG@10: plain BM25 %.4f, Broadsheet %.4f (%+.4f); exact BM25 %.4f (%+.4f).\n\n",
		mean["plain BM25"], mean[def], mean[def]-mean["plain BM25"], mean["plain BM25, unbounded"], mean[def]-mean["plain BM25, unbounded"])

	fmt.Fprintf(w, "## Every configuration (nDCG@10)\n\n| configuration | %s | mean |\n|---|%s---|\n", strings.Join(searcheval.CollectionNames, " | "), strings.Repeat("---|", len(all)))
	for _, cand := range cands {
		fmt.Fprintf(w, "| %s |", cand.name)
		for _, c := range all {
			fmt.Fprintf(w, " %.4f |", s[c.Name][cand.name].NDCG10)
		}
		fmt.Fprintf(w, " %.4f |\n", mean[cand.name])
	}

	fmt.Fprintf(w, "\nUnbounded reads (K=∞), for comparison with the collections' reference figures:\n\n| collection | plain BM25 | Broadsheet default |\n|---|---|---|\n")
	for _, c := range all {
		fmt.Fprintf(w, "| %s | %.4f | %.4f |\n", c.Name, s[c.Name]["plain BM25, unbounded"].NDCG10, s[c.Name]["default, unbounded"].NDCG10)
	}

	fmt.Fprintf(w, "\n## Leave one collection out\n\nFor each collection, the configuration with the best mean nDCG@10 on the *other* collections, scored on the held-out one.\n\n")
	fmt.Fprintf(w, "| held out | chosen on the others | held-out nDCG@10 | plain BM25 | Δ |\n|---|---|---|---|---|\n")
	var held, base float64
	for _, out := range all {
		best, bestScore := "", -1.0
		for _, cand := range cands {
			var m float64
			for _, c := range all {
				if c.Name != out.Name {
					m += s[c.Name][cand.name].NDCG10
				}
			}
			if m > bestScore {
				best, bestScore = cand.name, m
			}
		}
		h, b := s[out.Name][best].NDCG10, s[out.Name]["plain BM25"].NDCG10
		held += h / float64(len(all))
		base += b / float64(len(all))
		fmt.Fprintf(w, "| %s | %s | %.4f | %.4f | %+.4f |\n", out.Name, best, h, b, h-b)
	}
	fmt.Fprintf(w, "| mean | | %.4f | %.4f | %+.4f |\n", held, base, held-base)
	return nil
}

// defaultName is the candidate equal to search.DefaultParams.
func defaultName(cands []candidate) string {
	for _, c := range cands {
		if c.params == search.DefaultParams {
			return c.name
		}
	}
	names := make([]string, len(cands))
	for i, c := range cands {
		names[i] = c.name
	}
	sort.Strings(names)
	log.Fatalf("search.DefaultParams is none of the candidates %v: add it", names)
	return ""
}
