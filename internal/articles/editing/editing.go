// Package editing holds the editors' article use cases: create with
// validation, slug and Markdown rendering, replace over the version read,
// delete, and the editors' reads. It links the renderer (richtext), which
// is why it is apart from internal/articles (what readers see).
package editing

import (
	"context"
	"time"

	"broadsheet/internal/broadsheet"
	"broadsheet/internal/htmltext"
	"broadsheet/internal/richtext"
)

// summaryRunes is about how long a summary made from the body is.
const summaryRunes = 200

func notFound() error { return broadsheet.Errorf(broadsheet.CodeNotFound, "no such article") }

// Store is what the editor's article use cases need of storage.
type Store interface {
	broadsheet.ArticleStore
	ArticleIDBySlug(ctx context.Context, slug string) (string, error)
}

// Editor serves the editors' article writes and reads.
type Editor struct {
	Store Store
	Now   func() time.Time
	NewID func() string
}

// Create validates the input and stores a new article at version 1, its
// Markdown rendered once, here, so that reads only ever serve stored HTML.
func (e *Editor) Create(ctx context.Context, in *broadsheet.ArticleInput) (*broadsheet.Article, error) {
	if err := normalized(in); err != nil {
		return nil, err
	}
	now := e.Now().UTC()
	a := &broadsheet.Article{ID: e.NewID(), CreatedAt: now, UpdatedAt: now, Version: 1, CommentsOpen: true}
	if err := e.apply(a, in); err != nil {
		return nil, err
	}
	if err := e.Store.CreateArticle(ctx, a); err != nil {
		return nil, err
	}
	return a, nil
}

// Replace validates the input and stores it over old, the version the editor
// read (the door has checked If-Match against it). The store conditions the
// write on old.Version, so a write that raced past that check still fails
// with CodePreconditionFailed.
func (e *Editor) Replace(ctx context.Context, old *broadsheet.Article, in *broadsheet.ArticleInput) (*broadsheet.Article, error) {
	if err := normalized(in); err != nil {
		return nil, err
	}
	a := *old
	a.Version, a.UpdatedAt = old.Version+1, e.Now().UTC()
	if err := e.apply(&a, in); err != nil {
		return nil, err
	}
	if err := e.Store.ReplaceArticle(ctx, &a, old); err != nil {
		return nil, err
	}
	return &a, nil
}

// Delete removes a if it is still at a's version.
func (e *Editor) Delete(ctx context.Context, a *broadsheet.Article) error {
	return e.Store.DeleteArticle(ctx, a)
}

// Article returns any article by id; a malformed id is CodeNotFound.
func (e *Editor) Article(ctx context.Context, id string) (*broadsheet.Article, error) {
	if !broadsheet.ValidID(id) {
		return nil, notFound()
	}
	return e.Store.ArticleByID(ctx, id)
}

// BySlug returns the article holding slug, or nil if none does (a malformed
// slug holds none): the CLI's lookup to update instead of create.
func (e *Editor) BySlug(ctx context.Context, slug string) (*broadsheet.Article, error) {
	if !broadsheet.ValidSlug(slug) {
		return nil, nil
	}
	id, err := e.Store.ArticleIDBySlug(ctx, slug)
	if err == nil {
		var a *broadsheet.Article
		if a, err = e.Store.ArticleByID(ctx, id); err == nil {
			return a, nil
		}
	}
	if broadsheet.ErrorCode(err) == broadsheet.CodeNotFound {
		return nil, nil
	}
	return nil, err
}

// ListStatus checks the editors' list filter: draft, published or "" for all.
func ListStatus(s string) (broadsheet.Status, error) {
	status := broadsheet.Status(s)
	if status != "" && status != broadsheet.StatusDraft && status != broadsheet.StatusPublished {
		return "", &broadsheet.Error{Code: broadsheet.CodeValidation, Message: "status must be draft or published", Fields: map[string]string{"status": "must be draft or published"}}
	}
	return status, nil
}

// List lists articles for editors, newest created first, from the position
// after; status comes from ListStatus.
func (e *Editor) List(ctx context.Context, status broadsheet.Status, limit int, after map[string]string) (broadsheet.Page[*broadsheet.Article], error) {
	if _, err := ListStatus(string(status)); err != nil {
		return broadsheet.Page[*broadsheet.Article]{}, err
	}
	return e.Store.ArticlesByStatus(ctx, status, limit, after)
}

func normalized(in *broadsheet.ArticleInput) error {
	in.Normalize()
	return in.Validate()
}

// apply fills a from a validated input.
func (e *Editor) apply(a *broadsheet.Article, in *broadsheet.ArticleInput) error {
	html, err := richtext.Markdown(in.Body)
	if broadsheet.ErrorCode(err) == broadsheet.CodeValidation {
		return err // too complex to render: says what to shorten
	}
	if err != nil {
		return &broadsheet.Error{Code: broadsheet.CodeValidation, Message: "body could not be rendered", Fields: map[string]string{"body": "could not be rendered"}}
	}
	a.Slug, a.Title, a.Body, a.BodyHTML = in.Slug, in.Title, in.Body, html
	a.Summary = in.Summary
	if a.Summary == "" {
		a.Summary = broadsheet.Excerpt(htmltext.PlainText(html), summaryRunes)
	}
	a.Author, a.Tags, a.Status, a.Lang = in.Author, in.Tags, in.Status, in.Lang
	a.Image = in.LeadImage() // a replace without an image removes it
	if in.CommentsOpen != nil {
		a.CommentsOpen = *in.CommentsOpen
	}
	switch {
	case !in.PublishedTime().IsZero():
		a.PublishedAt = in.PublishedTime()
	case a.Status == broadsheet.StatusPublished && a.PublishedAt.IsZero():
		a.PublishedAt = e.Now().UTC()
	}
	return nil
}
