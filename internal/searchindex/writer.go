package searchindex

import (
	"context"
	"fmt"
	"time"

	"broadsheet/internal/search"
)

// Article is what the indexer knows of an article from a stream image.
type Article struct {
	ID, Slug, Title, Summary string
	Text                     string // plain text of the body
	AuthorName               string
	AuthorKey                string // slug of the author's name, as the articles list filters
	Tags                     []string
	Status                   string
	PublishedAt              time.Time
	PublishedAtRaw           string // as stored (RFC 3339)
	Version                  int64
	CommentCount             int64
	Lang                     string // BCP 47 language the article is analysed in ("" English)
}

// Indexable reports whether the article belongs in the index: published,
// with a date. A future date (scheduled) is indexed; readers filter on it.
func (a *Article) Indexable() bool {
	return a != nil && a.Status == "published" && !a.PublishedAt.IsZero()
}

// Change is one ordered change of an article, as a stream record carries it.
type Change struct {
	ID string
	// Seq orders a document's changes: 2·version for a write, 2·version+1 for
	// its deletion. Changes at or below the applied Seq are ignored, which
	// makes replays of older records harmless.
	Seq     int64
	Article *Article // nil: the article was deleted
}

// Writer applies changes to the index.
type Writer struct {
	Store Store
}

// Apply brings the index in line with one change. It is idempotent and safe to
// repeat after a failure at any point: what to do is decided and planned from
// what is stored (Decide, PlanChange: pure, see plan.go), and the plan's steps
// are executed in order (execute).
func (w *Writer) Apply(ctx context.Context, ch Change) error {
	stored, err := w.Store.Load(ctx, ch.ID)
	if err != nil {
		return fmt.Errorf("load %s: %w", ch.ID, err)
	}
	switch Decide(ch, stored) {
	case Skip:
		return nil
	case RefreshCommentCount:
		return w.Store.SetCommentCount(ctx, ch.ID, ch.Seq, ch.Article.CommentCount)
	}
	var corpus search.Stats
	if terms := IndexTerms(ch.Article); ch.Article.Indexable() {
		if corpus, err = w.Store.Corpus(ctx, terms); err != nil {
			return err
		}
	}
	return w.execute(ctx, PlanChange(ch, stored, corpus))
}

// execute performs a plan's steps in order; each is safe to repeat.
func (w *Writer) execute(ctx context.Context, p *Plan) error {
	if p.WriteAhead != nil {
		if err := w.Store.WriteAhead(ctx, p.DocID, p.WriteAhead); err != nil {
			return fmt.Errorf("write ahead %s: %w", p.DocID, err)
		}
	}
	if _, err := w.Store.ApplyPostings(ctx, p.Deletes); err != nil {
		return err
	}
	present, err := w.Store.ApplyPostings(ctx, p.Puts)
	if err != nil {
		return err
	}
	refresh := p.Refresh
	// Puts an earlier attempt applied: refresh their content, uncounted.
	refresh.Postings = append(append([]PostingWrite(nil), refresh.Postings...), present...)
	if err := w.Store.Refresh(ctx, refresh); err != nil {
		return err
	}
	if err := w.Store.Commit(ctx, p.Commit); err != nil {
		return fmt.Errorf("commit %s: %w", p.DocID, err)
	}
	return nil
}
