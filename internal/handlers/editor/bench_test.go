package editor_test

import (
	"testing"
	"time"

	"broadsheet/internal/broadsheet"
	"broadsheet/internal/cursor"
	"broadsheet/internal/dynamo"
	"broadsheet/internal/handlers/editor"
	"broadsheet/internal/testkit/bench"
)

// Handler benchmarks over DynamoDB answers recorded from DynamoDB Local
// (testdata/dynamodb-tape.json, written by go run ./cmd/bench -record).
// Create and replace render the Markdown (goldmark + bluemonday) each time.

func benchEditor(b *testing.B, scenario string, want int) {
	db, r, ev := bench.TapeScenario(b, scenario)
	env := bench.Getenv(bench.ReplayEnv)
	cur, err := cursor.FromEnv(env)
	if err != nil {
		b.Fatal(err)
	}
	id, err := broadsheet.NewIdentity([]byte(env("SIGNING_SECRET")))
	if err != nil {
		b.Fatal(err)
	}
	store := &dynamo.Store{DB: db, Table: "broadsheet"}
	h := &editor.Handler{Articles: store, Comments: editor.Comments{Store: store, Identity: id}, Cursors: cur, Now: time.Now, NewID: broadsheet.NewID}
	bench.RunRoute(b, h.Router(), bench.APIEvent(b, ev), r, want)
}

func BenchmarkCreateArticle(b *testing.B)  { benchEditor(b, "create", 201) }
func BenchmarkReplaceArticle(b *testing.B) { benchEditor(b, "replace", 200) }
