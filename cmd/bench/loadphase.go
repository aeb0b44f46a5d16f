package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"broadsheet/internal/apigw"
	"broadsheet/internal/testkit/bench"
)

// LoadResult is one operation at one connection count.
type LoadResult struct {
	Op          string
	Name        string
	Requests    int
	Connections int
	Sent        int
	RPS         float64 // 2xx/3xx answers per second
	P50, P99    time.Duration
	Status      map[int]int
	Errors      int
	Elapsed     time.Duration
	// CPU seconds spent during the run by DynamoDB Local's JVM and by this
	// process (the local runtime, the functions in-process, vegeta).
	JVMCPU, GoCPU float64
	Note          string
}

// WordPress is the reference: WordPress 6 on PHP 8.2 with MariaDB on
// this machine, same 423 news articles, 2 connections, two runs (req/s and
// p99 ranges; 0 where it was not reported).
type WordPress struct {
	RPSLow, RPSHigh float64
	P99Low, P99High time.Duration
}

var wordPress = map[string]WordPress{
	"article": {39, 80, 38 * time.Millisecond, 132 * time.Millisecond},
	"list":    {44, 55, 0, 0},
	"search":  {30, 43, 70 * time.Millisecond, 154 * time.Millisecond},
	"comment": {65, 88, 0, 0},
}

// EdgeSecret is the bench stack's EdgeOriginSecret: the load's comments
// prove with it that their CloudFront-Viewer-Address is the edge's.
const EdgeSecret = "bench-edge-origin-secret-0123456789abcdef"

// loadGoal is the issue's: ≥ 10× WordPress's best figure.
const loadGoal = 10.0

// load runs each operation at each connection count, c.loadN requests per
// run bounded by c.loadMax, with vegeta as a library. Comments carry a
// distinct reader address and email each: the stack runs with an edge
// secret (EdgeOriginSecret) and the requests carry it with
// CloudFront-Viewer-Address, the production rule by which the Comments
// function takes the reader's address from the edge (apigw.ClientIP), so the
// flood limit sees distinct readers over keep-alive connections.
func (st *Stack) load(ctx context.Context, c config) ([]*LoadResult, string, error) {
	base := st.URL()
	type spec struct {
		op, name, method, path string
		post                   bool
		note                   string
	}
	specs := []spec{
		{op: "article", name: "GET /articles/{slug}", method: "GET", path: "/articles/" + FixtureSlug},
		{op: "list", name: "GET /articles", method: "GET", path: "/articles"},
		{op: "search", name: "GET /search", method: "GET", path: "/search?q=afghan+peace"},
		{op: "comment", name: "POST /articles/{slug}/comments", method: "POST", path: "/articles/" + FixtureSlug + "/comments", post: true,
			note: "distinct reader address (CloudFront-Viewer-Address with the edge secret) and email per request"},
	}
	jvm := jvmPID(st.DynamoDBEndpoint())
	profile, stopProfile, err := startProfile(c.out)
	if err != nil {
		return nil, "", err
	}
	var out []*LoadResult
	serial := 0
	for _, conns := range c.conns {
		for _, s := range specs {
			if err := st.quiesce(ctx, "indexer", 500*time.Millisecond); err != nil {
				stopProfile()
				return nil, "", err
			}
			runID := time.Now().UnixNano() % 1_000_000
			first := serial
			serial += c.loadN
			l := bench.Load{Requests: c.loadN, Connections: conns, MaxDuration: c.loadMax}
			l.Target = func(i int, t *vegeta.Target) {
				t.Method, t.URL = s.method, base+s.path
				if !s.post {
					return
				}
				n := 5_000_000 + first + i
				t.Body = fmt.Appendf(nil, `{"name":"Load %d","email":"load%d.%d@example.com","body":"Load comment %d of run %d."}`, n, n, runID, n, runID)
				t.Header = bench.Header("Content-Type", "application/json",
					apigw.OriginVerifyHeader, EdgeSecret, apigw.ViewerAddressHeader, bench.ViewerAddress(first+i))
			}
			j0, g0 := cpuSeconds(jvm), cpuSeconds(os.Getpid())
			r := l.Run(ctx)
			lr := &LoadResult{Op: s.op, Name: s.name, Requests: c.loadN, Connections: conns, Sent: r.Sent, RPS: r.Throughput,
				P50: r.P50, P99: r.P99, Status: r.Status, Errors: r.Errors, Elapsed: r.Elapsed, Note: s.note,
				JVMCPU: cpuSeconds(jvm) - j0, GoCPU: cpuSeconds(os.Getpid()) - g0}
			out = append(out, lr)
			lg.Printf("  %-32s %2d conns %6.0f req/s p50 %.2fms p99 %.2fms status %v errors %d; CPU s: JVM %.1f, Go %.1f", s.name, conns, lr.RPS,
				bench.Ms(lr.P50), bench.Ms(lr.P99), lr.Status, lr.Errors, lr.JVMCPU, lr.GoCPU)
			if ctx.Err() != nil {
				stopProfile()
				return nil, "", ctx.Err()
			}
		}
	}
	stopProfile()
	return out, profile, nil
}

// jvmPID finds DynamoDB Local's process by the port of its endpoint (its
// command line carries "-port N"); 0 if not found (an external engine).
func jvmPID(endpoint string) int {
	i := strings.LastIndexByte(endpoint, ':')
	if i < 0 {
		return 0
	}
	port := endpoint[i+1:]
	dirs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, d := range dirs {
		b, err := os.ReadFile(d)
		if err != nil {
			continue
		}
		args := strings.Split(string(b), "\x00")
		java := false
		for k, a := range args {
			if strings.Contains(a, "DynamoDBLocal") {
				java = true
			}
			if java && a == "-port" && k+1 < len(args) && args[k+1] == port {
				pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(d)))
				return pid
			}
		}
	}
	return 0
}

// cpuSeconds is a process's user+system CPU time (all threads) from
// /proc/<pid>/stat; 0 if unknown.
func cpuSeconds(pid int) float64 {
	if pid == 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseFloat(f[11], 64)
	k, _ := strconv.ParseFloat(f[12], 64)
	return (u + k) / 100 // USER_HZ
}
