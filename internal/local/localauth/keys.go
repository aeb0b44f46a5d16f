package localauth

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"time"
)

// KeySet finds the verification key a token's kid names.
type KeySet interface {
	Key(kid string) (any, error)
}

// StaticKeys is a fixed key set: kid → *rsa.PublicKey.
type StaticKeys map[string]any

// Key implements KeySet.
func (k StaticKeys) Key(kid string) (any, error) {
	if key, ok := k[kid]; ok {
		return key, nil
	}
	return nil, fmt.Errorf("kid %q is not in the issuer's JWKS", kid)
}

// JWK is one RSA public key of a JWKS (RFC 7517, RFC 7518 §6.3).
type JWK struct {
	Kty string `json:"kty"`
	Use string `json:"use,omitempty"`
	Alg string `json:"alg,omitempty"`
	Kid string `json:"kid"`
	N   string `json:"n"`
	E   string `json:"e"`
}

// JWKS is a JSON Web Key Set.
type JWKS struct {
	Keys []JWK `json:"keys"`
}

// KeySet returns the set's usable keys: RSA signature keys with a kid. Other
// key types (EC, oct) and encryption keys are skipped, as API Gateway cannot
// use them either.
func (s JWKS) KeySet() (StaticKeys, error) {
	out := StaticKeys{}
	for _, k := range s.Keys {
		if k.Kty != "RSA" || k.Kid == "" || (k.Use != "" && k.Use != "sig") {
			continue
		}
		n, err1 := base64.RawURLEncoding.DecodeString(k.N)
		e, err2 := base64.RawURLEncoding.DecodeString(k.E)
		if err1 != nil || err2 != nil || len(n) == 0 || len(e) == 0 || len(e) > 4 {
			return nil, fmt.Errorf("JWKS key %q: malformed n or e", k.Kid)
		}
		out[k.Kid] = rsaPublicKey(new(big.Int).SetBytes(n), int(new(big.Int).SetBytes(e).Int64()))
	}
	return out, nil
}

// Discovery is the part of an OpenID Provider's configuration document
// (OpenID Connect Discovery 1.0) that an authorizer reads.
type Discovery struct {
	Issuer                           string   `json:"issuer"`
	JWKSURI                          string   `json:"jwks_uri"`
	ResponseTypesSupported           []string `json:"response_types_supported"`
	SubjectTypesSupported            []string `json:"subject_types_supported"`
	IDTokenSigningAlgValuesSupported []string `json:"id_token_signing_alg_values_supported"`
	ScopesSupported                  []string `json:"scopes_supported,omitempty"`
}

// Well-known paths the local issuer serves on the local origin.
const (
	DiscoveryPath = "/.well-known/openid-configuration"
	JWKSPath      = "/.well-known/jwks.json"
)

// IssuerHandler serves the signer's discovery document and JWKS, naming
// issuer as the issuer and origin (e.g. http://127.0.0.1:3000) as the host of
// the JWKS.
func (s *Signer) IssuerHandler(issuer, origin string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+DiscoveryPath, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, Discovery{
			Issuer: issuer, JWKSURI: strings.TrimRight(origin, "/") + JWKSPath,
			ResponseTypesSupported: []string{"code", "token"}, SubjectTypesSupported: []string{"public"},
			IDTokenSigningAlgValuesSupported: []string{"RS256"}, ScopesSupported: []string{"openid", EditorScope},
		})
	})
	mux.HandleFunc("GET "+JWKSPath, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, s.JWKS()) })
	return mux
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_ = json.NewEncoder(w).Encode(v)
}

// RemoteKeys is an issuer's published key set, read as API Gateway reads it:
// {issuer}/.well-known/openid-configuration names jwks_uri, whose RSA keys
// verify tokens. Keys are cached; an unknown kid refetches (key rotation), at
// most once per MinRefresh so that forged kids cannot make it hammer the IdP.
type RemoteKeys struct {
	Issuer     string
	Client     *http.Client  // default: 10 s timeout
	MinRefresh time.Duration // default 1 min

	mu      sync.Mutex
	keys    StaticKeys
	fetched time.Time
	err     error
}

// Key implements KeySet.
func (r *RemoteKeys) Key(kid string) (any, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if k, ok := r.keys[kid]; ok {
		return k, nil
	}
	minRefresh := r.MinRefresh
	if minRefresh == 0 {
		minRefresh = time.Minute
	}
	if r.fetched.IsZero() || time.Since(r.fetched) >= minRefresh {
		r.keys, r.err = r.fetch()
		r.fetched = time.Now()
	}
	if r.err != nil {
		return nil, r.err
	}
	return r.keys.Key(kid)
}

func (r *RemoteKeys) fetch() (StaticKeys, error) {
	client := r.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	var d Discovery
	if err := getJSON(client, strings.TrimRight(r.Issuer, "/")+DiscoveryPath, &d); err != nil {
		return nil, err
	}
	// OpenID Connect Discovery §4.3: the document must name the issuer it was fetched for.
	if d.Issuer != r.Issuer {
		return nil, fmt.Errorf("discovery document names issuer %q, not %q", d.Issuer, r.Issuer)
	}
	if !strings.HasPrefix(d.JWKSURI, "https://") && !strings.HasPrefix(d.JWKSURI, "http://") {
		return nil, errors.New("discovery document has no usable jwks_uri")
	}
	var set JWKS
	if err := getJSON(client, d.JWKSURI, &set); err != nil {
		return nil, err
	}
	return set.KeySet()
}

func getJSON(client *http.Client, url string, v any) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(v)
}

func rsaPublicKey(n *big.Int, e int) *rsa.PublicKey { return &rsa.PublicKey{N: n, E: e} }
