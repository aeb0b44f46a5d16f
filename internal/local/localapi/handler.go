package localapi

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"broadsheet/internal/local/localauth"
	"broadsheet/internal/local/samtemplate"

	"github.com/aws/aws-lambda-go/events"
)

// MaxBodyBytes is API Gateway's HTTP API payload limit.
const MaxBodyBytes = 10 << 20

// HandlerConfig configures NewHandler.
type HandlerConfig struct {
	Template *samtemplate.Template
	Invoker  Invoker
	// JWTKeys returns the key set that verifies tokens of an authorizer's
	// issuer (issuer and audience come from the template): the local
	// signer's, or an external issuer's published JWKS. Nil rejects every token.
	JWTKeys func(issuer string) localauth.KeySet
	// Issuer, when set, is the local OpenID issuer: its discovery document
	// and JWKS are served at /.well-known/ on this origin, as an IdP serves them.
	Issuer *localauth.Signer
	// StaticDir is served at "/" (e.g. <repo>/web) and OpenAPIFile at
	// "/openapi.yaml", only at paths no API route uses. Empty disables them.
	StaticDir   string
	OpenAPIFile string
	Logger      *slog.Logger
	// MaxBodyBytes defaults to MaxBodyBytes (10 MB).
	MaxBodyBytes int64
	// APIID appears as requestContext.apiId; default "local".
	APIID string
	// Now defaults to time.Now.
	Now func() time.Time
}

// Handler is the local HTTP API.
type Handler struct {
	cfg         HandlerConfig
	router      *router
	verifiers   map[string]map[string]*localauth.Verifier // api -> authorizer -> verifier
	issuer      string                                    // what the local discovery document names (EditorJwt's issuer)
	pageHeaders http.Header                               // the edge's security headers, for static files
	log         *slog.Logger
}

// NewHandler builds the local HTTP API for every HttpApi route of the template.
func NewHandler(cfg HandlerConfig) (*Handler, error) {
	if cfg.Template == nil || cfg.Invoker == nil {
		return nil, errors.New("localapi: Template and Invoker are required")
	}
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = MaxBodyBytes
	}
	if cfg.APIID == "" {
		cfg.APIID = "local"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	h := &Handler{cfg: cfg, router: newRouter(cfg.Template.Routes), verifiers: map[string]map[string]*localauth.Verifier{}, log: log}
	h.pageHeaders = localPageHeaders(cfg.Template.SecurityHeaders())
	for id, api := range cfg.Template.HttpAPIs {
		h.verifiers[id] = map[string]*localauth.Verifier{}
		for name, a := range api.Authorizers {
			var keys localauth.KeySet
			if cfg.JWTKeys != nil {
				keys = cfg.JWTKeys(a.Issuer)
			}
			h.verifiers[id][name] = &localauth.Verifier{Keys: keys, Issuer: a.Issuer, Audience: a.Audience, Now: cfg.Now}
			if h.issuer == "" || name == "EditorJwt" {
				h.issuer = a.Issuer
			}
		}
	}
	return h, nil
}

// RouteKey is the key of the template route API Gateway matches for method
// and escapedPath ("PUT /admin/articles/{id}", or "$default"), "" if none:
// what a request log names, from the same router that serves the request.
func (h *Handler) RouteKey(method, escapedPath string) string {
	m, ok := h.router.match(method, escapedPath)
	switch {
	case !ok:
		return ""
	case m.route.isDefault:
		return "$default"
	}
	return m.route.RouteKey()
}

// statusWriter records the status for the access log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	start := time.Now()
	w := &statusWriter{ResponseWriter: rw}
	function := h.serve(w, r)
	status := w.status
	if status == 0 {
		status = http.StatusOK
	}
	h.log.Info("request", "method", r.Method, "path", r.URL.Path, "status", status,
		"duration", time.Since(start).Round(time.Microsecond).String(), "function", function)
}

// gatewayError writes one of API Gateway's own answers.
func gatewayError(w http.ResponseWriter, status int, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, `{"message":%q}`, message)
}

// serve handles one request and returns what served it (function LogicalID,
// "static", "cors" or "").
func (h *Handler) serve(w http.ResponseWriter, r *http.Request) string {
	requestID := newGatewayRequestID()
	w.Header().Set("Apigw-Requestid", requestID)
	escaped := r.URL.EscapedPath()
	m, matched := h.router.match(r.Method, escaped)
	cors := h.corsFor(m, matched)

	// CORS preflight: API Gateway answers it itself unless an OPTIONS route
	// exists for the path.
	if cors != nil && r.Method == http.MethodOptions && r.Header.Get("Origin") != "" &&
		r.Header.Get("Access-Control-Request-Method") != "" && (!matched || m.route.Method != http.MethodOptions) {
		h.preflight(w, r, cors)
		return "cors"
	}
	if cors != nil {
		h.corsHeaders(w.Header(), r, cors)
	}
	if !matched {
		if !h.router.pathUsed(escaped) && h.serveStatic(w, r) {
			return "static"
		}
		gatewayError(w, http.StatusNotFound, "Not Found")
		return ""
	}
	rt := m.route

	var authz *events.APIGatewayV2HTTPRequestContextAuthorizerDescription
	if rt.Authorizer != "" {
		var status int
		authz, status = h.authorize(r, rt)
		if status != 0 {
			if status == http.StatusUnauthorized {
				w.Header().Set("Www-Authenticate", "Bearer")
				gatewayError(w, status, "Unauthorized")
			} else {
				gatewayError(w, status, "Forbidden")
			}
			return rt.Function
		}
	}

	if r.ContentLength > h.cfg.MaxBodyBytes {
		gatewayError(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
		return rt.Function
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, h.cfg.MaxBodyBytes+1))
	if err != nil {
		gatewayError(w, http.StatusBadRequest, "Bad Request")
		return rt.Function
	}
	if int64(len(body)) > h.cfg.MaxBodyBytes {
		gatewayError(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
		return rt.Function
	}

	event := h.buildEvent(r, rt, m.params, body, requestID, authz)
	payload, err := json.Marshal(event)
	if err != nil {
		h.log.Error("marshal event", "function", rt.Function, "error", err)
		gatewayError(w, http.StatusInternalServerError, "Internal Server Error")
		return rt.Function
	}
	ctx := r.Context()
	if rt.TimeoutInMillis > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Duration(rt.TimeoutInMillis)*time.Millisecond)
		defer cancel()
	}
	out, err := h.cfg.Invoker.Invoke(ctx, rt.Function, payload)
	var fe *FunctionError
	if errors.As(err, &fe) && fe.Type == ErrTypePayloadTooLarge {
		// The event (body base64-encoded if binary) exceeds Lambda's 6 MB limit.
		h.log.Warn("event too large for Lambda", "function", rt.Function, "bytes", len(payload))
		gatewayError(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
		return rt.Function
	}
	if err != nil {
		h.log.Error("function failed", "function", rt.Function, "routeKey", rt.RouteKey(), "requestId", requestID, "error", err)
		gatewayError(w, http.StatusInternalServerError, "Internal Server Error")
		return rt.Function
	}
	if err := writeResponse(w, out, cors != nil); err != nil {
		h.log.Error("malformed function response", "function", rt.Function, "routeKey", rt.RouteKey(), "requestId", requestID, "error", err)
		gatewayError(w, http.StatusInternalServerError, "Internal Server Error")
	}
	return rt.Function
}

func (h *Handler) corsFor(m routeMatch, matched bool) *samtemplate.Cors {
	if matched {
		if api := h.cfg.Template.HttpAPIs[m.route.API]; api != nil {
			return api.Cors
		}
		return nil
	}
	// Unmatched paths: the CORS configuration of the (single) API, if all agree.
	var cors *samtemplate.Cors
	for _, api := range h.cfg.Template.HttpAPIs {
		if api.Cors != nil {
			if cors != nil {
				return nil
			}
			cors = api.Cors
		}
	}
	return cors
}

func originAllowed(c *samtemplate.Cors, origin string) bool {
	if origin == "" {
		return false
	}
	for _, o := range c.AllowOrigins {
		if o == "*" || strings.EqualFold(o, origin) {
			return true
		}
	}
	return false
}

func containsFold(list []string, v string) bool {
	for _, e := range list {
		if e == "*" || strings.EqualFold(e, v) {
			return true
		}
	}
	return false
}

func (h *Handler) preflight(w http.ResponseWriter, r *http.Request, c *samtemplate.Cors) {
	origin := r.Header.Get("Origin")
	hdr := w.Header()
	ok := originAllowed(c, origin) && containsFold(c.AllowMethods, r.Header.Get("Access-Control-Request-Method"))
	if reqHeaders := r.Header.Get("Access-Control-Request-Headers"); ok && reqHeaders != "" {
		for _, name := range strings.Split(reqHeaders, ",") {
			if name = strings.TrimSpace(name); name != "" && !containsFold(c.AllowHeaders, name) {
				ok = false
			}
		}
	}
	if ok {
		hdr.Set("Access-Control-Allow-Origin", allowOriginValue(c, origin))
		hdr.Set("Access-Control-Allow-Methods", strings.Join(c.AllowMethods, ","))
		if len(c.AllowHeaders) > 0 {
			hdr.Set("Access-Control-Allow-Headers", strings.Join(c.AllowHeaders, ","))
		}
		if c.MaxAge > 0 {
			hdr.Set("Access-Control-Max-Age", strconv.Itoa(c.MaxAge))
		}
		if c.AllowCredentials {
			hdr.Set("Access-Control-Allow-Credentials", "true")
		}
	}
	hdr.Add("Vary", "Origin")
	w.WriteHeader(http.StatusNoContent)
}

func allowOriginValue(c *samtemplate.Cors, origin string) string {
	// Echo the request's origin; "*" only if the template says so (ours never does).
	if slices.Contains(c.AllowOrigins, "*") && !c.AllowCredentials {
		return "*"
	}
	return origin
}

// corsHeaders adds the headers of an actual (non-preflight) CORS response.
func (h *Handler) corsHeaders(hdr http.Header, r *http.Request, c *samtemplate.Cors) {
	origin := r.Header.Get("Origin")
	hdr.Add("Vary", "Origin")
	if !originAllowed(c, origin) {
		return
	}
	hdr.Set("Access-Control-Allow-Origin", allowOriginValue(c, origin))
	if len(c.ExposeHeaders) > 0 {
		hdr.Set("Access-Control-Expose-Headers", strings.Join(c.ExposeHeaders, ","))
	}
	if c.AllowCredentials {
		hdr.Set("Access-Control-Allow-Credentials", "true")
	}
}

// authorize emulates the HttpApi JWT authorizer. A non-zero status means the
// request is refused without invoking the function.
func (h *Handler) authorize(r *http.Request, rt *compiledRoute) (*events.APIGatewayV2HTTPRequestContextAuthorizerDescription, int) {
	api := h.cfg.Template.HttpAPIs[rt.API]
	v := h.verifiers[rt.API][rt.Authorizer]
	if api == nil || v == nil || v.Keys == nil {
		return nil, http.StatusUnauthorized
	}
	a := api.Authorizers[rt.Authorizer]
	header := "Authorization"
	if name, ok := strings.CutPrefix(a.IdentitySource, "$request.header."); ok {
		header = name
	}
	// Two identity headers are ambiguous: refuse rather than pick one.
	if len(r.Header.Values(header)) > 1 {
		return nil, http.StatusUnauthorized
	}
	token := strings.TrimSpace(r.Header.Get(header))
	if len(token) > 7 && strings.EqualFold(token[:7], "bearer ") {
		token = strings.TrimSpace(token[7:])
	}
	if token == "" {
		return nil, http.StatusUnauthorized
	}
	claims, err := v.Verify(token)
	if err != nil {
		h.log.Debug("token rejected", "authorizer", rt.Authorizer, "error", err)
		return nil, http.StatusUnauthorized
	}
	scopes := localauth.Scopes(claims)
	if len(rt.AuthorizationScopes) > 0 {
		ok := false
		for _, s := range rt.AuthorizationScopes {
			ok = ok || slices.Contains(scopes, s)
		}
		if !ok {
			return nil, http.StatusForbidden
		}
	}
	return &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
		JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{
			Claims: localauth.APIGatewayClaims(claims),
			Scopes: scopes,
		},
	}, 0
}

// buildEvent builds the payload format 2.0 event API Gateway sends.
func (h *Handler) buildEvent(r *http.Request, rt *compiledRoute, params map[string]string, body []byte, requestID string,
	authz *events.APIGatewayV2HTTPRequestContextAuthorizerDescription) events.APIGatewayV2HTTPRequest {
	now := h.cfg.Now().UTC()
	routeKey := rt.RouteKey()
	if rt.isDefault {
		routeKey = "$default"
	}
	host := r.Host
	hostname := host
	if hn, _, err := net.SplitHostPort(host); err == nil {
		hostname = hn
	}
	sourceIP := r.RemoteAddr
	if ip, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		sourceIP = ip
	}
	localPort := "80"
	if addr, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if _, p, err := net.SplitHostPort(addr.String()); err == nil {
			localPort = p
		}
	}

	headers := map[string]string{}
	var cookies []string
	for name, values := range r.Header {
		lname := strings.ToLower(name)
		if lname == "cookie" {
			for _, v := range values {
				for _, c := range strings.Split(v, ";") {
					if c = strings.TrimSpace(c); c != "" {
						cookies = append(cookies, c)
					}
				}
			}
			continue
		}
		headers[lname] = strings.Join(values, ",")
	}
	headers["host"] = host
	if xff := headers["x-forwarded-for"]; xff != "" {
		headers["x-forwarded-for"] = xff + ", " + sourceIP
	} else {
		headers["x-forwarded-for"] = sourceIP
	}
	headers["x-forwarded-port"] = localPort
	headers["x-forwarded-proto"] = "http"
	if _, ok := headers["x-amzn-trace-id"]; !ok {
		headers["x-amzn-trace-id"] = traceID(now)
	}
	if r.ContentLength >= 0 && len(body) > 0 {
		headers["content-length"] = strconv.Itoa(len(body))
	}

	var query map[string]string
	if r.URL.RawQuery != "" {
		values, _ := url.ParseQuery(r.URL.RawQuery) // like API Gateway, keep what parses
		if len(values) > 0 {
			query = make(map[string]string, len(values))
			for k, vs := range values {
				query[k] = strings.Join(vs, ",")
			}
		}
	}

	ev := events.APIGatewayV2HTTPRequest{
		Version:               "2.0",
		RouteKey:              routeKey,
		RawPath:               r.URL.EscapedPath(),
		RawQueryString:        r.URL.RawQuery,
		Cookies:               cookies,
		Headers:               headers,
		QueryStringParameters: query,
		PathParameters:        params,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:     routeKey,
			AccountID:    h.cfg.Template.AccountID,
			Stage:        "$default",
			RequestID:    requestID,
			Authorizer:   authz,
			APIID:        h.cfg.APIID,
			DomainName:   hostname,
			DomainPrefix: strings.SplitN(hostname, ".", 2)[0],
			Time:         now.Format("02/Jan/2006:15:04:05 -0700"),
			TimeEpoch:    now.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method:    r.Method,
				Path:      r.URL.Path,
				Protocol:  r.Proto,
				SourceIP:  sourceIP,
				UserAgent: r.UserAgent(),
			},
		},
	}
	if len(body) > 0 {
		if isTextual(r.Header.Get("Content-Type")) && utf8.Valid(body) {
			ev.Body = string(body)
		} else {
			ev.Body = base64.StdEncoding.EncodeToString(body)
			ev.IsBase64Encoded = true
		}
	}
	return ev
}

// isTextual reports whether API Gateway passes a body of this type as text.
func isTextual(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	switch {
	case strings.HasPrefix(mt, "text/"),
		mt == "application/json", strings.HasSuffix(mt, "+json"),
		mt == "application/xml", strings.HasSuffix(mt, "+xml"),
		mt == "application/javascript", mt == "application/yaml", mt == "application/graphql":
		return true
	}
	return false
}

// writeResponse turns a payload 2.0 function response into HTTP.
func writeResponse(w http.ResponseWriter, out []byte, stripCORS bool) error {
	trimmed := bytes.TrimSpace(out)
	var probe map[string]json.RawMessage
	structured := len(trimmed) > 0 && trimmed[0] == '{' && json.Unmarshal(trimmed, &probe) == nil && probe["statusCode"] != nil
	if !structured {
		// Not a structured response: API Gateway answers 200 with the
		// function's JSON output as the body.
		if !json.Valid(trimmed) && len(trimmed) > 0 {
			return errors.New("response is not JSON")
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(trimmed)
		return nil
	}
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(trimmed, &resp); err != nil {
		return err
	}
	if resp.StatusCode < 100 || resp.StatusCode > 599 {
		return fmt.Errorf("invalid statusCode %d", resp.StatusCode)
	}
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		var err error
		if body, err = base64.StdEncoding.DecodeString(resp.Body); err != nil {
			return fmt.Errorf("body is not valid base64: %w", err)
		}
	}
	hdr := w.Header()
	keep := func(name string) bool {
		return !(stripCORS && strings.HasPrefix(strings.ToLower(name), "access-control-"))
	}
	for k, v := range resp.Headers {
		if keep(k) {
			hdr.Set(k, v)
		}
	}
	for k, vs := range resp.MultiValueHeaders {
		if keep(k) {
			for _, v := range vs {
				hdr.Add(k, v)
			}
		}
	}
	for _, c := range resp.Cookies {
		hdr.Add("Set-Cookie", c)
	}
	if hdr.Get("Content-Type") == "" {
		hdr["Content-Type"] = nil // no content sniffing: send what the function said
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(body)
	return nil
}

// serveStatic serves web/ and openapi.yaml; it reports false when there is no such file.
func (h *Handler) serveStatic(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	// Static files get the same hygiene as API answers: no sniffing, and a
	// charset on every text type.
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if h.cfg.Issuer != nil && (r.URL.Path == localauth.DiscoveryPath || r.URL.Path == localauth.JWKSPath) {
		h.cfg.Issuer.IssuerHandler(h.issuer, "http://"+r.Host).ServeHTTP(w, r)
		return true
	}
	if h.cfg.OpenAPIFile != "" && r.URL.Path == "/openapi.yaml" {
		if _, err := os.Stat(h.cfg.OpenAPIFile); err == nil {
			w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
			http.ServeFile(w, r, h.cfg.OpenAPIFile)
			return true
		}
	}
	if h.cfg.StaticDir == "" {
		return false
	}
	name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	if name == "" {
		name = "."
	}
	fsys := os.DirFS(h.cfg.StaticDir)
	fi, err := fs.Stat(fsys, name)
	if err != nil {
		return false
	}
	// The page gets what the deployed edge's response headers policy adds
	// (template.yaml, SecurityHeaders), so framing, referrer and CSP behave
	// locally as they will behind CloudFront.
	for k, v := range h.pageHeaders {
		w.Header()[k] = v
	}
	if fi.IsDir() {
		name = path.Join(name, "index.html")
		if fi, err = fs.Stat(fsys, name); err != nil || fi.IsDir() {
			return false
		}
	}
	switch filepath.Ext(name) {
	case ".yaml", ".yml":
		w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	case ".svg":
		w.Header().Set("Content-Type", "image/svg+xml; charset=utf-8")
	case ".html":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
	case ".js":
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	case ".css":
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
	}
	serveAsset(w, r, fsys, name)
	return true
}

// StaticCacheControl is what the local server sends with web/ files: a
// short fresh life, a long stale one, and an ETag to revalidate against, so
// a reload costs a 304 and an edited file shows within minutes. The deployed
// page gets the same from its upload (README, "Deploying").
const StaticCacheControl = "public, max-age=300, stale-while-revalidate=86400"

// serveAsset answers a static file with a content ETag (If-None-Match → 304)
// and gzip when the client accepts it, as CloudFront's Compress does.
func serveAsset(w http.ResponseWriter, r *http.Request, fsys fs.FS, name string) {
	body, err := fs.ReadFile(fsys, name)
	if err != nil {
		http.Error(w, "cannot read "+name, http.StatusInternalServerError)
		return
	}
	sum := sha256.Sum256(body)
	tag := `"` + hex.EncodeToString(sum[:12]) + `"`
	h := w.Header()
	h.Set("ETag", tag)
	h.Set("Cache-Control", StaticCacheControl)
	h.Add("Vary", "Accept-Encoding")
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", mime.TypeByExtension(path.Ext(name)))
	}
	if inm := r.Header.Get("If-None-Match"); inm != "" && (inm == tag || inm == "W/"+tag || inm == "*") {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if len(body) > 1024 && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		h.Set("Content-Encoding", "gzip")
		h.Set("ETag", `W/`+tag) // a different byte sequence of the same content
		w.WriteHeader(http.StatusOK)
		if r.Method == http.MethodHead {
			return
		}
		zw := gzip.NewWriter(w)
		_, _ = zw.Write(body)
		_ = zw.Close()
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

func newGatewayRequestID() string {
	var b [11]byte
	_, _ = rand.Read(b[:])
	return base64.StdEncoding.EncodeToString(b[:])
}

func traceID(now time.Time) string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("Root=1-%08x-%s", now.Unix(), hex.EncodeToString(b[:]))
}

// localPageHeaders adapts the edge's headers to a loopback origin: the CSP's
// connect-src also allows other loopback origins (127.0.0.1 and localhost: CSP has no IPv6 host wildcard), which the page's ?api=
// override may name (a developer testing two local stacks); nothing else
// changes.
func localPageHeaders(h http.Header) http.Header {
	if csp := h.Get("Content-Security-Policy"); csp != "" {
		h.Set("Content-Security-Policy", strings.Replace(csp, "connect-src 'self'",
			"connect-src 'self' http://127.0.0.1:* http://localhost:*", 1))
	}
	return h
}
