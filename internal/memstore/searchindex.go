package memstore

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"broadsheet/internal/analysis"
	"broadsheet/internal/search"
	"broadsheet/internal/searchindex"
)

// SearchIndex keeps the search index in memory with the promises of
// searchindex.DynamoStore: posting writes counted exactly once, a commit
// that moves the statistics once per change, postings read in impact-key
// order, suggest partitions read in sort-key order. What it returns is what
// DynamoDB would: signatures at their stored precision, dates as stored.
type SearchIndex struct {
	mu       sync.Mutex
	stats    search.Stats
	df       map[string]int
	postings map[string]map[string]search.Posting // term → "key#docId" → posting
	terms    map[string]*searchindex.State        // TERMS by document
	pending  map[string]*searchindex.State        // PENDING by document
	docs     map[string]*searchindex.Doc
	suggest  map[string]map[string]searchindex.SuggestItem // partition → sort key → item
}

// NewSearchIndex returns an empty index.
func NewSearchIndex() *SearchIndex {
	return &SearchIndex{
		df: map[string]int{}, postings: map[string]map[string]search.Posting{},
		terms: map[string]*searchindex.State{}, pending: map[string]*searchindex.State{},
		docs: map[string]*searchindex.Doc{}, suggest: map[string]map[string]searchindex.SuggestItem{},
	}
}

var (
	_ searchindex.Store     = (*SearchIndex)(nil)
	_ searchindex.ReadStore = (*SearchIndex)(nil)
)

func copyDoc(d *searchindex.Doc) *searchindex.Doc {
	c := *d
	c.Tags = append([]string{}, d.Tags...)
	return &c
}

// Load implements searchindex.Store.
func (x *SearchIndex) Load(_ context.Context, docID string) (searchindex.Stored, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	st := searchindex.Stored{Committed: x.terms[docID].Clone(), Pending: x.pending[docID].Clone()}
	if d, ok := x.docs[docID]; ok {
		st.Doc = copyDoc(d)
	}
	return st, nil
}

// Corpus implements searchindex.Store.
func (x *SearchIndex) Corpus(_ context.Context, terms []string) (search.Stats, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	st := x.stats
	st.DocFreq = map[string]int{}
	for _, t := range terms {
		if n, ok := x.df[t]; ok {
			st.DocFreq[t] = n
		}
	}
	return st, nil
}

// WriteAhead implements searchindex.Store.
func (x *SearchIndex) WriteAhead(_ context.Context, docID string, st *searchindex.State) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.pending[docID] = st.Clone()
	return nil
}

// stored is a posting as DynamoDB keeps it: the impact from its key, the
// signature at the precision of its encoding.
func stored(w searchindex.PostingWrite) search.Posting {
	p := w.Posting
	p.DocID = w.DocID
	var u uint32
	if _, err := fmt.Sscan(w.Key, &u); err == nil {
		p.Impact = search.ImpactFromKey(u)
	}
	p.Tags = strings.Fields(strings.Join(p.Tags, " "))
	p.Signature = search.DecodeSignature(search.EncodeSignature(p.Signature))
	return p
}

// ApplyPostings implements searchindex.Store, each write with its df change
// at once.
func (x *SearchIndex) ApplyPostings(_ context.Context, writes []searchindex.PostingWrite) ([]searchindex.PostingWrite, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	var already []searchindex.PostingWrite
	for _, w := range writes {
		sk := w.Key + "#" + w.DocID
		list := x.postings[w.Term]
		_, exists := list[sk]
		switch {
		case w.Delete && exists:
			delete(list, sk)
			x.df[w.Term]--
		case !w.Delete && !exists:
			if list == nil {
				list = map[string]search.Posting{}
				x.postings[w.Term] = list
			}
			list[sk] = stored(w)
			x.df[w.Term]++
		default:
			already = append(already, w)
		}
	}
	return already, nil
}

// Refresh implements searchindex.Store.
func (x *SearchIndex) Refresh(_ context.Context, r searchindex.Refresh) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, w := range r.Postings {
		if x.postings[w.Term] == nil {
			x.postings[w.Term] = map[string]search.Posting{}
		}
		x.postings[w.Term][w.Key+"#"+w.DocID] = stored(w) // a put, as BatchWriteItem's
	}
	for _, k := range r.SuggestDeletes {
		pk, sk, _ := strings.Cut(k, " ")
		delete(x.suggest[pk], sk)
	}
	for _, it := range r.SuggestPuts {
		pk, sk, _ := strings.Cut(it.Key, " ")
		if x.suggest[pk] == nil {
			x.suggest[pk] = map[string]searchindex.SuggestItem{}
		}
		x.suggest[pk][sk] = it
	}
	return nil
}

// Commit implements searchindex.Store.
func (x *SearchIndex) Commit(_ context.Context, c searchindex.Commit) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if old, ok := x.terms[c.DocID]; ok && old.Seq >= c.State.Seq {
		return nil // committed by an earlier attempt
	}
	x.terms[c.DocID] = c.State.Clone()
	delete(x.pending, c.DocID)
	if c.Doc != nil {
		d := copyDoc(c.Doc)
		d.PublishedAt, _ = time.Parse(time.RFC3339Nano, d.PublishedAtRaw) // as stored
		x.docs[c.DocID] = d
	} else {
		delete(x.docs, c.DocID)
	}
	x.stats.Docs += int(c.Stats.Docs)
	x.stats.TitleLenSum += c.Stats.TitleLen
	x.stats.BodyLenSum += c.Stats.BodyLen
	if c.Doc != nil { // a set, as DynamoDB's ADD keeps it: sorted, never shrinks
		if lang := analysis.For(c.Doc.Lang).Name(); !slices.Contains(x.stats.Langs, lang) {
			x.stats.Langs = append(slices.Clone(x.stats.Langs), lang)
			slices.Sort(x.stats.Langs)
		}
	}
	return nil
}

// SetCommentCount implements searchindex.Store.
func (x *SearchIndex) SetCommentCount(_ context.Context, docID string, seq, count int64) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if d, ok := x.docs[docID]; ok && d.Seq == seq {
		d.CommentCount = count
	}
	return nil
}

// Read implements searchindex.ReadStore.
func (x *SearchIndex) Read(_ context.Context, terms []string, k int) (search.Stats, [][]search.Posting, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	st := x.stats
	st.DocFreq = make(map[string]int, len(terms))
	lists := make([][]search.Posting, len(terms))
	for i, t := range terms {
		st.DocFreq[t] = x.df[t]
		keys := make([]string, 0, len(x.postings[t]))
		for sk := range x.postings[t] {
			keys = append(keys, sk)
		}
		sort.Strings(keys)
		for _, sk := range keys[:min(k, len(keys))] {
			lists[i] = append(lists[i], x.postings[t][sk])
		}
	}
	return st, lists, nil
}

// Docs implements searchindex.ReadStore.
func (x *SearchIndex) Docs(_ context.Context, ids []string) (map[string]*searchindex.Doc, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	out := make(map[string]*searchindex.Doc, len(ids))
	for _, id := range ids {
		if d, ok := x.docs[id]; ok {
			out[id] = copyDoc(d)
		}
	}
	return out, nil
}

// SuggestItems implements searchindex.ReadStore.
func (x *SearchIndex) SuggestItems(_ context.Context, partition, prefix string, limit int) ([]searchindex.SuggestItem, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	keys := make([]string, 0, len(x.suggest[partition]))
	for sk := range x.suggest[partition] {
		if strings.HasPrefix(sk, prefix) {
			keys = append(keys, sk)
		}
	}
	sort.Strings(keys)
	out := make([]searchindex.SuggestItem, 0, min(limit, len(keys)))
	for _, sk := range keys[:min(limit, len(keys))] {
		out = append(out, x.suggest[partition][sk])
	}
	return out, nil
}

// Dump renders every item of the index, sorted: two dumps are equal exactly
// when the index holds the same items.
func (x *SearchIndex) Dump() []string {
	x.mu.Lock()
	defer x.mu.Unlock()
	var out []string
	out = append(out, fmt.Sprintf("stats %d %d %d", x.stats.Docs, x.stats.TitleLenSum, x.stats.BodyLenSum))
	for t, n := range x.df {
		out = append(out, fmt.Sprintf("df %s %d", t, n))
	}
	for t, list := range x.postings {
		for sk, p := range list {
			out = append(out, fmt.Sprintf("posting %s %s %+v", t, sk, p))
		}
	}
	for id, st := range x.terms {
		out = append(out, fmt.Sprintf("terms %s %+v", id, *st))
	}
	for id, st := range x.pending {
		out = append(out, fmt.Sprintf("pending %s %+v", id, *st))
	}
	for id, d := range x.docs {
		out = append(out, fmt.Sprintf("doc %s %+v", id, *d))
	}
	for pk, items := range x.suggest {
		for sk, it := range items {
			out = append(out, fmt.Sprintf("suggest %s %s %+v", pk, sk, it))
		}
	}
	sort.Strings(out)
	return out
}
