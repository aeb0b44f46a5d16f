// Command indexer is the Indexer Lambda function: it keeps the search index
// in step with the articles, from the table's stream.
package main

import (
	"context"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"broadsheet/internal/handlers/indexer"
)

func main() {
	h, err := indexer.New(context.Background(), os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(h)
}
