// Package editor serves the authenticated /admin routes of the Editor
// function: article writes and comment moderation. It is a door: the article
// rules are internal/articles/editing.
package editor

import (
	"context"
	"strings"
	"time"

	"broadsheet/internal/apigw"
	"broadsheet/internal/articles/editing"
	"broadsheet/internal/broadsheet"
	"broadsheet/internal/comments"
	"broadsheet/internal/cursor"
	"broadsheet/internal/dynamo"
	"broadsheet/internal/ses"
)

// ArticleStore is what the editor needs of article storage: what the
// editor's article use cases (internal/articles/editing) use.
type ArticleStore = editing.Store

// Handler serves the routes.
type Handler struct {
	Articles ArticleStore
	Comments Comments
	Cursors  *cursor.Sealer
	Now      func() time.Time
	NewID    func() string
}

// New wires the handler from the function's environment.
func New(ctx context.Context, getenv func(string) string) (func(context.Context, apigw.Request) (apigw.Response, error), error) {
	store, err := dynamo.FromEnv(ctx, getenv)
	if err != nil {
		return nil, err
	}
	h, err := Configure(getenv)
	if err != nil {
		return nil, err
	}
	h.Articles, h.Comments.Store = store, store
	return h.Router().Handle, nil
}

// Configure reads everything but the stores from the environment
// (SIGNING_SECRET), so that tests can wire the handler over another store
// exactly as New wires it over the table.
func Configure(getenv func(string) string) (*Handler, error) {
	cur, err := cursor.FromEnv(getenv)
	if err != nil {
		return nil, err
	}
	identity, err := broadsheet.NewIdentity([]byte(getenv("SIGNING_SECRET")))
	if err != nil {
		return nil, err
	}
	replies, err := repliesFromEnv(getenv)
	if err != nil {
		return nil, err
	}
	return &Handler{Comments: Comments{Identity: identity, Replies: replies,
		SiteURL: strings.TrimRight(getenv("SITE_URL"), "/"), APIURL: strings.TrimRight(getenv("PUBLIC_API_URL"), "/")},
		Cursors: cur, Now: time.Now, NewID: broadsheet.NewID}, nil
}

// Router maps the template's route keys to their code. Every route first
// checks the verified JWT claims: nothing else grants access.
func (h *Handler) Router() apigw.Router {
	return apigw.Router{
		"POST /admin/articles":        authed(h.createArticle),
		"GET /admin/articles":         authed(h.listArticles),
		"GET /admin/articles/{id}":    authed(h.getArticle),
		"PUT /admin/articles/{id}":    authed(h.replaceArticle),
		"DELETE /admin/articles/{id}": authed(h.deleteArticle),
		"GET /admin/comments":         authed(h.listComments),
		"POST /admin/comments":        authed(h.importComment),
		"PATCH /admin/comments/{id}":  authed(h.moderateComment),
		"DELETE /admin/comments/{id}": authed(h.deleteComment),
	}
}

// repliesFromEnv turns reply notifications on for approvals when
// COMMENT_VERIFICATION is on (an opt-in counts only once its email is
// proven) and mail is configured (MAIL_FROM through SES, or MAIL_DIR
// locally), as in the Comments function.
func repliesFromEnv(getenv func(string) string) (*comments.Replies, error) {
	if strings.TrimSpace(getenv("COMMENT_VERIFICATION")) != "on" {
		return nil, nil
	}
	m, err := ses.MailFromEnv(getenv)
	if err != nil || m == nil {
		return nil, err
	}
	return &comments.Replies{Mail: m.Sender, From: m.From, SiteName: m.SiteName}, nil
}

func authed(next apigw.HandlerFunc) apigw.HandlerFunc {
	return func(ctx context.Context, req apigw.Request) (apigw.Response, error) {
		if _, err := apigw.RequireEditor(req); err != nil {
			return apigw.Response{}, err
		}
		return next(ctx, req)
	}
}
