package apigw

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"broadsheet/internal/broadsheet"
)

// HandlerFunc serves one route.
type HandlerFunc func(ctx context.Context, req Request) (Response, error)

// Router dispatches on API Gateway's routeKey ("GET /articles/{slug}"), the
// same string the template declares, so a route in template.yaml names its
// code exactly.
type Router map[string]HandlerFunc

// Handle is the Lambda entry point. It never returns a Go error: every
// failure becomes a contract error answer, and panics become a generic 500.
func (rt Router) Handle(ctx context.Context, req Request) (resp Response, err error) {
	start := time.Now()
	log := RequestLogger(ctx, req)
	defer func() {
		if p := recover(); p != nil {
			log.Error("panic", "panic", fmt.Sprint(p))
			resp, err = Fail(fmt.Errorf("panic: %v", p)), nil
		}
		log.Info("request", "status", resp.StatusCode, "durationMs", float64(time.Since(start).Microseconds())/1000)
	}()
	h, ok := rt[req.RouteKey]
	if !ok {
		return rt.unrouted(req), nil
	}
	ctx, cancel := withBudget(ctx)
	defer cancel()
	resp, err = h(ctx, req)
	if err != nil {
		return Fail(err), nil
	}
	return resp, nil
}

// AnswerMargin is kept free before the Lambda deadline: storage calls are cut
// off that long before it, so a request that cannot be served is answered
// 503 with Retry-After by the handler instead of being killed by Lambda
// (which API Gateway turns into a bare 500/503 without the contract's body).
const AnswerMargin = time.Second

// withBudget bounds ctx to AnswerMargin before the invocation's deadline.
// The SDK's per-attempt timeout and retries stay inside it.
func withBudget(ctx context.Context) (context.Context, context.CancelFunc) {
	if d, ok := ctx.Deadline(); ok {
		return context.WithDeadline(ctx, d.Add(-AnswerMargin))
	}
	return ctx, func() {}
}

// unrouted answers a request whose route this function does not serve: 405 if
// the path exists with another method, else 404.
func (rt Router) unrouted(req Request) Response {
	_, path, _ := strings.Cut(req.RouteKey, " ")
	var allowed []string
	for key := range rt {
		m, p, _ := strings.Cut(key, " ")
		if p == path {
			allowed = append(allowed, m)
		}
	}
	if len(allowed) > 0 {
		r := Fail(broadsheet.Errorf(broadsheet.CodeMethodNotAllowed, "use one of %s", strings.Join(allowed, ", ")))
		r.Headers["Allow"] = strings.Join(allowed, ", ")
		return r
	}
	return Fail(broadsheet.Errorf(broadsheet.CodeNotFound, "no such route"))
}

// RequestLogger returns a logger that stamps every line with the Lambda and
// API Gateway request ids and the route: never bodies, emails or tokens.
func RequestLogger(ctx context.Context, req Request) *slog.Logger {
	l := slog.Default().With("route", req.RouteKey, "apiRequestId", req.RequestContext.RequestID)
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		l = l.With("lambdaRequestId", lc.AwsRequestID)
	}
	return l
}
