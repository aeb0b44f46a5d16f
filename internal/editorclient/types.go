package editorclient

import (
	"fmt"

	"broadsheet/internal/apigw"
	"broadsheet/internal/broadsheet"
)

// Author is an article's author, as the domain defines it.
type Author = broadsheet.Author

// ArticleInput is the body of POST /admin/articles and PUT
// /admin/articles/{id}: the very type the editor API decodes, so the two
// cannot disagree on a field. Empty fields are filled in by the server
// (slug from the title, status draft, summary from the body).
type ArticleInput = broadsheet.ArticleInput

// Article is an article as the editor routes return it (the server's own
// view type), plus the ETag from the response header.
type Article struct {
	apigw.EditorArticle
	ETag string `json:"-"`
}

// ArticlePage is one page of GET /admin/articles.
type ArticlePage = apigw.List[Article]

// Comment is a comment as the editor routes return it (the fields of the
// editor handler's CommentView; TestWireTypesMatchTheServer keeps them in
// step). Email is private: it is never part of String(), so printing a
// Comment with %v does not leak it.
type Comment struct {
	ID          string `json:"id"`
	ParentID    string `json:"parentId,omitempty"`
	ArticleID   string `json:"articleId,omitempty"`
	ArticleSlug string `json:"articleSlug,omitempty"`
	Name        string `json:"name"`
	Email       string `json:"email,omitempty"`
	Website     string `json:"website,omitempty"`
	Body        string `json:"body"`
	CreatedAt   string `json:"createdAt,omitempty"`
	Status      string `json:"status,omitempty"`
	ExternalID  string `json:"externalId,omitempty"`
}

// String describes c without its email.
func (c Comment) String() string {
	return fmt.Sprintf("comment %s on %s by %q (%s)", c.ID, firstNonEmpty(c.ArticleSlug, c.ArticleID), c.Name, c.Status)
}

// GoString keeps %#v from printing the email too.
func (c Comment) GoString() string { return c.String() }

// CommentPage is one page of GET /admin/comments.
type CommentPage = apigw.List[Comment]

// CommentInput is the body of POST /admin/comments, an editor-only extension
// of the contract used by imports (the editor handler's ImportInput, kept in
// step by TestWireTypesMatchTheServer).
type CommentInput struct {
	ArticleID  string `json:"articleId"`
	Name       string `json:"name"`
	Email      string `json:"email,omitempty"`
	Website    string `json:"website,omitempty"`
	Body       string `json:"body"`
	CreatedAt  string `json:"createdAt,omitempty"`
	Status     string `json:"status"`
	ParentID   string `json:"parentId,omitempty"`
	ExternalID string `json:"externalId,omitempty"`
}

// String describes c without its email.
func (c CommentInput) String() string {
	return fmt.Sprintf("comment %s on %s by %q", c.ExternalID, c.ArticleID, c.Name)
}

// GoString keeps %#v from printing the email too.
func (c CommentInput) GoString() string { return c.String() }

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
