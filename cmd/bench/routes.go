package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"broadsheet/internal/testkit/bench"
)

// Route is one API route driven through the stack.
type Route struct {
	Name      string // route key, or a variant of it
	Fn        string
	Scenario  string // tape scenario recorded from it ("" none)
	MinRounds int    // the fewest sequential DynamoDB rounds the route can have
	Why       string // why it has more than the minimum, or why the minimum is what it is
	Prepare   func(ctx context.Context, i int) (any, error)
	Do        func(ctx context.Context, i int, prep any) (answer, error)
	Want      int
}

// RouteResult is what one route cost per request (means over the measured
// requests).
type RouteResult struct {
	Name, Fn        string
	N               int
	Calls, Rounds   float64
	RCU, WCU        float64
	Ops             map[string]float64
	Lambda, HTTP    time.Duration // medians: in-process handler duration, loopback round trip
	MinRounds       int
	Why             string
	DollarsPerM     float64
	DynamoPerM      float64
	LambdaPerM      float64
	API             bool
	IndexerPerWrite *RouteResult // for article writes: the indexer's work it triggers
}

// Prices (us-east-1, on-demand, 2026).
const (
	pricePerMRRU     = 0.125        // $ per million read request units
	pricePerMWRU     = 0.625        // $ per million write request units
	pricePerGBs      = 0.0000133334 // Lambda arm64, $ per GB-second
	pricePerMInvokes = 0.20         // Lambda, $ per million requests
	pricePerMHTTPAPI = 1.00         // API Gateway HTTP API, $ per million requests
	memoryGB         = 0.25         // MemorySize 256
)

const perRoute = 6 // the first is a warm-up, unmeasured

func (st *Stack) routeList() []Route {
	slugPath := "/articles/" + FixtureSlug
	get := func(path string) func(context.Context, int, any) (answer, error) {
		return func(ctx context.Context, _ int, _ any) (answer, error) { return st.do(ctx, "GET", path, nil) }
	}
	return []Route{
		{Name: "GET /articles/{slug}", Fn: "articles", Scenario: "get", MinRounds: 1, Want: 200, Do: get(slugPath),
			Why: "one gsi1 Query by slug"},
		{Name: "GET /articles", Fn: "articles", Scenario: "list", MinRounds: 1, Want: 200, Do: get("/articles"),
			Why: "one gsi2 Query (the projection carries the summaries)"},
		{Name: "GET /articles?tag=", Fn: "articles", MinRounds: 1, Want: 200, Do: get("/articles?tag=pakistan"),
			Why: "2 by design: listing items hold only ids, so the exact commentCount is read from the articles (data-model.md)"},
		{Name: "GET /articles/{slug}/comments", Fn: "comments", Scenario: "list", MinRounds: 2, Want: 200, Do: get(slugPath + "/comments"),
			Why: "slug → article (visible? id), then the approved list keyed by article id"},
		{Name: "POST /articles/{slug}/comments", Fn: "comments", Scenario: "post", MinRounds: 2, Want: 201,
			Why: "round 1 parallel reads (article, commenter), round 2 one transaction",
			Do: func(ctx context.Context, i int, _ any) (answer, error) {
				ctx = context.WithValue(ctx, bench.SourceKey{}, bench.LoopbackIP(2_000_000+i))
				return st.do(ctx, "POST", slugPath+"/comments", commentBody(2_000_000+i))
			}},
		{Name: "GET /search", Fn: "search", Scenario: "search", MinRounds: 2, Want: 200, Do: get("/search?q=afghan+peace&limit=10"),
			Why: "postings of every term in parallel, then the result documents"},
		{Name: "GET /search/suggest", Fn: "search", Scenario: "suggest", MinRounds: 1, Want: 200, Do: get("/search/suggest?q=afgh"),
			Why: "one Query on the prefix"},
		{Name: "POST /admin/articles", Fn: "editor", Scenario: "create", MinRounds: 1, Want: 201,
			Why: "one transaction (slug claim, article, listings)",
			Do: func(ctx context.Context, i int, _ any) (answer, error) {
				a := sampleArticle(100+i, "bench")
				a.Title = fmt.Sprintf("Bench article %d %d", i, time.Now().UnixNano())
				return st.do(ctx, "POST", "/admin/articles", a)
			}},
		{Name: "GET /admin/articles", Fn: "editor", MinRounds: 1, Want: 200, Do: get("/admin/articles?limit=20"),
			Why: "2 by design: the editors' list holds ids, then BatchGetItem"},
		{Name: "GET /admin/articles/{id}", Fn: "editor", MinRounds: 1, Want: 200,
			Do: func(ctx context.Context, _ int, _ any) (answer, error) {
				return st.do(ctx, "GET", "/admin/articles/"+st.articles[0].ID, nil)
			}, Why: "one consistent GetItem"},
		{Name: "PUT /admin/articles/{id}", Fn: "editor", Scenario: "replace", MinRounds: 2, Want: 200,
			Why: "read the stored version, slug and listings, then one conditioned transaction",
			Prepare: func(ctx context.Context, _ int) (any, error) {
				a, err := st.must(ctx, 200, "GET", "/admin/articles/"+st.articles[1].ID, nil)
				return a.Header.Get("ETag"), err
			},
			Do: func(ctx context.Context, i int, prep any) (answer, error) {
				a := sampleArticle(1, "pakistan")
				a.Slug = st.articles[1].Slug
				a.Summary = fmt.Sprintf("Revised %d.", i)
				return st.do(ctx, "PUT", "/admin/articles/"+st.articles[1].ID, a, withHeader("If-Match", prep.(string)))
			}},
		{Name: "DELETE /admin/articles/{id}", Fn: "editor", MinRounds: 2, Want: 204,
			Why: "read, then one transaction",
			Prepare: func(ctx context.Context, i int) (any, error) {
				a := sampleArticle(200+i, "bench")
				a.Title = fmt.Sprintf("Doomed article %d %d", i, time.Now().UnixNano())
				c, err := st.must(ctx, 201, "POST", "/admin/articles", a)
				if err != nil {
					return nil, err
				}
				var v struct{ ID string }
				if err := c.json(&v); err != nil {
					return nil, err
				}
				return [2]string{v.ID, c.Header.Get("ETag")}, nil
			},
			Do: func(ctx context.Context, _ int, prep any) (answer, error) {
				p := prep.([2]string)
				return st.do(ctx, "DELETE", "/admin/articles/"+p[0], nil, withHeader("If-Match", p[1]))
			}},
		{Name: "GET /admin/comments", Fn: "editor", MinRounds: 1, Want: 200, Do: get("/admin/comments?status=pending&limit=20"),
			Why: "the 16 sharded moderation-queue keys and the pre-sharding one, queried in one parallel round and merged"},
		{Name: "PATCH /admin/comments/{id}", Fn: "editor", MinRounds: 2, Want: 200,
			Why:     "consistent read of the status, then one transaction",
			Prepare: func(ctx context.Context, i int) (any, error) { return st.postComment(ctx, 3_000_000+i) },
			Do: func(ctx context.Context, _ int, prep any) (answer, error) {
				return st.do(ctx, "PATCH", "/admin/comments/"+prep.(string), map[string]string{"status": "approved"})
			}},
		{Name: "DELETE /admin/comments/{id}", Fn: "editor", MinRounds: 2, Want: 204,
			Why:     "consistent read, then one transaction",
			Prepare: func(ctx context.Context, i int) (any, error) { return st.postComment(ctx, 4_000_000+i) },
			Do: func(ctx context.Context, _ int, prep any) (answer, error) {
				return st.do(ctx, "DELETE", "/admin/comments/"+prep.(string), nil)
			}},
		{Name: "POST /admin/comments (import)", Fn: "editor", MinRounds: 2, Want: 201,
			Why: "read the article, then one transaction",
			Do: func(ctx context.Context, i int, _ any) (answer, error) {
				return st.do(ctx, "POST", "/admin/comments", map[string]string{
					"articleId": st.fixtureID, "name": "Old Reader", "email": fmt.Sprintf("old%d@example.com", i),
					"body": fmt.Sprintf("Imported comment %d.", i), "createdAt": "2019-05-01T10:00:00Z",
					"status": "approved", "externalId": fmt.Sprintf("wp-%d-%d", i, time.Now().UnixNano()),
				})
			}},
	}
}

func tapePath(c config, fn string) string {
	return filepath.Join(c.root, "internal", "handlers", fn, "testdata", "dynamodb-tape.json")
}

// routes drives every route perRoute times, one request at a time, and
// reads the meter around each. Tapes are (re-)recorded from the first
// measured request of a route when -record is set or the file is missing.
func (st *Stack) routes(ctx context.Context, c config) ([]*RouteResult, error) {
	tapes := map[string]*bench.Tape{}
	for _, fn := range Functions {
		if _, err := os.Stat(tapePath(c, fn)); c.record || err != nil {
			tapes[fn] = &bench.Tape{Scenarios: map[string]*bench.Scenario{}}
		}
	}
	if err := st.quiesce(ctx, "indexer", time.Second); err != nil {
		return nil, err
	}
	var out []*RouteResult
	for _, rt := range st.routeList() {
		res := &RouteResult{Name: rt.Name, Fn: rt.Fn, MinRounds: rt.MinRounds, Why: rt.Why, Ops: map[string]float64{}, API: true}
		var lambda, http []time.Duration
		idx0 := st.meter.Snapshot("indexer")
		inv0 := st.invokeCount("indexer")
		for i := 0; i < perRoute; i++ {
			var prep any
			if rt.Prepare != nil {
				p, err := rt.Prepare(ctx, i)
				if err != nil {
					return nil, fmt.Errorf("%s: prepare: %w", rt.Name, err)
				}
				prep = p
			}
			var sc *bench.Scenario
			if t := tapes[rt.Fn]; t != nil && rt.Scenario != "" && i == 1 {
				sc = &bench.Scenario{}
				t.Scenarios[rt.Scenario] = sc
				st.arm(rt.Fn, sc)
			}
			before := st.meter.Snapshot(rt.Fn)
			n0 := st.durationCount(rt.Fn)
			a, err := rt.Do(ctx, i, prep)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", rt.Name, err)
			}
			if a.Status != rt.Want {
				return nil, fmt.Errorf("%s: answered %d, want %d: %.300s", rt.Name, a.Status, rt.Want, a.Body)
			}
			if i == 0 {
				continue
			}
			d := st.meter.Snapshot(rt.Fn).Sub(before)
			res.N++
			res.Calls += float64(d.Calls)
			res.Rounds += float64(d.Rounds)
			res.RCU += d.RCU
			res.WCU += d.WCU
			for k, v := range d.Ops {
				res.Ops[k] += float64(v)
			}
			lambda = append(lambda, st.durationsSince(rt.Fn, n0)...)
			http = append(http, a.Took)
		}
		res.scale()
		res.Lambda, res.HTTP = bench.Quantile(lambda, 0.5), bench.Quantile(http, 0.5)
		res.price()
		out = append(out, res)
		lg.Printf("  %-32s calls %.1f rounds %.1f RCU %.2f WCU %.2f lambda %.2fms", rt.Name, res.Calls, res.Rounds, res.RCU, res.WCU, bench.Ms(res.Lambda))

		if rt.Fn == "editor" && (rt.Name == "POST /admin/articles" || rt.Name == "PUT /admin/articles/{id}") {
			// The article writes feed the indexer through the stream: its
			// work is part of what a publication costs.
			if err := st.quiesce(ctx, "indexer", 1500*time.Millisecond); err != nil {
				return nil, err
			}
			d := st.meter.Snapshot("indexer").Sub(idx0)
			ix := &RouteResult{Name: "indexer (per " + rt.Name + ")", Fn: "indexer", N: perRoute, Ops: map[string]float64{}}
			ix.Calls, ix.Rounds, ix.RCU, ix.WCU = float64(d.Calls), float64(d.Rounds), d.RCU, d.WCU
			for k, v := range d.Ops {
				ix.Ops[k] = float64(v)
			}
			ix.scale()
			ix.Lambda = bench.Quantile(st.durationsSince("indexer", inv0), 0.5)
			invokes := st.invokeCount("indexer") - inv0
			ix.Why = fmt.Sprintf("%d stream batches for %d writes; rounds overlap across the batch's articles (Parallel 4); handler ms is per batch", invokes, perRoute)
			ix.API = false
			ix.price()
			// Lambda is paid per batch, not per write.
			ix.LambdaPerM *= float64(invokes) / float64(perRoute)
			ix.DollarsPerM = ix.DynamoPerM + ix.LambdaPerM
			res.IndexerPerWrite = ix
			lg.Printf("  %-32s calls %.1f rounds %.1f RCU %.2f WCU %.2f (%d batches)", ix.Name, ix.Calls, ix.Rounds, ix.RCU, ix.WCU, invokes)
		}
	}
	if t := tapes["indexer"]; t != nil {
		if err := st.recordIndexer(ctx, t); err != nil {
			return nil, err
		}
	}
	for fn, t := range tapes {
		if len(t.Scenarios) == 0 {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(tapePath(c, fn)), 0o755); err != nil {
			return nil, err
		}
		if err := t.Save(tapePath(c, fn)); err != nil {
			return nil, err
		}
		lg.Printf("  recorded %s", tapePath(c, fn))
	}
	return out, nil
}

// recordIndexer records the stream batch that one new article causes.
func (st *Stack) recordIndexer(ctx context.Context, t *bench.Tape) error {
	if err := st.quiesce(ctx, "indexer", time.Second); err != nil {
		return err
	}
	sc := &bench.Scenario{}
	st.arm("indexer", sc)
	a := sampleArticle(7, "bench")
	a.Title = "Recorded article for the indexer benchmark"
	if _, err := st.must(ctx, 201, "POST", "/admin/articles", a); err != nil {
		return err
	}
	if err := st.quiesce(ctx, "indexer", 1500*time.Millisecond); err != nil {
		return err
	}
	if len(sc.Event) == 0 {
		return fmt.Errorf("the indexer was not invoked")
	}
	t.Scenarios["batch"] = sc
	return nil
}

func (st *Stack) invokeCount(fn string) int {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.invokes[fn]
}

func (r *RouteResult) scale() {
	if r.N == 0 {
		return
	}
	n := float64(r.N)
	r.Calls /= n
	r.Rounds /= n
	r.RCU /= n
	r.WCU /= n
	for k := range r.Ops {
		r.Ops[k] /= n
	}
}

// price is the cost of a million such requests: DynamoDB on-demand request
// units as DynamoDB Local reports them, Lambda at the measured duration
// rounded up to Lambda's 1 ms billing, and the HTTP API.
func (r *RouteResult) price() {
	r.DynamoPerM = r.RCU*pricePerMRRU + r.WCU*pricePerMWRU
	billedMs := float64((r.Lambda + time.Millisecond - 1) / time.Millisecond)
	r.LambdaPerM = 1e6*memoryGB*billedMs/1000*pricePerGBs + pricePerMInvokes
	r.DollarsPerM = r.DynamoPerM + r.LambdaPerM
	if r.API {
		r.DollarsPerM += pricePerMHTTPAPI
	}
}
