// Package dynamotest gives integration tests a fresh table on the shared
// DynamoDB Local (one engine per test run, one table per test), created from
// template.yaml's own table definition.
package dynamotest

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"broadsheet/internal/ddblocal"
	"broadsheet/internal/dynamo"
	"broadsheet/internal/modroot"
	"broadsheet/internal/samtemplate"
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
		root, err := modroot.Find()
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
	endpoint = ddblocal.TestEndpoint(tb)
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
