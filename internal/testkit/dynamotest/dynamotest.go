// Package dynamotest gives integration tests a fresh table on the shared
// DynamoDB Local (one engine per test run, one table per test), created from
// template.yaml's own table definition.
package dynamotest

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"broadsheet/internal/dynamo"
	"broadsheet/internal/local"
	"broadsheet/internal/local/ddblocal"
	"broadsheet/internal/local/samtemplate"
)

var (
	once     sync.Once
	template *samtemplate.Template
	loadErr  error
)

// Template returns the parsed template.yaml of this module.
func Template(tb testing.TB) *samtemplate.Template {
	tb.Helper()
	once.Do(func() {
		root, err := local.ModuleRoot()
		if err != nil {
			loadErr = err
			return
		}
		template, loadErr = samtemplate.Load(filepath.Join(root, "template.yaml"), samtemplate.Options{
			Parameters: map[string]string{"SigningSecret": Secret},
		})
	})
	if loadErr != nil {
		tb.Fatalf("template.yaml: %v", loadErr)
	}
	return template
}

// Secret is the signing secret tests configure functions with.
const Secret = "test-signing-secret-0123456789abcdef"

// NewTable creates a uniquely named table as the template defines it and
// returns its name and the endpoint.
func NewTable(tb testing.TB) (endpoint, table string) {
	tb.Helper()
	endpoint = Endpoint(tb)
	table = ddblocal.UniqueName("test")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := Template(tb).CreateTable(ctx, ddblocal.NewClient(endpoint), table); err != nil {
		tb.Fatalf("create table: %v", err)
	}
	return endpoint, table
}

// NewStore returns a store on a fresh table.
func NewStore(tb testing.TB) *dynamo.Store {
	tb.Helper()
	endpoint, table := NewTable(tb)
	return &dynamo.Store{DB: ddblocal.NewClient(endpoint), Table: table}
}

// Env returns a getenv for a function wired to a fresh table, as the
// template would configure it.
func Env(tb testing.TB, extra map[string]string) func(string) string {
	tb.Helper()
	endpoint, table := NewTable(tb)
	env := map[string]string{
		"TABLE_NAME":        table,
		"DYNAMODB_ENDPOINT": endpoint,
		"AWS_REGION":        ddblocal.LocalRegion,
		"SIGNING_SECRET":    Secret,
		"LOG_LEVEL":         "WARN",
	}
	for k, v := range extra {
		env[k] = v
	}
	return func(k string) string { return env[k] }
}

// RunTests runs the tests and then stops the shared instance. Use it as
//
//	func TestMain(m *testing.M) { os.Exit(dynamotest.RunTests(m)) }
//
// DynamoDB Local is only started if a test calls Endpoint.
func RunTests(m *testing.M) int {
	defer ddblocal.StopShared()
	return m.Run()
}

// Endpoint returns SharedEndpoint or fails the test. Under -short, with
// no DYNAMODB_ENDPOINT set, it skips the test instead of starting DynamoDB Local.
func Endpoint(tb testing.TB) string {
	tb.Helper()
	if testing.Short() && os.Getenv(ddblocal.EnvEndpoint) == "" {
		tb.Skip("needs DynamoDB Local: skipped under -short without " + ddblocal.EnvEndpoint)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	ep, err := ddblocal.SharedEndpoint(ctx)
	if err != nil {
		tb.Fatalf("DynamoDB Local: %v", err)
	}
	return ep
}

// Client returns a DynamoDB client for Endpoint.
func Client(tb testing.TB) *dynamodb.Client {
	tb.Helper()
	return ddblocal.NewClient(Endpoint(tb))
}
