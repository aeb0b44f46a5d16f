package apigw

import (
	"encoding/json"
	"strings"

	"broadsheet/internal/broadsheet"
)

// EditorScope and EditorGroup are the rights that open the editor routes.
const (
	EditorScope = "articles:write"
	EditorGroup = "editors"
)

// Editor is who the verified token says is calling.
type Editor struct {
	Subject string
}

// RequireEditor checks the claims that API Gateway's JWT authorizer verified.
// It fails closed: no authorizer context means 401, whatever the headers say,
// because only the authorizer's verified claims can be trusted.
func RequireEditor(req Request) (Editor, error) {
	a := req.RequestContext.Authorizer
	if a == nil || a.JWT == nil || len(a.JWT.Claims) == 0 {
		return Editor{}, broadsheet.Errorf(broadsheet.CodeUnauthorized, "a valid bearer token is required")
	}
	claims := a.JWT.Claims
	ed := Editor{Subject: claims["sub"]}
	for _, s := range a.JWT.Scopes {
		if s == EditorScope {
			return ed, nil
		}
	}
	for _, s := range listClaim(claims["scope"]) {
		if s == EditorScope {
			return ed, nil
		}
	}
	for _, g := range listClaim(claims["cognito:groups"]) {
		if g == EditorGroup {
			return ed, nil
		}
	}
	for _, g := range listClaim(claims["groups"]) {
		if g == EditorGroup {
			return ed, nil
		}
	}
	return Editor{}, broadsheet.Errorf(broadsheet.CodeForbidden, "this token does not carry the %s scope or the %s group", EditorScope, EditorGroup)
}

// listClaim reads a multi-valued claim as API Gateway renders it: "[a b]",
// a JSON array, or a space- or comma-separated string.
func listClaim(v string) []string {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	var arr []string
	if strings.HasPrefix(v, "[") && json.Unmarshal([]byte(v), &arr) == nil {
		return arr
	}
	v = strings.TrimSuffix(strings.TrimPrefix(v, "["), "]")
	return strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == ',' })
}
