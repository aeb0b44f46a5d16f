package editor

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"broadsheet/internal/apigw"
	"broadsheet/internal/broadsheet"
	"broadsheet/internal/comments"
)

// Comments is what moderation and imports need (internal/comments does the
// work): the store, and the identity key that turns an imported email into
// the same hash submissions use.
type Comments struct {
	Store    broadsheet.CommentStore
	Identity *broadsheet.Identity
	// Replies mails an opted-in parent's author when an approval
	// publishes a reply (after the commit, best effort); nil: off.
	Replies *comments.Replies
	// SiteURL and APIURL are the public bases for the mail's links
	// (SITE_URL, PUBLIC_API_URL); empty: the request's.
	SiteURL, APIURL string
}

// links are the bases for links in mail sent while answering req.
func (c Comments) links(req apigw.Request) comments.Links {
	l := comments.Links{Site: c.SiteURL, API: c.APIURL}
	if l.Site == "" {
		l.Site = apigw.BaseURL(req)
	}
	if l.API == "" {
		l.API = apigw.BaseURL(req)
	}
	return l
}

// CommentView is a comment as editors see it: the public shape plus the
// email (editors only), the article, the status and the import id.
type CommentView struct {
	ID          string    `json:"id"`
	ParentID    string    `json:"parentId,omitempty"`
	Name        string    `json:"name"`
	Website     string    `json:"website,omitempty"`
	Body        string    `json:"body"`
	CreatedAt   time.Time `json:"createdAt"`
	Email       string    `json:"email"`
	ArticleID   string    `json:"articleId"`
	ArticleSlug string    `json:"articleSlug"`
	Status      string    `json:"status"`
	ExternalID  string    `json:"externalId,omitempty"`
}

// CommentViewOf renders a comment for editors.
func CommentViewOf(c *broadsheet.Comment) CommentView {
	return CommentView{
		ID: c.ID, ParentID: c.ParentID, Name: c.Name, Website: c.Website, Body: c.Body,
		CreatedAt: c.CreatedAt.UTC().Truncate(time.Second), Email: c.Email,
		ArticleID: c.ArticleID, ArticleSlug: c.ArticleSlug, Status: string(c.Status), ExternalID: c.ExternalID,
	}
}

// moderation is the use case over the handler's stores and clock.
func (h *Handler) moderation() *comments.Moderation {
	return &comments.Moderation{Store: h.Comments.Store, Articles: h.Articles, Identity: h.Comments.Identity, Now: h.Now}
}

// listComments is the moderation queue (?status=, default pending, oldest
// first) or, with ?articleId=, an article's approved comments for imports to
// find what they already wrote.
func (h *Handler) listComments(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	limit, err := apigw.Limit(req, 20, 50)
	if err != nil {
		return apigw.Response{}, err
	}
	q := comments.Queue{Status: broadsheet.CommentStatus(apigw.Query(req, "status"))}
	q.ArticleID, q.ByArticle = req.QueryStringParameters["articleId"]
	if err := q.Check(); err != nil {
		return apigw.Response{}, err
	}
	scope := "admin/comments?" + url.Values{"status": {string(q.Status)}}.Encode()
	if q.ByArticle {
		scope = "admin/comments?" + url.Values{"articleId": {q.ArticleID}}.Encode()
	}
	after, err := apigw.OpenCursor(h.Cursors, req, scope)
	if err != nil {
		return apigw.Response{}, err
	}
	page, err := h.moderation().List(ctx, q, limit, after)
	if err != nil {
		return apigw.Response{}, err
	}
	out := apigw.List[CommentView]{Items: make([]CommentView, 0, len(page.Items))}
	for _, c := range page.Items {
		out.Items = append(out.Items, CommentViewOf(c))
	}
	if out.NextCursor, err = apigw.NextCursor(h.Cursors, scope, page.Next); err != nil {
		return apigw.Response{}, err
	}
	return apigw.JSON(http.StatusOK, out), nil
}

func (h *Handler) moderateComment(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	var in struct {
		Status broadsheet.CommentStatus `json:"status"`
	}
	if err := apigw.DecodeJSON(req, 4<<10, &in); err != nil {
		return apigw.Response{}, err
	}
	m := h.moderation()
	m.Replies, m.Links = h.Comments.Replies, h.Comments.links(req)
	c, err := m.SetStatus(ctx, req.PathParameters["id"], in.Status)
	if err != nil {
		return apigw.Response{}, err
	}
	return apigw.JSON(http.StatusOK, CommentViewOf(c)), nil
}

func (h *Handler) deleteComment(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	if err := h.moderation().Delete(ctx, req.PathParameters["id"]); err != nil {
		return apigw.Response{}, err
	}
	return noContent(), nil
}

// ImportInput is the body of POST /admin/comments, the editor-only import
// route (a contract extension the CLI uses).
type ImportInput = comments.Import

// importComment creates an imported comment: 201, or 200 with the existing
// comment when this externalId was already imported for the article.
func (h *Handler) importComment(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	var in ImportInput
	if err := apigw.DecodeJSON(req, broadsheet.MaxCommentRequest, &in); err != nil {
		return apigw.Response{}, err
	}
	c, created, err := h.moderation().Import(ctx, in)
	if err != nil {
		return apigw.Response{}, err
	}
	if !created {
		return apigw.JSON(http.StatusOK, CommentViewOf(c)), nil
	}
	return apigw.JSON(http.StatusCreated, CommentViewOf(c)), nil
}
