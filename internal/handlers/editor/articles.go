package editor

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"broadsheet/internal/apigw"
	"broadsheet/internal/broadsheet"
	"broadsheet/internal/htmltext"
	"broadsheet/internal/richtext"
)

// maxArticleRequest bounds an article request: the body limit plus room for
// the other fields and JSON escaping.
const maxArticleRequest = 2*broadsheet.MaxBodyBytes + 64<<10

// versionTag is the ETag editors send back in If-Match: the article's version.
func versionTag(a *broadsheet.Article) string { return `"v` + strconv.FormatInt(a.Version, 10) + `"` }

func (h *Handler) editorAnswer(status int, a *broadsheet.Article) apigw.Response {
	r := apigw.JSON(status, apigw.EditorArticleOf(a))
	r.Headers["ETag"] = versionTag(a)
	return r
}

// checkIfMatch enforces optimistic concurrency: the client must name the
// version it read. "*" is refused because it would allow a lost update.
func checkIfMatch(req apigw.Request, current *broadsheet.Article, required bool) error {
	h := strings.TrimSpace(apigw.Header(req, "if-match"))
	if h == "" || h == "*" {
		if !required && h == "" {
			return nil
		}
		return broadsheet.Errorf(broadsheet.CodePreconditionRequired, "send If-Match with the ETag you read from GET /admin/articles/{id}")
	}
	for _, tag := range strings.Split(h, ",") {
		if strings.TrimPrefix(strings.TrimSpace(tag), "W/") == versionTag(current) {
			return nil
		}
	}
	return broadsheet.Errorf(broadsheet.CodePreconditionFailed, "the article changed since you read it (now version %d); fetch it again", current.Version)
}

func decodeArticle(req apigw.Request) (*broadsheet.ArticleInput, error) {
	var in broadsheet.ArticleInput
	if err := apigw.DecodeJSON(req, maxArticleRequest, &in); err != nil {
		return nil, err
	}
	in.Normalize()
	if err := in.Validate(); err != nil {
		return nil, err
	}
	return &in, nil
}

// apply fills a from the editor's input: rendering Markdown once, here, so
// that reads only ever serve stored HTML.
func (h *Handler) apply(a *broadsheet.Article, in *broadsheet.ArticleInput) error {
	html, err := richtext.Markdown(in.Body)
	if err != nil {
		return &broadsheet.Error{Code: broadsheet.CodeValidation, Message: "body could not be rendered", Fields: map[string]string{"body": "could not be rendered"}}
	}
	a.Slug, a.Title, a.Body, a.BodyHTML = in.Slug, in.Title, in.Body, html
	a.Summary = in.Summary
	if a.Summary == "" {
		a.Summary = summarize(htmltext.PlainText(html), 200)
	}
	a.Author, a.Tags, a.Status = in.Author, in.Tags, in.Status
	if in.CommentsOpen != nil {
		a.CommentsOpen = *in.CommentsOpen
	}
	switch {
	case !in.PublishedTime().IsZero():
		a.PublishedAt = in.PublishedTime()
	case a.Status == broadsheet.StatusPublished && a.PublishedAt.IsZero():
		a.PublishedAt = h.Now().UTC()
	}
	return nil
}

// summarize cuts plain text at a word boundary near max runes.
func summarize(text string, max int) string {
	if utf8.RuneCountInString(text) <= max {
		return text
	}
	r := []rune(text)[:max]
	cut := string(r)
	if i := strings.LastIndexByte(cut, ' '); i > max/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,.;:") + "…"
}

func (h *Handler) createArticle(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	in, err := decodeArticle(req)
	if err != nil {
		return apigw.Response{}, err
	}
	now := h.Now().UTC()
	a := &broadsheet.Article{ID: h.NewID(), CreatedAt: now, UpdatedAt: now, Version: 1, CommentsOpen: true}
	if err := h.apply(a, in); err != nil {
		return apigw.Response{}, err
	}
	if err := h.Articles.CreateArticle(ctx, a); err != nil {
		return apigw.Response{}, err
	}
	r := h.editorAnswer(http.StatusCreated, a)
	r.Headers["Location"] = "/admin/articles/" + a.ID
	return r, nil
}

func (h *Handler) listArticles(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	limit, err := apigw.Limit(req, 20, 50)
	if err != nil {
		return apigw.Response{}, err
	}
	out := apigw.List[apigw.EditorArticle]{Items: []apigw.EditorArticle{}}
	if slug, ok := req.QueryStringParameters["slug"]; ok {
		// Exact lookup by slug (used by the CLI to update instead of create).
		if broadsheet.ValidSlug(slug) {
			id, err := h.Articles.ArticleIDBySlug(ctx, slug)
			if err == nil {
				a, err := h.Articles.ArticleByID(ctx, id)
				if err == nil {
					out.Items = append(out.Items, apigw.EditorArticleOf(a))
				} else if broadsheet.ErrorCode(err) != broadsheet.CodeNotFound {
					return apigw.Response{}, err
				}
			} else if broadsheet.ErrorCode(err) != broadsheet.CodeNotFound {
				return apigw.Response{}, err
			}
		}
		return apigw.JSON(http.StatusOK, out), nil
	}
	status := broadsheet.Status(apigw.Query(req, "status"))
	if status != "" && status != broadsheet.StatusDraft && status != broadsheet.StatusPublished {
		return apigw.Response{}, &broadsheet.Error{Code: broadsheet.CodeValidation, Message: "status must be draft or published", Fields: map[string]string{"status": "must be draft or published"}}
	}
	scope := "admin/articles?" + url.Values{"status": {string(status)}}.Encode()
	after, err := apigw.OpenCursor(h.Cursors, req, scope)
	if err != nil {
		return apigw.Response{}, err
	}
	page, err := h.Articles.ArticlesByStatus(ctx, status, limit, after)
	if err != nil {
		return apigw.Response{}, err
	}
	for _, a := range page.Items {
		out.Items = append(out.Items, apigw.EditorArticleOf(a))
	}
	if out.NextCursor, err = apigw.NextCursor(h.Cursors, scope, page.Next); err != nil {
		return apigw.Response{}, err
	}
	return apigw.JSON(http.StatusOK, out), nil
}

// article loads the article named by the {id} path parameter.
func (h *Handler) article(ctx context.Context, req apigw.Request) (*broadsheet.Article, error) {
	id := req.PathParameters["id"]
	if !broadsheet.ValidID(id) {
		return nil, broadsheet.Errorf(broadsheet.CodeNotFound, "no such article")
	}
	return h.Articles.ArticleByID(ctx, id)
}

func (h *Handler) getArticle(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	a, err := h.article(ctx, req)
	if err != nil {
		return apigw.Response{}, err
	}
	r := h.editorAnswer(http.StatusOK, a)
	if apigw.MatchesETag(apigw.Header(req, "if-none-match"), versionTag(a)) {
		r.StatusCode, r.Body = http.StatusNotModified, ""
	}
	return r, nil
}

func (h *Handler) replaceArticle(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	if strings.TrimSpace(apigw.Header(req, "if-match")) == "" {
		return apigw.Response{}, broadsheet.Errorf(broadsheet.CodePreconditionRequired, "send If-Match with the ETag you read from GET /admin/articles/{id}")
	}
	old, err := h.article(ctx, req)
	if err != nil {
		return apigw.Response{}, err
	}
	if err := checkIfMatch(req, old, true); err != nil {
		return apigw.Response{}, err
	}
	in, err := decodeArticle(req)
	if err != nil {
		return apigw.Response{}, err
	}
	a := *old
	a.Version, a.UpdatedAt = old.Version+1, h.Now().UTC()
	if err := h.apply(&a, in); err != nil {
		return apigw.Response{}, err
	}
	// The store conditions the write on old.Version, so a write that raced
	// past the If-Match check above still fails with 412.
	if err := h.Articles.ReplaceArticle(ctx, &a, old); err != nil {
		return apigw.Response{}, err
	}
	return h.editorAnswer(http.StatusOK, &a), nil
}

func (h *Handler) deleteArticle(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	a, err := h.article(ctx, req)
	if err != nil {
		return apigw.Response{}, err
	}
	// If-Match is optional here (a delete loses no edit), but honoured when sent.
	if err := checkIfMatch(req, a, false); err != nil {
		return apigw.Response{}, err
	}
	if err := h.Articles.DeleteArticle(ctx, a); err != nil {
		return apigw.Response{}, err
	}
	return noContent(), nil
}

func noContent() apigw.Response {
	r := apigw.JSON(http.StatusNoContent, nil)
	r.Body = ""
	return r
}
