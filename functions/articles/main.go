// Command articles is the Articles Lambda function: public article reads.
package main

import (
	"context"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"broadsheet/internal/handlers/articles"
	"broadsheet/internal/telemetry"
)

func main() {
	telemetry.SetupLogging(os.Getenv)
	h, err := articles.New(context.Background(), os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(h)
}
