package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"broadsheet/internal/local/ddblocal"
	"broadsheet/internal/local/localapi"
	"broadsheet/internal/testkit/bench"
)

// Stack is the local runtime with every function's DynamoDB traffic going
// through the meter, and every invocation timed (the in-process handler
// duration is what Lambda would bill, before its 1 ms rounding).
type Stack struct {
	*localapi.Stack
	meter   *bench.Meter
	client  *http.Client
	rootDir string
	token   string

	mu        sync.Mutex
	durations map[string][]time.Duration // per function
	armed     map[string]*bench.Scenario // next invocation of a function is recorded here
	invokes   map[string]int

	fixtureID string
	articles  []seeded // seeded articles other than the fixture
	comments  []string // approved comment ids on the fixture
}

type seeded struct{ ID, Slug string }

// FixtureSlug is the article every sample event in events/ reads.
const FixtureSlug = "pm-us-visit-afghan-peace-talks"

type timed struct {
	st    *Stack
	fn    string
	inner lambda.Handler
}

func (t *timed) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	t.st.mu.Lock()
	sc := t.st.armed[t.fn]
	delete(t.st.armed, t.fn)
	t.st.mu.Unlock()
	if sc != nil {
		sc.Event = append(json.RawMessage(nil), payload...)
		t.st.meter.Record(t.fn, sc)
		defer t.st.meter.Record(t.fn, nil)
	}
	t0 := time.Now()
	out, err := t.inner.Invoke(ctx, payload)
	d := time.Since(t0)
	t.st.mu.Lock()
	t.st.durations[t.fn] = append(t.st.durations[t.fn], d)
	t.st.invokes[t.fn]++
	t.st.mu.Unlock()
	return out, err
}

func startStack(ctx context.Context, c config) (*Stack, error) {
	st := &Stack{rootDir: c.root, durations: map[string][]time.Duration{}, armed: map[string]*bench.Scenario{}, invokes: map[string]int{}}
	// DynamoDB Local is started by the stack; the meter needs its endpoint
	// before the functions are built, and they are built on first use.
	factories := map[string]localapi.Factory{}
	for codeURI, f := range localapi.Functions {
		name := strings.TrimPrefix(codeURI, "functions/")
		f := f
		factories[codeURI] = func(ctx context.Context, getenv func(string) string) (any, error) {
			h, err := f(ctx, func(k string) string {
				if k == "DYNAMODB_ENDPOINT" {
					return st.meter.Endpoint(name)
				}
				return getenv(k)
			})
			if err != nil {
				return nil, err
			}
			return &timed{st: st, fn: name, inner: lambda.NewHandler(h)}, nil
		}
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	s, err := localapi.Start(ctx, localapi.Config{
		Root: c.root, InMemory: true, Functions: factories, Logger: quiet,
		// As `make local PARAMS="CommentFloodSeconds=1 CommentVerification=off
		// EdgeOriginSecret=…"` would run it: the load's comments are distinct
		// readers (their address from the edge header the secret vouches for),
		// and verification mail would only add load.
		Parameters: map[string]string{"SigningSecret": bench.Secret, "LogLevel": "WARN",
			"CommentFloodSeconds": "1", "CommentVerification": "off", "EdgeOriginSecret": EdgeSecret},
		Env: map[string]string{"COMMENT_MODERATION": "first-time"},
	})
	if err != nil {
		return nil, err
	}
	st.Stack = s
	if st.meter, err = bench.StartMeter(s.DynamoDBEndpoint()); err != nil {
		s.Close()
		return nil, err
	}
	if st.token, err = s.Token(); err != nil {
		st.Close()
		return nil, err
	}
	st.client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	return st, nil
}

// Close stops the stack and the meter; it may be called twice.
func (st *Stack) Close() {
	if st.Stack != nil {
		_ = st.Stack.Close()
	}
	if st.meter != nil {
		_ = st.meter.Close()
	}
}

// arm records the next invocation of fn into sc.
func (st *Stack) arm(fn string, sc *bench.Scenario) {
	st.mu.Lock()
	st.armed[fn] = sc
	st.mu.Unlock()
}

func (st *Stack) durationsSince(fn string, n int) []time.Duration {
	st.mu.Lock()
	defer st.mu.Unlock()
	return append([]time.Duration(nil), st.durations[fn][n:]...)
}

func (st *Stack) durationCount(fn string) int {
	st.mu.Lock()
	defer st.mu.Unlock()
	return len(st.durations[fn])
}

// answer is one HTTP exchange with the stack.
type answer struct {
	Status int
	Header http.Header
	Body   []byte
	Took   time.Duration
}

func (a answer) json(v any) error { return json.Unmarshal(a.Body, v) }

type reqOpt func(*http.Request)

func withHeader(k, v string) reqOpt { return func(r *http.Request) { r.Header.Set(k, v) } }

func (st *Stack) do(ctx context.Context, method, path string, body any, opts ...reqOpt) (answer, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return answer{}, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, st.URL()+path, rd)
	if err != nil {
		return answer{}, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if strings.HasPrefix(path, "/admin/") {
		req.Header.Set("Authorization", "Bearer "+st.token)
	}
	for _, o := range opts {
		o(req)
	}
	client := st.client
	if ip := req.Context().Value(bench.SourceKey{}); ip != nil {
		client = sourceClient
	}
	t0 := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return answer{}, err
	}
	b, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	return answer{Status: resp.StatusCode, Header: resp.Header, Body: b, Took: time.Since(t0)}, err
}

var sourceClient = bench.SourceIPClient()

func (st *Stack) must(ctx context.Context, want int, method, path string, body any, opts ...reqOpt) (answer, error) {
	a, err := st.do(ctx, method, path, body, opts...)
	if err != nil {
		return a, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if a.Status != want {
		return a, fmt.Errorf("%s %s: %d, want %d: %.300s", method, path, a.Status, want, a.Body)
	}
	return a, nil
}

type articleIn struct {
	Title   string            `json:"title"`
	Body    string            `json:"body"`
	Summary string            `json:"summary,omitempty"`
	Author  map[string]string `json:"author"`
	Tags    []string          `json:"tags,omitempty"`
	Slug    string            `json:"slug,omitempty"`
	Status  string            `json:"status"`
}

var topics = []string{"budget", "election", "monsoon", "cricket", "railway", "harbour", "vaccine", "drought", "tariff", "festival", "satellite", "museum"}

// sampleArticle is a published article of about 3 KB of Markdown.
func sampleArticle(i int, tag string) articleIn {
	t := topics[i%len(topics)]
	var b strings.Builder
	for p := 0; p < 6; p++ {
		fmt.Fprintf(&b, "The %s debate continued on day %d as officials in the capital met reporters. "+
			"Analysts said the **%s** plan would change how the province works, and *peace talks* were mentioned in passing. "+
			"Residents asked about costs, timetables and the long-term effect on schools and hospitals.\n\n", t, p+1, t)
	}
	return articleIn{
		Title: fmt.Sprintf("The %s question, part %d", t, i+1), Body: b.String(),
		Summary: fmt.Sprintf("What the %s plan means, part %d.", t, i+1),
		Author:  map[string]string{"name": []string{"Ayesha Khan", "Bilal Ahmed", "Sara Malik"}[i%3], "bio": "Correspondent."},
		Tags:    []string{tag, t}, Status: "published",
	}
}

// seed publishes the fixture article (the one events/*.json read) and 24
// others, approves ten comments on the fixture, and waits until search
// finds the last article.
func (st *Stack) seed(ctx context.Context) error {
	if err := st.warmJVM(ctx); err != nil {
		return err
	}
	var fixture articleIn
	if err := readEventBody(filepathJoin(st, "events", "admin-articles-create.json"), &fixture); err != nil {
		return err
	}
	fixture.Slug, fixture.Status = FixtureSlug, "published"
	a, err := st.must(ctx, 201, "POST", "/admin/articles", fixture)
	if err != nil {
		return err
	}
	var created struct{ ID, Slug string }
	if err := a.json(&created); err != nil {
		return err
	}
	st.fixtureID = created.ID
	for i := 0; i < 24; i++ {
		a, err := st.must(ctx, 201, "POST", "/admin/articles", sampleArticle(i, "pakistan"))
		if err != nil {
			return err
		}
		var c struct{ ID, Slug string }
		if err := a.json(&c); err != nil {
			return err
		}
		st.articles = append(st.articles, seeded{c.ID, c.Slug})
		if i%6 == 5 {
			// DynamoDB Local serialises transactions; let the indexer keep up.
			if err := st.quiesce(ctx, "indexer", 300*time.Millisecond); err != nil {
				return err
			}
		}
	}
	for i := 0; i < 10; i++ {
		id, err := st.postComment(ctx, 1_000_000+i)
		if err != nil {
			return err
		}
		if _, err := st.must(ctx, 200, "PATCH", "/admin/comments/"+id, map[string]string{"status": "approved"}); err != nil {
			return err
		}
		st.comments = append(st.comments, id)
	}
	last := sampleArticle(23, "pakistan")
	deadline := time.Now().Add(60 * time.Second)
	for {
		a, err := st.do(ctx, "GET", "/search?q="+url.QueryEscape(strings.Fields(last.Title)[1])+"+part+24", nil)
		if err == nil && a.Status == 200 && bytes.Contains(a.Body, []byte(`"slug"`)) {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("search did not index the seeded articles within 60 s (last answer %d %.200s)", a.Status, a.Body)
		}
		time.Sleep(200 * time.Millisecond)
	}
	return st.quiesce(ctx, "indexer", 2*time.Second)
}

// warmJVM sends DynamoDB Local some transactions before the functions do:
// its first ones, while the JVM compiles, can take longer than the
// functions' 2 s attempt timeout on a busy machine.
func (st *Stack) warmJVM(ctx context.Context) error {
	db := ddblocal.NewClient(st.DynamoDBEndpoint())
	table := st.TableName()
	for i := 0; i < 30; i++ {
		k := map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: fmt.Sprintf("BENCH#warmup%d", i)}, "sk": &types.AttributeValueMemberS{Value: "W"}}
		if _, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
			{Put: &types.Put{TableName: &table, Item: k}},
		}}); err != nil {
			return fmt.Errorf("warm-up: %w", err)
		}
		if _, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &table, Key: k}); err != nil {
			return fmt.Errorf("warm-up: %w", err)
		}
		if _, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &table, Key: k}); err != nil {
			return fmt.Errorf("warm-up: %w", err)
		}
	}
	return nil
}

// postComment submits a comment on the fixture from a client address and
// email of its own (n) and returns its id.
func (st *Stack) postComment(ctx context.Context, n int) (string, error) {
	ctx = context.WithValue(ctx, bench.SourceKey{}, bench.LoopbackIP(n))
	a, err := st.must(ctx, 201, "POST", "/articles/"+FixtureSlug+"/comments", commentBody(n))
	if err != nil {
		return "", err
	}
	var c struct{ ID string }
	return c.ID, a.json(&c)
}

func commentBody(n int) map[string]string {
	return map[string]string{
		"name": fmt.Sprintf("Reader %d", n), "email": fmt.Sprintf("reader%d@example.com", n),
		"body": fmt.Sprintf("Comment number %d: a thoughtful piece, and the timetable was new to me.", n),
	}
}

// quiesce waits until fn has made no DynamoDB call for quiet.
func (st *Stack) quiesce(ctx context.Context, fn string, quiet time.Duration) error {
	last := st.meter.Snapshot(fn).Calls
	since := time.Now()
	deadline := time.Now().Add(60 * time.Second)
	for time.Since(since) < quiet {
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not go quiet", fn)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if n := st.meter.Snapshot(fn).Calls; n != last {
			last, since = n, time.Now()
		}
	}
	return nil
}

func filepathJoin(st *Stack, parts ...string) string {
	return filepath.Join(append([]string{st.rootDir}, parts...)...)
}

// readEventBody decodes the JSON body of a sample API Gateway event.
func readEventBody(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var ev struct{ Body string }
	if err := json.Unmarshal(b, &ev); err != nil {
		return err
	}
	return json.Unmarshal([]byte(ev.Body), v)
}
