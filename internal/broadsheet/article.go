package broadsheet

import (
	"context"
	"fmt"
	"golang.org/x/text/language"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Status is an article's publication state. A published article with a future
// PublishedAt is scheduled: invisible to readers until then.
type Status string

const (
	StatusDraft     Status = "draft"
	StatusPublished Status = "published"
)

// Author is who wrote an article, as shown to readers.
type Author struct {
	Name string `json:"name"`
	Bio  string `json:"bio,omitempty"`
}

// Article is the unit of publishing.
type Article struct {
	ID           string
	Slug         string
	Title        string
	Summary      string
	Body         string // Markdown, as the editor wrote it
	BodyHTML     string // rendered and sanitised once, on write
	Author       Author
	Tags         []string
	Status       Status
	PublishedAt  time.Time // zero for drafts that never had a date
	CreatedAt    time.Time
	UpdatedAt    time.Time
	Version      int64
	CommentsOpen bool
	CommentCount int64
	// Lang is the article's BCP 47 language tag ("ur", "en-GB"); "" means
	// the site's language.
	Lang string
	// Image is the lead image; nil when the article has none.
	Image *Image
}

// VisibleAt reports whether readers may see the article at time now.
func (a *Article) VisibleAt(now time.Time) bool {
	return a.Status == StatusPublished && !a.PublishedAt.IsZero() && !a.PublishedAt.After(now)
}

// Limits on article fields.
const (
	MaxTitleRunes   = 300
	MaxSummaryRunes = 1000
	MaxBodyBytes    = 200_000
	MaxAuthorRunes  = 100
	MaxBioRunes     = 2000
	MaxTags         = 10
	MaxTagRunes     = 50
)

// ArticleInput is what an editor sends to create or replace an article.
type ArticleInput struct {
	Title        string   `json:"title"`
	Body         string   `json:"body"`
	Summary      string   `json:"summary"`
	Author       Author   `json:"author"`
	Tags         []string `json:"tags"`
	Slug         string   `json:"slug"`
	Status       Status   `json:"status,omitempty"` // "" is never sent: absent means draft
	PublishedAt  string   `json:"publishedAt"`      // RFC 3339; parsed by Validate
	CommentsOpen *bool    `json:"commentsOpen"`
	Lang         string   `json:"lang"` // BCP 47; "" for the site's language
	// Image is the lead image; absent or null means none (a PUT replaces the
	// whole article, so leaving it out of a PUT removes the image).
	Image *ImageInput `json:"image"`

	publishedAt  time.Time
	unusableTags []string // tags with no letters or digits: refused, never dropped
}

// LeadImage is the validated image, nil when none was given.
func (in *ArticleInput) LeadImage() *Image { return in.Image.image() }

// PublishedTime is the validated publishedAt, zero when none was given.
func (in *ArticleInput) PublishedTime() time.Time { return in.publishedAt }

// CleanMarkdown is how an article's Markdown body is stored: NFC, without the white
// space around it. Nothing inside is touched: two trailing spaces are a
// Markdown line break, so a client deciding whether its body changed
// compares with this, not a looser rule of its own.
func CleanMarkdown(s string) string { return strings.TrimSpace(norm.NFC.String(s)) }

// Normalize trims and NFC-normalises text fields, lower-cases tags and fills defaults.
func (in *ArticleInput) Normalize() {
	in.Title = CleanText(in.Title)
	in.Summary = CleanText(in.Summary)
	in.Body = CleanMarkdown(in.Body)
	in.Author.Name = CleanText(in.Author.Name)
	in.Author.Bio = CleanText(in.Author.Bio)
	in.Slug = strings.TrimSpace(in.Slug)
	in.PublishedAt = strings.TrimSpace(in.PublishedAt)
	in.Lang = strings.TrimSpace(in.Lang)
	if in.Image != nil {
		in.Image.normalize()
	}
	if in.Status == "" {
		in.Status = StatusDraft
	}
	in.unusableTags = nil
	for _, t := range in.Tags {
		if Slugify(t) == "" {
			in.unusableTags = append(in.unusableTags, t)
		}
	}
	in.Tags = NormalizeTags(in.Tags)
	if in.Slug == "" {
		in.Slug = Slugify(in.Title)
	}
}

// Validate checks a normalised input. Every problem is reported by field.
func (in *ArticleInput) Validate() error {
	f := FieldErrors{}
	checkText(f, "title", in.Title, true, MaxTitleRunes)
	checkText(f, "summary", in.Summary, false, MaxSummaryRunes)
	checkText(f, "author.name", in.Author.Name, true, MaxAuthorRunes)
	checkText(f, "author.bio", in.Author.Bio, false, MaxBioRunes)
	switch {
	case in.Body == "":
		f.Add("body", "is required")
	case !utf8.ValidString(in.Body):
		f.Add("body", "must be valid UTF-8")
	case len(in.Body) > MaxBodyBytes:
		f.Add("body", "is too long")
	case strings.ContainsRune(in.Body, 0):
		f.Add("body", "must not contain NUL characters")
	}
	if !ValidSlug(in.Slug) {
		f.Add("slug", "must be lower-case letters, digits and single hyphens, at most 120 characters")
	}
	if in.Status != StatusDraft && in.Status != StatusPublished {
		f.Add("status", "must be draft or published")
	}
	if len(in.Tags) > MaxTags {
		f.Add("tags", "at most 10 tags")
	}
	for _, t := range in.Tags {
		if utf8.RuneCountInString(t) > MaxTagRunes {
			f.Add("tags", "a tag is too long")
		}
	}
	if in.Lang != "" {
		tag, err := language.Parse(in.Lang)
		if err != nil || len(in.Lang) > 35 {
			f.Add("lang", "must be a BCP 47 language tag such as en, ur or pt-BR")
		} else {
			in.Lang = tag.String() // canonical: "EN-gb" → "en-GB"
		}
	}
	if in.Image != nil {
		in.Image.validate(f)
	}
	if len(in.unusableTags) > 0 {
		f.Add("tags", fmt.Sprintf("%q has no letters or digits to make a tag of", in.unusableTags[0]))
	}
	if in.PublishedAt != "" {
		t, err := time.Parse(time.RFC3339, in.PublishedAt)
		switch {
		case err != nil:
			f.Add("publishedAt", "must be an RFC 3339 time such as 2026-11-27T14:44:26Z")
		case t.Year() < 1970 || t.Year() > 9999:
			f.Add("publishedAt", "is out of range")
		default:
			in.publishedAt = t.UTC()
		}
	}
	return f.Err()
}

// CleanText NFC-normalises and trims a single-line text field.
func CleanText(s string) string { return strings.TrimSpace(norm.NFC.String(s)) }

// checkText validates a plain-text field: presence, length, and no control characters.
func checkText(f FieldErrors, field, s string, required bool, maxRunes int) {
	switch {
	case s == "" && required:
		f.Add(field, "is required")
	case !utf8.ValidString(s):
		f.Add(field, "must be valid UTF-8")
	case utf8.RuneCountInString(s) > maxRunes:
		f.Add(field, "is too long")
	case hasControl(s, false):
		f.Add(field, "must not contain control characters")
	}
}

// hasControl reports control characters (NUL included); newlines and tabs are
// allowed where multiline is true.
func hasControl(s string, multiline bool) bool {
	for _, r := range s {
		if multiline && (r == '\n' || r == '\t' || r == '\r') {
			continue
		}
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return true
		}
	}
	return false
}

func sortedKeys[M ~map[string]V, V any](m M) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// ArticleFilter selects published articles for readers.
type ArticleFilter struct {
	Tag    string
	Author string
}

// Page is one page of a cursor-paginated list. Next is the store's opaque
// position; the transport layer seals it into a tamper-evident cursor.
type Page[T any] struct {
	Items []T
	Next  map[string]string
}

// ArticleStore keeps articles. Implementations must enforce slug uniqueness and
// versions atomically (conditional writes), never by reading first.
type ArticleStore interface {
	CreateArticle(ctx context.Context, a *Article) error
	// ReplaceArticle stores a over the version expectVersion; it fails with
	// CodePreconditionFailed if the stored version differs.
	ReplaceArticle(ctx context.Context, a *Article, old *Article) error
	DeleteArticle(ctx context.Context, a *Article) error
	ArticleByID(ctx context.Context, id string) (*Article, error)
	ArticleBySlug(ctx context.Context, slug string) (*Article, error)
	// PublishedArticles lists visible articles newest first (PublishedAt ≤ now).
	PublishedArticles(ctx context.Context, f ArticleFilter, now time.Time, limit int, after map[string]string) (Page[*Article], error)
	// ArticlesByStatus lists every article for editors, newest first; status "" means all.
	ArticlesByStatus(ctx context.Context, status Status, limit int, after map[string]string) (Page[*Article], error)
}
