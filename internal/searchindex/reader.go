package searchindex

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"broadsheet/internal/analysis"
	"broadsheet/internal/dynamo"
	"broadsheet/internal/search"
)

// MaxK caps the postings read per term, whatever the caller asks: K+1 items
// of at most ~1 KB stay far below Query's 1 MB page, so one call suffices.
const MaxK = 500

// Reader reads the index. All reads are eventually consistent (half the RCU
// on DynamoDB).
type Reader struct {
	Store ReadStore

	mu    sync.Mutex
	langs []string // the index's languages as of the last statistics read
}

// Languages are the analysers of the indexed articles as of the last read of
// the global statistics (every Read refreshes them, at no extra request):
// what a query is analysed for before its first round. Nil (English) until
// a read or LoadLanguages; a language's first article is thus searched in
// it from the next query on.
func (r *Reader) Languages() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.langs
}

// LoadLanguages reads the index's languages once (the statistics alone), for
// a function to call at start-up so its first query knows them.
func (r *Reader) LoadLanguages(ctx context.Context) error {
	st, _, err := r.Store.Read(ctx, nil, 0)
	if err != nil {
		return fmt.Errorf("index languages: %w", err)
	}
	r.setLanguages(st.Langs)
	return nil
}

func (r *Reader) setLanguages(langs []string) {
	r.mu.Lock()
	r.langs = langs
	r.mu.Unlock()
}

var _ search.IndexReader = (*Reader)(nil)

// Read implements search.IndexReader: the global statistics, the df of terms
// and at most k (capped at MaxK) highest-impact postings per term, in one
// round.
func (r *Reader) Read(ctx context.Context, terms []string, k int) (search.Stats, [][]search.Posting, error) {
	st, lists, err := r.Store.Read(ctx, terms, max(0, min(k, MaxK)))
	if err == nil {
		r.setLanguages(st.Langs)
	}
	return st, lists, err
}

// Doc is an indexed article's display record.
type Doc struct {
	ID, Slug, Title, Summary, AuthorName string
	Tags                                 []string
	PublishedAt                          time.Time
	PublishedAtRaw                       string // as the article stores it
	CommentCount                         int64
	Text                                 string // plain text, for snippets
	Seq                                  int64  // the change that wrote it
	Lang                                 string // BCP 47 language it was analysed in ("" English)
}

// Docs reads the display records of ids in one round (at most 100 ids).
// Missing ids (deleted or not yet indexed) are absent from the map.
func (r *Reader) Docs(ctx context.Context, ids []string) (map[string]*Doc, error) {
	if len(ids) > 100 {
		return nil, fmt.Errorf("docs: %d ids, at most 100", len(ids))
	}
	distinct := make([]string, 0, len(ids))
	seen := map[string]bool{}
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			distinct = append(distinct, id)
		}
	}
	return r.Store.Docs(ctx, distinct)
}

// Suggestion is one type-ahead answer.
type Suggestion struct {
	Slug  string `json:"slug"`
	Title string `json:"title"`
}

// SuggestLimit is the items read per suggest Query.
const SuggestLimit = 100

// Suggest returns at most max titles of articles visible at now where the last
// word of q is a prefix of a title word (with one typo tolerated from
// TypoMinLen letters) and every earlier word loosely matches a title word. It
// costs one round: up to 1 + TypoKeyChars parallel Queries of SuggestLimit
// items.
func (r *Reader) Suggest(ctx context.Context, q string, now time.Time, max int) ([]Suggestion, error) {
	words := strings.Fields(analysis.Normalize(q))
	if len(words) == 0 {
		return []Suggestion{}, nil
	}
	last := words[len(words)-1]
	var earlier []string
	for _, w := range words[:len(words)-1] {
		if !analysis.IsStopWord(w) {
			earlier = append(earlier, w)
		}
	}
	lookup := last
	if len([]rune(lookup)) < minKeyLen {
		if len(earlier) == 0 {
			return []Suggestion{}, nil
		}
		lookup = earlier[len(earlier)-1] // "afghan p": find by "afghan", filter by "p"
	}
	type query struct{ pk, prefix string }
	qs := []query{{dynamo.SuggestPK(prefixRunes(lookup, minKeyLen)), lookup}}
	if len([]rune(lookup)) >= TypoMinLen {
		for _, k := range deletionKeys(lookup) {
			qs = append(qs, query{dynamo.TypoSuggestPK(k), ""})
		}
	}
	results := make([][]SuggestItem, len(qs))
	errs := make([]error, len(qs))
	done := BeginRound(ctx)
	var wg sync.WaitGroup
	for i, qq := range qs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = r.Store.SuggestItems(ctx, qq.pk, qq.prefix, SuggestLimit)
		}()
	}
	wg.Wait()
	done()
	for _, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("suggest: %w", err)
		}
	}
	type cand struct {
		Suggestion
		id    string
		exact int
		p     int64
	}
	best := map[string]*cand{}
	for _, items := range results {
		for _, it := range items {
			id, p := it.DocID, it.P
			if id == "" || p > now.Unix() {
				continue
			}
			tw := strings.Fields(it.W)
			quality := bestMatch(last, tw)
			if quality == 0 || !allMatch(earlier, tw) {
				continue
			}
			if c, ok := best[id]; !ok || quality > c.exact {
				best[id] = &cand{Suggestion{Slug: it.Slug, Title: it.Title}, id, quality, p}
			}
		}
	}
	cands := make([]*cand, 0, len(best))
	for _, c := range best {
		cands = append(cands, c)
	}
	sort.Slice(cands, func(i, j int) bool {
		a, b := cands[i], cands[j]
		if a.exact != b.exact {
			return a.exact > b.exact
		}
		if a.p != b.p {
			return a.p > b.p
		}
		if a.Title != b.Title {
			return a.Title < b.Title
		}
		return a.id < b.id
	})
	out := make([]Suggestion, 0, min(max, len(cands)))
	for _, c := range cands {
		if len(out) == max {
			break
		}
		out = append(out, c.Suggestion)
	}
	return out, nil
}

func bestMatch(typed string, words []string) int {
	best := 0
	for _, w := range words {
		best = max(best, matchPrefix(typed, w))
	}
	return best
}

func allMatch(typed, words []string) bool {
	for _, t := range typed {
		if bestMatch(t, words) == 0 {
			return false
		}
	}
	return true
}
