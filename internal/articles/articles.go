// Package articles holds the article use cases as plain Go over narrow store
// interfaces: here what readers may see (Reader), in articles/editing what
// editors may write and read. They are apart so that the public Articles
// function does not link the Markdown renderer. Errors are the domain's
// (*broadsheet.Error); the doors in internal/handlers decode requests, call
// these and encode the answers (ETags, caching and views stay there).
package articles

import (
	"context"
	"time"

	"broadsheet/internal/broadsheet"
)

// MaxAuthorFilterBytes bounds the author filter of the public list.
const MaxAuthorFilterBytes = 200

func notFound() error { return broadsheet.Errorf(broadsheet.CodeNotFound, "no such article") }

// ReadStore is what public reads need of storage.
type ReadStore interface {
	ArticleBySlug(ctx context.Context, slug string) (*broadsheet.Article, error)
	PublishedArticles(ctx context.Context, f broadsheet.ArticleFilter, now time.Time, limit int, after map[string]string) (broadsheet.Page[*broadsheet.Article], error)
}

// Reader serves what readers may see.
type Reader struct {
	Store ReadStore
	Now   func() time.Time
}

// Article returns the article with this slug if readers may see it now;
// drafts, scheduled articles and malformed slugs are all CodeNotFound, so
// a reader cannot tell an unpublished article from none.
func (r *Reader) Article(ctx context.Context, slug string) (*broadsheet.Article, error) {
	if !broadsheet.ValidSlug(slug) {
		return nil, notFound()
	}
	a, err := r.Store.ArticleBySlug(ctx, slug)
	if err != nil {
		return nil, err
	}
	if !a.VisibleAt(r.Now()) {
		return nil, notFound()
	}
	return a, nil
}

// PublicFilter normalises the public list's tag and author parameters.
// Tags are stored slugified, so a tag that is not a slug is slugified; one
// with nothing left can match nothing (matchesNothing). An author is
// compared by its slug in the store, here only cleaned and bounded.
func PublicFilter(tag, author string) (f broadsheet.ArticleFilter, matchesNothing bool, err error) {
	f = broadsheet.ArticleFilter{Tag: tag, Author: broadsheet.CleanText(author)}
	if f.Tag != "" && !broadsheet.ValidSlug(f.Tag) {
		if f.Tag = broadsheet.Slugify(f.Tag); f.Tag == "" {
			return f, true, nil
		}
	}
	if len(f.Author) > MaxAuthorFilterBytes {
		return f, false, &broadsheet.Error{Code: broadsheet.CodeValidation, Message: "author is too long", Fields: map[string]string{"author": "is too long"}}
	}
	return f, false, nil
}

// Published lists what readers see now under a filter from PublicFilter,
// newest first, from the position after.
func (r *Reader) Published(ctx context.Context, f broadsheet.ArticleFilter, limit int, after map[string]string) (broadsheet.Page[*broadsheet.Article], error) {
	return r.Store.PublishedArticles(ctx, f, r.Now(), limit, after)
}
