package broadsheet_test

// The layout shows what ships: these tests hold each Lambda binary to the
// module packages it may link, so the local runtime, the test kits and the
// tools never ship by accident, and a new dependency of a function is a
// visible diff of this file.

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// linkAllowlist is, per function (functions/<name>), every module package
// its binary links, as `make build` builds it. Update it when a function
// gains or loses a package, after checking the package is meant to ship.
var linkAllowlist = map[string][]string{
	"articles": {
		"internal/apigw", "internal/articles", "internal/awsenv", "internal/broadsheet", "internal/cursor", "internal/dynamo",
		"internal/handlers/articles", "internal/telemetry",
	},
	"comments": {
		"internal/apigw", "internal/awsenv", "internal/broadsheet", "internal/comments", "internal/cursor", "internal/dynamo",
		"internal/handlers/comments", "internal/mail", "internal/ses", "internal/telemetry",
	},
	"editor": {
		"internal/apigw", "internal/articles/editing", "internal/awsenv", "internal/broadsheet", "internal/comments", "internal/cursor",
		"internal/dynamo", "internal/mail", "internal/handlers/editor", "internal/htmltext", "internal/richtext", "internal/telemetry",
		"internal/ses", // reply notifications when an editor's approval publishes a reply
	},
	"indexer": {
		"internal/analysis", "internal/awsenv", "internal/broadsheet", "internal/dynamo", "internal/handlers/indexer",
		"internal/htmltext", "internal/search", "internal/searchindex", "internal/telemetry",
	},
	"pages": {
		"internal/apigw", "internal/articles", "internal/awsenv", "internal/broadsheet", "internal/dynamo", "internal/handlers/pages",
		"internal/htmltext", "internal/syndication", "internal/telemetry",
	},
	"search": {
		"internal/analysis", "internal/apigw", "internal/awsenv", "internal/broadsheet", "internal/cursor", "internal/dynamo",
		"internal/handlers/search", "internal/search", "internal/searchindex", "internal/telemetry",
	},
}

// neverShips are module trees no function may link, whatever the allowlist
// says: the emulator, the test kits and doubles, the tools, the CLI.
var neverShips = []string{
	"internal/local", "internal/testkit", "internal/tools", "internal/editorclient",
	"internal/memstore", "cmd", "test",
}

const module = "broadsheet"

func TestFunctionsLinkOnlyAllowedPackages(t *testing.T) {
	entries, err := os.ReadDir("functions")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		fn := e.Name()
		t.Run(fn, func(t *testing.T) {
			allowed, ok := linkAllowlist[fn]
			if !ok {
				t.Fatalf("functions/%s has no entry in linkAllowlist (layout_test.go): add one listing the module packages it links", fn)
			}
			linked := moduleDeps(t, "./functions/"+fn)
			for _, pkg := range linked {
				for _, tree := range neverShips {
					if pkg == tree || strings.HasPrefix(pkg, tree+"/") {
						t.Errorf("functions/%s links %s, which must never ship in a Lambda binary (%s/...): "+
							"find the import with `GOOS=linux GOARCH=arm64 go list -tags lambda.norpc -deps -f '{{.ImportPath}}: {{.Imports}}' ./functions/%s`",
							fn, pkg, tree, fn)
					}
				}
				if !slices.Contains(allowed, pkg) {
					t.Errorf("functions/%s links %s, which is not in its linkAllowlist: if it is meant to ship, add it in layout_test.go", fn, pkg)
				}
			}
			for _, pkg := range allowed {
				if !slices.Contains(linked, pkg) {
					t.Errorf("functions/%s no longer links %s: remove it from its linkAllowlist in layout_test.go", fn, pkg)
				}
			}
		})
	}
}

// moduleDeps lists the module packages a function's binary links (without
// the main package itself), built as the Makefile builds it for Lambda.
func moduleDeps(t *testing.T, pkg string) []string {
	t.Helper()
	cmd := exec.Command("go", "list", "-tags", "lambda.norpc", "-deps",
		"-f", "{{if .Module}}{{if .Module.Main}}{{if not (eq .Name \"main\")}}{{.ImportPath}}{{end}}{{end}}{{end}}", pkg)
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %s: %v\n%s", pkg, err, stderrOf(err))
	}
	var deps []string
	for _, line := range strings.Fields(string(out)) {
		deps = append(deps, strings.TrimPrefix(line, module+"/"))
	}
	return deps
}

// Only the test kits may import testing outside _test.go files: a shipping or
// runtime package that does would pull the testing flags and machinery in.
func TestOnlyTestKitsImportTesting(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderrOf(err))
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := strings.TrimPrefix(fields[0], module+"/")
		if strings.HasPrefix(pkg, "internal/testkit/") {
			continue
		}
		if slices.Contains(fields[1:], "testing") {
			t.Errorf("%s imports testing in a non-test file: move the helper into internal/testkit/... or into a _test.go file",
				filepath.ToSlash(pkg))
		}
	}
}

// No function binary may link the testing package, from the module or from a
// dependency: test code has no place in what ships, however little of it the
// linker keeps (issue #15). kljensen/snowball's romance package did (a non-test helper
// file); go.mod replaces the module with third_party/snowball, which drops it.
func TestFunctionsDoNotLinkTesting(t *testing.T) {
	entries, err := os.ReadDir("functions")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		fn := e.Name()
		t.Run(fn, func(t *testing.T) {
			cmd := exec.Command("go", "list", "-tags", "lambda.norpc", "-deps", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", "./functions/"+fn)
			cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0")
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("go list: %v\n%s", err, stderrOf(err))
			}
			for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
				fields := strings.Fields(line)
				if slices.Contains(fields[1:], "testing") {
					t.Errorf("functions/%s links testing through %s", fn, fields[0])
				}
			}
		})
	}
}

func stderrOf(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	return ""
}
