package streams_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"broadsheet/internal/local/ddblocal"
	"broadsheet/internal/local/localapi"
	"broadsheet/internal/local/samtemplate"
	"broadsheet/internal/local/streams"
	"broadsheet/internal/testkit/dynamotest"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func TestMain(m *testing.M) { os.Exit(dynamotest.RunTests(m)) }

// recorder is the test-only stream function: it records every invocation and
// decides per invocation whether to fail.
type recorder struct {
	mu    sync.Mutex
	calls [][]string // pk of each record, per invocation
	raw   [][]byte
	// decide returns the response for one invocation (n counts from 0).
	decide func(n int, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error)
}

func (r *recorder) factory(ctx context.Context, getenv func(string) string) (any, error) {
	return func(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		r.mu.Lock()
		n := len(r.calls)
		var keys []string
		for _, rec := range ev.Records {
			keys = append(keys, rec.Change.Keys["pk"].String())
		}
		r.calls = append(r.calls, keys)
		raw, _ := json.Marshal(ev)
		r.raw = append(r.raw, raw)
		r.mu.Unlock()
		if r.decide != nil {
			return r.decide(n, ev)
		}
		return events.DynamoDBEventResponse{}, nil
	}, nil
}

func (r *recorder) snapshot() [][]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([][]string, len(r.calls))
	copy(out, r.calls)
	return out
}

// rawInvoker captures the exact JSON payload Lambda would receive.
type rawInvoker struct {
	localapi.Invoker
	mu       sync.Mutex
	payloads [][]byte
}

func (i *rawInvoker) Invoke(ctx context.Context, fn string, payload []byte) ([]byte, error) {
	i.mu.Lock()
	i.payloads = append(i.payloads, payload)
	i.mu.Unlock()
	return i.Invoker.Invoke(ctx, fn, payload)
}

type env struct {
	t      *testing.T
	table  string
	client *dynamodb.Client
	ep     string
	rec    *recorder
	inv    *rawInvoker
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ep := dynamotest.Endpoint(t)
	client := ddblocal.NewClient(ep)
	tpl, err := samtemplate.Load("../../../template.yaml", samtemplate.Options{Parameters: map[string]string{"SigningSecret": "0123456789abcdef0123456789abcdef"}})
	if err != nil {
		t.Fatal(err)
	}
	table := ddblocal.UniqueName("streams")
	if _, err := tpl.CreateTable(context.Background(), client, table); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	fnTpl := &samtemplate.Template{
		Region: "us-east-1", AccountID: "123456789012",
		Functions: map[string]*samtemplate.Function{"StreamFn": {LogicalID: "StreamFn", CodeUri: "test/stream", Timeout: 10, MemorySize: 128}},
	}
	inv := &rawInvoker{Invoker: localapi.NewInProcess(localapi.InProcessConfig{
		Template:  fnTpl,
		Factories: map[string]localapi.Factory{"test/stream": rec.factory},
	})}
	return &env{t: t, table: table, client: client, ep: ep, rec: rec, inv: inv}
}

func (e *env) put(pk string, attrs ...string) {
	e.t.Helper()
	item := map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: pk},
		"sk": &types.AttributeValueMemberS{Value: "v0"},
	}
	for i := 0; i+1 < len(attrs); i += 2 {
		item[attrs[i]] = &types.AttributeValueMemberS{Value: attrs[i+1]}
	}
	if _, err := e.client.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(e.table), Item: item}); err != nil {
		e.t.Fatal(err)
	}
}

// source is the template's event source with test overrides.
func source(t *testing.T, mod func(*samtemplate.StreamSource)) samtemplate.StreamSource {
	tpl, err := samtemplate.Load("../../../template.yaml", samtemplate.Options{Parameters: map[string]string{"SigningSecret": "0123456789abcdef0123456789abcdef"}})
	if err != nil {
		t.Fatal(err)
	}
	s := tpl.Streams[0]
	s.Function = "StreamFn"
	s.MaximumBatchingWindowSeconds = 0
	if mod != nil {
		mod(&s)
	}
	return s
}

func (e *env) start(src samtemplate.StreamSource, checkpoint string) (*streams.Poller, func()) {
	e.t.Helper()
	p, err := streams.New(streams.Config{
		Source: src, TableName: e.table,
		DynamoDB: e.client, Streams: ddblocal.NewStreamsClient(e.ep),
		Invoker: e.inv, PollInterval: 50 * time.Millisecond, RetryDelay: 10 * time.Millisecond,
		CheckpointFile: checkpoint,
		Logger:         slog.New(slog.NewTextHandler(testWriter{e.t}, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		e.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = p.Run(ctx); close(done) }()
	stop := func() { cancel(); <-done }
	e.t.Cleanup(stop)
	return p, stop
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(b []byte) (int, error) { w.t.Logf("%s", b); return len(b), nil }

// waitFor polls cond for up to 20 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func flatten(calls [][]string) []string {
	var out []string
	for _, c := range calls {
		out = append(out, c...)
	}
	return out
}

func articles(from, to int) []string {
	var out []string
	for i := from; i < to; i++ {
		out = append(out, fmt.Sprintf("ARTICLE#%02d", i))
	}
	return out
}

func testDeliversFilteredRecordsInOrder(t *testing.T) {
	e := newEnv(t)
	for i := 0; i < 25; i++ {
		e.put(fmt.Sprintf("ARTICLE#%02d", i), "title", fmt.Sprint("t", i))
		if i%5 == 0 {
			e.put(fmt.Sprintf("COMMENT#%02d", i))
		}
	}
	p, _ := e.start(source(t, func(s *samtemplate.StreamSource) { s.BatchSize = 10 }), "")
	want := articles(0, 25)
	waitFor(t, "25 records", func() bool { return len(flatten(e.rec.snapshot())) >= 25 })
	time.Sleep(300 * time.Millisecond) // nothing else may arrive
	calls := e.rec.snapshot()
	if got := flatten(calls); !reflect.DeepEqual(got, want) {
		t.Fatalf("delivered %v\nwant %v", got, want)
	}
	for _, c := range calls {
		if len(c) > 10 {
			t.Fatalf("batch of %d exceeds BatchSize 10", len(c))
		}
	}
	if st := p.Stats(); st.Filtered != 5 || st.Delivered != 25 || st.Failures != 0 {
		t.Fatalf("stats = %+v", st)
	}

	// The event has Lambda's JSON shape.
	var ev map[string]any
	if err := json.Unmarshal(e.inv.payloads[0], &ev); err != nil {
		t.Fatal(err)
	}
	r0 := ev["Records"].([]any)[0].(map[string]any)
	for k, want := range map[string]any{"eventSource": "aws:dynamodb", "eventName": "INSERT", "awsRegion": "us-east-1"} {
		if r0[k] != want {
			t.Errorf("%s = %v, want %v", k, r0[k], want)
		}
	}
	for _, k := range []string{"eventID", "eventVersion", "eventSourceARN"} {
		if s, _ := r0[k].(string); s == "" {
			t.Errorf("%s missing in %v", k, r0)
		}
	}
	d := r0["dynamodb"].(map[string]any)
	if d["StreamViewType"] != "NEW_AND_OLD_IMAGES" || d["SequenceNumber"] == "" {
		t.Errorf("dynamodb = %v", d)
	}
	if _, ok := d["ApproximateCreationDateTime"].(float64); !ok {
		t.Errorf("ApproximateCreationDateTime = %#v, want a number", d["ApproximateCreationDateTime"])
	}
	if _, ok := d["SizeBytes"].(float64); !ok {
		t.Errorf("SizeBytes = %#v", d["SizeBytes"])
	}
	keys := d["Keys"].(map[string]any)
	if !reflect.DeepEqual(keys["pk"], map[string]any{"S": "ARTICLE#00"}) {
		t.Errorf("Keys = %v", keys)
	}
	if img := d["NewImage"].(map[string]any); !reflect.DeepEqual(img["title"], map[string]any{"S": "t0"}) {
		t.Errorf("NewImage = %v", img)
	}
	if _, ok := d["OldImage"]; ok {
		t.Errorf("INSERT has an OldImage")
	}
}

func testRetriesFailedBatch(t *testing.T) {
	e := newEnv(t)
	e.rec.decide = func(n int, _ events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		if n < 2 {
			return events.DynamoDBEventResponse{}, errors.New("boom")
		}
		return events.DynamoDBEventResponse{}, nil
	}
	for i := 0; i < 4; i++ {
		e.put(fmt.Sprintf("ARTICLE#%02d", i))
	}
	// Without bisect the same batch is retried whole.
	p, _ := e.start(source(t, func(s *samtemplate.StreamSource) { s.BisectBatchOnFunctionError = false }), "")
	waitFor(t, "success after retries", func() bool { return p.Stats().Delivered == 4 })
	calls := e.rec.snapshot()
	if len(calls) != 3 {
		t.Fatalf("calls = %v, want the same batch three times", calls)
	}
	for _, c := range calls {
		if !reflect.DeepEqual(c, articles(0, 4)) {
			t.Fatalf("calls = %v", calls)
		}
	}
}

func testPartialBatchFailureResumesFromFirstFailure(t *testing.T) {
	e := newEnv(t)
	e.rec.decide = func(n int, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		if n == 0 { // report the 3rd and 5th records: retry from the 3rd
			return events.DynamoDBEventResponse{BatchItemFailures: []events.DynamoDBBatchItemFailure{
				{ItemIdentifier: ev.Records[4].Change.SequenceNumber},
				{ItemIdentifier: ev.Records[2].Change.SequenceNumber},
			}}, nil
		}
		return events.DynamoDBEventResponse{}, nil
	}
	for i := 0; i < 6; i++ {
		e.put(fmt.Sprintf("ARTICLE#%02d", i))
	}
	p, _ := e.start(source(t, nil), "")
	waitFor(t, "all acknowledged", func() bool { return p.Stats().Delivered == 6 })
	calls := e.rec.snapshot()
	want := [][]string{articles(0, 6), articles(2, 6)}
	if !reflect.DeepEqual(calls, want) {
		t.Fatalf("calls = %v\nwant %v", calls, want)
	}
}

func testBisectAndDiscardPoisonRecord(t *testing.T) {
	e := newEnv(t)
	e.rec.decide = func(n int, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		for _, r := range ev.Records {
			if r.Change.Keys["pk"].String() == "ARTICLE#05" {
				return events.DynamoDBEventResponse{}, errors.New("poison")
			}
		}
		return events.DynamoDBEventResponse{}, nil
	}
	for i := 0; i < 8; i++ {
		e.put(fmt.Sprintf("ARTICLE#%02d", i))
	}
	p, _ := e.start(source(t, func(s *samtemplate.StreamSource) { s.MaximumRetryAttempts = 1 }), "")
	waitFor(t, "poison discarded", func() bool { st := p.Stats(); return st.Delivered+st.Discarded == 8 })
	// 8 -> 4 -> 2 -> 1 (bisections are free), then one retry of the poison record.
	poisonCalls := 0
	for _, c := range e.rec.snapshot() {
		for _, k := range c {
			if k == "ARTICLE#05" {
				poisonCalls++
			}
		}
	}
	if poisonCalls != 5 {
		t.Errorf("poison record invoked %d times, want 5 (4 bisection steps + 1 retry)", poisonCalls)
	}
	if st := p.Stats(); st.Discarded != 1 || st.Delivered != 7 {
		t.Fatalf("stats = %+v", st)
	}
	// Every good record was acknowledged exactly once, in order; the poison
	// record ended up alone in its batch.
	var good []string
	alone := false
	for _, c := range e.rec.snapshot() {
		hasPoison := false
		for _, k := range c {
			hasPoison = hasPoison || k == "ARTICLE#05"
		}
		if !hasPoison {
			good = append(good, c...)
		}
		alone = alone || (hasPoison && len(c) == 1)
	}
	want := append(articles(0, 5), articles(6, 8)...)
	if !reflect.DeepEqual(good, want) || !alone {
		t.Fatalf("good records %v (want %v), poison isolated=%v; calls %v", good, want, alone, e.rec.snapshot())
	}

	// The shard moves on: later records still arrive.
	e.put("ARTICLE#99")
	waitFor(t, "record after discard", func() bool { return p.Stats().Delivered == 8 })
}

func testCheckpointFileAvoidsReplay(t *testing.T) {
	e := newEnv(t)
	cp := filepath.Join(t.TempDir(), "cp.json")
	for i := 0; i < 3; i++ {
		e.put(fmt.Sprintf("ARTICLE#%02d", i))
	}
	p, stop := e.start(source(t, nil), cp)
	waitFor(t, "first records", func() bool { return p.Stats().Delivered == 3 })
	time.Sleep(200 * time.Millisecond)
	stop()
	if _, err := os.Stat(cp); err != nil {
		t.Fatalf("no checkpoint file: %v", err)
	}
	e.put("ARTICLE#03")
	p2, _ := e.start(source(t, nil), cp)
	waitFor(t, "new record", func() bool { return p2.Stats().Delivered == 1 })
	time.Sleep(300 * time.Millisecond)
	if got := flatten(e.rec.snapshot()); !reflect.DeepEqual(got, articles(0, 4)) {
		t.Fatalf("delivered %v: replayed after restart", got)
	}
}

func testLatestSkipsOldRecords(t *testing.T) {
	e := newEnv(t)
	e.put("ARTICLE#00")
	p, _ := e.start(source(t, func(s *samtemplate.StreamSource) { s.StartingPosition = "LATEST" }), "")
	// LATEST only starts once the iterator exists: write after the poller has had time to open it.
	time.Sleep(500 * time.Millisecond)
	e.put("ARTICLE#01")
	waitFor(t, "new record", func() bool { return p.Stats().Delivered >= 1 })
	if got := flatten(e.rec.snapshot()); !reflect.DeepEqual(got, []string{"ARTICLE#01"}) {
		t.Fatalf("delivered %v", got)
	}
}
