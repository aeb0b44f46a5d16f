package search

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"broadsheet/internal/search"
	"broadsheet/internal/searchindex"
)

var published = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

func ranked(ids ...string) []search.Hit {
	hits := make([]search.Hit, len(ids))
	for i, id := range ids {
		hits[i] = search.Hit{DocID: id, Score: float64(len(ids) - i)}
	}
	return hits
}

func docsOf(ids ...string) map[string]*searchindex.Doc {
	m := map[string]*searchindex.Doc{}
	for _, id := range ids {
		m[id] = &searchindex.Doc{ID: id, Title: id, PublishedAt: published}
	}
	return m
}

func acceptAll(*searchindex.Doc) bool { return true }

// page runs one page the way the handler does, through an encoded cursor.
func page(t *testing.T, hits []search.Hit, docs map[string]*searchindex.Doc, cursor string, limit int, accept func(*searchindex.Doc) bool) (shown []string, next string) {
	t.Helper()
	seen := seenSet{}
	if cursor != "" {
		var err error
		if seen, err = decodeSeen(cursor); err != nil {
			t.Fatal(err)
		}
	}
	plan := planPage(hits, seen, limit, false)
	r := cutPage(plan, docs, hits, seen, limit, published.Add(time.Hour), accept)
	for _, d := range r.shown {
		shown = append(shown, d.ID)
	}
	if r.more {
		next = seen.encode()
	}
	return shown, next
}

// TestPagesNeverRepeatWhenTheRankingShifts is the reported bug: between the
// first and second page the index changed (an article moved up across the
// page boundary). Offsets repeated it; the seen set does not, and skips
// nothing.
func TestPagesNeverRepeatWhenTheRankingShifts(t *testing.T) {
	docs := docsOf("a", "b", "c", "d", "e")
	first, cur := page(t, ranked("a", "b", "c", "d", "e"), docs, "", 2, acceptAll)
	// "b" fell below "d" by the time page two is asked for.
	second, cur := page(t, ranked("a", "c", "d", "b", "e"), docs, cur, 2, acceptAll)
	third, cur := page(t, ranked("a", "c", "d", "b", "e"), docs, cur, 2, acceptAll)
	all := append(append(append([]string(nil), first...), second...), third...)
	if !slices.Equal(first, []string{"a", "b"}) || !slices.Equal(second, []string{"c", "d"}) || !slices.Equal(third, []string{"e"}) || cur != "" {
		t.Errorf("pages %v %v %v (next %q): every article exactly once, then no cursor", first, second, third, cur)
	}
	slices.Sort(all)
	if !slices.Equal(all, []string{"a", "b", "c", "d", "e"}) {
		t.Errorf("shown %v", all)
	}
}

// TestFilteredPagesSkipRejectedCandidates: a phrase or exclusion query checks
// a window of candidates; rejected ones are consumed so later pages progress.
func TestFilteredPagesSkipRejectedCandidates(t *testing.T) {
	ids := make([]string, 30)
	for i := range ids {
		ids[i] = fmt.Sprintf("d%02d", i)
	}
	hits, docs := ranked(ids...), docsOf(ids...)
	even := func(d *searchindex.Doc) bool { return (d.ID[2]-'0')%2 == 0 }
	seen := seenSet{}
	var shown []string
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("paging does not end")
		}
		plan := planPage(hits, seen, 4, true)
		if len(plan.fetch) > FilterWindow {
			t.Fatalf("fetches %d candidates, window is %d", len(plan.fetch), FilterWindow)
		}
		r := cutPage(plan, docs, hits, seen, 4, published.Add(time.Hour), even)
		for _, d := range r.shown {
			shown = append(shown, d.ID)
		}
		if !r.more {
			break
		}
	}
	if len(shown) != 15 || shown[0] != "d00" || shown[14] != "d28" {
		t.Errorf("shown %v, want the 15 even ones in rank order", shown)
	}
}

// TestPageSkipsUnpublishedAndDeleted: a candidate deleted or unpublished
// after its postings were read is not shown and not counted.
func TestPageSkipsUnpublishedAndDeleted(t *testing.T) {
	docs := docsOf("a", "c")
	docs["c"].PublishedAt = published.Add(48 * time.Hour) // rescheduled
	shown, next := page(t, ranked("a", "b", "c"), docs, "", 10, acceptAll)
	if !slices.Equal(shown, []string{"a"}) || next != "" {
		t.Errorf("shown %v next %q", shown, next)
	}
}

// TestSeenSetIsBounded: the cursor stops growing at MaxSeen candidates.
func TestSeenSetIsBounded(t *testing.T) {
	ids := make([]string, MaxSeen+10)
	for i := range ids {
		ids[i] = fmt.Sprint(i)
	}
	hits, docs := ranked(ids...), docsOf(ids...)
	cur, n := "", 0
	for {
		shown, next := page(t, hits, docs, cur, 50, acceptAll)
		n += len(shown)
		if next == "" {
			break
		}
		cur = next
	}
	if n != MaxSeen {
		t.Errorf("paged through %d, want %d", n, MaxSeen)
	}
	if _, err := decodeSeen(cur + "AAAAAA"); err == nil {
		t.Error("an oversized or misaligned seen set must be refused")
	}
}
