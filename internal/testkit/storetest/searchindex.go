package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"broadsheet/internal/search"
	"broadsheet/internal/searchindex"
)

// IndexStore is both halves of the search index's storage contract.
type IndexStore interface {
	searchindex.Store
	searchindex.ReadStore
}

// IndexHarness is a fresh, empty index store and a way to render everything
// it holds (sorted), so that two renderings are equal exactly when the index
// holds the same items.
type IndexHarness struct {
	Store IndexStore
	Dump  func(t *testing.T) []string
}

// indexPublished is the publication time of the index cases' articles.
var indexPublished = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// RunSearchIndex runs the search index cases: the storage promises, then the
// write-ahead protocol and the read rules through searchindex.Writer and
// searchindex.Reader on top of them.
func RunSearchIndex(t *testing.T, newIndex func(t *testing.T) IndexHarness) {
	cases := []struct {
		name string
		run  func(t *testing.T, h IndexHarness)
	}{
		{"PostingWritesCountOnce", postingWritesCountOnce},
		{"CommitMovesStatisticsOnce", commitMovesStatisticsOnce},
		{"ReadIsOrderedAndBounded", readIsOrderedAndBounded},
		{"SuggestItemsByPrefix", suggestItemsByPrefix},
		{"ApplyIsIdempotent", applyIsIdempotent},
		{"CommentCountRefresh", commentCountRefresh},
		{"EditUnpublishDeleteAndSchedule", editUnpublishDeleteAndSchedule},
		{"Suggest", suggestRules},
		{"LanguagesAreRecordedAndSearched", languagesAreRecordedAndSearched},
		{"ReaderMatchesMemoryIndex", readerMatchesMemoryIndex},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.run(t, newIndex(t)) })
	}
	t.Run("ApplyRecoversFromPartialFailure", func(t *testing.T) { applyRecoversFromPartialFailure(t, newIndex) })
	t.Run("ApplyAbandonsHalfAppliedChange", func(t *testing.T) { applyAbandonsHalfAppliedChange(t, newIndex) })
}

// IndexArticle is a published article of the index cases.
func IndexArticle(id, title, text string, version int64) *searchindex.Article {
	return &searchindex.Article{
		ID: id, Slug: strings.ToLower(strings.ReplaceAll(title, " ", "-")), Title: title, Summary: "summary of " + id, Text: text,
		AuthorName: "Ayesha Khan", AuthorKey: "ayesha-khan", Tags: []string{"world"}, Status: "published",
		PublishedAt: indexPublished, PublishedAtRaw: indexPublished.Format(time.RFC3339), Version: version,
	}
}

// PutChange is the change a stream record of a written article carries.
func PutChange(a *searchindex.Article) searchindex.Change {
	return searchindex.Change{ID: a.ID, Seq: 2 * a.Version, Article: a}
}

// RemoveChange is the change a stream record of a deleted article carries.
func RemoveChange(id string, version int64) searchindex.Change {
	return searchindex.Change{ID: id, Seq: 2*version + 1}
}

func applyAll(t *testing.T, w *searchindex.Writer, chs ...searchindex.Change) {
	t.Helper()
	for _, ch := range chs {
		if err := w.Apply(context.Background(), ch); err != nil {
			t.Fatalf("apply %s/%d: %v", ch.ID, ch.Seq, err)
		}
	}
}

// checkIndexInvariant asserts, through the store contract only, what the
// protocol promises after every completed change: each term's df equals its
// postings, the global document count equals the DOC records, and no
// write-ahead state is left.
func checkIndexInvariant(t *testing.T, st IndexStore, articles []*searchindex.Article) {
	t.Helper()
	ctx := context.Background()
	termSet := map[string]bool{}
	ids := map[string]bool{}
	for _, a := range articles {
		ids[a.ID] = true
		for _, term := range searchindex.IndexTerms(a) {
			termSet[term] = true
		}
	}
	terms := make([]string, 0, len(termSet))
	for term := range termSet {
		terms = append(terms, term)
	}
	sort.Strings(terms)
	corpus, err := st.Corpus(ctx, terms)
	if err != nil {
		t.Fatal(err)
	}
	_, lists, err := st.Read(ctx, terms, searchindex.MaxK)
	if err != nil {
		t.Fatal(err)
	}
	for i, term := range terms {
		if corpus.DocFreq[term] != len(lists[i]) {
			t.Errorf("%s: df %d but %d postings", term, corpus.DocFreq[term], len(lists[i]))
		}
	}
	idList := make([]string, 0, len(ids))
	for id := range ids {
		idList = append(idList, id)
		stored, err := st.Load(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if stored.Pending != nil {
			t.Errorf("%s: write-ahead state left behind (seq %d)", id, stored.Pending.Seq)
		}
	}
	docs, err := st.Docs(ctx, idList)
	if err != nil {
		t.Fatal(err)
	}
	if corpus.Docs != len(docs) {
		t.Errorf("global docs %d, want %d DOC records", corpus.Docs, len(docs))
	}
}

// checkDocPostings asserts that document id has exactly one posting for each
// term of want (nil: none at all) among the terms of every article given.
func checkDocPostings(t *testing.T, st IndexStore, id string, want *searchindex.Article, articles []*searchindex.Article) {
	t.Helper()
	wanted := map[string]bool{}
	for _, term := range searchindex.IndexTerms(want) {
		wanted[term] = true
	}
	termSet := map[string]bool{}
	for _, a := range append(articles, want) {
		for _, term := range searchindex.IndexTerms(a) {
			termSet[term] = true
		}
	}
	terms := make([]string, 0, len(termSet))
	for term := range termSet {
		terms = append(terms, term)
	}
	sort.Strings(terms)
	_, lists, err := st.Read(context.Background(), terms, searchindex.MaxK)
	if err != nil {
		t.Fatal(err)
	}
	for i, term := range terms {
		n := 0
		for _, p := range lists[i] {
			if p.DocID == id {
				n++
			}
		}
		if w := map[bool]int{true: 1}[wanted[term]]; n != w {
			t.Errorf("%s: %d postings of %s, want %d", term, n, id, w)
		}
	}
}

func postingWritesCountOnce(t *testing.T, h IndexHarness) {
	ctx := context.Background()
	put := searchindex.PostingWrite{Term: "peac", Key: "0500000000", DocID: "a", Posting: search.Posting{TitleTF: 1, BodyTF: 2, TitleLen: 3, BodyLen: 9, PublishedAt: indexPublished.Unix()}}
	del := put
	del.Delete = true
	df := func() int {
		t.Helper()
		c, err := h.Store.Corpus(ctx, []string{"peac"})
		if err != nil {
			t.Fatal(err)
		}
		return c.DocFreq["peac"]
	}
	steps := []struct {
		name    string
		write   searchindex.PostingWrite
		already bool
		df      int
	}{
		{"put", put, false, 1},
		{"put again", put, true, 1},
		{"delete", del, false, 0},
		{"delete again", del, true, 0},
	}
	for _, s := range steps {
		already, err := h.Store.ApplyPostings(ctx, []searchindex.PostingWrite{s.write})
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if (len(already) == 1) != s.already || df() != s.df {
			t.Errorf("%s: already applied %v, df %d; want %v, %d", s.name, already, df(), s.already, s.df)
		}
	}
	// The same term twice in one call (a delete and a put of its moved posting).
	moved := put
	moved.Key = "0400000000"
	if _, err := h.Store.ApplyPostings(ctx, []searchindex.PostingWrite{put}); err != nil {
		t.Fatal(err)
	}
	if already, err := h.Store.ApplyPostings(ctx, []searchindex.PostingWrite{del, moved}); err != nil || len(already) != 0 {
		t.Fatalf("move: %v %v", already, err)
	}
	if _, lists, _ := h.Store.Read(ctx, []string{"peac"}, 10); df() != 1 || len(lists[0]) != 1 || lists[0][0].DocID != "a" || lists[0][0].BodyTF != 2 {
		t.Errorf("after the move: df %d, postings %+v", df(), lists)
	}
}

func commitMovesStatisticsOnce(t *testing.T, h IndexHarness) {
	ctx := context.Background()
	a := IndexArticle("a", "Title", "text", 1)
	doc := &searchindex.Doc{ID: "a", Slug: a.Slug, Title: a.Title, PublishedAt: a.PublishedAt, PublishedAtRaw: a.PublishedAtRaw, Text: "text", Seq: 2}
	state := &searchindex.State{Seq: 2, Indexed: true, TitleLen: 1, BodyLen: 1, Terms: map[string]searchindex.TermState{}}
	if err := h.Store.WriteAhead(ctx, "a", state); err != nil {
		t.Fatal(err)
	}
	c := searchindex.Commit{DocID: "a", State: state, Doc: doc, Stats: searchindex.StatsDelta{Docs: 1, TitleLen: 1, BodyLen: 1}}
	for i := range 2 {
		if err := h.Store.Commit(ctx, c); err != nil {
			t.Fatalf("commit %d: %v", i, err)
		}
	}
	older := c
	older.State = &searchindex.State{Seq: 1, Terms: map[string]searchindex.TermState{}}
	older.Stats = searchindex.StatsDelta{Docs: 5}
	if err := h.Store.Commit(ctx, older); err != nil {
		t.Fatal(err)
	}
	corpus, _ := h.Store.Corpus(ctx, nil)
	stored, err := h.Store.Load(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	if corpus.Docs != 1 || corpus.TitleLenSum != 1 || corpus.BodyLenSum != 1 {
		t.Errorf("stats %+v after one commit applied three times", corpus)
	}
	if stored.Pending != nil || stored.Committed == nil || stored.Committed.Seq != 2 || stored.Doc == nil || stored.Doc.Seq != 2 || !stored.Doc.PublishedAt.Equal(indexPublished) {
		t.Errorf("stored = %+v", stored)
	}
	// A delete commit removes DOC and leaves TERMS as a tombstone.
	gone := searchindex.Commit{DocID: "a", State: &searchindex.State{Seq: 3, Terms: map[string]searchindex.TermState{}}, Stats: searchindex.StatsDelta{Docs: -1, TitleLen: -1, BodyLen: -1}}
	if err := h.Store.Commit(ctx, gone); err != nil {
		t.Fatal(err)
	}
	stored, _ = h.Store.Load(ctx, "a")
	if corpus, _ := h.Store.Corpus(ctx, nil); corpus.Docs != 0 || stored.Doc != nil || stored.Committed == nil || stored.Committed.Seq != 3 || stored.Committed.Indexed {
		t.Errorf("after delete: stats %+v, stored %+v", corpus, stored)
	}
}

func readIsOrderedAndBounded(t *testing.T, h IndexHarness) {
	ctx := context.Background()
	var writes []searchindex.PostingWrite
	for i, id := range []string{"d", "b", "c", "a"} {
		key := fmt.Sprintf("%010d", 100*(i%2)) // b and a share the better key
		writes = append(writes, searchindex.PostingWrite{Term: "storm", Key: key, DocID: id, Posting: search.Posting{BodyTF: i + 1, BodyLen: 10, PublishedAt: 1}})
	}
	if _, err := h.Store.ApplyPostings(ctx, writes); err != nil {
		t.Fatal(err)
	}
	st, lists, err := h.Store.Read(ctx, []string{"storm", "absent"}, 3)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range lists[0] {
		got = append(got, p.DocID)
	}
	// Ascending keys (descending impact), ties by document id, cut at k.
	if !slices.Equal(got, []string{"c", "d", "a"}) || st.DocFreq["storm"] != 4 || st.DocFreq["absent"] != 0 || len(lists[1]) != 0 {
		t.Errorf("read storm,absent k=3: %v, df %v, absent %v", got, st.DocFreq, lists[1])
	}
	if lists[0][0].Impact <= lists[0][2].Impact {
		t.Errorf("impacts %v, %v: want the first posting's higher", lists[0][0].Impact, lists[0][2].Impact)
	}
}

func suggestItemsByPrefix(t *testing.T, h IndexHarness) {
	ctx := context.Background()
	var items []searchindex.SuggestItem
	for _, w := range []string{"peace", "peacekeepers", "pear", "pe"} {
		items = append(items, searchindex.SuggestItem{Key: "SUG#pe " + w + "#x", DocID: "x", Title: w, Slug: w, W: w, P: 1})
	}
	items = append(items, searchindex.SuggestItem{Key: "SUG#po poll#y", DocID: "y", Title: "poll", W: "poll", P: 2})
	if err := h.Store.Refresh(ctx, searchindex.Refresh{SuggestPuts: items}); err != nil {
		t.Fatal(err)
	}
	words := func(prefix string, limit int) []string {
		got, err := h.Store.SuggestItems(ctx, "SUG#pe", prefix, limit)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, it := range got {
			out = append(out, it.W)
		}
		return out
	}
	if got := words("peac", 10); !slices.Equal(got, []string{"peace", "peacekeepers"}) {
		t.Errorf("peac → %v", got)
	}
	if got := words("", 2); !slices.Equal(got, []string{"pe", "peace"}) {
		t.Errorf("first 2 → %v", got)
	}
	if err := h.Store.Refresh(ctx, searchindex.Refresh{SuggestDeletes: []string{"SUG#pe peace#x"}}); err != nil {
		t.Fatal(err)
	}
	if got := words("peac", 10); !slices.Equal(got, []string{"peacekeepers"}) {
		t.Errorf("after delete, peac → %v", got)
	}
}

func applyIsIdempotent(t *testing.T, h IndexHarness) {
	w := &searchindex.Writer{Store: h.Store}
	a1 := IndexArticle("a1", "Afghan peace talks resume", "Negotiators met in Doha to resume the peace talks.", 1)
	a2 := IndexArticle("a2", "Budget vote delayed", "Parliament delayed the budget vote; peace in the chamber.", 1)
	a1v2 := IndexArticle("a1", "Afghan peace talks stall", "Negotiators left Doha; talks stall over prisoners.", 2)
	batch := []searchindex.Change{PutChange(a1), PutChange(a2), PutChange(a1v2), RemoveChange("a2", 1)}
	applyAll(t, w, batch...)
	first := h.Dump(t)
	checkIndexInvariant(t, h.Store, []*searchindex.Article{a1, a2, a1v2})
	applyAll(t, w, batch...) // the same batch again, as Lambda retries it
	if second := h.Dump(t); !slices.Equal(first, second) {
		t.Errorf("index changed when the batch was applied twice:\n%s", dumpDiff(first, second))
	}
	// Records replayed one by one, in order, after newer ones: no change either.
	applyAll(t, w, PutChange(a1), PutChange(a2))
	if third := h.Dump(t); !slices.Equal(first, third) {
		t.Errorf("index changed by replayed old records:\n%s", dumpDiff(first, third))
	}
}

func dumpDiff(a, b []string) string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, "- "+x)
		}
	}
	for _, x := range b {
		if !slices.Contains(a, x) {
			out = append(out, "+ "+x)
		}
	}
	return strings.Join(out, "\n")
}

// faultyIndex fails the failAt-th writing call of the protocol and every one
// after it until healed; a failing ApplyPostings applies the first half of
// its writes first, as an invocation that dies between transactions does.
type faultyIndex struct {
	IndexStore
	mu     sync.Mutex
	calls  int
	failAt int
	healed bool
}

var errInjected = errors.New("injected failure")

func (f *faultyIndex) fail() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	return !f.healed && f.calls >= f.failAt
}

func (f *faultyIndex) WriteAhead(ctx context.Context, id string, st *searchindex.State) error {
	if f.fail() {
		return errInjected
	}
	return f.IndexStore.WriteAhead(ctx, id, st)
}

func (f *faultyIndex) ApplyPostings(ctx context.Context, ws []searchindex.PostingWrite) ([]searchindex.PostingWrite, error) {
	if f.fail() {
		if _, err := f.IndexStore.ApplyPostings(ctx, ws[:len(ws)/2]); err != nil {
			return nil, err
		}
		return nil, errInjected
	}
	return f.IndexStore.ApplyPostings(ctx, ws)
}

func (f *faultyIndex) Refresh(ctx context.Context, r searchindex.Refresh) error {
	if f.fail() {
		half := r
		half.SuggestPuts = r.SuggestPuts[:len(r.SuggestPuts)/2]
		half.Postings = r.Postings[:len(r.Postings)/2]
		if err := f.IndexStore.Refresh(ctx, half); err != nil {
			return err
		}
		return errInjected
	}
	return f.IndexStore.Refresh(ctx, r)
}

func (f *faultyIndex) Commit(ctx context.Context, c searchindex.Commit) error {
	if f.fail() {
		return errInjected
	}
	return f.IndexStore.Commit(ctx, c)
}

// applyRecoversFromPartialFailure kills an edit at each of its writing calls
// (write-ahead, deletes, puts, refresh, commit), each on a fresh index, and
// checks that its retry converges to the invariant and that a later delete
// leaves no posting of the article.
func applyRecoversFromPartialFailure(t *testing.T, newIndex func(t *testing.T) IndexHarness) {
	long := strings.Repeat("alpha beta gamma delta epsilon zeta eta theta iota kappa ", 3)
	for i := range 80 {
		long += fmt.Sprintf(" word%d", i)
	}
	y := IndexArticle("y", "Filler", "short", 1)
	x1 := IndexArticle("x", "Old title words", "old text "+long, 1)
	x2 := IndexArticle("x", "New title words", "new text "+long+" extra words", 2)
	z := IndexArticle("z", "Longer filler article", strings.Repeat("filler words ", 30), 1)
	all := []*searchindex.Article{y, x1, x2, z}
	for failAt := 1; failAt <= 5; failAt++ {
		t.Run(fmt.Sprint(failAt), func(t *testing.T) {
			h := newIndex(t)
			// A second article of another length makes the edit move every posting.
			applyAll(t, &searchindex.Writer{Store: h.Store}, PutChange(y), PutChange(x1))
			f := &faultyIndex{IndexStore: h.Store, failAt: failAt}
			w := &searchindex.Writer{Store: f}
			ctx := context.Background()
			if err := w.Apply(ctx, PutChange(x2)); !errors.Is(err, errInjected) {
				t.Fatalf("injected failure at call %d not reported: %v", failAt, err)
			}
			f.mu.Lock()
			f.healed = true
			f.mu.Unlock()
			// Another article commits before the retry and moves the averages,
			// so a recomputed impact key would differ from the failed attempt's.
			applyAll(t, w, PutChange(z))
			applyAll(t, w, PutChange(x2))
			checkIndexInvariant(t, h.Store, all)
			checkDocPostings(t, h.Store, "x", x2, all)
			once := h.Dump(t)
			// Once converged, the record replayed again changes nothing.
			applyAll(t, w, PutChange(x2))
			if again := h.Dump(t); !slices.Equal(once, again) {
				t.Errorf("replay after recovery changed the index:\n%s", dumpDiff(once, again))
			}
			applyAll(t, w, RemoveChange("x", 2))
			checkIndexInvariant(t, h.Store, all)
			checkDocPostings(t, h.Store, "x", nil, all)
			_, lists, err := h.Store.Read(ctx, searchindex.IndexTerms(x2), searchindex.MaxK)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range lists {
				for _, p := range l {
					if p.DocID == "x" {
						t.Errorf("posting of x left after delete: %+v", p)
					}
				}
			}
		})
	}
}

// applyAbandonsHalfAppliedChange: a change that died half-way (among its
// posting puts, or its refresh) is overtaken by a newer one (its retry never
// comes); the newer change removes what the abandoned attempt wrote and
// restores what it deleted, here the first version's title.
func applyAbandonsHalfAppliedChange(t *testing.T, newIndex func(t *testing.T) IndexHarness) {
	x1 := IndexArticle("x", "Old title words", "alpha beta gamma delta old", 1)
	x2 := IndexArticle("x", "Half applied words", "epsilon zeta eta theta iota kappa lambda", 2)
	x3 := IndexArticle("x", "Old title words", "mu nu xi omicron", 3)
	all := []*searchindex.Article{x1, x2, x3}
	later := indexPublished.Add(time.Hour)
	for _, failAt := range []int{3, 4} {
		t.Run(fmt.Sprint(failAt), func(t *testing.T) {
			h := newIndex(t)
			applyAll(t, &searchindex.Writer{Store: h.Store}, PutChange(x1))
			f := &faultyIndex{IndexStore: h.Store, failAt: failAt}
			if err := (&searchindex.Writer{Store: f}).Apply(context.Background(), PutChange(x2)); !errors.Is(err, errInjected) {
				t.Fatalf("injected failure not reported: %v", err)
			}
			applyAll(t, &searchindex.Writer{Store: h.Store}, PutChange(x3))
			checkIndexInvariant(t, h.Store, all)
			checkDocPostings(t, h.Store, "x", x3, all)
			r := &searchindex.Reader{Store: h.Store}
			if sug, err := r.Suggest(context.Background(), "half", later, 8); err != nil || len(sug) != 0 {
				t.Errorf("suggest half = %v, %v: the abandoned attempt's suggest items must go", sug, err)
			}
			if sug, err := r.Suggest(context.Background(), "old titl", later, 8); err != nil || len(sug) != 1 {
				t.Errorf("suggest 'old titl' = %v, %v: the title's items must all be back", sug, err)
			}
			// The overtaken record arriving again is older than what is applied.
			applyAll(t, &searchindex.Writer{Store: h.Store}, PutChange(x2))
			checkDocPostings(t, h.Store, "x", x3, all)
		})
	}
}

func commentCountRefresh(t *testing.T, h IndexHarness) {
	ctx := context.Background()
	w := &searchindex.Writer{Store: h.Store}
	r := &searchindex.Reader{Store: h.Store}
	a := IndexArticle("a", "Budget vote", "Parliament votes.", 1)
	applyAll(t, w, PutChange(a))
	counted := *a
	counted.CommentCount = 3 // a comment approval: same version, new count
	applyAll(t, w, PutChange(&counted))
	docs, err := r.Docs(ctx, []string{"a", "a"})
	if err != nil || len(docs) != 1 || docs["a"].CommentCount != 3 {
		t.Fatalf("docs after the approval: %+v, %v", docs, err)
	}
	// An older record of the article arriving late changes nothing.
	old := *a
	old.Version, old.CommentCount = 0, 9
	applyAll(t, w, PutChange(&old))
	if docs, _ := r.Docs(ctx, []string{"a"}); docs["a"].CommentCount != 3 {
		t.Errorf("a late older record set the count to %d", docs["a"].CommentCount)
	}
	if _, err := r.Docs(ctx, make([]string, 101)); err == nil {
		t.Error("101 ids accepted; the contract reads at most 100")
	}
}

func searchIDs(t *testing.T, r *searchindex.Reader, q string, now time.Time) []string {
	t.Helper()
	s := &search.Searcher{Index: r, Now: func() time.Time { return now }}
	res, err := s.Search(context.Background(), q, 10)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.DocID
	}
	return ids
}

func editUnpublishDeleteAndSchedule(t *testing.T, h IndexHarness) {
	w := &searchindex.Writer{Store: h.Store}
	r := &searchindex.Reader{Store: h.Store}
	now := indexPublished.Add(time.Hour)
	a := IndexArticle("a", "Afghan peace talks", "Talks resume in Doha.", 1)
	b := IndexArticle("b", "Budget vote", "Parliament votes on the budget.", 1)
	applyAll(t, w, PutChange(a), PutChange(b))
	if got := searchIDs(t, r, "peace", now); !slices.Equal(got, []string{"a"}) {
		t.Fatalf("peace → %v", got)
	}
	// Edit: the old words leave, the new ones arrive.
	a2 := IndexArticle("a", "Cricket final", "A thrilling final in Lahore.", 2)
	applyAll(t, w, PutChange(a2))
	if got := searchIDs(t, r, "peace", now); len(got) != 0 {
		t.Errorf("after edit, peace → %v", got)
	}
	if got := searchIDs(t, r, "cricket lahore", now); !slices.Equal(got, []string{"a"}) {
		t.Errorf("after edit, cricket → %v", got)
	}
	// Unpublish.
	draft := IndexArticle("b", "Budget vote", "Parliament votes on the budget.", 2)
	draft.Status = "draft"
	applyAll(t, w, PutChange(draft))
	if got := searchIDs(t, r, "budget", now); len(got) != 0 {
		t.Errorf("after unpublish, budget → %v", got)
	}
	// Scheduled: indexed, invisible until its time.
	sched := IndexArticle("c", "Eclipse tonight", "The eclipse is visible.", 1)
	sched.PublishedAt = now.Add(24 * time.Hour)
	applyAll(t, w, PutChange(sched))
	if got := searchIDs(t, r, "eclipse", now); len(got) != 0 {
		t.Errorf("scheduled article found early: %v", got)
	}
	if got := searchIDs(t, r, "eclipse", now.Add(25*time.Hour)); !slices.Equal(got, []string{"c"}) {
		t.Errorf("scheduled article after its time: %v", got)
	}
	// Delete.
	applyAll(t, w, RemoveChange("a", 2))
	if got := searchIDs(t, r, "cricket", now); len(got) != 0 {
		t.Errorf("after delete, cricket → %v", got)
	}
	checkIndexInvariant(t, h.Store, []*searchindex.Article{a, b, a2, sched})
	// Suggestions follow the same changes.
	sug, err := r.Suggest(context.Background(), "eclip", now.Add(25*time.Hour), 8)
	if err != nil || len(sug) != 1 || sug[0].Title != "Eclipse tonight" {
		t.Errorf("suggest eclip = %v, %v", sug, err)
	}
	for _, q := range []string{"crick", "budg", "eclip"} {
		if sug, _ := r.Suggest(context.Background(), q, now, 8); len(sug) != 0 {
			t.Errorf("suggest %q = %v; deleted, unpublished or scheduled articles must not be suggested", q, sug)
		}
	}
}

func suggestRules(t *testing.T, h IndexHarness) {
	w := &searchindex.Writer{Store: h.Store}
	r := &searchindex.Reader{Store: h.Store}
	now := indexPublished.Add(time.Hour)
	applyAll(t, w,
		PutChange(IndexArticle("1", "PM’s US visit: Afghan peace talks", "x", 1)),
		PutChange(IndexArticle("2", "Government budget passes", "x", 1)),
		PutChange(IndexArticle("3", "Peacekeepers return home", "x", 1)),
		PutChange(IndexArticle("4", "Afghanistan earthquake relief", "x", 1)),
	)
	titles := func(q string) []string {
		t.Helper()
		sug, err := r.Suggest(context.Background(), q, now, 8)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, s := range sug {
			out = append(out, s.Title)
		}
		sort.Strings(out)
		return out
	}
	tests := []struct {
		q    string
		want []string
	}{
		{"afgh", []string{"Afghanistan earthquake relief", "PM’s US visit: Afghan peace talks"}},
		{"AFGHAN pea", []string{"PM’s US visit: Afghan peace talks"}}, // earlier word must match
		{"peace", []string{"PM’s US visit: Afghan peace talks", "Peacekeepers return home"}},
		{"goverment", []string{"Government budget passes"}},             // one deletion
		{"govenrment", []string{"Government budget passes"}},            // transposition
		{"gpvernm", []string{"Government budget passes"}},               // substitution in the first letters
		{"afghna peace", []string{"PM’s US visit: Afghan peace talks"}}, // typo in an earlier word
		{"gov", []string{"Government budget passes"}},
		{"govx", nil}, // typos need 5 letters
		{"cricket", nil},
		{"a", nil},
	}
	for _, tt := range tests {
		if got := titles(tt.q); !slices.Equal(got, tt.want) {
			t.Errorf("suggest %q = %v, want %v", tt.q, got, tt.want)
		}
	}
}

// readerMatchesMemoryIndex: the same documents written in the same order
// give the ranking of search.MemoryIndex, which cmd/searcheval measures.
func readerMatchesMemoryIndex(t *testing.T, h IndexHarness) {
	w := &searchindex.Writer{Store: h.Store}
	r := &searchindex.Reader{Store: h.Store}
	mem := search.NewMemoryIndex()
	texts := []string{
		"supersonic flow over a flat plate", "heat transfer in hypersonic flow", "boundary layer transition",
		"flow separation at high speed", "the theory of thin wings", "heat flux at the stagnation point of a blunt body",
		"flutter of panels in supersonic flow", "hypersonic boundary layer heat transfer measurements",
	}
	for i, text := range texts {
		a := IndexArticle(fmt.Sprintf("c%d", i), fmt.Sprintf("Paper %d", i), text, 1)
		applyAll(t, w, PutChange(a))
		mem.Add(search.Document{ID: a.ID, Title: a.Title, Body: a.Text, PublishedAt: a.PublishedAt, Tags: a.Tags, Author: a.AuthorKey})
	}
	now := indexPublished
	for _, q := range []string{"hypersonic heat transfer", "supersonic flow", "boundary layer", "wings"} {
		a, err := (&search.Searcher{Index: r, Now: func() time.Time { return now }}).Search(context.Background(), q, -1)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := (&search.Searcher{Index: mem, Now: func() time.Time { return now }}).Search(context.Background(), q, -1)
		if !reflect.DeepEqual(a.Hits, b.Hits) || !reflect.DeepEqual(a.Expansion, b.Expansion) {
			t.Errorf("%q: index %v %v\nmemory %v %v", q, a.Hits, a.Expansion, b.Hits, b.Expansion)
		}
	}
}

// The index records the languages it holds; the reader learns them (at
// start-up, then from every query's statistics read) and a query finds each
// article in its own language: Spanish by its stem, with the DOC record
// saying which analysis highlights it.
func languagesAreRecordedAndSearched(t *testing.T, h IndexHarness) {
	ctx := context.Background()
	w := &searchindex.Writer{Store: h.Store}
	r := &searchindex.Reader{Store: h.Store}
	es := IndexArticle("es1", "Elecciones generales", "Los votantes acudieron a las urnas.", 1)
	es.Lang = "es"
	applyAll(t, w, PutChange(IndexArticle("en1", "General elections", "Voters went to the polls.", 1)), PutChange(es))
	if got := r.Languages(); got != nil {
		t.Fatalf("Languages before any read = %q, want nil", got)
	}
	if err := r.LoadLanguages(ctx); err != nil {
		t.Fatal(err)
	}
	if got := r.Languages(); !slices.Equal(got, []string{"en", "es"}) {
		t.Fatalf("Languages = %q, want [en es]", got)
	}
	s := &search.Searcher{Index: r, Now: func() time.Time { return indexPublished.Add(time.Hour) }}
	res, err := s.Search(ctx, "elección", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) == 0 || res.Hits[0].DocID != "es1" {
		t.Errorf("search elección = %v, want es1 first", res.Hits)
	}
	docs, err := r.Docs(ctx, []string{"es1", "en1"})
	if err != nil {
		t.Fatal(err)
	}
	if docs["es1"].Lang != "es" || docs["en1"].Lang != "" {
		t.Errorf("DOC languages %q, %q; want es and none", docs["es1"].Lang, docs["en1"].Lang)
	}
}
