package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"broadsheet/internal/testkit/bench"
)

// LoadResult is one route under bounded load.
type LoadResult struct {
	Name        string
	Requests    int
	Concurrency int
	Sent        int
	RPS         float64
	P50, P99    time.Duration
	Status      map[int]int
	Errors      int
	Elapsed     time.Duration
	Note        string
}

// load runs c.loadN requests at concurrency c.conc on each route, each run
// bounded by c.loadMax. Comments come from distinct loopback addresses
// (127.1.x.y: the local runtime takes sourceIp from the TCP peer) and
// distinct emails, so the flood limit (CommentFloodSeconds, left at its
// default of 15 s) does not refuse them; each such request opens its own
// connection, which the GETs (keep-alive) do not.
func (st *Stack) load(ctx context.Context, c config) ([]*LoadResult, error) {
	base := st.URL()
	type spec struct {
		name, method, path string
		post               bool
		note               string
	}
	specs := []spec{
		{name: "GET /articles/{slug}", method: "GET", path: "/articles/" + FixtureSlug},
		{name: "GET /articles", method: "GET", path: "/articles"},
		{name: "GET /search", method: "GET", path: "/search?q=afghan+peace"},
		{name: "POST /articles/{slug}/comments", method: "POST", path: "/articles/" + FixtureSlug + "/comments", post: true,
			note: "distinct source address and email per request, a new connection each"},
	}
	var out []*LoadResult
	for _, s := range specs {
		if err := st.quiesce(ctx, "indexer", 500*time.Millisecond); err != nil {
			return nil, err
		}
		l := bench.Load{Requests: c.loadN, Concurrency: c.conc, MaxDuration: c.loadMax}
		runID := time.Now().UnixNano() % 1_000_000
		l.New = func(ctx context.Context, i int) (*http.Request, error) {
			if !s.post {
				return http.NewRequestWithContext(ctx, s.method, base+s.path, nil)
			}
			n := 5_000_000 + i
			ctx = context.WithValue(ctx, bench.SourceKey{}, bench.LoopbackIP(n))
			body := fmt.Sprintf(`{"name":"Load %d","email":"load%d.%d@example.com","body":"Load comment %d of run %d."}`, n, n, runID, n, runID)
			req, err := http.NewRequestWithContext(ctx, s.method, base+s.path, strings.NewReader(body))
			if err == nil {
				req.Header.Set("Content-Type", "application/json")
			}
			return req, err
		}
		if s.post {
			l.Client = bench.SourceIPClient()
		}
		r := l.Run(ctx)
		lr := &LoadResult{Name: s.name, Requests: c.loadN, Concurrency: c.conc, Sent: r.Sent, RPS: r.RPS(),
			P50: bench.Quantile(r.Latencies, 0.5), P99: bench.Quantile(r.Latencies, 0.99),
			Status: r.Status, Errors: r.Errors, Elapsed: r.Elapsed, Note: s.note}
		out = append(out, lr)
		lg.Printf("  %-32s %6.0f req/s p50 %.2fms p99 %.2fms status %v errors %d", s.name, lr.RPS, bench.Ms(lr.P50), bench.Ms(lr.P99), lr.Status, lr.Errors)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	return out, nil
}
