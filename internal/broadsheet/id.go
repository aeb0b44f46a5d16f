package broadsheet

import (
	"crypto/rand"

	"github.com/oklog/ulid/v2"
)

// NewID returns a new article or comment id: a ULID, unique, URL-safe and
// sortable by creation time.
func NewID() string { return ulid.MustNew(ulid.Now(), rand.Reader).String() }

// ValidID reports whether id could be one of ours, so that anything else is
// answered 404 without a storage call.
func ValidID(id string) bool {
	_, err := ulid.ParseStrict(id)
	return err == nil
}
