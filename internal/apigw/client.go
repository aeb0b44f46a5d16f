package apigw

import (
	"crypto/subtle"
	"net/netip"
	"strings"
)

// Headers the edge (template.yaml, EnableEdge) adds to requests it forwards.
const (
	// OriginVerifyHeader carries the EdgeOriginSecret parameter: proof that a
	// request came through this stack's CloudFront distribution.
	OriginVerifyHeader = "x-origin-verify"
	// ViewerAddressHeader is CloudFront's "address:port" of the reader.
	ViewerAddressHeader = "cloudfront-viewer-address"
)

// ClientIP is the reader's address: API Gateway's sourceIp, or, for a request
// that proves it came through the stack's own distribution (the origin secret
// header equals originSecret), CloudFront's viewer address, since then
// sourceIp is the edge's. Anyone can send a CloudFront-Viewer-Address header
// straight to the API: without the secret it is ignored.
func ClientIP(req Request, originSecret string) string {
	source := req.RequestContext.HTTP.SourceIP
	if originSecret == "" {
		return source
	}
	proof := Header(req, OriginVerifyHeader)
	if subtle.ConstantTimeCompare([]byte(proof), []byte(originSecret)) != 1 {
		return source
	}
	if ip, ok := viewerIP(Header(req, ViewerAddressHeader)); ok {
		return ip
	}
	return source
}

// viewerIP parses "198.51.100.10:46532" or "2001:db8::1:46532" (CloudFront
// appends the port after the last colon, without brackets).
func viewerIP(v string) (string, bool) {
	v = strings.TrimSpace(v)
	i := strings.LastIndexByte(v, ':')
	if i <= 0 {
		return "", false
	}
	a, err := netip.ParseAddr(strings.Trim(v[:i], "[]"))
	if err != nil {
		return "", false
	}
	return a.Unmap().String(), true
}
