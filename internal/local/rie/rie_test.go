package rie

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// emulator builds testdata/echo and starts it under the emulator. It skips
// in -short mode unless the emulator is already installed.
func emulator(t *testing.T, env map[string]string) (*Emulator, *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	skipWithoutEmulator(t)
	bin, err := Install(ctx, "", testLog{t})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "bootstrap")
	if err := Build(ctx, "./internal/local/rie/testdata/echo", out, BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	var log syncBuffer
	e, err := StartWith(ctx, out, Options{Env: env, Binary: bin, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := e.Stop(); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	return e, &log
}

// skipWithoutEmulator skips in -short mode unless the emulator is already
// installed (outside -short, emulator installs it).
func skipWithoutEmulator(t *testing.T) {
	t.Helper()
	if testing.Short() && os.Getenv(EnvBinary) == "" {
		dir, err := DefaultBinDir()
		if err != nil || !isExecutable(filepath.Join(dir, BinaryName)) {
			t.Skip("-short: aws-lambda-rie is not installed (make invoke installs it)")
		}
	}
}

// TestEmulator runs the tests that need the Lambda RIE: one top-level test,
// so `go test -short` skips one test here.
func TestEmulator(t *testing.T) {
	skipWithoutEmulator(t)
	t.Run("InvokeEnvErrorsAndReports", testInvokeEnvErrorsAndReports)
	t.Run("ConcurrentInvokesAreSerialised", testConcurrentInvokesAreSerialised)
	t.Run("StopEndsEverything", testStopEndsEverything)
}

func testInvokeEnvErrorsAndReports(t *testing.T) {
	t.Setenv("RIE_TEST_LEAK", "from the parent")
	e, log := emulator(t, map[string]string{"FOO": "bar"})
	ctx := context.Background()

	r, err := e.InvokeResult(ctx, []byte(`{"say":"hello"}`))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]string
	if err := json.Unmarshal(r.Payload, &got); err != nil {
		t.Fatalf("%s: %v", r.Payload, err)
	}
	if got["say"] != "hello" || got["foo"] != "bar" {
		t.Errorf("answer = %v", got)
	}
	if got["leak"] != "" {
		t.Errorf("the parent's environment leaked into the function: %v", got)
	}
	if _, _, failed := r.FunctionError(); failed {
		t.Errorf("a good answer reads as a function error: %s", r.Payload)
	}
	if r.Report == nil || r.Report.Init <= 0 || r.Report.Duration <= 0 {
		t.Errorf("first invocation: report = %+v, want an init and a duration\n%s", r.Report, log)
	}

	r, err = e.InvokeResult(ctx, []byte(`{"fail":true}`))
	if err != nil {
		t.Fatal(err)
	}
	msg, typ, failed := r.FunctionError()
	if !failed || msg != "asked to fail" || typ == "" {
		t.Errorf("function error = %q %q %v from %s", msg, typ, failed, r.Payload)
	}
	if r.Report == nil || r.Report.Init != 0 {
		t.Errorf("second invocation: report = %+v, want no init", r.Report)
	}

	// A malformed event is an answer too, not a transport error.
	out, err := e.Invoke(ctx, []byte(`not json`))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, failed := FunctionError(out); !failed {
		t.Errorf("malformed event: %s", out)
	}
}

// Concurrent callers are serialised: the emulator itself would crash.
func testConcurrentInvokesAreSerialised(t *testing.T) {
	e, log := emulator(t, nil)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for i := range 4 {
		wg.Go(func() {
			out, err := e.Invoke(context.Background(), fmt.Appendf(nil, `{"say":"%d","sleepMs":30}`, i))
			if err != nil {
				errs <- err
				return
			}
			if _, _, failed := FunctionError(out); failed {
				errs <- fmt.Errorf("invocation %d: %s", i, out)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("%v\n%s", err, log)
	}
	select {
	case <-e.Done():
		t.Fatalf("the emulator exited:\n%s", log)
	default:
	}
}

func testStopEndsEverything(t *testing.T) {
	e, _ := emulator(t, nil)
	if _, err := e.Invoke(context.Background(), []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	if err := e.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := e.Stop(); err != nil { // idempotent
		t.Fatal(err)
	}
	if _, err := e.Invoke(context.Background(), []byte(`{}`)); err == nil {
		t.Fatal("Invoke after Stop succeeded")
	}
}

func TestFunctionError(t *testing.T) {
	for payload, want := range map[string]bool{
		`{"errorMessage":"x","errorType":"y"}`: true,
		`{"errorMessage":""}`:                  true,
		`{"statusCode":500,"body":"{}"}`:       false,
		`[1,2]`:                                false,
		`null`:                                 false,
	} {
		if _, _, got := FunctionError([]byte(payload)); got != want {
			t.Errorf("FunctionError(%s) = %v, want %v", payload, got, want)
		}
	}
}

func TestReportParsing(t *testing.T) {
	e := &Emulator{reports: make(chan Report, 4)}
	e.scan(bytes.NewBufferString("27 Nov 2026 16:25:57,775 [INFO] (rapid) INIT REPORT(durationMs: 95.150000)\n"+
		"REPORT RequestId: abc\tInit Duration: 0.92 ms\tDuration: 98.82 ms\tBilled Duration: 99 ms\tMemory Size: 256 MB\n"+
		"REPORT RequestId: def\tDuration: 1.68 ms\tBilled Duration: 2 ms\tMemory Size: 256 MB\n"), nil)
	first, second := <-e.reports, <-e.reports
	if first.RequestID != "abc" || first.Init != 95150*time.Microsecond || first.Duration != 98820*time.Microsecond || first.Billed != 99*time.Millisecond {
		t.Errorf("first = %+v", first)
	}
	if second.RequestID != "def" || second.Init != 0 || second.Duration != 1680*time.Microsecond {
		t.Errorf("second = %+v", second)
	}
}

type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Logf("%s", bytes.TrimRight(p, "\n"))
	return len(p), nil
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
