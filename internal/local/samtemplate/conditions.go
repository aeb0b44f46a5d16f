package samtemplate

import (
	"fmt"
	"reflect"
)

// Conditions: the template's Conditions section, evaluated with the local
// parameter values as CloudFormation evaluates them at deploy time, so that
// Fn::If picks the same branch locally. (goformation's EvaluateConditions
// mode replaces any object with a "Condition" key, resources included, by a
// boolean; hence this small evaluator.)

// conditionEvaluator evaluates named conditions, each once, refusing cycles.
type conditionEvaluator struct {
	defs   map[string]any // condition name -> unprocessed expression
	done   map[string]bool
	active map[string]bool
	ref    func(name string) (any, bool)
}

func (c *conditionEvaluator) named(name string) (bool, error) {
	if v, ok := c.done[name]; ok {
		return v, nil
	}
	def, ok := c.defs[name]
	if !ok {
		return false, fmt.Errorf("condition %q is not defined", name)
	}
	if c.active[name] {
		return false, fmt.Errorf("condition %q refers to itself", name)
	}
	c.active[name] = true
	v, err := c.eval(def)
	delete(c.active, name)
	if err != nil {
		return false, fmt.Errorf("condition %q: %w", name, err)
	}
	c.done[name] = v
	return v, nil
}

// eval evaluates a condition expression: Fn::Equals, Fn::Not, Fn::And,
// Fn::Or and {"Condition": name}.
func (c *conditionEvaluator) eval(expr any) (bool, error) {
	if name, ok := expr.(string); ok {
		return c.named(name) // the YAML short form !Condition Name arrives as the bare name
	}
	m, ok := expr.(map[string]any)
	if !ok || len(m) != 1 {
		if b, ok := expr.(bool); ok {
			return b, nil
		}
		return false, fmt.Errorf("not a condition: %v", expr)
	}
	for fn, arg := range m {
		args, _ := arg.([]any)
		switch fn {
		case "Condition":
			name, _ := arg.(string)
			return c.named(name)
		case "Fn::Equals":
			if len(args) != 2 {
				return false, fmt.Errorf("Fn::Equals takes two values")
			}
			a, err := c.value(args[0])
			if err != nil {
				return false, err
			}
			b, err := c.value(args[1])
			if err != nil {
				return false, err
			}
			return reflect.DeepEqual(a, b), nil
		case "Fn::Not":
			if len(args) != 1 {
				return false, fmt.Errorf("Fn::Not takes one condition")
			}
			v, err := c.eval(args[0])
			return !v, err
		case "Fn::And", "Fn::Or":
			if len(args) < 2 || len(args) > 10 {
				return false, fmt.Errorf("%s takes 2 to 10 conditions", fn)
			}
			and := fn == "Fn::And"
			for _, a := range args {
				v, err := c.eval(a)
				if err != nil {
					return false, err
				}
				if v != and {
					return v, nil
				}
			}
			return and, nil
		}
		return false, fmt.Errorf("%s is not a condition function", fn)
	}
	return false, nil
}

// value resolves an Fn::Equals operand: a literal or a Ref.
func (c *conditionEvaluator) value(v any) (any, error) {
	if m, ok := v.(map[string]any); ok && len(m) == 1 {
		if name, ok := m["Ref"].(string); ok {
			val, found := c.ref(name)
			if !found {
				return nil, fmt.Errorf("unknown Ref %s: not a parameter or resource", name)
			}
			return valueString(val), nil
		}
		return nil, fmt.Errorf("unsupported operand %v", v)
	}
	return valueString(v), nil
}

// fnIf implements Fn::If: [condition name, value if true, value if false].
func (r *resolver) fnIf(_ string, input any, _ any) any {
	args, _ := input.([]any)
	if len(args) != 3 {
		r.errs = append(r.errs, fmt.Sprintf("Fn::If %v: want [condition, then, else]", input))
		return nil
	}
	name, _ := args[0].(string)
	if r.conditions == nil {
		r.errs = append(r.errs, "Fn::If: the template has no Conditions")
		return nil
	}
	v, err := r.conditions.named(name)
	if err != nil {
		r.errs = append(r.errs, "Fn::If: "+err.Error())
		return nil
	}
	if v {
		return args[1]
	}
	return args[2]
}
