package samtemplate

import (
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

const secret = "0123456789abcdef0123456789abcdef"

func loadReal(t *testing.T, params map[string]string) *Template {
	t.Helper()
	if params == nil {
		params = map[string]string{"SigningSecret": secret}
	}
	tpl, err := Load("../../../template.yaml", Options{TableName: "local-table", Parameters: params})
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

func TestParametersAndMissing(t *testing.T) {
	tpl, err := Load("../../../template.yaml", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := tpl.MissingParameters(); !reflect.DeepEqual(got, []string{"SigningSecret"}) {
		t.Fatalf("MissingParameters = %v", got)
	}
	p := tpl.Parameters["SigningSecret"]
	if !p.NoEcho || p.Default != nil || p.MinLength == nil || *p.MinLength != 32 {
		t.Fatalf("SigningSecret parameter = %+v", p)
	}
	for name, want := range map[string]string{
		"StageName":           "prod",
		"AllowedOrigins":      "http://127.0.0.1:3000,http://localhost:3000",
		"JwtAudience":         "broadsheet-editors",
		"CommentFloodSeconds": "15",
		"CommentModeration":   "first-time",
		"LogLevel":            "INFO",
	} {
		if got := tpl.Values[name]; got != want {
			t.Errorf("Values[%s] = %q, want %q", name, got, want)
		}
	}
	if tpl.Table.Name != "Table" {
		t.Errorf("default table name = %q, want the logical id", tpl.Table.Name)
	}
}

func TestParameterOverrides(t *testing.T) {
	tests := []struct {
		name    string
		params  map[string]string
		wantErr string
	}{
		{"ok", map[string]string{"SigningSecret": secret, "AllowedOrigins": "https://a.example, https://b.example"}, ""},
		{"not allowed value", map[string]string{"SigningSecret": secret, "CommentModeration": "sometimes"}, "CommentModeration"},
		{"too short", map[string]string{"SigningSecret": "short"}, "MinLength"},
		{"pattern", map[string]string{"SigningSecret": secret, "StageName": "bad-name"}, "does not match"},
		{"number", map[string]string{"SigningSecret": secret, "CommentFloodSeconds": "soon"}, "not a number"},
		{"unknown", map[string]string{"SigningSecret": secret, "Nope": "x"}, "no such parameter"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tpl, err := Load("../../../template.yaml", Options{Parameters: tc.params})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one mentioning %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"https://a.example", "https://b.example"}
			if got := tpl.HttpAPIs["Api"].Cors.AllowOrigins; !reflect.DeepEqual(got, want) {
				t.Fatalf("AllowOrigins = %v, want %v", got, want)
			}
		})
	}
}

func TestFunctionsMergeGlobals(t *testing.T) {
	tpl := loadReal(t, nil)
	want := map[string]struct {
		codeUri string
		timeout int
		env     map[string]string
	}{
		"ArticlesFunction": {"functions/articles", 10, map[string]string{"TABLE_NAME": "local-table", "LOG_LEVEL": "INFO", "SIGNING_SECRET": secret}},
		"CommentsFunction": {"functions/comments", 10, map[string]string{"TABLE_NAME": "local-table", "LOG_LEVEL": "INFO", "SIGNING_SECRET": secret, "COMMENT_MODERATION": "first-time", "COMMENT_FLOOD_SECONDS": "15", "EDGE_ORIGIN_SECRET": "",
			"COMMENT_VERIFICATION": "on", "MAIL_FROM": "", "SES_CONFIGURATION_SET": "", "SITE_NAME": "Broadsheet", "SITE_URL": "", "PUBLIC_API_URL": ""}},
		"SearchFunction": {"functions/search", 10, map[string]string{"TABLE_NAME": "local-table", "LOG_LEVEL": "INFO", "SIGNING_SECRET": secret}},
		"EditorFunction": {"functions/editor", 10, map[string]string{"TABLE_NAME": "local-table", "LOG_LEVEL": "INFO", "SIGNING_SECRET": secret,
			"COMMENT_VERIFICATION": "on", "MAIL_FROM": "", "SES_CONFIGURATION_SET": "", "SITE_NAME": "Broadsheet", "SITE_URL": "", "PUBLIC_API_URL": ""}},
		"IndexerFunction": {"functions/indexer", 60, map[string]string{"TABLE_NAME": "local-table", "LOG_LEVEL": "INFO", "INDEXER_PARALLEL": "4", "SITE_LANGUAGE": "en"}},
		"PagesFunction": {"functions/pages", 10, map[string]string{"TABLE_NAME": "local-table", "LOG_LEVEL": "INFO", "SITE_URL": "", "SITE_NAME": "Broadsheet",
			"SITE_DESCRIPTION": "The latest news, analysis and comment.", "ASSETS_URL": "", "PUBLIC_API_URL": "", "SITE_LANGUAGE": "en", "FEED_CONTENT": "summary"}},
	}
	if len(tpl.Functions) != len(want) {
		t.Fatalf("functions = %d, want %d", len(tpl.Functions), len(want))
	}
	for id, w := range want {
		f := tpl.Functions[id]
		if f == nil {
			t.Fatalf("function %s missing", id)
		}
		if f.CodeUri != w.codeUri || f.Timeout != w.timeout || f.MemorySize != 256 || f.Handler != "bootstrap" || f.Runtime != "provided.al2023" {
			t.Errorf("%s = %+v", id, f)
		}
		if !reflect.DeepEqual(f.Environment, w.env) {
			t.Errorf("%s env = %v, want %v", id, f.Environment, w.env)
		}
		if !reflect.DeepEqual(f.Architectures, []string{"arm64"}) {
			t.Errorf("%s architectures = %v", id, f.Architectures)
		}
		if f.Policies == nil {
			t.Errorf("%s has no policies", id)
		}
		if tpl.FunctionByCodeUri(w.codeUri) != f {
			t.Errorf("FunctionByCodeUri(%s) wrong", w.codeUri)
		}
	}
	// Intrinsics inside policies are resolved against the local table.
	pol := tpl.Functions["ArticlesFunction"].Policies.([]any)[0].(map[string]any)
	res := pol["Statement"].([]any)[0].(map[string]any)["Resource"].([]any)
	if res[0] != "arn:aws:dynamodb:us-east-1:123456789012:table/local-table" || res[1] != "arn:aws:dynamodb:us-east-1:123456789012:table/local-table/index/*" {
		t.Fatalf("policy resources = %v", res)
	}
}

func TestRoutes(t *testing.T) {
	tpl := loadReal(t, nil)
	got := map[string]string{}
	for _, r := range tpl.Routes {
		if r.API != "Api" || r.PayloadFormatVersion != "2.0" {
			t.Errorf("route %+v", r)
		}
		// Every editor route, and only those, sits behind the JWT authorizer.
		if admin := strings.HasPrefix(r.Path, "/admin/"); admin != (r.Authorizer == "EditorJwt") {
			t.Errorf("route %s: authorizer %q", r.RouteKey(), r.Authorizer)
		}
		if tpl.Functions[r.Function] == nil {
			t.Errorf("route %s: unknown function %s", r.RouteKey(), r.Function)
		}
		got[r.RouteKey()] = r.Function
	}
	// The routes of the HTTP contract (API.md); the template may add more.
	want := map[string]string{
		"GET /articles":                  "ArticlesFunction",
		"GET /articles/{slug}":           "ArticlesFunction",
		"GET /articles/{slug}/comments":  "CommentsFunction",
		"POST /articles/{slug}/comments": "CommentsFunction",
		"GET /search":                    "SearchFunction",
		"GET /search/suggest":            "SearchFunction",
		"POST /admin/articles":           "EditorFunction",
		"GET /admin/articles":            "EditorFunction",
		"GET /admin/articles/{id}":       "EditorFunction",
		"PUT /admin/articles/{id}":       "EditorFunction",
		"DELETE /admin/articles/{id}":    "EditorFunction",
		"GET /admin/comments":            "EditorFunction",
		"PATCH /admin/comments/{id}":     "EditorFunction",
		"DELETE /admin/comments/{id}":    "EditorFunction",
	}
	for k, fn := range want {
		if got[k] != fn {
			t.Errorf("route %s -> %q, want %s", k, got[k], fn)
		}
	}
	// Routes come from the template's events, one per HttpApi event.
	n := 0
	for _, f := range tpl.Functions {
		for _, ev := range f.Events {
			if ev.(map[string]any)["Type"] == "HttpApi" {
				n++
			}
		}
	}
	if n != len(tpl.Routes) {
		t.Errorf("%d HttpApi events but %d routes", n, len(tpl.Routes))
	}
}

func TestHttpAPI(t *testing.T) {
	tpl := loadReal(t, nil)
	api := tpl.HttpAPIs["Api"]
	if api == nil || api.StageName != "prod" {
		t.Fatalf("api = %+v", api)
	}
	wantCors := &Cors{
		AllowOrigins:  []string{"http://127.0.0.1:3000", "http://localhost:3000"},
		AllowMethods:  []string{"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"},
		AllowHeaders:  []string{"authorization", "content-type", "if-match", "if-none-match", "idempotency-key"},
		ExposeHeaders: []string{"etag", "retry-after", "location"},
		MaxAge:        600,
	}
	if !reflect.DeepEqual(api.Cors, wantCors) {
		t.Fatalf("cors = %+v", api.Cors)
	}
	wantAuth := JWTAuthorizer{
		Name: "EditorJwt", IdentitySource: "$request.header.Authorization",
		Issuer:   "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_EXAMPLE",
		Audience: []string{"broadsheet-editors"},
	}
	if got := api.Authorizers["EditorJwt"]; !reflect.DeepEqual(got, wantAuth) {
		t.Fatalf("authorizer = %+v", got)
	}
	over, err := Load("../../../template.yaml", Options{Parameters: map[string]string{
		"SigningSecret": secret, "JwtIssuer": "http://local", "JwtAudience": "a,b"}})
	if err != nil {
		t.Fatal(err)
	}
	if a := over.HttpAPIs["Api"].Authorizers["EditorJwt"]; a.Issuer != "http://local" || !reflect.DeepEqual(a.Audience, []string{"a", "b"}) {
		t.Fatalf("overridden authorizer = %+v", a)
	}
}

func TestStreams(t *testing.T) {
	tpl := loadReal(t, nil)
	if len(tpl.Streams) != 1 {
		t.Fatalf("streams = %+v", tpl.Streams)
	}
	s := tpl.Streams[0]
	want := StreamSource{
		EventName: "TableStream", Function: "IndexerFunction", Table: "Table",
		Stream:                       "arn:aws:dynamodb:us-east-1:123456789012:table/local-table/stream/local",
		StartingPosition:             "TRIM_HORIZON",
		BatchSize:                    100,
		MaximumBatchingWindowSeconds: 1,
		MaximumRetryAttempts:         5,
		MaximumRecordAgeSeconds:      -1,
		BisectBatchOnFunctionError:   true,
		FunctionResponseTypes:        []string{"ReportBatchItemFailures"},
		FilterPatterns:               []string{`{"dynamodb": {"Keys": {"pk": {"S": [{"prefix": "ARTICLE#"}]}}}}`},
		Enabled:                      true,
		OnFailureDestination:         "arn:aws:sqs:us-east-1:123456789012:IndexerFailures",
	}
	if !reflect.DeepEqual(s, want) {
		t.Fatalf("stream source =\n%+v\nwant\n%+v", s, want)
	}
	if !s.ReportBatchItemFailures() {
		t.Fatal("ReportBatchItemFailures() = false")
	}
}

func TestTableDefinition(t *testing.T) {
	tpl := loadReal(t, nil)
	in := tpl.Table.CreateTableInput("x")
	if aws.ToString(in.TableName) != "x" || in.BillingMode != types.BillingModePayPerRequest {
		t.Fatalf("input = %+v", in)
	}
	if len(in.AttributeDefinitions) != 8 || len(in.KeySchema) != 2 || aws.ToString(in.KeySchema[0].AttributeName) != "pk" || in.KeySchema[1].KeyType != types.KeyTypeRange {
		t.Fatalf("keys = %+v / %+v", in.AttributeDefinitions, in.KeySchema)
	}
	if len(in.GlobalSecondaryIndexes) != 3 {
		t.Fatalf("gsis = %d", len(in.GlobalSecondaryIndexes))
	}
	g2 := in.GlobalSecondaryIndexes[1]
	if aws.ToString(g2.IndexName) != "gsi2" || g2.Projection.ProjectionType != types.ProjectionTypeInclude || len(g2.Projection.NonKeyAttributes) != 9 {
		t.Fatalf("gsi2 = %+v", g2)
	}
	if in.StreamSpecification == nil || in.StreamSpecification.StreamViewType != types.StreamViewTypeNewAndOldImages {
		t.Fatalf("stream = %+v", in.StreamSpecification)
	}
	if tpl.Table.TTLAttribute != "expiresAt" {
		t.Fatalf("ttl = %q", tpl.Table.TTLAttribute)
	}
	// Copies are independent.
	in.GlobalSecondaryIndexes = nil
	if len(tpl.Table.CreateTableInput("y").GlobalSecondaryIndexes) != 3 {
		t.Fatal("CreateTableInput shares state")
	}
}

func TestInlineTemplate(t *testing.T) {
	const src = `
Transform: AWS::Serverless-2016-10-31
Parameters:
  Env: {Type: String, Default: dev}
Globals:
  Function:
    Timeout: 5
    Environment: {Variables: {A: global, B: !Ref Env}}
Resources:
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        DefaultAuthorizer: Jwt
        Authorizers:
          Jwt: {JwtConfiguration: {issuer: !Sub "https://${Env}.example/${!Literal}", audience: [x]}}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: ./functions/fn/
      Handler: bootstrap
      Runtime: provided.al2023
      Timeout: 7
      Environment: {Variables: {A: own, REGION: !Ref "AWS::Region", Q: !GetAtt Q.Arn}}
      Events:
        Private: {Type: HttpApi, Properties: {ApiId: !Ref Api, Method: get, Path: /p}}
        Public: {Type: HttpApi, Properties: {ApiId: !Ref Api, Method: GET, Path: /o, Auth: {Authorizer: NONE}}}
        Implicit: {Type: HttpApi, Properties: {Path: "/x/{proxy+}"}}
  Q: {Type: AWS::SQS::Queue}
`
	tpl, err := Parse([]byte(src), Options{Region: "eu-west-1"})
	if err != nil {
		t.Fatal(err)
	}
	f := tpl.Functions["Fn"]
	wantEnv := map[string]string{"A": "own", "B": "dev", "REGION": "eu-west-1", "Q": "arn:aws:sqs:eu-west-1:123456789012:Q"}
	if !reflect.DeepEqual(f.Environment, wantEnv) || f.Timeout != 7 || f.MemorySize != 128 || f.CodeUri != "functions/fn" {
		t.Fatalf("fn = %+v", f)
	}
	if tpl.Table != nil {
		t.Fatal("unexpected table")
	}
	if iss := tpl.HttpAPIs["Api"].Authorizers["Jwt"].Issuer; iss != "https://dev.example/${Literal}" {
		t.Fatalf("issuer = %q", iss)
	}
	got := map[string]Route{}
	for _, r := range tpl.Routes {
		got[r.EventName] = r
	}
	if r := got["Private"]; r.Method != "GET" || r.Authorizer != "Jwt" {
		t.Errorf("Private = %+v", r)
	}
	if r := got["Public"]; r.Authorizer != "" {
		t.Errorf("Public = %+v", r)
	}
	if r := got["Implicit"]; r.Method != "ANY" || r.API != ImplicitHttpAPI || r.Authorizer != "" {
		t.Errorf("Implicit = %+v", r)
	}

	if _, err := Parse([]byte(strings.Replace(src, "!Ref Env}", "!Ref Missing}", 1)), Options{}); err == nil || !strings.Contains(err.Error(), "Missing") {
		t.Fatalf("unresolvable Ref: err = %v", err)
	}
}
