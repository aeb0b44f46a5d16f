// Package awsenv reads the region and credentials an AWS SDK client needs
// from the environment Lambda provides, for every service client the
// functions build (DynamoDB, SES). It is the one owner of that rule.
//
// It deliberately avoids config.LoadDefaultConfig: the default chain reads
// ~/.aws files and links SSO, STS, IMDS, process and login credential
// providers that a Lambda function never uses (about 0.6 MiB of every zipped
// bootstrap). Shared-config profiles are therefore not read: export
// credentials into the environment to run a function outside Lambda.
package awsenv

import (
	"errors"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// Config returns the region and credentials for a client. getenv may be a
// function's own environment (the local runtime); the process environment,
// where Lambda puts credentials, is the fallback. With local set (an
// endpoint override such as DynamoDB Local) missing values become dummies:
// local engines accept any, but the SDK insists on some and must not ask
// IMDS.
func Config(getenv func(string) string, local bool) (aws.Config, error) {
	region := FirstSet(getenv, "AWS_REGION", "AWS_DEFAULT_REGION")
	id, secret, token := getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY"), getenv("AWS_SESSION_TOKEN")
	if local {
		if region == "" {
			region = "us-east-1"
		}
		if id == "" || secret == "" {
			id, secret, token = "local", "local", ""
		}
	} else {
		if id == "" || secret == "" {
			id, secret, token = os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY"), os.Getenv("AWS_SESSION_TOKEN")
		}
		if region == "" {
			region = FirstSet(os.Getenv, "AWS_REGION", "AWS_DEFAULT_REGION")
		}
		if region == "" {
			return aws.Config{}, errors.New("AWS_REGION must be set")
		}
		if id == "" || secret == "" {
			return aws.Config{}, errors.New("AWS credentials must be in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), as Lambda provides them")
		}
	}
	return aws.Config{
		Region:      region,
		Credentials: aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(id, secret, token)),
	}, nil
}

// FirstSet is the first non-empty value among the names.
func FirstSet(getenv func(string) string, names ...string) string {
	for _, n := range names {
		if v := getenv(n); v != "" {
			return v
		}
	}
	return ""
}
