package editorclient

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"strconv"
)

// CommentQuery filters GET /admin/comments. ArticleID is a contract
// extension used by imports.
type CommentQuery struct {
	Status    string
	ArticleID string
	Limit     int
	Cursor    string
}

func (q CommentQuery) values() url.Values {
	v := url.Values{}
	if q.Status != "" {
		v.Set("status", q.Status)
	}
	if q.ArticleID != "" {
		v.Set("articleId", q.ArticleID)
	}
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	if q.Cursor != "" {
		v.Set("cursor", q.Cursor)
	}
	return v
}

// ListComments returns one page of the moderation list.
func (c *Client) ListComments(ctx context.Context, q CommentQuery) (CommentPage, error) {
	var page CommentPage
	resp, err := c.do(ctx, request{method: http.MethodGet, path: "/admin/comments", query: q.values()})
	if err != nil {
		return page, err
	}
	err = resp.decode(&page)
	return page, err
}

// Comments iterates over every comment matching q, following nextCursor.
func (c *Client) Comments(ctx context.Context, q CommentQuery) iter.Seq2[Comment, error] {
	return pages(func(cursor string) (CommentPage, error) {
		q.Cursor = cursor
		return c.ListComments(ctx, q)
	})
}

// CreateComment creates a comment through the editor-only POST
// /admin/comments. existed is true when the server said the externalId was
// already imported (200 with the comment, or 409 duplicate_comment, in which
// case the returned Comment may be empty).
func (c *Client) CreateComment(ctx context.Context, in CommentInput) (cm Comment, existed bool, err error) {
	resp, err := c.do(ctx, request{method: http.MethodPost, path: "/admin/comments", body: in})
	if err != nil {
		if HasCode(err, "duplicate_comment") {
			return Comment{}, true, nil
		}
		return Comment{}, false, err
	}
	if len(resp.body) > 0 {
		if err := resp.decode(&cm); err != nil {
			return Comment{}, false, err
		}
	}
	return cm, resp.status == http.StatusOK, nil
}

// SetCommentStatus moderates a comment: status is approved, rejected or spam.
func (c *Client) SetCommentStatus(ctx context.Context, id, status string) (Comment, error) {
	var cm Comment
	resp, err := c.do(ctx, request{method: http.MethodPatch, path: "/admin/comments/" + escape(id), body: map[string]string{"status": status}})
	if err != nil {
		return cm, err
	}
	if len(resp.body) > 0 {
		err = resp.decode(&cm)
	}
	return cm, err
}

// DeleteComment deletes a comment.
func (c *Client) DeleteComment(ctx context.Context, id string) error {
	_, err := c.do(ctx, request{method: http.MethodDelete, path: "/admin/comments/" + escape(id)})
	return err
}
