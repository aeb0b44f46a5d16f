package cursor

import "errors"

// FromEnv builds the sealer from SIGNING_SECRET, the template's NoEcho parameter.
func FromEnv(getenv func(string) string) (*Sealer, error) {
	secret := getenv("SIGNING_SECRET")
	if len(secret) < 32 {
		return nil, errors.New("SIGNING_SECRET must be set to at least 32 characters")
	}
	return New([]byte(secret))
}
