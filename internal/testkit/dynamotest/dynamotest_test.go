package dynamotest

import (
	"context"
	"os"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"broadsheet/internal/local/ddblocal"
)

func TestMain(m *testing.M) { os.Exit(RunTests(m)) }

func TestCreateTableIdempotent(t *testing.T) {
	ctx := context.Background()
	client := Client(t)
	tpl := Template(t)
	name := ddblocal.UniqueName("samtemplate")
	created, err := tpl.CreateTable(ctx, client, name)
	if err != nil || !created {
		t.Fatalf("first CreateTable: created=%v err=%v", created, err)
	}
	created, err = tpl.CreateTable(ctx, client, name)
	if err != nil || created {
		t.Fatalf("second CreateTable: created=%v err=%v", created, err)
	}
	d, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	if d.Table.StreamSpecification == nil || !aws.ToBool(d.Table.StreamSpecification.StreamEnabled) || aws.ToString(d.Table.LatestStreamArn) == "" {
		t.Fatalf("stream not enabled: %+v", d.Table.StreamSpecification)
	}
	idx := map[string]types.ProjectionType{}
	for _, g := range d.Table.GlobalSecondaryIndexes {
		idx[aws.ToString(g.IndexName)] = g.Projection.ProjectionType
	}
	if !reflect.DeepEqual(idx, map[string]types.ProjectionType{"gsi1": "ALL", "gsi2": "INCLUDE", "gsi3": "ALL"}) {
		t.Fatalf("indexes = %v", idx)
	}
	ttl, err := client.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(ttl.TimeToLiveDescription.AttributeName) != "expiresAt" || ttl.TimeToLiveDescription.TimeToLiveStatus != types.TimeToLiveStatusEnabled {
		t.Fatalf("ttl = %+v", ttl.TimeToLiveDescription)
	}
}
