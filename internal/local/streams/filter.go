package streams

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Filter is a compiled Lambda event filter (FilterCriteria.Filters[].Pattern).
// Supported: exact values (strings, numbers, booleans, null), prefix,
// suffix, equals-ignore-case, anything-but (values or {prefix}), exists and
// numeric comparisons, nested objects, arrays matching any element.
type Filter struct {
	pattern map[string]any
}

// ParseFilter compiles one pattern.
func ParseFilter(pattern string) (*Filter, error) {
	var p map[string]any
	dec := json.NewDecoder(strings.NewReader(pattern))
	dec.UseNumber()
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("filter pattern: %w", err)
	}
	if err := validate(p); err != nil {
		return nil, fmt.Errorf("filter pattern: %w", err)
	}
	return &Filter{pattern: p}, nil
}

func validate(p map[string]any) error {
	for k, v := range p {
		switch x := v.(type) {
		case map[string]any:
			if err := validate(x); err != nil {
				return err
			}
		case []any:
			for _, m := range x {
				if op, ok := m.(map[string]any); ok {
					if len(op) != 1 {
						return fmt.Errorf("%s: a matcher object must have exactly one key", k)
					}
					for name := range op {
						switch name {
						case "prefix", "suffix", "equals-ignore-case", "anything-but", "exists", "numeric":
						default:
							return fmt.Errorf("%s: unsupported matcher %q", k, name)
						}
					}
				}
			}
		default:
			return fmt.Errorf("%s: pattern values must be objects or arrays", k)
		}
	}
	return nil
}

// Match reports whether the event (a record as Lambda sees it, decoded with
// UseNumber or plain encoding/json) matches.
func (f *Filter) Match(event map[string]any) bool { return matchObject(f.pattern, event) }

func matchObject(pattern map[string]any, value map[string]any) bool {
	for k, pv := range pattern {
		v, present := value[k]
		switch p := pv.(type) {
		case map[string]any:
			obj, ok := v.(map[string]any)
			if !present || !ok || !matchObject(p, obj) {
				return false
			}
		case []any:
			if !matchField(p, v, present) {
				return false
			}
		}
	}
	return true
}

// matchField: the field matches if any matcher matches (any element, for arrays).
func matchField(matchers []any, v any, present bool) bool {
	for _, m := range matchers {
		if op, ok := m.(map[string]any); ok {
			if e, ok := op["exists"]; ok {
				if want, _ := e.(bool); want == (present && v != nil) {
					return true
				}
				continue
			}
		}
		if !present {
			continue
		}
		values := []any{v}
		if arr, ok := v.([]any); ok {
			values = arr
		}
		for _, val := range values {
			if matchOne(m, val) {
				return true
			}
		}
	}
	return false
}

func matchOne(m any, v any) bool {
	op, ok := m.(map[string]any)
	if !ok {
		return equalValue(m, v)
	}
	for name, arg := range op {
		s, isStr := v.(string)
		switch name {
		case "prefix":
			if p, ok := arg.(string); ok {
				return isStr && strings.HasPrefix(s, p)
			}
			if po, ok := arg.(map[string]any); ok { // {"prefix": {"equals-ignore-case": "x"}}
				p, _ := po["equals-ignore-case"].(string)
				return isStr && len(s) >= len(p) && strings.EqualFold(s[:len(p)], p)
			}
		case "suffix":
			if p, ok := arg.(string); ok {
				return isStr && strings.HasSuffix(s, p)
			}
		case "equals-ignore-case":
			p, _ := arg.(string)
			return isStr && strings.EqualFold(s, p)
		case "anything-but":
			switch a := arg.(type) {
			case []any:
				for _, e := range a {
					if equalValue(e, v) {
						return false
					}
				}
				return true
			case map[string]any:
				return !matchOne(a, v)
			default:
				return !equalValue(a, v)
			}
		case "numeric":
			return matchNumeric(arg, v)
		}
	}
	return false
}

func equalValue(p any, v any) bool {
	switch x := p.(type) {
	case json.Number:
		pf, err1 := x.Float64()
		vf, ok := toFloat(v)
		return err1 == nil && ok && pf == vf
	case nil:
		return v == nil
	default:
		return p == v
	}
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case float64:
		return x, true
	}
	return 0, false
}

func matchNumeric(arg any, v any) bool {
	ops, ok := arg.([]any)
	if !ok || len(ops)%2 != 0 {
		return false
	}
	f, ok := toFloat(v)
	if !ok {
		if s, isStr := v.(string); isStr { // DynamoDB "N" values are strings
			var err error
			if f, err = strconv.ParseFloat(s, 64); err != nil {
				return false
			}
		} else {
			return false
		}
	}
	for i := 0; i < len(ops); i += 2 {
		op, _ := ops[i].(string)
		n, ok := toFloat(ops[i+1])
		if !ok {
			return false
		}
		var res bool
		switch op {
		case "=":
			res = f == n
		case "<":
			res = f < n
		case "<=":
			res = f <= n
		case ">":
			res = f > n
		case ">=":
			res = f >= n
		}
		if !res {
			return false
		}
	}
	return true
}
