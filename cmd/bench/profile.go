package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
)

// startProfile records this process's CPU profile (the local runtime, the
// functions in-process and vegeta) into dir/load-cpu.pprof for the load
// phase; DynamoDB Local is a separate JVM, whose share is measured from
// /proc instead (LoadResult.JVMCPU).
func startProfile(dir string) (string, func(), error) {
	path := filepath.Join(dir, "load-cpu.pprof")
	f, err := os.Create(path)
	if err != nil {
		return "", nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return "", nil, err
	}
	return path, func() { pprof.StopCPUProfile(); _ = f.Close() }, nil
}

// profileTop is `go tool pprof -top` of the profile, its first n lines, or
// "" if the tool cannot read it.
func profileTop(ctx context.Context, profile string, n int) string {
	exe, err := os.Executable()
	if err != nil || profile == "" {
		return ""
	}
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, "go", "tool", "pprof", "-top", "-nodecount="+strconv.Itoa(n), exe, profile)
	cmd.Stdout = &out
	if cmd.Run() != nil {
		return ""
	}
	return strings.TrimSpace(out.String())
}
