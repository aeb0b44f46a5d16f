// Command comments is the Comments Lambda function: comment lists and submission.
package main

import (
	"context"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"broadsheet/internal/handlers/comments"
	"broadsheet/internal/telemetry"
)

func main() {
	telemetry.SetupLogging(os.Getenv)
	h, err := comments.New(context.Background(), os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(h)
}
