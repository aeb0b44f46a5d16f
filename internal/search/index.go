// Package search ranks articles with BM25F over a title and a body field.
//
// The index is shaped for a key-value store with bounded reads (DynamoDB):
// each term has a posting list ordered by a precomputed impact, and a query
// reads only the first K postings of each of its terms, together with the
// term's document frequency and the corpus statistics, in ONE round of
// parallel reads (IndexReader.Read). A posting carries everything needed to
// score, filter and feed back on its document (term frequencies, field
// lengths, publication time, tags, author and the document's signature
// terms), so ranking never reads per-document data. Pseudo-relevance feedback
// is computed from the signatures of the first pass's top documents and
// re-ranks the round's candidates: it costs no further reads.
//
// MemoryIndex and the DynamoDB index (internal/searchindex) implement the same
// IndexReader with the same write-time impacts and signatures (PrepareIndex),
// so quality measured in memory (cmd/searcheval) is the quality served.
package search

import (
	"context"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"broadsheet/internal/analysis"
)

// Document is the searchable part of an article.
type Document struct {
	ID          string
	Title       string
	Body        string
	PublishedAt time.Time // zero: unknown, no recency effect
	Tags        []string  // for filters
	Author      string    // author key (slug of the name), for filters
	Lang        string    // BCP 47; picks the analyser (analysis.For), "" English
}

// Posting records one term's occurrence in one document.
type Posting struct {
	DocID             string
	TitleTF, BodyTF   int   // occurrences of the term in each field
	TitleLen, BodyLen int   // field lengths in tokens (Analyze output)
	PublishedAt       int64 // Unix seconds; 0 means unknown
	// Impact orders the term's posting list (descending) so a bounded read
	// returns the documents where the term matters most. It is the term's
	// BM25F tf component without idf (idf is constant within one list), computed
	// with the corpus averages at write time and quantised by ImpactKey. It is
	// never used as a score.
	Impact    float64
	Tags      []string  // the document's tags (filters)
	Author    string    // the document's author key (filters)
	Signature []SigTerm // the document's most salient terms (feedback)
}

// SigTerm is one of a document's signature terms with its write-time weight
// components: Impact is the term's BM25F tf component in the document and IDF
// its inverse document frequency, both as known when the document was indexed.
type SigTerm struct {
	Term   string
	Impact float64
	IDF    float64
}

// SignatureSize is the number of signature terms stored on each posting.
const SignatureSize = 20

// MaxDocTerms bounds the distinct terms indexed per document (the highest
// impacts are kept), which bounds a document's index items and write cost.
const MaxDocTerms = 2000

// TermPosting is a posting together with its term, as produced by
// BuildPostings for writing to an index.
type TermPosting struct {
	Term string
	Posting
}

// Stats are the corpus statistics scoring needs.
type Stats struct {
	Docs int // number of indexed documents
	// Length sums (not averages) so a store can maintain them with atomic
	// increments when documents are added or removed.
	TitleLenSum, BodyLenSum int64
	DocFreq                 map[string]int // documents containing the term
	// Langs are the analysers (analysis.Analyzer names) of the indexed
	// documents, sorted, where the store keeps them; nil means English.
	Langs []string
}

// AvgTitleLen is the mean title length in tokens (at least 1).
func (s Stats) AvgTitleLen() float64 { return avg(s.TitleLenSum, s.Docs) }

// AvgBodyLen is the mean body length in tokens (at least 1).
func (s Stats) AvgBodyLen() float64 { return avg(s.BodyLenSum, s.Docs) }

func avg(sum int64, n int) float64 {
	if n == 0 || sum <= 0 {
		return 1
	}
	return float64(sum) / float64(n)
}

// IndexReader is what the ranker needs from an index: ONE round of reads.
// Read returns the corpus statistics with DocFreq filled for terms and, for
// each term (same order), the first k postings of its list in ImpactKey order
// (ties by DocID). A remote store issues the per-term reads in parallel; the
// bound k is what keeps a query's cost fixed.
type IndexReader interface {
	Read(ctx context.Context, terms []string, k int) (Stats, [][]Posting, error)
}

// LanguageLister is an index that knows the languages (analysis.Analyzer
// names) of its documents, so a query can be analysed for each of them
// before its one round of reads. An index that is not one holds English.
type LanguageLister interface {
	Languages() []string
}

// BuildPostings analyses a document into one posting per distinct term,
// sorted by term, with Impact and Signature left zero (see PrepareIndex).
// titleLen and bodyLen are the field lengths to add to the corpus length sums.
func BuildPostings(doc Document) (postings []TermPosting, titleLen, bodyLen int) {
	an := analysis.For(doc.Lang)
	title := an.Analyze(doc.Title)
	body := an.Analyze(doc.Body)
	var published int64
	if !doc.PublishedAt.IsZero() {
		published = doc.PublishedAt.Unix()
	}
	byTerm := map[string]*Posting{}
	get := func(term string) *Posting {
		p := byTerm[term]
		if p == nil {
			p = &Posting{DocID: doc.ID, TitleLen: len(title), BodyLen: len(body), PublishedAt: published}
			byTerm[term] = p
		}
		return p
	}
	for _, t := range title {
		get(t.Term).TitleTF++
	}
	for _, t := range body {
		get(t.Term).BodyTF++
	}
	postings = make([]TermPosting, 0, len(byTerm))
	for term, p := range byTerm {
		postings = append(postings, TermPosting{Term: term, Posting: *p})
	}
	sort.Slice(postings, func(i, j int) bool { return postings[i].Term < postings[j].Term })
	return postings, len(title), len(body)
}

// PrepareIndex builds doc's postings as a writer stores them: impacts from the
// corpus averages and signature weights from the document frequencies known at
// write time. before holds the statistics without doc and df the document
// frequencies of doc's terms without doc (missing terms count as 0); doc itself
// is counted in both, so the first document of a corpus gets sensible values.
// At most MaxDocTerms postings are returned (highest impact first kept),
// sorted by term. Every value is quantised exactly as stores keep it.
func PrepareIndex(doc Document, before Stats, df map[string]int) (postings []TermPosting, titleLen, bodyLen int) {
	postings, titleLen, bodyLen = BuildPostings(doc)
	after := Stats{Docs: before.Docs + 1, TitleLenSum: before.TitleLenSum + int64(titleLen), BodyLenSum: before.BodyLenSum + int64(bodyLen)}
	avgT, avgB := after.AvgTitleLen(), after.AvgBodyLen()
	type weighted struct {
		i      int
		impact float64
		tfidf  float64
	}
	ws := make([]weighted, len(postings))
	for i := range postings {
		imp := ImpactFromKey(ImpactKey(ImpactParams.tfComponent(postings[i].Posting, avgT, avgB)))
		postings[i].Impact = imp
		ws[i] = weighted{i: i, impact: imp, tfidf: imp * IDF(df[postings[i].Term]+1, after.Docs)}
	}
	if len(postings) > MaxDocTerms {
		sort.Slice(ws, func(a, b int) bool {
			if ws[a].impact != ws[b].impact {
				return ws[a].impact > ws[b].impact
			}
			return postings[ws[a].i].Term < postings[ws[b].i].Term
		})
		keep := make([]TermPosting, 0, MaxDocTerms)
		kept := make([]weighted, 0, MaxDocTerms)
		for _, w := range ws[:MaxDocTerms] {
			kept = append(kept, weighted{i: len(keep), impact: w.impact, tfidf: w.tfidf})
			keep = append(keep, postings[w.i])
		}
		postings, ws = keep, kept
		sort.Slice(ws, func(a, b int) bool { return postings[ws[a].i].Term < postings[ws[b].i].Term })
		sort.Slice(postings, func(a, b int) bool { return postings[a].Term < postings[b].Term })
		for i := range ws {
			ws[i].i = i
		}
	}
	// Signature: the terms with the highest write-time tf·idf.
	order := append([]weighted(nil), ws...)
	sort.Slice(order, func(a, b int) bool {
		if order[a].tfidf != order[b].tfidf {
			return order[a].tfidf > order[b].tfidf
		}
		return postings[order[a].i].Term < postings[order[b].i].Term
	})
	sig := make([]SigTerm, 0, SignatureSize)
	for _, w := range order[:min(SignatureSize, len(order))] {
		t := postings[w.i].Term
		sig = append(sig, SigTerm{Term: t, Impact: w.impact, IDF: IDF(df[t]+1, after.Docs)})
	}
	sig = DecodeSignature(EncodeSignature(sig))
	tags := append([]string(nil), doc.Tags...)
	for i := range postings {
		postings[i].Signature = sig
		postings[i].Tags = tags
		postings[i].Author = doc.Author
	}
	return postings, titleLen, bodyLen
}

// ImpactKey quantises an impact (in [0,1)) into a sort key that orders
// postings by descending impact when compared ascending: what a store puts in
// the posting's sort key (fixed width, see FormatImpactKey).
func ImpactKey(impact float64) uint32 {
	impact = math.Max(0, math.Min(1, impact))
	return uint32(math.Round((1 - impact) * 1e9))
}

// ImpactFromKey is the impact a key stands for.
func ImpactFromKey(k uint32) float64 { return 1 - float64(k)/1e9 }

// FormatImpactKey is the fixed-width decimal form of an impact key.
func FormatImpactKey(impact float64) string { return fmt20(ImpactKey(impact)) }

func fmt20(k uint32) string {
	s := strconv.FormatUint(uint64(k), 10)
	return strings.Repeat("0", 10-len(s)) + s
}

// EncodeSignature renders a signature compactly ("term:impact‰:idf×100 …");
// analysed terms never contain spaces or colons.
func EncodeSignature(sig []SigTerm) string {
	var b strings.Builder
	for i, s := range sig {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s.Term)
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(int(math.Round(s.Impact * 1000))))
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(int(math.Round(s.IDF * 100))))
	}
	return b.String()
}

// DecodeSignature parses EncodeSignature's output, skipping malformed entries.
func DecodeSignature(s string) []SigTerm {
	if s == "" {
		return nil
	}
	fields := strings.Fields(s)
	out := make([]SigTerm, 0, len(fields))
	for _, f := range fields {
		i := strings.LastIndexByte(f, ':')
		if i <= 0 {
			continue
		}
		j := strings.LastIndexByte(f[:i], ':')
		if j <= 0 {
			continue
		}
		imp, err1 := strconv.Atoi(f[j+1 : i])
		idf, err2 := strconv.Atoi(f[i+1:])
		if err1 != nil || err2 != nil {
			continue
		}
		out = append(out, SigTerm{Term: f[:j], Impact: float64(imp) / 1000, IDF: float64(idf) / 100})
	}
	return out
}

// MemoryIndex is an in-memory IndexReader for tests, evaluation and small
// deployments. It is written like the DynamoDB index (PrepareIndex with the
// statistics at the time of each Add) and read with the same bound, so its
// quality numbers carry over. It is safe for concurrent use.
type MemoryIndex struct {
	mu       sync.Mutex
	docs     map[string][]string // docID → its terms, for Delete
	docLang  map[string]string   // docID → its analyser's name
	langs    map[string]int      // analyser name → documents
	lists    map[string][]Posting
	docCount int
	titleSum int64
	bodySum  int64
}

// NewMemoryIndex returns an empty index.
func NewMemoryIndex() *MemoryIndex {
	return &MemoryIndex{docs: map[string][]string{}, docLang: map[string]string{}, langs: map[string]int{}, lists: map[string][]Posting{}}
}

// Add indexes doc, replacing any document with the same ID.
func (m *MemoryIndex) Add(doc Document) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.deleteLocked(doc.ID)
	raw, _, _ := BuildPostings(doc)
	df := make(map[string]int, len(raw))
	for _, tp := range raw {
		df[tp.Term] = len(m.lists[tp.Term])
	}
	postings, titleLen, bodyLen := PrepareIndex(doc, m.statsLocked(), df)
	terms := make([]string, len(postings))
	for i, tp := range postings {
		terms[i] = tp.Term
		list := m.lists[tp.Term]
		at := sort.Search(len(list), func(j int) bool { return !impactLess(list[j], tp.Posting) })
		list = append(list, Posting{})
		copy(list[at+1:], list[at:])
		list[at] = tp.Posting
		m.lists[tp.Term] = list
	}
	m.docs[doc.ID] = terms
	lang := analysis.For(doc.Lang).Name()
	m.docLang[doc.ID] = lang
	m.langs[lang]++
	m.docCount++
	m.titleSum += int64(titleLen)
	m.bodySum += int64(bodyLen)
}

// Delete removes a document; unknown IDs are ignored.
func (m *MemoryIndex) Delete(id string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.deleteLocked(id)
}

func (m *MemoryIndex) deleteLocked(id string) {
	terms, ok := m.docs[id]
	if !ok {
		return
	}
	var titleLen, bodyLen int
	for _, term := range terms {
		list := m.lists[term]
		for i, p := range list {
			if p.DocID == id {
				titleLen, bodyLen = p.TitleLen, p.BodyLen
				list = append(list[:i], list[i+1:]...)
				break
			}
		}
		if len(list) == 0 {
			delete(m.lists, term)
		} else {
			m.lists[term] = list
		}
	}
	delete(m.docs, id)
	if m.langs[m.docLang[id]]--; m.langs[m.docLang[id]] <= 0 {
		delete(m.langs, m.docLang[id])
	}
	delete(m.docLang, id)
	m.docCount--
	m.titleSum -= int64(titleLen)
	m.bodySum -= int64(bodyLen)
}

// Languages are the analysers of the indexed documents (sorted names).
func (m *MemoryIndex) Languages() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]string, 0, len(m.langs))
	for l := range m.langs {
		out = append(out, l)
	}
	sort.Strings(out)
	return out
}

// Stats returns the corpus statistics with DocFreq filled for terms.
func (m *MemoryIndex) Stats(_ context.Context, terms []string) (Stats, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.statsLocked()
	s.DocFreq = make(map[string]int, len(terms))
	for _, t := range terms {
		s.DocFreq[t] = len(m.lists[t])
	}
	return s, nil
}

func (m *MemoryIndex) statsLocked() Stats {
	return Stats{Docs: m.docCount, TitleLenSum: m.titleSum, BodyLenSum: m.bodySum}
}

// TopPostings returns the first k postings of term's impact-ordered list.
func (m *MemoryIndex) TopPostings(_ context.Context, term string, k int) ([]Posting, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	list := m.lists[term]
	if k >= 0 && k < len(list) {
		list = list[:k]
	}
	return append([]Posting(nil), list...), nil
}

// Read implements IndexReader.
func (m *MemoryIndex) Read(ctx context.Context, terms []string, k int) (Stats, [][]Posting, error) {
	st, err := m.Stats(ctx, terms)
	if err != nil {
		return Stats{}, nil, err
	}
	lists := make([][]Posting, len(terms))
	for i, t := range terms {
		if lists[i], err = m.TopPostings(ctx, t, k); err != nil {
			return Stats{}, nil, err
		}
	}
	return st, lists, nil
}

// impactLess orders postings by descending impact (as quantised keys), then
// ascending DocID: the order of a store's sort key "<impact key>#<docID>".
func impactLess(a, b Posting) bool {
	ka, kb := ImpactKey(a.Impact), ImpactKey(b.Impact)
	if ka != kb {
		return ka < kb
	}
	return a.DocID < b.DocID
}

// Impact is the tf component of p with the averages of s (ImpactParams).
func Impact(p Posting, s Stats) float64 {
	return ImpactParams.tfComponent(p, s.AvgTitleLen(), s.AvgBodyLen())
}
