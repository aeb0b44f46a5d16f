// Command searcheval measures search quality on the test collections in
// ../shared/corpora (Cranfield, MEDLINE, CACM, NPL): per collection the
// production ranker against plain BM25 computed by the same code, every
// candidate configuration, and a leave-one-collection-out choice among them
// (-corpora, the default). With -dir it studies one Cranfield-format
// collection in depth: the effect of the per-term posting read bound K. The in-memory index is written like the
// DynamoDB index (documents added one by one in collection order, impacts and
// signatures from the statistics known at each write) and read with the same
// single bounded round, so these numbers are the served quality.
//
//	go run ./cmd/searcheval                 # every collection and language
//	go run ./cmd/searcheval -corpora ''        # the multilingual set only
//	go run ./cmd/searcheval -dir ../shared/corpora/cran
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"broadsheet/internal/search"
	"broadsheet/internal/tools/searcheval"
)

// depth is the ranked list length evaluated, as in the reference figures.
const depth = 1000

func main() {
	corpora := flag.String("corpora", "../shared/corpora", "folder of test collections (cran, med, cacm, npl)")
	dir := flag.String("dir", "", "study one Cranfield collection directory in depth instead")
	multilingual := flag.String("multilingual", "testdata/multilingual", "folder of the multilingual set (ur, hi, de, zh); empty: skip it")
	ks := flag.String("k", "50,100,200,300,-1", "with -dir: comma-separated per-term read bounds to compare (-1: unbounded)")
	flag.Parse()
	if *dir == "" {
		if *multilingual != "" {
			reports, err := evaluateLanguages(context.Background(), *multilingual)
			if err != nil {
				log.Fatal(err)
			}
			writeLanguages(os.Stdout, reports)
		}
		if *corpora != "" {
			if err := evaluateAll(context.Background(), *corpora, os.Stdout); err != nil {
				log.Fatal(err)
			}
		}
		return
	}

	c, err := searcheval.LoadCranfield(*dir)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "configuration\tK\tnDCG@10\tbinary nDCG@10\tMAP\tP@10\tR@100\tpostings/query\n")
	row := func(name string, k int, r searcheval.Report) {
		kk := strconv.Itoa(k)
		if k < 0 {
			kk = "∞"
		}
		fmt.Fprintf(w, "%s\t%s\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%.0f\n", name, kk, r.NDCG10, r.NDCG10Bin, r.MAP, r.P10, r.R100, r.AvgPostings)
	}

	// Baseline: plain BM25 (k1 1.2, b 0.75) over the abstract alone, which
	// already repeats the title: the setup of the reference figures.
	bodyOnly := search.NewMemoryIndex()
	for _, d := range c.Docs {
		bodyOnly.Add(search.Document{ID: d.ID, Body: d.Body})
	}
	bm25 := search.PlainBM25
	for _, k := range []int{-1, search.DefaultK} {
		row("BM25 body only", k, run(ctx, c, &search.Searcher{Index: bodyOnly, Params: bm25, K: k}))
	}

	// Production: title field + abstract; authors (.A) and source (.B) are
	// not indexed (queries never ask for them and they add noise).
	fielded := search.NewMemoryIndex()
	for _, d := range c.Docs {
		fielded.Add(search.Document{ID: d.ID, Title: d.Title, Body: d.Body})
	}
	noFeedback := search.DefaultParams
	noFeedback.Feedback = search.Feedback{}
	for _, f := range strings.Split(*ks, ",") {
		k, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			log.Fatalf("-k: %v", err)
		}
		row("BM25F title+body", k, run(ctx, c, &search.Searcher{Index: fielded, Params: noFeedback, K: k}))
		row("BM25F + feedback (default)", k, run(ctx, c, &search.Searcher{Index: fielded, K: k}))
	}

	// As served: queries cut to the API's 200 characters.
	cut := *c
	cut.Queries = make([]searcheval.Query, len(c.Queries))
	for i, q := range c.Queries {
		q.Text = searcheval.TruncateQuery(q.Text, 200)
		cut.Queries[i] = q
	}
	row("  same, queries cut to 200 chars", search.DefaultK, run(ctx, &cut, &search.Searcher{Index: fielded}))

	// Recency must be neutral when every article has the same date.
	dated := search.NewMemoryIndex()
	published := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, d := range c.Docs {
		dated.Add(search.Document{ID: d.ID, Title: d.Title, Body: d.Body, PublishedAt: published})
	}
	row("  same, all dated equally", search.DefaultK, run(ctx, c, &search.Searcher{Index: dated,
		Now: func() time.Time { return published.Add(36 * time.Hour) }}))
	w.Flush()
}

func run(ctx context.Context, c *searcheval.Collection, s *search.Searcher) searcheval.Report {
	r, err := searcheval.Run(ctx, c, func(ctx context.Context, q searcheval.Query) ([]string, int, error) {
		res, err := s.Search(ctx, q.Text, depth)
		if err != nil {
			return nil, 0, err
		}
		ids := make([]string, len(res.Hits))
		for i, h := range res.Hits {
			ids[i] = h.DocID
		}
		return ids, res.PostingsRead, nil
	})
	if err != nil {
		log.Fatal(err)
	}
	return r
}
