// Package eventtest builds API Gateway HTTP API (payload 2.0) events for
// handler tests the way API Gateway delivers them: serialised as JSON and
// decoded into events.APIGatewayV2HTTPRequest, with lower-cased headers,
// path parameters, the route key, the client address, and (for editor
// routes) the JWT authorizer's verified claims.
package eventtest

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"broadsheet/internal/apigw"
)

// Spec describes one request.
type Spec struct {
	Route   string            // template route key, e.g. "POST /articles/{slug}/comments"
	Params  map[string]string // path parameters
	Query   map[string]string
	Headers map[string]string // any case; lower-cased as API Gateway does
	Body    string
	IP      string // requestContext.http.sourceIp; default 203.0.113.10
	// Editor adds verified claims with the articles:write scope; Claims
	// replaces them (for 403 tests).
	Editor bool
	Claims map[string]string
}

// JSON renders the event as API Gateway would send it.
func (s Spec) JSON() []byte {
	method, pattern, _ := strings.Cut(s.Route, " ")
	path := pattern
	for k, v := range s.Params {
		path = strings.ReplaceAll(path, "{"+k+"}", url.PathEscape(v))
	}
	headers := map[string]string{"host": "api.example.com", "user-agent": "eventtest/1.0", "x-forwarded-proto": "https"}
	for k, v := range s.Headers {
		headers[strings.ToLower(k)] = v
	}
	q := url.Values{}
	for k, v := range s.Query {
		q.Set(k, v)
	}
	ip := s.IP
	if ip == "" {
		ip = "203.0.113.10"
	}
	rc := map[string]any{
		"accountId": "123456789012", "apiId": "abcdef1234", "domainName": "api.example.com", "domainPrefix": "api",
		"http":      map[string]any{"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": ip, "userAgent": headers["user-agent"]},
		"requestId": "eventtest-request", "routeKey": s.Route, "stage": "$default",
		"time": "27/Nov/2026:14:44:26 +0000", "timeEpoch": 1795790666000,
	}
	claims := s.Claims
	if claims == nil && s.Editor {
		claims = map[string]string{"sub": "editor-1", "scope": "articles:write", "iss": "https://issuer.example", "aud": "broadsheet-editors"}
	}
	if claims != nil {
		scopes := strings.Fields(claims["scope"])
		rc["authorizer"] = map[string]any{"jwt": map[string]any{"claims": claims, "scopes": scopes}}
	}
	ev := map[string]any{
		"version": "2.0", "routeKey": s.Route, "rawPath": path, "rawQueryString": q.Encode(),
		"headers": headers, "requestContext": rc, "isBase64Encoded": false,
	}
	if len(s.Query) > 0 {
		ev["queryStringParameters"] = s.Query
	}
	if len(s.Params) > 0 {
		ev["pathParameters"] = s.Params
	}
	if s.Body != "" {
		ev["body"] = s.Body
	}
	b, err := json.Marshal(ev)
	if err != nil {
		panic(err)
	}
	return b
}

// Event decodes the JSON into the request type the handlers receive.
func (s Spec) Event(tb testing.TB) apigw.Request {
	tb.Helper()
	var req apigw.Request
	if err := json.Unmarshal(s.JSON(), &req); err != nil {
		tb.Fatalf("event: %v", err)
	}
	return req
}

// JSONBody marshals v for a Spec's Body.
func JSONBody(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
