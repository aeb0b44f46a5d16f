package apigw

import (
	"time"

	"broadsheet/internal/broadsheet"
)

// ArticleSummary is the contract's ArticleSummary shape.
type ArticleSummary struct {
	ID           string     `json:"id"`
	Slug         string     `json:"slug"`
	Title        string     `json:"title"`
	Summary      string     `json:"summary"`
	Author       AuthorName `json:"author"`
	Tags         []string   `json:"tags"`
	PublishedAt  *time.Time `json:"publishedAt"`
	CommentCount int64      `json:"commentCount"`
	Image        *Image     `json:"image,omitempty"` // the lead image; absent when none
}

// Image is the contract's Image: an article's lead image, referenced by URL.
type Image struct {
	URL    string `json:"url"`
	Alt    string `json:"alt"`
	Credit string `json:"credit,omitempty"`
	Width  int    `json:"width,omitempty"`
	Height int    `json:"height,omitempty"`
}

func imageOf(im *broadsheet.Image) *Image {
	if im == nil {
		return nil
	}
	return &Image{URL: im.URL, Alt: im.Alt, Credit: im.Credit, Width: im.Width, Height: im.Height}
}

// AuthorName is the author as lists show it.
type AuthorName struct {
	Name string `json:"name"`
}

// Article is the contract's Article shape: a summary plus body and bio.
type Article struct {
	ID           string            `json:"id"`
	Slug         string            `json:"slug"`
	Title        string            `json:"title"`
	Summary      string            `json:"summary"`
	Author       broadsheet.Author `json:"author"`
	Tags         []string          `json:"tags"`
	PublishedAt  *time.Time        `json:"publishedAt"`
	UpdatedAt    time.Time         `json:"updatedAt"`
	CommentCount int64             `json:"commentCount"`
	BodyHTML     string            `json:"bodyHtml"`
	Lang         string            `json:"lang,omitempty"`  // BCP 47; absent: the site's language
	Image        *Image            `json:"image,omitempty"` // the lead image; absent when none
}

// EditorArticle adds what editors need: the Markdown body, status, version
// and the comment switch.
type EditorArticle struct {
	Article
	Body         string    `json:"body"`
	Status       string    `json:"status"`
	Version      int64     `json:"version"`
	CommentsOpen bool      `json:"commentsOpen"`
	CreatedAt    time.Time `json:"createdAt"`
}

// List is the contract's cursor-paginated list.
type List[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"nextCursor"`
}

func utcPtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC().Truncate(time.Second)
	return &u
}

func tags(t []string) []string {
	if t == nil {
		return []string{}
	}
	return t
}

// SummaryOf renders an article as the public summary.
func SummaryOf(a *broadsheet.Article) ArticleSummary {
	return ArticleSummary{
		ID: a.ID, Slug: a.Slug, Title: a.Title, Summary: a.Summary,
		Author: AuthorName{Name: a.Author.Name}, Tags: tags(a.Tags),
		PublishedAt: utcPtr(a.PublishedAt), CommentCount: a.CommentCount, Image: imageOf(a.Image),
	}
}

// ArticleOf renders an article as the public full article.
func ArticleOf(a *broadsheet.Article) Article {
	return Article{
		ID: a.ID, Slug: a.Slug, Title: a.Title, Summary: a.Summary, Author: a.Author, Tags: tags(a.Tags),
		PublishedAt: utcPtr(a.PublishedAt), UpdatedAt: a.UpdatedAt.UTC().Truncate(time.Second),
		CommentCount: a.CommentCount, BodyHTML: a.BodyHTML, Lang: a.Lang, Image: imageOf(a.Image),
	}
}

// EditorArticleOf renders an article for editors.
func EditorArticleOf(a *broadsheet.Article) EditorArticle {
	return EditorArticle{
		Article: ArticleOf(a), Body: a.Body, Status: string(a.Status), Version: a.Version,
		CommentsOpen: a.CommentsOpen, CreatedAt: a.CreatedAt.UTC().Truncate(time.Second),
	}
}
