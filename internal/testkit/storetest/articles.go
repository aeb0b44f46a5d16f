package storetest

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"broadsheet/internal/broadsheet"
)

// ArticleStore is what the article cases need of a store: the article
// contract and the editor's consistent slug lookup.
type ArticleStore interface {
	broadsheet.ArticleStore
	ArticleIDBySlug(ctx context.Context, slug string) (string, error)
	PublishedInRange(ctx context.Context, from, to time.Time, limit int, after map[string]string) (broadsheet.Page[*broadsheet.Article], error)
	OldestPublished(ctx context.Context) (time.Time, bool, error)
}

// articleNow is the fixed clock of the article cases.
var articleNow = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// RunArticles runs the article store cases; newStore returns an empty store.
func RunArticles(t *testing.T, newStore func(t *testing.T) ArticleStore) {
	cases := []struct {
		name string
		run  func(t *testing.T, st ArticleStore)
	}{
		{"CreateAndRead", createAndRead},
		{"UnknownIsNotFound", unknownIsNotFound},
		{"SlugIsUnique", slugIsUnique},
		{"SlugIsUniqueUnderRace", slugIsUniqueUnderRace},
		{"IDIsUnique", idIsUnique},
		{"StoredCopies", storedCopies},
		{"PublishedListsHideDraftsAndScheduled", publishedListsHideDraftsAndScheduled},
		{"PublishedListsCarrySummaries", publishedListsCarrySummaries},
		{"PublishedTiesKeepOneOrder", publishedTiesKeepOneOrder},
		{"ReplaceMovesSlugAndListingsAndKeepsCount", replaceMovesSlugAndListings},
		{"ReplaceOverStaleVersion", replaceOverStaleVersion},
		{"ReplaceToTakenSlug", replaceToTakenSlug},
		{"ReplaceMissing", replaceMissing},
		{"DeleteRemovesEverything", deleteRemovesEverything},
		{"DeleteStaleVersion", deleteStaleVersion},
		{"EditorListsByStatusPaged", editorListsByStatusPaged},
		{"PublishedInRangeForSitemaps", publishedInRangeForSitemaps},
		{"LeadImageIsKeptChangedAndRemoved", leadImageIsKeptChangedAndRemoved},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.run(t, newStore(t)) })
	}
}

// newArticle is a complete article; ids of different lengths get different
// creation times (longer is newer), which orders the editors' lists.
func newArticle(id, slug string, status broadsheet.Status, published time.Time, tags ...string) *broadsheet.Article {
	created := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(len(id)) * time.Second)
	return &broadsheet.Article{
		ID: id, Slug: slug, Title: "Title " + slug, Summary: "sum", Body: "body", BodyHTML: "<p>body</p>",
		Author: broadsheet.Author{Name: "Ayesha Khan", Bio: "Reporter"}, Tags: tags, Status: status,
		PublishedAt: published, CreatedAt: created, UpdatedAt: created, Version: 1, CommentsOpen: true,
	}
}

func create(t *testing.T, st ArticleStore, articles ...*broadsheet.Article) {
	t.Helper()
	for _, a := range articles {
		if err := st.CreateArticle(context.Background(), a); err != nil {
			t.Fatalf("create %s: %v", a.Slug, err)
		}
	}
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if broadsheet.ErrorCode(err) != code {
		t.Errorf("%s: error %v, want code %q", what, err, code)
	}
}

func slugsOf(items []*broadsheet.Article) []string {
	var out []string
	for _, a := range items {
		out = append(out, a.Slug)
	}
	return out
}

// allPublished walks every page of a public list.
func allPublished(t *testing.T, st ArticleStore, f broadsheet.ArticleFilter, now time.Time, limit int) []string {
	t.Helper()
	var out []string
	var after map[string]string
	for range 50 {
		page, err := st.PublishedArticles(context.Background(), f, now, limit, after)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Items) > limit {
			t.Fatalf("page of %d items, limit %d", len(page.Items), limit)
		}
		out = append(out, slugsOf(page.Items)...)
		if page.Next == nil {
			return out
		}
		after = page.Next
	}
	t.Fatal("pagination does not end")
	return nil
}

// allByStatus walks every page of an editors' list.
func allByStatus(t *testing.T, st ArticleStore, status broadsheet.Status, limit int) []string {
	t.Helper()
	var out []string
	var after map[string]string
	for range 50 {
		page, err := st.ArticlesByStatus(context.Background(), status, limit, after)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, slugsOf(page.Items)...)
		if page.Next == nil {
			return out
		}
		after = page.Next
	}
	t.Fatal("pagination does not end")
	return nil
}

func createAndRead(t *testing.T, st ArticleStore) {
	ctx := context.Background()
	pub := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	a := newArticle("01A", "afghan-peace-talks", broadsheet.StatusPublished, pub, "pakistan", "diplomacy")
	a.CommentCount, a.Lang = 3, "ur"
	create(t, st, a)
	byID, err := st.ArticleByID(ctx, "01A")
	if err != nil {
		t.Fatal(err)
	}
	if byID.Slug != a.Slug || byID.Title != a.Title || byID.Body != a.Body || byID.BodyHTML != a.BodyHTML ||
		byID.Author != a.Author || !slices.Equal(byID.Tags, a.Tags) || byID.Status != a.Status ||
		!byID.PublishedAt.Equal(pub) || !byID.CreatedAt.Equal(a.CreatedAt) || !byID.UpdatedAt.Equal(a.UpdatedAt) ||
		byID.Version != 1 || !byID.CommentsOpen || byID.CommentCount != 3 || byID.Lang != "ur" {
		t.Errorf("ArticleByID = %+v, want %+v", byID, a)
	}
	bySlug, err := st.ArticleBySlug(ctx, "afghan-peace-talks")
	if err != nil || bySlug.ID != "01A" || bySlug.Body != "body" {
		t.Errorf("ArticleBySlug = %+v, %v", bySlug, err)
	}
	if id, err := st.ArticleIDBySlug(ctx, "afghan-peace-talks"); err != nil || id != "01A" {
		t.Errorf("ArticleIDBySlug = %q, %v", id, err)
	}
	// Drafts are readable by slug too: readers' visibility is the use case's rule.
	create(t, st, newArticle("02B", "a-draft", broadsheet.StatusDraft, time.Time{}))
	draft, err := st.ArticleBySlug(ctx, "a-draft")
	if err != nil || draft.Status != broadsheet.StatusDraft || !draft.PublishedAt.IsZero() || draft.Tags == nil {
		t.Errorf("draft by slug = %+v, %v (tags never nil)", draft, err)
	}
}

func unknownIsNotFound(t *testing.T, st ArticleStore) {
	ctx := context.Background()
	_, err := st.ArticleBySlug(ctx, "nope")
	wantCode(t, "ArticleBySlug", err, broadsheet.CodeNotFound)
	_, err = st.ArticleByID(ctx, "nope")
	wantCode(t, "ArticleByID", err, broadsheet.CodeNotFound)
	_, err = st.ArticleIDBySlug(ctx, "nope")
	wantCode(t, "ArticleIDBySlug", err, broadsheet.CodeNotFound)
}

func slugIsUnique(t *testing.T, st ArticleStore) {
	create(t, st, newArticle("U1", "same-slug", broadsheet.StatusDraft, time.Time{}))
	err := st.CreateArticle(context.Background(), newArticle("U2", "same-slug", broadsheet.StatusPublished, articleNow.Add(-time.Hour), "x"))
	wantCode(t, "second create", err, broadsheet.CodeSlugTaken)
	// The refused create wrote nothing: no article, no listing.
	_, err = st.ArticleByID(context.Background(), "U2")
	wantCode(t, "refused article", err, broadsheet.CodeNotFound)
	if got := allPublished(t, st, broadsheet.ArticleFilter{Tag: "x"}, articleNow, 10); got != nil {
		t.Errorf("refused article listed: %v", got)
	}
	if got := allByStatus(t, st, "", 10); !slices.Equal(got, []string{"same-slug"}) {
		t.Errorf("editors' list = %v", got)
	}
}

func slugIsUniqueUnderRace(t *testing.T, st ArticleStore) {
	var wg sync.WaitGroup
	results := make([]error, 10)
	for i := range results {
		wg.Go(func() {
			results[i] = st.CreateArticle(context.Background(), newArticle(fmt.Sprintf("ID%c", 'A'+i), "same-slug", broadsheet.StatusDraft, time.Time{}))
		})
	}
	wg.Wait()
	wins := 0
	for _, err := range results {
		switch broadsheet.ErrorCode(err) {
		case "":
			wins++
		case broadsheet.CodeSlugTaken:
		default:
			t.Errorf("unexpected error %v", err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d creates won the slug, want exactly 1", wins)
	}
}

func idIsUnique(t *testing.T, st ArticleStore) {
	create(t, st, newArticle("I1", "first", broadsheet.StatusDraft, time.Time{}))
	err := st.CreateArticle(context.Background(), newArticle("I1", "second", broadsheet.StatusDraft, time.Time{}))
	wantCode(t, "same id", err, broadsheet.CodeSlugTaken)
	_, err = st.ArticleIDBySlug(context.Background(), "second")
	wantCode(t, "refused slug", err, broadsheet.CodeNotFound)
}

// storedCopies: what a caller holds is its own; changing it changes nothing stored.
func storedCopies(t *testing.T, st ArticleStore) {
	ctx := context.Background()
	a := newArticle("S1", "copied", broadsheet.StatusPublished, articleNow.Add(-time.Hour), "pakistan")
	create(t, st, a)
	a.Title, a.Tags[0] = "changed after create", "changed"
	got, err := st.ArticleByID(ctx, "S1")
	if err != nil {
		t.Fatal(err)
	}
	got.Title, got.Tags[0] = "changed after read", "changed"
	page, err := st.PublishedArticles(ctx, broadsheet.ArticleFilter{}, articleNow, 10, nil)
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("feed = %v, %v", page.Items, err)
	}
	page.Items[0].Tags[0] = "changed"
	for _, read := range []func() (*broadsheet.Article, error){
		func() (*broadsheet.Article, error) { return st.ArticleByID(ctx, "S1") },
		func() (*broadsheet.Article, error) { return st.ArticleBySlug(ctx, "copied") },
	} {
		again, err := read()
		if err != nil || again.Title != "Title copied" || !slices.Equal(again.Tags, []string{"pakistan"}) {
			t.Errorf("stored article changed by a caller: %+v, %v", again, err)
		}
	}
}

func publishedListsHideDraftsAndScheduled(t *testing.T, st ArticleStore) {
	now := articleNow
	other := newArticle("A5", "other-author", broadsheet.StatusPublished, now.Add(-30*time.Hour), "sport")
	other.Author.Name = "Bilal Ahmed"
	create(t, st,
		newArticle("A1", "old", broadsheet.StatusPublished, now.Add(-48*time.Hour), "pakistan"),
		newArticle("A2", "new", broadsheet.StatusPublished, now.Add(-time.Hour), "pakistan", "sport"),
		newArticle("A3", "draft", broadsheet.StatusDraft, time.Time{}, "pakistan"),
		newArticle("A4", "scheduled", broadsheet.StatusPublished, now.Add(time.Hour), "pakistan"),
		newArticle("A6", "exactly-now", broadsheet.StatusPublished, now, "pakistan"),
		other,
	)
	tests := []struct {
		name string
		f    broadsheet.ArticleFilter
		want []string
	}{
		{"feed", broadsheet.ArticleFilter{}, []string{"exactly-now", "new", "other-author", "old"}},
		{"tag", broadsheet.ArticleFilter{Tag: "pakistan"}, []string{"exactly-now", "new", "old"}},
		{"other tag", broadsheet.ArticleFilter{Tag: "sport"}, []string{"new", "other-author"}},
		{"author by name", broadsheet.ArticleFilter{Author: "Ayesha Khan"}, []string{"exactly-now", "new", "old"}},
		{"author by slug", broadsheet.ArticleFilter{Author: "bilal-ahmed"}, []string{"other-author"}},
		{"author and tag", broadsheet.ArticleFilter{Author: "ayesha khan", Tag: "sport"}, []string{"new"}},
		{"author without letters", broadsheet.ArticleFilter{Author: "!!"}, nil},
		{"unknown tag", broadsheet.ArticleFilter{Tag: "none"}, nil},
		{"unknown author", broadsheet.ArticleFilter{Author: "Nobody"}, nil},
	}
	for _, tt := range tests {
		for _, limit := range []int{1, 2, 20} {
			if got := allPublished(t, st, tt.f, now, limit); !slices.Equal(got, tt.want) {
				t.Errorf("%s (limit %d) = %v, want %v", tt.name, limit, got, tt.want)
			}
		}
	}
	// The scheduled article appears once its time comes.
	if got := allPublished(t, st, broadsheet.ArticleFilter{Tag: "pakistan"}, now.Add(2*time.Hour), 10); !slices.Equal(got, []string{"scheduled", "exactly-now", "new", "old"}) {
		t.Errorf("after schedule: %v", got)
	}
}

// publishedListsCarrySummaries: the public lists carry what a list shows
// (the feed index's projection), never the body.
func publishedListsCarrySummaries(t *testing.T, st ArticleStore) {
	a := newArticle("P1", "summarised", broadsheet.StatusPublished, articleNow.Add(-time.Hour), "pakistan")
	a.CommentCount = 4
	create(t, st, a)
	for _, f := range []broadsheet.ArticleFilter{{}, {Tag: "pakistan"}, {Author: "Ayesha Khan"}, {Tag: "pakistan", Author: "Ayesha Khan"}} {
		page, err := st.PublishedArticles(context.Background(), f, articleNow, 10, nil)
		if err != nil || len(page.Items) != 1 {
			t.Fatalf("%+v: %v, %v", f, page.Items, err)
		}
		got := page.Items[0]
		if got.ID != "P1" || got.Slug != a.Slug || got.Title != a.Title || got.Summary != a.Summary || got.Author.Name != a.Author.Name ||
			!slices.Equal(got.Tags, a.Tags) || !got.PublishedAt.Equal(a.PublishedAt) || got.CommentCount != 4 {
			t.Errorf("%+v: summary %+v", f, got)
		}
		if got.Body != "" || got.BodyHTML != "" || got.Author.Bio != "" {
			t.Errorf("%+v: the list carries the body or bio: %+v", f, got)
		}
	}
}

// publishedTiesKeepOneOrder: articles published at the same instant come in
// one order (by id, descending) and no page boundary loses or repeats one.
func publishedTiesKeepOneOrder(t *testing.T, st ArticleStore) {
	at := articleNow.Add(-time.Hour)
	var want []string
	for _, id := range []string{"T5", "T4", "T3", "T2", "T1"} {
		want = append(want, "tie-"+id)
	}
	for _, id := range []string{"T3", "T1", "T5", "T2", "T4"} {
		create(t, st, newArticle(id, "tie-"+id, broadsheet.StatusPublished, at, "tied"))
	}
	for _, f := range []broadsheet.ArticleFilter{{}, {Tag: "tied"}, {Author: "Ayesha Khan"}} {
		for _, limit := range []int{1, 2, 3, 10} {
			if got := allPublished(t, st, f, articleNow, limit); !slices.Equal(got, want) {
				t.Errorf("%+v limit %d: %v, want %v", f, limit, got, want)
			}
		}
	}
}

func replaceMovesSlugAndListings(t *testing.T, st ArticleStore) {
	ctx := context.Background()
	now := articleNow
	old := newArticle("R1", "first-slug", broadsheet.StatusPublished, now.Add(-time.Hour), "pakistan")
	create(t, st, old)
	next := *old
	next.Slug, next.Title, next.Tags, next.Version, next.CommentCount = "second-slug", "Second", []string{"sport"}, 2, 99
	if err := st.ReplaceArticle(ctx, &next, old); err != nil {
		t.Fatal(err)
	}
	_, err := st.ArticleIDBySlug(ctx, "first-slug")
	wantCode(t, "old slug", err, broadsheet.CodeNotFound)
	_, err = st.ArticleBySlug(ctx, "first-slug")
	wantCode(t, "old slug read", err, broadsheet.CodeNotFound)
	if id, err := st.ArticleIDBySlug(ctx, "second-slug"); err != nil || id != "R1" {
		t.Errorf("new slug: %q, %v", id, err)
	}
	got, err := st.ArticleByID(ctx, "R1")
	if err != nil || got.Slug != "second-slug" || got.Title != "Second" || got.Version != 2 || got.CommentCount != 0 {
		t.Fatalf("after replace: %+v, %v (the comment count is the store's, not the caller's)", got, err)
	}
	if got := allPublished(t, st, broadsheet.ArticleFilter{Tag: "pakistan"}, now, 10); got != nil {
		t.Errorf("old tag still lists it: %v", got)
	}
	if got := allPublished(t, st, broadsheet.ArticleFilter{Tag: "sport"}, now, 10); !slices.Equal(got, []string{"second-slug"}) {
		t.Errorf("new tag: %v", got)
	}
	// The old slug is free for another article.
	create(t, st, newArticle("R2", "first-slug", broadsheet.StatusDraft, time.Time{}))
	// Unpublishing takes it out of every public list and moves it between editors' lists.
	draft := *got
	draft.Status, draft.Version = broadsheet.StatusDraft, 3
	if err := st.ReplaceArticle(ctx, &draft, got); err != nil {
		t.Fatal(err)
	}
	for _, f := range []broadsheet.ArticleFilter{{}, {Tag: "sport"}, {Author: "Ayesha Khan"}} {
		if got := allPublished(t, st, f, now, 10); got != nil {
			t.Errorf("%+v: unpublished article still listed: %v", f, got)
		}
	}
	if got := allByStatus(t, st, broadsheet.StatusPublished, 10); got != nil {
		t.Errorf("published editors' list: %v", got)
	}
	if got := allByStatus(t, st, broadsheet.StatusDraft, 10); !slices.Equal(got, []string{"first-slug", "second-slug"}) {
		t.Errorf("draft editors' list: %v", got)
	}
}

func replaceOverStaleVersion(t *testing.T, st ArticleStore) {
	ctx := context.Background()
	old := newArticle("V1", "versioned", broadsheet.StatusDraft, time.Time{})
	create(t, st, old)
	v2 := *old
	v2.Title, v2.Version = "Second", 2
	if err := st.ReplaceArticle(ctx, &v2, old); err != nil {
		t.Fatal(err)
	}
	// A writer who read version 1 loses, whatever it changes, and changes nothing.
	stale := *old
	stale.Title, stale.Slug, stale.Version = "stale", "stale-slug", 2
	wantCode(t, "stale replace", st.ReplaceArticle(ctx, &stale, old), broadsheet.CodePreconditionFailed)
	got, err := st.ArticleByID(ctx, "V1")
	if err != nil || got.Title != "Second" || got.Version != 2 || got.Slug != "versioned" {
		t.Errorf("after stale replace: %+v, %v", got, err)
	}
	_, err = st.ArticleIDBySlug(ctx, "stale-slug")
	wantCode(t, "stale slug", err, broadsheet.CodeNotFound)
}

func replaceToTakenSlug(t *testing.T, st ArticleStore) {
	ctx := context.Background()
	a := newArticle("K1", "mine", broadsheet.StatusDraft, time.Time{})
	create(t, st, a, newArticle("K22", "theirs", broadsheet.StatusDraft, time.Time{}))
	next := *a
	next.Slug, next.Title, next.Version = "theirs", "Taken", 2
	wantCode(t, "replace to a taken slug", st.ReplaceArticle(ctx, &next, a), broadsheet.CodeSlugTaken)
	got, err := st.ArticleByID(ctx, "K1")
	if err != nil || got.Slug != "mine" || got.Title != a.Title || got.Version != 1 {
		t.Errorf("after refused replace: %+v, %v", got, err)
	}
	if id, err := st.ArticleIDBySlug(ctx, "theirs"); err != nil || id != "K22" {
		t.Errorf("their slug: %q, %v", id, err)
	}
	if id, err := st.ArticleIDBySlug(ctx, "mine"); err != nil || id != "K1" {
		t.Errorf("my slug: %q, %v", id, err)
	}
}

func replaceMissing(t *testing.T, st ArticleStore) {
	old := newArticle("M1", "missing", broadsheet.StatusDraft, time.Time{})
	next := *old
	next.Version = 2
	wantCode(t, "replace of a missing article", st.ReplaceArticle(context.Background(), &next, old), broadsheet.CodePreconditionFailed)
	_, err := st.ArticleByID(context.Background(), "M1")
	wantCode(t, "missing article", err, broadsheet.CodeNotFound)
}

func deleteRemovesEverything(t *testing.T, st ArticleStore) {
	ctx := context.Background()
	a := newArticle("D1", "to-delete", broadsheet.StatusPublished, articleNow.Add(-time.Minute), "pakistan")
	create(t, st, a)
	if err := st.DeleteArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	_, err := st.ArticleBySlug(ctx, "to-delete")
	wantCode(t, "by slug", err, broadsheet.CodeNotFound)
	_, err = st.ArticleByID(ctx, "D1")
	wantCode(t, "by id", err, broadsheet.CodeNotFound)
	for _, status := range []broadsheet.Status{"", broadsheet.StatusPublished} {
		if got := allByStatus(t, st, status, 10); got != nil {
			t.Errorf("editors' list %q still has it: %v", status, got)
		}
	}
	for _, f := range []broadsheet.ArticleFilter{{}, {Tag: "pakistan"}, {Author: "Ayesha Khan"}} {
		if got := allPublished(t, st, f, articleNow, 10); got != nil {
			t.Errorf("%+v still lists it: %v", f, got)
		}
	}
	// The slug is free again.
	create(t, st, newArticle("D2", "to-delete", broadsheet.StatusDraft, time.Time{}))
	// Deleting it again is a stale delete.
	wantCode(t, "second delete", st.DeleteArticle(ctx, a), broadsheet.CodePreconditionFailed)
}

func deleteStaleVersion(t *testing.T, st ArticleStore) {
	ctx := context.Background()
	a := newArticle("X1", "kept", broadsheet.StatusDraft, time.Time{})
	create(t, st, a)
	stale := *a
	stale.Version = 7
	wantCode(t, "stale delete", st.DeleteArticle(ctx, &stale), broadsheet.CodePreconditionFailed)
	if got, err := st.ArticleBySlug(ctx, "kept"); err != nil || got.ID != "X1" {
		t.Errorf("after stale delete: %+v, %v", got, err)
	}
}

func editorListsByStatusPaged(t *testing.T, st ArticleStore) {
	create(t, st,
		newArticle("E1", "e1", broadsheet.StatusDraft, time.Time{}),
		newArticle("E22", "e2", broadsheet.StatusPublished, articleNow.Add(time.Hour)),
		newArticle("E333", "e3", broadsheet.StatusPublished, articleNow.Add(-time.Hour)),
		newArticle("E4444", "e4", broadsheet.StatusDraft, time.Time{}),
	)
	for status, want := range map[broadsheet.Status][]string{
		"":                         {"e4", "e3", "e2", "e1"},
		broadsheet.StatusDraft:     {"e4", "e1"},
		broadsheet.StatusPublished: {"e3", "e2"},
	} {
		for _, limit := range []int{1, 3, 10} {
			if got := allByStatus(t, st, status, limit); !slices.Equal(got, want) {
				t.Errorf("status %q limit %d: %v, want %v", status, limit, got, want)
			}
		}
	}
	// Editors' lists carry whole articles.
	page, err := st.ArticlesByStatus(context.Background(), "", 1, nil)
	if err != nil || len(page.Items) != 1 || page.Items[0].Body != "body" || page.Items[0].Author.Bio != "Reporter" {
		t.Errorf("editors' list item: %+v, %v", page.Items, err)
	}
}

// publishedInRangeForSitemaps: a date range of the feed index, newest first,
// both ends inclusive, drafts never; the oldest published date starts the
// sitemap index.
func publishedInRangeForSitemaps(t *testing.T, st ArticleStore) {
	ctx := context.Background()
	if _, ok, err := st.OldestPublished(ctx); err != nil || ok {
		t.Fatalf("empty store: oldest ok=%v err=%v", ok, err)
	}
	day := func(d int) time.Time { return time.Date(2026, 10, d, 8, 0, 0, 0, time.UTC) }
	create(t, st,
		newArticle("r1", "sept-30", broadsheet.StatusPublished, time.Date(2026, 9, 30, 23, 59, 59, 0, time.UTC)),
		newArticle("r2", "oct-1", broadsheet.StatusPublished, time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)),
		newArticle("r3", "oct-2", broadsheet.StatusPublished, day(2)),
		newArticle("r4", "oct-3", broadsheet.StatusPublished, day(3)),
		newArticle("r5", "oct-draft", broadsheet.StatusDraft, day(3)),
		newArticle("r6", "nov-1", broadsheet.StatusPublished, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)),
	)
	oldest, ok, err := st.OldestPublished(ctx)
	if err != nil || !ok || !oldest.Equal(time.Date(2026, 9, 30, 23, 59, 59, 0, time.UTC)) {
		t.Errorf("oldest %v %v %v", oldest, ok, err)
	}
	from, to := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 31, 23, 59, 59, 999999000, time.UTC)
	var got []*broadsheet.Article
	var after map[string]string
	for range 5 {
		page, err := st.PublishedInRange(ctx, from, to, 2, after)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, page.Items...)
		if after = page.Next; after == nil {
			break
		}
	}
	if s := fmt.Sprint(slugsOf(got)); s != "[oct-3 oct-2 oct-1]" {
		t.Errorf("October: %s, want [oct-3 oct-2 oct-1]", s)
	}
	if len(got) > 0 && (got[0].Title == "" || got[0].PublishedAt.IsZero()) {
		t.Errorf("range items carry summaries: %+v", got[0])
	}
}

// leadImageIsKeptChangedAndRemoved: an article's lead image comes back from
// every read, the public lists and the sitemaps' range included (the feed
// index projects it), is replaced by a replace that sends another, and is
// gone after a replace without one.
func leadImageIsKeptChangedAndRemoved(t *testing.T, st ArticleStore) {
	ctx := context.Background()
	a := newArticle("IMG1", "pictured", broadsheet.StatusPublished, articleNow.Add(-time.Hour), "pakistan")
	a.Image = &broadsheet.Image{URL: "https://cdn.example.com/2026/11/talks.jpg?w=1200", Alt: "Delegates at the table", Credit: "Photo: Reuters", Width: 1200, Height: 800}
	create(t, st, a)
	reads := func(t *testing.T, want *broadsheet.Image) {
		t.Helper()
		check := func(what string, got *broadsheet.Article, err error) {
			t.Helper()
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			if !reflect.DeepEqual(got.Image, want) {
				t.Errorf("%s: image %+v, want %+v", what, got.Image, want)
			}
		}
		byID, err := st.ArticleByID(ctx, a.ID)
		check("by id", byID, err)
		bySlug, err := st.ArticleBySlug(ctx, a.Slug)
		check("by slug", bySlug, err)
		for _, f := range []broadsheet.ArticleFilter{{}, {Tag: "pakistan"}, {Author: "Ayesha Khan"}} {
			page, err := st.PublishedArticles(ctx, f, articleNow, 10, nil)
			if err == nil && len(page.Items) != 1 {
				t.Fatalf("%+v: %d items", f, len(page.Items))
			}
			check(fmt.Sprintf("list %+v", f), page.Items[0], err)
		}
		inRange, err := st.PublishedInRange(ctx, articleNow.Add(-2*time.Hour), articleNow, 10, nil)
		if err == nil && len(inRange.Items) != 1 {
			t.Fatalf("in range: %d items", len(inRange.Items))
		}
		check("in range", inRange.Items[0], err)
		editors, err := st.ArticlesByStatus(ctx, "", 10, nil)
		if err == nil && len(editors.Items) != 1 {
			t.Fatalf("editors: %d items", len(editors.Items))
		}
		check("editors' list", editors.Items[0], err)
	}
	reads(t, a.Image)

	// A store hands out copies: changing one changes nothing stored.
	got, err := st.ArticleByID(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	got.Image.Alt = "changed by a caller"
	reads(t, a.Image)

	changed := *a
	changed.Version, changed.Image = 2, &broadsheet.Image{URL: "https://media.example.org/b.webp", Alt: "The venue"}
	if err := st.ReplaceArticle(ctx, &changed, a); err != nil {
		t.Fatal(err)
	}
	reads(t, changed.Image)

	removed := changed
	removed.Version, removed.Image = 3, nil
	if err := st.ReplaceArticle(ctx, &removed, &changed); err != nil {
		t.Fatal(err)
	}
	reads(t, nil)
}
