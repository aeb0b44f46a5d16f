// Command indexer is the Indexer Lambda function: it keeps the search index
// in step with the articles, from the table's stream.
package main

import (
	"context"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"broadsheet/internal/handlers/indexer"
	"broadsheet/internal/telemetry"
)

func main() {
	telemetry.SetupLogging(os.Getenv)
	h, err := indexer.New(context.Background(), os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(h)
}
