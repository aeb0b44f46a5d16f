package searchindex

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"broadsheet/internal/analysis"
	"broadsheet/internal/dynamo"
	"broadsheet/internal/search"
)

// MaxK caps the postings read per term, whatever the caller asks: K+1 items
// of at most ~1 KB stay far below Query's 1 MB page, so one call suffices.
const MaxK = 500

// Reader reads the index. All reads are eventually consistent (half the RCU).
type Reader struct {
	DB    dynamo.API
	Table string

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

// LoadLanguages reads the index's languages once (a GetItem), for a
// function to call at start-up so its first query knows them.
func (r *Reader) LoadLanguages(ctx context.Context) error {
	out, err := r.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: &r.Table, Key: dynamo.Key(dynamo.SearchStatsPK, dynamo.SearchStatsSK)})
	if err != nil {
		return fmt.Errorf("index languages: %w", err)
	}
	r.setLanguages(out.Item)
	return nil
}

func (r *Reader) setLanguages(stats map[string]types.AttributeValue) {
	var langs []string
	if ss, ok := stats["langs"].(*types.AttributeValueMemberSS); ok {
		langs = append(langs, ss.Value...)
		sort.Strings(langs)
	}
	r.mu.Lock()
	r.langs = langs
	r.mu.Unlock()
}

var _ search.IndexReader = (*Reader)(nil)

// Read implements search.IndexReader in one round of parallel requests: a
// GetItem of the global statistics and, per term, one Query of its partition
// with Limit k+1, which returns the df item (sort key "#" sorts first) and
// the k highest-impact postings.
func (r *Reader) Read(ctx context.Context, terms []string, k int) (search.Stats, [][]search.Posting, error) {
	k = max(0, min(k, MaxK))
	done := BeginRound(ctx)
	defer done()
	lists := make([][]search.Posting, len(terms))
	dfs := make([]int, len(terms))
	errs := make([]error, len(terms)+1)
	var st search.Stats
	var wg sync.WaitGroup
	wg.Add(len(terms) + 1)
	go func() {
		defer wg.Done()
		out, err := r.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: &r.Table, Key: dynamo.Key(dynamo.SearchStatsPK, dynamo.SearchStatsSK)})
		if err != nil {
			errs[len(terms)] = err
			return
		}
		st = statsFrom(out.Item)
		r.setLanguages(out.Item)
	}()
	for i, t := range terms {
		go func() {
			defer wg.Done()
			out, err := r.DB.Query(ctx, &dynamodb.QueryInput{
				TableName:                 &r.Table,
				KeyConditionExpression:    aws.String("pk = :pk"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(dynamo.TermPK(t))},
				Limit:                     aws.Int32(int32(k + 1)),
			})
			if err != nil {
				errs[i] = err
				return
			}
			for _, it := range out.Items {
				if getS(it, "sk") == dynamo.SKTermStats {
					dfs[i] = int(getN(it, "df"))
					continue
				}
				if p, ok := postingFrom(it); ok && len(lists[i]) < k {
					lists[i] = append(lists[i], p)
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return search.Stats{}, nil, fmt.Errorf("read index: %w", err)
		}
	}
	st.DocFreq = make(map[string]int, len(terms))
	for i, t := range terms {
		st.DocFreq[t] = dfs[i]
	}
	return st, lists, nil
}

// Doc is an indexed article's display record.
type Doc struct {
	ID, Slug, Title, Summary, AuthorName string
	Tags                                 []string
	PublishedAt                          time.Time
	CommentCount                         int64
	Text                                 string // plain text, for snippets
	Lang                                 string // BCP 47 language it was analysed in ("" English)
}

// Docs reads the display records of ids in one BatchGetItem (at most 100).
// Missing ids (deleted or not yet indexed) are absent from the map.
func (r *Reader) Docs(ctx context.Context, ids []string) (map[string]*Doc, error) {
	out := make(map[string]*Doc, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	if len(ids) > 100 {
		return nil, fmt.Errorf("docs: %d ids, at most 100", len(ids))
	}
	done := BeginRound(ctx)
	defer done()
	keys := make([]map[string]types.AttributeValue, 0, len(ids))
	seen := map[string]bool{}
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			keys = append(keys, dynamo.Key(dynamo.SearchDocPK(id), dynamo.SKSearchDoc))
		}
	}
	items, err := batchGet(ctx, r.DB, r.Table, keys, "")
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		d := &Doc{
			ID: getS(it, "id"), Slug: getS(it, "slug"), Title: getS(it, "title"), Summary: getS(it, "summary"),
			AuthorName: getS(it, "authorName"), Tags: getList(it, "tags"), CommentCount: getN(it, "commentCount"),
			Text: getS(it, "text"), Lang: getS(it, "lang"),
		}
		d.PublishedAt, _ = time.Parse(time.RFC3339Nano, getS(it, "publishedAt"))
		out[d.ID] = d
	}
	return out, nil
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
	results := make([][]map[string]types.AttributeValue, len(qs))
	errs := make([]error, len(qs))
	done := BeginRound(ctx)
	var wg sync.WaitGroup
	for i, qq := range qs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := &dynamodb.QueryInput{
				TableName:                 &r.Table,
				KeyConditionExpression:    aws.String("pk = :pk"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(qq.pk)},
				Limit:                     aws.Int32(SuggestLimit),
			}
			if qq.prefix != "" {
				in.KeyConditionExpression = aws.String("pk = :pk AND begins_with(sk, :p)")
				in.ExpressionAttributeValues[":p"] = s(qq.prefix)
			}
			out, err := r.DB.Query(ctx, in)
			if err != nil {
				errs[i] = err
				return
			}
			results[i] = out.Items
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
			id, p := getS(it, "d"), getN(it, "p")
			if id == "" || p > now.Unix() {
				continue
			}
			tw := strings.Fields(getS(it, "w"))
			quality := bestMatch(last, tw)
			if quality == 0 || !allMatch(earlier, tw) {
				continue
			}
			if c, ok := best[id]; !ok || quality > c.exact {
				best[id] = &cand{Suggestion{Slug: getS(it, "slug"), Title: getS(it, "title")}, id, quality, p}
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
