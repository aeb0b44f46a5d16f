package localauth

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const (
	iss = "https://issuer.example/pool"
	aud = "broadsheet-editors"
)

func TestLoadOrCreateKeepsKey(t *testing.T) {
	dir := t.TempDir()
	s1, err := LoadOrCreate(dir)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v", fi.Mode().Perm())
	}
	s2, err := LoadOrCreate(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !s1.PublicKey().Equal(s2.PublicKey()) || s1.KeyID() != s2.KeyID() {
		t.Fatal("key changed between loads")
	}
	tok, err := s1.Token(TokenOptions{Issuer: iss, Audience: aud})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (&Verifier{Keys: s2.Keys(), Issuer: iss, Audience: []string{aud}}).Verify(tok); err != nil {
		t.Fatalf("token from the first load rejected by the second: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, KeyFile), []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreate(dir); err == nil {
		t.Fatal("corrupt key file accepted")
	}
}

func TestVerify(t *testing.T) {
	s, err := NewEphemeral()
	if err != nil {
		t.Fatal(err)
	}
	other, _ := NewEphemeral()
	now := time.Unix(1_800_000_000, 0)
	v := &Verifier{Keys: s.Keys(), Issuer: iss, Audience: []string{"other", aud}, Now: func() time.Time { return now }}
	base := func() jwt.MapClaims {
		return jwt.MapClaims{"iss": iss, "aud": aud, "sub": "u", "exp": now.Add(time.Hour).Unix(), "scope": "articles:write"}
	}
	with := func(k string, val any) jwt.MapClaims {
		c := base()
		if val == nil {
			delete(c, k)
		} else {
			c[k] = val
		}
		return c
	}
	sign := func(c jwt.MapClaims) string {
		tok, err := s.Sign(c)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	editor, _ := s.Token(TokenOptions{Issuer: iss, Audience: aud, Now: now})
	tests := []struct {
		name  string
		token string
		ok    bool
	}{
		{"valid", sign(base()), true},
		{"editor token", editor, true},
		{"audience list", sign(with("aud", []string{"x", aud})), true},
		{"client_id instead of aud", sign(with("aud", nil)), false},
		{"client_id ok", sign(func() jwt.MapClaims { c := with("aud", nil); c["client_id"] = aud; return c }()), true},
		{"expired", sign(with("exp", now.Add(-time.Second).Unix())), false},
		{"no exp", sign(with("exp", nil)), false},
		{"not yet valid", sign(with("nbf", now.Add(time.Minute).Unix())), false},
		{"issued in the future", sign(with("iat", now.Add(time.Minute).Unix())), false},
		{"wrong issuer", sign(with("iss", iss+"/x")), false},
		{"wrong audience", sign(with("aud", "someone-else")), false},
		{"other key", func() string { tok, _ := other.Sign(base()); return tok }(), false},
		// API Gateway's rules beyond a generic JWT library's defaults:
		{"aud wrong, client_id right: aud wins", sign(func() jwt.MapClaims { c := with("aud", "someone-else"); c["client_id"] = aud; return c }()), false},
		{"aud right, client_id wrong", sign(func() jwt.MapClaims { c := base(); c["client_id"] = "someone-else"; return c }()), true},
		{"no kid", func() string { tok, _ := s.WithKeyID("").Sign(base()); return tok }(), false},
		{"unknown kid", func() string { tok, _ := s.WithKeyID("garbage").Sign(base()); return tok }(), false},
		{"kid of our key, signed by another", func() string { tok, _ := other.WithKeyID(s.KeyID()).Sign(base()); return tok }(), false},
		{"RS384", func() string { tok, _ := s.SignWith(jwt.SigningMethodRS384, base()); return tok }(), true},
		{"RS512", func() string { tok, _ := s.SignWith(jwt.SigningMethodRS512, base()); return tok }(), true},
		{"ES256 with a known kid", SignES256(s.KeyID(), base()), false},
		{"nbf and iat now", sign(func() jwt.MapClaims { c := base(); c["nbf"] = now.Unix(); c["iat"] = now.Unix(); return c }()), true},
		{"alg none", SignNone(base()), false},
		{"hs256", SignHS256([]byte("secret"), base()), false},
		{"tampered", func() string { tok := sign(base()); return tok[:len(tok)-4] + "AAAA" }(), false},
		{"garbage", "not.a.jwt", false},
		{"empty", "", false},
		{"expired editor token", func() string {
			tok, _ := s.Token(TokenOptions{Issuer: iss, Audience: aud, Now: now.Add(-13 * time.Hour)})
			return tok
		}(), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := v.Verify(tc.token)
			if (err == nil) != tc.ok {
				t.Fatalf("Verify err = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

// The local issuer publishes what a real IdP does, and a verifier that knows
// only the issuer URL (as API Gateway does) finds the key through discovery.
func TestIssuerDiscoveryAndRemoteKeys(t *testing.T) {
	s, err := NewEphemeral()
	if err != nil {
		t.Fatal(err)
	}
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.IssuerHandler(srv.URL, srv.URL).ServeHTTP(w, r)
	}))
	defer srv.Close()

	resp, err := http.Get(srv.URL + DiscoveryPath)
	if err != nil {
		t.Fatal(err)
	}
	var d Discovery
	if err := json.NewDecoder(resp.Body).Decode(&d); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if d.Issuer != srv.URL || d.JWKSURI != srv.URL+JWKSPath || !slices.Contains(d.IDTokenSigningAlgValuesSupported, "RS256") {
		t.Fatalf("discovery = %+v", d)
	}

	tok, err := s.Token(TokenOptions{Issuer: srv.URL, Audience: aud})
	if err != nil {
		t.Fatal(err)
	}
	remote := &RemoteKeys{Issuer: srv.URL}
	v := &Verifier{Keys: remote, Issuer: srv.URL, Audience: []string{aud}}
	if _, err := v.Verify(tok); err != nil {
		t.Fatalf("token of the local issuer rejected through its own discovery: %v", err)
	}
	forged, _ := s.WithKeyID("rotated-away").Sign(jwt.MapClaims{"iss": srv.URL, "aud": aud, "exp": time.Now().Add(time.Hour).Unix()})
	if _, err := v.Verify(forged); err == nil {
		t.Fatal("token with a kid the JWKS does not list accepted")
	}

	// A discovery document must name the issuer it was fetched for.
	wrong := &Verifier{Keys: &RemoteKeys{Issuer: srv.URL + "/"}, Issuer: srv.URL + "/", Audience: []string{aud}}
	tok2, _ := s.Token(TokenOptions{Issuer: srv.URL + "/", Audience: aud})
	if _, err := wrong.Verify(tok2); err == nil || !strings.Contains(err.Error(), "names issuer") {
		t.Fatalf("discovery for another issuer: err = %v", err)
	}
}

func TestJWKSKeySetSkipsWhatAPIGatewayCannotUse(t *testing.T) {
	s, _ := NewEphemeral()
	set := s.JWKS()
	set.Keys = append(set.Keys,
		JWK{Kty: "EC", Kid: "ec", N: "x", E: "y"},
		JWK{Kty: "RSA", Use: "enc", Kid: "enc", N: set.Keys[0].N, E: set.Keys[0].E},
		JWK{Kty: "RSA", N: set.Keys[0].N, E: set.Keys[0].E}, // no kid
	)
	keys, err := set.KeySet()
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 1 {
		t.Fatalf("usable keys = %d, want only the RSA signing key with a kid", len(keys))
	}
	if k, err := keys.Key(s.KeyID()); err != nil || !s.PublicKey().Equal(k) {
		t.Fatalf("key round trip: %v", err)
	}
	if _, err := (JWKS{Keys: []JWK{{Kty: "RSA", Kid: "bad", N: "!!", E: "AQAB"}}}).KeySet(); err == nil {
		t.Fatal("malformed modulus accepted")
	}
}

func TestEditorTokenClaims(t *testing.T) {
	s, _ := NewEphemeral()
	now := time.Now()
	tok, err := s.Token(TokenOptions{Issuer: iss, Audience: aud, Groups: []string{"editors"}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := (&Verifier{Keys: s.Keys(), Issuer: iss, Audience: []string{aud}}).Verify(tok)
	if err != nil {
		t.Fatal(err)
	}
	exp, _ := c.GetExpirationTime()
	if d := exp.Sub(now); d < 12*time.Hour-time.Minute || d > 12*time.Hour+time.Minute {
		t.Fatalf("expiry in %v, want 12h", d)
	}
	if got := Scopes(c); !reflect.DeepEqual(got, []string{"articles:write"}) {
		t.Fatalf("scopes = %v", got)
	}
	gw := APIGatewayClaims(c)
	if gw["cognito:groups"] != "[editors]" || gw["scope"] != "articles:write" || gw["iss"] != iss || gw["aud"] != aud {
		t.Fatalf("claims = %v", gw)
	}
	if strings.ContainsAny(gw["exp"], "e.") {
		t.Fatalf("exp rendered as %q", gw["exp"])
	}
	if _, err := s.Token(TokenOptions{}); err == nil {
		t.Fatal("token without issuer/audience minted")
	}
}

func TestClaimString(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{"x", "x"},
		{float64(1800000000), "1800000000"},
		{1.5, "1.5"},
		{true, "true"},
		{[]any{"a", "b"}, "[a b]"},
		{[]any{}, "[]"},
		{map[string]any{"b": "2", "a": float64(1)}, "map[a:1 b:2]"},
	}
	for _, tc := range tests {
		if got := claimString(tc.in); got != tc.want {
			t.Errorf("claimString(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := Scopes(jwt.MapClaims{"scp": []any{"a", "b"}}); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Errorf("scp scopes = %v", got)
	}
}
