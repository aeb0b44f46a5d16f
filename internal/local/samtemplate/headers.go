package samtemplate

import (
	"net/http"
	"sort"
	"strconv"
)

// SecurityHeaders returns the headers of the template's CloudFront response
// headers policy (the edge's SecurityHeaders), so the local runtime serves
// the page with exactly what the deployed edge adds. Empty when the template
// has no such policy. With several, the first by logical id.
func (t *Template) SecurityHeaders() http.Header {
	h := http.Header{}
	if t.raw == nil {
		return h
	}
	policies := t.raw.GetAllCloudFrontResponseHeadersPolicyResources()
	names := make([]string, 0, len(policies))
	for name := range policies {
		names = append(names, name)
	}
	sort.Strings(names)
	if len(names) == 0 || policies[names[0]].ResponseHeadersPolicyConfig == nil {
		return h
	}
	sec := policies[names[0]].ResponseHeadersPolicyConfig.SecurityHeadersConfig
	if sec == nil {
		return h
	}
	if sec.ContentSecurityPolicy != nil {
		h.Set("Content-Security-Policy", sec.ContentSecurityPolicy.ContentSecurityPolicy)
	}
	if sec.ContentTypeOptions != nil {
		h.Set("X-Content-Type-Options", "nosniff")
	}
	if sec.FrameOptions != nil {
		h.Set("X-Frame-Options", sec.FrameOptions.FrameOption)
	}
	if sec.ReferrerPolicy != nil {
		h.Set("Referrer-Policy", sec.ReferrerPolicy.ReferrerPolicy)
	}
	if hsts := sec.StrictTransportSecurity; hsts != nil {
		v := "max-age=" + strconv.Itoa(hsts.AccessControlMaxAgeSec)
		if hsts.IncludeSubdomains != nil && *hsts.IncludeSubdomains {
			v += "; includeSubDomains"
		}
		if hsts.Preload != nil && *hsts.Preload {
			v += "; preload"
		}
		h.Set("Strict-Transport-Security", v)
	}
	return h
}
