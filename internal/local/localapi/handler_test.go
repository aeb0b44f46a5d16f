package localapi

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"broadsheet/internal/local/localauth"
	"broadsheet/internal/local/samtemplate"
	"broadsheet/internal/testkit/dynamotest"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/golang-jwt/jwt/v5"
)

func TestMain(m *testing.M) { os.Exit(dynamotest.RunTests(m)) }

const testSecret = "0123456789abcdef0123456789abcdef"

func realTemplate(t *testing.T) *samtemplate.Template {
	t.Helper()
	tpl, err := samtemplate.Load("../../../template.yaml", samtemplate.Options{TableName: "tbl", Parameters: map[string]string{"SigningSecret": testSecret}})
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

// echo is a test function: it answers with the event it received, and
// reports its Lambda context and environment in headers.
type echo struct {
	mu     sync.Mutex
	events []events.APIGatewayV2HTTPRequest
	// respond, if set, replaces the echo answer.
	respond func(ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)
}

func (e *echo) factory(ctx context.Context, getenv func(string) string) (any, error) {
	return func(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		e.mu.Lock()
		e.events = append(e.events, ev)
		e.mu.Unlock()
		if e.respond != nil {
			return e.respond(ev)
		}
		lc, _ := lambdacontext.FromContext(ctx)
		dl, _ := ctx.Deadline()
		b, _ := json.Marshal(ev)
		return events.APIGatewayV2HTTPResponse{
			StatusCode: 200,
			Headers: map[string]string{
				"content-type":  "application/json",
				"x-request-id":  lc.AwsRequestID,
				"x-arn":         lc.InvokedFunctionArn,
				"x-table":       getenv("TABLE_NAME"),
				"x-endpoint":    getenv("DYNAMODB_ENDPOINT"),
				"x-fn":          getenv("AWS_LAMBDA_FUNCTION_NAME"),
				"x-deadline-in": time.Until(dl).Round(time.Second).String(),
			},
			Body: string(b),
		}, nil
	}, nil
}

func (e *echo) count() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.events)
}

func (e *echo) last() events.APIGatewayV2HTTPRequest {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.events[len(e.events)-1]
}

// rawCapture records the exact JSON payloads sent to functions.
type rawCapture struct {
	Invoker
	mu       sync.Mutex
	payloads []string
}

func (c *rawCapture) Invoke(ctx context.Context, fn string, payload []byte) ([]byte, error) {
	c.mu.Lock()
	c.payloads = append(c.payloads, string(payload))
	c.mu.Unlock()
	return c.Invoker.Invoke(ctx, fn, payload)
}

type fixture struct {
	tpl    *samtemplate.Template
	signer *localauth.Signer
	fn     *echo
	raw    *rawCapture
	h      http.Handler
	logs   *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newFixture(t *testing.T, mod func(*samtemplate.Template, *HandlerConfig)) *fixture {
	t.Helper()
	tpl := realTemplate(t)
	signer, err := localauth.NewEphemeral()
	if err != nil {
		t.Fatal(err)
	}
	fn := &echo{}
	factories := map[string]Factory{}
	for _, f := range tpl.Functions {
		if f.CodeUri != "functions/search" { // SearchFunction stays unregistered
			factories[f.CodeUri] = fn.factory
		}
	}
	raw := &rawCapture{Invoker: NewInProcess(InProcessConfig{Template: tpl, Factories: factories, Env: map[string]string{"DYNAMODB_ENDPOINT": "http://ddb.local"}})}
	logs := &syncBuffer{}
	cfg := HandlerConfig{Template: tpl, Invoker: raw, JWTKeys: func(string) localauth.KeySet { return signer.Keys() }, Logger: slog.New(slog.NewJSONHandler(logs, nil))}
	if mod != nil {
		mod(tpl, &cfg)
	}
	h, err := NewHandler(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{tpl: tpl, signer: signer, fn: fn, raw: raw, h: h, logs: logs}
}

func (f *fixture) do(req *http.Request) *http.Response {
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	return rec.Result()
}

func body(t *testing.T, r *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func (f *fixture) token(t *testing.T, mod func(jwt.MapClaims)) string {
	t.Helper()
	c := jwt.MapClaims{
		"iss": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_EXAMPLE", "aud": "broadsheet-editors",
		"sub": "ed", "exp": time.Now().Add(time.Hour).Unix(), "scope": "articles:write openid",
		"cognito:groups": []string{"editors"},
	}
	if mod != nil {
		mod(c)
	}
	tok, err := f.signer.Sign(c)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestEventShape(t *testing.T) {
	f := newFixture(t, nil)
	req := httptest.NewRequest("GET", "http://127.0.0.1:3000/articles/hello%20world?tag=a&tag=b&q=x%20y", nil)
	req.RemoteAddr = "192.0.2.7:51234"
	req.Header.Add("X-Multi", "one")
	req.Header.Add("X-Multi", "two")
	req.Header.Set("User-Agent", "test-agent/1.0")
	req.Header.Add("Cookie", "a=1; b=2")
	req.Header.Add("Cookie", "c=3")
	resp := f.do(req)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body(t, resp))
	}
	ev := f.fn.last()
	if ev.Version != "2.0" || ev.RouteKey != "GET /articles/{slug}" || ev.RawPath != "/articles/hello%20world" || ev.RawQueryString != "tag=a&tag=b&q=x%20y" {
		t.Fatalf("event = %+v", ev)
	}
	if !reflect.DeepEqual(ev.PathParameters, map[string]string{"slug": "hello world"}) {
		t.Errorf("pathParameters = %v", ev.PathParameters)
	}
	if !reflect.DeepEqual(ev.QueryStringParameters, map[string]string{"tag": "a,b", "q": "x y"}) {
		t.Errorf("queryStringParameters = %v", ev.QueryStringParameters)
	}
	if !reflect.DeepEqual(ev.Cookies, []string{"a=1", "b=2", "c=3"}) {
		t.Errorf("cookies = %v", ev.Cookies)
	}
	if ev.Headers["x-multi"] != "one,two" || ev.Headers["user-agent"] != "test-agent/1.0" || ev.Headers["host"] != "127.0.0.1:3000" || ev.Headers["x-forwarded-for"] != "192.0.2.7" {
		t.Errorf("headers = %v", ev.Headers)
	}
	for k := range ev.Headers {
		if k != strings.ToLower(k) || k == "cookie" {
			t.Errorf("header %q in event", k)
		}
	}
	rc := ev.RequestContext
	if rc.Stage != "$default" || rc.RouteKey != ev.RouteKey || rc.AccountID != "123456789012" || rc.APIID == "" || rc.RequestID == "" ||
		rc.DomainName != "127.0.0.1" || rc.DomainPrefix != "127" || rc.Authorizer != nil {
		t.Errorf("requestContext = %+v", rc)
	}
	if rc.HTTP != (events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET", Path: "/articles/hello world", Protocol: "HTTP/1.1", SourceIP: "192.0.2.7", UserAgent: "test-agent/1.0"}) {
		t.Errorf("http = %+v", rc.HTTP)
	}
	if !regexp.MustCompile(`^\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000$`).MatchString(rc.Time) {
		t.Errorf("time = %q", rc.Time)
	}
	if d := time.Since(time.UnixMilli(rc.TimeEpoch)); d < 0 || d > time.Minute {
		t.Errorf("timeEpoch = %d", rc.TimeEpoch)
	}
	if ev.Body != "" || ev.IsBase64Encoded {
		t.Errorf("body = %q base64=%v", ev.Body, ev.IsBase64Encoded)
	}
	if got := resp.Header.Get("Apigw-Requestid"); got != rc.RequestID {
		t.Errorf("apigw-requestid %q != requestId %q", got, rc.RequestID)
	}
	// Lambda context, timeout and environment reach the function.
	if resp.Header.Get("X-Request-Id") == "" || resp.Header.Get("X-Arn") != "arn:aws:lambda:us-east-1:123456789012:function:ArticlesFunction" {
		t.Errorf("lambda context headers = %v", resp.Header)
	}
	if resp.Header.Get("X-Table") != "tbl" || resp.Header.Get("X-Endpoint") != "http://ddb.local" || resp.Header.Get("X-Fn") != "ArticlesFunction" || resp.Header.Get("X-Deadline-In") != "10s" {
		t.Errorf("env headers = %v", resp.Header)
	}
	// The JSON keys are API Gateway's.
	var raw map[string]any
	if err := json.Unmarshal([]byte(f.raw.payloads[0]), &raw); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"version", "routeKey", "rawPath", "rawQueryString", "cookies", "headers", "queryStringParameters", "pathParameters", "requestContext", "isBase64Encoded"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("key %q missing from %s", k, f.raw.payloads[0])
		}
	}
	rcRaw := raw["requestContext"].(map[string]any)
	for _, k := range []string{"accountId", "apiId", "domainName", "domainPrefix", "http", "requestId", "routeKey", "stage", "time", "timeEpoch"} {
		if _, ok := rcRaw[k]; !ok {
			t.Errorf("requestContext.%s missing", k)
		}
	}
	// One access-log line per request.
	var line map[string]any
	if err := json.Unmarshal([]byte(strings.TrimSpace(f.logs.String())), &line); err != nil {
		t.Fatalf("log %q: %v", f.logs.String(), err)
	}
	if line["method"] != "GET" || line["path"] != "/articles/hello world" || line["status"] != float64(200) || line["function"] != "ArticlesFunction" || line["duration"] == nil {
		t.Errorf("log line = %v", line)
	}
}

func TestBodies(t *testing.T) {
	f := newFixture(t, func(tpl *samtemplate.Template, _ *HandlerConfig) {
		tpl.Functions["CommentsFunction"].Timeout = 60 // big events are slow under -race
	})
	post := func(ct string, b []byte) events.APIGatewayV2HTTPRequest {
		req := httptest.NewRequest("POST", "/articles/x/comments", bytes.NewReader(b))
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		if resp := f.do(req); resp.StatusCode != 200 {
			t.Fatalf("status %d", resp.StatusCode)
		}
		return f.fn.last()
	}
	ev := post("application/json; charset=utf-8", []byte(`{"name":"é"}`))
	if ev.Body != `{"name":"é"}` || ev.IsBase64Encoded || ev.RouteKey != "POST /articles/{slug}/comments" || ev.Headers["content-length"] != "13" {
		t.Errorf("json body: %q %v %s", ev.Body, ev.IsBase64Encoded, ev.RouteKey)
	}
	bin := []byte{0, 1, 2, 0xff}
	for _, ct := range []string{"application/octet-stream", "", "application/x-www-form-urlencoded"} {
		ev = post(ct, bin)
		if !ev.IsBase64Encoded || ev.Body != base64.StdEncoding.EncodeToString(bin) {
			t.Errorf("%q body: %q %v", ct, ev.Body, ev.IsBase64Encoded)
		}
	}
	ev = post("text/plain", []byte{0xff, 0xfe})
	if !ev.IsBase64Encoded {
		t.Errorf("invalid UTF-8 text sent as text")
	}

	n := f.fn.count()
	big := bytes.Repeat([]byte("a"), MaxBodyBytes+1)
	resp := f.do(httptest.NewRequest("POST", "/articles/x/comments", bytes.NewReader(big)))
	if resp.StatusCode != 413 || body(t, resp) != `{"message":"Request Entity Too Large"}` {
		t.Errorf("oversized body: %d", resp.StatusCode)
	}
	// Without a Content-Length (chunked) the limit still holds.
	req := httptest.NewRequest("POST", "/articles/x/comments", io.MultiReader(bytes.NewReader(big)))
	req.ContentLength = -1
	if resp := f.do(req); resp.StatusCode != 413 {
		t.Errorf("oversized chunked body: %d", resp.StatusCode)
	}
	if f.fn.count() != n {
		t.Error("function invoked for an oversized body")
	}
	// Within API Gateway's 10 MB but over Lambda's 6 MB event limit.
	req = httptest.NewRequest("POST", "/articles/x/comments", bytes.NewReader(big[:MaxBodyBytes]))
	req.Header.Set("Content-Type", "text/plain")
	if resp := f.do(req); resp.StatusCode != 413 {
		t.Errorf("10 MB body: %d", resp.StatusCode)
	}
	if f.fn.count() != n {
		t.Error("function invoked for an oversized event")
	}
	req = httptest.NewRequest("POST", "/articles/x/comments", bytes.NewReader(big[:5<<20]))
	req.Header.Set("Content-Type", "text/plain")
	if resp := f.do(req); resp.StatusCode != 200 || len(f.fn.last().Body) != 5<<20 {
		t.Errorf("5 MB body: %d", resp.StatusCode)
	}
}

func TestResponses(t *testing.T) {
	tests := []struct {
		name    string
		respond func(events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)
		status  int
		body    string
		header  map[string][]string
		noCT    bool
	}{
		{"structured", func(events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
			return events.APIGatewayV2HTTPResponse{StatusCode: 201, Body: `{"ok":true}`,
				Headers:           map[string]string{"Content-Type": "application/json", "ETag": `"v1"`},
				MultiValueHeaders: map[string][]string{"X-Many": {"a", "b"}},
				Cookies:           []string{"s=1; Path=/", "t=2"}}, nil
		}, 201, `{"ok":true}`, map[string][]string{"Etag": {`"v1"`}, "X-Many": {"a", "b"}, "Set-Cookie": {"s=1; Path=/", "t=2"}, "Content-Type": {"application/json"}}, false},
		{"base64", func(events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
			return events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: base64.StdEncoding.EncodeToString([]byte("\x00bin")), IsBase64Encoded: true,
				Headers: map[string]string{"content-type": "application/octet-stream"}}, nil
		}, 200, "\x00bin", nil, false},
		{"no content type is not sniffed", func(events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
			return events.APIGatewayV2HTTPResponse{StatusCode: 304}, nil
		}, 304, "", nil, true},
		{"error", func(events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
			return events.APIGatewayV2HTTPResponse{}, errors.New("db down: secret details")
		}, 500, `{"message":"Internal Server Error"}`, nil, false},
		{"panic", func(events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
			panic("boom")
		}, 500, `{"message":"Internal Server Error"}`, nil, false},
		{"bad status", func(events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
			return events.APIGatewayV2HTTPResponse{StatusCode: 1000}, nil
		}, 500, `{"message":"Internal Server Error"}`, nil, false},
		{"timeout", func(events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
			time.Sleep(1500 * time.Millisecond)
			return events.APIGatewayV2HTTPResponse{StatusCode: 200}, nil
		}, 500, `{"message":"Internal Server Error"}`, nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, func(tpl *samtemplate.Template, _ *HandlerConfig) { tpl.Functions["ArticlesFunction"].Timeout = 1 })
			f.fn.respond = tc.respond
			resp := f.do(httptest.NewRequest("GET", "/articles", nil))
			if resp.StatusCode != tc.status {
				t.Fatalf("status = %d, want %d", resp.StatusCode, tc.status)
			}
			if b := body(t, resp); b != tc.body {
				t.Fatalf("body = %q, want %q", b, tc.body)
			}
			for k, v := range tc.header {
				if got := resp.Header.Values(k); !reflect.DeepEqual(got, v) {
					t.Errorf("header %s = %v, want %v", k, got, v)
				}
			}
			if tc.noCT && resp.Header.Get("Content-Type") != "" {
				t.Errorf("Content-Type %q added", resp.Header.Get("Content-Type"))
			}
			if tc.status == 500 && !strings.Contains(f.logs.String(), "function failed") && !strings.Contains(f.logs.String(), "malformed function response") {
				t.Errorf("failure not logged: %s", f.logs.String())
			}
		})
	}
}

func TestRawFunctionOutput(t *testing.T) {
	// A function that returns JSON without statusCode: API Gateway answers 200 with it.
	tpl := realTemplate(t)
	inv := NewInProcess(InProcessConfig{Template: tpl, Factories: map[string]Factory{
		"functions/articles": func(context.Context, func(string) string) (any, error) {
			return func(context.Context, events.APIGatewayV2HTTPRequest) (map[string]any, error) {
				return map[string]any{"hello": "world"}, nil
			}, nil
		},
	}})
	h, err := NewHandler(HandlerConfig{Template: tpl, Invoker: inv, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/articles", nil))
	if rec.Code != 200 || rec.Body.String() != `{"hello":"world"}` || rec.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("%d %q %v", rec.Code, rec.Body.String(), rec.Header())
	}
}

func TestRouting(t *testing.T) {
	f := newFixture(t, nil)
	tests := []struct {
		method, path string
		status       int
		routeKey     string
	}{
		{"GET", "/articles", 200, "GET /articles"},
		{"GET", "/articles/a-slug", 200, "GET /articles/{slug}"},
		{"GET", "/articles/a-slug/comments", 200, "GET /articles/{slug}/comments"},
		{"POST", "/articles/a-slug/comments", 200, "POST /articles/{slug}/comments"},
		{"DELETE", "/articles", 404, ""},
		{"POST", "/articles/a-slug", 404, ""},
		{"GET", "/articles/", 404, ""},
		{"GET", "/articles/a/b", 404, ""},
		{"GET", "/nothing", 404, ""},
		{"GET", "/search", 500, ""}, // no factory registered for SearchFunction
	}
	for _, tc := range tests {
		n := f.fn.count()
		resp := f.do(httptest.NewRequest(tc.method, tc.path, nil))
		b := body(t, resp)
		if resp.StatusCode != tc.status {
			t.Errorf("%s %s: status %d, want %d (%s)", tc.method, tc.path, resp.StatusCode, tc.status, b)
			continue
		}
		switch tc.status {
		case 404:
			if b != `{"message":"Not Found"}` || resp.Header.Get("Content-Type") != "application/json" {
				t.Errorf("%s %s: body %q", tc.method, tc.path, b)
			}
		case 200:
			if got := f.fn.last().RouteKey; f.fn.count() != n+1 || got != tc.routeKey {
				t.Errorf("%s %s: routed to %q", tc.method, tc.path, got)
			}
		case 500:
			if !strings.Contains(f.logs.String(), "no local factory") {
				t.Errorf("missing factory not logged")
			}
		}
	}
}

func TestRouterSpecificity(t *testing.T) {
	r := newRouter([]samtemplate.Route{
		{Method: "GET", Path: "/a/{x}", Function: "var"},
		{Method: "GET", Path: "/a/fixed", Function: "literal"},
		{Method: "ANY", Path: "/a/fixed", Function: "any"},
		{Method: "ANY", Path: "/files/{proxy+}", Function: "greedy"},
		{Method: "GET", Path: "/files/{name}", Function: "single"},
		{Method: "ANY", Path: "$default", Function: "default"},
	})
	tests := []struct{ method, path, fn, param string }{
		{"GET", "/a/fixed", "literal", ""},
		{"POST", "/a/fixed", "any", ""},
		{"GET", "/a/other", "var", "x=other"},
		{"GET", "/files/one", "single", "name=one"},
		{"GET", "/files/one/two%2Fthree", "greedy", "proxy=one/two/three"},
		{"DELETE", "/files/x", "greedy", "proxy=x"},
		{"GET", "/files", "default", ""},
		{"PUT", "/zzz", "default", ""},
	}
	for _, tc := range tests {
		m, ok := r.match(tc.method, tc.path)
		if !ok || m.route.Function != tc.fn {
			t.Errorf("%s %s -> %+v, want %s", tc.method, tc.path, m.route, tc.fn)
			continue
		}
		if tc.param != "" {
			k, v, _ := strings.Cut(tc.param, "=")
			if m.params[k] != v {
				t.Errorf("%s %s params %v, want %s", tc.method, tc.path, m.params, tc.param)
			}
		}
	}
}

func TestJWTAuthorizer(t *testing.T) {
	f := newFixture(t, nil)
	other, _ := localauth.NewEphemeral()
	otherTok, _ := other.Sign(jwt.MapClaims{"iss": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_EXAMPLE", "aud": "broadsheet-editors", "exp": time.Now().Add(time.Hour).Unix()})
	tests := []struct {
		name   string
		header string
		status int
	}{
		{"missing", "", 401},
		{"not bearer", "Basic dXNlcjpwYXNz", 401},
		{"expired", "Bearer " + f.token(t, func(c jwt.MapClaims) { c["exp"] = time.Now().Add(-time.Minute).Unix() }), 401},
		{"wrong audience", "Bearer " + f.token(t, func(c jwt.MapClaims) { c["aud"] = "someone-else" }), 401},
		{"wrong issuer", "Bearer " + f.token(t, func(c jwt.MapClaims) { c["iss"] = "https://evil.example" }), 401},
		{"not yet valid", "Bearer " + f.token(t, func(c jwt.MapClaims) { c["nbf"] = time.Now().Add(time.Hour).Unix() }), 401},
		{"alg none", "Bearer " + localauth.SignNone(jwt.MapClaims{"iss": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_EXAMPLE", "aud": "broadsheet-editors", "exp": time.Now().Add(time.Hour).Unix()}), 401},
		{"other key", "Bearer " + otherTok, 401},
		{"valid", "Bearer " + f.token(t, nil), 200},
		{"valid lower-case bearer", "bearer " + f.token(t, nil), 200},
		{"valid without prefix", f.token(t, nil), 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := f.fn.count()
			req := httptest.NewRequest("GET", "/admin/articles/42", nil)
			if tc.header != "" {
				req.Header.Set("Authorization", tc.header)
			}
			resp := f.do(req)
			b := body(t, resp)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d (%s)", resp.StatusCode, tc.status, b)
			}
			if tc.status == 401 {
				if b != `{"message":"Unauthorized"}` || f.fn.count() != n {
					t.Fatalf("body %q, invoked=%v", b, f.fn.count() != n)
				}
				return
			}
			ev := f.fn.last()
			if ev.RouteKey != "GET /admin/articles/{id}" || ev.PathParameters["id"] != "42" {
				t.Fatalf("event %+v", ev)
			}
			jwtd := ev.RequestContext.Authorizer.JWT
			if jwtd.Claims["scope"] != "articles:write openid" || jwtd.Claims["cognito:groups"] != "[editors]" || jwtd.Claims["sub"] != "ed" || jwtd.Claims["aud"] != "broadsheet-editors" {
				t.Errorf("claims = %v", jwtd.Claims)
			}
			if !regexp.MustCompile(`^\d+$`).MatchString(jwtd.Claims["exp"]) {
				t.Errorf("exp claim = %q", jwtd.Claims["exp"])
			}
			if !reflect.DeepEqual(jwtd.Scopes, []string{"articles:write", "openid"}) {
				t.Errorf("scopes = %v", jwtd.Scopes)
			}
		})
	}
	// Public routes ignore tokens and carry no authorizer.
	req := httptest.NewRequest("GET", "/articles", nil)
	req.Header.Set("Authorization", "Bearer garbage")
	if resp := f.do(req); resp.StatusCode != 200 || f.fn.last().RequestContext.Authorizer != nil {
		t.Fatalf("public route with a bad token: %d", resp.StatusCode)
	}
}

func TestAuthorizationScopes(t *testing.T) {
	f := newFixture(t, func(tpl *samtemplate.Template, _ *HandlerConfig) {
		for i := range tpl.Routes {
			if tpl.Routes[i].Authorizer != "" {
				tpl.Routes[i].AuthorizationScopes = []string{"admin:all"}
			}
		}
	})
	req := httptest.NewRequest("GET", "/admin/articles", nil)
	req.Header.Set("Authorization", "Bearer "+f.token(t, nil))
	if resp := f.do(req); resp.StatusCode != 403 || body(t, resp) != `{"message":"Forbidden"}` {
		t.Fatalf("missing scope: %d", resp.StatusCode)
	}
}

func TestCORS(t *testing.T) {
	f := newFixture(t, nil)
	preflight := func(origin, method, headers string) *http.Response {
		req := httptest.NewRequest("OPTIONS", "/admin/articles/1", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", method)
		if headers != "" {
			req.Header.Set("Access-Control-Request-Headers", headers)
		}
		return f.do(req)
	}
	n := f.fn.count()
	resp := preflight("http://localhost:3000", "PUT", "authorization, content-type, if-match")
	if resp.StatusCode != 204 {
		t.Fatalf("preflight status %d", resp.StatusCode)
	}
	want := map[string]string{
		"Access-Control-Allow-Origin":  "http://localhost:3000",
		"Access-Control-Allow-Methods": "GET,POST,PUT,PATCH,DELETE,OPTIONS",
		"Access-Control-Allow-Headers": "authorization,content-type,if-match,if-none-match,idempotency-key",
		"Access-Control-Max-Age":       "600",
	}
	for k, v := range want {
		if got := resp.Header.Get(k); got != v {
			t.Errorf("preflight %s = %q, want %q", k, got, v)
		}
	}
	if f.fn.count() != n {
		t.Error("preflight invoked the function")
	}
	for _, tc := range []struct{ origin, method, headers string }{
		{"https://evil.example", "PUT", ""},
		{"http://localhost:3000", "TRACE", ""},
		{"http://localhost:3000", "PUT", "x-custom"},
	} {
		resp := preflight(tc.origin, tc.method, tc.headers)
		if resp.StatusCode != 204 || resp.Header.Get("Access-Control-Allow-Origin") != "" || resp.Header.Get("Access-Control-Allow-Methods") != "" {
			t.Errorf("refused preflight %v: %d %v", tc, resp.StatusCode, resp.Header)
		}
	}

	f.fn.respond = func(events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		return events.APIGatewayV2HTTPResponse{StatusCode: 200, Headers: map[string]string{"Access-Control-Allow-Origin": "*", "ETag": `"x"`}}, nil
	}
	get := func(origin string) *http.Response {
		req := httptest.NewRequest("GET", "/articles", nil)
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		return f.do(req)
	}
	resp = get("http://127.0.0.1:3000")
	if resp.Header.Get("Access-Control-Allow-Origin") != "http://127.0.0.1:3000" || resp.Header.Get("Access-Control-Expose-Headers") != "etag,retry-after,location" ||
		!strings.Contains(strings.Join(resp.Header.Values("Vary"), ","), "Origin") {
		t.Errorf("allowed origin: %v", resp.Header)
	}
	for _, origin := range []string{"https://evil.example", ""} {
		resp = get(origin)
		if v := resp.Header.Get("Access-Control-Allow-Origin"); v != "" {
			t.Errorf("origin %q got Access-Control-Allow-Origin %q", origin, v)
		}
	}
	// API Gateway's own answers carry CORS headers too.
	req := httptest.NewRequest("GET", "/admin/articles", nil)
	req.Header.Set("Origin", "http://localhost:3000")
	if resp := f.do(req); resp.StatusCode != 401 || resp.Header.Get("Access-Control-Allow-Origin") != "http://localhost:3000" {
		t.Errorf("401 without CORS headers: %v", resp.Header)
	}
}

func TestStaticFiles(t *testing.T) {
	root := t.TempDir()
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(root, "web", "articles"), 0o755))
	must(os.WriteFile(filepath.Join(root, "web", "index.html"), []byte("<h1>Broadsheet</h1>"), 0o644))
	must(os.WriteFile(filepath.Join(root, "web", "app.js"), []byte("console.log(1)"), 0o644))
	must(os.WriteFile(filepath.Join(root, "web", "articles", "index.html"), []byte("shadowed"), 0o644))
	must(os.WriteFile(filepath.Join(root, "openapi.yaml"), []byte("openapi: 3.1.0\n"), 0o644))
	f := newFixture(t, func(_ *samtemplate.Template, c *HandlerConfig) {
		c.StaticDir = filepath.Join(root, "web")
		c.OpenAPIFile = filepath.Join(root, "openapi.yaml")
	})
	tests := []struct {
		path   string
		status int
		body   string
		ctype  string
	}{
		{"/", 200, "<h1>Broadsheet</h1>", "text/html"},
		{"/app.js", 200, "console.log(1)", "javascript"},
		{"/openapi.yaml", 200, "openapi: 3.1.0\n", "yaml"},
		{"/missing.css", 404, `{"message":"Not Found"}`, "application/json"},
		{"/../template.yaml", 404, `{"message":"Not Found"}`, "application/json"},
	}
	for _, tc := range tests {
		resp := f.do(httptest.NewRequest("GET", tc.path, nil))
		if b := body(t, resp); resp.StatusCode != tc.status || b != tc.body || !strings.Contains(resp.Header.Get("Content-Type"), tc.ctype) {
			t.Errorf("GET %s: %d %q %q", tc.path, resp.StatusCode, b, resp.Header.Get("Content-Type"))
		}
	}
	// The page carries the edge's response headers policy (template.yaml SecurityHeaders).
	page := f.do(httptest.NewRequest("GET", "/", nil))
	for name, want := range map[string]string{
		"X-Frame-Options":           "DENY",
		"Referrer-Policy":           "strict-origin-when-cross-origin",
		"Strict-Transport-Security": "max-age=63072000; includeSubDomains",
		"X-Content-Type-Options":    "nosniff",
	} {
		if got := page.Header.Get(name); got != want {
			t.Errorf("page %s = %q, want %q", name, got, want)
		}
	}
	if csp := page.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "connect-src 'self' http://127.0.0.1:*") {
		t.Errorf("page CSP = %q", csp)
	}
	// API paths are never static, whatever the method.
	if resp := f.do(httptest.NewRequest("GET", "/articles/", nil)); resp.StatusCode != 404 || body(t, resp) == "shadowed" {
		t.Errorf("static file served on an API path")
	}
	if resp := f.do(httptest.NewRequest("POST", "/", nil)); resp.StatusCode != 404 {
		t.Errorf("POST / = %d", resp.StatusCode)
	}
	if resp := f.do(httptest.NewRequest("GET", "/articles", nil)); resp.StatusCode != 200 || !strings.Contains(body(t, resp), `"routeKey":"GET /articles"`) {
		t.Errorf("API route shadowed by static files")
	}
}
