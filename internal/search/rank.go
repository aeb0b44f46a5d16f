package search

import (
	"context"
	"math"
	"sort"
	"time"

	"broadsheet/internal/analysis"
)

// DefaultK is the number of postings read per query term (see cmd/searcheval
// for the effect of K on Cranfield); a query reads at most
// MaxQueryTerms×(DefaultK+1) items in one round.
const DefaultK = 200

// MaxQueryTerms bounds the distinct terms of a query that are read (the
// heaviest, then the first, are kept), so that a pasted paragraph cannot
// multiply the reads.
const MaxQueryTerms = 32

// Params are the ranking parameters. They are global settings, never tuned per
// query.
type Params struct {
	K1 float64 // tf saturation
	// Per-field weights and length normalisation (BM25F).
	TitleWeight, BodyWeight float64
	TitleB, BodyB           float64
	Feedback                Feedback
	// NoCompletion turns off scoring a candidate's unread terms from its
	// signature (see SearchWeighted); plain BM25 in cmd/searcheval sets it.
	NoCompletion bool
}

// Feedback configures pseudo-relevance feedback: the top Docs documents of a
// first pass are assumed relevant and up to Terms terms their signatures
// share (Robertson's selection value r·idf, r ≥ 2) are added to the query with
// weight Weight·(share of feedback documents containing the term). The
// expanded query re-ranks the first pass's candidates, scoring expansion terms
// from each candidate's signature, so feedback costs no extra reads. Docs 0
// disables it.
type Feedback struct {
	Docs   int
	Terms  int
	Weight float64
}

// DefaultParams were chosen by leave-one-collection-out cross-validation over
// every collection in ../shared/corpora (cmd/searcheval): the configuration
// with the best mean nDCG@10 on the other collections was this one, or one
// next to it, for each held-out collection, and it sits inside the grid
// searched (k1 1.2–2, b 0.4–0.75, title ×1–4, feedback off to 20 terms ×0.75),
// not on its edge. Against textbook BM25 (k1 1.2, b 0.75): less length
// normalisation, a little more tf saturation room, the title counted three
// times, and Okapi-style feedback from 10 documents adding up to 20 terms at
// half weight.
var DefaultParams = Params{
	K1:          1.6,
	TitleWeight: 3, BodyWeight: 1,
	TitleB: 0.5, BodyB: 0.5,
	Feedback: Feedback{Docs: 10, Terms: 20, Weight: 0.5},
}

// PlainBM25 is textbook BM25 (k1 1.2, b 0.75) over one field, reading only
// the postings it is given: the baseline cmd/searcheval measures against.
var PlainBM25 = Params{K1: 1.2, BodyWeight: 1, TitleB: 0.75, BodyB: 0.75, NoCompletion: true}

// ImpactParams compute the write-time impacts that order posting lists and
// weigh signature terms. They are part of the stored index format, not a
// ranking choice: changing them would order new postings differently from
// the ones already stored, so they stay at the values the index was first
// written with (textbook BM25F) whatever DefaultParams become.
var ImpactParams = Params{K1: 1.2, TitleWeight: 2, BodyWeight: 1, TitleB: 0.75, BodyB: 0.75}

// tfComponent is BM25F's saturated, length-normalised term frequency,
// tf/(k1+tf) with tf the weighted sum of the normalised field frequencies.
func (p Params) tfComponent(post Posting, avgTitle, avgBody float64) float64 {
	tf := p.TitleWeight*float64(post.TitleTF)/(1-p.TitleB+p.TitleB*float64(post.TitleLen)/avgTitle) +
		p.BodyWeight*float64(post.BodyTF)/(1-p.BodyB+p.BodyB*float64(post.BodyLen)/avgBody)
	if tf <= 0 {
		return 0
	}
	return tf / (p.K1 + tf)
}

// IDF is the BM25 inverse document frequency (always positive).
func IDF(df, docs int) float64 {
	return math.Log(1 + (float64(docs)-float64(df)+0.5)/(float64(df)+0.5))
}

// Hit is one ranked document.
type Hit struct {
	DocID       string
	Score       float64
	Matched     int   // distinct query terms found in the document
	PublishedAt int64 // Unix seconds (0: unknown): the tie-breaker
}

// Result is a ranked list plus what it cost.
type Result struct {
	Terms        []string    // distinct analysed query terms that were looked up
	Expansion    []QueryTerm // terms added by pseudo-relevance feedback
	Hits         []Hit
	Candidates   int // documents that matched any term (within the read bound)
	PostingsRead int
}

// Searcher ranks documents from an IndexReader with one round of reads.
type Searcher struct {
	Index  IndexReader
	Params Params           // zero value: DefaultParams
	K      int              // postings read per term; 0: DefaultK, <0: unbounded
	Now    func() time.Time // nil: time.Now. Postings published after now are skipped.
	// Filter, if set, keeps only the postings it accepts (tag, author…).
	Filter func(*Posting) bool
}

// Search analyses query for every language of the index and returns the best limit documents (all when
// limit < 0).
func (s *Searcher) Search(ctx context.Context, query string, limit int) (Result, error) {
	return s.SearchTerms(ctx, analysis.QueryTerms(query, IndexLanguages(s.Index)), limit)
}

// IndexLanguages are the languages of index's documents (nil, meaning
// English, when it does not say).
func IndexLanguages(index IndexReader) []string {
	if l, ok := index.(LanguageLister); ok {
		return l.Languages()
	}
	return nil
}

// SearchTerms ranks documents for already analysed query terms. A term
// repeated in the query weighs once per occurrence, as in classic BM25 with
// a linear query-term weight.
func (s *Searcher) SearchTerms(ctx context.Context, terms []string, limit int) (Result, error) {
	return s.SearchWeighted(ctx, Weigh(terms), limit)
}

// Weigh turns analysed query terms into distinct weighted terms.
func Weigh(terms []string) []QueryTerm {
	var q []QueryTerm
	seen := map[string]int{}
	for _, t := range terms {
		if i, ok := seen[t]; ok {
			q[i].Weight++
			continue
		}
		seen[t] = len(q)
		q = append(q, QueryTerm{Term: t, Weight: 1})
	}
	return q
}

// QueryTerm is an analysed query term with its weight.
type QueryTerm struct {
	Term   string
	Weight float64
}

// SearchWeighted ranks documents for weighted query terms (terms should be
// distinct). Any term may match (OR); a document's score is the sum over
// matched terms of weight·idf·BM25F-tf, so documents matching more terms rank
// higher; ties go to the newer article, then by DocID (hitBefore). Exactly one IndexReader.Read is made; feedback (if enabled)
// re-ranks the candidates of that read.
func (s *Searcher) SearchWeighted(ctx context.Context, query []QueryTerm, limit int) (Result, error) {
	params := s.Params
	if params == (Params{}) {
		params = DefaultParams
	}
	k := s.K
	switch {
	case k == 0:
		k = DefaultK
	case k < 0:
		k = math.MaxInt32
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	at := now()

	query = capTerms(query, MaxQueryTerms)
	var res Result
	if len(query) == 0 {
		return res, nil
	}
	terms := make([]string, len(query))
	for i, q := range query {
		terms[i] = q.Term
	}
	stats, lists, err := s.Index.Read(ctx, terms, k)
	if err != nil {
		return Result{}, err
	}
	res.Terms = terms

	// Accumulate the first pass, keeping each candidate's signature.
	avgTitle, avgBody := stats.AvgTitleLen(), stats.AvgBodyLen()
	type acc struct {
		score   float64
		matched int
		pub     int64
		sig     []SigTerm
	}
	accs := map[string]*acc{}
	for i, q := range query {
		res.PostingsRead += len(lists[i])
		df := stats.DocFreq[q.Term]
		if df <= 0 || q.Weight <= 0 {
			continue
		}
		w := q.Weight * IDF(df, stats.Docs)
		for j := range lists[i] {
			p := &lists[i][j]
			if p.PublishedAt > at.Unix() || (s.Filter != nil && !s.Filter(p)) {
				continue
			}
			a := accs[p.DocID]
			if a == nil {
				a = &acc{pub: p.PublishedAt, sig: p.Signature}
				accs[p.DocID] = a
			}
			a.score += w * params.tfComponent(*p, avgTitle, avgBody)
			a.matched++
		}
	}
	// Completion: a candidate found through some terms may also hold a term
	// whose list was cut at k before reaching it. Its signature says so for the
	// document's salient terms; their write-time impact stands in for the
	// posting that was not read, so a bounded read ranks documents matching
	// several common terms as an unbounded one would, at no extra read.
	if !params.NoCompletion {
		for i, q := range query {
			df := stats.DocFreq[q.Term]
			if len(lists[i]) < k || df <= 0 || q.Weight <= 0 {
				continue // the whole list was read: absence is real
			}
			w := q.Weight * IDF(df, stats.Docs)
			seen := make(map[string]bool, len(lists[i]))
			for j := range lists[i] {
				seen[lists[i][j].DocID] = true
			}
			for id, a := range accs {
				if seen[id] {
					continue
				}
				for _, st := range a.sig {
					if st.Term == q.Term {
						a.score += w * st.Impact
						a.matched++
						break
					}
				}
			}
		}
	}
	rank := func(extra func(id string, a *acc) float64) []Hit {
		hits := make([]Hit, 0, len(accs))
		for id, a := range accs {
			sc := a.score
			if extra != nil {
				sc += extra(id, a)
			}
			hits = append(hits, Hit{DocID: id, Score: sc, Matched: a.matched, PublishedAt: a.pub})
		}
		sort.Slice(hits, func(i, j int) bool { return hitBefore(hits[i], hits[j]) })
		return hits
	}
	hits := rank(nil)

	if fb := params.Feedback; fb.Docs > 0 && fb.Terms > 0 && len(hits) >= 2 {
		n := min(fb.Docs, len(hits))
		sigs := make([][]SigTerm, n)
		for i := range sigs {
			sigs[i] = accs[hits[i].DocID].sig
		}
		exp := expand(query, sigs, fb)
		if len(exp) > 0 {
			for _, e := range exp {
				res.Expansion = append(res.Expansion, e.QueryTerm)
			}
			hits = rank(func(_ string, a *acc) float64 {
				var sc float64
				for _, e := range exp {
					for _, st := range a.sig {
						if st.Term == e.Term {
							sc += e.Weight * e.idf * st.Impact
							break
						}
					}
				}
				return sc
			})
		}
	}
	res.Candidates = len(hits)
	if limit >= 0 && len(hits) > limit {
		hits = hits[:limit]
	}
	res.Hits = hits
	return res, nil
}

type expansion struct {
	QueryTerm
	idf float64
}

// expand picks expansion terms from the feedback documents' signatures with
// Robertson's term selection value r·idf (r = feedback documents whose
// signature holds the term, idf its mean write-time value), the Okapi
// approach. Terms must occur in at least two feedback documents so one odd
// document cannot steer the query.
func expand(query []QueryTerm, sigs [][]SigTerm, fb Feedback) []expansion {
	inQuery := map[string]bool{}
	for _, q := range query {
		inQuery[q.Term] = true
	}
	count := map[string]int{}
	idfSum := map[string]float64{}
	for _, sig := range sigs {
		for _, st := range sig {
			if !inQuery[st.Term] {
				count[st.Term]++
				idfSum[st.Term] += st.IDF
			}
		}
	}
	var cand []string
	for t, c := range count {
		if c >= 2 {
			cand = append(cand, t)
		}
	}
	tsv := func(t string) float64 { return idfSum[t] } // = r · mean idf
	sort.Slice(cand, func(i, j int) bool {
		if a, b := tsv(cand[i]), tsv(cand[j]); a != b {
			return a > b
		}
		return cand[i] < cand[j]
	})
	if len(cand) > fb.Terms {
		cand = cand[:fb.Terms]
	}
	out := make([]expansion, 0, len(cand))
	for _, t := range cand {
		out = append(out, expansion{
			QueryTerm: QueryTerm{Term: t, Weight: fb.Weight * float64(count[t]) / float64(len(sigs))},
			idf:       idfSum[t] / float64(count[t]),
		})
	}
	return out
}

// hitBefore is the ranked order: score, then the newer article (recency is a
// tie-breaker, never a multiplier, so a ranking does not drift with the clock
// and old articles are not pushed down for being old), then DocID so the order
// is total and every page of one query is cut from the same list.
func hitBefore(a, b Hit) bool {
	if a.Score != b.Score {
		return a.Score > b.Score
	}
	if a.PublishedAt != b.PublishedAt {
		return a.PublishedAt > b.PublishedAt
	}
	return a.DocID < b.DocID
}

// capTerms drops non-positive weights and, beyond max terms, keeps the
// heaviest (then the earliest) so the number of reads stays bounded.
func capTerms(query []QueryTerm, max int) []QueryTerm {
	out := make([]QueryTerm, 0, len(query))
	for _, q := range query {
		if q.Weight > 0 && q.Term != "" {
			out = append(out, q)
		}
	}
	if len(out) > max {
		sort.SliceStable(out, func(i, j int) bool { return out[i].Weight > out[j].Weight })
		out = out[:max]
	}
	return out
}
