package dynamo

import (
	"context"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// The client's retryer is the one retry policy: these are the answers it
// sees, wrapped as the SDK wraps them, and whether it tries again.
func TestRetryerClassifiesTransactionCancellations(t *testing.T) {
	cancelled := func(codes ...string) error {
		reasons := make([]types.CancellationReason, len(codes))
		for i, c := range codes {
			reasons[i] = types.CancellationReason{Code: aws.String(c)}
		}
		return &types.TransactionCanceledException{CancellationReasons: reasons}
	}
	cases := []struct {
		name      string
		err       error
		retryable bool
	}{
		{"conflict with another transaction", cancelled("None", "TransactionConflict"), true},
		{"throttled", cancelled("ThrottlingError", "None"), true},
		{"throughput exceeded", cancelled("ProvisionedThroughputExceeded"), true},
		{"no reason codes", cancelled(), true},
		{"condition failed", cancelled("ConditionalCheckFailed"), false},
		{"condition failed beside a conflict", cancelled("TransactionConflict", "ConditionalCheckFailed"), false},
		{"validation error", cancelled("None", "ValidationError"), false},
		{"item too large", cancelled("ItemCollectionSizeLimitExceeded"), false},
		{"plain write met a transaction", &types.TransactionConflictException{}, true},
		{"transaction in progress", &types.TransactionInProgressException{}, true},
		{"conditional check on a plain write", &types.ConditionalCheckFailedException{}, false},
	}
	db, err := NewClientWith(context.Background(), env(map[string]string{"DYNAMODB_ENDPOINT": "http://127.0.0.1:1"}), Interactive)
	if err != nil {
		t.Fatal(err)
	}
	retryer := db.Options().Retryer
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := retryer.IsErrorRetryable(asSDKReturnsIt(c.err)); got != c.retryable {
				t.Errorf("retryable = %v, want %v", got, c.retryable)
			}
		})
	}
}

// ConditionFailures still reads a cancellation the retryer gave back.
func TestConditionFailuresAfterRetries(t *testing.T) {
	err := asSDKReturnsIt(&types.TransactionCanceledException{CancellationReasons: []types.CancellationReason{
		{Code: aws.String("None")}, {Code: aws.String("ConditionalCheckFailed")},
	}})
	if got := ConditionFailures(err); len(got) != 1 || !got[1] {
		t.Errorf("ConditionFailures = %v, want operation 1", got)
	}
	if got := ConditionFailures(asSDKReturnsIt(&types.TransactionCanceledException{CancellationReasons: []types.CancellationReason{
		{Code: aws.String("TransactionConflict")},
	}})); got != nil {
		t.Errorf("ConditionFailures of a conflict = %v, want nil", got)
	}
}

// Transact raises the retryer's attempts for hot items and never lowers them.
func TestTransactAttempts(t *testing.T) {
	db, err := NewClientWith(context.Background(), env(map[string]string{"DYNAMODB_ENDPOINT": "http://127.0.0.1:1"}), Interactive)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ attempts, want int }{{12, 12}, {1, Interactive.Attempts}} {
		rec := &optionsRecorder{API: db}
		_ = Transact(context.Background(), rec, nil, c.attempts)
		o := db.Options()
		for _, fn := range rec.optFns {
			fn(&o)
		}
		if got := o.Retryer.MaxAttempts(); got != c.want {
			t.Errorf("Transact(attempts=%d): retryer makes %d attempts, want %d", c.attempts, got, c.want)
		}
	}
}

type optionsRecorder struct {
	API
	optFns []func(*dynamodb.Options)
}

func (r *optionsRecorder) TransactWriteItems(_ context.Context, _ *dynamodb.TransactWriteItemsInput, optFns ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	r.optFns = optFns
	return &dynamodb.TransactWriteItemsOutput{}, nil
}

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// asSDKReturnsIt wraps a service error as the client returns it.
func asSDKReturnsIt(err error) error {
	return &smithy.OperationError{ServiceID: "DynamoDB", OperationName: "TransactWriteItems", Err: &awshttp.ResponseError{
		ResponseError: &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: 400}}, Err: err},
	}}
}
