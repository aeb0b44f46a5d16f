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

// Forgetting is a reader's "forget me": they ask with their email, get a
// mail with a signed, expiring link to that address, and the link's button
// erases the email from all their comments (Store.ForgetCommenter). The
// request's answer is the same whether or not the address has comments, so
// it tells nobody who commented; only the mailbox's owner learns it.
type Forgetting struct {
	Mail     mail.Sender
	From     netmail.Address
	SiteName string
	// LinkLifetime is how long a link works (default 24 h).
	LinkLifetime time.Duration
	// Window allows one request per client address (answered 429) and one
	// mail per email (silently) per window (default 10 minutes).
	Window time.Duration
}

const (
	defaultForgetLifetime = 24 * time.Hour
	defaultForgetWindow   = 10 * time.Minute
)

// ForgetLink is what a forget-me link carries, signed: the email's hash
// (never the address) and the expiry.
type ForgetLink struct {
	EmailHash string
	Expires   time.Time
}

// Seal encodes l as a URL-safe token.
func (l ForgetLink) Seal(id *broadsheet.Identity) string {
	enc := base64.RawURLEncoding.EncodeToString([]byte(l.EmailHash + "\n" + strconv.FormatInt(l.Expires.Unix(), 10)))
	return enc + "." + id.Sign("forget-link", enc)[:32]
}

// OpenForgetLink checks a token's signature and expiry.
func OpenForgetLink(id *broadsheet.Identity, token string, now time.Time) (ForgetLink, error) {
	invalid := broadsheet.Errorf(broadsheet.CodeBadRequest, "this link is not valid: copy the whole link from the email")
	enc, sig, ok := strings.Cut(strings.TrimSpace(token), ".")
	if !ok || len(token) > 512 || !hmac.Equal([]byte(sig), []byte(id.Sign("forget-link", enc)[:32])) {
		return ForgetLink{}, invalid
	}
	raw, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		return ForgetLink{}, invalid
	}
	hash, expires, ok := strings.Cut(string(raw), "\n")
	exp, err := strconv.ParseInt(expires, 10, 64)
	if !ok || err != nil || hash == "" {
		return ForgetLink{}, invalid
	}
	l := ForgetLink{EmailHash: hash, Expires: time.Unix(exp, 0).UTC()}
	if !now.Before(l.Expires) {
		return ForgetLink{}, broadsheet.Errorf(broadsheet.CodeBadRequest, "this link has expired: ask again for a new one")
	}
	return l, nil
}

func (f *Forgetting) window() time.Duration {
	if f.Window > 0 {
		return f.Window
	}
	return defaultForgetWindow
}

// RequestForget handles POST /comments/forget. In order: the email must
// be valid (400); the client address's window must be open (429, the
// poster's own data only); then, silently, one mail per email per window,
// and only to an email that has comments. Every request that gets this far
// is answered alike (nil: the door answers 202), comments or not.
func (p *Public) RequestForget(ctx context.Context, email, clientIP string) error {
	email = broadsheet.CleanText(email)
	switch {
	case email == "":
		return fieldError("email", "is required")
	case !broadsheet.ValidEmail(email):
		return fieldError("email", "must be a valid email address such as name@example.com")
	}
	f := p.Forgetting
	if f == nil {
		return broadsheet.Errorf(broadsheet.CodeNotFound, "this site does not send mail; ask its editors to erase your comments")
	}
	now := p.Now().UTC()
	if clientIP != "" {
		claimed, err := p.Store.ClaimWindow(ctx, broadsheet.FloodKeyForgetAddress+p.Identity.ClientAddress(clientIP), now, f.window())
		if err != nil {
			return err
		}
		if !claimed {
			return &broadsheet.Error{Code: broadsheet.CodeRateLimited, RetryAfter: f.window(),
				Message: "you asked very recently; wait a few minutes and check your inbox first"}
		}
	}
	emailHash := p.Identity.Email(email)
	claimed, err := p.Store.ClaimWindow(ctx, broadsheet.FloodKeyForgetEmail+emailHash, now, f.window())
	if err != nil || !claimed {
		return err // a closed window: a mail went out already; same answer
	}
	has, err := p.Store.CommenterHasComments(ctx, emailHash)
	if err != nil || !has {
		return err
	}
	lifetime := f.LinkLifetime
	if lifetime <= 0 {
		lifetime = defaultForgetLifetime
	}
	token := ForgetLink{EmailHash: emailHash, Expires: now.Add(lifetime)}.Seal(p.Identity)
	link := p.Links.API + ForgetConfirmPath + "?token=" + url.QueryEscape(token)
	if err := f.Mail.Send(ctx, f.message(email, link, lifetime, now)); err != nil {
		// Best effort, and the answer must not differ: logged only.
		slog.WarnContext(ctx, "forget mail: send", "err", err)
	}
	return nil
}

func (f *Forgetting) message(email, link string, lifetime time.Duration, now time.Time) mail.Message {
	site := f.SiteName
	if site == "" {
		site = "Broadsheet"
	}
	text := fmt.Sprintf(`Hello,

Someone, probably you, asked %s to forget this email address. To remove
it from all your comments, open this link within %d hours and press the
button:

%s

Your comments stay, signed "%s"; your email address, website and reply
notifications are removed, and so is what remembered you as a verified
commenter.

If you did not ask, ignore this email: nothing changes.
`, site, int(lifetime.Hours()), link, broadsheet.ErasedName)
	return mail.Message{
		From: f.From, To: netmail.Address{Address: email},
		Subject: "Remove your email from your comments on " + site, Text: text, Date: now,
	}
}

// ForgetPreview checks a forget-me link for its page (which changes
// nothing: mail scanners open links).
func (p *Public) ForgetPreview(token string) error {
	_, err := OpenForgetLink(p.Identity, token, p.Now().UTC())
	return err
}

// ConfirmForget is the link's button: the email is erased from every
// comment that carries it. It returns how many comments were erased (0
// when the link is followed again).
func (p *Public) ConfirmForget(ctx context.Context, token string) (int, error) {
	l, err := OpenForgetLink(p.Identity, token, p.Now().UTC())
	if err != nil {
		return 0, err
	}
	return p.Store.ForgetCommenter(ctx, l.EmailHash)
}
