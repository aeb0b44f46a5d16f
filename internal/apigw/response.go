// Package apigw adapts API Gateway HTTP API (payload 2.0) events to the
// domain: decoding requests, checking editor claims, and encoding JSON
// answers and errors exactly as ../shared/API.md describes.
package apigw

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"broadsheet/internal/broadsheet"
)

// Response is what a Lambda handler returns to API Gateway.
type Response = events.APIGatewayV2HTTPResponse

// Request is what API Gateway sends a Lambda handler.
type Request = events.APIGatewayV2HTTPRequest

// statusOf maps the contract's error codes to HTTP statuses.
var statusOf = map[string]int{
	broadsheet.CodeBadRequest:           http.StatusBadRequest,
	broadsheet.CodeValidation:           http.StatusBadRequest,
	broadsheet.CodeInvalidCursor:        http.StatusBadRequest,
	broadsheet.CodeNotFound:             http.StatusNotFound,
	broadsheet.CodeSlugTaken:            http.StatusConflict,
	broadsheet.CodeDuplicateComment:     http.StatusConflict,
	broadsheet.CodePreconditionFailed:   http.StatusPreconditionFailed,
	broadsheet.CodePreconditionRequired: http.StatusPreconditionRequired,
	broadsheet.CodeCommentsClosed:       http.StatusForbidden,
	broadsheet.CodeForbidden:            http.StatusForbidden,
	broadsheet.CodeUnauthorized:         http.StatusUnauthorized,
	broadsheet.CodeRateLimited:          http.StatusTooManyRequests,
	broadsheet.CodeIdempotencyMismatch:  http.StatusUnprocessableEntity,
	broadsheet.CodePayloadTooLarge:      http.StatusRequestEntityTooLarge,
	broadsheet.CodeUnsupportedMedia:     http.StatusUnsupportedMediaType,
	broadsheet.CodeMethodNotAllowed:     http.StatusMethodNotAllowed,
	broadsheet.CodeUnavailable:          http.StatusServiceUnavailable,
	broadsheet.CodeInternal:             http.StatusInternalServerError,
}

// baseHeaders go on every answer: JSON with a charset, no sniffing.
func baseHeaders() map[string]string {
	return map[string]string{
		"Content-Type":           "application/json; charset=utf-8",
		"X-Content-Type-Options": "nosniff",
	}
}

// JSON answers status with v encoded as JSON. Editor and error answers are
// never cached; public reads set their own Cache-Control.
func JSON(status int, v any) Response {
	body, err := Marshal(v)
	if err != nil {
		slog.Error("encode response", "err", err)
		return Fail(broadsheet.Errorf(broadsheet.CodeInternal, "the server could not encode its answer"))
	}
	h := baseHeaders()
	h["Cache-Control"] = "no-store"
	return Response{StatusCode: status, Headers: h, Body: string(body)}
}

// Marshal encodes v as compact JSON without escaping <, > and &: answers are
// application/json with nosniff, so "<mark>" reads as itself in every client
// and costs 5 bytes instead of 21.
func Marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

type errorBody struct {
	Error struct {
		Code    string            `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields,omitempty"`
	} `json:"error"`
}

// Fail turns an error into the contract's error answer. Errors that are not
// *broadsheet.Error are programming faults: they are logged and answered with
// a generic 500 that reveals nothing.
func Fail(err error) Response {
	var e *broadsheet.Error
	if !errors.As(err, &e) {
		slog.Error("unexpected error", "err", err)
		e = broadsheet.Errorf(broadsheet.CodeInternal, "something went wrong on our side")
	}
	status, ok := statusOf[e.Code]
	if !ok {
		status = http.StatusBadRequest
	}
	var b errorBody
	b.Error.Code, b.Error.Message, b.Error.Fields = e.Code, e.Message, e.Fields
	r := JSON(status, b)
	if e.RetryAfter > 0 {
		secs := int((e.RetryAfter + 999_999_999) / 1_000_000_000)
		r.Headers["Retry-After"] = strconv.Itoa(secs)
	}
	return r
}

// ETag is a strong validator of an answer's bytes.
func ETag(body string) string {
	sum := sha256.Sum256([]byte(body))
	return `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`
}

// Cacheable answers a public read: JSON with ETag and Cache-Control, or 304
// when the client already holds this representation.
func Cacheable(req Request, v any, cacheControl string) Response {
	r := JSON(http.StatusOK, v)
	if r.StatusCode != http.StatusOK {
		return r
	}
	tag := ETag(r.Body)
	r.Headers["ETag"] = tag
	r.Headers["Cache-Control"] = cacheControl
	if MatchesETag(Header(req, "if-none-match"), tag) {
		r.StatusCode = http.StatusNotModified
		r.Body = ""
	}
	return r
}

// MatchesETag reports whether an If-None-Match or If-Match header value names tag.
// Weak comparison is used, as RFC 9110 requires for If-None-Match.
func MatchesETag(header, tag string) bool {
	if header == "" {
		return false
	}
	for _, h := range strings.Split(header, ",") {
		h = strings.TrimPrefix(strings.TrimSpace(h), "W/")
		if h == "*" || h == tag {
			return true
		}
	}
	return false
}
