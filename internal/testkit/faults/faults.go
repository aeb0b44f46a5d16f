// Package faults is a fault-injecting HTTP proxy for DynamoDB (Local). Put
// its URL in DYNAMODB_ENDPOINT and the store's SDK client talks to DynamoDB
// through it, unchanged: the proxy then throttles, fails, stalls or drops a
// configurable share of the calls, chosen by a seeded generator so that a run
// can be repeated.
//
// The faults are the ones a Lambda function meets against real DynamoDB:
//
//   - Throttle: 400 ProvisionedThroughputExceededException
//   - Throttling: 400 ThrottlingException (the control-plane / account-level one)
//   - ServerError: 500 InternalServerError
//   - Slow: the answer comes after Config.SlowDelay (longer than the client's
//     per-attempt timeout); the request is still forwarded, so a write may
//     land after the client gave up on it
//   - DropBefore: the connection is closed without forwarding the request
//   - DropAfter: the request is forwarded (the write happens) and the
//     connection is then closed without an answer: the hard case, where a
//     retry must not apply the write twice and the client must not be told
//     a lie
//
// It is test tooling: no Lambda function may import it.
package faults

import (
	"bytes"
	"context"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Kind is one kind of fault.
type Kind string

// The fault kinds.
const (
	Throttle    Kind = "throttle"    // 400 ProvisionedThroughputExceededException
	Throttling  Kind = "throttling"  // 400 ThrottlingException
	ServerError Kind = "500"         // 500 InternalServerError
	Slow        Kind = "slow"        // forwarded, answered after SlowDelay
	DropBefore  Kind = "drop-before" // connection closed, nothing forwarded
	DropAfter   Kind = "drop-after"  // forwarded, then connection closed
)

// AllKinds lists every kind, in a fixed order (the seed picks among them).
var AllKinds = []Kind{Throttle, Throttling, ServerError, Slow, DropBefore, DropAfter}

// Config configures a Proxy.
type Config struct {
	// Target is DynamoDB's endpoint, e.g. http://127.0.0.1:8000.
	Target string
	// Rate is the share of eligible requests that get a fault, 0 to 1.
	Rate float64
	// Seed makes the sequence of decisions repeatable.
	Seed uint64
	// Kinds to choose from, uniformly; default AllKinds.
	Kinds []Kind
	// SlowDelay is how long a Slow answer takes; default 2.5 s (the store's
	// per-attempt timeout is 2 s).
	SlowDelay time.Duration
	// Ops, if set, limits faults to the DynamoDB operations it accepts
	// ("TransactWriteItems", "GetItem", …; from the X-Amz-Target header).
	Ops func(op string) bool
}

// Stats counts what the proxy saw and did.
type Stats struct {
	Requests  int64            // requests received
	Forwarded int64            // requests forwarded to the target
	Retries   int64            // requests the SDK marked as a retry (amz-sdk-request: attempt>1)
	Faults    map[Kind]int64   // faults injected, by kind
	ByOp      map[string]int64 // requests by operation
}

// Total is the number of faults injected.
func (s Stats) Total() int64 {
	var t int64
	for _, n := range s.Faults {
		t += n
	}
	return t
}

func (s Stats) String() string {
	kinds := make([]string, 0, len(s.Faults))
	for k, n := range s.Faults {
		kinds = append(kinds, fmt.Sprintf("%s=%d", k, n))
	}
	sort.Strings(kinds)
	return fmt.Sprintf("requests=%d forwarded=%d retries=%d faults=%d [%s]",
		s.Requests, s.Forwarded, s.Retries, s.Total(), strings.Join(kinds, " "))
}

// Proxy is the fault-injecting proxy. It is an http.Handler; Start also
// serves it on a loopback port.
type Proxy struct {
	cfg    Config
	target *url.URL
	client *http.Client
	rate   atomic.Uint64 // parts per million

	mu  sync.Mutex
	rng *rand.Rand
	st  Stats

	ln     net.Listener
	srv    *http.Server
	closed chan struct{}
	wg     sync.WaitGroup
}

// New builds a proxy (not listening; see Start).
func New(cfg Config) (*Proxy, error) {
	u, err := url.Parse(cfg.Target)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("faults: target %q is not an absolute URL", cfg.Target)
	}
	if len(cfg.Kinds) == 0 {
		cfg.Kinds = AllKinds
	}
	if cfg.SlowDelay == 0 {
		cfg.SlowDelay = 2500 * time.Millisecond
	}
	p := &Proxy{
		cfg: cfg, target: u,
		client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 128, IdleConnTimeout: 30 * time.Second}},
		rng:    rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15)),
		st:     Stats{Faults: map[Kind]int64{}, ByOp: map[string]int64{}},
		closed: make(chan struct{}),
	}
	p.SetRate(cfg.Rate)
	return p, nil
}

// Start builds a proxy and serves it on 127.0.0.1 (a random port).
func Start(cfg Config) (*Proxy, error) {
	p, err := New(cfg)
	if err != nil {
		return nil, err
	}
	if p.ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		return nil, err
	}
	p.srv = &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		_ = p.srv.Serve(p.ln)
	}()
	return p, nil
}

// URL is the proxy's endpoint, for DYNAMODB_ENDPOINT.
func (p *Proxy) URL() string { return "http://" + p.ln.Addr().String() }

// SetRate changes the fault rate (0 to 1) while the proxy runs.
func (p *Proxy) SetRate(r float64) {
	r = min(max(r, 0), 1)
	p.rate.Store(uint64(r * 1e6))
}

// Rate is the current fault rate.
func (p *Proxy) Rate() float64 { return float64(p.rate.Load()) / 1e6 }

// Stats returns a copy of the counters.
func (p *Proxy) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := p.st
	out.Faults = make(map[Kind]int64, len(p.st.Faults))
	for k, v := range p.st.Faults {
		out.Faults[k] = v
	}
	out.ByOp = make(map[string]int64, len(p.st.ByOp))
	for k, v := range p.st.ByOp {
		out.ByOp[k] = v
	}
	return out
}

// Close stops serving; slow answers in flight are abandoned.
func (p *Proxy) Close() error {
	select {
	case <-p.closed:
		return nil
	default:
		close(p.closed)
	}
	var err error
	if p.srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		err = p.srv.Shutdown(ctx)
		cancel()
		if err != nil {
			err = p.srv.Close()
		}
	}
	p.wg.Wait()
	return err
}

// Decide draws the next decision: the fault for a request of op, or "" for
// none. Decisions come from the seeded generator in call order.
func (p *Proxy) Decide(op string) Kind {
	rate := p.rate.Load()
	p.mu.Lock()
	defer p.mu.Unlock()
	// Always draw twice, so the sequence does not depend on the rate or op.
	roll := p.rng.Uint64N(1e6)
	pick := p.rng.IntN(len(p.cfg.Kinds))
	if roll >= rate || (p.cfg.Ops != nil && !p.cfg.Ops(op)) {
		return ""
	}
	return p.cfg.Kinds[pick]
}

// Operation names a DynamoDB request by its X-Amz-Target header
// ("DynamoDB_20120810.GetItem" → "GetItem").
func Operation(r *http.Request) string {
	t := r.Header.Get("X-Amz-Target")
	if i := strings.LastIndexByte(t, '.'); i >= 0 {
		return t[i+1:]
	}
	return t
}

func (p *Proxy) count(f func(*Stats)) {
	p.mu.Lock()
	f(&p.st)
	p.mu.Unlock()
}

// ServeHTTP implements http.Handler.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op := Operation(r)
	retry := strings.Contains(r.Header.Get("Amz-Sdk-Request"), "attempt=") &&
		!strings.Contains(r.Header.Get("Amz-Sdk-Request"), "attempt=1;") &&
		!strings.HasSuffix(r.Header.Get("Amz-Sdk-Request"), "attempt=1")
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return // the client went away
	}
	kind := p.Decide(op)
	p.count(func(s *Stats) {
		s.Requests++
		s.ByOp[op]++
		if retry {
			s.Retries++
		}
		if kind != "" {
			s.Faults[kind]++
		}
	})
	switch kind {
	case Throttle:
		awsError(w, http.StatusBadRequest, "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
			"The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.")
	case Throttling:
		awsError(w, http.StatusBadRequest, "com.amazon.coral.availability#ThrottlingException", "Rate of requests exceeds the allowed throughput.")
	case ServerError:
		awsError(w, http.StatusInternalServerError, "com.amazonaws.dynamodb.v20120810#InternalServerError", "Internal server error")
	case DropBefore:
		drop(w)
	case DropAfter:
		// Forwarded and fully answered by DynamoDB, then the answer is lost.
		if resp, err := p.forward(context.WithoutCancel(r.Context()), r, body); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		drop(w)
	case Slow:
		select {
		case <-time.After(p.cfg.SlowDelay):
		case <-p.closed:
			drop(w)
			return
		}
		// Forwarded even if the client has given up: DynamoDB would still
		// have executed a request that was merely slow to answer.
		resp, err := p.forward(context.WithoutCancel(r.Context()), r, body)
		if err != nil {
			drop(w)
			return
		}
		defer resp.Body.Close()
		relay(w, resp)
	default:
		resp, err := p.forward(r.Context(), r, body)
		if err != nil {
			drop(w)
			return
		}
		defer resp.Body.Close()
		relay(w, resp)
	}
}

func (p *Proxy) forward(ctx context.Context, r *http.Request, body []byte) (*http.Response, error) {
	u := *p.target
	u.Path = r.URL.Path
	u.RawQuery = r.URL.RawQuery
	out, err := http.NewRequestWithContext(ctx, r.Method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	for k, vs := range r.Header {
		out.Header[k] = vs
	}
	out.Host = r.Host // the SigV4 signature covers the host header
	out.ContentLength = int64(len(body))
	resp, err := p.client.Do(out)
	if err == nil {
		p.count(func(s *Stats) { s.Forwarded++ })
	}
	return resp, err
}

func relay(w http.ResponseWriter, resp *http.Response) {
	for k, vs := range resp.Header {
		w.Header()[k] = vs
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = io.Copy(w, resp.Body)
}

// awsError answers as DynamoDB's JSON protocol does.
func awsError(w http.ResponseWriter, status int, typ, msg string) {
	body := fmt.Sprintf(`{"__type":%q,"message":%q}`, typ, msg)
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.Header().Set("X-Amzn-Requestid", "FAULT"+fmt.Sprint(time.Now().UnixNano()))
	w.Header().Set("X-Amz-Crc32", fmt.Sprint(crc32.ChecksumIEEE([]byte(body)))) // as DynamoDB sends
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// drop closes the client's connection without an answer.
func drop(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // RST: "connection reset by peer"
	}
	_ = conn.Close()
}
