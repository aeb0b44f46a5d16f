package comments

import (
	"context"
	"crypto/hmac"
	"encoding/base64"
	"fmt"
	"log/slog"
	netmail "net/mail"
	"net/url"
	"strings"
	"time"

	"broadsheet/internal/broadsheet"
	"broadsheet/internal/mail"
)

// Paths of the reader routes that mail links to (the doors route them).
const (
	UnsubscribePath   = "/comments/unsubscribe"
	ForgetPath        = "/comments/forget"
	ForgetConfirmPath = "/comments/forget/confirm"
)

// Links are the absolute bases a mail's links start with: the site (for
// article pages) and the public API (for the unsubscribe and forget routes).
type Links struct {
	Site, API string
}

func (l Links) article(slug, commentID string) string {
	return l.Site + "/a/" + url.PathEscape(slug) + "#comment-" + commentID
}

// Replies is "notify me of replies": when a reply to a comment whose
// author opted in becomes public, that author gets one mail with the
// reply's link and a one-click unsubscribe link (RFC 8058).
//
// Anti-abuse: only a comment whose opt-in is NotifyOn is mailed, and an
// opt-in becomes NotifyOn only when the owner of the email proved it for
// that comment (posted from a verified (email, address) pair, or followed
// its verification link), so an address typed by someone else is never
// mailed; at most one mail per parent per Window; never for a reply by the
// parent's own author; spam and held replies never mail, since only a
// reply becoming approved calls this. Mail is best effort after the
// commit: a failure is logged and changes nothing.
type Replies struct {
	Mail     mail.Sender
	From     netmail.Address
	SiteName string
	// Window allows one notification per parent comment per window
	// (default an hour), however busy the thread.
	Window time.Duration
}

const defaultNotifyWindow = time.Hour

// NotifyStore is what a notification reads and writes.
type NotifyStore interface {
	CommentByID(ctx context.Context, id string) (*broadsheet.Comment, error)
	ClaimWindow(ctx context.Context, key string, now time.Time, window time.Duration) (bool, error)
}

// Published is called once a reply has become public (stored approved,
// approved by an editor, or released by its verification link). parent is
// the parent comment if the caller has read it, else nil.
func (r *Replies) Published(ctx context.Context, st NotifyStore, id *broadsheet.Identity, reply, parent *broadsheet.Comment, links Links, now time.Time) {
	if r == nil || reply == nil || reply.ParentID == "" || reply.Status != broadsheet.CommentApproved {
		return
	}
	if parent == nil {
		p, err := st.CommentByID(ctx, reply.ParentID)
		if err != nil {
			if broadsheet.ErrorCode(err) != broadsheet.CodeNotFound {
				slog.WarnContext(ctx, "reply notification: parent", "err", err)
			}
			return
		}
		parent = p
	}
	if !shouldNotify(parent, reply) {
		return
	}
	if !claimMailWindow(ctx, st, broadsheet.FloodKeyNotify+parent.ID, now, r.Window, defaultNotifyWindow, "reply notification") {
		return
	}
	unsubscribe := links.API + UnsubscribePath + "?token=" + url.QueryEscape(UnsubscribeToken(id, parent.ID))
	if err := r.Mail.Send(ctx, r.message(parent, reply, links.article(reply.ArticleSlug, reply.ID), unsubscribe, now)); err != nil {
		slog.WarnContext(ctx, "reply notification: send", "err", err, "commentId", parent.ID)
	}
}

// shouldNotify is the rule on the parent's side: opted in and proven, an
// email to send to, still public, and the reply by someone else.
func shouldNotify(parent, reply *broadsheet.Comment) bool {
	switch {
	case parent.Notify != broadsheet.NotifyOn || parent.Email == "" || parent.EmailHash == "":
		return false
	case parent.Status != broadsheet.CommentApproved:
		return false
	case reply.EmailHash != "" && reply.EmailHash == parent.EmailHash:
		return false // one's own reply
	}
	return true
}

func (r *Replies) message(parent, reply *broadsheet.Comment, link, unsubscribe string, now time.Time) mail.Message {
	site := r.SiteName
	if site == "" {
		site = "Broadsheet"
	}
	text := fmt.Sprintf(`Hello %s,

%s replied to your comment on %s:

%s

Read the reply and the conversation:

%s

You asked to be told of replies to this comment. To stop, open this link
and press the button (no more mail about this comment):

%s
`, parent.Name, reply.Name, site, quote(reply.Body), link, unsubscribe)
	return mail.Message{
		From: r.From, To: netmail.Address{Name: parent.Name, Address: parent.Email},
		Subject: "New reply to your comment on " + site, Text: text, Date: now,
		Headers: map[string]string{
			// RFC 8058 one-click: the mail client POSTs
			// "List-Unsubscribe=One-Click" to this URL.
			"List-Unsubscribe":      "<" + unsubscribe + ">",
			"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		},
	}
}

// UnsubscribeToken is the signed, non-expiring token of a comment's
// unsubscribe link (RFC 8058 links must keep working): the comment id,
// base64url, and an HMAC under the identity key.
func UnsubscribeToken(id *broadsheet.Identity, commentID string) string {
	enc := base64.RawURLEncoding.EncodeToString([]byte(commentID))
	return enc + "." + id.Sign("unsubscribe-link", enc)[:32]
}

// OpenUnsubscribe checks an unsubscribe token and returns its comment id.
func OpenUnsubscribe(id *broadsheet.Identity, token string) (string, error) {
	enc, sig, ok := strings.Cut(strings.TrimSpace(token), ".")
	if ok && len(token) <= 256 && hmac.Equal([]byte(sig), []byte(id.Sign("unsubscribe-link", enc)[:32])) {
		if raw, err := base64.RawURLEncoding.DecodeString(enc); err == nil && broadsheet.LooksLikeID(string(raw)) {
			return string(raw), nil
		}
	}
	return "", broadsheet.Errorf(broadsheet.CodeBadRequest, "this link is not valid: copy the whole link from the email")
}

// Unsubscribe follows an unsubscribe link: the comment's opt-in is
// removed. A comment deleted meanwhile has nothing left to stop.
func (p *Public) Unsubscribe(ctx context.Context, token string) error {
	commentID, err := OpenUnsubscribe(p.Identity, token)
	if err != nil {
		return err
	}
	err = p.Store.SetReplyNotify(ctx, commentID, broadsheet.NotifyNone)
	if broadsheet.ErrorCode(err) == broadsheet.CodeNotFound {
		return nil
	}
	return err
}
