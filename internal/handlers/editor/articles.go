package editor

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"broadsheet/internal/apigw"
	"broadsheet/internal/articles/editing"
	"broadsheet/internal/broadsheet"
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
	return &in, nil
}

// articles is the editing use case over the handler's store, clock and ids.
func (h *Handler) articles() *editing.Editor {
	return &editing.Editor{Store: h.Articles, Now: h.Now, NewID: h.NewID}
}

func (h *Handler) createArticle(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	in, err := decodeArticle(req)
	if err != nil {
		return apigw.Response{}, err
	}
	a, err := h.articles().Create(ctx, in)
	if err != nil {
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
		a, err := h.articles().BySlug(ctx, slug)
		if err != nil {
			return apigw.Response{}, err
		}
		if a != nil {
			out.Items = append(out.Items, apigw.EditorArticleOf(a))
		}
		return apigw.JSON(http.StatusOK, out), nil
	}
	status, err := editing.ListStatus(apigw.Query(req, "status"))
	if err != nil {
		return apigw.Response{}, err
	}
	scope := "admin/articles?" + url.Values{"status": {string(status)}}.Encode()
	after, err := apigw.OpenCursor(h.Cursors, req, scope)
	if err != nil {
		return apigw.Response{}, err
	}
	page, err := h.articles().List(ctx, status, limit, after)
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

func (h *Handler) getArticle(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	a, err := h.articles().Article(ctx, req.PathParameters["id"])
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
	uc := h.articles()
	old, err := uc.Article(ctx, req.PathParameters["id"])
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
	a, err := uc.Replace(ctx, old, in)
	if err != nil {
		return apigw.Response{}, err
	}
	return h.editorAnswer(http.StatusOK, a), nil
}

func (h *Handler) deleteArticle(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	uc := h.articles()
	a, err := uc.Article(ctx, req.PathParameters["id"])
	if err != nil {
		return apigw.Response{}, err
	}
	// If-Match is optional here (a delete loses no edit), but honoured when sent.
	if err := checkIfMatch(req, a, false); err != nil {
		return apigw.Response{}, err
	}
	if err := uc.Delete(ctx, a); err != nil {
		return apigw.Response{}, err
	}
	return noContent(), nil
}

func noContent() apigw.Response {
	r := apigw.JSON(http.StatusNoContent, nil)
	r.Body = ""
	return r
}
