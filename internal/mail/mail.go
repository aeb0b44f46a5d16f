// Package mail is what Broadsheet sends by email: one plain-text message
// formatted once as RFC 5322 bytes (RFC 2047 headers, quoted-printable
// UTF-8 body). Amazon SES sends exactly those bytes (internal/ses) and the
// local runtime writes them to $DATA_DIR/mail/ as .eml files (Dir), so what
// a developer opens locally is what a reader would receive.
//
// Formatting uses the standard library (net/mail for addresses, mime for
// encoded words, mime/quotedprintable for the body); no vetted library in
// the module writes messages, and these three cover plain text completely.
package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Message is one plain-text email.
type Message struct {
	From    mail.Address
	To      mail.Address
	Subject string
	Text    string
	// Headers are extra header fields, e.g. List-Unsubscribe. Values must
	// be ASCII (they are URLs and tokens here).
	Headers map[string]string
	Date    time.Time
}

// Sender delivers a message.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Format renders m as an RFC 5322 message with CRLF line ends.
func Format(m Message) ([]byte, error) {
	if m.From.Address == "" || m.To.Address == "" {
		return nil, errors.New("mail: From and To are required")
	}
	for _, a := range []string{m.From.Address, m.To.Address} {
		if strings.ContainsAny(a, "\r\n<>") {
			return nil, fmt.Errorf("mail: bad address %q", a)
		}
	}
	date := m.Date
	if date.IsZero() {
		date = time.Now()
	}
	var b bytes.Buffer
	header := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	header("From", m.From.String())
	header("To", m.To.String())
	header("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	header("Date", date.UTC().Format(time.RFC1123Z))
	header("Message-ID", "<"+messageID()+"@"+domainOf(m.From.Address)+">")
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	// Automatic mail: vacation responders must not answer it (RFC 3834).
	header("Auto-Submitted", "auto-generated")
	keys := make([]string, 0, len(m.Headers))
	for k := range m.Headers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := m.Headers[k]
		if strings.ContainsAny(k+v, "\r\n") || strings.ContainsAny(k, ": ") {
			return nil, fmt.Errorf("mail: bad header %q", k)
		}
		header(k, v)
	}
	b.WriteString("\r\n")
	w := quotedprintable.NewWriter(&b)
	text := strings.ReplaceAll(strings.ReplaceAll(m.Text, "\r\n", "\n"), "\n", "\r\n")
	if _, err := w.Write([]byte(text)); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func messageID() string {
	var r [16]byte
	_, _ = rand.Read(r[:])
	return hex.EncodeToString(r[:])
}

func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 && i+1 < len(addr) {
		return addr[i+1:]
	}
	return "localhost"
}

// Dir is the local mail sink: every message becomes one .eml file in the
// directory, named so that ls lists them oldest first.
type Dir string

// Send writes m as <Dir>/<UTC time>-<random>.eml.
func (d Dir) Send(_ context.Context, m Message) error {
	raw, err := Format(m)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(string(d), 0o755); err != nil {
		return err
	}
	name := time.Now().UTC().Format("20060102T150405.000000000Z") + "-" + messageID()[:8] + ".eml"
	tmp := filepath.Join(string(d), "."+name+".tmp")
	if err := os.WriteFile(tmp, raw, 0o644); err != nil {
		return err
	}
	// Rename so a reader of the directory never sees half a message.
	return os.Rename(tmp, filepath.Join(string(d), name))
}
