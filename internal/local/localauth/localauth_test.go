package localauth

import (
	"os"
	"path/filepath"
	"reflect"
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
	if _, err := (&Verifier{Key: s2.PublicKey(), Issuer: iss, Audience: []string{aud}}).Verify(tok); err != nil {
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
	v := &Verifier{Key: s.PublicKey(), Issuer: iss, Audience: []string{"other", aud}, Now: func() time.Time { return now }}
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

func TestEditorTokenClaims(t *testing.T) {
	s, _ := NewEphemeral()
	now := time.Now()
	tok, err := s.Token(TokenOptions{Issuer: iss, Audience: aud, Groups: []string{"editors"}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := (&Verifier{Key: s.PublicKey(), Issuer: iss, Audience: []string{aud}}).Verify(tok)
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
