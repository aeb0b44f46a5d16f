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
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go"

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
// jittered backoff capped at 400 ms, so a request that cannot be served fails
// with 503 in about 7 s at worst, inside the Lambda timeout.
const (
	maxAttempts    = 3
	maxBackoff     = 400 * time.Millisecond
	attemptTimeout = 2 * time.Second
)

// NewClient builds the DynamoDB client from the environment: the usual AWS
// variables, and DYNAMODB_ENDPOINT to point at DynamoDB Local or another
// compatible engine. It makes no network calls.
func NewClient(ctx context.Context, getenv func(string) string) (*dynamodb.Client, error) {
	opts := []func(*config.LoadOptions) error{
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = maxAttempts
				o.MaxBackoff = maxBackoff
			})
		}),
		// The SDK's buildable client keeps working when AWS_CA_BUNDLE is set.
		config.WithHTTPClient(awshttp.NewBuildableClient().
			WithTimeout(attemptTimeout).
			WithDialerOptions(func(d *net.Dialer) { d.Timeout = time.Second }).
			WithTransportOptions(func(t *http.Transport) {
				t.MaxIdleConnsPerHost = 64
				t.IdleConnTimeout = 90 * time.Second
			})),
	}
	if r := getenv("AWS_REGION"); r != "" {
		opts = append(opts, config.WithRegion(r))
	}
	endpoint := getenv("DYNAMODB_ENDPOINT")
	if endpoint != "" {
		if getenv("AWS_REGION") == "" {
			opts = append(opts, config.WithRegion("us-east-1"))
		}
		if getenv("AWS_ACCESS_KEY_ID") == "" {
			// DynamoDB Local accepts any credentials but the SDK insists on some.
			opts = append(opts, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("local", "local", "")))
		}
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, err
	}
	return dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
	}), nil
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
