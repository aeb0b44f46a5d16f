package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"broadsheet/internal/local/ddblocal"
	"broadsheet/internal/local/rie"
	"broadsheet/internal/local/samtemplate"
	"broadsheet/internal/testkit/contract"
	"broadsheet/internal/testkit/dynamotest"
)

func TestMain(m *testing.M) { os.Exit(dynamotest.RunTests(m)) }

const (
	templatePath = "../../template.yaml"
	testSecret   = "0123456789abcdef0123456789abcdef-invoke"
)

func loadTemplate(t *testing.T, table string) *samtemplate.Template {
	t.Helper()
	tpl, note, err := LoadTemplate(templatePath, t.TempDir(), table, map[string]string{"SigningSecret": testSecret})
	if err != nil {
		t.Fatal(err)
	}
	if note != "" {
		t.Fatalf("unexpected note with an explicit secret: %s", note)
	}
	return tpl
}

func TestFunctionForAndEnv(t *testing.T) {
	tpl := loadTemplate(t, "broadsheet")
	for payload, want := range map[string]string{
		`{"routeKey":"GET /articles/{slug}"}`:                               "ArticlesFunction",
		`{"routeKey":"POST /articles/{slug}/comments"}`:                     "CommentsFunction",
		`{"routeKey":"GET /search/suggest"}`:                                "SearchFunction",
		`{"routeKey":"PATCH /admin/comments/{id}"}`:                         "EditorFunction",
		`{"Records":[{"eventSource":"aws:dynamodb","eventName":"INSERT"}]}`: "IndexerFunction",
	} {
		got, err := FunctionFor(tpl, []byte(payload))
		if err != nil || got != want {
			t.Errorf("FunctionFor(%s) = %q, %v; want %s", payload, got, err, want)
		}
	}
	for _, payload := range []string{`{"routeKey":"GET /nope"}`, `{}`, `[`} {
		if got, err := FunctionFor(tpl, []byte(payload)); err == nil {
			t.Errorf("FunctionFor(%s) = %q, want an error", payload, got)
		}
	}

	env := FunctionEnv(tpl.Functions["CommentsFunction"], "http://127.0.0.1:1", "eu-west-1", t.TempDir())
	for k, want := range map[string]string{
		"TABLE_NAME": "broadsheet", "LOG_LEVEL": "INFO", "SIGNING_SECRET": testSecret,
		"COMMENT_MODERATION": "first-time", "COMMENT_FLOOD_SECONDS": "15",
		"DYNAMODB_ENDPOINT": "http://127.0.0.1:1", "AWS_REGION": "eu-west-1",
		"AWS_LAMBDA_FUNCTION_TIMEOUT": "10", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
	} {
		if env[k] != want {
			t.Errorf("env[%s] = %q, want %q", k, env[k], want)
		}
	}
	if env["AWS_ACCESS_KEY_ID"] == "" || env["AWS_SECRET_ACCESS_KEY"] == "" {
		t.Error("no dummy credentials")
	}
}

// The local runtime's secret (DATA_DIR/parameters.json) is the one used.
func TestSecretFromDataDir(t *testing.T) {
	dir := t.TempDir()
	secret := strings.Repeat("k", 64)
	if err := os.WriteFile(filepath.Join(dir, "parameters.json"), []byte(`{"SigningSecret":"`+secret+`"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	tpl, note, err := LoadTemplate(templatePath, dir, "broadsheet", nil)
	if err != nil || note != "" {
		t.Fatalf("%v %q", err, note)
	}
	if got := tpl.Functions["EditorFunction"].Environment["SIGNING_SECRET"]; got != secret {
		t.Errorf("SIGNING_SECRET = %q", got)
	}
	t.Setenv("SIGNING_SECRET", "")
	if _, note, err := LoadTemplate(templatePath, t.TempDir(), "broadsheet", nil); err != nil || note == "" {
		t.Errorf("without a kept secret: note %q, err %v; want a note about a random secret", note, err)
	}
}

// eventOrder runs creations first and deletions last, so reads and writes
// in between find what the create event made.
func eventOrder(name string) int {
	switch {
	case strings.Contains(name, "create"):
		return 0
	case strings.Contains(name, "delete"):
		return 2
	}
	return 1
}

// functionOrder runs the editor (which creates an article) before the
// functions that read it.
func functionOrder(fn string) int {
	switch fn {
	case "EditorFunction":
		return 0
	case "IndexerFunction":
		return 2
	}
	return 1
}

// TestEveryEvent runs every file in events/ through the deployed-style
// build of the function it targets, under the Lambda Runtime Interface
// Emulator, against DynamoDB Local: one build and one emulator per
// function, invocations one at a time.
func TestEveryEvent(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds every function and needs DynamoDB Local and the emulator")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()

	files, err := filepath.Glob("../../events/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no events: %v", err)
	}
	table := ddblocal.UniqueName("invoke")
	tpl := loadTemplate(t, table)
	byFn := map[string][]string{}
	for _, f := range files {
		payload, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		fn, err := FunctionFor(tpl, payload)
		if err != nil && strings.HasPrefix(filepath.Base(f), "indexer") {
			fn, err = "IndexerFunction", nil
		}
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(f), err)
			continue
		}
		byFn[fn] = append(byFn[fn], f)
	}
	fns := make([]string, 0, len(byFn))
	for fn := range byFn {
		fns = append(fns, fn)
	}
	sort.Slice(fns, func(i, j int) bool {
		if oi, oj := functionOrder(fns[i]), functionOrder(fns[j]); oi != oj {
			return oi < oj
		}
		return fns[i] < fns[j]
	})

	endpoint := dynamotest.Endpoint(t)
	if _, err := tpl.CreateTable(ctx, ddblocal.NewClient(endpoint), table); err != nil {
		t.Fatal(err)
	}
	bin, err := rie.Install(ctx, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	validator, err := contract.Default()
	if err != nil {
		t.Fatal(err)
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	buildDir := t.TempDir()

	for _, fnID := range fns {
		evs := byFn[fnID]
		sort.Slice(evs, func(i, j int) bool {
			a, b := filepath.Base(evs[i]), filepath.Base(evs[j])
			if oa, ob := eventOrder(a), eventOrder(b); oa != ob {
				return oa < ob
			}
			return a < b
		})
		t.Run(fnID, func(t *testing.T) {
			fn := tpl.Functions[fnID]
			if fn == nil {
				t.Fatalf("no function %s in the template", fnID)
			}
			if !HasMainPackage(filepath.Join(root, fn.CodeUri)) {
				t.Skipf("%s: %s has no main package yet, so %d event(s) cannot run: %v", fnID, fn.CodeUri, len(evs), baseNames(evs))
			}
			bootstrap := filepath.Join(buildDir, fnID, "bootstrap")
			start := time.Now()
			if err := rie.Build(ctx, "./"+fn.CodeUri, bootstrap, rie.BuildOptions{Dir: root}); err != nil {
				t.Fatal(err)
			}
			t.Logf("built %s in %s", fnID, time.Since(start).Round(time.Millisecond))
			var log bytes.Buffer
			em, err := rie.StartWith(ctx, bootstrap, rie.Options{Env: FunctionEnv(fn, endpoint, ddblocal.LocalRegion, t.TempDir()), Binary: bin, Log: &log})
			if err != nil {
				t.Fatal(err)
			}
			defer em.Stop()
			for _, f := range evs {
				name := filepath.Base(f)
				ok := t.Run(name, func(t *testing.T) { runEvent(t, ctx, em, validator, f) })
				if !ok {
					select {
					case <-em.Done():
						t.Fatalf("the emulator exited; its output:\n%s", log.String())
					default:
					}
				}
			}
		})
	}
}

func runEvent(t *testing.T, ctx context.Context, em *rie.Emulator, v *contract.Validator, file string) {
	payload, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	res, err := em.InvokeResult(ctx, payload)
	if err != nil {
		t.Fatal(err)
	}
	if msg, typ, failed := res.FunctionError(); failed {
		t.Fatalf("function error %s: %s", typ, msg)
	}
	var ev events.APIGatewayV2HTTPRequest
	if json.Unmarshal(payload, &ev) != nil || ev.RouteKey == "" {
		t.Logf("answer: %.300s", res.Payload)
		return // not an HTTP event: no errorMessage is all there is to check
	}
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(res.Payload, &resp); err != nil {
		t.Fatalf("answer is not an API Gateway response: %v: %.500s", err, res.Payload)
	}
	t.Logf("%s → %d %.200s", ev.RouteKey, resp.StatusCode, resp.Body)
	if resp.StatusCode == 0 || resp.StatusCode >= 500 {
		t.Errorf("status %d: %.500s", resp.StatusCode, resp.Body)
	}
	if err := v.CheckEvent(ev, resp); err != nil {
		if errors.Is(err, contract.ErrNoOperation) {
			t.Logf("not in the contract, not validated: %v", err)
			return
		}
		t.Errorf("contract: %v\nbody: %.1000s", err, resp.Body)
	}
}

func baseNames(files []string) []string {
	out := make([]string, len(files))
	for i, f := range files {
		out[i] = filepath.Base(f)
	}
	return out
}
