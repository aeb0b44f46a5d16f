// Package samtemplate reads the SAM template (template.yaml) with goformation
// and exposes what the local runtime needs: parameters, the table definition,
// functions with merged Globals, HttpApi routes, CORS, JWT authorizers and
// DynamoDB stream event sources.
//
// It is local-only tooling (goformation is heavy): no Lambda function may import it.
package samtemplate

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/awslabs/goformation/v7"
	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/intrinsics"
)

// Options control how intrinsics are resolved.
type Options struct {
	// TableName is what Ref to the template's DynamoDB table resolves to.
	// Default: the table's TableName property, else its logical id.
	TableName string
	// Parameters override parameter defaults (like sam deploy --parameter-overrides).
	// CommaDelimitedList values are given comma-separated.
	Parameters map[string]string
	// Region and AccountID for pseudo parameters and ARNs. Defaults us-east-1 and 123456789012.
	Region    string
	AccountID string
	// StackName for AWS::StackName. Default "broadsheet-local".
	StackName string
}

// Parameter is a template parameter.
type Parameter struct {
	Name           string
	Type           string
	Default        *string // nil when the template gives none
	NoEcho         bool
	AllowedValues  []string
	AllowedPattern string
	MinLength      *int
	MaxLength      *int
	Description    string
}

// Function is an AWS::Serverless::Function with Globals merged in.
type Function struct {
	LogicalID     string
	CodeUri       string
	Handler       string
	Runtime       string
	Architectures []string
	Timeout       int // seconds
	MemorySize    int // MB
	Description   string
	// Environment holds the merged (Globals, then function) and resolved variables.
	Environment map[string]string
	// Policies is the raw, resolved Policies property (for tests).
	Policies any
	// Events is the raw, resolved Events property keyed by event name.
	Events map[string]any
}

// Route is one HttpApi event of a function.
type Route struct {
	EventName            string
	Function             string // LogicalID
	Method               string // upper case; "ANY" for any method
	Path                 string // e.g. /articles/{slug}
	API                  string // LogicalID of the AWS::Serverless::HttpApi ("ServerlessHttpApi" when implicit)
	Authorizer           string // authorizer name, "" when the route is public
	AuthorizationScopes  []string
	PayloadFormatVersion string
	TimeoutInMillis      int
}

// RouteKey returns the API Gateway route key, e.g. "GET /articles/{slug}".
func (r Route) RouteKey() string { return r.Method + " " + r.Path }

// Cors is an HttpApi CorsConfiguration.
type Cors struct {
	AllowOrigins     []string
	AllowMethods     []string
	AllowHeaders     []string
	ExposeHeaders    []string
	MaxAge           int
	AllowCredentials bool
}

// JWTAuthorizer is an HttpApi JWT authorizer.
type JWTAuthorizer struct {
	Name           string
	IdentitySource string
	Issuer         string
	Audience       []string
}

// HttpAPI is an AWS::Serverless::HttpApi resource.
type HttpAPI struct {
	LogicalID         string
	StageName         string
	Cors              *Cors // nil without CorsConfiguration
	DefaultAuthorizer string
	Authorizers       map[string]JWTAuthorizer
}

// StreamSource is a DynamoDB event source of a function.
type StreamSource struct {
	EventName                    string
	Function                     string // LogicalID
	Table                        string // LogicalID of the table whose stream it reads ("" if unknown)
	Stream                       string // resolved Stream property
	StartingPosition             string // TRIM_HORIZON or LATEST
	BatchSize                    int    // default 100
	MaximumBatchingWindowSeconds int
	MaximumRetryAttempts         int // -1: infinite (the AWS default)
	MaximumRecordAgeSeconds      int // -1: infinite
	BisectBatchOnFunctionError   bool
	FunctionResponseTypes        []string
	FilterPatterns               []string // raw JSON patterns
	Enabled                      bool
	OnFailureDestination         string // resolved, informational
}

// ReportBatchItemFailures reports whether FunctionResponseTypes has it.
func (s StreamSource) ReportBatchItemFailures() bool {
	for _, t := range s.FunctionResponseTypes {
		if t == "ReportBatchItemFailures" {
			return true
		}
	}
	return false
}

// Template is the parsed template.
type Template struct {
	Parameters map[string]Parameter
	// Values are the effective parameter values (override, else default);
	// lists comma-joined. Parameters without a value are absent.
	Values    map[string]string
	Functions map[string]*Function
	Routes    []Route
	HttpAPIs  map[string]*HttpAPI
	Streams   []StreamSource
	Table     *Table
	Region    string
	AccountID string

	raw *cloudformation.Template
}

// Raw returns the goformation template (intrinsics resolved).
func (t *Template) Raw() *cloudformation.Template { return t.raw }

// MissingParameters lists parameters that have neither a default nor an override.
func (t *Template) MissingParameters() []string {
	var out []string
	for name := range t.Parameters {
		if _, ok := t.Values[name]; !ok {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// FunctionByCodeUri returns the function with that CodeUri.
func (t *Template) FunctionByCodeUri(codeUri string) *Function {
	for _, f := range t.Functions {
		if f.CodeUri == codeUri {
			return f
		}
	}
	return nil
}

// Load reads and parses a template file.
func Load(path string, opts Options) (*Template, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	t, err := Parse(data, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// Parse parses template YAML (or JSON).
func Parse(data []byte, opts Options) (*Template, error) {
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	if opts.AccountID == "" {
		opts.AccountID = "123456789012"
	}
	if opts.StackName == "" {
		opts.StackName = "broadsheet-local"
	}
	// First pass with goformation's default intrinsics: parameters, resource
	// types and table names are all the resolver needs.
	first, err := intrinsics.ProcessYAML(data, nil)
	if err != nil {
		return nil, fmt.Errorf("parse template: %w", err)
	}
	var bare struct {
		Parameters cloudformation.Parameters `json:"Parameters"`
		Resources  map[string]struct {
			Type       string `json:"Type"`
			Properties struct {
				TableName any `json:"TableName"`
			} `json:"Properties"`
		} `json:"Resources"`
	}
	if err := json.Unmarshal(first, &bare); err != nil {
		return nil, fmt.Errorf("parse template: %w", err)
	}
	r := &resolver{opts: opts, types: map[string]string{}, params: map[string]Parameter{}, values: map[string]any{}, tableNames: map[string]string{}}
	for name, res := range bare.Resources {
		r.types[name] = res.Type
		if res.Type != "AWS::DynamoDB::Table" {
			continue
		}
		switch tn, _ := res.Properties.TableName.(string); {
		case opts.TableName != "":
			r.tableNames[name] = opts.TableName
		case tn != "":
			r.tableNames[name] = tn
		default:
			r.tableNames[name] = name
		}
	}
	if err := r.loadParameters(bare.Parameters); err != nil {
		return nil, err
	}
	if err := r.loadConditions(data); err != nil {
		return nil, err
	}

	processed, err := intrinsics.ProcessYAML(data, &intrinsics.ProcessorOptions{
		IntrinsicHandlerOverrides: map[string]intrinsics.IntrinsicHandler{
			"Ref":        r.ref,
			"Fn::GetAtt": r.getAtt,
			"Fn::Sub":    r.sub,
			"Fn::If":     r.fnIf,
		},
	})
	if err != nil {
		return nil, fmt.Errorf("resolve intrinsics: %w", err)
	}
	if len(r.errs) > 0 {
		return nil, fmt.Errorf("resolve intrinsics: %s", strings.Join(r.errs, "; "))
	}
	cfn, err := goformation.ParseJSONWithOptions(processed, &intrinsics.ProcessorOptions{NoProcess: true})
	if err != nil {
		return nil, fmt.Errorf("parse resolved template: %w", err)
	}
	// goformation drops what its types do not know (FilterCriteria,
	// FunctionResponseTypes, event properties of unknown shape): keep a
	// generic view of the resolved template as well.
	var raw rawTemplate
	if err := json.Unmarshal(processed, &raw); err != nil {
		return nil, fmt.Errorf("parse resolved template: %w", err)
	}

	t := &Template{
		Parameters: r.params,
		Values:     map[string]string{},
		Functions:  map[string]*Function{},
		HttpAPIs:   map[string]*HttpAPI{},
		Region:     opts.Region,
		AccountID:  opts.AccountID,
		raw:        cfn,
	}
	for name, v := range r.values {
		t.Values[name] = valueString(v)
	}
	if err := t.loadTable(cfn, r); err != nil {
		return nil, err
	}
	if err := t.loadHttpAPIs(cfn, raw); err != nil {
		return nil, err
	}
	if err := t.loadFunctions(cfn, raw, r); err != nil {
		return nil, err
	}
	return t, nil
}

type rawTemplate struct {
	Globals   map[string]map[string]any `json:"Globals"`
	Resources map[string]struct {
		Type       string         `json:"Type"`
		Properties map[string]any `json:"Properties"`
	} `json:"Resources"`
}

// loadConditions reads the Conditions section unprocessed (intrinsics as
// written), for the evaluator to resolve with the local parameter values.
func (r *resolver) loadConditions(data []byte) error {
	unprocessed, err := intrinsics.ProcessYAML(data, &intrinsics.ProcessorOptions{NoProcess: true})
	if err != nil {
		return fmt.Errorf("parse template: %w", err)
	}
	var doc struct {
		Conditions map[string]any `json:"Conditions"`
	}
	if err := json.Unmarshal(unprocessed, &doc); err != nil {
		return fmt.Errorf("parse template: %w", err)
	}
	r.conditions = &conditionEvaluator{defs: doc.Conditions, done: map[string]bool{}, active: map[string]bool{}, ref: r.lookup}
	for name := range doc.Conditions {
		if _, err := r.conditions.named(name); err != nil {
			return fmt.Errorf("template Conditions: %w", err)
		}
	}
	return nil
}

// resolver implements Ref, Fn::GetAtt, Fn::Sub and Fn::If for the local runtime.
type resolver struct {
	opts       Options
	types      map[string]string // logical id -> resource type
	tableNames map[string]string // table logical id -> local table name
	params     map[string]Parameter
	values     map[string]any // parameter name -> string or []any (lists)
	conditions *conditionEvaluator
	errs       []string
}

func (r *resolver) loadParameters(ps cloudformation.Parameters) error {
	for name, p := range ps {
		param := Parameter{Name: name, Type: p.Type, NoEcho: p.NoEcho != nil && *p.NoEcho, MinLength: p.MinLength, MaxLength: p.MaxLength}
		if p.Description != nil {
			param.Description = *p.Description
		}
		if p.AllowedPattern != nil {
			param.AllowedPattern = *p.AllowedPattern
		}
		for _, v := range p.AllowedValues {
			param.AllowedValues = append(param.AllowedValues, valueString(v))
		}
		if p.Default != nil {
			d := valueString(p.Default)
			param.Default = &d
		}
		r.params[name] = param
		var val *string
		if o, ok := r.opts.Parameters[name]; ok {
			val = &o
		} else if param.Default != nil {
			val = param.Default
		}
		if val == nil {
			continue
		}
		if err := param.Validate(*val); err != nil {
			return err
		}
		if isListType(p.Type) {
			var items []any
			for _, s := range strings.Split(*val, ",") {
				items = append(items, strings.TrimSpace(s))
			}
			r.values[name] = items
		} else {
			r.values[name] = *val
		}
	}
	for name := range r.opts.Parameters {
		if _, ok := r.params[name]; !ok {
			return fmt.Errorf("parameter override %q: no such parameter in the template", name)
		}
	}
	return nil
}

// Validate checks a value against the parameter's constraints.
func (p Parameter) Validate(v string) error {
	if len(p.AllowedValues) > 0 {
		ok := false
		for _, a := range p.AllowedValues {
			ok = ok || a == v
		}
		if !ok {
			return fmt.Errorf("parameter %s: %q is not one of %v", p.Name, v, p.AllowedValues)
		}
	}
	if p.MinLength != nil && len(v) < *p.MinLength {
		return fmt.Errorf("parameter %s: shorter than MinLength %d", p.Name, *p.MinLength)
	}
	if p.MaxLength != nil && len(v) > *p.MaxLength {
		return fmt.Errorf("parameter %s: longer than MaxLength %d", p.Name, *p.MaxLength)
	}
	if p.AllowedPattern != "" {
		re, err := regexp.Compile(p.AllowedPattern)
		if err != nil {
			return fmt.Errorf("parameter %s: AllowedPattern: %w", p.Name, err)
		}
		if !re.MatchString(v) {
			return fmt.Errorf("parameter %s: %q does not match %s", p.Name, v, p.AllowedPattern)
		}
	}
	if p.Type == "Number" {
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			return fmt.Errorf("parameter %s: %q is not a number", p.Name, v)
		}
	}
	return nil
}

func isListType(t string) bool {
	return t == "CommaDelimitedList" || strings.HasPrefix(t, "List<")
}

func valueString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int:
		return strconv.Itoa(x)
	case bool:
		return strconv.FormatBool(x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = valueString(e)
		}
		return strings.Join(parts, ",")
	case []string:
		return strings.Join(x, ",")
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}

func (r *resolver) ref(_ string, input any, _ any) any {
	name, ok := input.(string)
	if !ok {
		r.errs = append(r.errs, fmt.Sprintf("Ref: unexpected argument %v", input))
		return nil
	}
	v, ok := r.lookup(name)
	if !ok {
		r.errs = append(r.errs, fmt.Sprintf("Ref %s: unknown parameter or resource", name))
	}
	return v
}

// lookup resolves a Ref target: pseudo parameter, parameter or resource.
func (r *resolver) lookup(name string) (any, bool) {
	switch name {
	case "AWS::Region":
		return r.opts.Region, true
	case "AWS::AccountId":
		return r.opts.AccountID, true
	case "AWS::Partition":
		return "aws", true
	case "AWS::URLSuffix":
		return "amazonaws.com", true
	case "AWS::StackName":
		return r.opts.StackName, true
	case "AWS::StackId":
		return fmt.Sprintf("arn:aws:cloudformation:%s:%s:stack/%s/local", r.opts.Region, r.opts.AccountID, r.opts.StackName), true
	case "AWS::NoValue":
		return nil, true
	case "AWS::NotificationARNs":
		return []any{}, true
	}
	if _, ok := r.params[name]; ok {
		v, has := r.values[name]
		if !has {
			return "", true // reported by MissingParameters
		}
		return v, true
	}
	if typ, ok := r.types[name]; ok {
		switch typ {
		case "AWS::DynamoDB::Table":
			return r.tableNames[name], true
		case "AWS::SQS::Queue":
			return fmt.Sprintf("https://sqs.%s.amazonaws.com/%s/%s", r.opts.Region, r.opts.AccountID, name), true
		}
		// Api ids, function names etc.: the logical id stands in for the physical id.
		return name, true
	}
	return "", false
}

func (r *resolver) getAtt(_ string, input any, _ any) any {
	var res, attr string
	switch x := input.(type) {
	case string:
		res, attr, _ = strings.Cut(x, ".")
	case []any:
		if len(x) == 2 {
			res, _ = x[0].(string)
			attr, _ = x[1].(string)
		}
	}
	v, ok := r.attribute(res, attr)
	if !ok {
		r.errs = append(r.errs, fmt.Sprintf("Fn::GetAtt %v: unknown resource", input))
	}
	return v
}

func (r *resolver) attribute(res, attr string) (string, bool) {
	typ, ok := r.types[res]
	if !ok {
		return "", false
	}
	region, acct := r.opts.Region, r.opts.AccountID
	switch typ {
	case "AWS::DynamoDB::Table":
		arn := fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/%s", region, acct, r.tableNames[res])
		switch attr {
		case "Arn":
			return arn, true
		case "StreamArn":
			return arn + "/stream/" + LocalStreamLabel, true
		}
	case "AWS::SQS::Queue":
		switch attr {
		case "Arn":
			return fmt.Sprintf("arn:aws:sqs:%s:%s:%s", region, acct, res), true
		case "QueueName":
			return res, true
		case "QueueUrl":
			return fmt.Sprintf("https://sqs.%s.amazonaws.com/%s/%s", region, acct, res), true
		}
	case "AWS::Serverless::Function", "AWS::Lambda::Function":
		if attr == "Arn" {
			return fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", region, acct, res), true
		}
	}
	return fmt.Sprintf("arn:aws:local:%s:%s:%s/%s", region, acct, res, attr), true
}

// LocalStreamLabel stands in for the stream label in GetAtt Table.StreamArn:
// the real label is only known once the local table exists.
const LocalStreamLabel = "local"

var subVar = regexp.MustCompile(`\$\{([^}]*)\}`)

func (r *resolver) sub(_ string, input any, _ any) any {
	var format string
	vars := map[string]any{}
	switch x := input.(type) {
	case string:
		format = x
	case []any:
		if len(x) >= 1 {
			format, _ = x[0].(string)
		}
		if len(x) == 2 {
			if m, ok := x[1].(map[string]any); ok {
				vars = m
			}
		}
	default:
		r.errs = append(r.errs, fmt.Sprintf("Fn::Sub: unexpected argument %v", input))
		return nil
	}
	return subVar.ReplaceAllStringFunc(format, func(m string) string {
		name := m[2 : len(m)-1]
		if strings.HasPrefix(name, "!") {
			return "${" + name[1:] + "}"
		}
		if v, ok := vars[name]; ok {
			return valueString(v)
		}
		if res, attr, ok := strings.Cut(name, "."); ok && !strings.Contains(res, "::") {
			if v, ok := r.attribute(res, attr); ok {
				return v
			}
		} else if v, ok := r.lookup(name); ok {
			return valueString(v)
		}
		r.errs = append(r.errs, fmt.Sprintf("Fn::Sub: cannot resolve ${%s}", name))
		return ""
	})
}
