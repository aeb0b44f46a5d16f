package editorclient

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Author is an article's author.
type Author struct {
	Name string `json:"name"`
	Bio  string `json:"bio,omitempty"`
}

// ArticleInput is the body of POST /admin/articles and PUT /admin/articles/{id}.
// CommentsOpen is an extension of the contract: omitted when nil.
type ArticleInput struct {
	Title        string   `json:"title"`
	Body         string   `json:"body"`
	Summary      string   `json:"summary,omitempty"`
	Author       Author   `json:"author"`
	Tags         []string `json:"tags"`
	Slug         string   `json:"slug,omitempty"`
	Status       string   `json:"status,omitempty"`
	PublishedAt  string   `json:"publishedAt,omitempty"`
	CommentsOpen *bool    `json:"commentsOpen,omitempty"`
}

// Article is an article as the editor routes return it. Body and Version are
// only present on single-article reads and writes; ETag comes from the
// response header.
type Article struct {
	ID           string   `json:"id"`
	Slug         string   `json:"slug"`
	Title        string   `json:"title"`
	Summary      string   `json:"summary,omitempty"`
	Author       Author   `json:"author"`
	Tags         []string `json:"tags,omitempty"`
	Status       string   `json:"status,omitempty"`
	PublishedAt  string   `json:"publishedAt,omitempty"`
	UpdatedAt    string   `json:"updatedAt,omitempty"`
	CommentCount int      `json:"commentCount,omitempty"`
	Body         string   `json:"body,omitempty"`
	BodyHTML     string   `json:"bodyHtml,omitempty"`
	Version      Version  `json:"version,omitempty"`
	CommentsOpen *bool    `json:"commentsOpen,omitempty"`

	ETag string `json:"-"`
}

// Version is an article's version, which a server may send as a number or a
// string; it is kept as its text.
type Version string

// UnmarshalJSON accepts a JSON string or number.
func (v *Version) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		*v = ""
		return nil
	}
	if b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*v = Version(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("version: %w", err)
	}
	*v = Version(n.String())
	return nil
}

// ArticlePage is one page of GET /admin/articles.
type ArticlePage struct {
	Items      []Article `json:"items"`
	NextCursor string    `json:"nextCursor"`
}

// Comment is a comment as the editor routes return it. Email is private: it
// is never part of String(), so printing a Comment with %v does not leak it.
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
type CommentPage struct {
	Items      []Comment `json:"items"`
	NextCursor string    `json:"nextCursor"`
}

// CommentInput is the body of POST /admin/comments, an editor-only extension
// of the contract used by imports.
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
