package bench

import (
	"context"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Load is a bounded closed-loop load: Requests requests from Concurrency
// workers, stopping early when MaxDuration has passed.
type Load struct {
	Requests    int
	Concurrency int
	MaxDuration time.Duration
	// New builds request i (0-based).
	New func(ctx context.Context, i int) (*http.Request, error)
	// Client defaults to a keep-alive client with Concurrency idle connections.
	Client *http.Client
}

// LoadResult is what a run measured.
type LoadResult struct {
	Sent      int
	Elapsed   time.Duration
	Latencies []time.Duration // of answered requests
	Status    map[int]int
	Errors    int // transport errors
}

// RPS is answered requests per second.
func (r LoadResult) RPS() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(len(r.Latencies)) / r.Elapsed.Seconds()
}

// Run runs the load.
func (l Load) Run(ctx context.Context) LoadResult {
	client := l.Client
	if client == nil {
		client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: l.Concurrency, MaxConnsPerHost: l.Concurrency}}
	}
	ctx, cancel := context.WithTimeout(ctx, l.MaxDuration)
	defer cancel()
	var next atomic.Int64
	var mu sync.Mutex
	res := LoadResult{Status: map[int]int{}, Latencies: make([]time.Duration, 0, l.Requests)}
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < l.Concurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= l.Requests {
					return
				}
				req, err := l.New(ctx, i)
				if err != nil {
					mu.Lock()
					res.Errors++
					mu.Unlock()
					continue
				}
				t0 := time.Now()
				resp, err := client.Do(req)
				var code int
				if err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					_ = resp.Body.Close()
					code = resp.StatusCode
				}
				d := time.Since(t0)
				mu.Lock()
				res.Sent++
				if err != nil {
					if ctx.Err() == nil {
						res.Errors++
					}
				} else {
					res.Latencies = append(res.Latencies, d)
					res.Status[code]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	return res
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
