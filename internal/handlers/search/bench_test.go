package search_test

import (
	"testing"
	"time"

	"broadsheet/internal/cursor"
	"broadsheet/internal/handlers/search"
	"broadsheet/internal/searchindex"
	"broadsheet/internal/testkit/bench"
)

// Handler benchmarks over DynamoDB answers recorded from DynamoDB Local
// (testdata/dynamodb-tape.json, written by go run ./cmd/bench -record).

func benchSearch(b *testing.B, scenario string) {
	db, r, ev := bench.TapeScenario(b, scenario)
	cur, err := cursor.FromEnv(bench.Getenv(bench.ReplayEnv))
	if err != nil {
		b.Fatal(err)
	}
	h := &search.Handler{Index: &searchindex.Reader{Store: &searchindex.DynamoStore{DB: db, Table: "broadsheet"}}, Cursors: cur, Now: time.Now}
	bench.RunRoute(b, h.Router(), bench.APIEvent(b, ev), r, 200)
}

func BenchmarkSearch(b *testing.B)  { benchSearch(b, "search") }
func BenchmarkSuggest(b *testing.B) { benchSearch(b, "suggest") }
