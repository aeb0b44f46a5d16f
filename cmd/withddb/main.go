// Command withddb runs a command with one in-memory DynamoDB Local for all of
// it: `withddb -- go test ./...` starts the engine once (it takes seconds),
// exports DYNAMODB_ENDPOINT, runs the command and stops the engine. With
// DYNAMODB_ENDPOINT already set it just runs the command against that.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"

	"broadsheet/internal/local/ddblocal"
)

func main() {
	args := os.Args[1:]
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: withddb -- command [args…]")
		os.Exit(2)
	}
	os.Exit(run(args))
}

func run(args []string) int {
	if os.Getenv(ddblocal.EnvEndpoint) == "" {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		start := time.Now()
		srv, err := ddblocal.Start(ctx, ddblocal.Options{InMemory: true})
		cancel()
		if err != nil {
			fmt.Fprintln(os.Stderr, "withddb: DynamoDB Local:", err)
			return 1
		}
		defer srv.Stop()
		fmt.Fprintf(os.Stderr, "withddb: DynamoDB Local at %s (started in %s)\n", srv.Endpoint(), time.Since(start).Round(time.Millisecond))
		os.Setenv(ddblocal.EnvEndpoint, srv.Endpoint())
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "withddb:", err)
		return 1
	}
	go func() {
		for s := range sig {
			_ = cmd.Process.Signal(s)
		}
	}()
	err := cmd.Wait()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "withddb:", err)
		return 1
	}
	return 0
}
