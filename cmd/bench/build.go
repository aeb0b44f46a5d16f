package main

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"

	"broadsheet/internal/local/rie"
)

// Floor names the second baseline: hello with the SDK's DynamoDB client.
const Floor = "hello+dynamodb"

// Artifact is one function's builds.
type Artifact struct {
	Name   string // function name, "hello", Floor, or "<fn> (before)"
	Fn     string // the function it is (hello: "")
	Host   string // bootstrap for this machine (the RIE runs it)
	Arm64  string // bootstrap as deployed
	Before bool
}

// buildAll builds hello and every function twice: for this machine's GOARCH
// (the emulator runs it here) and for arm64 (what Lambda runs: the sizes),
// both with the Makefile's flags (rie.Build). Earlier builds from -before
// are added beside them.
func buildAll(ctx context.Context, c config, tmp string) ([]Artifact, error) {
	pkgs := [][2]string{{"hello", "./cmd/bench/testdata/hello"}, {Floor, "./cmd/bench/testdata/hellodynamo"}}
	for _, f := range Functions {
		pkgs = append(pkgs, [2]string{f, "./functions/" + f})
	}
	var out []Artifact
	for _, p := range pkgs {
		a := Artifact{Name: p[0], Fn: p[0]}
		if p[0] == "hello" || p[0] == Floor {
			a.Fn = ""
		}
		for _, arch := range []string{runtime.GOARCH, "arm64"} {
			dst := filepath.Join(tmp, arch, p[0], "bootstrap")
			if err := rie.Build(ctx, p[1], dst, rie.BuildOptions{Dir: c.root, GOARCH: arch}); err != nil {
				return nil, err
			}
			if arch == runtime.GOARCH {
				a.Host = dst
			}
			if arch == "arm64" {
				a.Arm64 = dst
			}
		}
		out = append(out, a)
	}
	if c.before != "" {
		for _, f := range Functions {
			a := Artifact{Name: f + " (before)", Fn: f, Before: true,
				Host:  filepath.Join(c.before, "host", f, "bootstrap"),
				Arm64: filepath.Join(c.before, "arm64", f, "bootstrap")}
			if _, err := os.Stat(a.Host); err != nil {
				return nil, fmt.Errorf("-before: %w", err)
			}
			out = append(out, a)
		}
	}
	return out, nil
}

// Size is one artifact's deployment size.
type Size struct {
	Name   string
	Raw    int64
	Zipped int64
}

// sizes zips each arm64 bootstrap the way sam build packages it (one
// executable file named bootstrap, deflate).
func sizes(arts []Artifact, tmp string) []Size {
	var out []Size
	for _, a := range arts {
		fi, err := os.Stat(a.Arm64)
		if err != nil {
			continue
		}
		z, err := zipSize(a.Arm64)
		if err != nil {
			continue
		}
		out = append(out, Size{Name: a.Name, Raw: fi.Size(), Zipped: z})
	}
	return out
}

func zipSize(path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	h := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate}
	h.SetMode(0o755)
	w, err := zw.CreateHeader(h)
	if err != nil {
		return 0, err
	}
	if _, err := io.Copy(w, f); err != nil {
		return 0, err
	}
	if err := zw.Close(); err != nil {
		return 0, err
	}
	return int64(buf.Len()), nil
}
