package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/golang-jwt/jwt/v5"

	"broadsheet/internal/apigw"
	"broadsheet/internal/local/localapi"
	"broadsheet/internal/local/localauth"
)

// testAuthorisationMatrix: every /admin route × every bad credential → 401
// (from the authorizer) or 403 (from the handler), and the table unchanged.
func testAuthorisationMatrix(t *testing.T) {
	s := newStack(t, stackOptions{})
	art := s.createArticle("auth-target", "Auth target")
	c := s.do(request{method: "POST", path: "/articles/auth-target/comments", localIP: "127.3.0.1",
		body: jsonBody(map[string]any{"name": "R", "email": "auth-reader@example.com", "body": "Hi."})})
	var cm struct{ ID string }
	c.json(t, &cm)
	logs.secret("auth-reader@example.com", "a commenter's email")

	opts := s.st.TokenOptions()
	now := time.Now()
	claims := func(mut func(jwt.MapClaims)) jwt.MapClaims {
		c := jwt.MapClaims{"iss": opts.Issuer, "aud": opts.Audience, "client_id": opts.Audience, "sub": "attacker", "token_use": "access",
			"scope": apigw.EditorScope, "iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix()}
		if mut != nil {
			mut(c)
		}
		return c
	}
	sign := func(c jwt.MapClaims) string {
		tok, err := s.st.Signer().Sign(c)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	other, err := localauth.NewEphemeral()
	if err != nil {
		t.Fatal(err)
	}
	// Another key under our kid: only the signature can tell.
	wrongSig, _ := other.WithKeyID(s.st.Signer().KeyID()).Sign(claims(nil))
	valid := sign(claims(nil))
	noScope, _ := s.st.Signer().Token(localauth.TokenOptions{Issuer: opts.Issuer, Audience: opts.Audience, Scope: "openid profile"})
	groupOther, _ := s.st.Signer().Token(localauth.TokenOptions{Issuer: opts.Issuer, Audience: opts.Audience, Scope: "openid", Groups: []string{"readers"}})
	parts := strings.Split(valid, ".")
	cases := []struct {
		name   string
		header []string // Authorization values
		want   int
	}{
		{"no token", nil, 401},
		{"empty bearer", []string{"Bearer "}, 401},
		{"malformed", []string{"Bearer not.a.jwt"}, 401},
		{"basic scheme", []string{"Basic YWRtaW46YWRtaW4="}, 401},
		{"alg none", []string{"Bearer " + localauth.SignNone(claims(nil))}, 401},
		{"HS256 with the public key as secret", []string{"Bearer " + localauth.SignHS256([]byte("secret"), claims(nil))}, 401},
		{"wrong signature", []string{"Bearer " + wrongSig}, 401},
		{"tampered payload", []string{"Bearer " + parts[0] + "." + strings.TrimRight(parts[1], "A") + "B." + parts[2]}, 401},
		{"expired", []string{"Bearer " + sign(claims(func(c jwt.MapClaims) { c["exp"] = now.Add(-time.Minute).Unix() }))}, 401},
		{"not yet valid", []string{"Bearer " + sign(claims(func(c jwt.MapClaims) { c["nbf"] = now.Add(time.Hour).Unix() }))}, 401},
		{"no exp", []string{"Bearer " + sign(claims(func(c jwt.MapClaims) { delete(c, "exp") }))}, 401},
		{"wrong issuer", []string{"Bearer " + sign(claims(func(c jwt.MapClaims) { c["iss"] = "https://evil.example.com" }))}, 401},
		{"wrong audience", []string{"Bearer " + sign(claims(func(c jwt.MapClaims) { c["aud"] = "other-app"; c["client_id"] = "other-app" }))}, 401},
		// API Gateway's own rules (docs: "Validating JWTs"), which a generic JWT check would pass:
		{"aud wrong, client_id right (aud wins)", []string{"Bearer " + sign(claims(func(c jwt.MapClaims) { c["aud"] = "other-app" }))}, 401},
		{"no kid", []string{"Bearer " + signAs(s.st.Signer().WithKeyID(""), claims(nil))}, 401},
		{"kid not in the JWKS", []string{"Bearer " + signAs(s.st.Signer().WithKeyID("garbage"), claims(nil))}, 401},
		{"ES256 under our kid", []string{"Bearer " + localauth.SignES256(s.st.Signer().KeyID(), claims(nil))}, 401},
		{"issued in the future", []string{"Bearer " + sign(claims(func(c jwt.MapClaims) { c["iat"] = now.Add(time.Hour).Unix() }))}, 401},
		{"valid without scope", []string{"Bearer " + noScope}, 403},
		{"valid with another group", []string{"Bearer " + groupOther}, 403},
		{"scope smuggled in sub", []string{"Bearer " + sign(claims(func(c jwt.MapClaims) { c["scope"] = "openid"; c["sub"] = "articles:write" }))}, 403},
	}
	for _, tok := range []string{wrongSig, valid, noScope} {
		logs.secret(tok, "a bearer token")
	}
	routes := s.st.Template().Routes
	tried := 0
	for _, rt := range routes {
		if !strings.HasPrefix(rt.Path, "/admin") {
			continue
		}
		path := strings.ReplaceAll(rt.Path, "{id}", art.ID)
		if strings.HasPrefix(rt.Path, "/admin/comments/") {
			path = strings.ReplaceAll(rt.Path, "{id}", cm.ID)
		}
		for _, tc := range cases {
			before := s.snapshot()
			r := request{method: rt.Method, path: path, header: http.Header{"If-Match": {`"v1"`}}, body: validBody(rt.Method + " " + rt.Path)}
			if tc.header != nil {
				r.header["Authorization"] = tc.header
			}
			a := s.do(r)
			tried++
			if a.status != tc.want {
				t.Errorf("%s %s, %s: %s, want %d", rt.Method, rt.Path, tc.name, a, tc.want)
			}
			if a.status == 401 && a.gatewayMessage() != "Unauthorized" {
				t.Errorf("%s %s, %s: 401 body %s", rt.Method, rt.Path, tc.name, a)
			}
			if a.status == 403 && a.errorCode() != "forbidden" {
				t.Errorf("%s %s, %s: 403 body %s", rt.Method, rt.Path, tc.name, a)
			}
			if s.snapshot() != before {
				t.Errorf("%s %s, %s: the table changed", rt.Method, rt.Path, tc.name)
			}
		}
	}
	t.Logf("FIGURES auth matrix: %d requests (%d admin routes × %d credentials), all refused, table unchanged", tried, tried/len(cases), len(cases))

	t.Run("the local runtime is an OpenID issuer", func(t *testing.T) {
		// What API Gateway does with a real IdP: from the issuer URL alone,
		// discovery → jwks_uri → the key the token's kid names.
		if opts.Issuer != s.st.URL() {
			t.Fatalf("authorizer issuer %q, want the local origin %q", opts.Issuer, s.st.URL())
		}
		tok, err := s.st.Token()
		if err != nil {
			t.Fatal(err)
		}
		v := &localauth.Verifier{Keys: &localauth.RemoteKeys{Issuer: opts.Issuer}, Issuer: opts.Issuer, Audience: []string{opts.Audience}}
		if _, err := v.Verify(tok); err != nil {
			t.Fatalf("the stack's own token fails verification through its discovery document: %v", err)
		}
		resp, err := http.Get(s.st.URL() + localauth.JWKSPath)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var set localauth.JWKS
		if err := json.NewDecoder(resp.Body).Decode(&set); err != nil || len(set.Keys) != 1 || set.Keys[0].Kty != "RSA" || set.Keys[0].Kid != s.st.Signer().KeyID() {
			t.Fatalf("JWKS = %+v (%v)", set, err)
		}
	})
}

func signAs(s *localauth.Signer, c jwt.MapClaims) string {
	tok, _ := s.Sign(c)
	return tok
}

// TestEditorWithoutAuthorizerContext: a misconfigured authorizer (none on the
// route) hands the Editor function an event without claims: it answers 401
// whatever Authorization header arrives.
func TestEditorWithoutAuthorizerContext(t *testing.T) {
	h, err := localapi.Functions["functions/editor"](context.Background(), func(k string) string {
		return map[string]string{"TABLE_NAME": "unused", "DYNAMODB_ENDPOINT": "http://127.0.0.1:1", "SIGNING_SECRET": strings.Repeat("s", 40)}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	handle := h.(func(context.Context, apigw.Request) (apigw.Response, error))
	for _, rk := range []string{"POST /admin/articles", "GET /admin/articles", "PUT /admin/articles/{id}", "DELETE /admin/articles/{id}",
		"GET /admin/comments", "PATCH /admin/comments/{id}", "DELETE /admin/comments/{id}", "POST /admin/comments", "GET /admin/articles/{id}"} {
		req := apigw.Request{RouteKey: rk, Headers: map[string]string{"authorization": "Bearer anything", "content-type": "application/json"}, Body: `{}`,
			PathParameters: map[string]string{"id": "01ARZ3NDEKTSV4RRFFQ69G5FAV"}}
		resp, err := handle(context.Background(), req)
		if err != nil || resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s without authorizer context: %d %v %s", rk, resp.StatusCode, err, resp.Body)
		}
		var e struct{ Error struct{ Code string } }
		if json.Unmarshal([]byte(resp.Body), &e) != nil || e.Error.Code != "unauthorized" {
			t.Errorf("%s: body %s", rk, resp.Body)
		}
		// Claims present but empty: still 401.
		req.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{}}}
		if resp, _ := handle(context.Background(), req); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s with empty claims: %d", rk, resp.StatusCode)
		}
	}
}
