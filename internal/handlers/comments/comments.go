// Package comments serves the public comment routes of the Comments
// function: GET and POST /articles/{slug}/comments.
//
// The rules are internal/comments; this package is the door: it decodes the
// event, calls the use case, encodes the answer and emits the metrics.
// A submission costs two round trips to DynamoDB: round 1 reads, in
// parallel, the article (by slug), the commenter's approved record, the
// parent comment (for a reply) and the stored answer (with an
// Idempotency-Key); round 2 is one TransactWriteItems that stores the comment
// with its dedupe, flood, idempotency and count writes, all or nothing.
package comments

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"broadsheet/internal/apigw"
	"broadsheet/internal/broadsheet"
	"broadsheet/internal/comments"
	"broadsheet/internal/cursor"
	"broadsheet/internal/dynamo"
	"broadsheet/internal/ses"
	"broadsheet/internal/telemetry"
)

// CacheControl is shorter than for articles: a new approved comment should
// show within seconds, yet a busy thread still costs one read per edge per
// ten seconds.
const CacheControl = "public, max-age=10, stale-while-revalidate=60"

// DefaultFlood is the flood window when COMMENT_FLOOD_SECONDS is unset.
const DefaultFlood = 15 * time.Second

// Store is what the handler needs of storage.
type Store = comments.SubmitStore

// Handler serves the routes.
type Handler struct {
	Store      Store
	Cursors    *cursor.Sealer
	Identity   *broadsheet.Identity
	Moderation broadsheet.Moderation
	Flood      time.Duration // 0 disables the flood limit
	// OriginSecret is the edge's X-Origin-Verify value (EDGE_ORIGIN_SECRET):
	// requests carrying it are read for CloudFront's viewer address.
	OriginSecret string
	// Verification holds unverified commenters' comments and mails their
	// links (COMMENT_VERIFICATION=on); nil when off.
	Verification *comments.Verification
	// Replies mails opted-in authors of replies (on with verification:
	// an opt-in counts only once the email is proven); nil when off.
	Replies *comments.Replies
	// Forgetting is "forget me" (on whenever mail is configured).
	Forgetting *comments.Forgetting
	// SiteURL and APIURL are the public bases for links in mail and on the
	// verification pages (SITE_URL, PUBLIC_API_URL); empty: the request's.
	SiteURL, APIURL string
	Now             func() time.Time
	NewID           func() string
}

// New wires the handler from the function's environment: TABLE_NAME,
// SIGNING_SECRET, COMMENT_MODERATION, COMMENT_FLOOD_SECONDS and EDGE_ORIGIN_SECRET.
func New(ctx context.Context, getenv func(string) string) (func(context.Context, apigw.Request) (apigw.Response, error), error) {
	store, err := dynamo.FromEnv(ctx, getenv)
	if err != nil {
		return nil, err
	}
	h, err := Configure(getenv)
	if err != nil {
		return nil, err
	}
	h.Store = store
	return h.Router().Handle, nil
}

// Configure reads everything but the store from the environment.
func Configure(getenv func(string) string) (*Handler, error) {
	cur, err := cursor.FromEnv(getenv)
	if err != nil {
		return nil, err
	}
	id, err := broadsheet.NewIdentity([]byte(getenv("SIGNING_SECRET")))
	if err != nil {
		return nil, err
	}
	mod, err := broadsheet.ParseModeration(getenv("COMMENT_MODERATION"))
	if err != nil {
		return nil, err
	}
	flood := DefaultFlood
	if v := strings.TrimSpace(getenv("COMMENT_FLOOD_SECONDS")); v != "" {
		secs, err := strconv.Atoi(v)
		if err != nil || secs < 0 || secs > 86400 {
			return nil, fmt.Errorf("COMMENT_FLOOD_SECONDS must be a whole number of seconds from 0 to 86400, not %q", v)
		}
		flood = time.Duration(secs) * time.Second
	}
	ver, err := verificationFromEnv(getenv)
	if err != nil {
		return nil, err
	}
	replies, forgetting, err := readerMailFromEnv(getenv, ver)
	if err != nil {
		return nil, err
	}
	return &Handler{Cursors: cur, Identity: id, Moderation: mod, Flood: flood, OriginSecret: getenv("EDGE_ORIGIN_SECRET"),
		Verification: ver, Replies: replies, Forgetting: forgetting, SiteURL: strings.TrimRight(getenv("SITE_URL"), "/"), APIURL: strings.TrimRight(getenv("PUBLIC_API_URL"), "/"),
		Now: time.Now, NewID: broadsheet.NewID}, nil
}

// verificationFromEnv reads COMMENT_VERIFICATION (on | off, default off),
// and where mail goes: MAIL_DIR (the local runtime's .eml sink) or Amazon
// SES from MAIL_FROM (an SES-verified sender) with SES_CONFIGURATION_SET.
func verificationFromEnv(getenv func(string) string) (*comments.Verification, error) {
	switch v := strings.TrimSpace(getenv("COMMENT_VERIFICATION")); v {
	case "", "off":
		return nil, nil
	case "on":
	default:
		return nil, fmt.Errorf("COMMENT_VERIFICATION must be on or off, not %q", v)
	}
	m, err := ses.MailFromEnv(getenv)
	if err != nil {
		return nil, err
	}
	if m == nil {
		return nil, errors.New("COMMENT_VERIFICATION is on but MAIL_FROM is empty: set the MailFrom parameter to an SES-verified sender, or CommentVerification to off")
	}
	return &comments.Verification{Mail: m.Sender, From: m.From, SiteName: m.SiteName}, nil
}

// readerMailFromEnv wires reply notifications and "forget me" (which
// needs only mail).
func readerMailFromEnv(getenv func(string) string, ver *comments.Verification) (*comments.Replies, *comments.Forgetting, error) {
	m, err := ses.MailFromEnv(getenv)
	if err != nil || m == nil {
		return nil, nil, err
	}
	forgetting := &comments.Forgetting{Mail: m.Sender, From: m.From, SiteName: m.SiteName}
	if ver == nil {
		return nil, forgetting, nil
	}
	return &comments.Replies{Mail: m.Sender, From: m.From, SiteName: m.SiteName}, forgetting, nil
}

// Router maps the template's route keys to their code.
func (h *Handler) Router() apigw.Router {
	return apigw.Router{
		"GET /articles/{slug}/comments":  h.list,
		"POST /articles/{slug}/comments": counted(h.post),
		"GET /comments/verify":           h.verifyPage,
		"POST /comments/verify":          h.verify,
		"POST /comments/forget":          h.forgetRequest,
		"GET /comments/forget/confirm":   h.forgetPage,
		"POST /comments/forget/confirm":  h.forget,
		"GET /comments/unsubscribe":      h.unsubscribePage,
		"POST /comments/unsubscribe":     h.unsubscribe,
	}
}

// counted emits one CloudWatch EMF metric per refused submission, by reason,
// so that floods and spam waves show on a dashboard. Accepted ones are
// counted by post itself, which knows how they were stored.
func counted(next apigw.HandlerFunc) apigw.HandlerFunc {
	return func(ctx context.Context, req apigw.Request) (apigw.Response, error) {
		resp, err := next(ctx, req)
		if err != nil {
			switch broadsheet.ErrorCode(err) {
			case broadsheet.CodeRateLimited:
				emitCount(ctx, "CommentsRateLimited")
			case broadsheet.CodeDuplicateComment:
				emitCount(ctx, "CommentsDuplicate")
			case broadsheet.CodeUnavailable, broadsheet.CodeInternal:
				emitCount(ctx, "CommentsFailed")
			default:
				emitCount(ctx, "CommentsRejected")
			}
		}
		return resp, err
	}
}

// emitCount writes one count metric; metrics never carry personal data.
func emitCount(ctx context.Context, name string) {
	_ = telemetry.Emit(ctx, metricsNamespace, map[string]string{"Function": "Comments"},
		map[string]float64{name: 1}, map[string]telemetry.Unit{name: telemetry.Count})
}

const metricsNamespace = "Broadsheet"

// View is the contract's public Comment: never the email.
type View struct {
	ID        string    `json:"id"`
	ParentID  string    `json:"parentId,omitempty"`
	Name      string    `json:"name"`
	Website   string    `json:"website,omitempty"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"createdAt"`
}

// Created is the 201 answer: the comment and whether it waits for moderation.
type Created struct {
	View
	Status broadsheet.CommentStatus `json:"status"`
}

// ViewOf renders a comment for readers.
func ViewOf(c *broadsheet.Comment) View {
	return View{
		ID: c.ID, ParentID: c.ParentID, Name: c.Name, Website: c.Website, Body: c.Body,
		CreatedAt: c.CreatedAt.UTC().Truncate(time.Second),
	}
}

// public is the use case over the handler's store, policy and clock, with
// the request's bases for links in mail.
func (h *Handler) public(req apigw.Request) *comments.Public {
	return &comments.Public{Store: h.Store, Identity: h.Identity, Moderation: h.Moderation, Flood: h.Flood,
		Verification: h.Verification, Replies: h.Replies, Forgetting: h.Forgetting,
		Links: comments.Links{Site: h.siteURL(req), API: h.apiURL(req)}, Now: h.Now, NewID: h.NewID}
}

// list answers approved comments oldest first: two round trips (the article
// by slug, then one Query on gsi1).
func (h *Handler) list(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	slug := req.PathParameters["slug"]
	if !broadsheet.ValidSlug(slug) {
		return apigw.Response{}, broadsheet.Errorf(broadsheet.CodeNotFound, "no such article")
	}
	limit, err := apigw.Limit(req, 20, 50)
	if err != nil {
		return apigw.Response{}, err
	}
	uc := h.public(req)
	a, err := uc.VisibleArticle(ctx, slug)
	if err != nil {
		return apigw.Response{}, err
	}
	scope := "comments?articleId=" + a.ID
	after, err := apigw.OpenCursor(h.Cursors, req, scope)
	if err != nil {
		return apigw.Response{}, err
	}
	page, err := uc.Approved(ctx, a, limit, after)
	if err != nil {
		return apigw.Response{}, err
	}
	out := apigw.List[View]{Items: make([]View, 0, len(page.Items))}
	for _, c := range page.Items {
		out.Items = append(out.Items, ViewOf(c))
	}
	if out.NextCursor, err = apigw.NextCursor(h.Cursors, scope, page.Next); err != nil {
		return apigw.Response{}, err
	}
	return apigw.Cacheable(req, out, CacheControl), nil
}

// render is the 201 body a submission stores and answers: the public view,
// never the email.
func render(c *broadsheet.Comment, answered broadsheet.CommentStatus) (string, error) {
	body, err := apigw.Marshal(Created{View: ViewOf(c), Status: answered})
	return string(body), err
}

// post decodes a submission, runs the rules (internal/comments) and answers
// 201, or replays the first answer to a retried Idempotency-Key.
func (h *Handler) post(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	slug := req.PathParameters["slug"]
	if !broadsheet.ValidSlug(slug) {
		return apigw.Response{}, broadsheet.Errorf(broadsheet.CodeNotFound, "no such article")
	}
	s := comments.Submission{Slug: slug, IdempotencyKey: apigw.Header(req, "idempotency-key"), ClientIP: apigw.ClientIP(req, h.OriginSecret),
		VerifyURL: h.apiURL(req) + VerifyPath}
	if err := apigw.DecodeJSON(req, broadsheet.MaxCommentRequest, &s.Input); err != nil {
		return apigw.Response{}, err
	}
	res, err := h.public(req).Submit(ctx, s, render)
	if err != nil {
		return apigw.Response{}, err
	}
	switch res.Outcome {
	case comments.Replayed:
		return replay(&res.Answer), nil
	case comments.Accepted:
		emitCount(ctx, "CommentsAccepted")
	case comments.Spam:
		emitCount(ctx, "CommentsSpam")
	default:
		emitCount(ctx, "CommentsPending")
	}
	return answer(res.Answer.Status, res.Answer.Body), nil
}

func answer(status int, body string) apigw.Response {
	return apigw.Response{StatusCode: status, Headers: map[string]string{
		"Content-Type":           "application/json; charset=utf-8",
		"X-Content-Type-Options": "nosniff",
		"Cache-Control":          "no-store",
	}, Body: body}
}

// replay answers a retried request exactly as the first was answered.
func replay(a *broadsheet.StoredAnswer) apigw.Response {
	r := answer(a.Status, a.Body)
	r.Headers["Idempotent-Replayed"] = "true"
	return r
}
