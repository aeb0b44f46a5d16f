// Command hellodynamo is the second cold-start baseline: the bare hello
// function plus what every Broadsheet function needs before its first
// request, the AWS SDK's DynamoDB client (built without network, as
// dynamo.NewClient builds it). The SDK's package initialisation (its
// generated serde schemas and endpoint rules) runs before main in any binary
// that links the client, so this is the floor a function's cold start can
// reach without replacing the SDK; the bench reports each function against
// both baselines.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

func main() {
	db := dynamodb.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")})
	lambda.Start(func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		_ = db
		return events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: `{"hello":"world"}`}, nil
	})
}
