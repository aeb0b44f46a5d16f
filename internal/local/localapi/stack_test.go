package localapi

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"broadsheet/internal/local/ddblocal"
	"broadsheet/internal/testkit/dynamotest"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// TestStack boots the whole local runtime against the shared DynamoDB Local:
// table from the template, functions with their environment, the JWT
// authorizer with the stack's key, and the stream poller feeding the indexer.
func TestStack(t *testing.T) {
	ctx := context.Background()
	dataDir := t.TempDir()
	table := ddblocal.UniqueName("stack")

	var mu sync.Mutex
	var indexed []string
	functions := map[string]Factory{
		// Reads an item through the endpoint and table its environment names.
		"functions/articles": func(ctx context.Context, getenv func(string) string) (any, error) {
			client := ddblocal.NewClient(getenv("DYNAMODB_ENDPOINT"))
			tableName := getenv("TABLE_NAME")
			secret := getenv("SIGNING_SECRET")
			return func(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
				out, err := client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(tableName), Key: map[string]types.AttributeValue{
					"pk": &types.AttributeValueMemberS{Value: "ARTICLE#" + ev.PathParameters["slug"]},
					"sk": &types.AttributeValueMemberS{Value: "v0"},
				}})
				if err != nil {
					return events.APIGatewayV2HTTPResponse{}, err
				}
				if out.Item == nil {
					return events.APIGatewayV2HTTPResponse{StatusCode: 404, Body: `{"error":{"code":"not_found"}}`}, nil
				}
				title := out.Item["title"].(*types.AttributeValueMemberS).Value
				b, _ := json.Marshal(map[string]any{"title": title, "secretLen": len(secret)})
				return events.APIGatewayV2HTTPResponse{StatusCode: 200, Headers: map[string]string{"content-type": "application/json"}, Body: string(b)}, nil
			}, nil
		},
		"functions/editor": func(ctx context.Context, getenv func(string) string) (any, error) {
			return func(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
				return events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: ev.RequestContext.Authorizer.JWT.Claims["scope"]}, nil
			}, nil
		},
		"functions/indexer": func(ctx context.Context, getenv func(string) string) (any, error) {
			return func(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
				mu.Lock()
				defer mu.Unlock()
				for _, r := range ev.Records {
					indexed = append(indexed, r.EventName+" "+r.Change.Keys["pk"].String())
				}
				return events.DynamoDBEventResponse{}, nil
			}, nil
		},
	}
	st, err := Start(ctx, Config{
		Root:               "../../..",
		DataDir:            dataDir,
		DynamoDBEndpoint:   dynamotest.Endpoint(t),
		TableName:          table,
		Functions:          functions,
		Logger:             slog.New(slog.NewTextHandler(io.Discard, nil)),
		StreamPollInterval: 50 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()

	if !strings.HasPrefix(st.URL(), "http://127.0.0.1:") || st.TableName() != table || st.DynamoDBEndpoint() != dynamotest.Endpoint(t) {
		t.Fatalf("stack: %s %s %s", st.URL(), st.TableName(), st.DynamoDBEndpoint())
	}
	// The generated SigningSecret is kept under DATA_DIR and reaches the functions.
	var params map[string]string
	b, err := os.ReadFile(filepath.Join(dataDir, ParametersFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &params); err != nil || len(params["SigningSecret"]) < 32 {
		t.Fatalf("parameters.json = %s", b)
	}
	if env := st.Invoker().Environment("ArticlesFunction"); env["SIGNING_SECRET"] != params["SigningSecret"] || env["TABLE_NAME"] != table {
		t.Fatalf("environment = %v", env)
	}

	client := ddblocal.NewClient(st.DynamoDBEndpoint())
	put := func(pk, title string) {
		_, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: pk}, "sk": &types.AttributeValueMemberS{Value: "v0"},
			"title": &types.AttributeValueMemberS{Value: title},
		}})
		if err != nil {
			t.Fatal(err)
		}
	}
	put("ARTICLE#hello", "Hello")
	put("COMMENT#1", "filtered out")
	put("ARTICLE#second", "Second")

	get := func(path, token string) (int, string) {
		req, _ := http.NewRequest("GET", st.URL()+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, b := get("/articles/hello", ""); code != 200 || b != `{"secretLen":64,"title":"Hello"}` {
		t.Fatalf("GET /articles/hello = %d %s", code, b)
	}
	if code, _ := get("/articles/missing", ""); code != 404 {
		t.Fatalf("GET /articles/missing = %d", code)
	}
	if code, b := get("/search?q=x", ""); code != 500 || b != `{"message":"Internal Server Error"}` {
		t.Fatalf("unregistered function: %d %s", code, b)
	}
	tok, err := st.Token()
	if err != nil {
		t.Fatal(err)
	}
	if code, b := get("/admin/articles", tok); code != 200 || b != "articles:write" {
		t.Fatalf("GET /admin/articles with token = %d %s", code, b)
	}
	if code, _ := get("/admin/articles", ""); code != 401 {
		t.Fatalf("GET /admin/articles without token = %d", code)
	}

	deadline := time.Now().Add(15 * time.Second)
	for {
		mu.Lock()
		got := strings.Join(indexed, ",")
		mu.Unlock()
		if got == "INSERT ARTICLE#hello,INSERT ARTICLE#second" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("indexer saw %q", got)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if s := st.StreamStats(); s.Filtered != 1 {
		t.Errorf("stream stats = %+v", s)
	}

	// Closing stops the server; a restart on the same DATA_DIR, table and
	// address (as `make local` restarts on its PORT: the address is the local
	// issuer, so a token names it) keeps the data, the key (old tokens still
	// work) and the checkpoint.
	addr := strings.TrimPrefix(st.URL(), "http://")
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get(st.URL() + "/articles/hello"); err == nil {
		t.Fatal("server still answering after Close")
	}
	mu.Lock()
	indexed = nil
	mu.Unlock()
	st2, err := Start(ctx, Config{Root: "../../..", Addr: addr, DataDir: dataDir, DynamoDBEndpoint: st.DynamoDBEndpoint(), TableName: table,
		Functions: functions, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), StreamPollInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	st = st2
	if code, body := get("/admin/articles", tok); code != 200 {
		t.Fatalf("old token rejected after restart: %d %s", code, body)
	}
	put("ARTICLE#third", "Third")
	deadline = time.Now().Add(15 * time.Second)
	for {
		mu.Lock()
		got := strings.Join(indexed, ",")
		mu.Unlock()
		if got == "INSERT ARTICLE#third" {
			break
		}
		if time.Now().After(deadline) || strings.Contains(got, "hello") {
			t.Fatalf("after restart the indexer saw %q", got)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
