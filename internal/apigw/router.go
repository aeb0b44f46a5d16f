package apigw

import (
	"context"
	"fmt"
	"log/slog"
	"os"
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
	resp, err = h(ctx, req)
	if err != nil {
		return Fail(err), nil
	}
	return resp, nil
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

// SetupLogging makes slog write JSON lines at the level named by LOG_LEVEL,
// which CloudWatch Logs Insights parses without configuration.
func SetupLogging(getenv func(string) string) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(getenv("LOG_LEVEL"))); err != nil {
		level = slog.LevelInfo
	}
	slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: level})))
}
