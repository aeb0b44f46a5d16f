package memstore

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"broadsheet/internal/broadsheet"
)

var _ broadsheet.CommentStore = (*Store)(nil)

// idempotencyTTL is how long a stored answer is replayed, as in DynamoDB.
const idempotencyTTL = 24 * time.Hour

// commentTables holds comments and what guards their writes. Guarded by Store.mu.
// Each map stands for one kind of DynamoDB item (docs/comments.md).
type commentTables struct {
	comments   map[string]*broadsheet.Comment // COMMENT#<id>; stored copies, never handed out
	dedupe     map[string]string              // DEDUPE#…: dedupe key → comment id
	floodUntil map[string]time.Time           // RATE#<key>: closed until
	answers    map[string]storedAnswer        // IDEM#<key>
	commenters map[string]bool                // COMMENTER#<emailHash>: has an approved comment
	trusted    map[string]time.Time           // COMMENTER#<emailHash> / TRUST#<address>: verified until
	imports    map[string]string              // IMPORT#…: import key → comment id; outlives the comment
}

type storedAnswer struct {
	answer    broadsheet.StoredAnswer
	expiresAt int64 // Unix seconds, compared as DynamoDB's TTL attribute is
}

func (t *commentTables) init() {
	t.comments = map[string]*broadsheet.Comment{}
	t.dedupe = map[string]string{}
	t.floodUntil = map[string]time.Time{}
	t.answers = map[string]storedAnswer{}
	t.commenters = map[string]bool{}
	t.trusted = map[string]time.Time{}
	t.imports = map[string]string{}
}

// dedupeKey is what one comment per (article, email, normalised body) is
// claimed by, or "" for a comment without email.
func dedupeKey(c *broadsheet.Comment) string {
	if c.EmailHash == "" {
		return ""
	}
	return c.ArticleID + "#" + c.EmailHash + "#" + broadsheet.BodyFingerprint(c.Body)
}

func importKey(articleID, externalID string) string { return articleID + "#" + externalID }

// sortKey orders comments by creation time, then id, as the DynamoDB indexes do.
func sortKey(c *broadsheet.Comment) string {
	return c.CreatedAt.UTC().Format("2006-01-02T15:04:05.000000000Z") + "#" + c.ID
}

func copyComment(c *broadsheet.Comment) *broadsheet.Comment {
	cp := *c
	return &cp
}

func duplicateComment() error {
	return broadsheet.Errorf(broadsheet.CodeDuplicateComment, "you already posted this comment on this article")
}

func parentInvalid() error {
	return &broadsheet.Error{
		Code: broadsheet.CodeValidation, Message: "parentId does not name an approved comment on this article",
		Fields: map[string]string{"parentId": "does not name an approved comment on this article"},
	}
}

func articleGone() error { return broadsheet.Errorf(broadsheet.CodeNotFound, "no such article") }

// parentApproved is the transaction's parent check: an approved comment of
// the same article.
func (s *Store) parentApproved(c *broadsheet.Comment) bool {
	p, ok := s.comments[c.ParentID]
	return ok && p.Status == broadsheet.CommentApproved && p.ArticleID == c.ArticleID
}

// SubmitComment checks every condition of the DynamoDB transaction first and
// writes only if all hold, in the order its failures are reported:
// idempotency key, dedupe, article (approved only), parent, flood keys.
func (s *Store) SubmitComment(_ context.Context, sub *broadsheet.Submission) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := sub.Comment
	if _, ok := s.comments[c.ID]; ok {
		return errIDCollision
	}
	if sub.IdempotencyKey != "" {
		if a, ok := s.answers[sub.IdempotencyKey]; ok && a.expiresAt >= sub.Now.Unix() {
			return broadsheet.ErrIdempotencyRace
		}
	}
	// The poster's own windows decide first (as in the DynamoDB store):
	// the dedupe key depends on the email typed, which may be anyone's.
	var floodKeys []string
	if sub.FloodWindow > 0 {
		floodKeys = sub.FloodKeys
	}
	var until time.Time
	for _, k := range floodKeys {
		if u, ok := s.floodUntil[k]; ok && u.After(sub.Now) && u.After(until) {
			until = u
		}
	}
	if !until.IsZero() {
		return rateLimited(until.Sub(sub.Now))
	}
	dk := dedupeKey(c)
	if _, taken := s.dedupe[dk]; dk != "" && taken {
		// Nothing stored, but the address's window is spent.
		if sub.FloodWindow > 0 {
			for _, k := range sub.AddressFloodKeys() {
				s.floodUntil[k] = sub.Now.Add(sub.FloodWindow)
			}
		}
		return duplicateComment()
	}
	approved := c.Status == broadsheet.CommentApproved
	if _, ok := s.byID[c.ArticleID]; approved && !ok {
		return articleGone()
	}
	if c.ParentID != "" && !s.parentApproved(c) {
		return parentInvalid()
	}

	s.comments[c.ID] = copyComment(c)
	if dk != "" {
		s.dedupe[dk] = c.ID
	}
	for _, k := range floodKeys {
		s.floodUntil[k] = sub.Now.Add(sub.FloodWindow)
	}
	if sub.IdempotencyKey != "" {
		s.answers[sub.IdempotencyKey] = storedAnswer{sub.Answer, sub.Now.Add(idempotencyTTL).Unix()}
	}
	if approved {
		s.byID[c.ArticleID].CommentCount++
		if sub.NewCommenter && c.EmailHash != "" {
			s.commenters[c.EmailHash] = true
		}
	}
	return nil
}

// rateLimited answers 429 with the wait until the flood keys open (at least a second).
func rateLimited(wait time.Duration) error {
	wait = max(wait, time.Second)
	return &broadsheet.Error{
		Code:       broadsheet.CodeRateLimited,
		Message:    "you are commenting too quickly; wait " + strconv.Itoa(int((wait+time.Second-1)/time.Second)) + " seconds and try again",
		RetryAfter: wait,
	}
}

type collisionError struct{}

func (collisionError) Error() string { return "memstore: comment id collision" }

var errIDCollision error = collisionError{}

// IdempotentAnswer returns an unexpired stored answer, or nil.
func (s *Store) IdempotentAnswer(_ context.Context, key string, now time.Time) (*broadsheet.StoredAnswer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.answers[key]
	if !ok || a.expiresAt < now.Unix() {
		return nil, nil
	}
	ans := a.answer
	return &ans, nil
}

// CommenterApproved reads the first-time record.
func (s *Store) CommenterApproved(_ context.Context, emailHash string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return emailHash != "" && s.commenters[emailHash], nil
}

// CommentByID reads one comment.
func (s *Store) CommentByID(_ context.Context, id string) (*broadsheet.Comment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.comments[id]
	if !ok {
		return nil, broadsheet.Errorf(broadsheet.CodeNotFound, "no such comment")
	}
	return copyComment(c), nil
}

// page lists the comments that match, oldest first, from after's position.
// The position is the last returned comment's sort key; Next is nil once
// nothing is left.
func (s *Store) page(match func(*broadsheet.Comment) bool, limit int, after map[string]string) broadsheet.Page[*broadsheet.Comment] {
	var all []*broadsheet.Comment
	for _, c := range s.comments {
		if match(c) && sortKey(c) > after["after"] {
			all = append(all, c)
		}
	}
	slices.SortFunc(all, func(a, b *broadsheet.Comment) int { return strings.Compare(sortKey(a), sortKey(b)) })
	var page broadsheet.Page[*broadsheet.Comment]
	for i, c := range all {
		if limit > 0 && i == limit {
			page.Next = map[string]string{"after": sortKey(all[i-1])}
			break
		}
		page.Items = append(page.Items, copyComment(c))
	}
	return page
}

// ApprovedComments lists an article's approved comments, oldest first.
func (s *Store) ApprovedComments(_ context.Context, articleID string, limit int, after map[string]string) (broadsheet.Page[*broadsheet.Comment], error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.page(func(c *broadsheet.Comment) bool {
		return c.ArticleID == articleID && c.Status == broadsheet.CommentApproved
	}, limit, after), nil
}

// CommentsByStatus lists one moderation queue, oldest first.
func (s *Store) CommentsByStatus(_ context.Context, status broadsheet.CommentStatus, limit int, after map[string]string) (broadsheet.Page[*broadsheet.Comment], error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.page(func(c *broadsheet.Comment) bool { return c.Status == status }, limit, after), nil
}

func changedSinceRead() error {
	return broadsheet.Errorf(broadsheet.CodePreconditionFailed, "the comment changed since you read it")
}

// SetCommentStatus moves c from c.Status to to if c.Status is still current.
// Into approved: the count goes up (refused if the article is gone) and the
// commenter is recorded; out of approved: the count goes down if the article
// is still there.
func (s *Store) SetCommentStatus(_ context.Context, c *broadsheet.Comment, to broadsheet.CommentStatus, _ time.Time) error {
	if c.Status == to {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	stored, ok := s.comments[c.ID]
	if !ok || stored.Status != c.Status {
		return changedSinceRead()
	}
	a := s.byID[c.ArticleID]
	switch {
	case to == broadsheet.CommentApproved && a == nil:
		return broadsheet.Errorf(broadsheet.CodeNotFound, "the comment's article no longer exists")
	case to == broadsheet.CommentApproved:
		a.CommentCount++
		if c.EmailHash != "" {
			s.commenters[c.EmailHash] = true
		}
	case c.Status == broadsheet.CommentApproved && a != nil:
		a.CommentCount--
	}
	stored.Status = to
	return nil
}

// DeleteComment removes c and its own dedupe claim if c is still in
// c.Status. The import key stays, so a re-run import does not bring back what
// an editor deleted.
func (s *Store) DeleteComment(_ context.Context, c *broadsheet.Comment) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	stored, ok := s.comments[c.ID]
	if !ok || stored.Status != c.Status {
		return changedSinceRead()
	}
	if a := s.byID[c.ArticleID]; a != nil && c.Status == broadsheet.CommentApproved {
		a.CommentCount--
	}
	if dk := dedupeKey(c); dk != "" && s.dedupe[dk] == c.ID {
		delete(s.dedupe, dk)
	}
	delete(s.comments, c.ID)
	return nil
}

// ImportComment stores an editor's import, idempotent by externalId per
// article. Checks, in DynamoDB's order: import key, dedupe, article (approved
// only), parent. No flood limit and no moderation apply.
func (s *Store) ImportComment(_ context.Context, c *broadsheet.Comment) (*broadsheet.Comment, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.comments[c.ID]; ok {
		return nil, false, errIDCollision
	}
	ik := importKey(c.ArticleID, c.ExternalID)
	if id, ok := s.imports[ik]; c.ExternalID != "" && ok {
		existing, ok := s.comments[id]
		if !ok {
			return nil, false, broadsheet.Errorf(broadsheet.CodeDuplicateComment, "this externalId was imported before and the comment has since been deleted")
		}
		return copyComment(existing), false, nil
	}
	dk := dedupeKey(c)
	if _, taken := s.dedupe[dk]; dk != "" && taken {
		return nil, false, duplicateComment()
	}
	approved := c.Status == broadsheet.CommentApproved
	if _, ok := s.byID[c.ArticleID]; approved && !ok {
		return nil, false, articleGone()
	}
	if c.ParentID != "" && !s.parentApproved(c) {
		return nil, false, parentInvalid()
	}
	s.comments[c.ID] = copyComment(c)
	if c.ExternalID != "" {
		s.imports[ik] = c.ID
	}
	if dk != "" {
		s.dedupe[dk] = c.ID
	}
	if approved {
		s.byID[c.ArticleID].CommentCount++
		if c.EmailHash != "" {
			s.commenters[c.EmailHash] = true
		}
	}
	return c, true, nil
}

// CommenterTrusted reports whether the email was verified from the address.
func (s *Store) CommenterTrusted(_ context.Context, emailHash, address string, now time.Time) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	until, ok := s.trusted[emailHash+"/"+address]
	return emailHash != "" && ok && now.Before(until), nil
}

// TrustCommenter records that the email was verified from the address, for
// broadsheet.TrustLifetime; first is false when it already was.
func (s *Store) TrustCommenter(_ context.Context, emailHash, address string, now time.Time) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := emailHash + "/" + address
	if until, ok := s.trusted[k]; ok && now.Before(until) {
		return false, nil
	}
	s.trusted[k] = now.Add(broadsheet.TrustLifetime)
	return true, nil
}

// ClaimWindow closes the flood-style window key for window unless it is
// already closed: false means it was.
func (s *Store) ClaimWindow(_ context.Context, key string, now time.Time, window time.Duration) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, ok := s.floodUntil[key]; ok && u.After(now) {
		return false, nil
	}
	s.floodUntil[key] = now.Add(window)
	return true, nil
}

// SetReplyNotify sets a comment's reply-notification opt-in.
func (s *Store) SetReplyNotify(_ context.Context, commentID string, to broadsheet.ReplyNotify) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.comments[commentID]
	if !ok {
		return broadsheet.Errorf(broadsheet.CodeNotFound, "no such comment")
	}
	c.Notify = to
	return nil
}

// CommenterHasComments reports whether any comment carries the hashed
// email (DynamoDB keeps an index item per comment; here the comments are
// the index).
func (s *Store) CommenterHasComments(_ context.Context, emailHash string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.comments {
		if emailHash != "" && c.EmailHash == emailHash {
			return true, nil
		}
	}
	return false, nil
}

// ForgetCommenter erases the hashed email from its comments and deletes
// its trust and approved-commenter records.
func (s *Store) ForgetCommenter(_ context.Context, emailHash string) (int, error) {
	if emailHash == "" {
		return 0, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	erased := 0
	for _, c := range s.comments {
		if c.EmailHash != emailHash {
			continue
		}
		if dk := dedupeKey(c); s.dedupe[dk] == c.ID {
			delete(s.dedupe, dk)
		}
		c.Name, c.Email, c.EmailHash, c.Website, c.Notify = broadsheet.ErasedName, "", "", "", broadsheet.NotifyNone
		erased++
	}
	for k := range s.trusted {
		if strings.HasPrefix(k, emailHash+"/") {
			delete(s.trusted, k)
		}
	}
	delete(s.commenters, emailHash)
	return erased, nil
}
