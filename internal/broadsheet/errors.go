// Package broadsheet holds the domain: articles, comments and the rules that
// govern them. It depends on nothing but the standard library and small text
// libraries; storage and transport live in their own packages.
package broadsheet

import (
	"errors"
	"fmt"
	"time"
)

// Error codes are part of the HTTP contract (../shared/API.md): stable snake_case.
const (
	CodeBadRequest           = "bad_request"
	CodeValidation           = "validation_failed"
	CodeNotFound             = "not_found"
	CodeSlugTaken            = "slug_taken"
	CodePreconditionFailed   = "precondition_failed"
	CodePreconditionRequired = "precondition_required"
	CodeCommentsClosed       = "comments_closed"
	CodeDuplicateComment     = "duplicate_comment"
	CodeRateLimited          = "rate_limited"
	CodeIdempotencyMismatch  = "idempotency_key_reused"
	CodeInvalidCursor        = "invalid_cursor"
	CodeUnauthorized         = "unauthorized"
	CodeForbidden            = "forbidden"
	CodePayloadTooLarge      = "payload_too_large"
	CodeUnsupportedMedia     = "unsupported_media_type"
	CodeMethodNotAllowed     = "method_not_allowed"
	CodeUnavailable          = "unavailable"
	CodeInternal             = "internal_error"
)

// Error is a failure a client can act on. Its Message is shown to people, so
// it never carries storage error text or personal data.
type Error struct {
	Code       string
	Message    string
	Fields     map[string]string
	RetryAfter time.Duration // set for rate limits and unavailability
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf builds an *Error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err, or CodeInternal if err is not an *Error.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if err == nil {
		return ""
	}
	return CodeInternal
}

// FieldErrors collects validation failures field by field.
type FieldErrors map[string]string

// Add records the first problem seen for a field.
func (f FieldErrors) Add(field, problem string) {
	if _, ok := f[field]; !ok {
		f[field] = problem
	}
}

// Err returns a validation *Error describing all fields, or nil.
func (f FieldErrors) Err() error {
	if len(f) == 0 {
		return nil
	}
	msg := ""
	for _, k := range sortedKeys(f) {
		if msg != "" {
			msg += "; "
		}
		msg += k + " " + f[k]
	}
	return &Error{Code: CodeValidation, Message: msg, Fields: map[string]string(f)}
}
