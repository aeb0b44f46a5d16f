package broadsheet

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// CommentStatus is where a comment stands in moderation. Only approved
// comments are public and counted.
type CommentStatus string

const (
	CommentPending  CommentStatus = "pending"
	CommentApproved CommentStatus = "approved"
	CommentRejected CommentStatus = "rejected"
	CommentSpam     CommentStatus = "spam"
)

// Valid reports whether s is one of the four statuses.
func (s CommentStatus) Valid() bool {
	switch s {
	case CommentPending, CommentApproved, CommentRejected, CommentSpam:
		return true
	}
	return false
}

// Comment is a reader's comment on an article.
type Comment struct {
	ID          string
	ArticleID   string
	ArticleSlug string
	ParentID    string // "" for a top-level comment
	Name        string
	Email       string // for moderators only; never in a public answer or a log line
	EmailHash   string // Identity.Email(Email): what keys are built from; "" when there is no email
	Website     string
	Body        string
	Status      CommentStatus
	CreatedAt   time.Time
	ExternalID  string // set by imports: the comment's id in the system it came from
	// Notify is the author's "notify me of replies" opt-in (replies.go in
	// internal/comments): mail goes only once it is NotifyOn.
	Notify ReplyNotify
}

// ReplyNotify is where a comment's "notify me of replies" opt-in stands.
// An opt-in becomes NotifyOn only once the owner of the email has proved
// it for this comment (posted from a verified (email, address) pair, or
// followed this comment's verification link): an address typed by someone
// else is never mailed.
type ReplyNotify string

const (
	NotifyNone      ReplyNotify = ""          // not asked for, unsubscribed, or forgotten
	NotifyRequested ReplyNotify = "requested" // asked for; waits for the verification link
	NotifyOn        ReplyNotify = "on"        // replies are mailed (one per window)
)

// ErasedName replaces the name on the comments of a reader who asked to be
// forgotten (as WordPress's personal-data eraser does): the text stays, no
// longer attributed.
const ErasedName = "Anonymous"

// Limits on comment fields (runes, except where noted).
const (
	MaxCommentNameRunes  = 100
	MaxCommentBodyRunes  = 5000
	MaxEmailBytes        = 254
	MaxWebsiteBytes      = 200
	MaxCommentRequest    = 64 << 10 // bytes of JSON; more is 413
	MaxIdempotencyKeyLen = 200
	MaxExternalIDLen     = 200
	// MaxLinksBeforeModeration: a body with more links than this waits for an editor.
	MaxLinksBeforeModeration = 2
)

// CommentInput is what a reader sends to POST /articles/{slug}/comments.
type CommentInput struct {
	Name     string `json:"name"`
	Email    string `json:"email"`
	Website  string `json:"website"`
	Body     string `json:"body"`
	ParentID string `json:"parentId"`
	// URL2 is the honeypot: the form renders it hidden, labelled "leave this
	// empty". People never fill it; naive bots fill every field.
	URL2 string `json:"url2"`
	// NotifyReplies asks for a mail when a reply to this comment is
	// published (only once the email is proven; see ReplyNotify).
	NotifyReplies bool `json:"notifyReplies"`
}

// Normalize NFC-normalises and trims every field; the body keeps its inner
// newlines (CRLF becomes LF).
func (in *CommentInput) Normalize() {
	in.Name = CleanText(in.Name)
	in.Email = CleanText(in.Email)
	in.Website = CleanText(in.Website)
	in.Body = CleanBody(in.Body)
	in.ParentID = strings.TrimSpace(in.ParentID)
	in.URL2 = strings.TrimSpace(in.URL2)
}

// CleanBody normalises a multi-line comment body: NFC, CRLF → LF, trimmed.
func CleanBody(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.TrimSpace(norm.NFC.String(s))
}

// Validate checks a normalised input; every problem is reported by field.
// Messages never repeat the submitted values.
func (in *CommentInput) Validate() error {
	f := FieldErrors{}
	in.Check(f, true)
	return f.Err()
}

// Check adds in's problems to f. Imports pass emailRequired=false: old
// systems did not always keep an address, but one that is given must be valid.
func (in *CommentInput) Check(f FieldErrors, emailRequired bool) {
	checkText(f, "name", in.Name, true, MaxCommentNameRunes)
	switch {
	case in.Email == "" && emailRequired:
		f.Add("email", "is required")
	case in.Email != "" && !ValidEmail(in.Email):
		f.Add("email", "must be a valid email address such as name@example.com")
	}
	if in.Website != "" && !ValidWebsite(in.Website) {
		f.Add("website", "must be an http or https address of at most 200 characters")
	}
	checkBody(f, in.Body)
	if in.ParentID != "" && !LooksLikeID(in.ParentID) {
		f.Add("parentId", "does not name a comment on this article")
	}
}

func checkBody(f FieldErrors, body string) {
	switch {
	case body == "":
		f.Add("body", "is required")
	case !utf8.ValidString(body):
		f.Add("body", "must be valid UTF-8")
	case utf8.RuneCountInString(body) > MaxCommentBodyRunes:
		f.Add("body", "is too long (at most 5000 characters)")
	case hasControl(body, true):
		f.Add("body", "must not contain control characters")
	}
}

// Honeypot reports whether the hidden field was filled in.
func (in *CommentInput) Honeypot() bool { return in.URL2 != "" }

// Compiled on first use, not at init: every function links this package.
var idPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{26}$`) })

// LooksLikeID reports whether s has the shape of a Broadsheet id (a ULID).
func LooksLikeID(s string) bool { return idPattern().MatchString(s) }

// ValidEmail accepts a bare address (no display name, no comments) that
// net/mail parses to itself, at most 254 bytes, with a dot in the domain.
func ValidEmail(s string) bool {
	if len(s) > MaxEmailBytes || !utf8.ValidString(s) || hasControl(s, false) ||
		strings.ContainsAny(s, " <>()[]\\,;:\"") {
		return false
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Name != "" || addr.Address != s {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	local, domain := s[:at], s[at+1:]
	if local == "" || len(local) > 64 || !strings.Contains(domain, ".") ||
		strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") {
		return false
	}
	return true
}

// ValidWebsite accepts an absolute http or https URL with a host, at most
// 200 bytes, without credentials, spaces or control characters.
func ValidWebsite(s string) bool {
	if len(s) > MaxWebsiteBytes || !utf8.ValidString(s) || hasControl(s, false) || strings.ContainsAny(s, " \t") {
		return false
	}
	u, err := url.Parse(s)
	if err != nil || u.User != nil || u.Hostname() == "" {
		return false
	}
	scheme := strings.ToLower(u.Scheme)
	return scheme == "http" || scheme == "https"
}

var linkPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)(?:\bhttps?://|\bwww\.)[^\s<>"]+`) })

// CountLinks counts what a reader would take for links in a body: http(s)://
// URLs and www. addresses.
func CountLinks(body string) int { return len(linkPattern().FindAllStringIndex(body, -1)) }

// Moderation is the COMMENT_MODERATION policy.
type Moderation string

const (
	ModerateAll       Moderation = "all"        // every comment waits for an editor
	ModerateFirstTime Moderation = "first-time" // only people without an approved comment wait
	ModerateNone      Moderation = "none"       // comments are published at once
)

// ParseModeration reads the policy; "" means first-time.
func ParseModeration(s string) (Moderation, error) {
	switch m := Moderation(strings.TrimSpace(s)); m {
	case "":
		return ModerateFirstTime, nil
	case ModerateAll, ModerateFirstTime, ModerateNone:
		return m, nil
	}
	return "", fmt.Errorf("COMMENT_MODERATION must be all, first-time or none, not %q", s)
}

// Submission facts the moderation decision depends on.
type ModerationFacts struct {
	Honeypot  bool // the hidden url2 field was filled
	Links     int  // CountLinks(body)
	Returning bool // the email has an approved comment already
}

// Decide returns the status a new comment is stored with and the status the
// submitter is told. They differ only for spam, which is answered exactly
// like a comment waiting for moderation so that a bot learns nothing.
func (m Moderation) Decide(f ModerationFacts) (stored, answered CommentStatus) {
	switch {
	case f.Honeypot:
		return CommentSpam, CommentPending
	case f.Links > MaxLinksBeforeModeration:
		return CommentPending, CommentPending
	case m == ModerateNone:
		return CommentApproved, CommentApproved
	case m == ModerateFirstTime && f.Returning:
		return CommentApproved, CommentApproved
	default:
		return CommentPending, CommentPending
	}
}

// DedupeText is the form of a body duplicates are compared in: NFKC,
// invisible format characters removed, case folded, whitespace runs collapsed
// to one space (see dedupeFold).
func DedupeText(body string) string {
	return strings.Join(strings.Fields(dedupeFold(body)), " ")
}

// BodyFingerprint is the hex SHA-256 of DedupeText(body).
func BodyFingerprint(body string) string {
	sum := sha256.Sum256([]byte(DedupeText(body)))
	return hex.EncodeToString(sum[:])
}

// Identity pseudonymises what identifies a commenter (email, client address)
// and idempotency keys with HMAC-SHA256 under a key derived from the
// deployment's signing secret. The derivation label differs from the cursor
// key's, so neither key can stand in for the other. Keys built from these
// hashes are stable across instances and reveal nothing without the secret.
type Identity struct{ key []byte }

// NewIdentity derives the identity key from the signing secret.
func NewIdentity(secret []byte) (*Identity, error) {
	if len(secret) < 16 {
		return nil, errors.New("identity: signing secret too short")
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("broadsheet commenter identity key v1"))
	return &Identity{key: mac.Sum(nil)}, nil
}

func (id *Identity) sum(label string, parts ...string) string {
	mac := hmac.New(sha256.New, id.key)
	mac.Write([]byte(label))
	for _, p := range parts {
		mac.Write([]byte{0})
		mac.Write([]byte(p))
	}
	return hex.EncodeToString(mac.Sum(nil))
}

// Sign authenticates parts under the identity key, for tokens the service
// issues (hex HMAC-SHA-256; label separates their uses).
func (id *Identity) Sign(label string, parts ...string) string {
	return id.sum("sign "+label, parts...)
}

// Email hashes the address's canonical mailbox (CanonicalMailbox); "" stays "".
func (id *Identity) Email(addr string) string {
	addr = CanonicalMailbox(addr)
	if addr == "" {
		return ""
	}
	return id.sum("email", addr)
}

// ClientAddress hashes the client's flood key (ClientKey: IPv6 by its /64).
func (id *Identity) ClientAddress(ip string) string { return id.sum("ip", ClientKey(ip)) }

// IdempotencyKey hashes an Idempotency-Key header together with the article
// slug it was sent for, so the same key on two articles is two keys.
func (id *Identity) IdempotencyKey(slug, key string) string { return id.sum("idem", slug, key) }

// ValidIdempotencyKey: 1–200 printable ASCII characters.
func ValidIdempotencyKey(k string) bool {
	if k == "" || len(k) > MaxIdempotencyKeyLen {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x20 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

// StoredAnswer is the first answer to an idempotent request, kept to be
// replayed to its retries.
type StoredAnswer struct {
	Status    int
	Body      string
	CommentID string
	// Fingerprint identifies the request that earned the answer
	// (RequestFingerprint): a replay is only for the same request.
	Fingerprint string
}

// Submission is everything accepting one comment writes, in one atomic step.
type Submission struct {
	Comment *Comment
	Now     time.Time
	// FloodWindow is how long the submitter's flood keys stay closed after
	// this comment; 0 disables the flood limit.
	FloodWindow time.Duration
	// FloodKeys are pseudonymous identities limited by FloodWindow:
	// FloodKeyAddress+<hash> and FloodKeyEmail+<hash>.
	FloodKeys []string
	// IdempotencyKey is Identity.IdempotencyKey(...) or "" when none was sent.
	IdempotencyKey string
	Answer         StoredAnswer // replayed for IdempotencyKey
	// NewCommenter asks to record the email as an approved commenter (an
	// auto-approved comment from someone without that record).
	NewCommenter bool
}

// TrustLifetime is how long a verified (email, client address) pair is
// trusted before its owner is asked to verify again.
const TrustLifetime = 365 * 24 * time.Hour

// The kinds of flood key. A refused duplicate closes only the address
// kind: the email typed may be anyone's.
const (
	FloodKeyAddress = "ip#"
	FloodKeyEmail   = "email#"
	// FloodKeyMail limits verification mail to one address (ClaimWindow).
	FloodKeyMail = "mail#"
	// FloodKeyNotify limits reply notifications to one per parent comment
	// per window (ClaimWindow on FloodKeyNotify+<parent id>).
	FloodKeyNotify = "notify#"
	// FloodKeyForgetAddress and FloodKeyForgetEmail limit "forget me"
	// requests per client address (429) and per email (silently: the
	// answer must not tell whether someone else asked).
	FloodKeyForgetAddress = "forget#ip#"
	FloodKeyForgetEmail   = "forget#email#"
)

// AddressFloodKeys are the submission's flood keys that name the poster's
// own network address.
func (s *Submission) AddressFloodKeys() []string {
	var out []string
	for _, k := range s.FloodKeys {
		if strings.HasPrefix(k, FloodKeyAddress) {
			out = append(out, k)
		}
	}
	return out
}

// ErrIdempotencyRace is returned by SubmitComment when another request with
// the same idempotency key committed first: read and replay its answer.
var ErrIdempotencyRace = errors.New("idempotency key used by a concurrent request")

// CommentStore keeps comments. Every rule that must hold under concurrency
// (one comment per body and email and article, the flood window, one comment
// per idempotency key, exact approved counts) is enforced by conditional
// writes in one transaction, never by reading first.
type CommentStore interface {
	// SubmitComment stores a reader's comment with its dedupe, flood,
	// idempotency and (if approved) count and commenter writes, atomically.
	// It fails with CodeDuplicateComment, CodeRateLimited (RetryAfter set),
	// CodeNotFound (article gone), CodeValidation (parent no longer
	// approved) or ErrIdempotencyRace.
	SubmitComment(ctx context.Context, s *Submission) error
	// IdempotentAnswer returns the unexpired stored answer for a hashed key, or nil.
	IdempotentAnswer(ctx context.Context, key string, now time.Time) (*StoredAnswer, error)
	// CommenterApproved reports whether the hashed email has had a comment approved.
	CommenterApproved(ctx context.Context, emailHash string) (bool, error)
	// CommentByID reads one comment consistently; CodeNotFound if absent.
	CommentByID(ctx context.Context, id string) (*Comment, error)
	// CommenterTrusted reports whether the hashed email was verified from
	// the hashed client address within TrustLifetime of now.
	CommenterTrusted(ctx context.Context, emailHash, address string, now time.Time) (bool, error)
	// TrustCommenter records that verification; first is false when a live
	// record was already there.
	TrustCommenter(ctx context.Context, emailHash, address string, now time.Time) (first bool, err error)
	// ClaimWindow closes a window key for window unless it is already
	// closed (claimed false): the limit on verification mail.
	ClaimWindow(ctx context.Context, key string, now time.Time, window time.Duration) (claimed bool, err error)
	// ApprovedComments lists an article's approved comments, oldest first.
	ApprovedComments(ctx context.Context, articleID string, limit int, after map[string]string) (Page[*Comment], error)
	// CommentsByStatus lists comments in one moderation status, oldest first.
	CommentsByStatus(ctx context.Context, status CommentStatus, limit int, after map[string]string) (Page[*Comment], error)
	// SetCommentStatus moves c from c.Status to to, adjusting the article's
	// count in the same transaction; CodePreconditionFailed if c.Status is
	// no longer current.
	SetCommentStatus(ctx context.Context, c *Comment, to CommentStatus, now time.Time) error
	// DeleteComment removes c (and its dedupe key) if it is still in
	// c.Status, decrementing the count if it was approved.
	DeleteComment(ctx context.Context, c *Comment) error
	// ImportComment stores an editor's import, idempotent by externalId: if
	// that externalId was imported for the article, it returns the existing
	// comment and created=false.
	ImportComment(ctx context.Context, c *Comment) (existing *Comment, created bool, err error)
	// SetReplyNotify sets a comment's reply-notification opt-in;
	// CodeNotFound if the comment does not exist.
	SetReplyNotify(ctx context.Context, commentID string, to ReplyNotify) error
	// CommenterHasComments reports whether any comment carries the hashed
	// email (the commenter index submissions and imports write).
	CommenterHasComments(ctx context.Context, emailHash string) (bool, error)
	// ForgetCommenter erases the hashed email from every comment that
	// carries it (email, hash, website and opt-in removed, the name made
	// ErasedName, the dedupe claims freed; the text stays) and deletes
	// what else is keyed by it (trust and approved-commenter records, the
	// index). It returns how many comments it erased; re-running it after
	// a failure finishes the job.
	ForgetCommenter(ctx context.Context, emailHash string) (erased int, err error)
}
