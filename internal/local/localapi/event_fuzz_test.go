package localapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"

	"broadsheet/internal/local/samtemplate"
)

// FuzzBuildEvent turns arbitrary HTTP requests into payload 2.0 events: the
// event always encodes, decodes back with the body intact (base64 when it is
// not UTF-8 text), headers lower-cased, the method and path preserved.
func FuzzBuildEvent(f *testing.F) {
	f.Add("POST", "/articles/a/comments", "limit=1&limit=2&q=%00", "application/json", "X-Thing", "v", []byte(`{"a":1}`))
	f.Add("GET", "/articles/%2e%2e%2Fadmin", "cursor=%ZZ", "", "Cookie", "a=1; b=2", []byte{})
	f.Add("PUT", "/admin/articles/x", "", "application/json; charset=utf-8", "If-Match", `"v1", "v2"`, []byte("\xff\xfe\x00"))
	f.Add("PATCH", "/", "a=%", "text/plain", "X-Forwarded-For", "1.2.3.4", []byte("plain"))
	rt := &compiledRoute{Route: samtemplate.Route{Method: "ANY", Path: "/{proxy+}", Function: "F"}}
	h := &Handler{cfg: HandlerConfig{Template: &samtemplate.Template{}, Now: func() time.Time { return time.Unix(1700000000, 0) }}}
	f.Fuzz(func(t *testing.T, method, path, query, contentType, hname, hvalue string, body []byte) {
		if method == "" || strings.ContainsAny(method, " \t\r\n()<>@,;:\\\"/[]?={}") || !strings.HasPrefix(path, "/") {
			return
		}
		target := path
		if query != "" {
			target += "?" + query
		}
		var req *http.Request
		func() {
			defer func() { _ = recover() }() // httptest.NewRequest panics on what no server would parse
			req = httptest.NewRequest(method, "http://127.0.0.1:3000"+target, bytes.NewReader(body))
		}()
		if req == nil {
			return
		}
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		if hname != "" && !strings.ContainsAny(hname, " :\r\n\x00") && utf8.ValidString(hname) {
			req.Header.Add(hname, hvalue)
		}
		ev := h.buildEvent(req, rt, map[string]string{"proxy": strings.TrimPrefix(path, "/")}, body, "rid", nil)
		payload, err := json.Marshal(ev)
		if err != nil {
			t.Fatalf("event does not encode: %v", err)
		}
		var back events.APIGatewayV2HTTPRequest
		if err := json.Unmarshal(payload, &back); err != nil {
			t.Fatalf("event does not decode: %v", err)
		}
		got := []byte(back.Body)
		if back.IsBase64Encoded {
			if got, err = base64.StdEncoding.DecodeString(back.Body); err != nil {
				t.Fatalf("base64 body: %v", err)
			}
		} else if !utf8.Valid(body) {
			t.Fatalf("non-UTF-8 body passed as text")
		}
		if !bytes.Equal(got, body) {
			t.Fatalf("body changed: %q → %q", body, got)
		}
		for k := range back.Headers {
			if k != strings.ToLower(k) {
				t.Fatalf("header %q not lower-cased", k)
			}
		}
		if back.RequestContext.HTTP.Method != method || back.RawPath != req.URL.EscapedPath() {
			t.Fatalf("method/path: %q %q", back.RequestContext.HTTP.Method, back.RawPath)
		}
	})
}
