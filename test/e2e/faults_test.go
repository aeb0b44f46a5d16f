package e2e

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"broadsheet/internal/broadsheet"
	"broadsheet/internal/dynamo"
	"broadsheet/internal/testkit/dynamotest"
	"broadsheet/internal/testkit/faults"
)

// testFaultInjection runs a mixed workload through the stack while the
// functions reach DynamoDB through the fault proxy (20 % of calls throttled,
// failed, slowed past the per-attempt timeout or dropped, before or after
// DynamoDB executed them), then checks against DynamoDB directly that every
// acknowledged write is stored and that no write is half done.
//
// E2E_FAULT_RATE, E2E_FAULT_SEED and E2E_FAULT_OPS change the defaults (0.2, 1, 400).
func testFaultInjection(t *testing.T) {
	rate, seed, ops := 0.2, uint64(1), 400
	if v, err := strconv.ParseFloat(os.Getenv("E2E_FAULT_RATE"), 64); err == nil {
		rate = v
	}
	if v, err := strconv.ParseUint(os.Getenv("E2E_FAULT_SEED"), 10, 64); err == nil {
		seed = v
	}
	if v, err := strconv.Atoi(os.Getenv("E2E_FAULT_OPS")); err == nil {
		ops = v
	}
	if isLong() {
		ops *= 5
	}
	proxy, err := faults.Start(faults.Config{Target: dynamotest.Endpoint(t), Rate: 0, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	// Only the functions go through the proxy; the table, the stream poller
	// and the checks below talk to DynamoDB Local directly.
	s := newStack(t, stackOptions{moderation: "all", streams: true, env: map[string]string{
		"DYNAMODB_ENDPOINT":     proxy.URL(),
		"COMMENT_FLOOD_SECONDS": "0", // one client address for every commenter here
	}})

	w := &workload{s: s, articles: map[string]*trackedArticle{}, comments: map[string]*trackedComment{}, status: map[int]int{}}
	// Seed a few articles without faults.
	for i := 0; i < 6; i++ {
		w.create(rand.New(rand.NewPCG(seed, uint64(i))))
	}
	proxy.SetRate(rate)
	start := time.Now()
	const workers = 8
	var wg sync.WaitGroup
	var next atomic.Int64
	for g := 0; g < workers; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, uint64(100+g)))
			for next.Add(1) <= int64(ops) {
				w.step(rng)
			}
		}(g)
	}
	wg.Wait()
	took := time.Since(start)
	proxy.SetRate(0)
	pst := proxy.Stats()

	violations := w.verify(t)
	w.mu.Lock()
	defer w.mu.Unlock()
	t.Logf("FIGURES faults: rate=%.2f seed=%d ops=%d in %s; requests=%d 2xx=%d 4xx=%d 503=%d 5xx-other=%d; writes acknowledged=%d lost=%d; invariant violations=%d; 503 without Retry-After/JSON=%d",
		rate, seed, ops, took.Round(time.Millisecond), w.requests, w.class(2), w.class(4), w.status[503], w.other5xx, w.acked, w.lost, violations, w.bad503)
	t.Logf("FIGURES proxy: %s", pst)
	t.Logf("status histogram: %v", w.status)
	if w.other5xx != 0 || w.lost != 0 || violations != 0 || w.bad503 != 0 {
		t.Errorf("5xx-other=%d lost=%d violations=%d bad503=%d: all must be 0", w.other5xx, w.lost, violations, w.bad503)
	}
	if pst.Total() == 0 || w.status[503] == 0 && rate >= 0.2 {
		t.Logf("note: faults injected=%d, 503=%d", pst.Total(), w.status[503])
	}
}

type trackedArticle struct {
	id, slug  string
	version   int64  // last acknowledged version
	title     string // title at that version
	deleted   bool   // a delete was acknowledged
	maybeGone bool   // a delete was tried and not acknowledged
}

type trackedComment struct {
	id, articleID string
	approved      bool // an approval was acknowledged
}

type workload struct {
	s        *stack
	mu       sync.Mutex
	articles map[string]*trackedArticle
	comments map[string]*trackedComment
	status   map[int]int
	requests int
	other5xx int
	bad503   int
	acked    int
	lost     int
	seq      atomic.Int64
}

func (w *workload) class(c int) int {
	n := 0
	for st, k := range w.status {
		if st/100 == c {
			n += k
		}
	}
	return n
}

func (w *workload) send(r request) answer {
	a, err := w.s.try(r)
	w.mu.Lock()
	defer w.mu.Unlock()
	w.requests++
	if err != nil {
		w.other5xx++
		w.s.t.Errorf("%s %s: %v", r.method, r.path, err)
		return answer{status: 599}
	}
	w.status[a.status]++
	switch {
	case a.status == http.StatusServiceUnavailable:
		if a.header.Get("Retry-After") == "" || a.errorCode() != "unavailable" {
			w.bad503++
			w.s.t.Errorf("%s %s: 503 without Retry-After or JSON error: %s %v", r.method, r.path, a, a.header)
		}
	case a.status >= 500:
		w.other5xx++
		w.s.t.Errorf("%s %s: %s", r.method, r.path, a)
	}
	return a
}

func (w *workload) pick(rng *rand.Rand, live bool) *trackedArticle {
	w.mu.Lock()
	defer w.mu.Unlock()
	var c []*trackedArticle
	for _, a := range w.articles {
		if !live || (!a.deleted && !a.maybeGone) {
			c = append(c, a)
		}
	}
	if len(c) == 0 {
		return nil
	}
	// Map order is random; sort-free pick by rng over a stable key.
	best := c[0]
	k := rng.IntN(len(c))
	for i, a := range c {
		if i == k {
			best = a
		}
	}
	return best
}

func (w *workload) create(rng *rand.Rand) {
	n := w.seq.Add(1)
	slug := fmt.Sprintf("fault-%d-%d", n, rng.IntN(1e6))
	title := "Fault article " + slug
	a := w.send(request{method: "POST", path: "/admin/articles", token: w.s.token, body: jsonBody(map[string]any{
		"title": title, "body": "Body of " + slug, "author": map[string]any{"name": fmt.Sprintf("Author %d", n%3)},
		"tags": []string{"faults", fmt.Sprintf("t%d", n%4)}, "slug": slug, "status": "published",
	})})
	if a.status == http.StatusCreated {
		var out editorArticle
		a.json(w.s.t, &out)
		w.mu.Lock()
		w.articles[out.ID] = &trackedArticle{id: out.ID, slug: slug, version: out.Version, title: title}
		w.acked++
		w.mu.Unlock()
	}
}

func (w *workload) step(rng *rand.Rand) {
	switch op := rng.IntN(100); {
	case op < 10:
		w.create(rng)
	case op < 20: // replace: read the ETag, then PUT
		a := w.pick(rng, true)
		if a == nil {
			return
		}
		got := w.send(request{method: "GET", path: "/admin/articles/" + a.id, token: w.s.token})
		if got.status != http.StatusOK {
			return
		}
		var cur editorArticle
		got.json(w.s.t, &cur)
		title := fmt.Sprintf("Replaced %d %s", w.seq.Add(1), a.slug)
		put := w.send(request{method: "PUT", path: "/admin/articles/" + a.id, token: w.s.token,
			header: http.Header{"If-Match": {got.header.Get("ETag")}}, body: jsonBody(map[string]any{
				"title": title, "body": "Replaced body", "author": map[string]any{"name": "Author R"},
				"tags": []string{"faults", "replaced"}, "slug": a.slug, "status": "published",
			})})
		if put.status == http.StatusOK {
			var out editorArticle
			put.json(w.s.t, &out)
			w.mu.Lock()
			if out.Version > a.version {
				a.version, a.title = out.Version, title
			}
			w.acked++
			w.mu.Unlock()
		}
	case op < 25:
		a := w.pick(rng, true)
		if a == nil {
			return
		}
		del := w.send(request{method: "DELETE", path: "/admin/articles/" + a.id, token: w.s.token})
		w.mu.Lock()
		if del.status == http.StatusNoContent {
			a.deleted = true
			w.acked++
		} else {
			a.maybeGone = true
		}
		w.mu.Unlock()
	case op < 45: // comment, retried on 503 with its Idempotency-Key
		a := w.pick(rng, true)
		if a == nil {
			return
		}
		n := w.seq.Add(1)
		email := fmt.Sprintf("fault-reader-%d@example.com", n)
		logs.secret(email, "a commenter's email")
		key := fmt.Sprintf("idem-%d", n)
		for try := 0; try < 3; try++ {
			c := w.send(request{method: "POST", path: "/articles/" + a.slug + "/comments", header: http.Header{"Idempotency-Key": {key}},
				body: jsonBody(map[string]any{"name": "Reader", "email": email, "body": fmt.Sprintf("Comment %d on %s", n, a.slug)})})
			if c.status == http.StatusCreated {
				var out struct{ ID string }
				c.json(w.s.t, &out)
				w.mu.Lock()
				if w.comments[out.ID] == nil {
					w.comments[out.ID] = &trackedComment{id: out.ID, articleID: a.id}
				}
				w.acked++
				w.mu.Unlock()
				return
			}
			if c.status != http.StatusServiceUnavailable {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	case op < 60: // approve a pending comment
		w.mu.Lock()
		var c *trackedComment
		k := rng.IntN(len(w.comments) + 1)
		i := 0
		for _, x := range w.comments {
			if i == k || c == nil && !x.approved {
				c = x
			}
			i++
		}
		w.mu.Unlock()
		if c == nil {
			return
		}
		r := w.send(request{method: "PATCH", path: "/admin/comments/" + c.id, token: w.s.token, body: []byte(`{"status":"approved"}`)})
		if r.status == http.StatusOK {
			w.mu.Lock()
			c.approved = true
			w.acked++
			w.mu.Unlock()
		}
	case op < 75:
		w.send(request{method: "GET", path: "/articles?limit=5"})
		w.send(request{method: "GET", path: "/articles?tag=faults&limit=5"})
	case op < 85:
		if a := w.pick(rng, false); a != nil {
			w.send(request{method: "GET", path: "/articles/" + a.slug})
			w.send(request{method: "GET", path: "/articles/" + a.slug + "/comments"})
		}
	case op < 95:
		w.send(request{method: "GET", path: "/search?q=fault+article"})
		w.send(request{method: "GET", path: "/search/suggest?q=fau"})
	default:
		w.send(request{method: "GET", path: "/admin/comments?status=pending&limit=10", token: w.s.token})
	}
}

// verify checks, against DynamoDB Local directly, every acknowledged write
// and the table's invariants. It returns the number of violations.
func (w *workload) verify(t *testing.T) int {
	t.Helper()
	items := w.s.items()
	type key struct{ pk, sk string }
	byKey := map[key]map[string]string{}
	for _, it := range items {
		m := map[string]string{}
		for k := range it {
			if v := str(it, k); v != "" {
				m[k] = v
			} else if v := num(it, k); v != "" {
				m[k] = v
			}
		}
		byKey[key{str(it, "pk"), str(it, "sk")}] = m
	}
	bad := 0
	fail := func(format string, args ...any) {
		bad++
		t.Errorf(format, args...)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	// Acknowledged writes.
	for _, a := range w.articles {
		it := byKey[key{"ARTICLE#" + a.id, "ARTICLE"}]
		switch {
		case a.deleted && it != nil:
			w.lost++
			fail("article %s: delete acknowledged, still stored", a.id)
		case !a.deleted && !a.maybeGone && it == nil:
			w.lost++
			fail("article %s: create acknowledged, not stored", a.id)
		case it != nil:
			v, _ := strconv.ParseInt(it["version"], 10, 64)
			if v < a.version || (v == a.version && it["title"] != a.title) {
				w.lost++
				fail("article %s: acknowledged version %d %q, stored %d %q", a.id, a.version, a.title, v, it["title"])
			}
		}
	}
	approvedOf := map[string]int{}
	for _, c := range w.comments {
		it := byKey[key{"COMMENT#" + c.id, "COMMENT"}]
		if it == nil {
			w.lost++
			fail("comment %s: acknowledged, not stored", c.id)
			continue
		}
		if c.approved && it["status"] != "approved" {
			w.lost++
			fail("comment %s: approval acknowledged, status %s", c.id, it["status"])
		}
	}
	// Invariants over everything stored.
	for k, it := range byKey {
		switch it["type"] {
		case "article":
			id := it["id"]
			if s := byKey[key{"SLUG#" + it["slug"], "SLUG"}]; s == nil || s["articleId"] != id {
				fail("article %s has no slug item %s", id, it["slug"])
			}
			if byKey[key{"ARTICLES", it["gsi3sk"]}] == nil {
				fail("article %s is missing from the editors' list", id)
			}
			if it["status"] == "published" {
				if byKey[key{"TAG#faults", it["gsi2sk"]}] == nil && strings.HasPrefix(it["slug"], "fault-") {
					fail("published article %s has no TAG#faults listing item", id)
				}
			}
		case "slug":
			if a := byKey[key{"ARTICLE#" + it["articleId"], "ARTICLE"}]; a == nil || a["slug"] != strings.TrimPrefix(k.pk, "SLUG#") {
				fail("slug item %s points at a missing or renamed article", k.pk)
			}
		case "listing":
			if byKey[key{"ARTICLE#" + it["id"], "ARTICLE"}] == nil {
				fail("listing item %s/%s points at a missing article", k.pk, k.sk)
			}
		case "comment":
			if it["status"] == "approved" {
				approvedOf[it["articleId"]]++
				if it["gsi1pk"] != "COMMENTS#"+it["articleId"] {
					fail("approved comment %s is not in its article's public list", it["id"])
				}
			}
			if it["gsi3pk"] != dynamo.StatusQueueKey(broadsheet.CommentStatus(it["status"]), it["id"], dynamo.QueueShards) {
				fail("comment %s is in the wrong moderation queue", it["id"])
			}
			if d := it["dedupeKey"]; d != "" && byKey[key{d, "DEDUPE"}]["commentId"] != it["id"] {
				fail("comment %s has no dedupe item", it["id"])
			}
		}
	}
	for k, it := range byKey {
		if it["type"] != "article" {
			continue
		}
		want := approvedOf[it["id"]]
		got, _ := strconv.Atoi(it["commentCount"])
		if got != want {
			fail("article %s: commentCount %d, approved comments %d", k.pk, got, want)
		}
	}
	return bad
}
