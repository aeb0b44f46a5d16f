package ses_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	netmail "net/mail"
	"strings"
	"testing"

	"broadsheet/internal/mail"
	"broadsheet/internal/ses"
)

// TestSendsTheFormattedMessageRaw drives the real SES client against a
// local endpoint and checks the request it makes: POST /v2/email/outbound-emails
// with the raw message mail.Format writes, the configuration set, signed.
func TestSendsTheFormattedMessageRaw(t *testing.T) {
	var got struct {
		path, auth, body string
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got.path, got.auth, got.body = r.URL.Path, r.Header.Get("Authorization"), string(b)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"MessageId":"m-1"}`))
	}))
	defer srv.Close()
	env := map[string]string{"SES_ENDPOINT": srv.URL, "SES_CONFIGURATION_SET": "broadsheet"}
	s, err := ses.FromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	m := mail.Message{From: netmail.Address{Name: "Broadsheet", Address: "c@news.example"}, To: netmail.Address{Address: "r@example.com"}, Subject: "Hi", Text: "Body"}
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if got.path != "/v2/email/outbound-emails" || !strings.HasPrefix(got.auth, "AWS4-HMAC-SHA256 ") {
		t.Fatalf("request %s auth %q", got.path, got.auth)
	}
	for _, want := range []string{`"ConfigurationSetName":"broadsheet"`, `"ToAddresses":["r@example.com"]`, `"Raw":{"Data":"`} {
		if !strings.Contains(got.body, want) {
			t.Errorf("request body lacks %s: %s", want, got.body)
		}
	}
}
