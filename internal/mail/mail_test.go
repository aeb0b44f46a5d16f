package mail_test

import (
	"context"
	"io"
	"mime"
	"mime/quotedprintable"
	netmail "net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/mail"
)

var sample = mail.Message{
	From:    netmail.Address{Name: "Broadsheet", Address: "comments@news.example"},
	To:      netmail.Address{Name: "Zoë Ahmed — قاری", Address: "zoe@example.com"},
	Subject: "Confirm your comment on «Müll» — تصدیق",
	Text:    "Follow this link:\nhttps://news.example/comments/verify?token=abc.def\n\nA line long enough to be folded by quoted-printable, because it goes on and on and on past seventy-six characters.",
	Headers: map[string]string{"List-Unsubscribe": "<https://news.example/u?t=1>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
	Date:    time.Date(2026, 12, 6, 18, 0, 0, 0, time.UTC),
}

// TestFormatReadsBackWithTheStandardParser: what we write, a mail reader
// parses back to the same words (headers decoded, body decoded).
func TestFormatReadsBackWithTheStandardParser(t *testing.T) {
	raw, err := mail.Format(sample)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(raw), "\r\n") {
		if len(line) > 998 {
			t.Fatalf("line over RFC 5322's 998 characters: %d", len(line))
		}
		for _, r := range line {
			if r > 127 {
				t.Fatalf("8-bit character in a 7-bit message: %q", line)
			}
		}
	}
	m, err := netmail.ReadMessage(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	dec := new(mime.WordDecoder)
	subject, err := dec.DecodeHeader(m.Header.Get("Subject"))
	if err != nil || subject != sample.Subject {
		t.Fatalf("subject %q %v, want %q", subject, err, sample.Subject)
	}
	to, err := m.Header.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Name != sample.To.Name || to[0].Address != sample.To.Address {
		t.Fatalf("to %v %v", to, err)
	}
	if m.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" || m.Header.Get("Auto-Submitted") != "auto-generated" || m.Header.Get("Message-Id") == "" {
		t.Fatalf("headers %v", m.Header)
	}
	if d, err := m.Header.Date(); err != nil || !d.Equal(sample.Date) {
		t.Fatalf("date %v %v", d, err)
	}
	body, _ := io.ReadAll(m.Body)
	text, _ := io.ReadAll(quotedprintable.NewReader(strings.NewReader(string(body))))
	if got := strings.ReplaceAll(string(text), "\r\n", "\n"); got != sample.Text {
		t.Fatalf("body %q, want %q", got, sample.Text)
	}
}

func TestFormatRefusesHeaderInjection(t *testing.T) {
	for _, m := range []mail.Message{
		{From: sample.From, To: netmail.Address{Address: "a@example.com\r\nBcc: b@example.com"}},
		{From: sample.From, To: sample.To, Headers: map[string]string{"X-A": "1\r\nBcc: b@example.com"}},
		{From: sample.From},
	} {
		if _, err := mail.Format(m); err == nil {
			t.Errorf("formatted %+v", m)
		}
	}
}

func TestDirWritesOneFilePerMessage(t *testing.T) {
	dir := mail.Dir(filepath.Join(t.TempDir(), "mail"))
	for range 3 {
		if err := dir.Send(context.Background(), sample); err != nil {
			t.Fatal(err)
		}
	}
	files, _ := filepath.Glob(filepath.Join(string(dir), "*.eml"))
	if len(files) != 3 {
		t.Fatalf("%d .eml files, want 3", len(files))
	}
	raw, _ := os.ReadFile(files[0])
	if _, err := netmail.ReadMessage(strings.NewReader(string(raw))); err != nil {
		t.Fatal(err)
	}
}
