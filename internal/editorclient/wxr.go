package editorclient

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	"broadsheet/internal/broadsheet"
	"broadsheet/internal/editorclient/htmlmd"
	"broadsheet/internal/htmltext"
)

// WXR is a WordPress eXtended RSS export, as far as imports need it. Element
// names are matched without their namespace (WXR's wp: namespace URI changes
// with the export version), except content:encoded vs excerpt:encoded.
type wxrDoc struct {
	Channel struct {
		Authors []struct {
			Login       string `xml:"author_login"`
			DisplayName string `xml:"author_display_name"`
			FirstName   string `xml:"author_first_name"`
			LastName    string `xml:"author_last_name"`
		} `xml:"author"`
		Items []wxrItem `xml:"item"`
	} `xml:"channel"`
}

type wxrItem struct {
	Title       string       `xml:"title"`
	Link        string       `xml:"link"`
	PubDate     string       `xml:"pubDate"`
	Creator     string       `xml:"creator"`
	Encoded     []wxrEncoded `xml:"encoded"` // content:encoded and excerpt:encoded
	PostID      string       `xml:"post_id"`
	PostName    string       `xml:"post_name"`
	Status      string       `xml:"status"`
	PostType    string       `xml:"post_type"`
	PostDate    string       `xml:"post_date"`
	PostDateGMT string       `xml:"post_date_gmt"`
	CommentOpen string       `xml:"comment_status"`
	// AttachmentURL is an attachment's file (post_type attachment).
	AttachmentURL string `xml:"attachment_url"`
	PostMeta      []struct {
		Key   string `xml:"meta_key"`
		Value string `xml:"meta_value"`
	} `xml:"postmeta"`
	Categories []struct {
		Domain   string `xml:"domain,attr"`
		Nicename string `xml:"nicename,attr"`
		Text     string `xml:",chardata"`
	} `xml:"category"`
	Comments []struct {
		ID          string `xml:"comment_id"`
		Author      string `xml:"comment_author"`
		AuthorEmail string `xml:"comment_author_email"`
		AuthorURL   string `xml:"comment_author_url"`
		Date        string `xml:"comment_date"`
		DateGMT     string `xml:"comment_date_gmt"`
		Content     string `xml:"comment_content"`
		Approved    string `xml:"comment_approved"`
		Type        string `xml:"comment_type"`
		Parent      string `xml:"comment_parent"`
	} `xml:"comment"`
}

type wxrEncoded struct {
	XMLName xml.Name
	Text    string `xml:",chardata"`
}

func (it *wxrItem) encoded(kind string) string {
	for _, e := range it.Encoded {
		space := strings.ToLower(e.XMLName.Space)
		isExcerpt := strings.Contains(space, "excerpt")
		if (kind == "excerpt") == isExcerpt {
			return e.Text
		}
	}
	return ""
}

// ParseWXR reads a WordPress export and turns its posts into import items.
// Pages, attachments and other post types are skipped with a reason, as are
// posts with an empty title or no usable slug, and trashed or auto-draft
// posts. Content HTML is converted to Markdown; comment HTML to plain text.
// Comment external ids are "wp:<post_id>:<comment_id>".
func ParseWXR(r io.Reader) ([]ImportItem, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("reading WordPress export: %w", err)
	}
	// Real exports contain control characters that XML forbids (pasted
	// from word processors) and HTML entities outside CDATA: drop the
	// former, know the latter.
	data = bytes.Map(func(r rune) rune {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' {
			return -1
		}
		return r
	}, data)
	var doc wxrDoc
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Entity = xml.HTMLEntity
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("reading WordPress export: %w", err)
	}
	authors := map[string]string{}
	for _, a := range doc.Channel.Authors {
		name := strings.TrimSpace(a.DisplayName)
		if name == "" {
			name = strings.TrimSpace(a.FirstName + " " + a.LastName)
		}
		if name != "" {
			authors[strings.TrimSpace(a.Login)] = name
		}
	}
	attachments := map[string]wxrItem{}
	for _, w := range doc.Channel.Items {
		if strings.TrimSpace(w.PostType) == "attachment" {
			attachments[strings.TrimSpace(w.PostID)] = w
		}
	}
	var items []ImportItem
	for _, w := range doc.Channel.Items {
		it := wxrToItem(w, authors)
		if it.Skip == "" && it.Fail == "" {
			it.Article.Image, it.Notes = featuredImage(w, attachments)
		}
		items = append(items, it)
	}
	return items, nil
}

func (it *wxrItem) meta(key string) string {
	for _, m := range it.PostMeta {
		if strings.TrimSpace(m.Key) == key {
			return strings.TrimSpace(m.Value)
		}
	}
	return ""
}

// featuredImage maps a post's featured image (the attachment its
// _thumbnail_id names) to the lead image: the attachment's URL, its alt text
// (_wp_attachment_image_alt), and the size and credit WordPress recorded in
// _wp_attachment_metadata. An image Broadsheet would refuse (no alt text, not
// https, not in the export) is left out with a note saying why, so the post
// still imports and nothing is dropped unsaid.
func featuredImage(w wxrItem, attachments map[string]wxrItem) (*broadsheet.ImageInput, []string) {
	id := w.meta("_thumbnail_id")
	if id == "" || id == "0" {
		return nil, nil
	}
	att, ok := attachments[id]
	if !ok || strings.TrimSpace(att.AttachmentURL) == "" {
		return nil, []string{fmt.Sprintf("featured image (attachment %s) is not in the export: imported without an image", id)}
	}
	img := &broadsheet.ImageInput{URL: strings.TrimSpace(att.AttachmentURL), Alt: strings.TrimSpace(html.UnescapeString(att.meta("_wp_attachment_image_alt")))}
	meta := att.meta("_wp_attachment_metadata")
	width, height := phpInt(meta, "width"), phpInt(meta, "height")
	if width > 0 && height > 0 {
		img.Width, img.Height = &width, &height
	}
	img.Credit = strings.TrimSpace(html.UnescapeString(phpString(meta, "credit")))
	check := ArticleInput{Title: "t", Body: "b", Author: Author{Name: "a"}, Image: img}
	check.Normalize()
	var e *broadsheet.Error
	if err := check.Validate(); errors.As(err, &e) {
		for _, field := range []string{"image.url", "image.alt", "image.credit", "image.width", "image.height"} {
			if problem, bad := e.Fields[field]; bad {
				if field == "image.credit" || field == "image.width" || field == "image.height" {
					// The picture is still usable without them.
					img.Credit, img.Width, img.Height = "", nil, nil
					continue
				}
				return nil, []string{fmt.Sprintf("featured image %s: %s %s: imported without an image", img.URL, strings.TrimPrefix(field, "image."), problem)}
			}
		}
	}
	return img, nil
}

// phpKey finds `s:<len>:"key";` in PHP's serialize() output; the first one
// is the top level's (WordPress writes width, height and file before sizes).
func phpKey(serialized, key string) int {
	i := strings.Index(serialized, fmt.Sprintf("s:%d:%q;", len(key), key))
	if i < 0 {
		return -1
	}
	return i + len(fmt.Sprintf("s:%d:%q;", len(key), key))
}

// phpInt reads the integer `i:<n>;` stored under key, 0 when absent.
func phpInt(serialized, key string) int {
	i := phpKey(serialized, key)
	if i < 0 || !strings.HasPrefix(serialized[i:], "i:") {
		return 0
	}
	end := strings.IndexByte(serialized[i:], ';')
	if end < 0 {
		return 0
	}
	n, err := strconv.Atoi(serialized[i+2 : i+end])
	if err != nil {
		return 0
	}
	return n
}

// phpString reads the string `s:<bytes>:"…";` stored under key.
func phpString(serialized, key string) string {
	i := phpKey(serialized, key)
	if i < 0 || !strings.HasPrefix(serialized[i:], "s:") {
		return ""
	}
	colon := strings.IndexByte(serialized[i+2:], ':')
	if colon < 0 {
		return ""
	}
	n, err := strconv.Atoi(serialized[i+2 : i+2+colon])
	start := i + 2 + colon + 2 // past `:"`
	if err != nil || n < 0 || start+n > len(serialized) {
		return ""
	}
	return serialized[start : start+n]
}

func wxrToItem(w wxrItem, authors map[string]string) ImportItem {
	title := strings.TrimSpace(html.UnescapeString(w.Title))
	it := ImportItem{Source: fmt.Sprintf("post %s %q", strings.TrimSpace(w.PostID), title)}
	postType := strings.TrimSpace(w.PostType)
	if postType == "" {
		postType = "post"
	}
	if postType != "post" {
		it.Skip = "not a post (" + postType + ")"
		return it
	}
	var status broadsheet.Status
	switch strings.TrimSpace(w.Status) {
	case "publish":
		status = broadsheet.StatusPublished
	case "draft", "pending", "private", "future":
		status = broadsheet.StatusDraft
	default:
		it.Skip = "status " + strings.TrimSpace(w.Status)
		return it
	}
	if title == "" {
		it.Skip = "empty title"
		return it
	}
	slug := broadsheet.Slugify(wpSlug(w.PostName))
	if slug == "" {
		slug = broadsheet.Slugify(title)
	}
	if id := strings.TrimSpace(w.PostID); slug == "" && broadsheet.ValidSlug("post-"+id) {
		// A title in a script with no Latin transliteration (北京时间) yields
		// no slug; the post id gives a stable one, so re-runs find it again.
		slug = "post-" + id
	}
	if !broadsheet.ValidSlug(slug) {
		it.Skip = "invalid slug"
		return it
	}
	creator := strings.TrimSpace(w.Creator)
	author := authors[creator]
	if author == "" {
		author = creator
	}
	if author == "" {
		author = "Unknown"
	}
	var tags []string
	seen := map[string]bool{}
	for _, c := range w.Categories {
		if c.Domain != "post_tag" && c.Domain != "category" {
			continue
		}
		t := broadsheet.Slugify(wpSlug(c.Nicename))
		if t == "" {
			t = broadsheet.Slugify(html.UnescapeString(c.Text))
		}
		if t == "" || t == "uncategorized" || seen[t] {
			continue
		}
		seen[t] = true
		tags = append(tags, t)
	}
	if len(tags) > broadsheet.MaxTags {
		tags = tags[:broadsheet.MaxTags] // the server takes at most 10: keep the export's first
	}
	it.Article = ArticleInput{
		Title:   title,
		Body:    htmlmd.Convert(w.encoded("content")),
		Summary: htmltext.PlainText(w.encoded("excerpt")),
		Author:  Author{Name: author},
		Tags:    tags,
		Slug:    slug,
		Status:  status,
	}
	if ts := wpTime(w.PostDateGMT, w.PostDate); ts != "" && status == broadsheet.StatusPublished {
		it.Article.PublishedAt = ts
	} else if status == broadsheet.StatusPublished {
		if t, err := time.Parse(time.RFC1123Z, strings.TrimSpace(w.PubDate)); err == nil {
			it.Article.PublishedAt = t.UTC().Format(time.RFC3339)
		}
	}
	if s := strings.TrimSpace(w.CommentOpen); s != "" {
		open := s == "open"
		it.Article.CommentsOpen = &open
	}
	postID := strings.TrimSpace(w.PostID)
	for _, c := range w.Comments {
		id := strings.TrimSpace(c.ID)
		ic := ImportComment{
			ExternalID: "wp:" + postID + ":" + id,
			Name:       strings.TrimSpace(html.UnescapeString(c.Author)),
			Email:      strings.TrimSpace(c.AuthorEmail),
			Website:    webURL(c.AuthorURL),
			Body:       htmlmd.PlainText(c.Content),
			CreatedAt:  wpTime(c.DateGMT, c.Date),
		}
		if p := strings.TrimSpace(c.Parent); p != "" && p != "0" {
			ic.ParentExternalID = "wp:" + postID + ":" + p
		}
		if ic.Name == "" {
			ic.Name = "Anonymous"
		}
		switch strings.TrimSpace(c.Approved) {
		case "1":
			ic.Status = "approved"
		case "0":
			ic.Status = "pending"
		case "spam":
			ic.Status = "spam"
		case "trash", "post-trashed":
			ic.Status = "trash"
		default:
			ic.Status = "unknown status"
		}
		switch t := strings.TrimSpace(c.Type); t {
		case "pingback", "trackback":
			ic.Status = t
		}
		if ic.Status == "approved" && strings.TrimSpace(ic.Body) == "" {
			ic.Status = "empty"
		}
		it.Comments = append(it.Comments, ic)
	}
	return it
}

// wpTime turns WordPress's "2006-01-02 15:04:05" (GMT, or local when the
// GMT one is zero, as it is for drafts) into RFC 3339 UTC.
func wpTime(gmt, local string) string {
	for _, s := range []string{gmt, local} {
		s = strings.TrimSpace(s)
		if s == "" || strings.HasPrefix(s, "0000-00-00") {
			continue
		}
		if t, err := time.Parse(time.DateTime, s); err == nil {
			return t.UTC().Format(time.RFC3339)
		}
	}
	return ""
}

func webURL(s string) string {
	s = strings.TrimSpace(s)
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return s
}

// wpSlug decodes a WordPress slug (post_name, a category's nicename):
// WordPress stores non-ASCII ones percent-encoded ("caf%c3%a9").
func wpSlug(s string) string {
	s = strings.TrimSpace(s)
	if d, err := url.PathUnescape(s); err == nil {
		return d
	}
	return s
}
