package apigw

import (
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

func TestClientIP(t *testing.T) {
	const secret = "0123456789abcdef0123456789abcdef"
	req := func(headers map[string]string) Request {
		return Request{Headers: headers, RequestContext: events.APIGatewayV2HTTPRequestContext{
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{SourceIP: "130.176.1.1"}, // a CloudFront edge
		}}
	}
	for _, tc := range []struct {
		name    string
		secret  string
		headers map[string]string
		want    string
	}{
		{"no edge configured: sourceIp, whatever the headers", "", map[string]string{ViewerAddressHeader: "198.51.100.10:4000", OriginVerifyHeader: secret}, "130.176.1.1"},
		{"through the edge: the viewer", secret, map[string]string{ViewerAddressHeader: "198.51.100.10:46532", OriginVerifyHeader: secret}, "198.51.100.10"},
		{"through the edge, IPv6 viewer", secret, map[string]string{ViewerAddressHeader: "2001:db8::1:46532", OriginVerifyHeader: secret}, "2001:db8::1"},
		{"forged viewer header without the secret", secret, map[string]string{ViewerAddressHeader: "198.51.100.10:1"}, "130.176.1.1"},
		{"forged viewer header with a wrong secret", secret, map[string]string{ViewerAddressHeader: "198.51.100.10:1", OriginVerifyHeader: "guess"}, "130.176.1.1"},
		{"the secret, but no viewer header", secret, map[string]string{OriginVerifyHeader: secret}, "130.176.1.1"},
		{"the secret, a garbled viewer header", secret, map[string]string{ViewerAddressHeader: "not an address", OriginVerifyHeader: secret}, "130.176.1.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ClientIP(req(tc.headers), tc.secret); got != tc.want {
				t.Errorf("ClientIP = %q, want %q", got, tc.want)
			}
		})
	}
}
