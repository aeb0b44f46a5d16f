// Package editorclient is a typed HTTP client for Broadsheet's editor API
// (the /admin routes of the contract in API.md), plus the workflows the
// editor CLI builds on it: publishing Markdown files, importing WordPress
// exports and JSON Lines, and moderating comments.
//
// Every request carries the bearer token; errors come back as *APIError
// carrying the API's {"error":{"code","message","fields"}} body. Requests are
// retried with exponential backoff on 429 (honouring Retry-After), 503 and
// network errors. POSTs carry an Idempotency-Key that stays the same across
// retries of one logical request.
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
	"math"
	mrand "math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
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
	// Sleep waits between tries; tests replace it. Default: a timer that
	// stops early when ctx is done.
	Sleep func(ctx context.Context, d time.Duration) error
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

func (c *Client) sleep(ctx context.Context, d time.Duration) error {
	if c.Sleep != nil {
		return c.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (c *Client) backoff(attempt int) time.Duration {
	base, max := c.BaseBackoff, c.MaxBackoff
	if base <= 0 {
		base = 250 * time.Millisecond
	}
	if max <= 0 {
		max = 8 * time.Second
	}
	d := time.Duration(float64(base) * math.Pow(2, float64(attempt-1)))
	if d > max || d <= 0 {
		d = max
	}
	// full jitter in [d/2, d]
	return d/2 + time.Duration(mrand.Int64N(int64(d/2)+1))
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
	var lastErr error
	for attempt := 1; ; attempt++ {
		var body io.Reader
		if payload != nil {
			body = bytes.NewReader(payload)
		}
		req, err := http.NewRequestWithContext(ctx, r.method, u, body)
		if err != nil {
			return nil, err
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
		var wait time.Duration
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			lastErr = &NetworkError{Method: r.method, Path: r.path, Err: err}
			wait = c.backoff(attempt)
		} else {
			data, rerr := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
			resp.Body.Close()
			if rerr != nil {
				lastErr = &NetworkError{Method: r.method, Path: r.path, Err: rerr}
				wait = c.backoff(attempt)
			} else if resp.StatusCode >= 200 && resp.StatusCode < 300 {
				return &response{status: resp.StatusCode, header: resp.Header, body: data}, nil
			} else {
				apiErr := parseAPIError(r.method, r.path, resp, data)
				if resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable {
					return nil, apiErr
				}
				lastErr = apiErr
				wait = c.backoff(attempt)
				if apiErr.RetryAfter > 0 {
					wait = apiErr.RetryAfter
					max := c.MaxRetryAfter
					if max <= 0 {
						max = 60 * time.Second
					}
					if wait > max {
						wait = max
					}
				}
			}
		}
		if attempt >= c.maxAttempts() {
			return nil, lastErr
		}
		if c.OnRetry != nil {
			c.OnRetry(r.method, r.path, attempt, wait, lastErr)
		}
		if err := c.sleep(ctx, wait); err != nil {
			return nil, err
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
