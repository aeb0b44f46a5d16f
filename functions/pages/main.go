// Command pages is the Pages Lambda function: the server-rendered article
// page, feeds, sitemaps and robots.txt.
package main

import (
	"context"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"broadsheet/internal/handlers/pages"
	"broadsheet/internal/telemetry"
)

func main() {
	telemetry.SetupLogging(os.Getenv)
	h, err := pages.New(context.Background(), os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(h)
}
