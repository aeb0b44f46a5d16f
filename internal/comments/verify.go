package comments

import (
	"context"
	"crypto/hmac"
	"encoding/base64"
	"fmt"
	"log/slog"
	netmail "net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	"broadsheet/internal/broadsheet"
	"broadsheet/internal/mail"
)

// Verification is the verified-commenter rule. A comment from an (email,
// client address) pair that has not been verified is held, whatever the
// moderation mode, and its author is mailed a signed, expiring link; the
// link, confirmed, trusts that pair and releases the comment as far as the
// moderation mode allows. Posting with someone else's email from another
// network therefore earns nothing: the link goes to the real owner.
type Verification struct {
	Mail     mail.Sender
	From     netmail.Address
	SiteName string
	// LinkLifetime is how long a link works (default 48 h).
	LinkLifetime time.Duration
	// MailWindow allows one verification mail per email per window
	// (default 10 minutes), so a stranger cannot flood someone's inbox by
	// posting with their address.
	MailWindow time.Duration
}

const (
	defaultLinkLifetime = 48 * time.Hour
	defaultMailWindow   = 10 * time.Minute
)

// addressKey is the pseudonymous client address verification trusts
// (the flood limit's, so an IPv6 /64 is one address); "unknown" when the
// door could not tell.
func addressKey(id *broadsheet.Identity, clientIP string) string {
	if clientIP == "" {
		return "unknown"
	}
	return id.ClientAddress(clientIP)
}

// Link is what a verification link carries, signed.
type Link struct {
	CommentID string
	Slug      string
	Address   string // addressKey of the submission
	Expires   time.Time
}

// Seal encodes l as a URL-safe token: the fields, base64url, then an HMAC
// under the identity key.
func (l Link) Seal(id *broadsheet.Identity) string {
	payload := strings.Join([]string{l.CommentID, l.Address, strconv.FormatInt(l.Expires.Unix(), 10), l.Slug}, "\n")
	enc := base64.RawURLEncoding.EncodeToString([]byte(payload))
	return enc + "." + id.Sign("verify-link", enc)[:32]
}

// OpenLink checks a token's signature and expiry.
func OpenLink(id *broadsheet.Identity, token string, now time.Time) (Link, error) {
	invalid := broadsheet.Errorf(broadsheet.CodeBadRequest, "this link is not valid: copy the whole link from the email")
	enc, sig, ok := strings.Cut(strings.TrimSpace(token), ".")
	if !ok || len(token) > 1024 || !hmac.Equal([]byte(sig), []byte(id.Sign("verify-link", enc)[:32])) {
		return Link{}, invalid
	}
	raw, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		return Link{}, invalid
	}
	f := strings.Split(string(raw), "\n")
	if len(f) != 4 {
		return Link{}, invalid
	}
	exp, err := strconv.ParseInt(f[2], 10, 64)
	if err != nil {
		return Link{}, invalid
	}
	l := Link{CommentID: f[0], Address: f[1], Expires: time.Unix(exp, 0).UTC(), Slug: f[3]}
	if !now.Before(l.Expires) {
		return Link{}, broadsheet.Errorf(broadsheet.CodeBadRequest, "this link has expired: post your comment again for a new one")
	}
	return l, nil
}

// mailLink sends the verification mail for a held comment, at most once
// per MailWindow per email. It is best effort: the comment is stored and
// waits either way (an editor can still approve it), and the submitter's
// answer never depends on it, so a failure is logged, never answered.
func (v *Verification) mailLink(ctx context.Context, st SubmitStore, id *broadsheet.Identity, c *broadsheet.Comment, address, verifyURL string, now time.Time) {
	if !claimMailWindow(ctx, st, broadsheet.FloodKeyMail+c.EmailHash, now, v.MailWindow, defaultMailWindow, "verification mail") {
		return
	}
	lifetime := v.LinkLifetime
	if lifetime <= 0 {
		lifetime = defaultLinkLifetime
	}
	token := Link{CommentID: c.ID, Slug: c.ArticleSlug, Address: address, Expires: now.Add(lifetime)}.Seal(id)
	if err := v.Mail.Send(ctx, v.message(c, verifyURL+"?token="+url.QueryEscape(token), lifetime, now)); err != nil {
		slog.WarnContext(ctx, "verification mail: send", "err", err, "commentId", c.ID)
	}
}

func (v *Verification) message(c *broadsheet.Comment, link string, lifetime time.Duration, now time.Time) mail.Message {
	site := v.SiteName
	if site == "" {
		site = "Broadsheet"
	}
	text := fmt.Sprintf(`Hello %s,

You left a comment on %s. To publish it, confirm that this is your email
address by opening this link within %d hours:

%s

Your comment:

%s

If you did not write this comment, ignore this email: nothing is published
and your address is not shown to anyone.
`, c.Name, site, int(lifetime.Hours()), link, quote(c.Body))
	return mail.Message{
		From: v.From, To: netmail.Address{Name: c.Name, Address: c.Email},
		Subject: "Confirm your comment on " + site, Text: text, Date: now,
	}
}

func quote(body string) string {
	lines := strings.Split(body, "\n")
	for i, l := range lines {
		lines[i] = "> " + l
	}
	return strings.Join(lines, "\n")
}

// ConfirmOutcome is what following a link did.
type ConfirmOutcome string

const (
	Published     ConfirmOutcome = "published"       // verified and the comment is live
	AwaitsEditor  ConfirmOutcome = "awaits-editor"   // verified; the moderation mode wants an editor
	AlreadyUsed   ConfirmOutcome = "already-used"    // the link had been followed before
	Verified      ConfirmOutcome = "verified"        // verified; the comment was moderated meanwhile
	CommentIsGone ConfirmOutcome = "comment-is-gone" // verified nothing: the comment was deleted
)

// Confirmed is the result of Confirm.
type Confirmed struct {
	Outcome ConfirmOutcome
	Slug    string
}

// Confirm follows a verification link: the pair becomes trusted and the
// held comment is released as far as the moderation mode allows (none:
// published; first-time: published if the email has an approved comment;
// all: left for an editor).
func (p *Public) Confirm(ctx context.Context, token string) (*Confirmed, error) {
	now := p.Now().UTC()
	l, err := OpenLink(p.Identity, token, now)
	if err != nil {
		return nil, err
	}
	c, err := p.Store.CommentByID(ctx, l.CommentID)
	if broadsheet.ErrorCode(err) == broadsheet.CodeNotFound {
		return &Confirmed{Outcome: CommentIsGone, Slug: l.Slug}, nil
	}
	if err != nil {
		return nil, err
	}
	first, err := p.Store.TrustCommenter(ctx, c.EmailHash, l.Address, now)
	if err != nil {
		return nil, err
	}
	if c.Notify == broadsheet.NotifyRequested {
		// The link reached the email's owner: their opt-in now counts.
		if err := p.Store.SetReplyNotify(ctx, c.ID, broadsheet.NotifyOn); err != nil && broadsheet.ErrorCode(err) != broadsheet.CodeNotFound {
			return nil, err
		}
	}
	out := &Confirmed{Slug: c.ArticleSlug}
	if c.Status != broadsheet.CommentPending {
		out.Outcome = Verified
		if !first {
			out.Outcome = AlreadyUsed
		}
		return out, nil
	}
	returning, err := p.Store.CommenterApproved(ctx, c.EmailHash)
	if err != nil {
		return nil, err
	}
	stored, _ := p.Moderation.Decide(broadsheet.ModerationFacts{Links: broadsheet.CountLinks(c.Body), Returning: returning})
	if stored != broadsheet.CommentApproved {
		out.Outcome = AwaitsEditor
		return out, nil
	}
	err = p.Store.SetCommentStatus(ctx, c, broadsheet.CommentApproved, now)
	switch {
	case broadsheet.ErrorCode(err) == broadsheet.CodePreconditionFailed:
		out.Outcome = Verified // an editor moderated it meanwhile: theirs is the decision
	case broadsheet.ErrorCode(err) == broadsheet.CodeNotFound:
		out.Outcome = CommentIsGone // its article was deleted
	case err != nil:
		return nil, err
	default:
		out.Outcome = Published
		c.Status = broadsheet.CommentApproved
		p.Replies.Published(ctx, p.Store, p.Identity, c, nil, p.Links, now)
	}
	return out, nil
}

// windowClaimer is the store's conditional window: true for the first claim
// of key in window.
type windowClaimer interface {
	ClaimWindow(ctx context.Context, key string, now time.Time, window time.Duration) (bool, error)
}

// claimMailWindow claims the window that limits a best-effort mail (window,
// or fallback when unset). A store failure is logged and sends nothing: mail
// is never worth failing or repeating the comment's own work for.
func claimMailWindow(ctx context.Context, st windowClaimer, key string, now time.Time, window, fallback time.Duration, what string) bool {
	if window <= 0 {
		window = fallback
	}
	claimed, err := st.ClaimWindow(ctx, key, now, window)
	if err != nil {
		slog.WarnContext(ctx, what+": window", "err", err)
	}
	return err == nil && claimed
}
