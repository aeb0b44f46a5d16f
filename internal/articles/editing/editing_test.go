package editing_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"broadsheet/internal/articles/editing"
	"broadsheet/internal/broadsheet"
	"broadsheet/internal/memstore"
)

var now = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func clock() time.Time { return now }

// newEditor is the editor's use case on an empty memory store, with a fixed
// clock and ids.
func newEditor(t *testing.T) (*editing.Editor, *memstore.Store) {
	st := memstore.New()
	n := 0
	ids := func() string {
		n++
		// Later articles get larger ids: ties in creation time order by id.
		return ulid.MustNew(ulid.Timestamp(now.Add(time.Duration(n)*time.Millisecond)), rand.Reader).String()
	}
	return &editing.Editor{Store: st, Now: clock, NewID: ids}, st
}

// input decodes an editor's JSON as the door does.
func input(t *testing.T, js string) *broadsheet.ArticleInput {
	t.Helper()
	var in broadsheet.ArticleInput
	if err := json.Unmarshal([]byte(js), &in); err != nil {
		t.Fatal(err)
	}
	return &in
}

func create(t *testing.T, ed *editing.Editor, js string) *broadsheet.Article {
	t.Helper()
	a, err := ed.Create(context.Background(), input(t, js))
	if err != nil {
		t.Fatalf("create %s: %v", js, err)
	}
	return a
}

func fields(err error) map[string]string {
	if e, ok := err.(*broadsheet.Error); ok {
		return e.Fields
	}
	return nil
}

func TestCreate(t *testing.T) {
	ed, _ := newEditor(t)
	a := create(t, ed, `{"title":"Straße to Łódź","body":"**Bold** & more","author":{"name":" Ayesha "},"tags":["Pakistan","pakistan"," Sport "],"status":"published"}`)
	if a.Version != 1 || !a.CreatedAt.Equal(now) || !a.UpdatedAt.Equal(now) || !a.CommentsOpen || a.ID == "" {
		t.Errorf("new article bookkeeping: %+v", a)
	}
	if a.Slug != broadsheet.Slugify("Straße to Łódź") || a.Author.Name != "Ayesha" || strings.Join(a.Tags, ",") != "pakistan,sport" {
		t.Errorf("normalised: slug %q author %q tags %v", a.Slug, a.Author.Name, a.Tags)
	}
	if !strings.Contains(a.BodyHTML, "<strong>Bold</strong>") || a.Summary != "Bold & more" {
		t.Errorf("rendered: html %q summary %q", a.BodyHTML, a.Summary)
	}
	if !a.PublishedAt.Equal(now) {
		t.Errorf("published without a date: PublishedAt %v, want now", a.PublishedAt)
	}
	draft := create(t, ed, `{"title":"Draft","body":"b","summary":"Given","author":{"name":"A"},"commentsOpen":false}`)
	if draft.Status != broadsheet.StatusDraft || !draft.PublishedAt.IsZero() || draft.CommentsOpen || draft.Summary != "Given" {
		t.Errorf("draft: %+v", draft)
	}
	tests := []struct {
		name, js, code, field string
	}{
		{"no title", `{"body":"b","author":{"name":"A"},"slug":"s"}`, broadsheet.CodeValidation, "title"},
		{"no body", `{"title":"T","author":{"name":"A"}}`, broadsheet.CodeValidation, "body"},
		{"bad status", `{"title":"T","body":"b","author":{"name":"A"},"status":"live"}`, broadsheet.CodeValidation, "status"},
		{"bad date", `{"title":"T","body":"b","author":{"name":"A"},"publishedAt":"tomorrow"}`, broadsheet.CodeValidation, "publishedAt"},
		{"bad slug", `{"title":"T","body":"b","author":{"name":"A"},"slug":"Not A Slug"}`, broadsheet.CodeValidation, "slug"},
		{"taken slug", `{"title":"Draft","body":"b","author":{"name":"A"}}`, broadsheet.CodeSlugTaken, ""},
	}
	for _, tt := range tests {
		_, err := ed.Create(context.Background(), input(t, tt.js))
		if broadsheet.ErrorCode(err) != tt.code || (tt.field != "" && fields(err)[tt.field] == "") {
			t.Errorf("%s: %v, want %s on %q", tt.name, err, tt.code, tt.field)
		}
	}
}

func TestReplace(t *testing.T) {
	ctx := context.Background()
	ed, _ := newEditor(t)
	old := create(t, ed, `{"title":"First","body":"b","author":{"name":"A"},"status":"published","publishedAt":"2026-11-20T10:00:00Z"}`)
	later := now.Add(time.Hour)
	ed.Now = func() time.Time { return later }
	a, err := ed.Replace(ctx, old, input(t, `{"title":"Second","body":"*new*","author":{"name":"A"},"status":"published","slug":"first"}`))
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != old.ID || a.Version != 2 || !a.UpdatedAt.Equal(later) || !a.CreatedAt.Equal(old.CreatedAt) || !a.PublishedAt.Equal(old.PublishedAt) {
		t.Errorf("replace bookkeeping: %+v (a republish keeps its date)", a)
	}
	if a.Title != "Second" || !strings.Contains(a.BodyHTML, "<em>new</em>") {
		t.Errorf("replace content: %+v", a)
	}
	if stored, _ := ed.Article(ctx, old.ID); stored.Version != 2 || stored.Title != "Second" {
		t.Errorf("stored: %+v", stored)
	}
	// Replacing over the version read before is refused by the store.
	if _, err := ed.Replace(ctx, old, input(t, `{"title":"Stale","body":"b","author":{"name":"A"}}`)); broadsheet.ErrorCode(err) != broadsheet.CodePreconditionFailed {
		t.Errorf("stale replace: %v", err)
	}
	// Invalid input is refused before anything is written.
	if _, err := ed.Replace(ctx, a, input(t, `{"title":"","body":"b","author":{"name":"A"}}`)); fields(err)["title"] == "" {
		t.Errorf("invalid replace: %v", err)
	}
	if err := ed.Delete(ctx, old); broadsheet.ErrorCode(err) != broadsheet.CodePreconditionFailed {
		t.Errorf("stale delete: %v", err)
	}
	if err := ed.Delete(ctx, a); err != nil {
		t.Fatal(err)
	}
	if _, err := ed.Article(ctx, a.ID); broadsheet.ErrorCode(err) != broadsheet.CodeNotFound {
		t.Errorf("deleted article: %v", err)
	}
}

func TestEditorReads(t *testing.T) {
	ctx := context.Background()
	ed, _ := newEditor(t)
	draft := create(t, ed, `{"title":"Draft","body":"b","author":{"name":"A"}}`)
	create(t, ed, `{"title":"Out","body":"b","author":{"name":"A"},"status":"published"}`)
	if _, err := ed.Article(ctx, "not-an-id"); broadsheet.ErrorCode(err) != broadsheet.CodeNotFound {
		t.Errorf("malformed id: %v", err)
	}
	for slug, want := range map[string]string{"draft": draft.ID, "unknown": "", "Not A Slug": ""} {
		a, err := ed.BySlug(ctx, slug)
		if err != nil || (want == "") != (a == nil) || (a != nil && a.ID != want) {
			t.Errorf("BySlug(%q) = %v, %v; want id %q", slug, a, err, want)
		}
	}
	for _, tt := range []struct {
		status string
		want   []string
		field  string
	}{
		{"", []string{"out", "draft"}, ""},
		{"draft", []string{"draft"}, ""},
		{"published", []string{"out"}, ""},
		{"archived", nil, "status"},
	} {
		status, err := editing.ListStatus(tt.status)
		if tt.field != "" {
			if fields(err)[tt.field] == "" {
				t.Errorf("ListStatus(%q): %v", tt.status, err)
			}
			if _, err := ed.List(ctx, broadsheet.Status(tt.status), 10, nil); fields(err)[tt.field] == "" {
				t.Errorf("List(%q): %v", tt.status, err)
			}
			continue
		}
		page, err := ed.List(ctx, status, 10, nil)
		var got []string
		for _, a := range page.Items {
			got = append(got, a.Slug)
		}
		if err != nil || strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("List(%q) = %v, %v; want %v", tt.status, got, err, tt.want)
		}
	}
}

// TestLeadImage: an image sent is stored with the article; a replace that
// sends none removes it (PUT semantics); a bad one stores nothing and names
// the field.
func TestLeadImage(t *testing.T) {
	ed, st := newEditor(t)
	ctx := context.Background()
	a := create(t, ed, `{"title":"Talks","body":"Text.","author":{"name":"Ayesha Khan"},
		"image":{"url":"https://cdn.example.com/talks.jpg","alt":" Delegates ","credit":"Photo: Reuters","width":1200,"height":800}}`)
	stored, err := st.ArticleByID(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := broadsheet.Image{URL: "https://cdn.example.com/talks.jpg", Alt: "Delegates", Credit: "Photo: Reuters", Width: 1200, Height: 800}
	if stored.Image == nil || *stored.Image != want {
		t.Fatalf("stored image %+v, want %+v", stored.Image, want)
	}
	replaced, err := ed.Replace(ctx, stored, input(t, `{"title":"Talks","body":"Text.","author":{"name":"Ayesha Khan"},"image":null}`))
	if err != nil {
		t.Fatal(err)
	}
	if stored, _ = st.ArticleByID(ctx, a.ID); replaced.Image != nil || stored.Image != nil {
		t.Errorf("after a replace with a null image: %+v, stored %+v", replaced.Image, stored.Image)
	}
	_, err = ed.Replace(ctx, stored, input(t, `{"title":"Talks","body":"Text.","author":{"name":"Ayesha Khan"},"image":{"url":"https://cdn.example.com/a.jpg#x","alt":""}}`))
	if f := fields(err); f["image.url"] == "" || f["image.alt"] == "" {
		t.Errorf("bad image: %v, want image.url and image.alt named", err)
	}
	if again, _ := st.ArticleByID(ctx, a.ID); again.Version != stored.Version || again.Image != nil {
		t.Errorf("a refused replace changed the article: %+v", again)
	}
}
