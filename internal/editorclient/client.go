// Package editorclient is a typed HTTP client for Broadsheet's editor API
// (the /admin routes of the contract in API.md), plus the workflows the
// editor CLI builds on it: publishing Markdown files, importing WordPress
// exports and JSON Lines, and moderating comments.
//
// Every request carries the bearer token; errors come back as *APIError
// carrying the API's {"error":{"code","message","fields"}} body. Requests are
// retried with exponential backoff (github.com/cenkalti/backoff) on 429
// (honouring Retry-After), 503 and network errors, never on another answer.
// POSTs carry an Idempotency-Key that stays the same across retries of one
// logical request.
package editorclient

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v5"

	"broadsheet/internal/apigw"
)

// DefaultBaseURL is where `make local` serves the API.
const DefaultBaseURL = "http://127.0.0.1:3000"

// Client talks to one Broadsheet API. The zero value is not usable; use New.
type Client struct {
	BaseURL string // e.g. http://127.0.0.1:3000 (no trailing slash needed)
	Token   string // bearer token sent on every request
	HTTP    *http.Client

	// MaxAttempts is the number of tries per request (first try included)
	// for retryable failures. Default 5.
	MaxAttempts int
	// BaseBackoff and MaxBackoff bound the exponential backoff between
	// tries when the server gives no Retry-After. Defaults 250ms and 8s.
	BaseBackoff time.Duration
	MaxBackoff  time.Duration
	// MaxRetryAfter caps how long a Retry-After is honoured. Default 60s.
	MaxRetryAfter time.Duration
	// OnRetry, when set, is told about each retry (for logging).
	OnRetry func(method, path string, attempt int, wait time.Duration, err error)
	// UserAgent is sent as User-Agent.
	UserAgent string
}

// New returns a client for baseURL with token and sensible defaults.
func New(baseURL, token string) *Client {
	if baseURL == "" {
		baseURL = DefaultBaseURL
	}
	return &Client{
		BaseURL:   strings.TrimRight(baseURL, "/"),
		Token:     token,
		HTTP:      &http.Client{Timeout: 30 * time.Second},
		UserAgent: "broadsheet-editor/1",
	}
}

func (c *Client) maxAttempts() int {
	if c.MaxAttempts > 0 {
		return c.MaxAttempts
	}
	return 5
}

// backoff is the wait between tries when the server names none: doubling
// from BaseBackoff up to MaxBackoff, each wait jittered by ±50% so that
// clients that failed together do not retry together.
func (c *Client) backoff() *backoff.ExponentialBackOff {
	b := &backoff.ExponentialBackOff{
		InitialInterval:     250 * time.Millisecond,
		MaxInterval:         8 * time.Second,
		Multiplier:          2,
		RandomizationFactor: 0.5,
	}
	if c.BaseBackoff > 0 {
		b.InitialInterval = c.BaseBackoff
	}
	if c.MaxBackoff > 0 {
		b.MaxInterval = c.MaxBackoff
	}
	return b
}

func (c *Client) maxRetryAfter() time.Duration {
	if c.MaxRetryAfter > 0 {
		return c.MaxRetryAfter
	}
	return 60 * time.Second
}

// request describes one logical API call.
type request struct {
	method  string
	path    string     // path beginning with /, already escaped
	query   url.Values // optional
	body    any        // marshalled as JSON when non-nil
	ifMatch string
}

// response is what do returns for a 2xx answer.
type response struct {
	status int
	header http.Header
	body   []byte
}

// do performs r with retries and returns the 2xx response, or an error: an
// *APIError for a non-2xx answer, or a transport error after the last try.
func (c *Client) do(ctx context.Context, r request) (*response, error) {
	var payload []byte
	if r.body != nil {
		var err error
		payload, err = json.Marshal(r.body)
		if err != nil {
			return nil, fmt.Errorf("encoding request: %w", err)
		}
	}
	u := c.BaseURL + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	idemKey := ""
	if r.method == http.MethodPost {
		idemKey = newKey()
	}
	attempt := 0
	try := func() (*response, error) {
		attempt++
		return c.try(ctx, r, u, payload, idemKey)
	}
	resp, err := backoff.Retry(ctx, try,
		backoff.WithBackOff(c.backoff()),
		backoff.WithMaxTries(uint(c.maxAttempts())),
		backoff.WithMaxElapsedTime(0), // the tries bound the wait, and ctx the whole call
		backoff.WithNotify(func(err error, wait time.Duration) {
			if c.OnRetry != nil {
				c.OnRetry(r.method, r.path, attempt, wait, unwrapRetryAfter(err))
			}
		}),
	)
	return resp, unwrapRetryAfter(err)
}

// try makes one attempt. Errors that no retry can fix are permanent:
// every answer but 429 and 503, and a cancelled context.
func (c *Client) try(ctx context.Context, r request, u string, payload []byte, idemKey string) (*response, error) {
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u, body)
	if err != nil {
		return nil, backoff.Permanent(err)
	}
	req.Header.Set("Accept", "application/json")
	if payload != nil {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	if c.UserAgent != "" {
		req.Header.Set("User-Agent", c.UserAgent)
	}
	if r.ifMatch != "" {
		req.Header.Set("If-Match", r.ifMatch)
	}
	if idemKey != "" {
		req.Header.Set("Idempotency-Key", idemKey)
	}
	client := c.HTTP
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, backoff.Permanent(ctx.Err())
		}
		return nil, &NetworkError{Method: r.method, Path: r.path, Err: err}
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	resp.Body.Close()
	if err != nil {
		return nil, &NetworkError{Method: r.method, Path: r.path, Err: err}
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return &response{status: resp.StatusCode, header: resp.Header, body: data}, nil
	}
	apiErr := parseAPIError(r.method, r.path, resp, data)
	switch {
	case resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable:
		return nil, backoff.Permanent(apiErr)
	case apiErr.RetryAfter > 0:
		return nil, &retryAfter{err: apiErr, wait: backoff.RetryAfterError{Duration: min(apiErr.RetryAfter, c.maxRetryAfter())}}
	}
	return nil, apiErr
}

// retryAfter is a retryable answer that named its wait: backoff.Retry finds
// the *backoff.RetryAfterError in its chain and waits that long instead of
// its own interval, and callers see the answer itself.
type retryAfter struct {
	err  error
	wait backoff.RetryAfterError
}

func (e *retryAfter) Error() string   { return e.err.Error() }
func (e *retryAfter) Unwrap() []error { return []error{e.err, &e.wait} }

func unwrapRetryAfter(err error) error {
	if ra, ok := err.(*retryAfter); ok {
		return ra.err
	}
	return err
}

// pages iterates over the items of a cursor-paginated list, asking list for
// each page from the first (cursor "") until nextCursor is null. A cursor
// seen before ends the walk, so a server that loops cannot trap the client.
func pages[T any](list func(cursor string) (apigw.List[T], error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		seen := map[string]bool{}
		cursor := ""
		for {
			page, err := list(cursor)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, item := range page.Items {
				if !yield(item, nil) {
					return
				}
			}
			if page.NextCursor == nil || *page.NextCursor == "" || seen[*page.NextCursor] {
				return
			}
			cursor = *page.NextCursor
			seen[cursor] = true
		}
	}
}

// decode unmarshals a JSON response body into v.
func (r *response) decode(v any) error {
	if err := json.Unmarshal(r.body, v); err != nil {
		return fmt.Errorf("decoding response: %w", err)
	}
	return nil
}

// parseRetryAfter understands both forms of Retry-After (seconds or an HTTP date).
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n < 0 {
			return 0
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

func newKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// NetworkError is a transport failure (connection refused, reset, timeout)
// after all retries.
type NetworkError struct {
	Method, Path string
	Err          error
}

func (e *NetworkError) Error() string {
	return fmt.Sprintf("%s %s: %v", e.Method, e.Path, e.Err)
}

func (e *NetworkError) Unwrap() error { return e.Err }

// IsNotFound reports whether err is an API 404.
func IsNotFound(err error) bool { return StatusCode(err) == http.StatusNotFound }

// StatusCode returns the HTTP status of an *APIError in err's chain, or 0.
func StatusCode(err error) int {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.StatusCode
	}
	return 0
}

// HasCode reports whether err carries the API error code.
func HasCode(err error, code string) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Code == code
}

func escape(id string) string { return url.PathEscape(id) }
