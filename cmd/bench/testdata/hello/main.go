// Command hello is the cold-start baseline: a bare aws-lambda-go function,
// built exactly like the real ones, that answers every event with a fixed
// API Gateway 2.0 response. The bench divides each function's cold start by
// this one's.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		return events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: `{"hello":"world"}`}, nil
	})
}
