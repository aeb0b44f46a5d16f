// Command search is the Search Lambda function: full-text search and type-ahead
// over the index the indexer keeps.
package main

import (
	"context"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"broadsheet/internal/handlers/search"
	"broadsheet/internal/telemetry"
)

func main() {
	telemetry.SetupLogging(os.Getenv)
	h, err := search.New(context.Background(), os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(h)
}
