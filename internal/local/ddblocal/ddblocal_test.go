package ddblocal

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func TestMain(m *testing.M) {
	code := m.Run()
	StopShared()
	os.Exit(code)
}

// testEndpoint is dynamotest.Endpoint, which this package cannot import.
func testEndpoint(t *testing.T) string {
	t.Helper()
	if testing.Short() && os.Getenv(EnvEndpoint) == "" {
		t.Skip("needs DynamoDB Local: skipped under -short without " + EnvEndpoint)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	ep, err := SharedEndpoint(ctx)
	if err != nil {
		t.Fatalf("DynamoDB Local: %v", err)
	}
	return ep
}

func createSimpleTable(t *testing.T, c *dynamodb.Client, name string) {
	t.Helper()
	_, err := c.CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}},
	})
	if err != nil {
		t.Fatalf("CreateTable: %v", err)
	}
}

func testSharedEndpointIsReused(t *testing.T) {
	ep1 := testEndpoint(t)
	ep2 := testEndpoint(t)
	if ep1 != ep2 {
		t.Fatalf("endpoints differ: %s vs %s", ep1, ep2)
	}
	c := NewClient(ep1)
	name := UniqueName(t.Name())
	createSimpleTable(t, c, name)
	out, err := c.ListTables(context.Background(), &dynamodb.ListTablesInput{})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, n := range out.TableNames {
		found = found || n == name
	}
	if !found {
		t.Fatalf("table %s not listed in %v", name, out.TableNames)
	}
}

func TestUniqueName(t *testing.T) {
	a, b := UniqueName("Test/Sub test"), UniqueName("Test/Sub test")
	if a == b {
		t.Fatal("names not unique")
	}
	if len(a) < 3 || len(a) > 255 {
		t.Fatalf("bad length %q", a)
	}
	for _, r := range a {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			t.Fatalf("invalid character %q in %q", r, a)
		}
	}
}

// testDataDirPersistsAndStopKills starts a file-backed instance twice: data
// survives a restart, and Stop really ends the process (the port stops answering).
func testDataDirPersistsAndStopKills(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two JVMs")
	}
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Start(ctx, Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	name := UniqueName("persist")
	createSimpleTable(t, NewClient(s.Endpoint()), name)
	port := s.Port()
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.Done():
	case <-time.After(time.Second):
		t.Fatal("process still running after Stop")
	}
	if _, err := os.Stat(dir + "/shared-local-instance.db"); err != nil {
		t.Fatalf("no database file in DataDir: %v", err)
	}
	if _, err := os.Stat(dir + "/dynamodb-local-metadata.json"); err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}

	s2, err := Start(ctx, Options{DataDir: dir, Port: port})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Stop()
	if _, err := NewClient(s2.Endpoint()).DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)}); err != nil {
		t.Fatalf("table lost across restart: %v", err)
	}
}
