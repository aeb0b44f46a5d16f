package indexer_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"broadsheet/internal/handlers/indexer"
	"broadsheet/internal/searchindex"
	"broadsheet/internal/testkit/bench"
)

// BenchmarkBatch replays the stream batch one new article caused (recorded
// from the local stack by go run ./cmd/bench -record) against the answers
// DynamoDB Local gave the indexer then.
func BenchmarkBatch(b *testing.B) {
	db, r, raw := bench.TapeScenario(b, "batch")
	var ev events.DynamoDBEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		b.Fatal(err)
	}
	slog.SetDefault(slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo})))
	h := &indexer.Handler{Index: &searchindex.Writer{Store: &searchindex.DynamoStore{DB: db, Table: "broadsheet"}}}
	ctx := context.Background()
	if resp, err := h.Handle(ctx, ev); err != nil || len(resp.BatchItemFailures) > 0 {
		b.Fatalf("batch: %v %+v (replay misses %d)", err, resp, r.Misses)
	}
	b.ReportAllocs()
	cpu0 := bench.CPUTime()
	for b.Loop() {
		if resp, err := h.Handle(ctx, ev); err != nil || len(resp.BatchItemFailures) > 0 {
			b.Fatalf("batch: %v %+v (replay misses %d)", err, resp, r.Misses)
		}
	}
	bench.ReportCPU(b, cpu0)
	b.ReportMetric(float64(len(ev.Records)), "records/op")
}
