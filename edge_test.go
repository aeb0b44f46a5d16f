package broadsheet_test

// The optional edge (EnableEdge=true): CloudFront in front of the API and the
// reference page from a private bucket. These tests hold template.yaml to
// what docs/scaling.md and docs/auth.md promise of it; cfn-lint (make lint,
// and TestEdgeLintsCleanBothWays) checks it against CloudFormation's schema.

import (
	"encoding/json"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"broadsheet/internal/local/samtemplate"
)

const edgeSecret = "0123456789abcdef0123456789abcdef"

// edgeResources are every resource the edge adds; each must exist only when
// EnableEdge is "true".
var edgeResources = []string{"PageBucket", "PageBucketPolicy", "PageOriginAccess", "ApiCachePolicy", "EditorCachePolicy",
	"ApiOriginRequestPolicy", "SecurityHeaders", "Edge"}

// resource returns one resource of the resolved template as generic JSON.
func resource(t *testing.T, tpl *samtemplate.Template, name string) map[string]any {
	t.Helper()
	r, ok := tpl.Raw().Resources[name]
	if !ok {
		t.Fatalf("template.yaml has no resource %s", name)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// at walks a JSON path of object keys and array indexes ("0").
func at(v any, path ...string) any {
	for _, p := range path {
		switch x := v.(type) {
		case map[string]any:
			v = x[p]
		case []any:
			i := int(p[0] - '0')
			if len(p) != 1 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

func loadEdge(t *testing.T) *samtemplate.Template {
	t.Helper()
	tpl, err := samtemplate.Load("template.yaml", samtemplate.Options{Parameters: map[string]string{
		"SigningSecret": edgeSecret, "EnableEdge": "true", "EdgeOriginSecret": edgeSecret, "EdgeOriginShieldRegion": "eu-west-1",
	}})
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

func TestEdgeIsOptional(t *testing.T) {
	tpl := loadEdge(t)
	for _, name := range edgeResources {
		if c := resource(t, tpl, name)["Condition"]; c != "EdgeEnabled" {
			t.Errorf("%s has Condition %v: every edge resource must be conditional on EdgeEnabled", name, c)
		}
	}
	if p := tpl.Parameters["EnableEdge"]; p.Default == nil || *p.Default != "false" {
		t.Errorf("EnableEdge default %v: a plain sam deploy must not create a distribution", p.Default)
	}
}

func TestEdgePageBucketIsPrivate(t *testing.T) {
	tpl := loadEdge(t)
	bucket := resource(t, tpl, "PageBucket")
	for _, k := range []string{"BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"} {
		if at(bucket, "Properties", "PublicAccessBlockConfiguration", k) != true {
			t.Errorf("PageBucket %s is not true", k)
		}
	}
	policy := resource(t, tpl, "PageBucketPolicy")
	statements, _ := at(policy, "Properties", "PolicyDocument", "Statement").([]any)
	var reads int
	for _, s := range statements {
		if at(s, "Effect") != "Allow" {
			continue
		}
		reads++
		if at(s, "Principal", "Service") != "cloudfront.amazonaws.com" || at(s, "Action") != "s3:GetObject" {
			t.Errorf("bucket policy allows %v to %v: only CloudFront may read", at(s, "Principal"), at(s, "Action"))
		}
		if arn, _ := at(s, "Condition", "StringEquals", "AWS:SourceArn").(string); !strings.Contains(arn, ":distribution/") {
			t.Errorf("CloudFront's read is not bound to this distribution (AWS:SourceArn %q)", arn)
		}
	}
	if reads != 1 {
		t.Errorf("%d Allow statements, want exactly CloudFront's read", reads)
	}
	oac := resource(t, tpl, "PageOriginAccess")
	if at(oac, "Properties", "OriginAccessControlConfig", "SigningBehavior") != "always" ||
		at(oac, "Properties", "OriginAccessControlConfig", "SigningProtocol") != "sigv4" {
		t.Errorf("origin access control does not sign every request: %v", at(oac, "Properties"))
	}
}

func TestEdgeCachingFollowsTheAPI(t *testing.T) {
	tpl := loadEdge(t)
	api := resource(t, tpl, "ApiCachePolicy")
	cfg := at(api, "Properties", "CachePolicyConfig")
	// MinTTL and DefaultTTL 0: the API's Cache-Control decides (no-store stays uncached).
	if at(cfg, "MinTTL") != 0.0 || at(cfg, "DefaultTTL") != 0.0 {
		t.Errorf("API cache policy overrides the origin: MinTTL %v DefaultTTL %v", at(cfg, "MinTTL"), at(cfg, "DefaultTTL"))
	}
	if at(cfg, "ParametersInCacheKeyAndForwardedToOrigin", "QueryStringsConfig", "QueryStringBehavior") != "all" {
		t.Error("lists and search are addressed by their query string: it must be in the cache key")
	}
	editor := at(resource(t, tpl, "EditorCachePolicy"), "Properties", "CachePolicyConfig")
	if h, _ := at(editor, "ParametersInCacheKeyAndForwardedToOrigin", "HeadersConfig", "Headers").([]any); !slices.Contains(h, any("Authorization")) {
		t.Error("editor routes would lose the Authorization header at the edge")
	}
	orp := at(resource(t, tpl, "ApiOriginRequestPolicy"), "Properties", "OriginRequestPolicyConfig", "HeadersConfig", "Headers")
	for _, want := range []string{"CloudFront-Viewer-Address", "If-Match", "If-None-Match", "Idempotency-Key", "Origin", "Content-Type"} {
		if h, _ := orp.([]any); !slices.Contains(h, any(want)) {
			t.Errorf("origin request policy does not forward %s", want)
		}
	}

	dist := at(resource(t, tpl, "Edge"), "Properties", "DistributionConfig")
	behaviours := map[string]any{}
	for _, b := range at(dist, "CacheBehaviors").([]any) {
		behaviours[at(b, "PathPattern").(string)] = b
	}
	for path, policy := range map[string]string{"/admin/*": "EditorCachePolicy", "/articles*": "ApiCachePolicy", "/search*": "ApiCachePolicy"} {
		b := behaviours[path]
		if b == nil {
			t.Errorf("no cache behaviour for %s", path)
			continue
		}
		if at(b, "TargetOriginId") != "api" || at(b, "CachePolicyId") != policy || at(b, "ResponseHeadersPolicyId") != "SecurityHeaders" {
			t.Errorf("%s: origin %v, cache policy %v, headers %v", path, at(b, "TargetOriginId"), at(b, "CachePolicyId"), at(b, "ResponseHeadersPolicyId"))
		}
		if !strings.HasPrefix(at(b, "ViewerProtocolPolicy").(string), "https") && at(b, "ViewerProtocolPolicy") != "redirect-to-https" {
			t.Errorf("%s reachable over plain HTTP", path)
		}
	}
	if at(dist, "DefaultCacheBehavior", "TargetOriginId") != "page" || at(dist, "DefaultCacheBehavior", "ResponseHeadersPolicyId") != "SecurityHeaders" {
		t.Errorf("default behaviour is not the page with security headers: %v", at(dist, "DefaultCacheBehavior"))
	}
	var apiOrigin any
	for _, o := range at(dist, "Origins").([]any) {
		if at(o, "Id") == "api" {
			apiOrigin = o
		}
	}
	if at(apiOrigin, "OriginCustomHeaders", "0", "HeaderName") != "X-Origin-Verify" || at(apiOrigin, "OriginCustomHeaders", "0", "HeaderValue") != edgeSecret {
		t.Errorf("the API origin does not get the origin secret header: %v", at(apiOrigin, "OriginCustomHeaders"))
	}
	if at(apiOrigin, "OriginShield", "OriginShieldRegion") != "eu-west-1" {
		t.Errorf("Origin Shield not enabled when EdgeOriginShieldRegion is set: %v", at(apiOrigin, "OriginShield"))
	}
	if at(apiOrigin, "OriginPath") != "/prod" {
		t.Errorf("API origin path %v, want the stage", at(apiOrigin, "OriginPath"))
	}
}

func TestEdgeSecurityHeaders(t *testing.T) {
	tpl := loadEdge(t)
	h := tpl.SecurityHeaders()
	csp := h.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %s", csp, want)
		}
	}
	if h.Get("X-Frame-Options") != "DENY" || h.Get("Referrer-Policy") == "" || !strings.HasPrefix(h.Get("Strict-Transport-Security"), "max-age=") ||
		h.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("security headers = %v", h)
	}
}

// cfn-lint resolves conditions per parameter set: lint both shapes.
func TestEdgeLintsCleanBothWays(t *testing.T) {
	if _, err := exec.LookPath("cfn-lint"); err != nil {
		t.Skip("cfn-lint not installed (pip install cfn-lint); make lint reports it")
	}
	for _, params := range [][]string{
		{"EnableEdge=false", "SigningSecret=" + edgeSecret},
		{"EnableEdge=true", "EdgeOriginSecret=" + edgeSecret, "SigningSecret=" + edgeSecret},
		{"EnableEdge=true", "EdgeOriginSecret=" + edgeSecret, "EdgeOriginShieldRegion=eu-west-1", "SigningSecret=" + edgeSecret},
	} {
		out, err := exec.Command("cfn-lint", append([]string{"template.yaml", "--parameters"}, params...)...).CombinedOutput()
		if err != nil {
			t.Errorf("cfn-lint with %v: %v\n%s", params, err, out)
		}
	}
}
