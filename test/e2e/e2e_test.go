// Package e2e runs the whole stack — the local runtime routing template.yaml,
// the real handlers, DynamoDB Local — over real HTTP, and attacks it: hostile
// input on every route, faults between the functions and DynamoDB, races,
// the authorisation matrix and response/log hygiene. See docs/reliability.md.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"broadsheet/internal/local/ddblocal"
	"broadsheet/internal/local/localapi"
	"broadsheet/internal/testkit/dynamotest"
)

// long runs the full-size races (1,000 comments). E2E_LONG=1 does the same.
var long = flag.Bool("long", false, "run the full-size race tests")

func isLong() bool { return *long || os.Getenv("E2E_LONG") != "" }

func TestMain(m *testing.M) {
	flag.Parse()
	code := dynamotest.RunTests(m)
	// Every log line the suite produced, from every function and the local
	// runtime, must be free of the secrets the tests sent.
	if leaks := logs.leaks(); len(leaks) > 0 {
		fmt.Fprintln(os.Stderr, "FAIL: secrets in the logs:\n"+strings.Join(leaks, "\n"))
		code = 1
	}
	os.Exit(code)
}

// ---- log capture ---------------------------------------------------------

// capture collects everything the handlers log (their logging setup writes JSON
// lines to os.Stdout) and what the local runtime logs.
type capture struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	secrets map[string]string // secret → what it is
	pipeW   *os.File
	once    sync.Once
}

var logs = &capture{secrets: map[string]string{}}

func (c *capture) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.Write(p)
}

// secret registers a value that must never appear in any log line.
func (c *capture) secret(v, what string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.secrets[v] = what
}

func (c *capture) text() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.String()
}

func (c *capture) leaks() []string {
	text := c.text()
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for v, what := range c.secrets {
		if strings.Contains(text, v) {
			out = append(out, fmt.Sprintf("%s (%.20q…)", what, v))
		}
	}
	return out
}

// writer returns the pipe the handlers' slog output goes to.
func (c *capture) writer() *os.File {
	c.once.Do(func() {
		r, w, err := os.Pipe()
		if err != nil {
			panic(err)
		}
		c.pipeW = w
		go func() { _, _ = io.Copy(c, r) }()
	})
	return c.pipeW
}

var stdoutMu sync.Mutex

// capturedFactories wraps each factory so that the handler's
// logging setup (slog JSON on os.Stdout), called inside it, binds to the capture
// pipe instead of the real stdout.
func capturedFactories() map[string]localapi.Factory {
	out := map[string]localapi.Factory{}
	for uri, f := range localapi.Functions {
		out[uri] = func(ctx context.Context, getenv func(string) string) (any, error) {
			stdoutMu.Lock()
			defer stdoutMu.Unlock()
			old := os.Stdout
			os.Stdout = logs.writer()
			defer func() { os.Stdout = old }()
			return f(ctx, getenv)
		}
	}
	return out
}

// ---- the stack -----------------------------------------------------------

type stackOptions struct {
	moderation string            // CommentModeration; default "none"
	env        map[string]string // added to every function's environment
	streams    bool              // run the stream pollers (the search indexer)
}

type stack struct {
	t      testing.TB
	st     *localapi.Stack
	base   string
	token  string
	db     *dynamodb.Client // straight to DynamoDB Local, never through a proxy
	table  string
	client *http.Client
	// dataDir is the local runtime's $DATA_DIR (mail lands in dataDir/mail).
	dataDir string
}

func newStack(t testing.TB, o stackOptions) *stack {
	t.Helper()
	if o.moderation == "" {
		o.moderation = "none"
	}
	endpoint := dynamotest.Endpoint(t)
	table := ddblocal.UniqueName("e2e")
	dataDir := t.TempDir()
	st, err := localapi.Start(context.Background(), localapi.Config{
		Root:               "../..",
		DataDir:            dataDir,
		DynamoDBEndpoint:   endpoint,
		TableName:          table,
		Functions:          capturedFactories(),
		Parameters:         map[string]string{"CommentModeration": o.moderation},
		Env:                o.env,
		Logger:             slog.New(slog.NewJSONHandler(logs, nil)),
		DisableStreams:     !o.streams,
		StreamPollInterval: 100 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	tok, err := st.Token()
	if err != nil {
		t.Fatal(err)
	}
	logs.secret(tok, "an editor bearer token")
	return &stack{
		t: t, st: st, base: st.URL(), token: tok, db: ddblocal.NewClient(endpoint), table: table, dataDir: dataDir,
		client: &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256}},
	}
}

// answer is one HTTP exchange's result.
type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) String() string {
	b := a.body
	if len(b) > 300 {
		b = append(b[:300:300], "…"...)
	}
	return fmt.Sprintf("%d %s", a.status, b)
}

func (a answer) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(a.body, v); err != nil {
		t.Fatalf("answer is not JSON: %v: %s", err, a)
	}
}

// errorCode is error.code of a contract error, or "" if the body is not one.
func (a answer) errorCode() string {
	var e struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	if json.Unmarshal(a.body, &e) != nil {
		return ""
	}
	return e.Error.Code
}

// gatewayMessage is API Gateway's own {"message": …}, or "".
func (a answer) gatewayMessage() string {
	var e map[string]any
	if json.Unmarshal(a.body, &e) != nil || len(e) != 1 {
		return ""
	}
	m, _ := e["message"].(string)
	return m
}

type request struct {
	method, path string
	header       http.Header
	body         []byte
	bodyReader   io.Reader // instead of body, for huge bodies
	token        string    // sent as Authorization: Bearer
	localIP      string    // bind the client to this loopback address
}

func (s *stack) do(r request) answer {
	s.t.Helper()
	a, err := s.try(r)
	if err != nil {
		s.t.Fatalf("%s %s: %v", r.method, r.path, err)
	}
	return a
}

func (s *stack) try(r request) (answer, error) {
	var body io.Reader = bytes.NewReader(r.body)
	if r.bodyReader != nil {
		body = r.bodyReader
	}
	req, err := http.NewRequest(r.method, s.base+r.path, body)
	if err != nil {
		return answer{}, err
	}
	if r.bodyReader == nil && r.body == nil {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	for k, vs := range r.header {
		req.Header[k] = vs
	}
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	if r.body != nil && req.Header.Get("Content-Type") == "" && r.header["Content-Type"] == nil {
		req.Header.Set("Content-Type", "application/json")
	}
	client := s.client
	if r.localIP != "" {
		client = clientFrom(r.localIP)
	}
	resp, err := client.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return answer{}, err
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

var (
	clientsMu sync.Mutex
	clients   = map[string]*http.Client{}
)

// clientFrom is an HTTP client whose connections come from ip (any address
// of 127.0.0.0/8 works on Linux), so the runtime sees it as the sourceIp.
func clientFrom(ip string) *http.Client {
	clientsMu.Lock()
	defer clientsMu.Unlock()
	if c := clients[ip]; c != nil {
		return c
	}
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	c := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 2}}
	clients[ip] = c
	return c
}

func jsonBody(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// ---- fixtures ------------------------------------------------------------

type editorArticle struct {
	ID           string   `json:"id"`
	Slug         string   `json:"slug"`
	Title        string   `json:"title"`
	BodyHTML     string   `json:"bodyHtml"`
	Status       string   `json:"status"`
	Version      int64    `json:"version"`
	CommentCount int64    `json:"commentCount"`
	Tags         []string `json:"tags"`
}

func (s *stack) createArticle(slug, title string) editorArticle {
	s.t.Helper()
	a := s.do(request{method: "POST", path: "/admin/articles", token: s.token, body: jsonBody(map[string]any{
		"title": title, "body": "Text of **" + title + "**.", "author": map[string]any{"name": "Ayesha Khan"},
		"tags": []string{"pakistan"}, "slug": slug, "status": "published",
	})})
	if a.status != http.StatusCreated {
		s.t.Fatalf("create %s: %s", slug, a)
	}
	var out editorArticle
	a.json(s.t, &out)
	return out
}

// items scans the table (bypassing any proxy), consistently, without the
// search index's items, which the indexer writes in the background.
func (s *stack) items() []map[string]types.AttributeValue {
	s.t.Helper()
	var out []map[string]types.AttributeValue
	p := dynamodb.NewScanPaginator(s.db, &dynamodb.ScanInput{TableName: aws.String(s.table), ConsistentRead: aws.Bool(true)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			s.t.Fatal(err)
		}
		for _, it := range page.Items {
			switch pk := str(it, "pk"); {
			case strings.HasPrefix(pk, "TERM#"), strings.HasPrefix(pk, "SDOC#"), strings.HasPrefix(pk, "SUG#"), strings.HasPrefix(pk, "SSTAT#"):
				continue
			}
			out = append(out, it)
		}
	}
	return out
}

// snapshot is a canonical dump of the table (index items excluded), to show
// that a rejected request changed nothing.
func (s *stack) snapshot() string {
	s.t.Helper()
	var lines []string
	for _, it := range s.items() {
		b, _ := json.Marshal(flatten(it))
		lines = append(lines, string(b))
	}
	sortStrings(lines)
	return strings.Join(lines, "\n")
}

func str(it map[string]types.AttributeValue, name string) string {
	if v, ok := it[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

func num(it map[string]types.AttributeValue, name string) string {
	if v, ok := it[name].(*types.AttributeValueMemberN); ok {
		return v.Value
	}
	return ""
}

func flatten(it map[string]types.AttributeValue) map[string]any {
	out := map[string]any{}
	for k, v := range it {
		switch v := v.(type) {
		case *types.AttributeValueMemberS:
			out[k] = v.Value
		case *types.AttributeValueMemberN:
			out[k] = "N:" + v.Value
		case *types.AttributeValueMemberBOOL:
			out[k] = v.Value
		case *types.AttributeValueMemberL:
			var l []any
			for _, e := range v.Value {
				l = append(l, flatten(map[string]types.AttributeValue{"v": e})["v"])
			}
			out[k] = l
		default:
			out[k] = fmt.Sprintf("%T", v)
		}
	}
	return out
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func jsonDecoder(b []byte) *json.Decoder { return json.NewDecoder(bytes.NewReader(b)) }

// dumpWarnings logs the captured warning and error lines, once the test failed.
func dumpWarnings(t testing.TB, from int) {
	if !t.Failed() {
		return
	}
	n := 0
	for _, line := range strings.Split(logs.text()[from:], "\n") {
		if (strings.Contains(line, `"level":"WARN"`) || strings.Contains(line, `"level":"ERROR"`)) && n < 30 {
			t.Log(line)
			n++
		}
	}
}
