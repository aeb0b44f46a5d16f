// Package contract checks HTTP answers against openapi.yaml, the
// machine-readable copy of the API contract (../shared/API.md), with
// kin-openapi. Handler tests call ValidateEventResponse with the Lambda event
// and the answer; tests that speak HTTP (the local API) call ValidateResponse.
//
// Validation is strict where the contract is: a status the operation does not
// document fails, a required header (ETag, Cache-Control, Retry-After,
// X-Content-Type-Options …) that is missing fails, and a body that does not
// match the status's schema fails. Response schemas stay open to new fields,
// except the public comment shapes, which are closed so that an email can
// never leak into them.
//
// It is test and local tooling: no Lambda function may import it.
package contract

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"broadsheet/internal/local"
)

// FileName is the contract document's name at the module root.
const FileName = "openapi.yaml"

// Validator validates requests and answers against one loaded document.
type Validator struct {
	doc    *openapi3.T
	routes []*compiledPath
}

type compiledPath struct {
	template string // "/articles/{slug}"
	re       *regexp.Regexp
	names    []string
	item     *openapi3.PathItem
	literal  int // literal characters: more wins when two templates match
}

// Load reads, resolves and validates an OpenAPI document.
func Load(path string) (*Validator, error) {
	loader := openapi3.NewLoader()
	// The contract is one self-contained file: no external $refs to follow.
	loader.IsExternalRefsAllowed = false
	doc, err := loader.LoadFromFile(path)
	if err != nil {
		return nil, fmt.Errorf("contract: load %s: %w", path, err)
	}
	return New(doc)
}

// LoadData is Load for a document already in memory.
func LoadData(data []byte) (*Validator, error) {
	doc, err := openapi3.NewLoader().LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("contract: load: %w", err)
	}
	return New(doc)
}

// New validates doc (OpenAPI 3.1 rules when it says 3.1) and indexes its paths.
func New(doc *openapi3.T) (*Validator, error) {
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("contract: invalid OpenAPI document: %w", err)
	}
	registerTextDecoders(doc)
	v := &Validator{doc: doc}
	for tmpl, item := range doc.Paths.Map() {
		cp, err := compilePath(tmpl)
		if err != nil {
			return nil, err
		}
		cp.item = item
		v.routes = append(v.routes, cp)
	}
	sort.Slice(v.routes, func(i, j int) bool {
		if v.routes[i].literal != v.routes[j].literal {
			return v.routes[i].literal > v.routes[j].literal
		}
		return v.routes[i].template < v.routes[j].template
	})
	return v, nil
}

var paramRE = regexp.MustCompile(`\{([^{}/]+)\}`)

func compilePath(tmpl string) (*compiledPath, error) {
	cp := &compiledPath{template: tmpl}
	var b strings.Builder
	b.WriteString("^")
	last := 0
	for _, m := range paramRE.FindAllStringSubmatchIndex(tmpl, -1) {
		b.WriteString(regexp.QuoteMeta(tmpl[last:m[0]]))
		cp.literal += m[0] - last
		b.WriteString(`([^/]+)`)
		cp.names = append(cp.names, tmpl[m[2]:m[3]])
		last = m[1]
	}
	b.WriteString(regexp.QuoteMeta(tmpl[last:]))
	cp.literal += len(tmpl) - last
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil, fmt.Errorf("contract: path %s: %w", tmpl, err)
	}
	cp.re = re
	return cp, nil
}

var (
	defaultOnce sync.Once
	defaultV    *Validator
	defaultErr  error
)

// Default returns the validator for openapi.yaml at the module root (found
// by walking up from the working directory to go.mod), loaded once per process.
func Default() (*Validator, error) {
	defaultOnce.Do(func() {
		root, err := local.ModuleRoot()
		if err != nil {
			defaultErr = err
			return
		}
		defaultV, defaultErr = Load(filepath.Join(root, FileName))
	})
	return defaultV, defaultErr
}

// Doc returns the loaded document.
func (v *Validator) Doc() *openapi3.T { return v.doc }

// Operations lists every operation as "METHOD /path/{template}", sorted.
func (v *Validator) Operations() []string {
	var out []string
	for _, r := range v.routes {
		for method := range r.item.Operations() {
			out = append(out, strings.ToUpper(method)+" "+r.template)
		}
	}
	sort.Strings(out)
	return out
}

// ErrNoOperation reports a request that no operation of the document matches.
var ErrNoOperation = errors.New("no operation in the contract matches")

// FindRoute finds the operation for a method and a concrete request path
// (escaped, as on the wire), with the decoded path parameters. Server URL
// path prefixes are stripped first; hosts are not compared, so answers from
// any host (httptest, the local API, API Gateway) can be checked.
func (v *Validator) FindRoute(method, escapedPath string) (*routers.Route, map[string]string, error) {
	path := escapedPath
	for _, s := range v.doc.Servers {
		if u, err := url.Parse(s.URL); err == nil && u.Path != "" && u.Path != "/" && strings.HasPrefix(path, strings.TrimSuffix(u.Path, "/")+"/") {
			path = strings.TrimPrefix(path, strings.TrimSuffix(u.Path, "/"))
			break
		}
	}
	for _, r := range v.routes {
		m := r.re.FindStringSubmatch(path)
		if m == nil {
			continue
		}
		op := r.item.GetOperation(strings.ToUpper(method))
		if op == nil {
			return nil, nil, fmt.Errorf("%w %s %s (the path is %s, but not with this method)", ErrNoOperation, method, escapedPath, r.template)
		}
		params := map[string]string{}
		for i, name := range r.names {
			val, err := url.PathUnescape(m[i+1])
			if err != nil {
				return nil, nil, fmt.Errorf("contract: path parameter %s: %w", name, err)
			}
			params[name] = val
		}
		route := &routers.Route{Spec: v.doc, Path: r.template, PathItem: r.item, Method: strings.ToUpper(method), Operation: op}
		if len(v.doc.Servers) > 0 {
			route.Server = v.doc.Servers[0]
		}
		return route, params, nil
	}
	return nil, nil, fmt.Errorf("%w %s %s", ErrNoOperation, method, escapedPath)
}

// routeForTemplate finds an operation by the path template itself, as API
// Gateway's routeKey names it ("GET /articles/{slug}").
func (v *Validator) routeForTemplate(method, template string) *routers.Route {
	for _, r := range v.routes {
		if r.template != template {
			continue
		}
		op := r.item.GetOperation(strings.ToUpper(method))
		if op == nil {
			return nil
		}
		return &routers.Route{Spec: v.doc, Path: r.template, PathItem: r.item, Method: strings.ToUpper(method), Operation: op}
	}
	return nil
}

// CheckRequest validates a request (parameters, body) against its operation.
// Security requirements are not checked: the JWT authorizer's job.
func (v *Validator) CheckRequest(req *http.Request) error {
	route, params, err := v.FindRoute(req.Method, req.URL.EscapedPath())
	if err != nil {
		return err
	}
	in := &openapi3filter.RequestValidationInput{
		Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true},
	}
	return openapi3filter.ValidateRequest(req.Context(), in)
}

// CheckResponse validates one answer to req: its status must be documented
// for the operation, and its headers and body must match what the contract
// says for that status.
func (v *Validator) CheckResponse(req *http.Request, status int, header http.Header, body []byte) error {
	route, params, err := v.FindRoute(req.Method, req.URL.EscapedPath())
	if err != nil {
		return err
	}
	return v.checkResponse(req, route, params, status, header, body)
}

func (v *Validator) checkResponse(req *http.Request, route *routers.Route, params map[string]string, status int, header http.Header, body []byte) error {
	where := route.Method + " " + route.Path
	if status < 100 || status > 599 {
		return fmt.Errorf("%s: status %d is not an HTTP status", where, status)
	}
	resp := route.Operation.Responses.Status(status)
	if resp == nil {
		resp = route.Operation.Responses.Default()
	}
	if resp == nil || resp.Value == nil {
		return fmt.Errorf("%s: status %d is not documented (documented: %s)", where, status, strings.Join(documented(route.Operation), ", "))
	}
	// kin-openapi never validates a 304; the contract still says what it is.
	if status == http.StatusNotModified || status == http.StatusNoContent {
		if len(body) != 0 {
			return fmt.Errorf("%s: a %d answer must have no body, got %d bytes", where, status, len(body))
		}
	}
	if len(body) > 0 && len(resp.Value.Content) == 0 {
		return fmt.Errorf("%s: status %d documents no body, got %d bytes", where, status, len(body))
	}
	if header == nil {
		header = http.Header{}
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 status,
		Header:                 header,
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	in.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(req.Context(), in); err != nil {
		return fmt.Errorf("%s → %d: %w", where, status, err)
	}
	return nil
}

func documented(op *openapi3.Operation) []string {
	var out []string
	for code := range op.Responses.Map() {
		out = append(out, code)
	}
	sort.Strings(out)
	return out
}

// EventRequest turns an API Gateway payload 2.0 event into the HTTP request
// it stands for (method, path, query, headers and decoded body).
func EventRequest(ev events.APIGatewayV2HTTPRequest) (*http.Request, error) {
	method := ev.RequestContext.HTTP.Method
	if method == "" {
		method, _, _ = strings.Cut(ev.RouteKey, " ")
	}
	path := ev.RawPath
	if path == "" {
		path = ev.RequestContext.HTTP.Path
	}
	if path == "" {
		return nil, errors.New("contract: the event has neither rawPath nor requestContext.http.path")
	}
	u := &url.URL{Scheme: "https", Host: "api.example.com", RawQuery: ev.RawQueryString}
	if p, err := url.PathUnescape(path); err == nil {
		u.Path, u.RawPath = p, path
	} else {
		u.Path = path
	}
	if u.RawQuery == "" && len(ev.QueryStringParameters) > 0 {
		q := url.Values{}
		for k, val := range ev.QueryStringParameters {
			q.Set(k, val)
		}
		u.RawQuery = q.Encode()
	}
	var body []byte
	if ev.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(ev.Body)
		if err != nil {
			return nil, fmt.Errorf("contract: event body: %w", err)
		}
		body = b
	} else {
		body = []byte(ev.Body)
	}
	req, err := http.NewRequest(method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	for k, val := range ev.Headers {
		req.Header.Set(k, val)
	}
	if h := req.Header.Get("Host"); h != "" {
		req.Host = h
	}
	return req, nil
}

// CheckEvent validates a Lambda answer to an API Gateway event. The operation
// is taken from the event's routeKey when it names one, else matched from
// the method and path.
func (v *Validator) CheckEvent(ev events.APIGatewayV2HTTPRequest, resp events.APIGatewayV2HTTPResponse) error {
	req, err := EventRequest(ev)
	if err != nil {
		return err
	}
	route, params, err := v.FindRoute(req.Method, req.URL.EscapedPath())
	if m, tmpl, ok := strings.Cut(ev.RouteKey, " "); ok {
		if r := v.routeForTemplate(m, tmpl); r != nil {
			route, err = r, nil
			if params == nil {
				params = ev.PathParameters
			}
		}
	}
	if err != nil {
		return err
	}
	if params == nil {
		params = map[string]string{}
	}
	header := http.Header{}
	for k, val := range resp.Headers {
		header.Set(k, val)
	}
	for k, vals := range resp.MultiValueHeaders {
		for _, val := range vals {
			header.Add(k, val)
		}
	}
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		if body, err = base64.StdEncoding.DecodeString(resp.Body); err != nil {
			return fmt.Errorf("contract: answer body is not valid base64: %w", err)
		}
	}
	if resp.StatusCode == 0 {
		return fmt.Errorf("%s %s: the answer has no statusCode", route.Method, route.Path)
	}
	return v.checkResponse(req, route, params, resp.StatusCode, header, body)
}

// CheckEventRequest validates the request an event stands for.
func (v *Validator) CheckEventRequest(ev events.APIGatewayV2HTTPRequest) error {
	req, err := EventRequest(ev)
	if err != nil {
		return err
	}
	return v.CheckRequest(req)
}

func mustDefault(t testing.TB) *Validator {
	t.Helper()
	v, err := Default()
	if err != nil {
		t.Fatalf("contract: %v", err)
	}
	return v
}

// ValidateResponse fails the test unless resp (whose body the caller has
// already read into body) is an answer the contract allows for req.
func ValidateResponse(t testing.TB, req *http.Request, resp *http.Response, body []byte) {
	t.Helper()
	v := mustDefault(t)
	if req == nil && resp != nil {
		req = resp.Request
	}
	if req == nil || resp == nil {
		t.Fatal("contract.ValidateResponse: nil request or response")
	}
	if err := v.CheckResponse(req, resp.StatusCode, resp.Header, body); err != nil {
		t.Errorf("contract: %s\nbody: %s", err, excerpt(body))
	}
}

// ValidateEventResponse fails the test unless resp is an answer the contract
// allows for the API Gateway event req.
func ValidateEventResponse(t testing.TB, req events.APIGatewayV2HTTPRequest, resp events.APIGatewayV2HTTPResponse) {
	t.Helper()
	v := mustDefault(t)
	if err := v.CheckEvent(req, resp); err != nil {
		t.Errorf("contract: %s\nbody: %s", err, excerpt([]byte(resp.Body)))
	}
}

// ReadBody reads and closes resp.Body and puts an unread copy back, so a test
// can validate the answer and still decode it.
func ReadBody(t testing.TB, resp *http.Response) []byte {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return b
}

func excerpt(b []byte) string {
	const max = 2000
	if len(b) > max {
		return string(b[:max]) + "… (" + strconv.Itoa(len(b)) + " bytes)"
	}
	return string(b)
}

// registerTextDecoders lets kin-openapi read every textual media type the
// document names (HTML pages, XML feeds and sitemaps): it only knows JSON,
// forms and text/plain by itself, and a body it cannot decode is reported
// as a contract violation. Such a body is checked as the string it is.
func registerTextDecoders(doc *openapi3.T) {
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op.Responses == nil {
				continue
			}
			for _, resp := range op.Responses.Map() {
				if resp.Value == nil {
					continue
				}
				for mt := range resp.Value.Content {
					if textual(mt) && openapi3filter.RegisteredBodyDecoder(mt) == nil {
						openapi3filter.RegisterBodyDecoder(mt, openapi3filter.PlainBodyDecoder)
					}
				}
			}
		}
	}
}

func textual(mediaType string) bool {
	mt := strings.ToLower(mediaType)
	return strings.HasPrefix(mt, "text/") || mt == "application/xml" || strings.HasSuffix(mt, "+xml")
}
