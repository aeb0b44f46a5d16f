package apigw

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"broadsheet/internal/broadsheet"
)

// decodeErrorOK checks what DecodeJSON may return: nil, or a contract error
// that maps to a 4xx.
func decodeErrorOK(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var be *broadsheet.Error
	if !errors.As(err, &be) {
		t.Fatalf("not a contract error: %T %v", err, err)
	}
	if st := statusOf[be.Code]; st < 400 || st > 499 {
		t.Fatalf("code %s maps to %d", be.Code, st)
	}
	if r := Fail(err); r.StatusCode < 400 || r.StatusCode > 499 || !json.Valid([]byte(r.Body)) {
		t.Fatalf("Fail: %d %s", r.StatusCode, r.Body)
	}
}

// FuzzDecodeJSON: any body, content type and encoding decodes or is refused
// with a 4xx contract error; never a panic, never a 5xx; what is accepted is
// one valid UTF-8 JSON object within the limit.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{`{}`, `{"status":"approved"}`, `{"a":1}{"b":2}`, `[`, `{"status":1}`, "\xff", `{"status":"\u0000"}`,
		" {\"x\":[[[[]]]]} ", `{"status":{"$gt":""}}`, `null`, `{"status":1e999}`} {
		f.Add([]byte(s), "application/json", false)
	}
	f.Add([]byte(`{"status":"approved"}`), "application/json; charset=latin1", false)
	f.Add([]byte(`{"status":"approved"}`), "application/merge-patch+json", true)
	f.Add([]byte(`x`), "", false)
	f.Fuzz(func(t *testing.T, body []byte, contentType string, b64 bool) {
		req := Request{Headers: map[string]string{"content-type": contentType}, Body: string(body)}
		if b64 {
			req.Body, req.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
		}
		const max = 4 << 10
		var v struct {
			Status string         `json:"status"`
			N      int            `json:"n"`
			M      map[string]any `json:"m"`
		}
		err := DecodeJSON(req, max, &v)
		decodeErrorOK(t, err)
		if err == nil {
			if len(body) > max || !utf8.Valid(body) || !json.Valid(body) || !strings.HasPrefix(strings.TrimSpace(string(body)), "{") {
				t.Fatalf("accepted %q", body)
			}
		}
	})
}

// FuzzCommentInput: the comment submission's decoding, normalisation and
// validation. Whatever passes is safe to store and show: a valid email, an
// http(s) website, no control characters in one-line fields, a body within
// the limit.
func FuzzCommentInput(f *testing.F) {
	f.Add(`{"name":"Sara","email":"sara@example.com","body":"Good news.","website":"https://example.com"}`)
	f.Add(`{"name":"a\u0000b","email":"us\u0435r@example.com","body":"<script>alert(1)</script>","website":"javascript:alert(1)"}`)
	f.Add(`{"name":" ","email":"a@b","body":"x","parentId":"../../x"}`)
	f.Add(`{"name":"N","email":"n@example.com","body":"` + strings.Repeat("x", 70000) + `"}`)
	f.Fuzz(func(t *testing.T, body string) {
		req := Request{Headers: map[string]string{"content-type": "application/json"}, Body: body}
		var in broadsheet.CommentInput
		err := DecodeJSON(req, broadsheet.MaxCommentRequest, &in)
		decodeErrorOK(t, err)
		if err != nil {
			return
		}
		in.Normalize()
		err = in.Validate()
		decodeErrorOK(t, err)
		if err != nil {
			return
		}
		if !broadsheet.ValidEmail(in.Email) || in.Name == "" || in.Body == "" {
			t.Fatalf("accepted %+v", in)
		}
		if in.Website != "" && !strings.HasPrefix(in.Website, "http://") && !strings.HasPrefix(in.Website, "https://") {
			t.Fatalf("accepted website %q", in.Website)
		}
		for _, s := range []string{in.Name, in.Email, in.Website} {
			for _, r := range s {
				if unicode.IsControl(r) {
					t.Fatalf("control character in %q", s)
				}
			}
		}
		if in.ParentID != "" && !broadsheet.LooksLikeID(in.ParentID) {
			t.Fatalf("accepted parentId %q", in.ParentID)
		}
	})
}

// FuzzArticleInput: what passes validation has a contract slug, a known
// status and no control characters in its one-line fields.
func FuzzArticleInput(f *testing.F) {
	f.Add(`{"title":"PM’s US visit","body":"The **talks**.","author":{"name":"Ayesha"},"tags":["Pakistan"],"status":"published"}`)
	f.Add(`{"title":"x","body":"y","author":{"name":"z"},"slug":"\u0430rticle","status":"draft","publishedAt":"2026-01-01T00:00:00Z"}`)
	f.Add(`{"title":"<script>","body":"[x](javascript:alert(1))","author":{"name":"a\u0007"},"slug":"../x","status":{"$gt":""}}`)
	f.Fuzz(func(t *testing.T, body string) {
		req := Request{Headers: map[string]string{"content-type": "application/json"}, Body: body}
		var in broadsheet.ArticleInput
		err := DecodeJSON(req, 1<<20, &in)
		decodeErrorOK(t, err)
		if err != nil {
			return
		}
		in.Normalize()
		err = in.Validate()
		decodeErrorOK(t, err)
		if err != nil {
			return
		}
		if !broadsheet.ValidSlug(in.Slug) || (in.Status != broadsheet.StatusDraft && in.Status != broadsheet.StatusPublished) || in.Title == "" {
			t.Fatalf("accepted %+v", in)
		}
		for _, s := range []string{in.Title, in.Author.Name} {
			for _, r := range s {
				if unicode.IsControl(r) {
					t.Fatalf("control character in %q", s)
				}
			}
		}
		for _, tag := range in.Tags {
			if !broadsheet.ValidSlug(tag) {
				t.Fatalf("tag %q", tag)
			}
		}
	})
}
