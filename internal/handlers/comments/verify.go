package comments

import (
	"bytes"
	"context"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"sync"

	"broadsheet/internal/apigw"
	"broadsheet/internal/broadsheet"
	"broadsheet/internal/comments"
)

// VerifyPath is the route a verification mail links to.
const VerifyPath = "/comments/verify"

func (h *Handler) apiURL(req apigw.Request) string {
	if h.APIURL != "" {
		return h.APIURL
	}
	return apigw.BaseURL(req)
}

func (h *Handler) siteURL(req apigw.Request) string {
	if h.SiteURL != "" {
		return h.SiteURL
	}
	return apigw.BaseURL(req)
}

// verifyPage answers the link in the mail with a page and one button.
// Opening the link changes nothing: mail scanners and link previews fetch
// every URL in a message, and must not verify on the reader's behalf.
func (h *Handler) verifyPage(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	token := apigw.Query(req, "token")
	if _, err := comments.OpenLink(h.Identity, token, h.Now().UTC()); err != nil {
		return page(http.StatusBadRequest, pageData{Title: "This link does not work", Message: broadsheetMessage(err), Home: h.siteURL(req) + "/"}), nil
	}
	return page(http.StatusOK, pageData{
		Title:   "Confirm your comment",
		Message: "Press the button to confirm that this is your email address. Your address is never shown to anyone.",
		Action:  h.apiURL(req) + VerifyPath, Token: token, Home: h.siteURL(req) + "/",
	}), nil
}

// verify is the button: POST /comments/verify with token (a form).
func (h *Handler) verify(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	home := h.siteURL(req) + "/"
	body, err := apigw.Body(req)
	if err != nil || len(body) > 4096 {
		return page(http.StatusBadRequest, pageData{Title: "This link does not work", Message: "The form was not sent whole; open the link from the email again.", Home: home}), nil
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		form = url.Values{}
	}
	token := form.Get("token")
	if token == "" {
		token = apigw.Query(req, "token")
	}
	res, err := h.public(req).Confirm(ctx, token)
	if err != nil {
		if code := broadsheet.ErrorCode(err); code == broadsheet.CodeBadRequest {
			return page(http.StatusBadRequest, pageData{Title: "This link does not work", Message: broadsheetMessage(err), Home: home}), nil
		}
		return apigw.Response{}, err
	}
	d := pageData{Home: home}
	if res.Slug != "" && broadsheet.ValidSlug(res.Slug) {
		d.Article = h.siteURL(req) + "/a/" + url.PathEscape(res.Slug) + "#comments"
	}
	switch res.Outcome {
	case comments.Published:
		emitCount(ctx, "CommentsVerified")
		d.Title, d.Message = "Thank you: your comment is published", "Your email address is confirmed, and your comments from this device will appear without waiting."
	case comments.AwaitsEditor:
		emitCount(ctx, "CommentsVerified")
		d.Title, d.Message = "Thank you: your address is confirmed", "Your comment will appear once an editor has read it."
	case comments.Verified:
		d.Title, d.Message = "Thank you: your address is confirmed", "An editor has already decided on this comment."
	case comments.AlreadyUsed:
		d.Title, d.Message = "This link was already used", "Your email address is confirmed; there is nothing more to do."
	default:
		d.Title, d.Message = "This comment no longer exists", "It was deleted before the link was followed."
	}
	return page(http.StatusOK, d), nil
}

func broadsheetMessage(err error) string {
	var be *broadsheet.Error
	if !errors.As(err, &be) {
		return "The link could not be checked."
	}
	return be.Message
}

type pageData struct {
	Title, Message string
	Action, Token  string // the confirm form, when there is one
	Button         string // its label ("Confirm my comment" when empty)
	Article, Home  string
}

// pageTemplate is parsed on the first verification page, not at init: the
// comment routes that run on most cold starts never render it.
var pageTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("verify").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><meta name="referrer" content="no-referrer"><title>{{.Title}}</title>
<style>body{font:1.1rem/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#111;background:#fff}
button{font:inherit;padding:.6rem 1.2rem;border:0;border-radius:.3rem;background:#1a4d8f;color:#fff;cursor:pointer}
button:focus-visible,a:focus-visible{outline:3px solid #f5b400;outline-offset:2px}a{color:#1a4d8f}</style></head>
<body><main><h1>{{.Title}}</h1><p>{{.Message}}</p>
{{if .Action}}<form method="post" action="{{.Action}}"><input type="hidden" name="token" value="{{.Token}}"><button type="submit">{{if .Button}}{{.Button}}{{else}}Confirm my comment{{end}}</button></form>{{end}}
<p>{{if .Article}}<a href="{{.Article}}">Back to the article</a> · {{end}}<a href="{{.Home}}">Latest articles</a></p></main></body></html>
`))
})

// page renders a verification page; never cached, never framed.
func page(status int, d pageData) apigw.Response {
	var b bytes.Buffer
	_ = pageTemplate().Execute(&b, d)
	return apigw.Response{StatusCode: status, Body: b.String(), Headers: map[string]string{
		"Content-Type":            "text/html; charset=utf-8",
		"X-Content-Type-Options":  "nosniff",
		"Cache-Control":           "no-store",
		"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' https: http:; frame-ancestors 'none'; base-uri 'none'",
		"Referrer-Policy":         "no-referrer",
	}}
}
