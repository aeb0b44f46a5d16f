package bench

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Meter is a reverse proxy in front of DynamoDB (Local) that every function
// of the bench stack talks to through its own path prefix
// (http://127.0.0.1:PORT/fn/<name>, given as that function's
// DYNAMODB_ENDPOINT). It adds ReturnConsumedCapacity=TOTAL to every call that
// takes it, and counts, per function, calls by operation, sequential rounds
// (a call that starts while none of the function's calls is in flight, and
// more than RoundSlack after the current round began, opens a new round) and the read and write capacity DynamoDB reports. It changes no
// answer, so the functions run exactly as they would without it; it sees
// their real wire traffic, which is why it is a proxy rather than an
// in-process wrapper (the local runtime builds each function's own client).
type Meter struct {
	upstream string
	client   *http.Client
	ln       net.Listener
	srv      *http.Server

	mu     sync.Mutex
	fns    map[string]*fnState
	record map[string]*Scenario // function → scenario being recorded
}

type fnState struct {
	inflight   int
	roundStart time.Time
	c          Counters
}

// RoundSlack is how late after its round's first call a call may start and
// still belong to that round: goroutines launched together do not reach
// the network at the same instant on a busy machine, while a call that
// depends on an earlier answer cannot start before that answer (≥ 1 ms from
// DynamoDB Local) has come back.
const RoundSlack = 750 * time.Microsecond

// Counters are a function's totals; subtract two snapshots for one request.
type Counters struct {
	Calls  int
	Rounds int
	RCU    float64
	WCU    float64
	Ops    map[string]int
	Busy   time.Duration // time with at least one call in flight
	since  time.Time
}

// Sub returns c − o.
func (c Counters) Sub(o Counters) Counters {
	d := Counters{Calls: c.Calls - o.Calls, Rounds: c.Rounds - o.Rounds, RCU: c.RCU - o.RCU, WCU: c.WCU - o.WCU, Busy: c.Busy - o.Busy, Ops: map[string]int{}}
	for k, v := range c.Ops {
		if n := v - o.Ops[k]; n != 0 {
			d.Ops[k] = n
		}
	}
	return d
}

// StartMeter listens on a free port of 127.0.0.1 and forwards to upstream.
func StartMeter(upstream string) (*Meter, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	m := &Meter{
		upstream: strings.TrimRight(upstream, "/"),
		client:   &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 128, IdleConnTimeout: 90 * time.Second}},
		ln:       ln, fns: map[string]*fnState{}, record: map[string]*Scenario{},
	}
	m.srv = &http.Server{Handler: m}
	go func() { _ = m.srv.Serve(ln) }()
	return m, nil
}

// Endpoint is the DYNAMODB_ENDPOINT for function fn.
func (m *Meter) Endpoint(fn string) string { return "http://" + m.ln.Addr().String() + "/fn/" + fn }

// Close stops the proxy.
func (m *Meter) Close() error { return m.srv.Close() }

// Snapshot returns fn's counters so far.
func (m *Meter) Snapshot(fn string) Counters {
	m.mu.Lock()
	defer m.mu.Unlock()
	st := m.state(fn)
	c := st.c
	c.Ops = map[string]int{}
	for k, v := range st.c.Ops {
		c.Ops[k] = v
	}
	if st.inflight > 0 {
		c.Busy += time.Since(st.c.since)
	}
	return c
}

// Record makes fn's calls append to s until Record(fn, nil).
func (m *Meter) Record(fn string, s *Scenario) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if s == nil {
		delete(m.record, fn)
		return
	}
	m.record[fn] = s
}

func (m *Meter) state(fn string) *fnState {
	st := m.fns[fn]
	if st == nil {
		st = &fnState{c: Counters{Ops: map[string]int{}}}
		m.fns[fn] = st
	}
	return st
}

var capacityOps = map[string]bool{
	"GetItem": true, "PutItem": true, "UpdateItem": true, "DeleteItem": true, "Query": true, "Scan": true,
	"BatchGetItem": true, "BatchWriteItem": true, "TransactWriteItems": true, "TransactGetItems": true,
}

var readOps = map[string]bool{"GetItem": true, "Query": true, "Scan": true, "BatchGetItem": true, "TransactGetItems": true}

func (m *Meter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	fn := "other"
	path := r.URL.Path
	if rest, ok := strings.CutPrefix(path, "/fn/"); ok {
		fn, path, _ = strings.Cut(rest, "/")
		path = "/" + path
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	target := r.Header.Get("X-Amz-Target")
	op := target[strings.LastIndexByte(target, '.')+1:]
	metered := capacityOps[op] && strings.HasPrefix(target, "DynamoDB_")
	sent := body
	if metered {
		sent = withTotalCapacity(body)
	}

	m.mu.Lock()
	st := m.state(fn)
	if metered {
		now := time.Now()
		if st.inflight == 0 && now.Sub(st.roundStart) > RoundSlack {
			st.c.Rounds++
			st.roundStart = now
		}
		if st.inflight == 0 {
			st.c.since = now
		}
		st.inflight++
		st.c.Calls++
		st.c.Ops[op]++
	}
	m.mu.Unlock()

	status, hdr, respBody, err := m.forward(r, path, sent)

	m.mu.Lock()
	if metered {
		st.inflight--
		if st.inflight == 0 {
			st.c.Busy += time.Since(st.c.since)
		}
		if err == nil {
			units := consumed(respBody)
			if readOps[op] {
				st.c.RCU += units
			} else {
				st.c.WCU += units
			}
		}
	}
	if sc := m.record[fn]; sc != nil && err == nil && metered {
		sc.Entries = append(sc.Entries, Entry{Target: target, Sig: Signature(target, body), Status: status, Body: stripCapacity(respBody, body)})
	}
	m.mu.Unlock()

	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	for k, vs := range hdr {
		if strings.EqualFold(k, "Content-Length") {
			continue
		}
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	w.WriteHeader(status)
	_, _ = w.Write(respBody)
}

func (m *Meter) forward(r *http.Request, path string, body []byte) (int, http.Header, []byte, error) {
	req, err := http.NewRequestWithContext(r.Context(), r.Method, m.upstream+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, nil, err
	}
	for k, vs := range r.Header {
		if strings.EqualFold(k, "Content-Length") {
			continue
		}
		req.Header[k] = vs
	}
	resp, err := m.client.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, nil, err
	}
	// The CRC the SDK checks is of the body we pass on unchanged.
	return resp.StatusCode, resp.Header, b, nil
}

// withTotalCapacity sets ReturnConsumedCapacity to TOTAL unless the caller
// asked for INDEXES (which includes the total).
func withTotalCapacity(body []byte) []byte {
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil {
		return body
	}
	if v, ok := m["ReturnConsumedCapacity"]; ok && string(v) != `"NONE"` {
		return body
	}
	m["ReturnConsumedCapacity"] = json.RawMessage(`"TOTAL"`)
	b, err := json.Marshal(m)
	if err != nil {
		return body
	}
	return b
}

// stripCapacity removes the ConsumedCapacity the meter asked for (but the
// caller did not) from a recorded answer, so a replay is what the caller
// would have received.
func stripCapacity(resp, req []byte) json.RawMessage {
	if bytes.Contains(req, []byte(`"ReturnConsumedCapacity"`)) {
		return append(json.RawMessage(nil), resp...)
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(resp, &m) != nil {
		return append(json.RawMessage(nil), resp...)
	}
	if _, ok := m["ConsumedCapacity"]; !ok {
		return append(json.RawMessage(nil), resp...)
	}
	delete(m, "ConsumedCapacity")
	b, _ := json.Marshal(m)
	return b
}

type capacity struct {
	CapacityUnits      float64 `json:"CapacityUnits"`
	ReadCapacityUnits  float64 `json:"ReadCapacityUnits"`
	WriteCapacityUnits float64 `json:"WriteCapacityUnits"`
}

// consumed sums the capacity units of an answer (one object, or a list per
// table for batches and transactions).
func consumed(resp []byte) float64 {
	var m struct {
		ConsumedCapacity json.RawMessage `json:"ConsumedCapacity"`
	}
	if json.Unmarshal(resp, &m) != nil || len(m.ConsumedCapacity) == 0 {
		return 0
	}
	var list []capacity
	if m.ConsumedCapacity[0] == '{' {
		var one capacity
		if json.Unmarshal(m.ConsumedCapacity, &one) != nil {
			return 0
		}
		list = []capacity{one}
	} else if json.Unmarshal(m.ConsumedCapacity, &list) != nil {
		return 0
	}
	var sum float64
	for _, c := range list {
		if c.CapacityUnits != 0 {
			sum += c.CapacityUnits
		} else {
			sum += c.ReadCapacityUnits + c.WriteCapacityUnits
		}
	}
	return sum
}
