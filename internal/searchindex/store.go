package searchindex

import (
	"context"

	"broadsheet/internal/search"
)

// Store is what the writer needs of index storage. Two implementations keep
// the same promises: DynamoStore (the table, see docs/search.md) and
// memstore.SearchIndex (a test double); internal/testkit/storetest runs one
// suite against both.
type Store interface {
	// Load reads a document's committed state (TERMS), its write-ahead state
	// (PENDING) and its display record (DOC), strongly consistent.
	Load(ctx context.Context, docID string) (Stored, error)
	// Corpus reads the global statistics and the df of terms, strongly
	// consistent. Unknown terms are absent from DocFreq.
	Corpus(ctx context.Context, terms []string) (search.Stats, error)
	// WriteAhead stores the state a change is about to apply as PENDING.
	WriteAhead(ctx context.Context, docID string, st *State) error
	// ApplyPostings applies each write together with its term's df change
	// (+1 for a put, −1 for a delete) exactly once: a put whose posting
	// exists, or a delete whose posting does not, changes nothing and is
	// returned. Whether writes are grouped, and how, is the store's choice.
	ApplyPostings(ctx context.Context, writes []PostingWrite) (alreadyApplied []PostingWrite, err error)
	// Refresh applies idempotent writes that carry no counters: posting
	// overwrites and suggest item puts and deletes.
	Refresh(ctx context.Context, r Refresh) error
	// Commit records State as TERMS, deletes PENDING, puts (or, with a nil
	// Doc, deletes) DOC and adds Stats to the global statistics, all at once
	// and only if TERMS' sequence is below State.Seq (or TERMS is absent); a
	// commit that finds it already made changes nothing and is no error.
	Commit(ctx context.Context, c Commit) error
	// SetCommentCount sets DOC's comment count if DOC is at seq.
	SetCommentCount(ctx context.Context, docID string, seq, count int64) error
}

// ReadStore is what readers need of index storage. Reads are eventually
// consistent.
type ReadStore interface {
	// Read returns the global statistics with the df of terms and, per term,
	// its k highest-impact postings (ascending impact key, then document id).
	search.IndexReader
	// Docs returns the display records of at most 100 distinct ids; missing
	// ones are absent.
	Docs(ctx context.Context, ids []string) (map[string]*Doc, error)
	// SuggestItems returns at most limit suggest items of a partition whose
	// word#docId sort key begins with prefix, in sort key order.
	SuggestItems(ctx context.Context, partition, prefix string, limit int) ([]SuggestItem, error)
}

// Stored is what the index holds for one document.
type Stored struct {
	Committed *State // TERMS: nil before the document's first change
	Pending   *State // PENDING: nil unless a change is in progress or failed
	Doc       *Doc   // DOC: nil unless the document is indexed
}

// TermState is what the index holds for one term of a document: the impact
// key of its posting (so the posting can be found and deleted) and the tf per
// field (so an edit that leaves them unchanged keeps the posting's key).
type TermState struct {
	Key  string
	A, B int
}

// State is what is (TERMS) or is about to be (PENDING) indexed for a document.
type State struct {
	Seq               int64
	Indexed           bool
	TitleLen, BodyLen int
	DocHash           string // hash of the document-level posting content
	Terms             map[string]TermState
	Sug               []string // suggest item keys, "pk sk"
	SugHash           string   // hash of the suggest items' content
}

// Clone returns a deep copy.
func (st *State) Clone() *State {
	if st == nil {
		return nil
	}
	c := *st
	c.Terms = make(map[string]TermState, len(st.Terms))
	for t, ts := range st.Terms {
		c.Terms[t] = ts
	}
	c.Sug = append([]string(nil), st.Sug...)
	return &c
}

// PostingWrite is one posting put (with its term's df +1) or delete (df −1).
type PostingWrite struct {
	Term    string
	Key     string // impact key: the posting's sort key is Key#DocID
	DocID   string
	Delete  bool
	Posting search.Posting // what a put stores
}

// SuggestItem is one type-ahead entry: a title word of a document under a
// partition of its first letters (or a deletion neighbour of them).
type SuggestItem struct {
	Key                   string // "pk sk", as State.Sug lists it
	DocID, Title, Slug, W string // W: the normalised title words
	P                     int64  // publishedAt, Unix seconds
}

// Refresh is a set of idempotent writes.
type Refresh struct {
	Postings       []PostingWrite // puts over postings that exist
	SuggestDeletes []string       // suggest item keys
	SuggestPuts    []SuggestItem
}

// Empty reports whether there is nothing to write.
func (r Refresh) Empty() bool {
	return len(r.Postings) == 0 && len(r.SuggestDeletes) == 0 && len(r.SuggestPuts) == 0
}

// StatsDelta is a change of the global statistics.
type StatsDelta struct{ Docs, TitleLen, BodyLen int64 }

// Zero reports whether the delta changes nothing.
func (d StatsDelta) Zero() bool { return d == StatsDelta{} }

// Commit is a change's last, conditional step.
type Commit struct {
	DocID string
	State *State // TERMS; its Seq is the condition
	Doc   *Doc   // DOC to put; nil deletes it
	Stats StatsDelta
}
