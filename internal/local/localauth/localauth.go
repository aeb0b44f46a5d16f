// Package localauth mints and verifies the JWTs the local runtime's emulated
// HttpApi JWT authorizer accepts. Tokens are ES256-signed with a P-256 key kept
// under the data directory (created on first use).
//
// It is local-only tooling: no Lambda function may import it.
package localauth

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// KeyFile is the signing key's file name under the data directory.
const KeyFile = "jwt-signing-key.pem"

// EditorScope is the scope editor tokens carry.
const EditorScope = "articles:write"

// Signer signs tokens with an ECDSA P-256 key.
type Signer struct {
	key *ecdsa.PrivateKey
	kid string
}

// LoadOrCreate loads dataDir/jwt-signing-key.pem, creating it (0600) on first use.
func LoadOrCreate(dataDir string) (*Signer, error) {
	path := filepath.Join(dataDir, KeyFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, err
		}
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return nil, err
		}
		if err := os.MkdirAll(dataDir, 0o755); err != nil {
			return nil, err
		}
		pemData := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
		// O_EXCL: if a concurrent process created it first, use theirs.
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			_, werr := f.Write(pemData)
			cerr := f.Close()
			if werr != nil || cerr != nil {
				os.Remove(path)
				return nil, errors.Join(werr, cerr)
			}
			return NewSigner(key), nil
		}
		if !errors.Is(err, os.ErrExist) {
			return nil, err
		}
		// Another process created the key first: use theirs.
		var rerr error
		if data, rerr = os.ReadFile(path); rerr != nil {
			return nil, rerr
		}
	} else if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("localauth: %s is not PEM", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("localauth: %s: %w", path, err)
	}
	key, ok := k.(*ecdsa.PrivateKey)
	if !ok || key.Curve != elliptic.P256() {
		return nil, fmt.Errorf("localauth: %s is not a P-256 key", path)
	}
	return NewSigner(key), nil
}

// NewEphemeral returns a signer with a fresh in-memory key (for tests).
func NewEphemeral() (*Signer, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	return NewSigner(key), nil
}

// NewSigner wraps a P-256 key.
func NewSigner(key *ecdsa.PrivateKey) *Signer {
	der, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	sum := sha256.Sum256(der)
	return &Signer{key: key, kid: base64.RawURLEncoding.EncodeToString(sum[:8])}
}

// PublicKey returns the verification key.
func (s *Signer) PublicKey() *ecdsa.PublicKey { return &s.key.PublicKey }

// KeyID returns the key id put in the tokens' "kid" header.
func (s *Signer) KeyID() string { return s.kid }

// Sign signs arbitrary claims with ES256 (no claim is added or checked), so
// tests can mint expired, future, wrong-issuer or wrong-audience tokens.
func (s *Signer) Sign(claims jwt.MapClaims) (string, error) {
	tok := jwt.NewWithClaims(jwt.SigningMethodES256, claims)
	tok.Header["kid"] = s.kid
	return tok.SignedString(s.key)
}

// SignNone returns an unsigned token (alg "none") with these claims, which
// any verifier must reject.
func SignNone(claims jwt.MapClaims) string {
	tok := jwt.NewWithClaims(jwt.SigningMethodNone, claims)
	str, _ := tok.SignedString(jwt.UnsafeAllowNoneSignatureType)
	return str
}

// SignHS256 returns a token signed with HMAC-SHA256 and the given secret
// (e.g. the public key bytes, for algorithm-confusion tests).
func SignHS256(secret []byte, claims jwt.MapClaims) string {
	str, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(secret)
	return str
}

// TokenOptions describe an editor token.
type TokenOptions struct {
	Issuer   string
	Audience string
	Subject  string        // default "local-editor"
	Scope    string        // space separated; default EditorScope
	Groups   []string      // cognito:groups; default none
	TTL      time.Duration // default 12 h
	Now      time.Time     // default time.Now()
	Extra    jwt.MapClaims // merged last
}

// Token mints a token shaped like a Cognito access token with an audience.
func (s *Signer) Token(o TokenOptions) (string, error) {
	if o.Issuer == "" || o.Audience == "" {
		return "", errors.New("localauth: issuer and audience are required")
	}
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	if o.TTL == 0 {
		o.TTL = 12 * time.Hour
	}
	if o.Subject == "" {
		o.Subject = "local-editor"
	}
	if o.Scope == "" {
		o.Scope = EditorScope
	}
	var jti [12]byte
	_, _ = rand.Read(jti[:])
	c := jwt.MapClaims{
		"iss":       o.Issuer,
		"aud":       o.Audience,
		"sub":       o.Subject,
		"client_id": o.Audience,
		"token_use": "access",
		"scope":     o.Scope,
		"username":  o.Subject,
		"iat":       now.Unix(),
		"nbf":       now.Unix(),
		"exp":       now.Add(o.TTL).Unix(),
		"jti":       base64.RawURLEncoding.EncodeToString(jti[:]),
	}
	if len(o.Groups) > 0 {
		c["cognito:groups"] = o.Groups
	}
	for k, v := range o.Extra {
		c[k] = v
	}
	return s.Sign(c)
}

// Verifier checks tokens the way API Gateway's JWT authorizer does: the
// signature (ES256 with the local key only), exp (required), nbf, iat, iss
// (exact) and aud or client_id (one of Audience).
type Verifier struct {
	Key      *ecdsa.PublicKey
	Issuer   string
	Audience []string
	Now      func() time.Time // default time.Now
}

// Verify returns the verified claims.
func (v *Verifier) Verify(token string) (jwt.MapClaims, error) {
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(token, claims, func(t *jwt.Token) (any, error) {
		return v.Key, nil
	},
		jwt.WithValidMethods([]string{jwt.SigningMethodES256.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithIssuer(v.Issuer),
		jwt.WithTimeFunc(now),
	)
	if err != nil {
		return nil, err
	}
	if !v.audienceOK(claims) {
		return nil, errors.New("token audience (aud or client_id) not accepted")
	}
	return claims, nil
}

func (v *Verifier) audienceOK(c jwt.MapClaims) bool {
	aud, _ := c.GetAudience()
	if cid, ok := c["client_id"].(string); ok {
		aud = append(aud, cid)
	}
	for _, a := range aud {
		if slices.Contains(v.Audience, a) {
			return true
		}
	}
	return false
}

// APIGatewayClaims renders claims as API Gateway puts them into
// requestContext.authorizer.jwt.claims: every value a string, numbers in
// plain notation, arrays as "[a b]".
func APIGatewayClaims(c jwt.MapClaims) map[string]string {
	out := make(map[string]string, len(c))
	for k, v := range c {
		out[k] = claimString(v)
	}
	return out
}

func claimString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	case nil:
		return ""
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = claimString(e)
		}
		return "[" + strings.Join(parts, " ") + "]"
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + ":" + claimString(x[k])
		}
		return "map[" + strings.Join(parts, " ") + "]"
	default:
		return fmt.Sprint(x)
	}
}

// Scopes returns the token's scopes ("scope" split on spaces, or "scp").
func Scopes(c jwt.MapClaims) []string {
	if s, ok := c["scope"].(string); ok {
		return strings.Fields(s)
	}
	if s, ok := c["scp"].([]any); ok {
		var out []string
		for _, e := range s {
			if str, ok := e.(string); ok {
				out = append(out, str)
			}
		}
		return out
	}
	return nil
}
