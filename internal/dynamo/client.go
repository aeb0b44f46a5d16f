// Package dynamo is the DynamoDB store: every item type, key and access
// pattern of the single table lives here (see docs/data-model.md). Handlers
// reach it through the domain's store interfaces.
package dynamo

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	smithyendpoints "github.com/aws/smithy-go/endpoints"

	"broadsheet/internal/awsenv"
	"broadsheet/internal/broadsheet"
)

// API is the part of the DynamoDB client the store uses; tests wrap it to count calls.
type API interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	BatchGetItem(context.Context, *dynamodb.BatchGetItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
	BatchWriteItem(context.Context, *dynamodb.BatchWriteItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
	TransactWriteItems(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

var _ API = (*dynamodb.Client)(nil)

// Retry and timeout budget. A function has 10 s (template Timeout); API
// Gateway gives up at 30 s. Each attempt gets 2 s, three attempts with
// jittered backoff capped at 400 ms, so one call that cannot be served fails
// in about 7 s at worst. A handler makes several calls in sequence, so the
// router (apigw.Router.Handle) also cuts every storage call off
// apigw.AnswerMargin (1 s) before the Lambda deadline: the total budget is
// 9 s, and the client always gets the contract's 503 with Retry-After rather
// than a function timeout.
//
// Every attempt of a TransactWriteItems carries the same ClientRequestToken
// (the SDK fills one in before its retry loop), so an attempt whose answer was
// lost, or that timed out while DynamoDB still executed it, is not applied
// twice by the retry (internal/faults TestOneFaultIsRetried checks this).
//
// The SDK's client-side retry quota (a token bucket shared by every call of
// the client) is disabled: one burst of timeouts drained it and then every
// call in the burst failed on its first error ("retry quota exceeded") instead
// of retrying. Retries are already bounded per call (3 attempts) and in time
// (the budget above), so the quota added failures, not protection.
const (
	maxAttempts    = 3
	maxBackoff     = 400 * time.Millisecond
	attemptTimeout = 2 * time.Second
)

// Budget is how patient a client is with DynamoDB.
type Budget struct {
	Attempts       int
	AttemptTimeout time.Duration
	MaxBackoff     time.Duration
}

var (
	// Interactive is for functions behind API Gateway, whose callers wait:
	// fail fast into a 503 with Retry-After (the budget described above).
	Interactive = Budget{Attempts: maxAttempts, AttemptTimeout: attemptTimeout, MaxBackoff: maxBackoff}
	// Background is for stream consumers (60 s timeout, nobody waiting):
	// a slow or throttled table should delay a batch, not fail it, because
	// a batch that fails MaximumRetryAttempts times is discarded.
	Background = Budget{Attempts: 5, AttemptTimeout: 8 * time.Second, MaxBackoff: 2 * time.Second}
)

// NewClient builds the DynamoDB client from the environment: AWS_REGION (or
// AWS_DEFAULT_REGION), the credentials Lambda puts in the environment
// (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN; read by
// internal/awsenv), and DYNAMODB_ENDPOINT to point at DynamoDB Local or
// another compatible engine. It makes no network calls and reads no files.
func NewClient(ctx context.Context, getenv func(string) string) (*dynamodb.Client, error) {
	return NewClientWith(ctx, getenv, Interactive)
}

// NewClientWith is NewClient with a given retry and timeout budget.
func NewClientWith(ctx context.Context, getenv func(string) string, b Budget) (*dynamodb.Client, error) {
	_ = ctx
	endpoint := getenv("DYNAMODB_ENDPOINT")
	cfg, err := awsenv.Config(getenv, endpoint != "")
	if err != nil {
		return nil, err
	}
	cfg.Retryer = func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = b.Attempts
			o.MaxBackoff = b.MaxBackoff
			o.RateLimiter = ratelimit.None
			o.Retryables = append([]retry.IsErrorRetryable{cancellationRetryable}, o.Retryables...)
		})
	}
	cfg.HTTPClient = awshttp.NewBuildableClient().
		WithTimeout(b.AttemptTimeout).
		WithDialerOptions(func(d *net.Dialer) { d.Timeout = time.Second }).
		WithTransportOptions(func(t *http.Transport) {
			t.MaxIdleConnsPerHost = 64
			t.IdleConnTimeout = 90 * time.Second
		})
	return dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
		o.EndpointResolverV2 = &cachedResolver{next: dynamodb.NewDefaultEndpointResolverV2()}
	}), nil
}

// cancellationRetryable classifies a TransactionCanceledException for the
// SDK retryer, which otherwise never retries one: retryable when it was only
// cancelled by other transactions or throttling (nothing was written), never
// when a condition failed, which is the caller's answer (ConditionFailures).
// TransactionConflictException (a plain write that met a transaction) is
// retryable too; TransactionInProgressException already is in the SDK's list.
var cancellationRetryable = retry.IsErrorRetryableFunc(func(err error) aws.Ternary {
	var tce *types.TransactionCanceledException
	if errors.As(err, &tce) {
		return aws.BoolTernary(retryableCancellation(err))
	}
	var tc *types.TransactionConflictException
	if errors.As(err, &tc) {
		return aws.TrueTernary
	}
	return aws.UnknownTernary
})

// cachedResolver remembers the SDK's endpoint rules' answer per parameter
// set. The rules engine runs on every call otherwise (a few µs and a dozen
// allocations each), although a function's region, endpoint and account
// never change.
type cachedResolver struct {
	next dynamodb.EndpointResolverV2
	mu   sync.Mutex
	m    map[string]smithyendpoints.Endpoint
}

func (r *cachedResolver) ResolveEndpoint(ctx context.Context, p dynamodb.EndpointParameters) (smithyendpoints.Endpoint, error) {
	str := func(s *string) string {
		if s == nil {
			return "\x00"
		}
		return *s
	}
	flag := func(b *bool) string {
		if b == nil {
			return "-"
		}
		return strconv.FormatBool(*b)
	}
	k := strings.Join(append([]string{str(p.Region), str(p.Endpoint), str(p.AccountId), str(p.AccountIdEndpointMode),
		str(p.ResourceArn), flag(p.UseDualStack), flag(p.UseFIPS)}, p.ResourceArnList...), "\x01")
	r.mu.Lock()
	e, ok := r.m[k]
	r.mu.Unlock()
	if ok {
		return e, nil
	}
	e, err := r.next.ResolveEndpoint(ctx, p)
	if err != nil {
		return e, err
	}
	r.mu.Lock()
	if r.m == nil {
		r.m = map[string]smithyendpoints.Endpoint{}
	}
	if len(r.m) < 64 {
		r.m[k] = e
	}
	r.mu.Unlock()
	return e, nil
}

// unavailable converts a storage failure into the 503 the contract promises,
// logging the cause (which never contains an email: keys hold only hashes).
func unavailable(ctx context.Context, op string, err error) error {
	var be *broadsheet.Error
	if errors.As(err, &be) {
		return be
	}
	code := "unknown"
	var ae smithy.APIError
	if errors.As(err, &ae) {
		code = ae.ErrorCode()
	}
	slog.WarnContext(ctx, "dynamodb call failed", "op", op, "awsCode", code, "err", err.Error())
	return &broadsheet.Error{
		Code:       broadsheet.CodeUnavailable,
		Message:    "the service is briefly unavailable; please retry",
		RetryAfter: time.Second,
	}
}
