package apigw

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"broadsheet/internal/broadsheet"
)

func TestFailMapsEveryCodeToItsStatus(t *testing.T) {
	tests := []struct {
		err        error
		status     int
		code       string
		retryAfter string
	}{
		{broadsheet.Errorf(broadsheet.CodeValidation, "x"), 400, "validation_failed", ""},
		{broadsheet.Errorf(broadsheet.CodeInvalidCursor, "x"), 400, "invalid_cursor", ""},
		{broadsheet.Errorf(broadsheet.CodeNotFound, "x"), 404, "not_found", ""},
		{broadsheet.Errorf(broadsheet.CodeSlugTaken, "x"), 409, "slug_taken", ""},
		{broadsheet.Errorf(broadsheet.CodePreconditionFailed, "x"), 412, "precondition_failed", ""},
		{broadsheet.Errorf(broadsheet.CodePreconditionRequired, "x"), 428, "precondition_required", ""},
		{broadsheet.Errorf(broadsheet.CodeCommentsClosed, "x"), 403, "comments_closed", ""},
		{broadsheet.Errorf(broadsheet.CodePayloadTooLarge, "x"), 413, "payload_too_large", ""},
		{broadsheet.Errorf(broadsheet.CodeUnsupportedMedia, "x"), 415, "unsupported_media_type", ""},
		{&broadsheet.Error{Code: broadsheet.CodeRateLimited, Message: "x", RetryAfter: 1500 * time.Millisecond}, 429, "rate_limited", "2"},
		{&broadsheet.Error{Code: broadsheet.CodeUnavailable, Message: "x", RetryAfter: time.Second}, 503, "unavailable", "1"},
		// A raw error is a programming fault: 500, and its text never leaves.
		{errors.New("dynamodb: ResourceNotFoundException: table arn:aws:… not found"), 500, "internal_error", ""},
	}
	for _, tt := range tests {
		r := Fail(tt.err)
		var body errorBody
		if err := json.Unmarshal([]byte(r.Body), &body); err != nil {
			t.Fatal(err)
		}
		if r.StatusCode != tt.status || body.Error.Code != tt.code || r.Headers["Retry-After"] != tt.retryAfter {
			t.Errorf("Fail(%v) = %d %s Retry-After %q", tt.err, r.StatusCode, r.Body, r.Headers["Retry-After"])
		}
		if strings.Contains(r.Body, "dynamodb") || strings.Contains(r.Body, "arn:") {
			t.Errorf("internal error text leaked: %s", r.Body)
		}
		if r.Headers["Content-Type"] != "application/json; charset=utf-8" || r.Headers["X-Content-Type-Options"] != "nosniff" {
			t.Errorf("headers %v", r.Headers)
		}
	}
}

func TestCacheableAnswers304ForTheCurrentETag(t *testing.T) {
	first := Cacheable(Request{}, map[string]string{"a": "<b>"}, "public, max-age=60")
	tag := first.Headers["ETag"]
	if first.StatusCode != 200 || tag == "" || first.Headers["Cache-Control"] != "public, max-age=60" {
		t.Fatalf("first answer %+v", first)
	}
	if first.Body != `{"a":"<b>"}` {
		t.Errorf("body %s: HTML must not be escaped inside JSON", first.Body)
	}
	for header, want := range map[string]int{tag: 304, "W/" + tag: 304, `"x", ` + tag: 304, "*": 304, `"other"`: 200} {
		r := Cacheable(Request{Headers: map[string]string{"if-none-match": header}}, map[string]string{"a": "<b>"}, "public")
		if r.StatusCode != want || (want == 304 && r.Body != "") {
			t.Errorf("If-None-Match %s: %d %q", header, r.StatusCode, r.Body)
		}
	}
}

func TestDecodeJSON(t *testing.T) {
	type in struct {
		Name string   `json:"name"`
		Tags []string `json:"tags"`
	}
	req := func(ct, body string) Request {
		return Request{Headers: map[string]string{"content-type": ct}, Body: body}
	}
	tests := []struct {
		name string
		req  Request
		code string
	}{
		{"object", req("application/json", `{"name":"a"}`), ""},
		{"charset utf-8", req("application/json; charset=UTF-8", `{"name":"a"}`), ""},
		{"vendor json", req("application/merge-patch+json", `{"name":"a"}`), ""},
		{"unknown fields are allowed", req("application/json", `{"extra":1}`), ""},
		{"text/plain", req("text/plain", `{"name":"a"}`), broadsheet.CodeUnsupportedMedia},
		{"latin-1", req("application/json; charset=latin-1", `{}`), broadsheet.CodeUnsupportedMedia},
		{"no content type", req("", `{}`), broadsheet.CodeUnsupportedMedia},
		{"malformed", req("application/json", `{"name":`), broadsheet.CodeBadRequest},
		{"array", req("application/json", `[]`), broadsheet.CodeBadRequest},
		{"null", req("application/json", `null`), broadsheet.CodeBadRequest},
		{"empty", req("application/json", ``), broadsheet.CodeBadRequest},
		{"two objects", req("application/json", `{}{}`), broadsheet.CodeBadRequest},
		{"wrong type", req("application/json", `{"name":1}`), broadsheet.CodeValidation},
		{"deep nesting", req("application/json", `{"tags":`+strings.Repeat("[", 1000)+`}`), broadsheet.CodeBadRequest},
		{"too large", req("application/json", `{"name":"`+strings.Repeat("x", 2000)+`"}`), broadsheet.CodePayloadTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v in
			err := DecodeJSON(tt.req, 1024, &v)
			if broadsheet.ErrorCode(err) != tt.code {
				t.Errorf("DecodeJSON = %v, want code %q", err, tt.code)
			}
		})
	}
}

func TestRequireEditor(t *testing.T) {
	with := func(claims map[string]string, scopes ...string) Request {
		return Request{RequestContext: events.APIGatewayV2HTTPRequestContext{Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: claims, Scopes: scopes},
		}}}
	}
	tests := []struct {
		name string
		req  Request
		code string
	}{
		{"no authorizer", Request{Headers: map[string]string{"authorization": "Bearer x"}}, broadsheet.CodeUnauthorized},
		{"no claims", with(nil), broadsheet.CodeUnauthorized},
		{"scope list", with(map[string]string{"sub": "u"}, "openid", "articles:write"), ""},
		{"scope claim", with(map[string]string{"sub": "u", "scope": "openid articles:write"}), ""},
		{"cognito group as API Gateway renders it", with(map[string]string{"sub": "u", "cognito:groups": "[admins editors]"}), ""},
		{"groups as JSON", with(map[string]string{"sub": "u", "groups": `["editors"]`}), ""},
		{"look-alike scope", with(map[string]string{"sub": "u", "scope": "articles:writer"}), broadsheet.CodeForbidden},
		{"look-alike group", with(map[string]string{"sub": "u", "cognito:groups": "[editors-lite]"}), broadsheet.CodeForbidden},
		{"scp array", with(map[string]string{"sub": "u", "scp": "[openid articles:write]"}), ""},
		{"single group as a plain string", with(map[string]string{"sub": "u", "groups": "editors"}), ""},
		{"no rights", with(map[string]string{"sub": "u"}), broadsheet.CodeForbidden},
		// Look-alikes that substring or separator matching would let through:
		{"group 'Guest editors' as a string", with(map[string]string{"sub": "u", "groups": "Guest editors"}), broadsheet.CodeForbidden},
		{"group 'not editors' as a string", with(map[string]string{"sub": "u", "cognito:groups": "not editors"}), broadsheet.CodeForbidden},
		{"group 'former,editors' in an array", with(map[string]string{"sub": "u", "cognito:groups": "[former,editors admins]"}), broadsheet.CodeForbidden},
		{"group 'Guest editors' in a JSON array", with(map[string]string{"sub": "u", "groups": `["Guest editors"]`}), broadsheet.CodeForbidden},
		{"comma-separated scopes", with(map[string]string{"sub": "u", "scope": "openid,articles:write"}), broadsheet.CodeForbidden},
		{"scope inside a word", with(map[string]string{"sub": "u", "scope": "xarticles:write"}), broadsheet.CodeForbidden},
		{"group claim spelled like a scope", with(map[string]string{"sub": "u", "cognito:groups": "[articles:write]"}), broadsheet.CodeForbidden},
		{"empty array", with(map[string]string{"sub": "u", "cognito:groups": "[]"}), broadsheet.CodeForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := RequireEditor(tt.req)
			if broadsheet.ErrorCode(err) != tt.code {
				t.Errorf("RequireEditor = %v, want %q", err, tt.code)
			}
		})
	}
}

func TestRouterAnswersUnknownRoutesAndPanics(t *testing.T) {
	rt := Router{
		"GET /things":  func(_ context.Context, req Request) (Response, error) { return JSON(http.StatusOK, nil), nil },
		"POST /things": func(_ context.Context, req Request) (Response, error) { panic("boom: secret detail") },
	}
	r, _ := rt.Handle(t.Context(), Request{RouteKey: "DELETE /things"})
	if r.StatusCode != 405 || r.Headers["Allow"] == "" {
		t.Errorf("other method: %d %v", r.StatusCode, r.Headers)
	}
	r, _ = rt.Handle(t.Context(), Request{RouteKey: "GET /nothing"})
	if r.StatusCode != 404 {
		t.Errorf("unknown route: %d", r.StatusCode)
	}
	r, err := rt.Handle(t.Context(), Request{RouteKey: "POST /things"})
	if err != nil || r.StatusCode != 500 || strings.Contains(r.Body, "secret") {
		t.Errorf("panic: %d %s %v", r.StatusCode, r.Body, err)
	}
}
