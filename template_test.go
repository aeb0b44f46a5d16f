package broadsheet_test

// These tests read template.yaml and hold it to the code: a route, a policy
// or an environment variable that exists on one side only fails here, not in
// a deployment.

import (
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"broadsheet/internal/apigw"
	"broadsheet/internal/handlers/articles"
	"broadsheet/internal/handlers/comments"
	"broadsheet/internal/handlers/editor"
	"broadsheet/internal/handlers/pages"
	"broadsheet/internal/handlers/search"
	"broadsheet/internal/testkit/dynamotest"
)

// codeRoutes lists the routes each function's code serves, by CodeUri.
var codeRoutes = map[string]apigw.Router{
	"functions/articles": (&articles.Handler{}).Router(),
	"functions/comments": (&comments.Handler{}).Router(),
	"functions/editor":   (&editor.Handler{}).Router(),
	"functions/search":   (&search.Handler{}).Router(),
	"functions/indexer":  {}, // stream-triggered: no routes
	"functions/pages":    (&pages.Handler{}).Router(),
}

func TestFunctionsAreLambdaMains(t *testing.T) {
	tpl := dynamotest.Template(t)
	for id, fn := range tpl.Functions {
		t.Run(id, func(t *testing.T) {
			if !regexp.MustCompile(`^functions/[a-z]+$`).MatchString(fn.CodeUri) {
				t.Fatalf("CodeUri %q is not functions/<name>", fn.CodeUri)
			}
			if fn.Runtime != "provided.al2023" || fn.Handler != "bootstrap" || !slices.Equal(fn.Architectures, []string{"arm64"}) {
				t.Errorf("runtime %s handler %s arch %v", fn.Runtime, fn.Handler, fn.Architectures)
			}
			src, err := os.ReadFile(filepath.Join(fn.CodeUri, "main.go"))
			if err != nil {
				t.Fatal(err)
			}
			f, err := parser.ParseFile(token.NewFileSet(), "main.go", src, 0)
			if err != nil {
				t.Fatal(err)
			}
			if f.Name.Name != "main" {
				t.Errorf("package %s, want main", f.Name.Name)
			}
			if !strings.Contains(string(src), "lambda.Start(") {
				t.Error("main.go does not end in lambda.Start")
			}
			if lines := strings.Count(string(src), "\n"); lines > 30 {
				t.Errorf("main.go has %d lines: wiring belongs in a few lines", lines)
			}
		})
	}
}

func TestRoutesMatchCode(t *testing.T) {
	tpl := dynamotest.Template(t)
	inTemplate := map[string]string{} // route key → CodeUri
	for _, r := range tpl.Routes {
		fn := tpl.Functions[r.Function]
		inTemplate[r.RouteKey()] = fn.CodeUri
		admin := strings.HasPrefix(r.Path, "/admin/")
		if admin && r.Authorizer != "EditorJwt" {
			t.Errorf("%s: editor route without the JWT authorizer", r.RouteKey())
		}
		if !admin && r.Authorizer != "" {
			t.Errorf("%s: public route behind an authorizer", r.RouteKey())
		}
		if r.PayloadFormatVersion != "" && r.PayloadFormatVersion != "2.0" {
			t.Errorf("%s: payload format %s", r.RouteKey(), r.PayloadFormatVersion)
		}
	}
	inCode := map[string]string{}
	for uri, router := range codeRoutes {
		if tpl.FunctionByCodeUri(uri) == nil {
			t.Errorf("code for %s has no function in the template", uri)
		}
		for key := range router {
			inCode[key] = uri
		}
	}
	for key, uri := range inTemplate {
		if _, known := codeRoutes[uri]; !known {
			t.Errorf("%s routes to %s, whose routes this test does not know: add it to codeRoutes", key, uri)
			continue
		}
		if inCode[key] != uri {
			t.Errorf("template routes %s to %s, but that code does not serve it", key, uri)
		}
	}
	for key, uri := range inCode {
		if inTemplate[key] != uri {
			t.Errorf("%s serves %s, but the template does not route it there", uri, key)
		}
	}
}

// allowedActions is the least each function needs, by CodeUri. Writes to the
// table by functions other than the editor are further limited by key prefix.
var allowedActions = map[string][]string{
	"functions/articles": {"dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:Query"},
	"functions/pages":    {"dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:Query"},
	"functions/search":   {"dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:Query"},
	"functions/editor": {"dynamodb:BatchGetItem", "dynamodb:ConditionCheckItem", "dynamodb:DeleteItem", "dynamodb:GetItem",
		"dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem", "ses:SendEmail", "ses:SendRawEmail"},
	"functions/comments": {"dynamodb:BatchGetItem", "dynamodb:ConditionCheckItem", "dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem",
		"dynamodb:Query", "dynamodb:UpdateItem", "ses:SendEmail", "ses:SendRawEmail"},
	"functions/indexer": {"dynamodb:BatchGetItem", "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem", "dynamodb:DeleteItem",
		"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem", "sqs:SendMessage"},
}

var writeActions = []string{"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"}

func TestPoliciesAreLeast(t *testing.T) {
	tpl := dynamotest.Template(t)
	for id, fn := range tpl.Functions {
		t.Run(id, func(t *testing.T) {
			want, ok := allowedActions[fn.CodeUri]
			if !ok {
				t.Fatalf("no expected policy for %s", fn.CodeUri)
			}
			var got []string
			for _, st := range statements(fn.Policies) {
				actions := strings.Fields(strings.Join(stringsOf(st["Action"]), " "))
				for _, a := range actions {
					if strings.Contains(a, "*") {
						t.Errorf("wildcard action %s", a)
					}
					got = append(got, a)
				}
				if st["Effect"] != "Allow" {
					continue
				}
				if fn.CodeUri != "functions/editor" && overlaps(actions, writeActions) {
					cond, _ := st["Condition"].(map[string]any)
					like, _ := cond["ForAllValues:StringLike"].(map[string]any)
					if len(stringsOf(like["dynamodb:LeadingKeys"])) == 0 {
						t.Errorf("table writes %v without a dynamodb:LeadingKeys condition", actions)
					}
				}
			}
			sort.Strings(got)
			got = slices.Compact(got)
			if !slices.Equal(got, want) {
				t.Errorf("actions %v, want exactly %v", got, want)
			}
		})
	}
}

func TestEnvironmentCoversWhatCodeReads(t *testing.T) {
	tpl := dynamotest.Template(t)
	// Lambda and the SDK provide the AWS_ ones; DYNAMODB_ENDPOINT,
	// SES_ENDPOINT, MAIL_DIR (the local .eml sink) and SEARCH_DEBUG_COST are
	// local-only switches that are off when unset.
	provided := map[string]bool{
		"AWS_REGION": true, "AWS_ACCESS_KEY_ID": true, "AWS_SECRET_ACCESS_KEY": true, "AWS_SESSION_TOKEN": true,
		"AWS_LAMBDA_FUNCTION_NAME": true, "DYNAMODB_ENDPOINT": true, "SEARCH_DEBUG_COST": true,
		"SES_ENDPOINT": true, "MAIL_DIR": true,
	}
	read := regexp.MustCompile(`(?:getenv|Getenv)\("([A-Z0-9_]+)"\)`)
	for id, fn := range tpl.Functions {
		t.Run(id, func(t *testing.T) {
			out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.Dir}}{{end}}", "./"+fn.CodeUri).Output()
			if err != nil {
				t.Fatal(err)
			}
			wd, _ := os.Getwd()
			for _, dir := range strings.Fields(string(out)) {
				if !strings.HasPrefix(dir, wd) {
					continue // third-party code reads only AWS_* variables
				}
				files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
				for _, file := range files {
					if strings.HasSuffix(file, "_test.go") {
						continue
					}
					src, _ := os.ReadFile(file)
					for _, m := range read.FindAllStringSubmatch(string(src), -1) {
						if _, ok := fn.Environment[m[1]]; !ok && !provided[m[1]] {
							rel, _ := filepath.Rel(wd, file)
							t.Errorf("%s reads %s, which the template does not set", rel, m[1])
						}
					}
				}
			}
		})
	}
}

func TestHeavyLibrariesStayOutOfFunctions(t *testing.T) {
	tpl := dynamotest.Template(t)
	heavy := []string{"github.com/awslabs/goformation", "github.com/getkin/kin-openapi", "github.com/chromedp", "broadsheet/internal/local/samtemplate", "broadsheet/internal/local/localapi"}
	for id, fn := range tpl.Functions {
		out, err := exec.Command("go", "list", "-deps", "./"+fn.CodeUri).Output()
		if err != nil {
			t.Fatal(err)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, h := range heavy {
				if strings.HasPrefix(dep, h) {
					t.Errorf("%s links %s", id, dep)
				}
			}
		}
	}
}

func TestTableAsDesigned(t *testing.T) {
	tpl := dynamotest.Template(t)
	in := tpl.Table.CreateTableInput("x")
	if in.BillingMode != "PAY_PER_REQUEST" || in.StreamSpecification == nil || in.StreamSpecification.StreamViewType != "NEW_AND_OLD_IMAGES" {
		t.Errorf("billing %s stream %+v", in.BillingMode, in.StreamSpecification)
	}
	var names []string
	for _, g := range in.GlobalSecondaryIndexes {
		names = append(names, *g.IndexName)
	}
	if !slices.Equal(names, []string{"gsi1", "gsi2", "gsi3"}) {
		t.Errorf("indexes %v", names)
	}
	table, err := tpl.Raw().GetDynamoDBTableWithName("Table")
	if err != nil {
		t.Fatal(err)
	}
	if table.AWSCloudFormationDeletionPolicy != "Retain" {
		t.Errorf("DeletionPolicy %q, want Retain", table.AWSCloudFormationDeletionPolicy)
	}
	if table.PointInTimeRecoverySpecification == nil || !*table.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled {
		t.Error("point-in-time recovery is off")
	}
	if table.SSESpecification == nil || !table.SSESpecification.SSEEnabled {
		t.Error("SSE is off")
	}
	if table.TimeToLiveSpecification == nil || table.TimeToLiveSpecification.AttributeName == nil || *table.TimeToLiveSpecification.AttributeName != "expiresAt" {
		t.Error("TTL is not on expiresAt")
	}
}

// statements flattens a SAM Policies property into IAM statements.
func statements(p any) []map[string]any {
	var out []map[string]any
	switch v := p.(type) {
	case []any:
		for _, e := range v {
			out = append(out, statements(e)...)
		}
	case map[string]any:
		if st, ok := v["Statement"]; ok {
			return statements(st)
		}
		if _, ok := v["Effect"]; ok {
			out = append(out, v)
		}
	}
	return out
}

func stringsOf(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, stringsOf(e)...)
		}
		return out
	case []string:
		return x
	}
	return nil
}

func overlaps(a, b []string) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}
