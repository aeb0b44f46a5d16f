package memstore

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"broadsheet/internal/broadsheet"
)

var _ broadsheet.ArticleStore = (*Store)(nil)

// articleTables holds articles and what indexes them. Guarded by Store.mu.
// byID and idBySlug are shared with comments.go (a comment write checks the
// article and moves its CommentCount, as the DynamoDB transaction does).
type articleTables struct {
	byID     map[string]*broadsheet.Article // stored copies: never hand one out
	idBySlug map[string]string
}

func (t *articleTables) init() {
	t.byID = map[string]*broadsheet.Article{}
	t.idBySlug = map[string]string{}
}

// sortTime and the keys below are the DynamoDB store's sort keys: a
// fixed-width UTC time (microseconds, truncated) then the id, so that lists
// order, tie-break and cut off at "now" exactly as its indexes do.
const sortTime = "2006-01-02T15:04:05.000000Z"

func timeKey(t time.Time, id string) string { return t.UTC().Format(sortTime) + "#" + id }

func upTo(now time.Time) string { return now.UTC().Format(sortTime) + "#\uffff" }

func articleNotFound() error { return broadsheet.Errorf(broadsheet.CodeNotFound, "no such article") }

func articleChanged() error {
	return broadsheet.Errorf(broadsheet.CodePreconditionFailed, "the article changed since you read it; fetch it again")
}

func slugTaken(slug string) error {
	return broadsheet.Errorf(broadsheet.CodeSlugTaken, "the slug %q is taken", slug)
}

// storedArticle is the copy the store keeps: its own tag slice and UTC
// times, as an article comes back from DynamoDB (tags never nil).
func storedArticle(a *broadsheet.Article) *broadsheet.Article {
	cp := *a
	cp.Tags = append([]string{}, a.Tags...)
	cp.Image = broadsheet.CopyImage(a.Image)
	cp.PublishedAt, cp.CreatedAt, cp.UpdatedAt = utc(a.PublishedAt), utc(a.CreatedAt), utc(a.UpdatedAt)
	return &cp
}

func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

// copyArticle hands out a copy the caller may change freely.
func copyArticle(a *broadsheet.Article) *broadsheet.Article {
	cp := *a
	cp.Tags = append([]string{}, a.Tags...)
	cp.Image = broadsheet.CopyImage(a.Image)
	return &cp
}

// summary is what the public feed index projects (dynamo.ArticleSummaryAttributes):
// the public lists carry no body, status or dates beyond publishedAt.
func summary(a *broadsheet.Article) *broadsheet.Article {
	return &broadsheet.Article{
		ID: a.ID, Slug: a.Slug, Title: a.Title, Summary: a.Summary, Author: broadsheet.Author{Name: a.Author.Name},
		Tags: append([]string{}, a.Tags...), PublishedAt: a.PublishedAt, CommentCount: a.CommentCount,
		Image: broadsheet.CopyImage(a.Image),
	}
}

// CreateArticle stores a and reserves its slug; a taken slug or id is CodeSlugTaken.
func (s *Store) CreateArticle(_ context.Context, a *broadsheet.Article) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, taken := s.idBySlug[a.Slug]; taken {
		return slugTaken(a.Slug)
	}
	if _, exists := s.byID[a.ID]; exists {
		return broadsheet.Errorf(broadsheet.CodeSlugTaken, "an article with this id exists")
	}
	s.byID[a.ID], s.idBySlug[a.Slug] = storedArticle(a), a.ID
	return nil
}

// ReplaceArticle stores a over old if the stored version is still old's, and
// moves the slug reservation when it changed. The stored comment count and
// creation time stay (DynamoDB's update does not set them), so that a
// concurrent approval is not lost.
func (s *Store) ReplaceArticle(_ context.Context, a, old *broadsheet.Article) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.byID[a.ID]
	if !ok || cur.Version != old.Version {
		return articleChanged()
	}
	if a.Slug != old.Slug {
		if s.idBySlug[old.Slug] != a.ID {
			return articleChanged()
		}
		if _, taken := s.idBySlug[a.Slug]; taken {
			return slugTaken(a.Slug)
		}
		delete(s.idBySlug, old.Slug)
		s.idBySlug[a.Slug] = a.ID
	}
	next := storedArticle(a)
	next.CommentCount, next.CreatedAt = cur.CommentCount, cur.CreatedAt
	s.byID[a.ID] = next
	return nil
}

// DeleteArticle removes the article and its slug if it is still at a's
// version; a missing article fails the same condition (CodePreconditionFailed).
func (s *Store) DeleteArticle(_ context.Context, a *broadsheet.Article) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur, ok := s.byID[a.ID]; !ok || cur.Version != a.Version {
		return articleChanged()
	}
	delete(s.byID, a.ID)
	delete(s.idBySlug, a.Slug)
	return nil
}

// ArticleByID returns the article with this id, whatever its status.
func (s *Store) ArticleByID(_ context.Context, id string) (*broadsheet.Article, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.byID[id]
	if !ok {
		return nil, articleNotFound()
	}
	return copyArticle(a), nil
}

// ArticleIDBySlug returns the id holding the slug's reservation.
func (s *Store) ArticleIDBySlug(_ context.Context, slug string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.idBySlug[slug]
	if !ok {
		return "", articleNotFound()
	}
	return id, nil
}

// ArticleBySlug returns the article with this slug, whatever its status.
func (s *Store) ArticleBySlug(ctx context.Context, slug string) (*broadsheet.Article, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.idBySlug[slug]
	if !ok {
		return nil, articleNotFound()
	}
	return copyArticle(s.byID[id]), nil
}

// listed is one entry of a list: an article under its sort key.
type listed struct {
	sk string
	a  *broadsheet.Article
}

// pageDesc sorts entries newest first and cuts the page after the position
// after. As a DynamoDB Query with Limit does, it gives a next position
// whenever the page is full, even if nothing follows.
func pageDesc(entries []listed, limit int, after map[string]string) ([]listed, map[string]string, error) {
	if limit <= 0 {
		return nil, nil, errors.New("memstore: limit must be positive")
	}
	slices.SortFunc(entries, func(x, y listed) int { return strings.Compare(y.sk, x.sk) })
	if start, ok := after["sk"]; ok {
		i, _ := slices.BinarySearchFunc(entries, start, func(e listed, sk string) int { return strings.Compare(sk, e.sk) })
		for i < len(entries) && entries[i].sk >= start {
			i++
		}
		entries = entries[i:]
	}
	if len(entries) < limit {
		return entries, nil, nil
	}
	entries = entries[:limit]
	return entries, map[string]string{"sk": entries[limit-1].sk}, nil
}

// PublishedArticles lists published articles with PublishedAt at or before
// now, newest first, as summaries. A tag or author selects that list (author
// by its slug); with both, the tag's list is paged and then filtered by
// author, so a page may come back short (as DynamoDB's does).
func (s *Store) PublishedArticles(_ context.Context, f broadsheet.ArticleFilter, now time.Time, limit int, after map[string]string) (broadsheet.Page[*broadsheet.Article], error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	authorKey := broadsheet.Slugify(f.Author)
	inList := func(a *broadsheet.Article) bool {
		switch {
		case f.Tag != "":
			return slices.Contains(a.Tags, f.Tag)
		case f.Author != "":
			return authorKey != "" && broadsheet.Slugify(a.Author.Name) == authorKey
		}
		return true
	}
	var entries []listed
	cutoff := upTo(now)
	for _, a := range s.byID {
		if a.Status != broadsheet.StatusPublished || !inList(a) {
			continue
		}
		if sk := timeKey(a.PublishedAt, a.ID); sk <= cutoff {
			entries = append(entries, listed{sk, a})
		}
	}
	entries, next, err := pageDesc(entries, limit, after)
	if err != nil {
		return broadsheet.Page[*broadsheet.Article]{}, err
	}
	page := broadsheet.Page[*broadsheet.Article]{Next: next}
	for _, e := range entries {
		if f.Tag != "" && f.Author != "" && broadsheet.Slugify(e.a.Author.Name) != authorKey {
			continue
		}
		page.Items = append(page.Items, summary(e.a))
	}
	return page, nil
}

// ArticlesByStatus lists articles for editors, newest created first, whole;
// status "" means every article.
func (s *Store) ArticlesByStatus(_ context.Context, status broadsheet.Status, limit int, after map[string]string) (broadsheet.Page[*broadsheet.Article], error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var entries []listed
	for _, a := range s.byID {
		if status == "" || a.Status == status {
			entries = append(entries, listed{timeKey(a.CreatedAt, a.ID), a})
		}
	}
	entries, next, err := pageDesc(entries, limit, after)
	if err != nil {
		return broadsheet.Page[*broadsheet.Article]{}, err
	}
	page := broadsheet.Page[*broadsheet.Article]{Next: next}
	for _, e := range entries {
		page.Items = append(page.Items, copyArticle(e.a))
	}
	return page, nil
}
