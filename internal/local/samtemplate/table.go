package samtemplate

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/awslabs/goformation/v7/cloudformation"
	cfnddb "github.com/awslabs/goformation/v7/cloudformation/dynamodb"
)

// Table is the template's AWS::DynamoDB::Table.
type Table struct {
	LogicalID string
	// Name is the local table name Ref resolves to.
	Name string
	// TTLAttribute is the TimeToLiveSpecification attribute ("" when TTL is off).
	TTLAttribute string
	input        dynamodb.CreateTableInput
}

// CreateTableInput returns the table definition as a CreateTable request for
// the given table name (a fresh copy each call).
func (tb *Table) CreateTableInput(name string) *dynamodb.CreateTableInput {
	in := tb.input // shallow copy; slices below are rebuilt so callers may modify them
	in.TableName = aws.String(name)
	in.AttributeDefinitions = append([]types.AttributeDefinition(nil), tb.input.AttributeDefinitions...)
	in.KeySchema = append([]types.KeySchemaElement(nil), tb.input.KeySchema...)
	in.GlobalSecondaryIndexes = append([]types.GlobalSecondaryIndex(nil), tb.input.GlobalSecondaryIndexes...)
	in.LocalSecondaryIndexes = append([]types.LocalSecondaryIndex(nil), tb.input.LocalSecondaryIndexes...)
	return &in
}

func (t *Template) loadTable(cfn *cloudformation.Template, r *resolver) error {
	tables := cfn.GetAllDynamoDBTableResources()
	if len(tables) == 0 {
		return nil
	}
	if len(tables) > 1 {
		names := make([]string, 0, len(tables))
		for n := range tables {
			names = append(names, n)
		}
		sort.Strings(names)
		return fmt.Errorf("the local runtime supports one AWS::DynamoDB::Table, the template has %v", names)
	}
	for id, tbl := range tables {
		in, err := createTableInput(tbl)
		if err != nil {
			return fmt.Errorf("table %s: %w", id, err)
		}
		t.Table = &Table{LogicalID: id, Name: r.tableNames[id], input: *in}
		if ttl := tbl.TimeToLiveSpecification; ttl != nil && ttl.Enabled && ttl.AttributeName != nil {
			t.Table.TTLAttribute = *ttl.AttributeName
		}
	}
	return nil
}

func createTableInput(tbl *cfnddb.Table) (*dynamodb.CreateTableInput, error) {
	in := &dynamodb.CreateTableInput{}
	for _, a := range tbl.AttributeDefinitions {
		in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{
			AttributeName: aws.String(a.AttributeName),
			AttributeType: types.ScalarAttributeType(a.AttributeType),
		})
	}
	in.KeySchema = keySchema(tbl.KeySchema)
	if len(in.KeySchema) == 0 {
		return nil, errors.New("no KeySchema")
	}
	billing := "PROVISIONED"
	if tbl.BillingMode != nil {
		billing = *tbl.BillingMode
	}
	in.BillingMode = types.BillingMode(billing)
	if billing == "PROVISIONED" {
		if tbl.ProvisionedThroughput == nil {
			return nil, errors.New("BillingMode PROVISIONED without ProvisionedThroughput")
		}
		in.ProvisionedThroughput = throughput(tbl.ProvisionedThroughput)
	}
	for _, g := range tbl.GlobalSecondaryIndexes {
		gsi := types.GlobalSecondaryIndex{
			IndexName:  aws.String(g.IndexName),
			KeySchema:  keySchema(g.KeySchema),
			Projection: projection(g.Projection),
		}
		if billing == "PROVISIONED" {
			if g.ProvisionedThroughput == nil {
				return nil, fmt.Errorf("index %s: no ProvisionedThroughput", g.IndexName)
			}
			gsi.ProvisionedThroughput = throughput(g.ProvisionedThroughput)
		}
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, gsi)
	}
	for _, l := range tbl.LocalSecondaryIndexes {
		in.LocalSecondaryIndexes = append(in.LocalSecondaryIndexes, types.LocalSecondaryIndex{
			IndexName:  aws.String(l.IndexName),
			KeySchema:  keySchema(l.KeySchema),
			Projection: projection(l.Projection),
		})
	}
	if s := tbl.StreamSpecification; s != nil && s.StreamViewType != "" {
		in.StreamSpecification = &types.StreamSpecification{
			StreamEnabled:  aws.Bool(true),
			StreamViewType: types.StreamViewType(s.StreamViewType),
		}
	}
	if tbl.TableClass != nil {
		in.TableClass = types.TableClass(*tbl.TableClass)
	}
	return in, nil
}

func keySchema(ks []cfnddb.Table_KeySchema) []types.KeySchemaElement {
	out := make([]types.KeySchemaElement, 0, len(ks))
	for _, k := range ks {
		out = append(out, types.KeySchemaElement{AttributeName: aws.String(k.AttributeName), KeyType: types.KeyType(k.KeyType)})
	}
	return out
}

func projection(p *cfnddb.Table_Projection) *types.Projection {
	out := &types.Projection{ProjectionType: types.ProjectionTypeKeysOnly} // CloudFormation's default
	if p == nil {
		return out
	}
	if p.ProjectionType != nil {
		out.ProjectionType = types.ProjectionType(*p.ProjectionType)
	}
	if len(p.NonKeyAttributes) > 0 {
		out.NonKeyAttributes = append([]string(nil), p.NonKeyAttributes...)
	}
	return out
}

func throughput(p *cfnddb.Table_ProvisionedThroughput) *types.ProvisionedThroughput {
	return &types.ProvisionedThroughput{
		ReadCapacityUnits:  aws.Int64(int64(p.ReadCapacityUnits)),
		WriteCapacityUnits: aws.Int64(int64(p.WriteCapacityUnits)),
	}
}

// TableAPI is the part of *dynamodb.Client CreateTable uses.
type TableAPI interface {
	CreateTable(context.Context, *dynamodb.CreateTableInput, ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error)
	DescribeTable(context.Context, *dynamodb.DescribeTableInput, ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error)
	UpdateTimeToLive(context.Context, *dynamodb.UpdateTimeToLiveInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateTimeToLiveOutput, error)
	DescribeTimeToLive(context.Context, *dynamodb.DescribeTimeToLiveInput, ...func(*dynamodb.Options)) (*dynamodb.DescribeTimeToLiveOutput, error)
}

// CreateTable creates the template's table under name, waits until it is
// ACTIVE and enables TTL as declared. It is idempotent: an existing table is
// left as it is (TTL is still switched on if it is off). It reports whether
// it created the table.
func (t *Template) CreateTable(ctx context.Context, client TableAPI, name string) (created bool, err error) {
	if t.Table == nil {
		return false, errors.New("the template declares no AWS::DynamoDB::Table")
	}
	_, err = client.CreateTable(ctx, t.Table.CreateTableInput(name))
	var inUse *types.ResourceInUseException
	switch {
	case err == nil:
		created = true
	case errors.As(err, &inUse):
	default:
		return false, fmt.Errorf("create table %s: %w", name, err)
	}
	if err := waitActive(ctx, client, name); err != nil {
		return created, err
	}
	if t.Table.TTLAttribute == "" {
		return created, nil
	}
	d, err := client.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(name)})
	if err != nil {
		return created, fmt.Errorf("describe TTL of %s: %w", name, err)
	}
	if ttl := d.TimeToLiveDescription; ttl != nil && aws.ToString(ttl.AttributeName) == t.Table.TTLAttribute &&
		(ttl.TimeToLiveStatus == types.TimeToLiveStatusEnabled || ttl.TimeToLiveStatus == types.TimeToLiveStatusEnabling) {
		return created, nil
	}
	_, err = client.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName: aws.String(name),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{
			AttributeName: aws.String(t.Table.TTLAttribute),
			Enabled:       aws.Bool(true),
		},
	})
	if err != nil && !strings.Contains(err.Error(), "already enabled") {
		return created, fmt.Errorf("enable TTL on %s: %w", name, err)
	}
	return created, nil
}

func waitActive(ctx context.Context, client TableAPI, name string) error {
	deadline := time.Now().Add(2 * time.Minute)
	for {
		d, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
		if err != nil {
			return fmt.Errorf("describe table %s: %w", name, err)
		}
		active := d.Table.TableStatus == types.TableStatusActive
		for _, g := range d.Table.GlobalSecondaryIndexes {
			active = active && g.IndexStatus == types.IndexStatusActive
		}
		if active {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("table %s not ACTIVE after 2 minutes (%s)", name, d.Table.TableStatus)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
