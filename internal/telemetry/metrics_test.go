package telemetry

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

func fixed() *Emitter {
	e := New(&bytes.Buffer{})
	e.now = func() time.Time { return time.Date(2026, 11, 27, 14, 44, 26, 123e6, time.UTC) }
	return e
}

// The exact line, as the EMF specification has it: a root node with _aws
// (Timestamp in epoch milliseconds, CloudWatchMetrics with one directive of
// Namespace, Dimensions as an array of dimension sets, Metrics as Name/Unit),
// and every dimension and metric as a root member.
func TestExactShape(t *testing.T) {
	e := fixed()
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-1"})
	err := e.Emit(ctx, "Broadsheet", map[string]string{"Function": "search", "Route": "GET /search"},
		map[string]float64{"SearchLatency": 12.5, "Results": 3}, map[string]Unit{"SearchLatency": Milliseconds, "Results": Count})
	if err != nil {
		t.Fatal(err)
	}
	got := e.w.(*bytes.Buffer).String()
	want := `{"Function":"search","Results":3,"Route":"GET /search","SearchLatency":12.5,` +
		`"_aws":{"CloudWatchMetrics":[{"Dimensions":[["Function","Route"]],"Metrics":[{"Name":"Results","Unit":"Count"},{"Name":"SearchLatency","Unit":"Milliseconds"}],"Namespace":"Broadsheet"}],"Timestamp":1795790666123},` +
		`"requestId":"req-1"}` + "\n"
	if got != want {
		t.Fatalf("line:\n got %s\nwant %s", got, want)
	}
	if strings.Count(got, "\n") != 1 {
		t.Fatal("not exactly one line")
	}
}

// Structural check against the spec, independent of key order.
func TestSpecStructure(t *testing.T) {
	e := fixed()
	if err := e.Emit(context.Background(), "Broadsheet", nil, map[string]float64{"IndexingLag": 850}, map[string]Unit{"IndexingLag": Milliseconds}); err != nil {
		t.Fatal(err)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(e.w.(*bytes.Buffer).Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	var aws struct {
		Timestamp         *int64 `json:"Timestamp"`
		CloudWatchMetrics []struct {
			Namespace  string     `json:"Namespace"`
			Dimensions [][]string `json:"Dimensions"`
			Metrics    []struct {
				Name string `json:"Name"`
				Unit string `json:"Unit"`
			} `json:"Metrics"`
		} `json:"CloudWatchMetrics"`
	}
	if err := json.Unmarshal(doc["_aws"], &aws); err != nil {
		t.Fatal(err)
	}
	if aws.Timestamp == nil || *aws.Timestamp != 1795790666123 {
		t.Errorf("Timestamp = %v", aws.Timestamp)
	}
	if len(aws.CloudWatchMetrics) != 1 {
		t.Fatalf("CloudWatchMetrics = %+v", aws.CloudWatchMetrics)
	}
	d := aws.CloudWatchMetrics[0]
	if d.Namespace != "Broadsheet" || len(d.Dimensions) != 1 || len(d.Dimensions[0]) != 0 {
		t.Errorf("directive = %+v (no dimensions is one empty dimension set)", d)
	}
	if len(d.Metrics) != 1 || d.Metrics[0].Name != "IndexingLag" || d.Metrics[0].Unit != "Milliseconds" {
		t.Errorf("Metrics = %+v", d.Metrics)
	}
	if string(doc["IndexingLag"]) != "850" {
		t.Errorf("IndexingLag member = %s", doc["IndexingLag"])
	}
	if _, ok := doc["requestId"]; ok {
		t.Error("requestId without a Lambda context")
	}
}

func TestDefaultUnitIsNone(t *testing.T) {
	e := fixed()
	if err := e.Emit(context.Background(), "Broadsheet", map[string]string{"Outcome": "pending"}, map[string]float64{"CommentsPending": 1}, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.w.(*bytes.Buffer).String(), `"Metrics":[{"Name":"CommentsPending","Unit":"None"}]`) {
		t.Error(e.w.(*bytes.Buffer).String())
	}
}

func TestRefusals(t *testing.T) {
	cases := map[string]struct {
		ns     string
		dims   map[string]string
		values map[string]float64
		units  map[string]Unit
	}{
		"no namespace":        {"", nil, map[string]float64{"A": 1}, nil},
		"no values":           {"N", nil, nil, nil},
		"NaN":                 {"N", nil, map[string]float64{"A": math.NaN()}, nil},
		"Inf":                 {"N", nil, map[string]float64{"A": math.Inf(1)}, nil},
		"bad unit":            {"N", nil, map[string]float64{"A": 1}, map[string]Unit{"A": "Furlongs"}},
		"email value":         {"N", map[string]string{"Commenter": "reader@example.com"}, map[string]float64{"A": 1}, nil},
		"email dimension":     {"N", map[string]string{"Email": "x"}, map[string]float64{"A": 1}, nil},
		"token value":         {"N", map[string]string{"Auth": "Bearer abc"}, map[string]float64{"A": 1}, nil},
		"jwt value":           {"N", map[string]string{"Who": "eyJhbGciOiJSUzI1NiJ9.x.y"}, map[string]float64{"A": 1}, nil},
		"body dimension":      {"N", map[string]string{"CommentBody": "hello"}, map[string]float64{"A": 1}, nil},
		"client address":      {"N", map[string]string{"SourceIP": "203.0.113.7"}, map[string]float64{"A": 1}, nil},
		"free text":           {"N", map[string]string{"Route": "a\nb"}, map[string]float64{"A": 1}, nil},
		"empty dimension":     {"N", map[string]string{"Route": ""}, map[string]float64{"A": 1}, nil},
		"metric named _aws":   {"N", nil, map[string]float64{"_aws": 1}, nil},
		"dimension == metric": {"N", map[string]string{"A": "x"}, map[string]float64{"A": 1}, nil},
	}
	tooMany := map[string]float64{}
	for i := range MaxMetrics + 1 {
		tooMany[strings.Repeat("m", i+1)] = 1
	}
	cases["too many metrics"] = struct {
		ns     string
		dims   map[string]string
		values map[string]float64
		units  map[string]Unit
	}{"N", nil, tooMany, nil}
	for name, c := range cases {
		e := fixed()
		if err := e.Emit(context.Background(), c.ns, c.dims, c.values, c.units); err == nil {
			t.Errorf("%s: accepted: %s", name, e.w.(*bytes.Buffer).String())
		} else if e.w.(*bytes.Buffer).Len() != 0 {
			t.Errorf("%s: refused but wrote %q", name, e.w.(*bytes.Buffer).String())
		}
	}
	// FunctionName, Route and Outcome are fine.
	e := fixed()
	if err := e.Emit(context.Background(), "N", map[string]string{"FunctionName": "comments", "Route": "POST /articles/{slug}/comments", "Outcome": "rate_limited"}, map[string]float64{"CommentsRateLimited": 1}, map[string]Unit{"CommentsRateLimited": Count}); err != nil {
		t.Error(err)
	}
}

// Concurrent emits never interleave within a line.
func TestConcurrentLinesStayWhole(t *testing.T) {
	e := fixed()
	done := make(chan struct{})
	for range 8 {
		go func() {
			defer func() { done <- struct{}{} }()
			for range 50 {
				_ = e.Emit(context.Background(), "Broadsheet", map[string]string{"Function": "x"}, map[string]float64{"A": 1, "B": 2}, nil)
			}
		}()
	}
	for range 8 {
		<-done
	}
	lines := strings.Split(strings.TrimSuffix(e.w.(*bytes.Buffer).String(), "\n"), "\n")
	if len(lines) != 400 {
		t.Fatalf("%d lines", len(lines))
	}
	for _, l := range lines {
		if !json.Valid([]byte(l)) {
			t.Fatalf("broken line %q", l)
		}
	}
}
