package apigw

import (
	"encoding/json"
	"slices"
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
	// Every right matches only as a whole element of its claim, exactly as
	// API Gateway renders it: "articles:writer", "Guest editors" or
	// "former,editors" grant nothing.
	if slices.Contains(a.JWT.Scopes, EditorScope) || slices.Contains(scopeElements(claims["scope"]), EditorScope) ||
		slices.Contains(arrayElements(claims["scp"]), EditorScope) {
		return ed, nil
	}
	if slices.Contains(arrayElements(claims["cognito:groups"]), EditorGroup) || slices.Contains(arrayElements(claims["groups"]), EditorGroup) {
		return ed, nil
	}
	return Editor{}, broadsheet.Errorf(broadsheet.CodeForbidden, "this token does not carry the %s scope or the %s group", EditorScope, EditorGroup)
}

// scopeElements splits an OAuth scope claim: space-delimited (RFC 6749
// §3.3), never on commas.
func scopeElements(v string) []string { return strings.Fields(v) }

// arrayElements reads a multi-valued claim (groups, scp) as API Gateway
// passes it: an array claim rendered Go-style as "[a b]" (elements split on
// single spaces; Cognito group names cannot contain spaces), a JSON array as
// some issuers send it, or a plain string, which is one element whatever
// spaces or commas it holds.
func arrayElements(v string) []string {
	if v == "" {
		return nil
	}
	var arr []string
	if strings.HasPrefix(v, "[") && json.Unmarshal([]byte(v), &arr) == nil {
		return arr
	}
	if inner, ok := strings.CutPrefix(v, "["); ok {
		if inner, ok = strings.CutSuffix(inner, "]"); ok {
			var out []string
			for _, e := range strings.Split(inner, " ") {
				if e != "" {
					out = append(out, e)
				}
			}
			return out
		}
	}
	return []string{v}
}
