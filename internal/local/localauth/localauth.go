// Package localauth is the local runtime's OpenID Connect issuer and its
// emulation of API Gateway's HTTP API JWT authorizer. Tokens are RS256-signed
// with a 2048-bit RSA key kept under the data directory (created on first use)
// and carry its "kid"; the key is published as a JWKS with an OpenID discovery
// document, as a real identity provider (Cognito, Auth0, Entra ID) does.
// Verification follows the AWS documentation's list of checks one by one (see
// Verifier), against the local key set or any issuer's published JWKS.
//
// It is local-only tooling: no Lambda function may import it.
package localauth

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// KeyFile is the signing key's file name under the data directory. (Earlier
// versions kept an ES256 key as jwt-signing-key.pem: API Gateway accepts only
// RSA, so that file is no longer read.)
const KeyFile = "jwt-signing-key-rsa.pem"

// EditorScope is the scope editor tokens carry.
const EditorScope = "articles:write"

// rsaBits is what identity providers use (Cognito, Auth0 and Entra ID: 2048).
const rsaBits = 2048

// Signer signs tokens with an RSA key and names it by kid.
type Signer struct {
	key *rsa.PrivateKey
	kid string
}

// LoadOrCreate loads dataDir/KeyFile, creating it (0600) on first use.
func LoadOrCreate(dataDir string) (*Signer, error) {
	path := filepath.Join(dataDir, KeyFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		key, err := rsa.GenerateKey(rand.Reader, rsaBits)
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
	key, ok := k.(*rsa.PrivateKey)
	if !ok || key.N.BitLen() < rsaBits {
		return nil, fmt.Errorf("localauth: %s is not an RSA key of at least %d bits", path, rsaBits)
	}
	return NewSigner(key), nil
}

// NewEphemeral returns a signer with a fresh in-memory key (for tests).
func NewEphemeral() (*Signer, error) {
	key, err := rsa.GenerateKey(rand.Reader, rsaBits)
	if err != nil {
		return nil, err
	}
	return NewSigner(key), nil
}

// NewSigner wraps an RSA key; its kid is the RFC 7638 JWK thumbprint.
func NewSigner(key *rsa.PrivateKey) *Signer {
	return &Signer{key: key, kid: thumbprint(&key.PublicKey)}
}

// WithKeyID returns a signer with the same key under another kid (for tests
// of forged headers: a token whose kid names a key that did not sign it).
func (s *Signer) WithKeyID(kid string) *Signer { return &Signer{key: s.key, kid: kid} }

// thumbprint is RFC 7638: SHA-256 over the required members in lexical order.
func thumbprint(pub *rsa.PublicKey) string {
	canon := `{"e":"` + b64(big.NewInt(int64(pub.E)).Bytes()) + `","kty":"RSA","n":"` + b64(pub.N.Bytes()) + `"}`
	sum := sha256.Sum256([]byte(canon))
	return b64(sum[:])
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// PublicKey returns the verification key.
func (s *Signer) PublicKey() *rsa.PublicKey { return &s.key.PublicKey }

// KeyID returns the key id put in the tokens' "kid" header.
func (s *Signer) KeyID() string { return s.kid }

// Keys returns the signer's public key as a key set.
func (s *Signer) Keys() KeySet { return StaticKeys{s.kid: s.PublicKey()} }

// JWKS returns the signer's public key as a JSON Web Key Set (RFC 7517).
func (s *Signer) JWKS() JWKS {
	return JWKS{Keys: []JWK{{Kty: "RSA", Use: "sig", Alg: "RS256", Kid: s.kid,
		N: b64(s.key.N.Bytes()), E: b64(big.NewInt(int64(s.key.E)).Bytes())}}}
}

// Sign signs arbitrary claims with RS256 (no claim is added or checked), so
// tests can mint expired, future, wrong-issuer or wrong-audience tokens.
func (s *Signer) Sign(claims jwt.MapClaims) (string, error) {
	return s.SignWith(jwt.SigningMethodRS256, claims)
}

// SignWith signs with another RSA algorithm (RS384, RS512, PS256...).
func (s *Signer) SignWith(m jwt.SigningMethod, claims jwt.MapClaims) (string, error) {
	tok := jwt.NewWithClaims(m, claims)
	if s.kid != "" {
		tok.Header["kid"] = s.kid
	}
	return tok.SignedString(s.key)
}

// SignES256 returns a token signed with a fresh P-256 key under kid, which
// API Gateway refuses (it accepts only RSA algorithms), for tests.
func SignES256(kid string, claims jwt.MapClaims) string {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return ""
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodES256, claims)
	tok.Header["kid"] = kid
	str, _ := tok.SignedString(key)
	return str
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

// Verifier checks tokens as API Gateway's JWT authorizer does, in the order
// the AWS documentation lists ("Validating JWTs"):
//
//   - the header's kid names a key of the issuer's JWKS, and the algorithm is
//     RSA-based (RS256, RS384, RS512; API Gateway supports only those);
//   - the signature verifies with that key;
//   - iss equals the authorizer's issuer exactly;
//   - aud, when present, contains one of the audiences; client_id is checked
//     against them only when aud is absent;
//   - exp is present and after now; nbf and iat, when present, not after now.
//
// Route scopes are the caller's (Scopes): they need the route's configuration.
type Verifier struct {
	Keys     KeySet
	Issuer   string
	Audience []string
	Now      func() time.Time // default time.Now
}

// rsaAlgorithms are the JWS algorithms API Gateway's authorizer accepts.
var rsaAlgorithms = []string{"RS256", "RS384", "RS512"}

// Verify returns the verified claims.
func (v *Verifier) Verify(token string) (jwt.MapClaims, error) {
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(token, claims, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		if kid == "" {
			return nil, errors.New("token header has no kid")
		}
		if v.Keys == nil {
			return nil, errors.New("no key set")
		}
		return v.Keys.Key(kid)
	},
		jwt.WithValidMethods(rsaAlgorithms),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithIssuer(v.Issuer),
		jwt.WithTimeFunc(now),
	)
	if err != nil {
		return nil, err
	}
	if err := v.audienceOK(claims); err != nil {
		return nil, err
	}
	return claims, nil
}

// audienceOK applies API Gateway's rule: aud wins whenever it is present.
func (v *Verifier) audienceOK(c jwt.MapClaims) error {
	if _, present := c["aud"]; present {
		aud, err := c.GetAudience()
		if err != nil {
			return fmt.Errorf("aud: %w", err)
		}
		for _, a := range aud {
			if slices.Contains(v.Audience, a) {
				return nil
			}
		}
		return errors.New("aud names none of the authorizer's audiences")
	}
	if cid, ok := c["client_id"].(string); ok && slices.Contains(v.Audience, cid) {
		return nil
	}
	return errors.New("no aud, and client_id names none of the authorizer's audiences")
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
