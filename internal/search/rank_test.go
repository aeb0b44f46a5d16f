package search

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"
)

func newIndex(docs ...Document) *MemoryIndex {
	m := NewMemoryIndex()
	for _, d := range docs {
		m.Add(d)
	}
	return m
}

func ids(hits []Hit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.DocID
	}
	return out
}

// noFeedback keeps the small hand-made examples about BM25F itself.
func noFeedback() Params {
	p := DefaultParams
	p.Feedback = Feedback{}
	return p
}

func TestSearchRanking(t *testing.T) {
	idx := newIndex(
		Document{ID: "a", Title: "Budget vote delayed", Body: "Parliament delayed the vote on the budget."},
		Document{ID: "b", Title: "Weather", Body: "Rain in the north. The budget was not discussed."},
		Document{ID: "c", Title: "Football", Body: "The match ended in a draw."},
		Document{ID: "d", Title: "Peace talks resume", Body: "Negotiators met again in Geneva."},
	)
	tests := []struct {
		name  string
		query string
		want  []string
	}{
		{"title match outranks body-only match", "budget", []string{"a", "b"}},
		{"more matched terms rank higher (OR)", "budget vote", []string{"a", "b"}},
		{"stemming and case meet", "VOTING Budgets", []string{"a", "b"}},
		{"hyphenated query finds the compound's parts", "peace-talks", []string{"d"}},
		{"no match", "cricket", []string{}},
		{"stop words only", "the of and", []string{}},
	}
	s := &Searcher{Index: idx, Params: noFeedback()}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := s.Search(context.Background(), tt.query, 10)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(res.Hits); !slices.Equal(got, tt.want) {
				t.Errorf("Search(%q) = %v, want %v", tt.query, got, tt.want)
			}
		})
	}
}

func TestSearchTieBreakIsDocID(t *testing.T) {
	// Identical documents score identically; order must still be stable.
	idx := newIndex(
		Document{ID: "3", Body: "solar eclipse"},
		Document{ID: "1", Body: "solar eclipse"},
		Document{ID: "2", Body: "solar eclipse"},
	)
	s := &Searcher{Index: idx}
	for range 5 {
		res, _ := s.Search(context.Background(), "eclipse", 10)
		if got := ids(res.Hits); !slices.Equal(got, []string{"1", "2", "3"}) {
			t.Fatalf("got %v, want [1 2 3]", got)
		}
	}
}

func TestPostingReadBound(t *testing.T) {
	idx := NewMemoryIndex()
	for i := range 50 {
		// Documents mentioning "storm" more often have a higher impact.
		body := "news"
		for range i % 7 {
			body += " storm"
		}
		idx.Add(Document{ID: fmt.Sprintf("doc%02d", i), Body: body + " weather"})
	}
	ctx := context.Background()
	top, _ := idx.TopPostings(ctx, "storm", 5)
	if len(top) != 5 {
		t.Fatalf("TopPostings returned %d postings, want 5", len(top))
	}
	for i := 1; i < len(top); i++ {
		if top[i].Impact > top[i-1].Impact {
			t.Errorf("postings not impact-ordered: %v", top)
		}
	}
	if top[0].BodyTF != 6 {
		t.Errorf("best posting has tf %d, want 6", top[0].BodyTF)
	}

	s := &Searcher{Index: idx, Params: noFeedback(), K: 5}
	res, _ := s.Search(ctx, "storm weather", -1)
	if res.PostingsRead != 10 {
		t.Errorf("PostingsRead = %d, want 2 terms × K=5", res.PostingsRead)
	}
	unbounded := &Searcher{Index: idx, Params: noFeedback(), K: -1}
	all, _ := unbounded.Search(ctx, "storm weather", -1)
	if all.Candidates != 50 {
		t.Errorf("unbounded search saw %d candidates, want 50", all.Candidates)
	}
}

func TestMemoryIndexReplaceAndDelete(t *testing.T) {
	ctx := context.Background()
	idx := newIndex(Document{ID: "x", Title: "Old headline", Body: "old text"})
	idx.Add(Document{ID: "x", Title: "New headline", Body: "new text"})
	st, _ := idx.Stats(ctx, []string{"old", "new"})
	if st.Docs != 1 || st.DocFreq["old"] != 0 || st.DocFreq["new"] != 1 {
		t.Errorf("after replace: %+v", st)
	}
	idx.Delete("x")
	idx.Delete("unknown")
	st, _ = idx.Stats(ctx, []string{"new"})
	if st.Docs != 0 || st.DocFreq["new"] != 0 || st.TitleLenSum != 0 || st.BodyLenSum != 0 {
		t.Errorf("after delete: %+v", st)
	}
}

// TestRankingDoesNotDriftWithTheClock: recency only breaks ties, so the
// same index ranks the same way an hour or a year later (pages of one query
// never reorder under a reader).
func TestRankingDoesNotDriftWithTheClock(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	idx := newIndex(
		Document{ID: "a", Title: "Budget vote", Body: "The budget vote passed.", PublishedAt: now.AddDate(-1, 0, 0)},
		Document{ID: "b", Title: "Budget", Body: "A budget vote, a budget debate and a vote on the budget.", PublishedAt: now.Add(-time.Hour)},
		Document{ID: "c", Title: "Vote", Body: "Another vote.", PublishedAt: now.Add(-24 * time.Hour)},
	)
	var first []Hit
	for _, at := range []time.Time{now, now.Add(time.Hour), now.AddDate(1, 0, 0)} {
		res, err := (&Searcher{Index: idx, Now: func() time.Time { return at }}).Search(context.Background(), "budget vote", 10)
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = res.Hits
		} else if !slices.Equal(res.Hits, first) {
			t.Errorf("at %v: %v, want %v", at, res.Hits, first)
		}
	}
}

// TestCompletionScoresTermsBeyondTheReadBound: with one posting read per
// term, a document met through one term still scores the other query term
// it holds (from its signature), so it outranks one holding a single term.
func TestCompletionScoresTermsBeyondTheReadBound(t *testing.T) {
	idx := newIndex(
		Document{ID: "both", Body: "shock shock shock layer"},
		Document{ID: "layer", Body: "layer layer layer"},
		Document{ID: "other", Body: "unrelated words here"},
	)
	ctx := context.Background()
	search := func(complete bool) map[string]Hit {
		p := noFeedback()
		p.NoCompletion = !complete
		res, err := (&Searcher{Index: idx, Params: p, K: 1}).Search(ctx, "shock layer", 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) != 2 {
			t.Fatalf("hits %v, want the top posting of each term", res.Hits)
		}
		byID := map[string]Hit{}
		for _, h := range res.Hits {
			byID[h.DocID] = h
		}
		return byID
	}
	plain, completed := search(false), search(true)
	if plain["both"].Matched != 1 || completed["both"].Matched != 2 {
		t.Errorf("matched terms of %q: %d read, %d completed; want 1 and 2", "both", plain["both"].Matched, completed["both"].Matched)
	}
	if completed["both"].Score <= plain["both"].Score || completed["layer"].Score != plain["layer"].Score {
		t.Errorf("completion must add the unread term's weight and nothing else: plain %v completed %v", plain, completed)
	}
}

func TestRecencyBreaksNearTiesOnly(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	idx := newIndex(
		Document{ID: "old", Title: "Election results", Body: "Results of the election.", PublishedAt: now.AddDate(0, -6, 0)},
		Document{ID: "new", Title: "Election results", Body: "Results of the election.", PublishedAt: now.Add(-time.Hour)},
		Document{ID: "offtopic", Title: "Gardening", Body: "Results of the flower show.", PublishedAt: now},
	)
	s := &Searcher{Index: idx, Params: noFeedback(), Now: func() time.Time { return now }}
	res, _ := s.Search(context.Background(), "election results", 10)
	if got := ids(res.Hits); !slices.Equal(got, []string{"new", "old", "offtopic"}) {
		t.Errorf("got %v, want the fresh copy first but relevance to dominate", got)
	}
}

func TestFeedbackExpandsWithSharedTerms(t *testing.T) {
	// Signature weights use the document frequencies known when each
	// document is written, so the unrelated documents come first.
	idx := newIndex(
		Document{ID: "5", Body: "unrelated gardening text"},
		Document{ID: "6", Body: "more unrelated text about cooking"},
		Document{ID: "7", Body: "a recipe for bread"},
		Document{ID: "8", Body: "election results tonight"},
		Document{ID: "1", Body: "hypersonic flow heat transfer"},
		Document{ID: "2", Body: "hypersonic flow heat transfer stagnation"},
		Document{ID: "3", Body: "flow near a stagnation point: heat transfer measured"},
		Document{ID: "4", Body: "traffic flow"},
	)
	ctx := context.Background()
	plain, err := (&Searcher{Index: idx, Params: noFeedback()}).Search(ctx, "hypersonic flow", 10)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(plain.Hits); !slices.Equal(got, []string{"1", "2", "4", "3"}) {
		t.Fatalf("without feedback hits = %v, want [1 2 4 3] (the short off-topic match first)", got)
	}
	p := DefaultParams
	p.Feedback = Feedback{Docs: 2, Terms: 3, Weight: 0.5}
	res, err := (&Searcher{Index: idx, Params: p}).Search(ctx, "hypersonic flow", 10)
	if err != nil {
		t.Fatal(err)
	}
	var exp []string
	for _, q := range res.Expansion {
		exp = append(exp, q.Term)
	}
	slices.Sort(exp)
	if !slices.Equal(exp, []string{"heat", "transfer"}) {
		t.Errorf("expansion = %v, want [heat transfer]", exp)
	}
	if got := ids(res.Hits); !slices.Equal(got, []string{"1", "2", "3", "4"}) {
		t.Errorf("hits = %v, want [1 2 3 4] (3 lifted by the expansion terms)", got)
	}
	if res.PostingsRead != plain.PostingsRead {
		t.Errorf("feedback read %d postings, want %d (no extra reads)", res.PostingsRead, plain.PostingsRead)
	}
}

func TestScheduledAndFilteredPostingsAreSkipped(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	idx := newIndex(
		Document{ID: "past", Body: "eclipse", PublishedAt: now.Add(-time.Hour), Tags: []string{"space"}},
		Document{ID: "future", Body: "eclipse", PublishedAt: now.Add(time.Hour), Tags: []string{"space"}},
		Document{ID: "other", Body: "eclipse", PublishedAt: now.Add(-time.Hour), Tags: []string{"sky"}},
	)
	s := &Searcher{Index: idx, Now: func() time.Time { return now }}
	res, _ := s.Search(context.Background(), "eclipse", 10)
	if got := ids(res.Hits); !slices.Equal(got, []string{"other", "past"}) {
		t.Errorf("hits = %v, want [other past] (scheduled article hidden)", got)
	}
	s.Filter = func(p *Posting) bool { return slices.Contains(p.Tags, "space") }
	res, _ = s.Search(context.Background(), "eclipse", 10)
	if got := ids(res.Hits); !slices.Equal(got, []string{"past"}) {
		t.Errorf("tag-filtered hits = %v, want [past]", got)
	}
}

func TestSignatureRoundTrip(t *testing.T) {
	sig := []SigTerm{{"flow", 0.734, 5.12}, {"b.c", 0.1, 0.07}}
	got := DecodeSignature(EncodeSignature(sig))
	if !reflect.DeepEqual(got, sig) {
		t.Errorf("round trip = %+v, want %+v", got, sig)
	}
	if DecodeSignature("junk :1:2 a:b:c") != nil && len(DecodeSignature("junk :1:2 a:b:c")) != 0 {
		t.Errorf("malformed entries decoded: %+v", DecodeSignature("junk :1:2 a:b:c"))
	}
}

func TestImpactKeyOrdersDescending(t *testing.T) {
	if !(FormatImpactKey(0.9) < FormatImpactKey(0.5)) || len(FormatImpactKey(0)) != 10 || len(FormatImpactKey(0.999)) != 10 {
		t.Errorf("keys: %s %s %s", FormatImpactKey(0.9), FormatImpactKey(0.5), FormatImpactKey(0))
	}
}

func TestBuildPostings(t *testing.T) {
	published := time.Unix(1767225600, 0)
	got, titleLen, bodyLen := BuildPostings(Document{ID: "d", Title: "Peace talks", Body: "Talks about talks.", PublishedAt: published})
	if titleLen != 2 || bodyLen != 2 {
		t.Errorf("lengths = %d, %d; want 2, 2 (stop word 'about' dropped)", titleLen, bodyLen)
	}
	want := []TermPosting{
		{"peac", Posting{DocID: "d", TitleTF: 1, TitleLen: 2, BodyLen: 2, PublishedAt: published.Unix()}},
		{"talk", Posting{DocID: "d", TitleTF: 1, BodyTF: 2, TitleLen: 2, BodyLen: 2, PublishedAt: published.Unix()}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("BuildPostings = %+v\nwant %+v", got, want)
	}
}

func TestIDFIsPositive(t *testing.T) {
	for _, df := range []int{1, 50, 100} {
		if idf := IDF(df, 100); idf <= 0 {
			t.Errorf("IDF(%d, 100) = %v, want > 0", df, idf)
		}
	}
}
