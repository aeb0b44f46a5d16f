package memstore_test

import (
	"testing"

	"broadsheet/internal/memstore"
	"broadsheet/internal/testkit/storetest"
)

// TestSearchIndexConformance runs the search index contract on the memory
// index; internal/searchindex runs it on DynamoDB Local.
func TestSearchIndexConformance(t *testing.T) {
	storetest.RunSearchIndex(t, func(t *testing.T) storetest.IndexHarness {
		x := memstore.NewSearchIndex()
		return storetest.IndexHarness{Store: x, Dump: func(*testing.T) []string { return x.Dump() }}
	})
}
