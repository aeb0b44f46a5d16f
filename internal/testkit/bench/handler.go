package bench

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"broadsheet/internal/apigw"
)

// TapeScenario loads scenario name of the tape in the calling package's
// testdata (recorded by `go run ./cmd/bench -record`), and returns a client
// replaying it and the recorded event. It skips the benchmark when the tape
// is missing.
func TapeScenario(tb testing.TB, name string) (*dynamodb.Client, *Replay, []byte) {
	tb.Helper()
	t, err := LoadTape(filepath.Join("testdata", "dynamodb-tape.json"))
	if err != nil {
		tb.Skipf("no tape (record it with go run ./cmd/bench -record): %v", err)
	}
	sc := t.Scenarios[name]
	if sc == nil {
		tb.Skipf("the tape has no scenario %q (re-record with go run ./cmd/bench -record)", name)
	}
	r := NewReplay(sc)
	c, err := ReplayClient(r)
	if err != nil {
		tb.Fatal(err)
	}
	return c, r, sc.Event
}

// APIEvent decodes a recorded API Gateway event.
func APIEvent(tb testing.TB, ev []byte) apigw.Request {
	tb.Helper()
	var req events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(ev, &req); err != nil {
		tb.Fatal(err)
	}
	return apigw.Request(req)
}

// RunRoute benchmarks one route of a router over the replayed tape: every
// iteration is one full invocation (routing, validation, DynamoDB calls
// serialised and answers deserialised by the SDK, the JSON answer).
func RunRoute(b *testing.B, rt apigw.Router, req apigw.Request, r *Replay, want int) {
	b.Helper()
	// As in production (JSON lines at INFO), written nowhere.
	slog.SetDefault(slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo})))
	ctx := context.Background()
	resp, err := rt.Handle(ctx, req)
	if err != nil || resp.StatusCode != want {
		b.Fatalf("answer %d %v: %.300s (replay misses %d)", resp.StatusCode, err, resp.Body, r.Misses)
	}
	b.ReportAllocs()
	cpu0 := CPUTime()
	for b.Loop() {
		resp, _ := rt.Handle(ctx, req)
		if resp.StatusCode != want {
			b.Fatalf("answer %d: %.300s (replay misses %d)", resp.StatusCode, resp.Body, r.Misses)
		}
	}
	ReportCPU(b, cpu0)
}

// CPUTime is the process's user+system CPU time so far.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// ReportCPU adds cpu-ns/op: CPU time (all threads, GC included) per
// iteration since cpu0. On a shared, oversubscribed machine ns/op is wall
// time and includes waiting for a core; cpu-ns/op does not.
func ReportCPU(b *testing.B, cpu0 time.Duration) {
	if b.N > 0 {
		b.ReportMetric(float64(CPUTime()-cpu0)/float64(b.N), "cpu-ns/op")
	}
}
