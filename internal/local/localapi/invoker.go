// Package localapi serves the template's HttpApi routes locally the way API
// Gateway (HTTP API, payload format 2.0) does, and invokes the functions
// through an Invoker. Start boots the whole local stack (DynamoDB Local, the
// table, the stream pollers and the HTTP server) for `make local` and for
// end-to-end tests.
//
// It is local-only tooling: no Lambda function may import it.
package localapi

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime/debug"
	"sort"
	"strconv"
	"sync"
	"time"

	"broadsheet/internal/local/samtemplate"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

// Invoker runs one function with a JSON event and returns its JSON response, as Lambda's Invoke API does.
type Invoker interface {
	Invoke(ctx context.Context, function string, payload []byte) ([]byte, error)
}

// Factory builds a function's handler from its environment, once per
// (emulated) execution environment. The handler must be a function accepted
// by aws-lambda-go's lambda.NewHandler, e.g.
// func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error).
type Factory func(ctx context.Context, getenv func(string) string) (any, error)

// MaxInvokePayload is Lambda's request payload limit for synchronous invocations.
const MaxInvokePayload = 6 << 20

// ErrTypePayloadTooLarge is the FunctionError.Type for a request over MaxInvokePayload.
const ErrTypePayloadTooLarge = "RequestEntityTooLargeException"

// FunctionError is a failed invocation: the function returned an error,
// panicked, timed out, or could not be initialised. Lambda reports these as
// {"errorMessage": ..., "errorType": ...}.
type FunctionError struct {
	Function string
	Type     string // e.g. "Runtime.Panic", "Sandbox.Timedout", "Runtime.InitError", "errorString"
	Message  string
}

func (e *FunctionError) Error() string {
	return fmt.Sprintf("function %s: %s: %s", e.Function, e.Type, e.Message)
}

// InProcessConfig configures NewInProcess.
type InProcessConfig struct {
	Template *samtemplate.Template
	// Factories keyed by CodeUri, e.g. "functions/articles".
	Factories map[string]Factory
	// Env is added to every function's environment after the template's
	// variables and Lambda's reserved ones (e.g. DYNAMODB_ENDPOINT).
	Env map[string]string
}

// InProcess runs functions in this process: each function's handler is built
// once, lazily, by its Factory with the function's own environment, and every
// invocation goes through lambda.NewHandler(h).Invoke so (de)serialisation is
// aws-lambda-go's own. Handlers may be invoked concurrently.
type InProcess struct {
	cfg InProcessConfig
	mu  sync.Mutex
	fns map[string]*inProcessFn
}

type inProcessFn struct {
	mu      sync.Mutex
	handler any              // what the factory returned, once it succeeded
	idle    []lambda.Handler // wrappers of handler not in use
}

// acquire returns a lambda.Handler over the function's handler that no other
// invocation is using. aws-lambda-go's Invoke returns the bytes of a pooled
// buffer that the wrapper's next invocation reuses, so concurrent
// invocations must not share a wrapper (in Lambda each execution
// environment serves one request at a time); release puts it back once its
// answer is copied.
func (fn *inProcessFn) acquire() lambda.Handler {
	fn.mu.Lock()
	defer fn.mu.Unlock()
	if n := len(fn.idle); n > 0 {
		h := fn.idle[n-1]
		fn.idle = fn.idle[:n-1]
		return h
	}
	if lh, ok := fn.handler.(lambda.Handler); ok {
		return lh
	}
	return lambda.NewHandler(fn.handler)
}

func (fn *inProcessFn) release(h lambda.Handler) {
	if _, ok := fn.handler.(lambda.Handler); ok {
		return // the factory's own Handler: nothing to pool
	}
	fn.mu.Lock()
	fn.idle = append(fn.idle, h)
	fn.mu.Unlock()
}

// NewInProcess returns an in-process Invoker.
func NewInProcess(cfg InProcessConfig) *InProcess {
	return &InProcess{cfg: cfg, fns: map[string]*inProcessFn{}}
}

// Environment returns the environment a function sees (nil for an unknown function).
func (p *InProcess) Environment(function string) map[string]string {
	f := p.cfg.Template.Functions[function]
	if f == nil {
		return nil
	}
	t := p.cfg.Template
	env := map[string]string{}
	for k, v := range f.Environment {
		env[k] = v
	}
	// Lambda's reserved variables win over the template's.
	for k, v := range map[string]string{
		"AWS_REGION":                      t.Region,
		"AWS_DEFAULT_REGION":              t.Region,
		"AWS_LAMBDA_FUNCTION_NAME":        f.LogicalID,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": strconv.Itoa(f.MemorySize),
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/" + f.LogicalID,
		"AWS_LAMBDA_LOG_STREAM_NAME":      "local",
		"AWS_LAMBDA_INITIALIZATION_TYPE":  "on-demand",
		"_HANDLER":                        f.Handler,
		"LAMBDA_TASK_ROOT":                "/var/task",
		"LAMBDA_RUNTIME_DIR":              "/var/runtime",
		"TZ":                              ":UTC",
	} {
		env[k] = v
	}
	for k, v := range p.cfg.Env {
		env[k] = v
	}
	return env
}

// Invoke implements Invoker. function is the LogicalID.
func (p *InProcess) Invoke(ctx context.Context, function string, payload []byte) ([]byte, error) {
	f := p.cfg.Template.Functions[function]
	if f == nil {
		return nil, &FunctionError{Function: function, Type: "ResourceNotFoundException", Message: "no such function in the template"}
	}
	if len(payload) > MaxInvokePayload {
		return nil, &FunctionError{Function: function, Type: ErrTypePayloadTooLarge,
			Message: fmt.Sprintf("%d byte payload is over the %d byte limit for synchronous invocations", len(payload), MaxInvokePayload)}
	}
	p.mu.Lock()
	fn := p.fns[function]
	if fn == nil {
		fn = &inProcessFn{}
		p.fns[function] = fn
	}
	p.mu.Unlock()

	timeout := time.Duration(f.Timeout) * time.Second
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	requestID := newUUID()
	ctx = lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{
		AwsRequestID:       requestID,
		InvokedFunctionArn: fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", p.cfg.Template.Region, p.cfg.Template.AccountID, f.LogicalID),
	})

	if err := p.init(ctx, fn, f); err != nil {
		return nil, err
	}
	h := fn.acquire()

	type result struct {
		out []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- result{err: &FunctionError{Function: function, Type: "Runtime.Panic", Message: fmt.Sprintf("%v\n%s", r, debug.Stack())}}
			}
		}()
		out, err := h.Invoke(ctx, payload)
		out = bytes.Clone(out) // before the wrapper's buffer can be reused
		fn.release(h)
		if err != nil {
			var fe *FunctionError
			if !errors.As(err, &fe) {
				err = &FunctionError{Function: function, Type: fmt.Sprintf("%T", err), Message: err.Error()}
			}
		}
		done <- result{out, err}
	}()
	select {
	case r := <-done:
		return r.out, r.err
	case <-ctx.Done():
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, &FunctionError{Function: function, Type: "Sandbox.Timedout", Message: fmt.Sprintf("Task timed out after %d.00 seconds", f.Timeout)}
		}
		return nil, ctx.Err()
	}
}

// init runs the function's factory once, like a Lambda init phase.
func (p *InProcess) init(ctx context.Context, fn *inProcessFn, f *samtemplate.Function) error {
	fn.mu.Lock()
	defer fn.mu.Unlock()
	if fn.handler != nil {
		return nil
	}
	factory := p.cfg.Factories[f.CodeUri]
	if factory == nil {
		known := make([]string, 0, len(p.cfg.Factories))
		for k := range p.cfg.Factories {
			known = append(known, k)
		}
		sort.Strings(known)
		return &FunctionError{Function: f.LogicalID, Type: "Runtime.InvalidEntrypoint",
			Message: fmt.Sprintf("no local factory registered for CodeUri %q (registered: %v); add it to cmd/local/functions.go", f.CodeUri, known)}
	}
	env := p.Environment(f.LogicalID)
	getenv := func(k string) string { return env[k] }
	// Like a Lambda init phase: failures are reported and retried on the next invoke.
	var h any
	err := func() (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("panic: %v\n%s", r, debug.Stack())
			}
		}()
		h, err = factory(context.WithoutCancel(ctx), getenv)
		return err
	}()
	if err != nil {
		return &FunctionError{Function: f.LogicalID, Type: "Runtime.InitError", Message: err.Error()}
	}
	if h == nil {
		return &FunctionError{Function: f.LogicalID, Type: "Runtime.InitError", Message: "factory returned a nil handler"}
	}
	fn.handler = h
	return nil
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
