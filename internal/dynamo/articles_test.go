package dynamo_test

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"broadsheet/internal/broadsheet"
	"broadsheet/internal/dynamo"
	"broadsheet/internal/testkit/dynamotest"
)

func TestMain(m *testing.M) { os.Exit(dynamotest.RunTests(m)) }

var ctx = context.Background()

func newArticle(id, slug string, status broadsheet.Status, published time.Time, tags ...string) *broadsheet.Article {
	created := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(len(id)) * time.Second)
	return &broadsheet.Article{
		ID: id, Slug: slug, Title: "Title " + slug, Summary: "sum", Body: "body", BodyHTML: "<p>body</p>",
		Author: broadsheet.Author{Name: "Ayesha Khan", Bio: "Reporter"}, Tags: tags, Status: status,
		PublishedAt: published, CreatedAt: created, UpdatedAt: created, Version: 1, CommentsOpen: true,
	}
}

func TestCreateAndRead(t *testing.T) {
	st := dynamotest.NewStore(t)
	pub := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	a := newArticle("01A", "afghan-peace-talks", broadsheet.StatusPublished, pub, "pakistan", "diplomacy")
	if err := st.CreateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	byID, err := st.ArticleByID(ctx, "01A")
	if err != nil || byID.Slug != a.Slug || byID.Author.Bio != "Reporter" || !byID.PublishedAt.Equal(pub) || len(byID.Tags) != 2 {
		t.Fatalf("ArticleByID = %+v, %v", byID, err)
	}
	bySlug, err := st.ArticleBySlug(ctx, "afghan-peace-talks")
	if err != nil || bySlug.ID != "01A" {
		t.Fatalf("ArticleBySlug = %+v, %v", bySlug, err)
	}
	if _, err := st.ArticleBySlug(ctx, "nope"); broadsheet.ErrorCode(err) != broadsheet.CodeNotFound {
		t.Errorf("unknown slug: %v", err)
	}
	if _, err := st.ArticleByID(ctx, "nope"); broadsheet.ErrorCode(err) != broadsheet.CodeNotFound {
		t.Errorf("unknown id: %v", err)
	}
}

func TestSlugIsUniqueUnderRace(t *testing.T) {
	st := dynamotest.NewStore(t)
	var wg sync.WaitGroup
	results := make([]error, 10)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = st.CreateArticle(ctx, newArticle("ID"+string(rune('A'+i)), "same-slug", broadsheet.StatusDraft, time.Time{}))
		}()
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

func TestPublishedListsHideDraftsAndScheduled(t *testing.T) {
	st := dynamotest.NewStore(t)
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	for _, a := range []*broadsheet.Article{
		newArticle("A1", "old", broadsheet.StatusPublished, now.Add(-48*time.Hour), "pakistan"),
		newArticle("A2", "new", broadsheet.StatusPublished, now.Add(-time.Hour), "pakistan", "sport"),
		newArticle("A3", "draft", broadsheet.StatusDraft, time.Time{}, "pakistan"),
		newArticle("A4", "scheduled", broadsheet.StatusPublished, now.Add(time.Hour), "pakistan"),
	} {
		if err := st.CreateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	slugs := func(f broadsheet.ArticleFilter, limit int) []string {
		var out []string
		var after map[string]string
		for i := 0; i < 10; i++ {
			page, err := st.PublishedArticles(ctx, f, now, limit, after)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range page.Items {
				out = append(out, a.Slug)
			}
			if page.Next == nil {
				break
			}
			after = page.Next
		}
		return out
	}
	tests := []struct {
		name string
		f    broadsheet.ArticleFilter
		want []string
	}{
		{"feed", broadsheet.ArticleFilter{}, []string{"new", "old"}},
		{"tag", broadsheet.ArticleFilter{Tag: "pakistan"}, []string{"new", "old"}},
		{"other tag", broadsheet.ArticleFilter{Tag: "sport"}, []string{"new"}},
		{"author", broadsheet.ArticleFilter{Author: "Ayesha Khan"}, []string{"new", "old"}},
		{"author and tag", broadsheet.ArticleFilter{Author: "ayesha khan", Tag: "sport"}, []string{"new"}},
		{"unknown tag", broadsheet.ArticleFilter{Tag: "none"}, nil},
	}
	for _, tt := range tests {
		for _, limit := range []int{1, 20} {
			if got := slugs(tt.f, limit); !equal(got, tt.want) {
				t.Errorf("%s (limit %d) = %v, want %v", tt.name, limit, got, tt.want)
			}
		}
	}
	// The scheduled article appears once its time comes.
	page, err := st.PublishedArticles(ctx, broadsheet.ArticleFilter{}, now.Add(2*time.Hour), 10, nil)
	if err != nil || len(page.Items) != 3 || page.Items[0].Slug != "scheduled" {
		t.Errorf("after schedule: %v %v", page.Items, err)
	}
}

func TestReplaceMovesSlugAndListingsAndKeepsCount(t *testing.T) {
	st := dynamotest.NewStore(t)
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	old := newArticle("R1", "first-slug", broadsheet.StatusPublished, now.Add(-time.Hour), "pakistan")
	if err := st.CreateArticle(ctx, old); err != nil {
		t.Fatal(err)
	}
	next := *old
	next.Slug, next.Tags, next.Version, next.CommentCount = "second-slug", []string{"sport"}, 2, 99
	if err := st.ReplaceArticle(ctx, &next, old); err != nil {
		t.Fatal(err)
	}
	if _, err := st.ArticleIDBySlug(ctx, "first-slug"); broadsheet.ErrorCode(err) != broadsheet.CodeNotFound {
		t.Errorf("old slug still reserved: %v", err)
	}
	got, _ := st.ArticleByID(ctx, "R1")
	if got.Slug != "second-slug" || got.Version != 2 || got.CommentCount != 0 {
		t.Errorf("after replace: slug %s version %d count %d", got.Slug, got.Version, got.CommentCount)
	}
	page, _ := st.PublishedArticles(ctx, broadsheet.ArticleFilter{Tag: "pakistan"}, now, 10, nil)
	if len(page.Items) != 0 {
		t.Errorf("old tag still lists it")
	}
	page, _ = st.PublishedArticles(ctx, broadsheet.ArticleFilter{Tag: "sport"}, now, 10, nil)
	if len(page.Items) != 1 {
		t.Errorf("new tag does not list it")
	}
	// A stale version fails without changing anything.
	stale := next
	stale.Title, stale.Version = "stale", 3
	if err := st.ReplaceArticle(ctx, &stale, old); broadsheet.ErrorCode(err) != broadsheet.CodePreconditionFailed {
		t.Errorf("stale replace: %v", err)
	}
	// Unpublishing takes it out of every public list.
	draft := *got
	draft.Status, draft.Version = broadsheet.StatusDraft, 3
	if err := st.ReplaceArticle(ctx, &draft, got); err != nil {
		t.Fatal(err)
	}
	page, _ = st.PublishedArticles(ctx, broadsheet.ArticleFilter{}, now, 10, nil)
	page2, _ := st.PublishedArticles(ctx, broadsheet.ArticleFilter{Tag: "sport"}, now, 10, nil)
	if len(page.Items)+len(page2.Items) != 0 {
		t.Errorf("unpublished article still listed")
	}
}

func TestDeleteRemovesEverything(t *testing.T) {
	st := dynamotest.NewStore(t)
	now := time.Now().UTC()
	a := newArticle("D1", "to-delete", broadsheet.StatusPublished, now.Add(-time.Minute), "pakistan")
	if err := st.CreateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := st.DeleteArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	if _, err := st.ArticleBySlug(ctx, "to-delete"); broadsheet.ErrorCode(err) != broadsheet.CodeNotFound {
		t.Errorf("still readable by slug: %v", err)
	}
	for _, status := range []broadsheet.Status{"", broadsheet.StatusPublished} {
		page, _ := st.ArticlesByStatus(ctx, status, 10, nil)
		if len(page.Items) != 0 {
			t.Errorf("editor list %q still has it", status)
		}
	}
	// The slug is free again.
	if err := st.CreateArticle(ctx, newArticle("D2", "to-delete", broadsheet.StatusDraft, time.Time{})); err != nil {
		t.Errorf("slug not freed: %v", err)
	}
}

func TestEditorListsByStatus(t *testing.T) {
	st := dynamotest.NewStore(t)
	for _, a := range []*broadsheet.Article{
		newArticle("E1", "e1", broadsheet.StatusDraft, time.Time{}),
		newArticle("E22", "e2", broadsheet.StatusPublished, time.Now().Add(time.Hour)),
		newArticle("E333", "e3", broadsheet.StatusPublished, time.Now().Add(-time.Hour)),
	} {
		if err := st.CreateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	for status, want := range map[broadsheet.Status][]string{
		"":                         {"e3", "e2", "e1"},
		broadsheet.StatusDraft:     {"e1"},
		broadsheet.StatusPublished: {"e3", "e2"},
	} {
		page, err := st.ArticlesByStatus(ctx, status, 10, nil)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, a := range page.Items {
			got = append(got, a.Slug)
		}
		if !equal(got, want) {
			t.Errorf("status %q: %v, want %v", status, got, want)
		}
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

var _ broadsheet.ArticleStore = (*dynamo.Store)(nil)
