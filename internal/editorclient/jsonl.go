package editorclient

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"broadsheet/internal/broadsheet"
)

// jsonlLine is one line of a JSON Lines import: the create-article shape of
// the contract plus an optional comments array.
type jsonlLine struct {
	Title        string                 `json:"title"`
	Body         string                 `json:"body"`
	Summary      string                 `json:"summary"`
	Author       flexAuthor             `json:"author"`
	Tags         []string               `json:"tags"`
	Slug         string                 `json:"slug"`
	Status       string                 `json:"status"`
	PublishedAt  string                 `json:"publishedAt"`
	CommentsOpen *bool                  `json:"commentsOpen"`
	Lang         string                 `json:"lang"`
	Image        *broadsheet.ImageInput `json:"image"`
	Comments     []jsonlComment         `json:"comments"`
}

// jsonlComment is a comment of a JSON Lines import. ParentID (or
// parentExternalId) names the externalId of another comment in the same line.
type jsonlComment struct {
	ExternalID       string `json:"externalId"`
	ID               string `json:"id"`
	ParentID         string `json:"parentId"`
	ParentExternalID string `json:"parentExternalId"`
	Name             string `json:"name"`
	Email            string `json:"email"`
	Website          string `json:"website"`
	Body             string `json:"body"`
	CreatedAt        string `json:"createdAt"`
	Status           string `json:"status"`
}

// flexAuthor accepts {"name","bio"} or a plain "Name".
type flexAuthor Author

func (a *flexAuthor) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*a = flexAuthor{Name: s}
		return nil
	}
	var v Author
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*a = flexAuthor(v)
	return nil
}

// ParseJSONL reads one article per line. Blank lines and lines starting with
// "#" are ignored. A line that does not parse becomes an item with Fail set;
// an empty title or unusable slug, one with Skip set. A comment without an
// externalId gets one derived from the slug and its name, time and body, so
// re-running stays idempotent.
func ParseJSONL(r io.Reader) ([]ImportItem, error) {
	var items []ImportItem
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	lineNo := 0
	for sc.Scan() {
		lineNo++
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		it := ImportItem{Source: fmt.Sprintf("line %d", lineNo)}
		var l jsonlLine
		if err := json.Unmarshal(line, &l); err != nil {
			it.Fail = "invalid JSON: " + err.Error()
			items = append(items, it)
			continue
		}
		title := strings.TrimSpace(l.Title)
		if title != "" {
			it.Source = fmt.Sprintf("line %d %q", lineNo, title)
		}
		slug := strings.TrimSpace(l.Slug)
		switch {
		case title == "":
			it.Skip = "empty title"
		case slug == "":
			slug = broadsheet.Slugify(title)
			if slug == "" {
				it.Skip = "no slug given, and the title has no Latin letters to make one from"
			}
		case !broadsheet.ValidSlug(slug):
			it.Skip = "invalid slug"
		}
		if it.Skip != "" {
			items = append(items, it)
			continue
		}
		it.Article = ArticleInput{
			Title:        title,
			Body:         l.Body,
			Summary:      l.Summary,
			Author:       Author(l.Author),
			Tags:         broadsheet.NormalizeTags(l.Tags),
			Slug:         slug,
			Status:       broadsheet.Status(l.Status),
			PublishedAt:  l.PublishedAt,
			CommentsOpen: l.CommentsOpen,
			Lang:         l.Lang,
			Image:        l.Image,
		}
		for _, c := range l.Comments {
			ext := firstNonEmpty(c.ExternalID, c.ID)
			if ext == "" {
				h := sha256.Sum256([]byte(c.Name + "\x00" + c.CreatedAt + "\x00" + c.Body))
				ext = "jsonl:" + slug + ":" + hex.EncodeToString(h[:8])
			}
			it.Comments = append(it.Comments, ImportComment{
				ExternalID:       ext,
				ParentExternalID: firstNonEmpty(c.ParentExternalID, c.ParentID),
				Name:             c.Name,
				Email:            c.Email,
				Website:          c.Website,
				Body:             c.Body,
				CreatedAt:        c.CreatedAt,
				Status:           firstNonEmpty(c.Status, "approved"),
			})
		}
		items = append(items, it)
	}
	if err := sc.Err(); err != nil {
		return items, fmt.Errorf("reading line %d: %w", lineNo+1, err)
	}
	return items, nil
}
