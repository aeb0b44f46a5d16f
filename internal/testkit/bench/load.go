package bench

import (
	"context"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Load is a closed-loop load driven by vegeta: Requests requests over
// Connections keep-alive connections (one vegeta worker per connection, each
// sending its next request when the previous one is answered, at no fixed
// rate), stopping early when MaxDuration has passed.
type Load struct {
	Requests    int
	Connections int
	MaxDuration time.Duration
	// Target fills in request i (0-based); it is called from several
	// workers at once.
	Target func(i int, t *vegeta.Target)
}

// LoadResult is what a run measured.
type LoadResult struct {
	Sent       int
	Elapsed    time.Duration
	Throughput float64 // answers with status 2xx/3xx per second (vegeta's throughput)
	P50, P99   time.Duration
	Status     map[int]int // answered requests by status
	Errors     int         // transport errors (no status)
}

// Run runs the load.
func (l Load) Run(ctx context.Context) LoadResult {
	conns := max(l.Connections, 1)
	atk := vegeta.NewAttacker(
		vegeta.Workers(uint64(conns)), vegeta.MaxWorkers(uint64(conns)),
		vegeta.Connections(conns), vegeta.MaxConnections(conns),
		vegeta.KeepAlive(true), vegeta.HTTP2(false), vegeta.Timeout(30*time.Second),
		vegeta.Redirects(vegeta.NoFollow),
	)
	var next atomic.Int64
	targeter := func(t *vegeta.Target) error {
		i := int(next.Add(1)) - 1
		if i >= l.Requests {
			return vegeta.ErrNoTargets
		}
		l.Target(i, t)
		return nil
	}
	stop := context.AfterFunc(ctx, func() { atk.Stop() })
	defer stop()
	var m vegeta.Metrics
	res := LoadResult{Status: map[int]int{}}
	// Rate zero: as fast as the workers' answers come back.
	for r := range atk.Attack(targeter, vegeta.Rate{}, l.MaxDuration, "") {
		if r.Code == 0 && r.Error == vegeta.ErrNoTargets.Error() {
			continue // a worker found the run finished
		}
		m.Add(r)
		res.Sent++
		if r.Code == 0 {
			res.Errors++
		} else {
			res.Status[int(r.Code)]++
		}
	}
	m.Close()
	res.Elapsed = m.Duration + m.Wait
	res.Throughput = m.Throughput
	res.P50, res.P99 = m.Latencies.P50, m.Latencies.P99
	return res
}

// Header returns the header set of one request: pairs of name and value.
func Header(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

// ViewerAddress is a distinct documentation-range client address for i, in
// CloudFront-Viewer-Address form ("address:port"): the header the Comments
// function trusts only beside the stack's edge secret (apigw.ClientIP), so a
// load of many readers keeps its keep-alive connections.
func ViewerAddress(i int) string {
	i++
	ip := net.IPv4(10, byte(i>>16), byte(i>>8), byte(i))
	return ip.String() + ":" + strconv.Itoa(40000+i%20000)
}

// SourceKey is the context key of the loopback source address a request
// should come from (see SourceIPClient).
type SourceKey struct{}

// SourceIPClient returns a client that opens a new connection per request,
// from the loopback address in the request context (SourceKey, a net.IP):
// the local runtime takes API Gateway's sourceIp from the TCP peer, so this
// is how distinct clients are simulated without touching the flood limit.
func SourceIPClient() *http.Client {
	return &http.Client{Transport: &http.Transport{
		DisableKeepAlives: true,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			d := &net.Dialer{Timeout: 5 * time.Second}
			if ip, ok := ctx.Value(SourceKey{}).(net.IP); ok {
				d.LocalAddr = &net.TCPAddr{IP: ip}
			}
			return d.DialContext(ctx, network, addr)
		},
	}}
}

// LoopbackIP returns a distinct loopback address for i (127.1.0.1 upward).
func LoopbackIP(i int) net.IP {
	i++
	return net.IPv4(127, byte(1+i>>16), byte(i>>8), byte(i))
}
