package apigw

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net"
	"strconv"
	"strings"
	"unicode/utf8"

	"broadsheet/internal/broadsheet"
)

// Header returns a request header. API Gateway 2.0 lower-cases names; the
// lookup also tolerates other casings from hand-written events.
func Header(req Request, name string) string {
	name = strings.ToLower(name)
	if v, ok := req.Headers[name]; ok {
		return v
	}
	for k, v := range req.Headers {
		if strings.ToLower(k) == name {
			return v
		}
	}
	return ""
}

// Body returns the request body's bytes, decoding base64 when API Gateway used it.
func Body(req Request) ([]byte, error) {
	if !req.IsBase64Encoded {
		return []byte(req.Body), nil
	}
	b, err := base64.StdEncoding.DecodeString(req.Body)
	if err != nil {
		return nil, broadsheet.Errorf(broadsheet.CodeBadRequest, "the request body is not valid base64")
	}
	return b, nil
}

// DecodeJSON reads a JSON object body into v. It answers the contract's
// errors: 415 for a body that is not JSON, 413 over maxBytes, 400 for
// malformed JSON, invalid UTF-8 or a value of the wrong type.
func DecodeJSON(req Request, maxBytes int, v any) error {
	ct := Header(req, "content-type")
	mt, params, err := mime.ParseMediaType(ct)
	if ct == "" || err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		return broadsheet.Errorf(broadsheet.CodeUnsupportedMedia, "send the body as application/json")
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return broadsheet.Errorf(broadsheet.CodeUnsupportedMedia, "send the body as UTF-8")
	}
	// Checked before decoding base64 so a huge body costs nothing more.
	if len(req.Body) > maxBytes*4/3+4 {
		return tooLarge(maxBytes)
	}
	body, err := Body(req)
	if err != nil {
		return err
	}
	if len(body) > maxBytes {
		return tooLarge(maxBytes)
	}
	if !utf8.Valid(body) {
		return broadsheet.Errorf(broadsheet.CodeBadRequest, "the request body is not valid UTF-8")
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return broadsheet.Errorf(broadsheet.CodeBadRequest, "the request body must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	if err := dec.Decode(v); err != nil {
		var domainErr *broadsheet.Error
		if errors.As(err, &domainErr) {
			return domainErr // a field's own check (an empty enum value)
		}
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			return &broadsheet.Error{
				Code:    broadsheet.CodeValidation,
				Message: typeErr.Field + " has the wrong type",
				Fields:  map[string]string{typeErr.Field: "must be a " + jsonKind(typeErr.Type.Kind().String())},
			}
		}
		return broadsheet.Errorf(broadsheet.CodeBadRequest, "the request body is not valid JSON")
	}
	if _, err := dec.Token(); err != io.EOF {
		return broadsheet.Errorf(broadsheet.CodeBadRequest, "the request body has data after the JSON object")
	}
	return nil
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "slice", "array":
		return "array"
	case "struct", "map", "ptr":
		return "object"
	default:
		return "number"
	}
}

func tooLarge(maxBytes int) error {
	return broadsheet.Errorf(broadsheet.CodePayloadTooLarge, "the request body is larger than %d bytes", maxBytes)
}

// Query returns a query-string parameter. API Gateway joins repeated values
// with commas; a repeated parameter is refused rather than guessed at.
func Query(req Request, name string) string { return req.QueryStringParameters[name] }

// Limit parses the limit parameter: def when absent, 400 outside 1..max.
func Limit(req Request, def, max int) (int, error) {
	s, ok := req.QueryStringParameters["limit"]
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > max {
		return 0, &broadsheet.Error{
			Code:    broadsheet.CodeValidation,
			Message: "limit must be a whole number from 1 to " + strconv.Itoa(max),
			Fields:  map[string]string{"limit": "must be from 1 to " + strconv.Itoa(max)},
		}
	}
	return n, nil
}

// BaseURL is the base URL of the API that received req, for links in
// answers when no public URL is configured (local runs): the Host header
// (or the API's domain), http on loopback and https elsewhere unless
// X-Forwarded-Proto says, plus a named stage.
func BaseURL(req Request) string {
	host := Header(req, "host")
	if host == "" {
		host = req.RequestContext.DomainName
	}
	scheme := Header(req, "x-forwarded-proto")
	if scheme != "http" && scheme != "https" {
		scheme = "https"
		if hn, _, err := net.SplitHostPort(host); (err == nil && isLoopback(hn)) || isLoopback(host) {
			scheme = "http"
		}
	}
	base := scheme + "://" + host
	if st := req.RequestContext.Stage; st != "" && st != "$default" {
		base += "/" + st
	}
	return base
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}
