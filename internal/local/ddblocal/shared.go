package ddblocal

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
)

// EnvEndpoint names the environment variable that points tests and the local
// runtime at an already running DynamoDB-compatible endpoint.
const EnvEndpoint = "DYNAMODB_ENDPOINT"

// LocalRegion is the region used against local endpoints (any region works
// with -sharedDb, but one must be set).
const LocalRegion = "us-east-1"

var shared struct {
	mu       sync.Mutex
	endpoint string
	server   *Server
	err      error
}

// SharedEndpoint returns the DynamoDB endpoint for this process: the value of
// $DYNAMODB_ENDPOINT when set, otherwise one in-memory DynamoDB Local started
// on first use and reused by every later call (stop it with StopShared, which
// dynamotest.RunTests does). A failed start is remembered and not retried.
func SharedEndpoint(ctx context.Context) (string, error) {
	if ep := os.Getenv(EnvEndpoint); ep != "" {
		return ep, nil
	}
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.endpoint != "" || shared.err != nil {
		return shared.endpoint, shared.err
	}
	s, err := Start(ctx, Options{InMemory: true})
	if err != nil {
		shared.err = err
		return "", err
	}
	shared.server, shared.endpoint = s, s.Endpoint()
	return shared.endpoint, nil
}

// StopShared stops the instance SharedEndpoint started, if any.
func StopShared() {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.server != nil {
		_ = shared.server.Stop()
		shared.server = nil
		shared.endpoint = ""
	}
}

// AWSConfig returns an SDK config for a local endpoint: fixed region and dummy
// static credentials, no shared config files, no IMDS.
func AWSConfig() aws.Config {
	return aws.Config{
		Region:      LocalRegion,
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", ""),
	}
}

// NewClient returns a DynamoDB client for a local endpoint.
func NewClient(endpoint string) *dynamodb.Client {
	return dynamodb.NewFromConfig(AWSConfig(), func(o *dynamodb.Options) {
		o.BaseEndpoint = aws.String(endpoint)
	})
}

// NewStreamsClient returns a DynamoDB Streams client for a local endpoint.
func NewStreamsClient(endpoint string) *dynamodbstreams.Client {
	return dynamodbstreams.NewFromConfig(AWSConfig(), func(o *dynamodbstreams.Options) {
		o.BaseEndpoint = aws.String(endpoint)
	})
}

// UniqueName returns prefix-<random>, a valid DynamoDB table name, so tests
// sharing one endpoint never collide.
func UniqueName(prefix string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	prefix = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '-'
	}, prefix)
	if len(prefix) > 200 {
		prefix = prefix[:200]
	}
	return fmt.Sprintf("%s-%s", prefix, hex.EncodeToString(b[:]))
}
