// Package bench is the measuring kit of `make bench` (cmd/bench) and of the
// handler benchmarks: a DynamoDB "tape" that records real responses once and
// replays them in-process, a metering proxy in front of DynamoDB Local that
// counts calls, sequential rounds and consumed capacity, a bounded load
// generator, and order statistics. Nothing here is linked into a Lambda
// function.
package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"broadsheet/internal/dynamo"
)

// Tape holds, per scenario, the API Gateway event that was sent and the
// DynamoDB responses the handler received, in order.
type Tape struct {
	Scenarios map[string]*Scenario `json:"scenarios"`
}

// Scenario is one recorded request.
type Scenario struct {
	Event   json.RawMessage `json:"event"`
	Entries []Entry         `json:"entries"`
}

// Entry is one DynamoDB call: its operation (X-Amz-Target), the request's
// signature (see Signature) and the response.
type Entry struct {
	Target string          `json:"target"`
	Sig    string          `json:"sig"`
	Status int             `json:"status"`
	Body   json.RawMessage `json:"body"`
}

// LoadTape reads a tape file.
func LoadTape(path string) (*Tape, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var t Tape
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &t, nil
}

// Save writes the tape, indented so that diffs are readable.
func (t *Tape) Save(path string) error {
	b, err := json.MarshalIndent(t, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

var ulidRE = regexp.MustCompile(`[0-9A-HJKMNP-TV-Z]{26}`)

// Signature identifies a DynamoDB request independently of what varies from
// run to run: the operation, the index, and the string values of its keys
// and expression values, with ULIDs replaced by a placeholder and values that
// start with a digit (times, counters, hashes of times) left out. Writes
// (TransactWriteItems, BatchWriteItem) are identified by operation only.
func Signature(target string, body []byte) string {
	op := target[strings.LastIndexByte(target, '.')+1:]
	if op == "TransactWriteItems" || op == "BatchWriteItem" {
		return op
	}
	var m map[string]any
	if json.Unmarshal(body, &m) != nil {
		return op
	}
	var vals []string
	for _, k := range []string{"Key", "ExpressionAttributeValues", "RequestItems", "ExclusiveStartKey"} {
		collectS(m[k], &vals)
	}
	sort.Strings(vals)
	idx, _ := m["IndexName"].(string)
	return op + "|" + idx + "|" + strings.Join(vals, ",")
}

func collectS(v any, out *[]string) {
	switch x := v.(type) {
	case map[string]any:
		if s, ok := x["S"].(string); ok && len(x) == 1 {
			if s != "" && (s[0] < '0' || s[0] > '9') {
				*out = append(*out, ulidRE.ReplaceAllString(s, "<id>"))
			}
			return
		}
		for _, e := range x {
			collectS(e, out)
		}
	case []any:
		for _, e := range x {
			collectS(e, out)
		}
	}
}

// Replay is an http.RoundTripper that answers DynamoDB requests from one
// scenario of a tape, matching them by Signature; entries with the same
// signature are returned in recorded order, cyclically. A request the tape
// does not know gets a 400 ValidationException naming its signature, so a
// stale tape fails loudly instead of measuring something else.
type Replay struct {
	mu    sync.Mutex
	bySig map[string][]*reply
	next  map[string]int
	// Misses counts unknown requests.
	Misses int
}

type reply struct {
	status int
	body   []byte
	crc    string
}

// NewReplay prepares a scenario for replay.
func NewReplay(s *Scenario) *Replay {
	r := &Replay{bySig: map[string][]*reply{}, next: map[string]int{}}
	for _, e := range s.Entries {
		body := []byte(e.Body)
		r.bySig[e.Sig] = append(r.bySig[e.Sig], &reply{status: e.Status, body: body, crc: strconv.FormatUint(uint64(crc32.ChecksumIEEE(body)), 10)})
	}
	return r
}

// RoundTrip implements http.RoundTripper.
func (r *Replay) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
	}
	sig := Signature(req.Header.Get("X-Amz-Target"), body)
	r.mu.Lock()
	list := r.bySig[sig]
	var rep *reply
	if len(list) > 0 {
		i := r.next[sig]
		rep = list[i%len(list)]
		r.next[sig] = i + 1
	} else {
		r.Misses++
	}
	r.mu.Unlock()
	if rep == nil {
		msg, _ := json.Marshal(map[string]string{"__type": "com.amazon.coral.validate#ValidationException", "message": "replay: no recorded response for " + sig})
		rep = &reply{status: 400, body: msg, crc: strconv.FormatUint(uint64(crc32.ChecksumIEEE(msg)), 10)}
	}
	h := http.Header{}
	h.Set("Content-Type", "application/x-amz-json-1.0")
	h.Set("X-Amz-Crc32", rep.crc)
	h.Set("X-Amzn-Requestid", "replay")
	return &http.Response{
		StatusCode: rep.status, Status: strconv.Itoa(rep.status) + " " + http.StatusText(rep.status),
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: h, Body: io.NopCloser(bytes.NewReader(rep.body)), ContentLength: int64(len(rep.body)),
		Request: req,
	}, nil
}

// ReplayEnv is the function environment the handler benchmarks use.
var ReplayEnv = map[string]string{
	"TABLE_NAME":            "broadsheet",
	"DYNAMODB_ENDPOINT":     "http://dynamodb.replay.invalid",
	"AWS_REGION":            "us-east-1",
	"SIGNING_SECRET":        Secret,
	"LOG_LEVEL":             "ERROR",
	"COMMENT_MODERATION":    "first-time",
	"COMMENT_FLOOD_SECONDS": "15",
}

// Secret is the signing secret of the bench stack and of the tapes: cursor
// keys and email hashes in recorded keys depend on it.
const Secret = "bench-signing-secret-0123456789abcdef"

// Getenv returns a getenv over env.
func Getenv(env map[string]string) func(string) string {
	return func(k string) string { return env[k] }
}

// ReplayClient is the production client (dynamo.NewClient: same retryer,
// middleware stack, signing and serialisation) with its HTTP client swapped
// for the replay, so a benchmark measures our code and the SDK, not a network.
func ReplayClient(r *Replay) (*dynamodb.Client, error) {
	c, err := dynamo.NewClient(context.Background(), Getenv(ReplayEnv))
	if err != nil {
		return nil, err
	}
	o := c.Options()
	o.HTTPClient = &http.Client{Transport: r}
	return dynamodb.New(o), nil
}
