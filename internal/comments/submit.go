// Package comments holds the comment use cases as plain Go over narrow store
// interfaces: a reader's submission and the approved list (the public
// routes), and an editor's moderation (queue, import, status, delete). The
// Lambda doors in internal/handlers decode events, call these and encode
// the answers; every rule lives here or in internal/broadsheet.
package comments

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"sync"
	"time"

	"broadsheet/internal/broadsheet"
)

// Articles is what the comment rules read of articles.
type Articles interface {
	ArticleBySlug(ctx context.Context, slug string) (*broadsheet.Article, error)
}

// SubmitStore is what a submission needs of storage.
type SubmitStore interface {
	Articles
	CommentByID(ctx context.Context, id string) (*broadsheet.Comment, error)
	CommenterApproved(ctx context.Context, emailHash string) (bool, error)
	IdempotentAnswer(ctx context.Context, key string, now time.Time) (*broadsheet.StoredAnswer, error)
	ApprovedComments(ctx context.Context, articleID string, limit int, after map[string]string) (broadsheet.Page[*broadsheet.Comment], error)
	SubmitComment(ctx context.Context, s *broadsheet.Submission) error
	CommenterTrusted(ctx context.Context, emailHash, address string, now time.Time) (bool, error)
	TrustCommenter(ctx context.Context, emailHash, address string, now time.Time) (bool, error)
	ClaimWindow(ctx context.Context, key string, now time.Time, window time.Duration) (bool, error)
	SetCommentStatus(ctx context.Context, c *broadsheet.Comment, to broadsheet.CommentStatus, now time.Time) error
	SetReplyNotify(ctx context.Context, commentID string, to broadsheet.ReplyNotify) error
	CommenterHasComments(ctx context.Context, emailHash string) (bool, error)
	ForgetCommenter(ctx context.Context, emailHash string) (int, error)
}

// Public is the readers' side: submissions and the approved list.
type Public struct {
	Store      SubmitStore
	Identity   *broadsheet.Identity
	Moderation broadsheet.Moderation
	Flood      time.Duration // 0 disables the flood limit
	// Verification, when set, holds every comment from an (email, client
	// address) pair not yet verified and mails its link (verify.go).
	Verification *Verification
	// Replies mails opted-in authors when a reply is published
	// (replies.go); nil: never.
	Replies *Replies
	// Forgetting is "forget me" (forget.go); nil when no mail is sent.
	Forgetting *Forgetting
	// Links are the public bases for links in mail.
	Links Links
	Now   func() time.Time
	NewID func() string
}

// Submission is one reader's request as the door decoded it.
type Submission struct {
	Slug           string
	Input          broadsheet.CommentInput
	IdempotencyKey string // the header as sent; "" when absent
	ClientIP       string // "" when unknown: no address flood key
	// VerifyURL is the absolute URL of the verification route, for the
	// link a held comment's email carries.
	VerifyURL string
}

// Outcome says how a submission ended, for metrics. Refusals are errors.
type Outcome string

const (
	Accepted Outcome = "accepted" // stored approved
	Pending  Outcome = "pending"  // stored waiting for an editor
	Spam     Outcome = "spam"     // stored as spam, answered as pending
	Replayed Outcome = "replayed" // a retry answered with the first answer
)

// Render turns the stored comment and the status the submitter is told into
// the answer body. The door owns the wire format; the store keeps the body so
// that a retry is answered byte for byte.
type Render func(c *broadsheet.Comment, answered broadsheet.CommentStatus) (string, error)

// Submitted is a submission's answer.
type Submitted struct {
	Answer  broadsheet.StoredAnswer
	Outcome Outcome
}

func articleNotFound() error { return broadsheet.Errorf(broadsheet.CodeNotFound, "no such article") }

func parentInvalid() error {
	return &broadsheet.Error{
		Code: broadsheet.CodeValidation, Message: "parentId does not name an approved comment on this article",
		Fields: map[string]string{"parentId": "does not name an approved comment on this article"},
	}
}

// Submit applies the submission rules: a valid idempotency key and input; a
// stored answer is replayed; the article is visible with comments open; a
// reply's parent is an approved comment of the same article; the moderation
// policy decides the status; then one atomic store write with the dedupe,
// flood (client address and email) and idempotency claims.
func (p *Public) Submit(ctx context.Context, s Submission, render Render) (*Submitted, error) {
	if !broadsheet.ValidSlug(s.Slug) {
		return nil, articleNotFound()
	}
	if s.IdempotencyKey != "" && !broadsheet.ValidIdempotencyKey(s.IdempotencyKey) {
		return nil, broadsheet.Errorf(broadsheet.CodeBadRequest, "the Idempotency-Key header must be 1 to 200 printable ASCII characters")
	}
	in := s.Input
	in.Normalize()
	if err := in.Validate(); err != nil {
		return nil, err
	}
	now := p.Now().UTC()
	emailHash := p.Identity.Email(in.Email)
	idemKey := ""
	if s.IdempotencyKey != "" {
		idemKey = p.Identity.IdempotencyKey(s.Slug, s.IdempotencyKey)
	}

	address := addressKey(p.Identity, s.ClientIP)
	r := p.read(ctx, s.Slug, emailHash, address, in.ParentID, idemKey, now)
	if r.answerErr != nil {
		return nil, r.answerErr
	}
	fingerprint := RequestFingerprint(s.Slug, in)
	if r.answer != nil {
		return replay(r.answer, fingerprint)
	}
	if r.articleErr != nil {
		return nil, r.articleErr
	}
	a := r.article
	if !a.VisibleAt(now) {
		return nil, articleNotFound()
	}
	if !a.CommentsOpen {
		return nil, broadsheet.Errorf(broadsheet.CodeCommentsClosed, "comments are closed on this article")
	}
	if r.returningErr != nil {
		return nil, r.returningErr
	}
	if r.trustedErr != nil {
		return nil, r.trustedErr
	}
	if in.ParentID != "" {
		switch {
		case broadsheet.ErrorCode(r.parentErr) == broadsheet.CodeNotFound:
			return nil, parentInvalid()
		case r.parentErr != nil:
			return nil, r.parentErr
		case r.parent.ArticleID != a.ID || r.parent.Status != broadsheet.CommentApproved:
			return nil, parentInvalid()
		}
	}

	// Without verification every returning email is trusted, as before;
	// with it, only from an address its owner verified.
	verified := p.Verification == nil || r.trusted
	stored, answered := p.Moderation.Decide(broadsheet.ModerationFacts{
		Honeypot: in.Honeypot(), Links: broadsheet.CountLinks(in.Body), Returning: r.returning && verified,
	})
	if !verified && stored == broadsheet.CommentApproved {
		// Held until the link is followed; the answer is the same pending
		// whether or not the email is known.
		stored, answered = broadsheet.CommentPending, broadsheet.CommentPending
	}
	c := &broadsheet.Comment{
		ID: p.NewID(), ArticleID: a.ID, ArticleSlug: a.Slug, ParentID: in.ParentID,
		Name: in.Name, Email: in.Email, EmailHash: emailHash, Website: in.Website, Body: in.Body,
		Status: stored, CreatedAt: now, Notify: optIn(in.NotifyReplies, stored, p.Verification != nil && r.trusted),
	}
	body, err := render(c, answered)
	if err != nil {
		return nil, err
	}
	floodKeys := FloodKeys(p.Identity, s.ClientIP, emailHash)
	if stored == broadsheet.CommentSpam {
		// A honeypot post must not lock out the email it names: anyone can
		// type a known commenter's address. Only the poster's address closes.
		floodKeys = FloodKeys(p.Identity, s.ClientIP, "")
	}
	sub := &broadsheet.Submission{
		Comment: c, Now: now, FloodWindow: p.Flood,
		FloodKeys:      floodKeys,
		IdempotencyKey: idemKey,
		Answer:         broadsheet.StoredAnswer{Status: http.StatusCreated, Body: body, CommentID: c.ID, Fingerprint: fingerprint},
		NewCommenter:   stored == broadsheet.CommentApproved && !r.returning,
	}
	mailLink := !verified && stored == broadsheet.CommentPending
	err = p.Store.SubmitComment(ctx, sub)
	if errors.Is(err, broadsheet.ErrIdempotencyRace) {
		// A concurrent request with the same key won: answer what it answered.
		ans, err := p.Store.IdempotentAnswer(ctx, idemKey, now)
		if err != nil {
			return nil, err
		}
		if ans == nil {
			return nil, &broadsheet.Error{Code: broadsheet.CodeUnavailable, Message: "the service is briefly unavailable; please retry", RetryAfter: time.Second}
		}
		return replay(ans, fingerprint)
	}
	if err != nil {
		return nil, err
	}
	if mailLink {
		p.Verification.mailLink(ctx, p.Store, p.Identity, c, address, s.VerifyURL, now)
	}
	if stored == broadsheet.CommentApproved {
		p.Replies.Published(ctx, p.Store, p.Identity, c, r.parent, p.Links, now)
	}
	return &Submitted{Answer: sub.Answer, Outcome: outcomeOf(stored)}, nil
}

// optIn is the stored state of a "notify me of replies" request: on at
// once only from a verified (email, address) pair; otherwise requested,
// until the verification link proves the email (Confirm). Spam asks for
// nothing.
func optIn(asked bool, stored broadsheet.CommentStatus, verifiedPair bool) broadsheet.ReplyNotify {
	switch {
	case !asked || stored == broadsheet.CommentSpam:
		return broadsheet.NotifyNone
	case verifiedPair:
		return broadsheet.NotifyOn
	}
	return broadsheet.NotifyRequested
}

func outcomeOf(stored broadsheet.CommentStatus) Outcome {
	switch stored {
	case broadsheet.CommentApproved:
		return Accepted
	case broadsheet.CommentSpam:
		return Spam
	}
	return Pending
}

// FloodKeys are the identities a submission's flood window closes: the
// client address (when known) first, then the email (when given), both
// pseudonymous. Stores decide the address's window before anything else, so
// a refusal never depends on whose email was typed.
func FloodKeys(id *broadsheet.Identity, clientIP, emailHash string) []string {
	var keys []string
	if clientIP != "" {
		keys = append(keys, broadsheet.FloodKeyAddress+id.ClientAddress(clientIP))
	}
	if emailHash != "" {
		keys = append(keys, broadsheet.FloodKeyEmail+emailHash)
	}
	return keys
}

// RequestFingerprint binds an Idempotency-Key to the request it came with
// (draft-ietf-httpapi-idempotency-key-header): the article and the
// normalised fields, hashed. The client address is left out on purpose: a
// phone that retries after moving from Wi-Fi to mobile data is the same
// request. The same key with anything else is refused rather than answered
// with another request's answer.
func RequestFingerprint(slug string, in broadsheet.CommentInput) string {
	h := sha256.New()
	for _, part := range []string{slug, in.Name, broadsheet.CanonicalMailbox(in.Email), in.Website, in.Body, in.ParentID} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	if in.NotifyReplies {
		// Only when asked, so fingerprints stored before the opt-in
		// existed still match their requests.
		h.Write([]byte("notifyReplies\x00"))
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// replay answers a retry with its first answer, if it is the same request.
// Answers stored before fingerprints existed carry none and are replayed.
func replay(ans *broadsheet.StoredAnswer, fingerprint string) (*Submitted, error) {
	if ans.Fingerprint != "" && ans.Fingerprint != fingerprint {
		return nil, broadsheet.Errorf(broadsheet.CodeIdempotencyMismatch,
			"this Idempotency-Key was already used for a different comment; send a new key with a new comment")
	}
	return &Submitted{Answer: *ans, Outcome: Replayed}, nil
}

// reads is what a submission reads before it writes, all in parallel: one
// round trip.
type reads struct {
	article      *broadsheet.Article
	articleErr   error
	returning    bool
	returningErr error
	trusted      bool
	trustedErr   error
	parent       *broadsheet.Comment
	parentErr    error
	answer       *broadsheet.StoredAnswer
	answerErr    error
}

func (p *Public) read(ctx context.Context, slug, emailHash, address, parentID, idemKey string, now time.Time) *reads {
	var r reads
	var wg sync.WaitGroup
	wg.Go(func() { r.article, r.articleErr = p.Store.ArticleBySlug(ctx, slug) })
	wg.Go(func() { r.returning, r.returningErr = p.Store.CommenterApproved(ctx, emailHash) })
	if p.Verification != nil {
		wg.Go(func() { r.trusted, r.trustedErr = p.Store.CommenterTrusted(ctx, emailHash, address, now) })
	}
	if parentID != "" {
		wg.Go(func() { r.parent, r.parentErr = p.Store.CommentByID(ctx, parentID) })
	}
	if idemKey != "" {
		wg.Go(func() { r.answer, r.answerErr = p.Store.IdempotentAnswer(ctx, idemKey, now) })
	}
	wg.Wait()
	return &r
}

// VisibleArticle resolves a slug to an article readers may see.
func (p *Public) VisibleArticle(ctx context.Context, slug string) (*broadsheet.Article, error) {
	if !broadsheet.ValidSlug(slug) {
		return nil, articleNotFound()
	}
	a, err := p.Store.ArticleBySlug(ctx, slug)
	if err != nil {
		return nil, err
	}
	if !a.VisibleAt(p.Now()) {
		return nil, articleNotFound()
	}
	return a, nil
}

// Approved lists an article's approved comments oldest first.
func (p *Public) Approved(ctx context.Context, a *broadsheet.Article, limit int, after map[string]string) (broadsheet.Page[*broadsheet.Comment], error) {
	return p.Store.ApprovedComments(ctx, a.ID, limit, after)
}
