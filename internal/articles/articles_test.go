package articles_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/articles"
	"broadsheet/internal/broadsheet"
	"broadsheet/internal/memstore"
)

var now = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func clock() time.Time { return now }

func fields(err error) map[string]string {
	if e, ok := err.(*broadsheet.Error); ok {
		return e.Fields
	}
	return nil
}

func TestReaderSeesOnlyVisibleArticles(t *testing.T) {
	st := memstore.New()
	for i, a := range []struct {
		slug   string
		status broadsheet.Status
		at     time.Duration
	}{
		{"visible", broadsheet.StatusPublished, -time.Hour},
		{"at-now", broadsheet.StatusPublished, 0},
		{"scheduled", broadsheet.StatusPublished, time.Hour},
		{"draft", broadsheet.StatusDraft, 0},
	} {
		art := &broadsheet.Article{
			ID: fmt.Sprintf("A%d", i), Slug: a.slug, Title: a.slug, Body: "b", BodyHTML: "<p>b</p>", Author: broadsheet.Author{Name: "A"},
			Status: a.status, CreatedAt: now, UpdatedAt: now, Version: 1,
		}
		if a.status == broadsheet.StatusPublished {
			art.PublishedAt = now.Add(a.at)
		}
		if err := st.CreateArticle(context.Background(), art); err != nil {
			t.Fatal(err)
		}
	}
	r := &articles.Reader{Store: st, Now: clock}
	tests := []struct {
		slug string
		code string
	}{
		{"visible", ""},
		{"at-now", ""},
		{"scheduled", broadsheet.CodeNotFound},
		{"draft", broadsheet.CodeNotFound},
		{"unknown", broadsheet.CodeNotFound},
		{"Not A Slug", broadsheet.CodeNotFound},
	}
	for _, tt := range tests {
		a, err := r.Article(context.Background(), tt.slug)
		if broadsheet.ErrorCode(err) != tt.code || (err == nil && a.Slug != tt.slug) {
			t.Errorf("Article(%q) = %v, %v; want code %q", tt.slug, a, err, tt.code)
		}
	}
	page, err := r.Published(context.Background(), broadsheet.ArticleFilter{}, 10, nil)
	if err != nil || len(page.Items) != 2 || page.Items[0].Slug != "at-now" || page.Items[1].Slug != "visible" {
		t.Errorf("Published = %v, %v", page.Items, err)
	}
}

func TestPublicFilter(t *testing.T) {
	tests := []struct {
		name, tag, author string
		want              broadsheet.ArticleFilter
		nothing           bool
		field             string
	}{
		{"none", "", "", broadsheet.ArticleFilter{}, false, ""},
		{"tag slug kept", "pakistan", "", broadsheet.ArticleFilter{Tag: "pakistan"}, false, ""},
		{"tag slugified", "Pakistan Politics", "", broadsheet.ArticleFilter{Tag: "pakistan-politics"}, false, ""},
		{"tag with nothing to slug matches nothing", "!!!", "", broadsheet.ArticleFilter{}, true, ""},
		{"author cleaned", "", "  Ayesha Khan ", broadsheet.ArticleFilter{Author: "Ayesha Khan"}, false, ""},
		{"author at the limit", "", strings.Repeat("a", 200), broadsheet.ArticleFilter{Author: strings.Repeat("a", 200)}, false, ""},
		{"author too long", "", strings.Repeat("a", 201), broadsheet.ArticleFilter{}, false, "author"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, nothing, err := articles.PublicFilter(tt.tag, tt.author)
			if tt.field != "" {
				if broadsheet.ErrorCode(err) != broadsheet.CodeValidation || fields(err)[tt.field] == "" {
					t.Errorf("error %v, want a validation error on %s", err, tt.field)
				}
				return
			}
			if err != nil || nothing != tt.nothing || (!nothing && f != tt.want) {
				t.Errorf("= %+v, %v, %v; want %+v, %v", f, nothing, err, tt.want, tt.nothing)
			}
		})
	}
}
