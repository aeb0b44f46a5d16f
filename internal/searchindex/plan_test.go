package searchindex_test

import (
	"slices"
	"testing"

	"broadsheet/internal/search"
	"broadsheet/internal/searchindex"
	"broadsheet/internal/testkit/storetest"
)

// committedAfter is what the store holds once plan p is executed.
func committedAfter(p *searchindex.Plan) searchindex.Stored {
	return searchindex.Stored{Committed: p.Commit.State, Doc: p.Commit.Doc}
}

// corpusOf is the corpus after plans, as their commits and posting writes leave it.
func corpusOf(plans ...*searchindex.Plan) search.Stats {
	st := search.Stats{DocFreq: map[string]int{}}
	for _, p := range plans {
		st.Docs += int(p.Commit.Stats.Docs)
		st.TitleLenSum += p.Commit.Stats.TitleLen
		st.BodyLenSum += p.Commit.Stats.BodyLen
		for _, w := range p.Deletes {
			st.DocFreq[w.Term]--
		}
		for _, w := range p.Puts {
			st.DocFreq[w.Term]++
		}
	}
	return st
}

func terms(ws []searchindex.PostingWrite) []string {
	var out []string
	for _, w := range ws {
		out = append(out, w.Term)
	}
	return out
}

func TestDecide(t *testing.T) {
	a := storetest.IndexArticle("a", "Budget vote", "Parliament votes.", 2)
	counted := *a
	counted.CommentCount = 4
	committed := &searchindex.State{Seq: 4, Indexed: true}
	doc := &searchindex.Doc{ID: "a", Seq: 4}
	tests := []struct {
		name   string
		ch     searchindex.Change
		stored searchindex.Stored
		want   searchindex.Decision
	}{
		{"first change", storetest.PutChange(a), searchindex.Stored{}, searchindex.Index},
		{"newer change", storetest.PutChange(a), searchindex.Stored{Committed: &searchindex.State{Seq: 2}}, searchindex.Index},
		{"replay", storetest.PutChange(a), searchindex.Stored{Committed: committed, Doc: doc}, searchindex.Skip},
		{"older record", storetest.PutChange(storetest.IndexArticle("a", "Budget", "x", 1)), searchindex.Stored{Committed: committed, Doc: doc}, searchindex.Skip},
		{"same version, new comment count", storetest.PutChange(&counted), searchindex.Stored{Committed: committed, Doc: doc}, searchindex.RefreshCommentCount},
		{"new count after the delete", storetest.PutChange(&counted), searchindex.Stored{Committed: &searchindex.State{Seq: 5}}, searchindex.Skip},
		{"retry of a failed attempt", storetest.PutChange(a), searchindex.Stored{Committed: &searchindex.State{Seq: 2}, Pending: &searchindex.State{Seq: 4}}, searchindex.Index},
		{"a newer change is half applied", storetest.PutChange(a), searchindex.Stored{Pending: &searchindex.State{Seq: 5}}, searchindex.Skip},
		{"delete after a write", storetest.RemoveChange("a", 2), searchindex.Stored{Committed: committed, Doc: doc}, searchindex.Index},
	}
	for _, tt := range tests {
		if got := searchindex.Decide(tt.ch, tt.stored); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestPlanNewArticle(t *testing.T) {
	a := storetest.IndexArticle("a", "Peace talks resume", "Negotiators met in Doha to resume the peace talks.", 1)
	p := searchindex.PlanChange(storetest.PutChange(a), searchindex.Stored{}, search.Stats{})
	want := searchindex.IndexTerms(a)
	slices.Sort(want)
	want = slices.Compact(want)
	if p.WriteAhead == nil || p.WriteAhead != p.Commit.State || p.Commit.State.Seq != 2 || !p.Commit.State.Indexed {
		t.Fatalf("write-ahead %+v, commit %+v: want the target written ahead and committed", p.WriteAhead, p.Commit.State)
	}
	if len(p.Deletes) != 0 || !slices.Equal(terms(p.Puts), want) || len(p.Refresh.Postings) != 0 {
		t.Errorf("deletes %v, puts %v, overwrites %v; want one counted put per term %v", terms(p.Deletes), terms(p.Puts), terms(p.Refresh.Postings), want)
	}
	for _, w := range p.Puts {
		if w.Delete || w.DocID != "a" || w.Key != p.Commit.State.Terms[w.Term].Key || w.Posting.Impact <= 0 {
			t.Errorf("put %+v does not match the target state", w)
		}
	}
	st := p.Commit.State
	if p.Commit.Stats != (searchindex.StatsDelta{Docs: 1, TitleLen: int64(st.TitleLen), BodyLen: int64(st.BodyLen)}) {
		t.Errorf("stats %+v", p.Commit.Stats)
	}
	if p.Commit.Doc == nil || p.Commit.Doc.Seq != 2 || p.Commit.Doc.Title != a.Title || len(p.Refresh.SuggestPuts) != len(st.Sug) || len(st.Sug) == 0 {
		t.Errorf("doc %+v, %d suggest puts for %d keys", p.Commit.Doc, len(p.Refresh.SuggestPuts), len(st.Sug))
	}
}

func TestPlanEditMovesOnlyWhatChanged(t *testing.T) {
	a := storetest.IndexArticle("a", "Peace talks resume", "Negotiators met in Doha.", 1)
	p1 := searchindex.PlanChange(storetest.PutChange(a), searchindex.Stored{}, search.Stats{})

	// New tags: every posting keeps its key, every posting's content changes.
	retagged := *a
	retagged.Version, retagged.Tags = 2, []string{"asia"}
	p2 := searchindex.PlanChange(storetest.PutChange(&retagged), committedAfter(p1), corpusOf(p1))
	if len(p2.Deletes) != 0 || len(p2.Puts) != 0 || len(p2.Refresh.Postings) != len(p1.Puts) || !p2.Commit.Stats.Zero() {
		t.Errorf("retag: %d deletes, %d puts, %d overwrites, stats %+v; want only %d overwrites",
			len(p2.Deletes), len(p2.Puts), len(p2.Refresh.Postings), p2.Commit.Stats, len(p1.Puts))
	}
	if len(p2.Refresh.SuggestPuts) != 0 || len(p2.Refresh.SuggestDeletes) != 0 {
		t.Errorf("retag rewrote suggest items: %v %v", p2.Refresh.SuggestPuts, p2.Refresh.SuggestDeletes)
	}

	// A new word in the title: the lengths change, so every posting moves,
	// and the new word's suggest items arrive.
	retitled := retagged
	retitled.Version, retitled.Title = 3, "Peace talks resume in Oslo"
	p3 := searchindex.PlanChange(storetest.PutChange(&retitled), committedAfter(p2), corpusOf(p1, p2))
	if !slices.Contains(terms(p3.Puts), "oslo") || slices.Contains(terms(p3.Deletes), "oslo") {
		t.Errorf("retitle: puts %v, deletes %v", terms(p3.Puts), terms(p3.Deletes))
	}
	for _, d := range p3.Deletes {
		if p2.Commit.State.Terms[d.Term].Key != d.Key {
			t.Errorf("delete %+v is not of a committed posting", d)
		}
	}
	if p3.Commit.Stats.Docs != 0 || p3.Commit.Stats.TitleLen != 1 {
		t.Errorf("retitle stats %+v, want one more title word, no new document", p3.Commit.Stats)
	}
}

func TestPlanRetryReusesPendingKeys(t *testing.T) {
	a := storetest.IndexArticle("a", "Peace talks resume", "Negotiators met in Doha.", 1)
	first := searchindex.PlanChange(storetest.PutChange(a), searchindex.Stored{}, search.Stats{})
	// The attempt died after writing ahead; meanwhile long articles moved the averages.
	moved := search.Stats{Docs: 5, TitleLenSum: 100, BodyLenSum: 5000, DocFreq: map[string]int{"peac": 3}}
	retry := searchindex.PlanChange(storetest.PutChange(a), searchindex.Stored{Pending: first.WriteAhead}, moved)
	if retry.WriteAhead != nil {
		t.Error("a retry writes ahead again")
	}
	if len(retry.Puts) != len(first.Puts) {
		t.Fatalf("retry puts %d postings, first attempt %d", len(retry.Puts), len(first.Puts))
	}
	for i, w := range retry.Puts {
		if w.Key != first.Puts[i].Key {
			t.Errorf("%s: retry key %s, first attempt %s: its writes would not meet", w.Term, w.Key, first.Puts[i].Key)
		}
	}
	if fresh := searchindex.PlanChange(storetest.PutChange(a), searchindex.Stored{}, moved); slices.EqualFunc(fresh.Puts, first.Puts, func(x, y searchindex.PostingWrite) bool { return x.Key == y.Key }) {
		t.Error("the moved averages do not change the keys: the case shows nothing")
	}
	if len(retry.Refresh.SuggestPuts) != len(first.Refresh.SuggestPuts) {
		t.Errorf("retry puts %d suggest items, want all %d", len(retry.Refresh.SuggestPuts), len(first.Refresh.SuggestPuts))
	}
}

func TestPlanAfterAbandonedAttempt(t *testing.T) {
	v1 := storetest.IndexArticle("x", "Old title words", "alpha beta", 1)
	v2 := storetest.IndexArticle("x", "Half applied", "gamma delta", 2)
	v3 := storetest.IndexArticle("x", "Old title words", "epsilon", 3)
	p1 := searchindex.PlanChange(storetest.PutChange(v1), searchindex.Stored{}, search.Stats{})
	p2 := searchindex.PlanChange(storetest.PutChange(v2), committedAfter(p1), corpusOf(p1))
	stored := committedAfter(p1)
	stored.Pending = p2.WriteAhead // v2 died half-way and is never retried
	p3 := searchindex.PlanChange(storetest.PutChange(v3), stored, corpusOf(p1))
	for _, term := range []string{"gamma", "delta", "half", "appli"} {
		if !slices.Contains(terms(p3.Deletes), term) {
			t.Errorf("%s of the abandoned attempt is not deleted: %v", term, terms(p3.Deletes))
		}
	}
	// The title's postings may have been deleted by v2's attempt: they are
	// put counted (a put found applied is refreshed), never overwritten blind.
	for _, term := range []string{"titl", "word"} {
		if !slices.Contains(terms(p3.Puts), term) || slices.Contains(terms(p3.Refresh.Postings), term) {
			t.Errorf("%s: puts %v, overwrites %v", term, terms(p3.Puts), terms(p3.Refresh.Postings))
		}
	}
	if len(p3.Refresh.SuggestPuts) != len(p3.Commit.State.Sug) {
		t.Errorf("%d suggest puts for %d items that v2 may have deleted", len(p3.Refresh.SuggestPuts), len(p3.Commit.State.Sug))
	}
}

func TestPlanDelete(t *testing.T) {
	a := storetest.IndexArticle("a", "Peace talks resume", "Negotiators met in Doha.", 1)
	p1 := searchindex.PlanChange(storetest.PutChange(a), searchindex.Stored{}, search.Stats{})
	p := searchindex.PlanChange(storetest.RemoveChange("a", 1), committedAfter(p1), corpusOf(p1))
	if len(p.Deletes) != len(p1.Puts) || len(p.Puts) != 0 || p.Commit.Doc != nil {
		t.Errorf("delete: %d deletes of %d postings, %d puts, doc %v", len(p.Deletes), len(p1.Puts), len(p.Puts), p.Commit.Doc)
	}
	for _, d := range p.Deletes {
		if !d.Delete {
			t.Errorf("%+v is not a delete", d)
		}
	}
	if p.Commit.State.Indexed || p.Commit.State.Seq != 3 || len(p.Commit.State.Terms) != 0 {
		t.Errorf("tombstone %+v", p.Commit.State)
	}
	if p.Commit.Stats != (searchindex.StatsDelta{Docs: -1, TitleLen: -p1.Commit.Stats.TitleLen, BodyLen: -p1.Commit.Stats.BodyLen}) {
		t.Errorf("stats %+v", p.Commit.Stats)
	}
	if !slices.Equal(p.Refresh.SuggestDeletes, p1.Commit.State.Sug) || len(p.Refresh.SuggestPuts) != 0 {
		t.Errorf("suggest deletes %v, want %v", p.Refresh.SuggestDeletes, p1.Commit.State.Sug)
	}
}
