package searcheval

import (
	"context"
	"fmt"
	"math"
	"sort"
)

// AveragePrecision is the mean of the precision at each relevant document's
// rank, over all relevant documents (unretrieved ones count as zero).
func AveragePrecision(ranked []string, rel map[string]int) float64 {
	if len(rel) == 0 {
		return 0
	}
	var hits int
	var sum float64
	for i, id := range ranked {
		if rel[id] > 0 {
			hits++
			sum += float64(hits) / float64(i+1)
		}
	}
	return sum / float64(len(rel))
}

// NDCG is the normalised discounted cumulative gain at depth k, with linear
// gains (as trec_eval) and a log2(rank+1) discount.
func NDCG(ranked []string, rel map[string]int, k int) float64 {
	var dcg float64
	for i, id := range ranked {
		if i >= k {
			break
		}
		dcg += float64(rel[id]) / math.Log2(float64(i+2))
	}
	gains := make([]int, 0, len(rel))
	for _, g := range rel {
		gains = append(gains, g)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(gains)))
	var ideal float64
	for i, g := range gains {
		if i >= k {
			break
		}
		ideal += float64(g) / math.Log2(float64(i+2))
	}
	if ideal == 0 {
		return 0
	}
	return dcg / ideal
}

// PrecisionAt is the fraction of the first k ranks holding relevant documents
// (missing ranks count as non-relevant).
func PrecisionAt(ranked []string, rel map[string]int, k int) float64 {
	return float64(relevantIn(ranked, rel, k)) / float64(k)
}

// RecallAt is the fraction of relevant documents found in the first k ranks.
func RecallAt(ranked []string, rel map[string]int, k int) float64 {
	if len(rel) == 0 {
		return 0
	}
	return float64(relevantIn(ranked, rel, k)) / float64(len(rel))
}

func relevantIn(ranked []string, rel map[string]int, k int) int {
	n := 0
	for i, id := range ranked {
		if i >= k {
			break
		}
		if rel[id] > 0 {
			n++
		}
	}
	return n
}

// SearchFunc runs one query and returns ranked document IDs and, when known,
// the number of postings read (0 otherwise).
type SearchFunc func(ctx context.Context, q Query) (ranked []string, postingsRead int, err error)

// Report holds metric means over the evaluated queries.
type Report struct {
	Queries     int
	MAP         float64
	NDCG10      float64 // graded gains (see CranfieldGain)
	NDCG10Bin   float64 // every relevant document gains 1, for comparison with binary figures
	P10         float64
	R100        float64
	AvgPostings float64
}

func (r Report) String() string {
	return fmt.Sprintf("nDCG@10 %.4f (binary %.4f)  MAP %.4f  P@10 %.4f  R@100 %.4f  postings/query %.0f (%d queries)",
		r.NDCG10, r.NDCG10Bin, r.MAP, r.P10, r.R100, r.AvgPostings, r.Queries)
}

// Run evaluates search on every query that has at least one relevant
// document (trec_eval's convention).
func Run(ctx context.Context, c *Collection, search SearchFunc) (Report, error) {
	var r Report
	var postings int
	for _, q := range c.Queries {
		rel := c.Qrels[q.ID]
		if len(rel) == 0 {
			continue
		}
		ranked, n, err := search(ctx, q)
		if err != nil {
			return Report{}, fmt.Errorf("query %s: %w", q.ID, err)
		}
		r.Queries++
		postings += n
		r.MAP += AveragePrecision(ranked, rel)
		r.NDCG10 += NDCG(ranked, rel, 10)
		r.NDCG10Bin += NDCG(ranked, binary(rel), 10)
		r.P10 += PrecisionAt(ranked, rel, 10)
		r.R100 += RecallAt(ranked, rel, 100)
	}
	if r.Queries > 0 {
		n := float64(r.Queries)
		r.MAP /= n
		r.NDCG10 /= n
		r.NDCG10Bin /= n
		r.P10 /= n
		r.R100 /= n
		r.AvgPostings = float64(postings) / n
	}
	return r, nil
}

func binary(rel map[string]int) map[string]int {
	b := make(map[string]int, len(rel))
	for id, g := range rel {
		if g > 0 {
			b[id] = 1
		}
	}
	return b
}
