// Metrics: CloudWatch metrics in the Embedded Metric Format
// (EMF): one JSON line on stdout per Emit, which Lambda ships to CloudWatch
// Logs and CloudWatch turns into metrics, with no API call and no latency.
//
//	metrics.Emit(ctx, "Broadsheet", map[string]string{"Function": "comments"},
//		map[string]float64{"CommentsAccepted": 1}, nil)
//
// Dimensions are low-cardinality labels (function, route, outcome). Never
// put an email, a token, a comment body or any reader's data in a dimension
// or a metric name: Emit refuses values that look like them.
//
// Spec: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
package telemetry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

// Unit is a CloudWatch metric unit.
type Unit string

// The units Broadsheet uses (CloudWatch accepts more: see StandardUnit).
const (
	None         Unit = "None"
	Count        Unit = "Count"
	Milliseconds Unit = "Milliseconds"
	Microseconds Unit = "Microseconds"
	Seconds      Unit = "Seconds"
	Bytes        Unit = "Bytes"
	Percent      Unit = "Percent"
)

var validUnits = map[Unit]bool{
	"Seconds": true, "Microseconds": true, "Milliseconds": true, "Bytes": true, "Kilobytes": true,
	"Megabytes": true, "Gigabytes": true, "Terabytes": true, "Bits": true, "Kilobits": true,
	"Megabits": true, "Gigabits": true, "Terabits": true, "Percent": true, "Count": true,
	"Bytes/Second": true, "Kilobytes/Second": true, "Megabytes/Second": true, "Gigabytes/Second": true,
	"Terabytes/Second": true, "Bits/Second": true, "Kilobits/Second": true, "Megabits/Second": true,
	"Gigabits/Second": true, "Terabits/Second": true, "Count/Second": true, "None": true,
}

// EMF limits.
const (
	MaxDimensions = 30  // per dimension set
	MaxMetrics    = 100 // per document
	maxNameLen    = 255
	maxDimValue   = 1024
)

// Emitter writes EMF lines to W. The zero value is not usable; use New.
type Emitter struct {
	mu  sync.Mutex
	w   io.Writer
	now func() time.Time
}

// New returns an Emitter writing to w (one Write per line).
func New(w io.Writer) *Emitter { return &Emitter{w: w, now: time.Now} }

var std = New(os.Stdout)

// Emit writes one EMF line on stdout. See (*Emitter).Emit.
func Emit(ctx context.Context, namespace string, dims map[string]string, values map[string]float64, units map[string]Unit) error {
	return std.Emit(ctx, namespace, dims, values, units)
}

// Emit writes one EMF document: every value in values as a metric of
// namespace with the dimension set dims (all its keys, as one set), each
// with its unit from units (default None). The Lambda request id, when ctx
// has one, is added as a property (not a dimension) for correlation.
func (e *Emitter) Emit(ctx context.Context, namespace string, dims map[string]string, values map[string]float64, units map[string]Unit) error {
	line, err := e.encode(ctx, namespace, dims, values, units)
	if err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	_, err = e.w.Write(line)
	return err
}

func (e *Emitter) encode(ctx context.Context, namespace string, dims map[string]string, values map[string]float64, units map[string]Unit) ([]byte, error) {
	if err := checkName("namespace", namespace); err != nil {
		return nil, err
	}
	if len(values) == 0 {
		return nil, errors.New("metrics: no values")
	}
	if len(values) > MaxMetrics {
		return nil, fmt.Errorf("metrics: %d metrics, at most %d per line", len(values), MaxMetrics)
	}
	if len(dims) > MaxDimensions {
		return nil, fmt.Errorf("metrics: %d dimensions, at most %d", len(dims), MaxDimensions)
	}
	doc := map[string]any{}
	dimNames := make([]string, 0, len(dims))
	for k, v := range dims {
		if err := checkName("dimension", k); err != nil {
			return nil, err
		}
		if err := checkDimensionValue(k, v); err != nil {
			return nil, err
		}
		dimNames = append(dimNames, k)
		doc[k] = v
	}
	sort.Strings(dimNames)
	names := make([]string, 0, len(values))
	for k := range values {
		names = append(names, k)
	}
	sort.Strings(names)
	type metricDef struct {
		Name string `json:"Name"`
		Unit Unit   `json:"Unit"`
	}
	defs := make([]metricDef, 0, len(names))
	for _, name := range names {
		if err := checkName("metric", name); err != nil {
			return nil, err
		}
		if _, clash := dims[name]; clash {
			return nil, fmt.Errorf("metrics: %q is both a dimension and a metric", name)
		}
		v := values[name]
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("metrics: %s is not a finite number", name)
		}
		u := units[name]
		if u == "" {
			u = None
		}
		if !validUnits[u] {
			return nil, fmt.Errorf("metrics: %s: unknown unit %q", name, u)
		}
		defs = append(defs, metricDef{Name: name, Unit: u})
		doc[name] = v
	}
	if lc, ok := lambdacontext.FromContext(ctx); ok && lc.AwsRequestID != "" {
		if _, taken := doc["requestId"]; !taken {
			doc["requestId"] = lc.AwsRequestID
		}
	}
	doc["_aws"] = map[string]any{
		"Timestamp": e.now().UnixMilli(),
		"CloudWatchMetrics": []any{map[string]any{
			"Namespace":  namespace,
			"Dimensions": [][]string{dimNames},
			"Metrics":    defs,
		}},
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

func checkName(kind, s string) error {
	switch {
	case s == "":
		return fmt.Errorf("metrics: empty %s name", kind)
	case len(s) > maxNameLen || !utf8.ValidString(s):
		return fmt.Errorf("metrics: %s name too long or not UTF-8", kind)
	case s == "_aws":
		return fmt.Errorf("metrics: %s name _aws is reserved", kind)
	case strings.ContainsAny(s, "@\n\r"):
		return fmt.Errorf("metrics: %s name %q looks like personal data", kind, s)
	}
	return nil
}

// Dimension names that would carry personal data or secrets.
var (
	sensitiveNames    = map[string]bool{"name": true, "ip": true, "sourceip": true, "clientip": true, "authorization": true, "website": true}
	sensitiveSuffixes = []string{"email", "mail", "token", "secret", "password", "body"}
)

// checkDimensionValue refuses what must never be a dimension: personal data,
// secrets and free text (emails, bearer tokens, JWTs, long strings).
func checkDimensionValue(key, v string) error {
	lk := strings.ToLower(key)
	sensitive := sensitiveNames[lk]
	for _, s := range sensitiveSuffixes {
		sensitive = sensitive || strings.HasSuffix(lk, s)
	}
	if sensitive {
		return fmt.Errorf("metrics: dimension %q could carry personal data or secrets", key)
	}
	switch {
	case v == "":
		return fmt.Errorf("metrics: dimension %s is empty", key)
	case len(v) > maxDimValue || !utf8.ValidString(v):
		return fmt.Errorf("metrics: dimension %s is too long or not UTF-8", key)
	case strings.Contains(v, "@"):
		return fmt.Errorf("metrics: dimension %s looks like an email address", key)
	case strings.HasPrefix(strings.ToLower(v), "bearer ") || strings.HasPrefix(v, "eyJ"):
		return fmt.Errorf("metrics: dimension %s looks like a token", key)
	case strings.ContainsAny(v, "\n\r"):
		return fmt.Errorf("metrics: dimension %s is free text", key)
	}
	return nil
}
