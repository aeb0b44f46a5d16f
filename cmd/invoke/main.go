// Command invoke runs one function of template.yaml under the AWS Lambda
// Runtime Interface Emulator with one event, the way Lambda would:
//
//	go run ./cmd/invoke -fn ArticlesFunction -event events/articles-get.json
//	make invoke FN=ArticlesFunction EVENT=events/articles-get.json [DDB=1]
//
// It builds the function's bootstrap exactly as deployed (GOOS=linux
// CGO_ENABLED=0, -tags lambda.norpc -trimpath -ldflags "-s -w") but for this
// machine's GOARCH, since the emulator runs it here (Lambda runs the arm64
// build); installs aws-lambda-rie into .local/bin if missing; starts it with
// the function's environment from the template (Globals merged, TABLE_NAME
// the local table, SIGNING_SECRET the local runtime's from
// $DATA_DIR/parameters.json); makes sure the table exists; posts the event
// and prints the answer, pretty, on stdout. Everything else (build, the
// function's log lines, INIT REPORT and REPORT, the contract check) goes to
// stderr. The exit status is 1 when the function fails (errorMessage).
//
// DynamoDB: $DYNAMODB_ENDPOINT, or -ddb to start an in-memory DynamoDB Local
// for this one invocation.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"broadsheet/internal/local/ddblocal"
	"broadsheet/internal/local/localapi"
	"broadsheet/internal/local/rie"
	"broadsheet/internal/local/samtemplate"
	"broadsheet/internal/testkit/contract"
)

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

type config struct {
	fn, event, template, dataDir, table, region, endpoint, buildDir, goarch string
	ddb, verbose, noContract                                                bool
	params                                                                  map[string]string
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("invoke", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	c.params = samtemplate.ParameterFlags{}
	fs.StringVar(&c.fn, "fn", os.Getenv("FN"), "the function's logical id in the template, e.g. ArticlesFunction (default: the one whose route or event source the event targets)")
	fs.StringVar(&c.event, "event", os.Getenv("EVENT"), "event JSON file, e.g. events/articles-get.json")
	fs.StringVar(&c.template, "template", env("TEMPLATE", "template.yaml"), "SAM template")
	fs.StringVar(&c.dataDir, "data-dir", env("DATA_DIR", ".local"), "the local runtime's data directory (its parameters.json holds the local SigningSecret)")
	fs.StringVar(&c.table, "table", env("TABLE", "broadsheet"), "table name TABLE_NAME resolves to")
	fs.StringVar(&c.region, "region", env("AWS_REGION", ddblocal.LocalRegion), "AWS_REGION for the function")
	fs.StringVar(&c.endpoint, "dynamodb-endpoint", os.Getenv(ddblocal.EnvEndpoint), "DynamoDB endpoint (default $DYNAMODB_ENDPOINT)")
	fs.BoolVar(&c.ddb, "ddb", false, "start an in-memory DynamoDB Local for this invocation (and create the table)")
	fs.StringVar(&c.buildDir, "build-dir", filepath.Join("build", "invoke"), "where bootstrap binaries are built (<dir>/<LogicalId>/bootstrap)")
	fs.StringVar(&c.goarch, "goarch", runtime.GOARCH, "GOARCH of the build; the emulator runs it on this machine")
	fs.BoolVar(&c.verbose, "v", false, "also show the emulator's own log lines")
	fs.BoolVar(&c.noContract, "no-contract", false, "do not check an HTTP answer against openapi.yaml")
	fs.Var(samtemplate.ParameterFlags(c.params), "param", "template parameter override Name=Value (repeatable)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if c.event == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: invoke [-fn LogicalId] -event events/<file>.json [-ddb] [flags]")
		fs.PrintDefaults()
		return 2
	}
	if err := invoke(ctx, c, stdout, stderr); err != nil {
		var fe *functionError
		if errors.As(err, &fe) {
			fmt.Fprintf(stderr, "invoke: %s failed: %s\n", c.fn, fe)
			return 1
		}
		fmt.Fprintln(stderr, "invoke:", err)
		return 1
	}
	return 0
}

type functionError struct{ message, typ string }

func (e *functionError) Error() string {
	if e.typ == "" {
		return e.message
	}
	return e.typ + ": " + e.message
}

func invoke(ctx context.Context, c config, stdout, stderr io.Writer) error {
	payload, err := os.ReadFile(c.event)
	if err != nil {
		return err
	}
	if !json.Valid(payload) {
		return fmt.Errorf("%s is not valid JSON", c.event)
	}
	tpl, note, err := LoadTemplate(c.template, c.dataDir, c.table, c.params)
	if err != nil {
		return err
	}
	if note != "" {
		fmt.Fprintln(stderr, "invoke:", note)
	}
	target, err := FunctionFor(tpl, payload)
	switch {
	case c.fn == "" && err != nil:
		return err
	case c.fn == "":
		c.fn = target
	case err == nil && target != c.fn:
		fmt.Fprintf(stderr, "invoke: warning: %s targets %s, not %s\n", c.event, target, c.fn)
	}
	fn := tpl.Functions[c.fn]
	if fn == nil {
		return fmt.Errorf("no function %q in %s (have %s)", c.fn, c.template, strings.Join(functionIDs(tpl), ", "))
	}

	root := filepath.Dir(c.template)
	if !HasMainPackage(filepath.Join(root, fn.CodeUri)) {
		return fmt.Errorf("%s: %s has no main package yet", c.fn, fn.CodeUri)
	}
	bootstrap := filepath.Join(c.buildDir, c.fn, "bootstrap")
	fmt.Fprintf(stderr, "invoke: building %s (./%s) for linux/%s: the emulator runs it on this machine; Lambda runs the %s build\n",
		c.fn, fn.CodeUri, c.goarch, strings.Join(fn.Architectures, ","))
	start := time.Now()
	if err := rie.Build(ctx, "./"+filepath.ToSlash(fn.CodeUri), bootstrap, rie.BuildOptions{Dir: root, GOARCH: c.goarch}); err != nil {
		return err
	}
	if fi, err := os.Stat(bootstrap); err == nil {
		fmt.Fprintf(stderr, "invoke: built %s (%.1f MiB) in %s\n", bootstrap, float64(fi.Size())/(1<<20), time.Since(start).Round(time.Millisecond))
	}

	if c.ddb {
		fmt.Fprintln(stderr, "invoke: starting an in-memory DynamoDB Local …")
		srv, err := ddblocal.Start(ctx, ddblocal.Options{InMemory: true})
		if err != nil {
			return err
		}
		defer srv.Stop()
		c.endpoint = srv.Endpoint()
	}
	if c.endpoint == "" {
		return errors.New("no DynamoDB: set DYNAMODB_ENDPOINT (e.g. go run ./cmd/withddb -- make invoke …) or pass -ddb (make invoke … DDB=1)")
	}
	created, err := tpl.CreateTable(ctx, ddblocal.NewClient(c.endpoint), c.table)
	if err != nil {
		return fmt.Errorf("table %s at %s: %w", c.table, c.endpoint, err)
	}
	if created {
		fmt.Fprintf(stderr, "invoke: created table %s at %s from %s (empty)\n", c.table, c.endpoint, c.template)
	}

	bin, err := rie.Install(ctx, "", stderr)
	if err != nil {
		return err
	}
	logw := &logFilter{w: stderr, verbose: c.verbose}
	em, err := rie.StartWith(ctx, bootstrap, rie.Options{Env: FunctionEnv(fn, c.endpoint, c.region, c.dataDir), Binary: bin, Log: logw})
	if err != nil {
		return err
	}
	defer em.Stop()
	res, err := em.InvokeResult(ctx, payload)
	if err != nil {
		return err
	}
	_ = em.Stop() // flush the emulator's last lines before the summary
	logw.flush()

	var pretty bytes.Buffer
	if json.Indent(&pretty, res.Payload, "", "  ") != nil {
		pretty.Reset()
		pretty.Write(res.Payload)
	}
	pretty.WriteByte('\n')
	if _, err := stdout.Write(pretty.Bytes()); err != nil {
		return err
	}

	summary := fmt.Sprintf("invoke: %s", c.fn)
	if r := res.Report; r != nil {
		if r.Init > 0 {
			summary += fmt.Sprintf("  INIT REPORT %.2f ms", ms(r.Init))
		}
		summary += fmt.Sprintf("  duration %.2f ms (billed %.0f ms)", ms(r.Duration), ms(r.Billed))
	}
	summary += fmt.Sprintf("  round trip %.2f ms", ms(res.RoundTrip))
	fmt.Fprintln(stderr, summary)

	if msg, typ, failed := res.FunctionError(); failed {
		return &functionError{message: msg, typ: typ}
	}
	if !c.noContract {
		checkContract(payload, res.Payload, stderr)
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// checkContract reports on stderr whether an HTTP answer matches openapi.yaml.
func checkContract(event, answer []byte, stderr io.Writer) {
	var ev events.APIGatewayV2HTTPRequest
	if json.Unmarshal(event, &ev) != nil || ev.RouteKey == "" {
		return
	}
	var resp events.APIGatewayV2HTTPResponse
	if json.Unmarshal(answer, &resp) != nil {
		return
	}
	v, err := contract.Default()
	if err != nil {
		fmt.Fprintln(stderr, "invoke: contract not checked:", err)
		return
	}
	if err := v.CheckEvent(ev, resp); err != nil {
		if errors.Is(err, contract.ErrNoOperation) {
			fmt.Fprintln(stderr, "invoke: contract: no operation in openapi.yaml for", ev.RouteKey)
			return
		}
		fmt.Fprintf(stderr, "invoke: contract VIOLATION: %.600s\n", err)
		return
	}
	fmt.Fprintf(stderr, "invoke: contract: %s → %d matches openapi.yaml\n", ev.RouteKey, resp.StatusCode)
}

// LoadTemplate loads the template as the local runtime does: TABLE_NAME is
// table, parameters without a default (SigningSecret) come from overrides,
// then <dataDir>/parameters.json (kept by the local runtime), then
// $SIGNING_SECRET; failing all that, a random SigningSecret is made up for
// this run only (note says so).
func LoadTemplate(path, dataDir, table string, overrides map[string]string) (tpl *samtemplate.Template, note string, err error) {
	// Mail goes to files locally (FunctionEnv's MAIL_DIR), and the
	// template wants a sender while verification is on.
	opts := samtemplate.Options{TableName: table, Parameters: localapi.WithLocalMail(overrides)}
	probe, err := samtemplate.Load(path, opts)
	if err != nil {
		return nil, "", err
	}
	missing := probe.MissingParameters()
	if len(missing) == 0 {
		return probe, "", nil
	}
	kept := map[string]string{}
	file := filepath.Join(dataDir, "parameters.json")
	if b, err := os.ReadFile(file); err == nil {
		if err := json.Unmarshal(b, &kept); err != nil {
			return nil, "", fmt.Errorf("%s: %w", file, err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, "", err
	}
	var made []string
	for _, name := range missing {
		switch v, ok := kept[name]; {
		case ok:
			opts.Parameters[name] = v
		case name == "SigningSecret" && len(os.Getenv("SIGNING_SECRET")) >= 32:
			opts.Parameters[name] = os.Getenv("SIGNING_SECRET")
		case name == "SigningSecret":
			var b [32]byte
			_, _ = rand.Read(b[:])
			opts.Parameters[name] = hex.EncodeToString(b[:])
			made = append(made, name)
		default:
			return nil, "", fmt.Errorf("template parameter %s has no value: pass -param %s=…", name, name)
		}
	}
	if len(made) > 0 {
		note = fmt.Sprintf("no %s in %s or $SIGNING_SECRET: using a random one for this run (cursors it seals open nowhere else)", strings.Join(made, ", "), file)
	}
	tpl, err = samtemplate.Load(path, opts)
	return tpl, note, err
}

// FunctionFor names the function an event targets: an HTTP API event by its
// routeKey, a DynamoDB stream batch by the template's stream event source.
func FunctionFor(tpl *samtemplate.Template, payload []byte) (string, error) {
	var probe struct {
		RouteKey string `json:"routeKey"`
		Records  []struct {
			EventSource    string `json:"eventSource"`
			EventSourceARN string `json:"eventSourceARN"`
		} `json:"Records"`
	}
	if err := json.Unmarshal(payload, &probe); err != nil {
		return "", fmt.Errorf("event: %w", err)
	}
	if probe.RouteKey != "" {
		for _, r := range tpl.Routes {
			if r.RouteKey() == probe.RouteKey {
				return r.Function, nil
			}
		}
		return "", fmt.Errorf("no route %q in the template", probe.RouteKey)
	}
	if len(probe.Records) > 0 && probe.Records[0].EventSource == "aws:dynamodb" {
		fns := map[string]bool{}
		for _, s := range tpl.Streams {
			fns[s.Function] = true
		}
		if len(fns) == 1 {
			for f := range fns {
				return f, nil
			}
		}
		return "", fmt.Errorf("a DynamoDB stream event, and %d functions read streams: pass -fn", len(fns))
	}
	return "", errors.New("cannot tell which function the event targets (no routeKey, no DynamoDB records): pass -fn")
}

// FunctionEnv is the function's environment for a local run: the template's
// (Globals merged, intrinsics resolved) plus the local endpoint, region and
// dummy credentials, and what the emulator reads for timeout and memory.
func FunctionEnv(fn *samtemplate.Function, endpoint, region, dataDir string) map[string]string {
	out := map[string]string{}
	for k, v := range fn.Environment {
		out[k] = v
	}
	out["MAIL_DIR"] = filepath.Join(dataDir, "mail") // the .eml sink, as make local's
	out[ddblocal.EnvEndpoint] = endpoint
	out["AWS_REGION"] = region
	out["AWS_DEFAULT_REGION"] = region
	out["AWS_ACCESS_KEY_ID"] = "local"
	out["AWS_SECRET_ACCESS_KEY"] = "local"
	out["AWS_LAMBDA_FUNCTION_NAME"] = fn.LogicalID
	if fn.Timeout > 0 {
		out["AWS_LAMBDA_FUNCTION_TIMEOUT"] = strconv.Itoa(fn.Timeout)
	}
	if fn.MemorySize > 0 {
		out["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = strconv.Itoa(fn.MemorySize)
	}
	return out
}

// HasMainPackage reports whether dir holds a Go main package.
func HasMainPackage(dir string) bool {
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		if bytes.HasPrefix(b, []byte("package main")) || bytes.Contains(b, []byte("\npackage main")) {
			return true
		}
	}
	return false
}

func functionIDs(tpl *samtemplate.Template) []string {
	var ids []string
	for id := range tpl.Functions {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// logFilter passes the function's own lines, INIT REPORT and REPORT lines
// through to w, and the emulator's other log lines only when verbose.
type logFilter struct {
	w       io.Writer
	verbose bool
	partial []byte
}

func (l *logFilter) Write(p []byte) (int, error) {
	l.partial = append(l.partial, p...)
	for {
		i := bytes.IndexByte(l.partial, '\n')
		if i < 0 {
			break
		}
		l.line(string(l.partial[:i]))
		l.partial = l.partial[i+1:]
	}
	return len(p), nil
}

func (l *logFilter) line(s string) {
	rapid := strings.Contains(s, "] (rapid) ")
	switch {
	case l.verbose:
	case rapid && strings.Contains(s, "INIT REPORT"):
	case rapid:
		return
	case strings.HasPrefix(s, "START RequestId:"), strings.HasPrefix(s, "END RequestId:"):
		return
	}
	fmt.Fprintln(l.w, s)
}

func (l *logFilter) flush() {
	if len(l.partial) > 0 {
		l.line(string(l.partial))
		l.partial = nil
	}
}
