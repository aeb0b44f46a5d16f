package editorclient

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"broadsheet/internal/broadsheet"
)

// frontMatter is the YAML header of a Markdown article.
type frontMatter struct {
	Title        string    `yaml:"title"`
	Slug         string    `yaml:"slug"`
	Summary      string    `yaml:"summary"`
	Tags         yaml.Node `yaml:"tags"`
	Author       yaml.Node `yaml:"author"`
	Status       string    `yaml:"status"`
	PublishedAt  yaml.Node `yaml:"publishedAt"`
	CommentsOpen *bool     `yaml:"commentsOpen"`
	Lang         string    `yaml:"lang"`
	Image        yaml.Node `yaml:"image"`
}

var knownKeys = map[string]bool{
	"title": true, "slug": true, "summary": true, "tags": true, "author": true,
	"status": true, "publishedAt": true, "commentsOpen": true, "lang": true, "image": true,
}

// ParseMarkdown reads a Markdown article with a YAML front matter block
// ("---" lines around it) into the create-article shape. Keys: title
// (required), slug (derived from the title when absent), summary, tags (a
// list or a comma-separated string), author (a name, or a map with name and
// bio; required), status (draft|published), publishedAt (RFC 3339, or a
// date), commentsOpen, lang (BCP 47, e.g. ur; the site's language when
// absent), image (a map: url and alt required, credit, width and height;
// the server checks them). Unknown keys come back as warnings.
func ParseMarkdown(data []byte) (in ArticleInput, warnings []string, err error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	if !strings.HasPrefix(text, "---\n") {
		return in, nil, errors.New("no front matter: the file must start with a line \"---\"")
	}
	rest := text[4:]
	var head, body string
	found := false
	for off := 0; off <= len(rest); {
		end := strings.IndexByte(rest[off:], '\n')
		line := ""
		next := len(rest)
		if end < 0 {
			line = rest[off:]
		} else {
			line = rest[off : off+end]
			next = off + end + 1
		}
		if line == "---" || line == "..." {
			head, body, found = rest[:off], rest[min(next, len(rest)):], true
			break
		}
		if end < 0 {
			break
		}
		off = next
	}
	if !found {
		return in, nil, errors.New("front matter is not closed by a line \"---\"")
	}
	var fm frontMatter
	if err := yaml.Unmarshal([]byte(head), &fm); err != nil {
		return in, nil, fmt.Errorf("front matter: %w", err)
	}
	var raw map[string]any
	_ = yaml.Unmarshal([]byte(head), &raw)
	var unknown []string
	for k := range raw {
		if !knownKeys[k] {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		warnings = append(warnings, fmt.Sprintf("unknown front matter key %q ignored", k))
	}

	in.Title = strings.TrimSpace(fm.Title)
	if in.Title == "" {
		return in, warnings, errors.New("front matter: title is required")
	}
	in.Body = strings.TrimLeft(body, "\n")
	if strings.TrimSpace(in.Body) == "" {
		return in, warnings, errors.New("the article has no body")
	}
	in.Summary = strings.TrimSpace(fm.Summary)
	in.CommentsOpen = fm.CommentsOpen
	in.Lang = strings.TrimSpace(fm.Lang)

	switch fm.Author.Kind {
	case 0:
	case yaml.ScalarNode:
		in.Author.Name = strings.TrimSpace(fm.Author.Value)
	case yaml.MappingNode:
		var a struct {
			Name string `yaml:"name"`
			Bio  string `yaml:"bio"`
		}
		if err := fm.Author.Decode(&a); err != nil {
			return in, warnings, fmt.Errorf("front matter: author: %w", err)
		}
		in.Author = Author{Name: strings.TrimSpace(a.Name), Bio: strings.TrimSpace(a.Bio)}
	default:
		return in, warnings, errors.New("front matter: author must be a name or a map with name and bio")
	}
	if in.Author.Name == "" {
		return in, warnings, errors.New("front matter: author (name) is required")
	}

	switch fm.Tags.Kind {
	case 0:
	case yaml.ScalarNode:
		for _, t := range strings.Split(fm.Tags.Value, ",") {
			if t = strings.TrimSpace(t); t != "" {
				in.Tags = append(in.Tags, t)
			}
		}
	case yaml.SequenceNode:
		var ts []string
		if err := fm.Tags.Decode(&ts); err != nil {
			return in, warnings, fmt.Errorf("front matter: tags: %w", err)
		}
		for _, t := range ts {
			if t = strings.TrimSpace(t); t != "" {
				in.Tags = append(in.Tags, t)
			}
		}
	default:
		return in, warnings, errors.New("front matter: tags must be a list")
	}

	in.Tags = broadsheet.NormalizeTags(in.Tags)

	switch s := strings.TrimSpace(fm.Status); s {
	case "", string(broadsheet.StatusDraft), string(broadsheet.StatusPublished):
		in.Status = broadsheet.Status(s)
	default:
		return in, warnings, fmt.Errorf("front matter: status must be draft or published, not %q", s)
	}

	if fm.PublishedAt.Kind == yaml.ScalarNode && fm.PublishedAt.Value != "" {
		v := strings.TrimSpace(fm.PublishedAt.Value)
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			t, err = time.Parse(time.DateOnly, v)
		}
		if err != nil {
			return in, warnings, fmt.Errorf("front matter: publishedAt %q is not an RFC 3339 time", v)
		}
		in.PublishedAt = t.UTC().Format(time.RFC3339)
	}

	switch fm.Image.Kind {
	case 0:
	case yaml.MappingNode:
		var im broadsheet.ImageInput
		if err := fm.Image.Decode(&im); err != nil {
			return in, warnings, fmt.Errorf("front matter: image: %w", err)
		}
		in.Image = &im
	default:
		return in, warnings, errors.New("front matter: image must be a map with url and alt (and optionally credit, width, height)")
	}

	in.Slug = strings.TrimSpace(fm.Slug)
	if in.Slug == "" {
		in.Slug = broadsheet.Slugify(in.Title)
		if in.Slug == "" {
			return in, warnings, errors.New("front matter: the title has no Latin letters to make a slug from: add a slug")
		}
	}
	if !broadsheet.ValidSlug(in.Slug) {
		return in, warnings, fmt.Errorf("invalid slug %q: use lower-case letters, digits and single hyphens, at most %d characters", in.Slug, broadsheet.MaxSlugLen)
	}
	return in, warnings, nil
}
