package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path"
	"strconv"
	"strings"
)

// GoBench is one benchmark's result.
type GoBench struct {
	Pkg, Name   string
	NsOp        float64
	CPUNsOp     float64 // CPU time per op (user+system, GC included): robust to a busy machine
	BOp, Allocs float64
}

// goBench runs the handler benchmarks (bench_test.go beside each handler)
// once, over the recorded DynamoDB tapes, and parses their output.
func goBench(ctx context.Context, c config) ([]GoBench, string, error) {
	args := []string{"test", "-run", "^$", "-bench", ".", "-benchmem", "-benchtime", c.benchtime, "-count", "1"}
	for _, fn := range Functions {
		args = append(args, "./internal/handlers/"+fn)
	}
	goTool := os.Getenv("GO")
	if goTool == "" {
		goTool = "go"
	}
	cmd := exec.CommandContext(ctx, goTool, args...)
	cmd.Dir = c.root
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return nil, out.String(), fmt.Errorf("go test -bench: %w\n%s", err, out.String())
	}
	// The functions' EMF metric lines go to stdout too: keep the report's
	// copy of the output to what go test itself printed.
	var kept strings.Builder
	for _, l := range strings.SplitAfter(out.String(), "\n") {
		if !strings.HasPrefix(l, "{") {
			kept.WriteString(l)
		}
	}
	var res []GoBench
	pkg := ""
	sc := bufio.NewScanner(bytes.NewReader(out.Bytes()))
	for sc.Scan() {
		line := sc.Text()
		if p, ok := strings.CutPrefix(line, "pkg: "); ok {
			pkg = path.Base(strings.TrimSpace(p))
			continue
		}
		if !strings.HasPrefix(line, "Benchmark") {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 4 {
			continue
		}
		b := GoBench{Pkg: pkg, Name: strings.TrimPrefix(f[0], "Benchmark")}
		if i := strings.LastIndexByte(b.Name, '-'); i > 0 {
			b.Name = b.Name[:i]
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			switch f[i+1] {
			case "ns/op":
				b.NsOp = v
			case "B/op":
				b.BOp = v
			case "allocs/op":
				b.Allocs = v
			case "cpu-ns/op":
				b.CPUNsOp = v
			}
		}
		res = append(res, b)
	}
	return res, kept.String(), nil
}
