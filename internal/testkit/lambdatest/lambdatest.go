// Package lambdatest invokes handlers the way Lambda does (JSON in, JSON
// out, through aws-lambda-go's own reflection wrapper) from sample events.
package lambdatest

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"broadsheet/internal/local"
)

// Event reads events/<name> from the module root.
func Event(tb testing.TB, name string) events.APIGatewayV2HTTPRequest {
	tb.Helper()
	root, err := local.ModuleRoot()
	if err != nil {
		tb.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(root, "events", name))
	if err != nil {
		tb.Fatal(err)
	}
	var e events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(data, &e); err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	return e
}

// Invoke runs handler h (as returned by a handler package's New) with req,
// serialised exactly as Lambda would.
func Invoke(tb testing.TB, h any, req events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPResponse {
	tb.Helper()
	payload, err := json.Marshal(req)
	if err != nil {
		tb.Fatal(err)
	}
	out, err := lambda.NewHandler(h).Invoke(context.Background(), payload)
	if err != nil {
		tb.Fatalf("invoke %s: %v", req.RouteKey, err)
	}
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		tb.Fatalf("decode response: %v", err)
	}
	return resp
}

// ErrorCode returns error.code from a contract error body, or "".
func ErrorCode(resp events.APIGatewayV2HTTPResponse) string {
	var b struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	_ = json.Unmarshal([]byte(resp.Body), &b)
	return b.Error.Code
}
