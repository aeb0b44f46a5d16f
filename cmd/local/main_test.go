package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/local/localapi"
	"broadsheet/internal/local/localauth"
)

// `make -s token` must print exactly one valid editor token and nothing else.
func TestTokenCommand(t *testing.T) {
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	if err := run([]string{"token", "-data-dir", dir, "-template", "../../template.yaml"}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if errOut.Len() != 0 {
		t.Fatalf("stderr: %q", errOut.String())
	}
	if !regexp.MustCompile(`^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\n$`).MatchString(out.String()) {
		t.Fatalf("output %q is not one JWT line", out.String())
	}
	tok := strings.TrimSpace(out.String())
	signer, err := localauth.LoadOrCreate(dir)
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := localapi.LoadTemplate("../../template.yaml", dir, "broadsheet", localapi.WithLocalIssuer(nil, "127.0.0.1:3000"))
	if err != nil {
		t.Fatal(err)
	}
	a := tpl.HttpAPIs["Api"].Authorizers["EditorJwt"]
	claims, err := (&localauth.Verifier{Keys: signer.Keys(), Issuer: a.Issuer, Audience: a.Audience}).Verify(tok)
	if err != nil {
		t.Fatalf("token not accepted by the authorizer's settings: %v", err)
	}
	if claims["iss"] != "http://127.0.0.1:3000" {
		t.Fatalf("iss = %v, want the local runtime's origin", claims["iss"])
	}
	if claims["scope"] != "articles:write" {
		t.Fatalf("scope = %v", claims["scope"])
	}
	exp, _ := claims.GetExpirationTime()
	if d := time.Until(exp.Time); d < 11*time.Hour || d > 12*time.Hour+time.Minute {
		t.Fatalf("expires in %v", d)
	}
}

func TestUnknownCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run([]string{"frobnicate"}, &out, &errOut); err == nil {
		t.Fatal("unknown command accepted")
	}
}
