// Package local holds what the local runtime's packages share: the module's
// root, for local tools and tests that read the repository's own files
// (template.yaml, openapi.yaml, events/, web/), install locks and free ports.
package local

import (
	"errors"
	"os"
	"path/filepath"
)

// ModuleRoot walks up from the working directory to the directory holding go.mod.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the working directory")
		}
		dir = parent
	}
}
