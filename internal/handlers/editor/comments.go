package editor

import (
	"context"
	"crypto/rand"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/oklog/ulid/v2"

	"broadsheet/internal/apigw"
	"broadsheet/internal/broadsheet"
)

// Comments is what moderation and imports need: the store, and the identity
// key that turns an imported email into the same hash submissions use.
type Comments struct {
	Store    broadsheet.CommentStore
	Identity *broadsheet.Identity
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

func fieldError(field, problem string) error {
	return &broadsheet.Error{Code: broadsheet.CodeValidation, Message: field + " " + problem, Fields: map[string]string{field: problem}}
}

// listComments is the moderation queue (?status=, default pending; one Query
// on gsi3, oldest first) or, with ?articleId=, an article's approved comments
// (one Query on gsi1) for imports to find what they already wrote.
func (h *Handler) listComments(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	limit, err := apigw.Limit(req, 20, 50)
	if err != nil {
		return apigw.Response{}, err
	}
	status := broadsheet.CommentStatus(apigw.Query(req, "status"))
	articleID, byArticle := req.QueryStringParameters["articleId"]
	switch {
	case status != "" && !status.Valid():
		return apigw.Response{}, fieldError("status", "must be pending, approved, spam or rejected")
	case byArticle && !broadsheet.ValidID(articleID):
		return apigw.Response{}, fieldError("articleId", "is not an article id")
	case byArticle && status != "" && status != broadsheet.CommentApproved:
		return apigw.Response{}, fieldError("status", "must be approved (or absent) with articleId")
	case status == "":
		status = broadsheet.CommentPending
	}
	scope := "admin/comments?" + url.Values{"status": {string(status)}}.Encode()
	if byArticle {
		scope = "admin/comments?" + url.Values{"articleId": {articleID}}.Encode()
	}
	after, err := apigw.OpenCursor(h.Cursors, req, scope)
	if err != nil {
		return apigw.Response{}, err
	}
	var page broadsheet.Page[*broadsheet.Comment]
	if byArticle {
		page, err = h.Comments.Store.ApprovedComments(ctx, articleID, limit, after)
	} else {
		page, err = h.Comments.Store.CommentsByStatus(ctx, status, limit, after)
	}
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

// comment loads the comment named by the {id} path parameter.
func (h *Handler) comment(ctx context.Context, req apigw.Request) (*broadsheet.Comment, error) {
	id := req.PathParameters["id"]
	if !broadsheet.ValidID(id) {
		return nil, broadsheet.Errorf(broadsheet.CodeNotFound, "no such comment")
	}
	return h.Comments.Store.CommentByID(ctx, id)
}

// moderationAttempts bounds re-reads when another editor moderates the same
// comment at the same moment; each attempt is a fresh read and a transaction
// conditioned on what it read.
const moderationAttempts = 5

func (h *Handler) moderateComment(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	var in struct {
		Status broadsheet.CommentStatus `json:"status"`
	}
	if err := apigw.DecodeJSON(req, 4<<10, &in); err != nil {
		return apigw.Response{}, err
	}
	switch in.Status {
	case broadsheet.CommentApproved, broadsheet.CommentRejected, broadsheet.CommentSpam:
	case "":
		return apigw.Response{}, fieldError("status", "is required")
	default:
		return apigw.Response{}, fieldError("status", "must be approved, rejected or spam")
	}
	for attempt := 0; ; attempt++ {
		c, err := h.comment(ctx, req)
		if err != nil {
			return apigw.Response{}, err
		}
		err = h.Comments.Store.SetCommentStatus(ctx, c, in.Status, h.Now().UTC())
		if broadsheet.ErrorCode(err) == broadsheet.CodePreconditionFailed && attempt+1 < moderationAttempts {
			continue
		}
		if err != nil {
			return apigw.Response{}, err
		}
		c.Status = in.Status
		return apigw.JSON(http.StatusOK, CommentViewOf(c)), nil
	}
}

func (h *Handler) deleteComment(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	for attempt := 0; ; attempt++ {
		c, err := h.comment(ctx, req)
		if err != nil {
			return apigw.Response{}, err
		}
		err = h.Comments.Store.DeleteComment(ctx, c)
		if broadsheet.ErrorCode(err) == broadsheet.CodePreconditionFailed && attempt+1 < moderationAttempts {
			continue
		}
		if err != nil {
			return apigw.Response{}, err
		}
		return noContent(), nil
	}
}

// ImportInput is the body of POST /admin/comments, the editor-only import
// route (a contract extension the CLI uses).
type ImportInput struct {
	ArticleID  string `json:"articleId"`
	Name       string `json:"name"`
	Email      string `json:"email"`
	Website    string `json:"website"`
	Body       string `json:"body"`
	CreatedAt  string `json:"createdAt"`
	Status     string `json:"status"`
	ParentID   string `json:"parentId"`
	ExternalID string `json:"externalId"`

	createdAt time.Time
}

// Normalize cleans the input as a submission's, and defaults status to pending.
func (in *ImportInput) Normalize() {
	ci := broadsheet.CommentInput{Name: in.Name, Email: in.Email, Website: in.Website, Body: in.Body, ParentID: in.ParentID}
	ci.Normalize()
	in.Name, in.Email, in.Website, in.Body, in.ParentID = ci.Name, ci.Email, ci.Website, ci.Body, ci.ParentID
	in.ArticleID = strings.TrimSpace(in.ArticleID)
	in.CreatedAt = strings.TrimSpace(in.CreatedAt)
	in.ExternalID = strings.TrimSpace(in.ExternalID)
	in.Status = strings.TrimSpace(in.Status)
	if in.Status == "" {
		in.Status = string(broadsheet.CommentPending)
	}
}

// Validate applies a submission's rules, except that the email is optional
// (old systems did not always keep one), plus the import's own fields.
func (in *ImportInput) Validate(now time.Time) error {
	ci := broadsheet.CommentInput{Name: in.Name, Email: in.Email, Website: in.Website, Body: in.Body, ParentID: in.ParentID}
	f := broadsheet.FieldErrors{}
	ci.Check(f, false)
	if in.ArticleID == "" {
		f.Add("articleId", "is required")
	}
	if in.Status != string(broadsheet.CommentApproved) && in.Status != string(broadsheet.CommentPending) {
		f.Add("status", "must be approved or pending")
	}
	if in.ExternalID != "" && (len(in.ExternalID) > broadsheet.MaxExternalIDLen || !broadsheet.ValidIdempotencyKey(in.ExternalID)) {
		f.Add("externalId", "must be at most 200 printable ASCII characters")
	}
	in.createdAt = now
	if in.CreatedAt != "" {
		t, err := time.Parse(time.RFC3339, in.CreatedAt)
		switch {
		case err != nil:
			f.Add("createdAt", "must be an RFC 3339 time such as 2026-11-27T14:44:26Z")
		case t.Year() < 1970 || t.After(now.Add(time.Hour)):
			f.Add("createdAt", "is out of range")
		default:
			in.createdAt = t.UTC()
		}
	}
	return f.Err()
}

// importComment creates an imported comment: 201, or 200 with the existing
// comment when this externalId was already imported for the article. No
// flood limit and no moderation; an approved import is counted at once.
func (h *Handler) importComment(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	var in ImportInput
	if err := apigw.DecodeJSON(req, broadsheet.MaxCommentRequest, &in); err != nil {
		return apigw.Response{}, err
	}
	now := h.Now().UTC()
	in.Normalize()
	if err := in.Validate(now); err != nil {
		return apigw.Response{}, err
	}
	if !broadsheet.ValidID(in.ArticleID) {
		return apigw.Response{}, broadsheet.Errorf(broadsheet.CodeNotFound, "no such article")
	}
	a, err := h.Articles.ArticleByID(ctx, in.ArticleID)
	if err != nil {
		return apigw.Response{}, err
	}
	c := &broadsheet.Comment{
		ID:        ulid.MustNew(ulid.Timestamp(in.createdAt), rand.Reader).String(),
		ArticleID: a.ID, ArticleSlug: a.Slug, ParentID: in.ParentID,
		Name: in.Name, Email: in.Email, EmailHash: h.Comments.Identity.Email(in.Email), Website: in.Website,
		Body: in.Body, Status: broadsheet.CommentStatus(in.Status), CreatedAt: in.createdAt, ExternalID: in.ExternalID,
	}
	got, created, err := h.Comments.Store.ImportComment(ctx, c)
	if err != nil {
		return apigw.Response{}, err
	}
	if !created {
		return apigw.JSON(http.StatusOK, CommentViewOf(got)), nil
	}
	return apigw.JSON(http.StatusCreated, CommentViewOf(got)), nil
}
