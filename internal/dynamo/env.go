package dynamo

import (
	"context"
	"errors"
)

// FromEnv builds the store from TABLE_NAME and the client environment
// (DYNAMODB_ENDPOINT, AWS_REGION…). It makes no network calls, so cold
// starts stay short.
func FromEnv(ctx context.Context, getenv func(string) string) (*Store, error) {
	return FromEnvWith(ctx, getenv, Interactive)
}

// FromEnvWith is FromEnv with a given retry and timeout budget.
func FromEnvWith(ctx context.Context, getenv func(string) string, b Budget) (*Store, error) {
	table := getenv("TABLE_NAME")
	if table == "" {
		return nil, errors.New("TABLE_NAME must be set")
	}
	db, err := NewClientWith(ctx, getenv, b)
	if err != nil {
		return nil, err
	}
	return &Store{DB: db, Table: table}, nil
}
