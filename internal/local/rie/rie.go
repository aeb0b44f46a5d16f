// Package rie runs a Lambda function's bootstrap binary under the AWS Lambda
// Runtime Interface Emulator (aws-lambda-rie), the way Lambda's
// provided.al2023 runtime runs it, and invokes it with JSON events.
//
// The emulator crashes on two concurrent invocations (nil pointer after
// AlreadyReserved), so an Emulator serialises Invoke calls. It initialises
// the function lazily, on the first invocation, and reports that as
// INIT REPORT(durationMs: X) at --log-level info; START/END/REPORT lines go to
// its stdout. A function error comes back as HTTP 200 with {"errorMessage": …}.
//
// It is local-only tooling (used by cmd/invoke, tests and benchmarks): no
// Lambda function may import it.
package rie

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"broadsheet/internal/local"
)

// Module and Version pin the emulator; Version is the only one the proxy serves.
const (
	Module  = "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie"
	Version = "v0.0.0-20261030222936-bef5c4ba774d"
	// BinaryName is the installed command's name.
	BinaryName = "aws-lambda-rie"
	// InvokePath is the emulator's invocation endpoint.
	InvokePath = "/2015-03-31/functions/function/invocations"
)

// EnvBinary names an environment variable that may point at an installed
// aws-lambda-rie, used instead of installing one.
const EnvBinary = "AWS_LAMBDA_RIE"

// DefaultBinDir is <module root>/.local/bin (ignored by git).
func DefaultBinDir() (string, error) {
	root, err := local.ModuleRoot()
	if err != nil {
		return "", err
	}
	return filepath.Join(root, ".local", "bin"), nil
}

// Install returns the path of aws-lambda-rie: $AWS_LAMBDA_RIE if set, else
// <binDir>/aws-lambda-rie, installing it there with `go install` if it is
// missing (about 70 s the first time). binDir "" means DefaultBinDir().
// Concurrent callers in several processes are serialised with a file lock.
func Install(ctx context.Context, binDir string, log io.Writer) (string, error) {
	if p := os.Getenv(EnvBinary); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("rie: $%s: %w", EnvBinary, err)
		}
		return p, nil
	}
	if binDir == "" {
		d, err := DefaultBinDir()
		if err != nil {
			return "", err
		}
		binDir = d
	}
	binDir, err := filepath.Abs(binDir)
	if err != nil {
		return "", err
	}
	bin := filepath.Join(binDir, BinaryName)
	if isExecutable(bin) {
		return bin, nil
	}
	if err := os.MkdirAll(binDir, 0o755); err != nil {
		return "", err
	}
	unlock, err := local.Lock(filepath.Join(binDir, ".aws-lambda-rie.lock"))
	if err != nil {
		return "", err
	}
	defer unlock()
	if isExecutable(bin) { // installed by another process while we waited
		return bin, nil
	}
	if log == nil {
		log = io.Discard
	}
	fmt.Fprintf(log, "rie: installing %s@%s into %s (about a minute the first time)\n", Module, Version, binDir)
	goTool, err := goCommand()
	if err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, goTool, "install", Module+"@"+Version)
	// Outside any module, so the repository's go.mod is neither read nor changed.
	cmd.Dir = binDir
	cmd.Env = append(os.Environ(), "GOBIN="+binDir, "GOWORK=off")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.MultiWriter(&out, log), io.MultiWriter(&out, log)
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("rie: go install %s@%s: %w\n%s", Module, Version, err, tail(out.String(), 2000))
	}
	if !isExecutable(bin) {
		return "", fmt.Errorf("rie: go install succeeded but %s is missing", bin)
	}
	return bin, nil
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// goCommand is $GO if set (as the Makefile passes it), else go on PATH.
func goCommand() (string, error) {
	if g := os.Getenv("GO"); g != "" {
		return exec.LookPath(g)
	}
	return exec.LookPath("go")
}

// BuildOptions configure Build.
type BuildOptions struct {
	// Dir is the module root the package path is relative to. Default: local.ModuleRoot().
	Dir string
	// GOARCH defaults to the host's (runtime.GOARCH): the emulator runs the
	// binary on this machine. Lambda itself runs the template's arm64 build.
	GOARCH string
	// Log receives the go command's output; nil discards it.
	Log io.Writer
}

// BuildFlags are the flags every function is built with, exactly as the
// Makefile builds it for Lambda: static, stripped, without the RPC shim.
var BuildFlags = []string{"-tags", "lambda.norpc", "-trimpath", "-ldflags", "-s -w", "-buildvcs=false"}

// Build compiles the main package pkg (e.g. "./functions/articles") into out
// (a file named bootstrap, by Lambda's convention) with GOOS=linux
// CGO_ENABLED=0 and BuildFlags, for the host's architecture unless
// opts.GOARCH says otherwise.
func Build(ctx context.Context, pkg, out string, opts BuildOptions) error {
	if opts.Dir == "" {
		root, err := local.ModuleRoot()
		if err != nil {
			return err
		}
		opts.Dir = root
	}
	if opts.GOARCH == "" {
		opts.GOARCH = runtime.GOARCH
	}
	goTool, err := goCommand()
	if err != nil {
		return err
	}
	out, err = filepath.Abs(out)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	args := append([]string{"build"}, BuildFlags...)
	args = append(args, "-o", out, pkg)
	cmd := exec.CommandContext(ctx, goTool, args...)
	cmd.Dir = opts.Dir
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+opts.GOARCH, "CGO_ENABLED=0")
	var buf bytes.Buffer
	w := io.Writer(&buf)
	if opts.Log != nil {
		w = io.MultiWriter(&buf, opts.Log)
	}
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("rie: build %s: %w\n%s", pkg, err, tail(buf.String(), 4000))
	}
	return nil
}

// Options configure StartWith.
type Options struct {
	// Env is the function's environment (merged with nothing but PATH, HOME
	// and TMPDIR of this process, and what the emulator sets itself).
	Env map[string]string
	// Binary is the emulator; default Install(ctx, "", Log).
	Binary string
	// Log receives the emulator's and the function's output (RIE log lines,
	// START/END/REPORT, the function's own log lines); nil discards it.
	Log io.Writer
	// LogLevel is the emulator's --log-level; default "info", which is what
	// reports INIT REPORT.
	LogLevel string
	// StartTimeout bounds the wait until the emulator listens; default 10 s.
	StartTimeout time.Duration
}

// Emulator is a running aws-lambda-rie with one function.
type Emulator struct {
	cmd      *exec.Cmd
	addr     string
	client   *http.Client
	done     chan struct{}
	waitErr  error
	invokeMu sync.Mutex // the emulator crashes on concurrent invocations

	mu      sync.Mutex
	reports chan Report
	init    *time.Duration
	lines   []string // the last output lines, for error messages

	stopOnce sync.Once
}

// Report is what the emulator logged about one invocation.
type Report struct {
	RequestID string
	Duration  time.Duration // REPORT … Duration
	Billed    time.Duration
	// Init is INIT REPORT(durationMs) when this invocation initialised the
	// function (the first one), else 0.
	Init time.Duration
}

// Result is one invocation's answer.
type Result struct {
	Payload   []byte
	RoundTrip time.Duration // HTTP round trip to the emulator
	Report    *Report       // nil if the emulator printed no REPORT in time
}

// FunctionError returns errorMessage (and errorType) when the payload is a
// Lambda function error, e.g. {"errorMessage":"boom","errorType":"errorString"}.
func (r Result) FunctionError() (message, typ string, failed bool) { return FunctionError(r.Payload) }

// FunctionError reports whether payload is a Lambda function error.
func FunctionError(payload []byte) (message, typ string, failed bool) {
	var e struct {
		ErrorMessage *string `json:"errorMessage"`
		ErrorType    string  `json:"errorType"`
	}
	if json.Unmarshal(payload, &e) != nil || e.ErrorMessage == nil {
		return "", "", false
	}
	return *e.ErrorMessage, e.ErrorType, true
}

// Start runs bootstrapPath under the emulator with env as the function's
// environment, on a free port of 127.0.0.1, and waits until it listens.
func Start(ctx context.Context, bootstrapPath string, env map[string]string) (*Emulator, error) {
	return StartWith(ctx, bootstrapPath, Options{Env: env})
}

// StartWith is Start with options.
func StartWith(ctx context.Context, bootstrapPath string, opts Options) (*Emulator, error) {
	bootstrap, err := filepath.Abs(bootstrapPath)
	if err != nil {
		return nil, err
	}
	if !isExecutable(bootstrap) {
		return nil, fmt.Errorf("rie: %s is not an executable file", bootstrap)
	}
	if opts.Binary == "" {
		if opts.Binary, err = Install(ctx, "", opts.Log); err != nil {
			return nil, err
		}
	}
	if opts.LogLevel == "" {
		opts.LogLevel = "info"
	}
	if opts.StartTimeout == 0 {
		opts.StartTimeout = 10 * time.Second
	}
	var lastErr error
	// A port found free may be taken before the emulator binds it: retry.
	for attempt := 0; attempt < 3; attempt++ {
		port, err := local.FreePort()
		if err != nil {
			return nil, err
		}
		e, err := start(ctx, bootstrap, port, opts)
		if err == nil {
			return e, nil
		}
		lastErr = err
		if ctx.Err() != nil {
			break
		}
	}
	return nil, lastErr
}

func start(ctx context.Context, bootstrap string, port int, opts Options) (*Emulator, error) {
	addr := "127.0.0.1:" + strconv.Itoa(port)
	cmd := exec.Command(opts.Binary, "--log-level", opts.LogLevel, "--runtime-interface-emulator-address", addr, "./"+filepath.Base(bootstrap))
	cmd.Dir = filepath.Dir(bootstrap)
	cmd.Env = functionEnv(opts.Env)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // Stop kills the bootstrap with it
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	e := &Emulator{
		cmd: cmd, addr: addr, done: make(chan struct{}), reports: make(chan Report, 16),
		client: &http.Client{Transport: &http.Transport{DisableKeepAlives: true}},
	}
	if err := cmd.Start(); err != nil {
		_ = pw.Close()
		return nil, fmt.Errorf("rie: start %s: %w", opts.Binary, err)
	}
	scanned := make(chan struct{})
	go func() {
		defer close(scanned)
		e.scan(pr, opts.Log)
	}()
	go func() {
		e.waitErr = cmd.Wait()
		_ = pw.Close()
		<-scanned
		close(e.done)
	}()
	deadline := time.Now().Add(opts.StartTimeout)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			_ = c.Close()
			return e, nil
		}
		select {
		case <-e.done:
			return nil, fmt.Errorf("rie: the emulator exited before listening (%v):\n%s", e.waitErr, e.lastLines())
		case <-ctx.Done():
			e.Stop()
			return nil, ctx.Err()
		case <-time.After(25 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			e.Stop()
			return nil, fmt.Errorf("rie: the emulator did not listen on %s within %s:\n%s", addr, opts.StartTimeout, e.lastLines())
		}
	}
}

// functionEnv is the function's environment: env plus the few host
// variables a process needs; nothing else of this process leaks in.
func functionEnv(env map[string]string) []string {
	out := []string{}
	for _, k := range []string{"PATH", "HOME", "TMPDIR"} {
		if v, ok := os.LookupEnv(k); ok {
			if _, set := env[k]; !set {
				out = append(out, k+"="+v)
			}
		}
	}
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		out = append(out, k+"="+env[k])
	}
	return out
}

var (
	initReportRE = regexp.MustCompile(`INIT REPORT\(durationMs: ([0-9.]+)\)`)
	reportRE     = regexp.MustCompile(`^REPORT RequestId: (\S+)\s+(?:Init Duration: [0-9.]+ ms\s+)?Duration: ([0-9.]+) ms\s+Billed Duration: ([0-9.]+) ms`)
)

func ms(s string) time.Duration {
	f, _ := strconv.ParseFloat(s, 64)
	return time.Duration(f * float64(time.Millisecond))
}

func (e *Emulator) scan(r io.Reader, log io.Writer) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		line := sc.Text()
		if log != nil {
			fmt.Fprintln(log, line)
		}
		e.mu.Lock()
		e.lines = append(e.lines, line)
		if len(e.lines) > 40 {
			e.lines = e.lines[len(e.lines)-40:]
		}
		if m := initReportRE.FindStringSubmatch(line); m != nil {
			d := ms(m[1])
			e.init = &d
		}
		if m := reportRE.FindStringSubmatch(line); m != nil {
			rep := Report{RequestID: m[1], Duration: ms(m[2]), Billed: ms(m[3])}
			if e.init != nil {
				rep.Init, e.init = *e.init, nil
			}
			select {
			case e.reports <- rep:
			default: // nobody is waiting for reports: drop the oldest
				select {
				case <-e.reports:
				default:
				}
				e.reports <- rep
			}
		}
		e.mu.Unlock()
	}
	_, _ = io.Copy(io.Discard, r)
}

func (e *Emulator) lastLines() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return strings.Join(e.lines, "\n")
}

// Endpoint returns the emulator's base URL, e.g. http://127.0.0.1:41234.
func (e *Emulator) Endpoint() string { return "http://" + e.addr }

// Invoke sends one event and returns the function's answer (which may be a
// function error: see FunctionError). Calls are serialised.
func (e *Emulator) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	r, err := e.InvokeResult(ctx, payload)
	if err != nil {
		return nil, err
	}
	return r.Payload, nil
}

// reportWait bounds the wait for the REPORT line after the answer.
const reportWait = 500 * time.Millisecond

// InvokeResult is Invoke with the round trip and the emulator's REPORT.
func (e *Emulator) InvokeResult(ctx context.Context, payload []byte) (*Result, error) {
	e.invokeMu.Lock()
	defer e.invokeMu.Unlock()
	select {
	case <-e.done:
		return nil, fmt.Errorf("rie: the emulator has exited (%v):\n%s", e.waitErr, e.lastLines())
	default:
	}
	// Reports of earlier invocations that nobody collected are stale now.
	for drained := false; !drained; {
		select {
		case <-e.reports:
		default:
			drained = true
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.Endpoint()+InvokePath, bytes.NewReader(payload))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	start := time.Now()
	resp, err := e.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("rie: invoke: %w\n%s", err, e.lastLines())
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	rt := time.Since(start)
	if err != nil {
		return nil, fmt.Errorf("rie: read answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("rie: invoke answered %s: %s", resp.Status, tail(string(body), 2000))
	}
	res := &Result{Payload: body, RoundTrip: rt}
	select {
	case rep := <-e.reports:
		res.Report = &rep
	case <-time.After(reportWait):
	case <-ctx.Done():
	}
	return res, nil
}

// Stop ends the emulator and the function (the whole process group) and
// waits for them. It is safe to call more than once.
func (e *Emulator) Stop() error {
	e.stopOnce.Do(func() {
		if e.cmd.Process == nil {
			return
		}
		pgid := e.cmd.Process.Pid
		_ = syscall.Kill(-pgid, syscall.SIGTERM)
		select {
		case <-e.done:
		case <-time.After(3 * time.Second):
			_ = syscall.Kill(-pgid, syscall.SIGKILL)
			<-e.done
		}
		// The bootstrap may outlive its parent for a moment: make sure.
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
	})
	<-e.done
	var exit *exec.ExitError
	if e.waitErr != nil && !errors.As(e.waitErr, &exit) {
		return e.waitErr
	}
	return nil
}

// Done is closed when the emulator has exited.
func (e *Emulator) Done() <-chan struct{} { return e.done }

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
