package editorclient

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"time"
)

// APIError is a non-2xx answer from the API, carrying the contract's error
// body {"error": {"code", "message", "fields"}}. When the body is not in that
// shape (a gateway error page, say) Code is "http_<status>" and Message is a
// short excerpt of the body.
type APIError struct {
	Method     string
	Path       string
	StatusCode int
	Code       string
	Message    string
	Fields     map[string]string
	RetryAfter time.Duration // from Retry-After, when the server sent one
}

// emailLike matches anything that looks like an email address. Error text is
// shown to people and may end up in logs, so it is scrubbed even though the
// contract says the server never echoes an email.
var emailLike = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)+`)

// Redact replaces email-like substrings of s with "<email>".
func Redact(s string) string { return emailLike.ReplaceAllString(s, "<email>") }

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %d %s", e.Method, e.Path, e.StatusCode, e.Code)
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if len(e.Fields) > 0 {
		keys := make([]string, 0, len(e.Fields))
		for k := range e.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteString(" (")
		for i, k := range keys {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%s: %s", k, e.Fields[k])
		}
		b.WriteString(")")
	}
	return Redact(b.String())
}

func parseAPIError(method, path string, resp *http.Response, body []byte) *APIError {
	e := &APIError{
		Method:     method,
		Path:       path,
		StatusCode: resp.StatusCode,
		RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()),
	}
	var env struct {
		Error *struct {
			Code    string          `json:"code"`
			Message string          `json:"message"`
			Fields  json.RawMessage `json:"fields"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &env) == nil && env.Error != nil && env.Error.Code != "" {
		e.Code = env.Error.Code
		e.Message = env.Error.Message
		if len(env.Error.Fields) > 0 && string(env.Error.Fields) != "null" {
			var fs map[string]any
			if json.Unmarshal(env.Error.Fields, &fs) == nil {
				e.Fields = make(map[string]string, len(fs))
				for k, v := range fs {
					if s, ok := v.(string); ok {
						e.Fields[k] = s
					} else {
						b, _ := json.Marshal(v)
						e.Fields[k] = string(b)
					}
				}
			}
		}
		return e
	}
	e.Code = fmt.Sprintf("http_%d", resp.StatusCode)
	msg := strings.TrimSpace(string(body))
	// A gateway's {"message": "..."} body.
	var gw struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &gw) == nil && gw.Message != "" {
		msg = gw.Message
	}
	if len(msg) > 200 {
		msg = strings.ToValidUTF8(msg[:200], "") + "…"
	}
	if msg == "" {
		msg = http.StatusText(resp.StatusCode)
	}
	e.Message = msg
	return e
}
