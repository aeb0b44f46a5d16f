package memstore

import (
	"context"
	"slices"
	"strings"
	"time"

	"broadsheet/internal/broadsheet"
)

// PublishedInRange lists published articles with from ≤ PublishedAt ≤ to,
// newest first, as summaries.
func (s *Store) PublishedInRange(_ context.Context, from, to time.Time, limit int, after map[string]string) (broadsheet.Page[*broadsheet.Article], error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	low, high := from.UTC().Format(sortTime), upTo(to)
	var entries []listed
	for _, a := range s.byID {
		if a.Status != broadsheet.StatusPublished || a.PublishedAt.IsZero() {
			continue
		}
		if sk := timeKey(a.PublishedAt, a.ID); sk >= low && sk <= high {
			entries = append(entries, listed{sk, a})
		}
	}
	entries, next, err := pageDesc(entries, limit, after)
	if err != nil {
		return broadsheet.Page[*broadsheet.Article]{}, err
	}
	page := broadsheet.Page[*broadsheet.Article]{Next: next}
	for _, e := range entries {
		page.Items = append(page.Items, summary(e.a))
	}
	return page, nil
}

// OldestPublished is the earliest PublishedAt of a published article.
func (s *Store) OldestPublished(_ context.Context) (time.Time, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var oldest time.Time
	for _, a := range s.byID {
		if a.Status == broadsheet.StatusPublished && !a.PublishedAt.IsZero() && (oldest.IsZero() || a.PublishedAt.Before(oldest)) {
			oldest = a.PublishedAt
		}
	}
	return oldest, !oldest.IsZero(), nil
}

// LatestApprovedComments lists an article's newest approved comments, newest first.
func (s *Store) LatestApprovedComments(_ context.Context, articleID string, limit int) ([]*broadsheet.Comment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var all []*broadsheet.Comment
	for _, c := range s.comments {
		if c.ArticleID == articleID && c.Status == broadsheet.CommentApproved {
			all = append(all, c)
		}
	}
	slices.SortFunc(all, func(a, b *broadsheet.Comment) int { return strings.Compare(sortKey(b), sortKey(a)) })
	out := make([]*broadsheet.Comment, 0, min(limit, len(all)))
	for _, c := range all[:min(limit, len(all))] {
		out = append(out, copyComment(c))
	}
	return out, nil
}
