package comments

import (
	"context"
	"crypto/rand"
	"strings"
	"time"

	"github.com/oklog/ulid/v2"

	"broadsheet/internal/broadsheet"
)

// ModerationStore is what an editor's moderation needs of storage.
type ModerationStore interface {
	CommentByID(ctx context.Context, id string) (*broadsheet.Comment, error)
	ApprovedComments(ctx context.Context, articleID string, limit int, after map[string]string) (broadsheet.Page[*broadsheet.Comment], error)
	CommentsByStatus(ctx context.Context, status broadsheet.CommentStatus, limit int, after map[string]string) (broadsheet.Page[*broadsheet.Comment], error)
	SetCommentStatus(ctx context.Context, c *broadsheet.Comment, to broadsheet.CommentStatus, now time.Time) error
	DeleteComment(ctx context.Context, c *broadsheet.Comment) error
	ImportComment(ctx context.Context, c *broadsheet.Comment) (existing *broadsheet.Comment, created bool, err error)
	ClaimWindow(ctx context.Context, key string, now time.Time, window time.Duration) (bool, error)
}

// ArticlesByID is what an import reads of articles.
type ArticlesByID interface {
	ArticleByID(ctx context.Context, id string) (*broadsheet.Article, error)
}

// Moderation is the editor's side. Its answers carry the commenter's email:
// they are for editor routes only.
type Moderation struct {
	Store    ModerationStore
	Articles ArticlesByID
	// Identity turns an imported email into the hash submissions use.
	Identity *broadsheet.Identity
	// Replies mails the parent's author when an approval publishes a
	// reply (best effort, after the commit); nil: never.
	Replies *Replies
	Links   Links
	Now     func() time.Time
}

func fieldError(field, problem string) error {
	return &broadsheet.Error{Code: broadsheet.CodeValidation, Message: field + " " + problem, Fields: map[string]string{field: problem}}
}

// Queue is what GET /admin/comments lists: one moderation queue, or an
// article's approved comments (for imports to find what they already wrote).
type Queue struct {
	Status    broadsheet.CommentStatus // "" means pending, or approved with ArticleID
	ArticleID string
	ByArticle bool // articleId was given, even empty
}

// Check validates q and fills in its default status.
func (q *Queue) Check() error {
	switch {
	case q.Status != "" && !q.Status.Valid():
		return fieldError("status", "must be pending, approved, spam or rejected")
	case q.ByArticle && !broadsheet.ValidID(q.ArticleID):
		return fieldError("articleId", "is not an article id")
	case q.ByArticle && q.Status != "" && q.Status != broadsheet.CommentApproved:
		return fieldError("status", "must be approved (or absent) with articleId")
	case q.Status == "":
		q.Status = broadsheet.CommentPending
	}
	return nil
}

// List reads one page of a checked queue, oldest first.
func (m *Moderation) List(ctx context.Context, q Queue, limit int, after map[string]string) (broadsheet.Page[*broadsheet.Comment], error) {
	if q.ByArticle {
		return m.Store.ApprovedComments(ctx, q.ArticleID, limit, after)
	}
	return m.Store.CommentsByStatus(ctx, q.Status, limit, after)
}

// moderationAttempts bounds re-reads when another editor moderates the same
// comment at the same moment; each attempt is a fresh read and a write
// conditioned on what it read.
const moderationAttempts = 5

func (m *Moderation) comment(ctx context.Context, id string) (*broadsheet.Comment, error) {
	if !broadsheet.ValidID(id) {
		return nil, broadsheet.Errorf(broadsheet.CodeNotFound, "no such comment")
	}
	return m.Store.CommentByID(ctx, id)
}

// SetStatus approves, rejects or marks as spam the comment id, and returns it
// as it now stands.
func (m *Moderation) SetStatus(ctx context.Context, id string, to broadsheet.CommentStatus) (*broadsheet.Comment, error) {
	switch to {
	case broadsheet.CommentApproved, broadsheet.CommentRejected, broadsheet.CommentSpam:
	case "":
		return nil, fieldError("status", "is required")
	default:
		return nil, fieldError("status", "must be approved, rejected or spam")
	}
	for attempt := 0; ; attempt++ {
		c, err := m.comment(ctx, id)
		if err != nil {
			return nil, err
		}
		now := m.Now().UTC()
		err = m.Store.SetCommentStatus(ctx, c, to, now)
		if broadsheet.ErrorCode(err) == broadsheet.CodePreconditionFailed && attempt+1 < moderationAttempts {
			continue
		}
		if err != nil {
			return nil, err
		}
		published := to == broadsheet.CommentApproved && c.Status != broadsheet.CommentApproved
		c.Status = to
		if published {
			m.Replies.Published(ctx, m.Store, m.Identity, c, nil, m.Links, now)
		}
		return c, nil
	}
}

// Delete removes the comment id, whatever its status.
func (m *Moderation) Delete(ctx context.Context, id string) error {
	for attempt := 0; ; attempt++ {
		c, err := m.comment(ctx, id)
		if err != nil {
			return err
		}
		err = m.Store.DeleteComment(ctx, c)
		if broadsheet.ErrorCode(err) == broadsheet.CodePreconditionFailed && attempt+1 < moderationAttempts {
			continue
		}
		return err
	}
}

// Import is the body of POST /admin/comments, the editor-only import route.
type Import struct {
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
func (in *Import) Normalize() {
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
func (in *Import) Validate(now time.Time) error {
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

// Import stores an imported comment, or returns the one this externalId
// already imported for the article (created=false). No flood limit and no
// moderation; an approved import is counted at once. The id's time is the
// comment's, so imported history sorts where it happened.
func (m *Moderation) Import(ctx context.Context, in Import) (c *broadsheet.Comment, created bool, err error) {
	in.Normalize()
	if err := in.Validate(m.Now().UTC()); err != nil {
		return nil, false, err
	}
	if !broadsheet.ValidID(in.ArticleID) {
		return nil, false, articleNotFound()
	}
	a, err := m.Articles.ArticleByID(ctx, in.ArticleID)
	if err != nil {
		return nil, false, err
	}
	c = &broadsheet.Comment{
		ID:        ulid.MustNew(ulid.Timestamp(in.createdAt), rand.Reader).String(),
		ArticleID: a.ID, ArticleSlug: a.Slug, ParentID: in.ParentID,
		Name: in.Name, Email: in.Email, EmailHash: m.Identity.Email(in.Email), Website: in.Website,
		Body: in.Body, Status: broadsheet.CommentStatus(in.Status), CreatedAt: in.createdAt, ExternalID: in.ExternalID,
	}
	return m.Store.ImportComment(ctx, c)
}
