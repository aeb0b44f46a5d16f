// Package memstore is an in-memory store that keeps the same promises as the
// DynamoDB store (internal/dynamo): conditional writes, slug and dedupe
// uniqueness, version checks, ordering, pagination and idempotency. It is a
// test double and a teaching aid for the rules, never the proof that DynamoDB
// works: internal/testkit/storetest runs the same cases against both.
package memstore

import "sync"

// Store is safe for concurrent use; every method runs under one lock, which
// is what makes each write all-or-nothing, as a DynamoDB transaction is.
type Store struct {
	mu sync.Mutex
	articleTables
	commentTables
}

// New returns an empty store.
func New() *Store {
	s := &Store{}
	s.articleTables.init()
	s.commentTables.init()
	return s
}
