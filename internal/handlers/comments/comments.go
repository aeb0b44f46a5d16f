// Package comments serves the public comment routes of the Comments
// function: GET and POST /articles/{slug}/comments.
//
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
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"broadsheet/internal/apigw"
	"broadsheet/internal/broadsheet"
	"broadsheet/internal/cursor"
	"broadsheet/internal/dynamo"
	"broadsheet/internal/telemetry"
)

// CacheControl is shorter than for articles: a new approved comment should
// show within seconds, yet a busy thread still costs one read per edge per
// ten seconds.
const CacheControl = "public, max-age=10, stale-while-revalidate=60"

// DefaultFlood is the flood window when COMMENT_FLOOD_SECONDS is unset.
const DefaultFlood = 15 * time.Second

// Store is what the handler needs of storage.
type Store interface {
	ArticleBySlug(ctx context.Context, slug string) (*broadsheet.Article, error)
	CommentByID(ctx context.Context, id string) (*broadsheet.Comment, error)
	CommenterApproved(ctx context.Context, emailHash string) (bool, error)
	IdempotentAnswer(ctx context.Context, key string, now time.Time) (*broadsheet.StoredAnswer, error)
	ApprovedComments(ctx context.Context, articleID string, limit int, after map[string]string) (broadsheet.Page[*broadsheet.Comment], error)
	SubmitComment(ctx context.Context, s *broadsheet.Submission) error
}

// Handler serves the routes.
type Handler struct {
	Store      Store
	Cursors    *cursor.Sealer
	Identity   *broadsheet.Identity
	Moderation broadsheet.Moderation
	Flood      time.Duration // 0 disables the flood limit
	Now        func() time.Time
	NewID      func() string
}

// New wires the handler from the function's environment: TABLE_NAME,
// SIGNING_SECRET, COMMENT_MODERATION and COMMENT_FLOOD_SECONDS.
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
	return &Handler{Cursors: cur, Identity: id, Moderation: mod, Flood: flood, Now: time.Now, NewID: broadsheet.NewID}, nil
}

// Router maps the template's route keys to their code.
func (h *Handler) Router() apigw.Router {
	return apigw.Router{
		"GET /articles/{slug}/comments":  h.list,
		"POST /articles/{slug}/comments": counted(h.post),
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

func notFound() error { return broadsheet.Errorf(broadsheet.CodeNotFound, "no such article") }

// visibleArticle resolves a slug to an article readers may see.
func (h *Handler) visibleArticle(ctx context.Context, slug string) (*broadsheet.Article, error) {
	a, err := h.Store.ArticleBySlug(ctx, slug)
	if err != nil {
		return nil, err
	}
	if !a.VisibleAt(h.Now()) {
		return nil, notFound()
	}
	return a, nil
}

// list answers approved comments oldest first: two round trips (the article
// by slug, then one Query on gsi1).
func (h *Handler) list(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	slug := req.PathParameters["slug"]
	if !broadsheet.ValidSlug(slug) {
		return apigw.Response{}, notFound()
	}
	limit, err := apigw.Limit(req, 20, 50)
	if err != nil {
		return apigw.Response{}, err
	}
	a, err := h.visibleArticle(ctx, slug)
	if err != nil {
		return apigw.Response{}, err
	}
	scope := "comments?articleId=" + a.ID
	after, err := apigw.OpenCursor(h.Cursors, req, scope)
	if err != nil {
		return apigw.Response{}, err
	}
	page, err := h.Store.ApprovedComments(ctx, a.ID, limit, after)
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

// round1 is what a submission reads before it writes, all in parallel.
type round1 struct {
	article      *broadsheet.Article
	articleErr   error
	returning    bool
	returningErr error
	parent       *broadsheet.Comment
	parentErr    error
	answer       *broadsheet.StoredAnswer
	answerErr    error
}

func (h *Handler) read(ctx context.Context, slug, emailHash, parentID, idemKey string, now time.Time) *round1 {
	var r round1
	var wg sync.WaitGroup
	wg.Go(func() { r.article, r.articleErr = h.Store.ArticleBySlug(ctx, slug) })
	wg.Go(func() { r.returning, r.returningErr = h.Store.CommenterApproved(ctx, emailHash) })
	if parentID != "" {
		wg.Go(func() { r.parent, r.parentErr = h.Store.CommentByID(ctx, parentID) })
	}
	if idemKey != "" {
		wg.Go(func() { r.answer, r.answerErr = h.Store.IdempotentAnswer(ctx, idemKey, now) })
	}
	wg.Wait()
	return &r
}

func parentInvalid() error {
	return &broadsheet.Error{
		Code: broadsheet.CodeValidation, Message: "parentId does not name an approved comment on this article",
		Fields: map[string]string{"parentId": "does not name an approved comment on this article"},
	}
}

func (h *Handler) post(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	slug := req.PathParameters["slug"]
	if !broadsheet.ValidSlug(slug) {
		return apigw.Response{}, notFound()
	}
	var in broadsheet.CommentInput
	if err := apigw.DecodeJSON(req, broadsheet.MaxCommentRequest, &in); err != nil {
		return apigw.Response{}, err
	}
	idemHeader := apigw.Header(req, "idempotency-key")
	if idemHeader != "" && !broadsheet.ValidIdempotencyKey(idemHeader) {
		return apigw.Response{}, broadsheet.Errorf(broadsheet.CodeBadRequest, "the Idempotency-Key header must be 1 to 200 printable ASCII characters")
	}
	in.Normalize()
	if err := in.Validate(); err != nil {
		return apigw.Response{}, err
	}
	now := h.Now().UTC()
	emailHash := h.Identity.Email(in.Email)
	idemKey := ""
	if idemHeader != "" {
		idemKey = h.Identity.IdempotencyKey(slug, idemHeader)
	}

	r := h.read(ctx, slug, emailHash, in.ParentID, idemKey, now)
	if r.answerErr != nil {
		return apigw.Response{}, r.answerErr
	}
	if r.answer != nil {
		return replay(r.answer), nil
	}
	if r.articleErr != nil {
		return apigw.Response{}, r.articleErr
	}
	a := r.article
	if !a.VisibleAt(now) {
		return apigw.Response{}, notFound()
	}
	if !a.CommentsOpen {
		return apigw.Response{}, broadsheet.Errorf(broadsheet.CodeCommentsClosed, "comments are closed on this article")
	}
	if r.returningErr != nil {
		return apigw.Response{}, r.returningErr
	}
	if in.ParentID != "" {
		switch {
		case broadsheet.ErrorCode(r.parentErr) == broadsheet.CodeNotFound:
			return apigw.Response{}, parentInvalid()
		case r.parentErr != nil:
			return apigw.Response{}, r.parentErr
		case r.parent.ArticleID != a.ID || r.parent.Status != broadsheet.CommentApproved:
			return apigw.Response{}, parentInvalid()
		}
	}

	stored, answered := h.Moderation.Decide(broadsheet.ModerationFacts{
		Honeypot: in.Honeypot(), Links: broadsheet.CountLinks(in.Body), Returning: r.returning,
	})
	c := &broadsheet.Comment{
		ID: h.NewID(), ArticleID: a.ID, ArticleSlug: a.Slug, ParentID: in.ParentID,
		Name: in.Name, Email: in.Email, EmailHash: emailHash, Website: in.Website, Body: in.Body,
		Status: stored, CreatedAt: now,
	}
	body, err := apigw.Marshal(Created{View: ViewOf(c), Status: answered})
	if err != nil {
		return apigw.Response{}, err
	}
	sub := &broadsheet.Submission{
		Comment: c, Now: now, FloodWindow: h.Flood,
		FloodKeys:      []string{"email#" + emailHash},
		IdempotencyKey: idemKey,
		Answer:         broadsheet.StoredAnswer{Status: http.StatusCreated, Body: string(body), CommentID: c.ID},
		NewCommenter:   stored == broadsheet.CommentApproved && !r.returning,
	}
	if ip := req.RequestContext.HTTP.SourceIP; ip != "" {
		sub.FloodKeys = append([]string{"ip#" + h.Identity.ClientAddress(ip)}, sub.FloodKeys...)
	}
	err = h.Store.SubmitComment(ctx, sub)
	if errors.Is(err, broadsheet.ErrIdempotencyRace) {
		// A concurrent request with the same key won: answer what it answered.
		ans, err := h.Store.IdempotentAnswer(ctx, idemKey, now)
		if err != nil {
			return apigw.Response{}, err
		}
		if ans == nil {
			return apigw.Response{}, &broadsheet.Error{Code: broadsheet.CodeUnavailable, Message: "the service is briefly unavailable; please retry", RetryAfter: time.Second}
		}
		return replay(ans), nil
	}
	if err != nil {
		return apigw.Response{}, err
	}
	switch stored {
	case broadsheet.CommentApproved:
		emitCount(ctx, "CommentsAccepted")
	case broadsheet.CommentSpam:
		emitCount(ctx, "CommentsSpam")
	default:
		emitCount(ctx, "CommentsPending")
	}
	return answer(http.StatusCreated, string(body)), nil
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
