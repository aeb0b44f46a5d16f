package comments_test

import (
	"testing"

	"broadsheet/internal/dynamo"
	"broadsheet/internal/handlers/comments"
	"broadsheet/internal/testkit/bench"
)

// Handler benchmarks over DynamoDB answers recorded from DynamoDB Local
// (testdata/dynamodb-tape.json, written by go run ./cmd/bench -record).

func benchHandler(b *testing.B, scenario string, want int) {
	db, r, ev := bench.TapeScenario(b, scenario)
	h, err := comments.Configure(bench.Getenv(bench.ReplayEnv))
	if err != nil {
		b.Fatal(err)
	}
	h.Store = &dynamo.Store{DB: db, Table: "broadsheet"}
	bench.RunRoute(b, h.Router(), bench.APIEvent(b, ev), r, want)
}

func BenchmarkListComments(b *testing.B) { benchHandler(b, "list", 200) }

// BenchmarkPostComment replays a first-time commenter's submission: round 1
// (article, commenter record) and the transaction, answered as recorded.
func BenchmarkPostComment(b *testing.B) { benchHandler(b, "post", 201) }
