package articles_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"broadsheet/internal/cursor"
	"broadsheet/internal/dynamo"
	"broadsheet/internal/handlers/articles"
	"broadsheet/internal/testkit/bench"
)

// Handler benchmarks over DynamoDB answers recorded from DynamoDB Local
// (testdata/dynamodb-tape.json, written by go run ./cmd/bench -record).
// They are measurements, never assertions: cmd/bench reports them.

func handler(b *testing.B, db dynamo.API) *articles.Handler {
	b.Helper()
	cur, err := cursor.FromEnv(bench.Getenv(bench.ReplayEnv))
	if err != nil {
		b.Fatal(err)
	}
	return &articles.Handler{Store: &dynamo.Store{DB: db, Table: "broadsheet"}, Cursors: cur, Now: time.Now}
}

func BenchmarkGetArticle(b *testing.B) {
	db, r, ev := bench.TapeScenario(b, "get")
	bench.RunRoute(b, handler(b, db).Router(), bench.APIEvent(b, ev), r, 200)
}

func BenchmarkListArticles(b *testing.B) {
	db, r, ev := bench.TapeScenario(b, "list")
	bench.RunRoute(b, handler(b, db).Router(), bench.APIEvent(b, ev), r, 200)
}

// BenchmarkGetArticleOurs is GET article with the SDK taken out: the store
// gets the already-decoded QueryOutput, so what remains is our code only
// (routing, item decoding, the view, JSON, ETag, logging).
func BenchmarkGetArticleOurs(b *testing.B) {
	db, r, ev := bench.TapeScenario(b, "get")
	req := bench.APIEvent(b, ev)
	// Take the decoded answer from one replayed call of the real handler.
	rec := &recordingAPI{API: db}
	h := handler(b, rec)
	if resp, err := h.Router().Handle(context.Background(), req); err != nil || resp.StatusCode != 200 {
		b.Fatalf("answer %d %v", resp.StatusCode, err)
	}
	bench.RunRoute(b, handler(b, &cannedAPI{API: db, q: rec.q}).Router(), req, r, 200)
}

type recordingAPI struct {
	dynamo.API
	q *dynamodb.QueryOutput
}

func (a *recordingAPI) Query(ctx context.Context, in *dynamodb.QueryInput, o ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	out, err := a.API.Query(ctx, in, o...)
	a.q = out
	return out, err
}

type cannedAPI struct {
	dynamo.API
	q *dynamodb.QueryOutput
}

func (a *cannedAPI) Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	return a.q, nil
}
