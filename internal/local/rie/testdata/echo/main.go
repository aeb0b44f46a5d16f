// Command echo is a test function for package rie: it answers its event and
// part of its environment, fails on {"fail": true} and sleeps on {"sleepMs": N}.
package main

import (
	"context"
	"errors"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

type event struct {
	Fail    bool   `json:"fail"`
	SleepMs int    `json:"sleepMs"`
	Say     string `json:"say"`
}

func main() {
	lambda.Start(func(ctx context.Context, e event) (map[string]any, error) {
		if e.Fail {
			return nil, errors.New("asked to fail")
		}
		time.Sleep(time.Duration(e.SleepMs) * time.Millisecond)
		return map[string]any{"say": e.Say, "foo": os.Getenv("FOO"), "leak": os.Getenv("RIE_TEST_LEAK")}, nil
	})
}
