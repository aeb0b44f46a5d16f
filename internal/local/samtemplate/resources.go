package samtemplate

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/serverless"
)

// ImplicitHttpAPI is the logical id SAM gives the implicit HttpApi.
const ImplicitHttpAPI = "ServerlessHttpApi"

func (t *Template) loadFunctions(cfn *cloudformation.Template, raw rawTemplate, r *resolver) error {
	g, _ := cfn.GetServerlessGlobalFunction() // nil without Globals.Function
	for id, fn := range cfn.GetAllServerlessFunctionResources() {
		f := &Function{LogicalID: id, Environment: map[string]string{}, Events: map[string]any{}}
		// Globals first, the function's own properties override them.
		if g != nil {
			setStr(&f.Handler, g.Handler)
			setStr(&f.Runtime, g.Runtime)
			setInt(&f.Timeout, g.Timeout)
			setInt(&f.MemorySize, g.MemorySize)
			if g.Architectures != nil {
				f.Architectures = *g.Architectures
			}
			if g.CodeUri != nil && g.CodeUri.String != nil {
				f.CodeUri = *g.CodeUri.String
			}
			if g.Environment != nil {
				for k, v := range g.Environment.Variables {
					f.Environment[k] = v
				}
			}
		}
		setStr(&f.Handler, fn.Handler)
		setStr(&f.Runtime, fn.Runtime)
		setStr(&f.Description, fn.Description)
		setInt(&f.Timeout, fn.Timeout)
		setInt(&f.MemorySize, fn.MemorySize)
		if len(fn.Architectures) > 0 {
			f.Architectures = fn.Architectures
		}
		if fn.CodeUri != nil && fn.CodeUri.String != nil {
			f.CodeUri = *fn.CodeUri.String
		}
		if fn.Environment != nil {
			for k, v := range fn.Environment.Variables {
				f.Environment[k] = v
			}
		}
		// Lambda's defaults.
		if f.Timeout == 0 {
			f.Timeout = 3
		}
		if f.MemorySize == 0 {
			f.MemorySize = 128
		}
		if len(f.Architectures) == 0 {
			f.Architectures = []string{"x86_64"}
		}
		f.CodeUri = strings.TrimSuffix(strings.TrimPrefix(f.CodeUri, "./"), "/")

		props := raw.Resources[id].Properties
		f.Policies = props["Policies"]
		events, _ := props["Events"].(map[string]any)
		names := make([]string, 0, len(events))
		for name := range events {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			f.Events[name] = events[name]
			ev, _ := events[name].(map[string]any)
			typ, _ := ev["Type"].(string)
			p, _ := ev["Properties"].(map[string]any)
			switch typ {
			case "HttpApi":
				route, err := t.httpAPIRoute(id, name, p)
				if err != nil {
					return err
				}
				t.Routes = append(t.Routes, route)
			case "DynamoDB":
				src, err := t.streamSource(id, name, p, r)
				if err != nil {
					return err
				}
				t.Streams = append(t.Streams, src)
			}
		}
		t.Functions[id] = f
	}
	sort.Slice(t.Routes, func(i, j int) bool {
		if t.Routes[i].Path != t.Routes[j].Path {
			return t.Routes[i].Path < t.Routes[j].Path
		}
		return t.Routes[i].Method < t.Routes[j].Method
	})
	sort.Slice(t.Streams, func(i, j int) bool {
		return t.Streams[i].Function+t.Streams[i].EventName < t.Streams[j].Function+t.Streams[j].EventName
	})
	seen := map[string]string{}
	for _, rt := range t.Routes {
		k := rt.API + " " + rt.RouteKey()
		if prev, ok := seen[k]; ok {
			return fmt.Errorf("route %s declared twice (%s and %s.%s)", rt.RouteKey(), prev, rt.Function, rt.EventName)
		}
		seen[k] = rt.Function + "." + rt.EventName
	}
	return nil
}

func (t *Template) httpAPIRoute(fn, event string, p map[string]any) (Route, error) {
	rt := Route{
		EventName:            event,
		Function:             fn,
		Method:               strings.ToUpper(str(p["Method"])),
		Path:                 str(p["Path"]),
		API:                  str(p["ApiId"]),
		PayloadFormatVersion: str(p["PayloadFormatVersion"]),
	}
	if rt.Method == "" {
		rt.Method = "ANY"
	}
	if rt.Path == "" {
		rt.Path = "$default"
	}
	if rt.PayloadFormatVersion == "" {
		rt.PayloadFormatVersion = "2.0"
	}
	if v, ok := p["TimeoutInMillis"].(float64); ok {
		rt.TimeoutInMillis = int(v)
	}
	if rt.API == "" {
		rt.API = ImplicitHttpAPI
		if _, ok := t.HttpAPIs[ImplicitHttpAPI]; !ok {
			t.HttpAPIs[ImplicitHttpAPI] = &HttpAPI{LogicalID: ImplicitHttpAPI, StageName: "$default", Authorizers: map[string]JWTAuthorizer{}}
		}
	}
	api, ok := t.HttpAPIs[rt.API]
	if !ok {
		return rt, fmt.Errorf("function %s event %s: ApiId %q is not an AWS::Serverless::HttpApi of the template", fn, event, rt.API)
	}
	rt.Authorizer = api.DefaultAuthorizer
	if auth, ok := p["Auth"].(map[string]any); ok {
		if a := str(auth["Authorizer"]); a != "" {
			rt.Authorizer = a
		}
		rt.AuthorizationScopes = strList(auth["AuthorizationScopes"])
	}
	if rt.Authorizer == "NONE" {
		rt.Authorizer = ""
	}
	if rt.Authorizer != "" {
		if _, ok := api.Authorizers[rt.Authorizer]; !ok {
			return rt, fmt.Errorf("function %s event %s: authorizer %q is not defined on %s", fn, event, rt.Authorizer, rt.API)
		}
	}
	if rt.PayloadFormatVersion != "2.0" {
		return rt, fmt.Errorf("function %s event %s: PayloadFormatVersion %s is not supported locally", fn, event, rt.PayloadFormatVersion)
	}
	return rt, nil
}

func (t *Template) loadHttpAPIs(cfn *cloudformation.Template, raw rawTemplate) error {
	for id, api := range cfn.GetAllServerlessHttpApiResources() {
		h := &HttpAPI{LogicalID: id, StageName: "$default", Authorizers: map[string]JWTAuthorizer{}}
		setStr(&h.StageName, api.StageName)
		if c := api.CorsConfiguration; c != nil {
			h.Cors = corsFrom(c)
		}
		auth, _ := raw.Resources[id].Properties["Auth"].(map[string]any)
		h.DefaultAuthorizer = str(auth["DefaultAuthorizer"])
		authorizers, _ := auth["Authorizers"].(map[string]any)
		for name, a := range authorizers {
			am, _ := a.(map[string]any)
			jc, ok := am["JwtConfiguration"].(map[string]any)
			if !ok {
				return fmt.Errorf("HttpApi %s authorizer %s: only JWT authorizers are supported locally", id, name)
			}
			j := JWTAuthorizer{Name: name, IdentitySource: str(am["IdentitySource"])}
			// SAM spells these in lower case; accept CloudFormation's spelling as well.
			j.Issuer = str(first(jc["issuer"], jc["Issuer"]))
			j.Audience = strList(first(jc["audience"], jc["Audience"]))
			if j.IdentitySource == "" {
				j.IdentitySource = "$request.header.Authorization"
			}
			h.Authorizers[name] = j
		}
		t.HttpAPIs[id] = h
	}
	return nil
}

func corsFrom(c *serverless.HttpApi_CorsConfiguration) *Cors {
	if c.Boolean != nil {
		if !*c.Boolean {
			return nil
		}
		// CorsConfiguration: true allows everything (SAM); kept for completeness.
		return &Cors{AllowOrigins: []string{"*"}, AllowMethods: []string{"*"}, AllowHeaders: []string{"*"}}
	}
	o := c.CorsConfigurationObject
	if o == nil {
		return nil
	}
	out := &Cors{
		AllowOrigins:  o.AllowOrigins,
		AllowMethods:  o.AllowMethods,
		AllowHeaders:  o.AllowHeaders,
		ExposeHeaders: o.ExposeHeaders,
	}
	setInt(&out.MaxAge, o.MaxAge)
	if o.AllowCredentials != nil {
		out.AllowCredentials = *o.AllowCredentials
	}
	return out
}

func (t *Template) streamSource(fn, event string, p map[string]any, r *resolver) (StreamSource, error) {
	s := StreamSource{
		EventName:               event,
		Function:                fn,
		Stream:                  str(p["Stream"]),
		StartingPosition:        str(p["StartingPosition"]),
		BatchSize:               100,
		MaximumRetryAttempts:    -1,
		MaximumRecordAgeSeconds: -1,
		Enabled:                 true,
		FunctionResponseTypes:   strList(p["FunctionResponseTypes"]),
	}
	if v, ok := p["BatchSize"].(float64); ok {
		s.BatchSize = int(v)
	}
	if v, ok := p["MaximumBatchingWindowInSeconds"].(float64); ok {
		s.MaximumBatchingWindowSeconds = int(v)
	}
	if v, ok := p["MaximumRetryAttempts"].(float64); ok {
		s.MaximumRetryAttempts = int(v)
	}
	if v, ok := p["MaximumRecordAgeInSeconds"].(float64); ok {
		s.MaximumRecordAgeSeconds = int(v)
	}
	if v, ok := p["BisectBatchOnFunctionError"].(bool); ok {
		s.BisectBatchOnFunctionError = v
	}
	if v, ok := p["Enabled"].(bool); ok {
		s.Enabled = v
	}
	if fc, ok := p["FilterCriteria"].(map[string]any); ok {
		filters, _ := fc["Filters"].([]any)
		for _, f := range filters {
			fm, _ := f.(map[string]any)
			pat := str(fm["Pattern"])
			var probe map[string]any
			if err := json.Unmarshal([]byte(pat), &probe); err != nil {
				return s, fmt.Errorf("function %s event %s: filter pattern is not a JSON object: %w", fn, event, err)
			}
			s.FilterPatterns = append(s.FilterPatterns, pat)
		}
	}
	if dc, ok := p["DestinationConfig"].(map[string]any); ok {
		if of, ok := dc["OnFailure"].(map[string]any); ok {
			s.OnFailureDestination = str(of["Destination"])
		}
	}
	switch s.StartingPosition {
	case "TRIM_HORIZON", "LATEST":
	default:
		return s, fmt.Errorf("function %s event %s: StartingPosition %q is not TRIM_HORIZON or LATEST", fn, event, s.StartingPosition)
	}
	if s.BatchSize < 1 || s.BatchSize > 10000 {
		return s, fmt.Errorf("function %s event %s: BatchSize %d out of range", fn, event, s.BatchSize)
	}
	for table := range r.tableNames {
		if a, _ := r.attribute(table, "StreamArn"); a == s.Stream {
			s.Table = table
		}
	}
	return s, nil
}

func setStr(dst *string, src *string) {
	if src != nil && *src != "" {
		*dst = *src
	}
}

func setInt(dst *int, src *int) {
	if src != nil {
		*dst = *src
	}
}

func str(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	default:
		return valueString(x)
	}
}

func strList(v any) []string {
	switch x := v.(type) {
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			out = append(out, valueString(e))
		}
		return out
	case []string:
		return x
	case string:
		if x == "" {
			return nil
		}
		return strings.Split(x, ",")
	}
	return nil
}

func first(vs ...any) any {
	for _, v := range vs {
		if v != nil {
			return v
		}
	}
	return nil
}
