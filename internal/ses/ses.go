// Package ses sends internal/mail messages through Amazon SES (the v2 API),
// as the raw RFC 5322 bytes mail.Format writes: the message a reader gets
// is byte for byte the one the local mail sink shows.
package ses

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"broadsheet/internal/awsenv"
	"broadsheet/internal/mail"
)

// API is the one SES call used (sesv2.Client satisfies it).
type API interface {
	SendEmail(ctx context.Context, in *sesv2.SendEmailInput, opts ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)
}

// Sender sends through SES.
type Sender struct {
	API API
	// ConfigurationSet names the SES configuration set (bounces,
	// complaints, sending metrics); "" for none.
	ConfigurationSet string
}

// FromEnv builds a Sender from the function's environment: AWS region and
// credentials (internal/awsenv), SES_ENDPOINT to point at another endpoint,
// and SES_CONFIGURATION_SET.
func FromEnv(getenv func(string) string) (*Sender, error) {
	endpoint := getenv("SES_ENDPOINT")
	cfg, err := awsenv.Config(getenv, endpoint != "")
	if err != nil {
		return nil, err
	}
	client := sesv2.NewFromConfig(cfg, func(o *sesv2.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
	})
	return &Sender{API: client, ConfigurationSet: getenv("SES_CONFIGURATION_SET")}, nil
}

// Send formats m and sends it as a raw message.
func (s *Sender) Send(ctx context.Context, m mail.Message) error {
	raw, err := mail.Format(m)
	if err != nil {
		return err
	}
	in := &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(m.From.Address), // what ses:FromAddress conditions match
		Destination:      &types.Destination{ToAddresses: []string{m.To.Address}},
		Content:          &types.EmailContent{Raw: &types.RawMessage{Data: raw}},
	}
	if s.ConfigurationSet != "" {
		in.ConfigurationSetName = aws.String(s.ConfigurationSet)
	}
	if _, err := s.API.SendEmail(ctx, in); err != nil {
		return fmt.Errorf("ses: send: %w", err)
	}
	return nil
}
