package samtemplate

import (
	"errors"
	"strings"
)

// ParameterFlags collects repeated -param Name=Value command-line flags into
// parameter overrides (Options.Parameters); it implements flag.Value.
type ParameterFlags map[string]string

func (p ParameterFlags) String() string { return "" }

// Set records one Name=Value override.
func (p ParameterFlags) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok || k == "" {
		return errors.New("want Name=Value")
	}
	p[k] = val
	return nil
}
