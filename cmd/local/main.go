// Command local serves the Broadsheet HTTP API locally from template.yaml:
// DynamoDB Local (unless DYNAMODB_ENDPOINT is set), the table, the stream
// pollers and the emulated HTTP API with its JWT authorizer.
//
//	go run ./cmd/local            # serve on 127.0.0.1:$PORT (default 3000)
//	go run ./cmd/local token      # print one editor bearer token
//	go run ./cmd/local with-dynamodb -- go test ./...
//	                              # run a command with DYNAMODB_ENDPOINT set to one
//	                              # in-memory DynamoDB Local, stopped afterwards
//
// Configuration (flags override the environment): PORT, DATA_DIR (.local),
// DYNAMODB_ENDPOINT, TEMPLATE (template.yaml), TABLE (broadsheet), LOG_LEVEL.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"broadsheet/internal/local/ddblocal"
	"broadsheet/internal/local/localapi"
	"broadsheet/internal/local/localauth"
	"broadsheet/internal/local/samtemplate"
)

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		var ee exitError
		if errors.As(err, &ee) {
			os.Exit(ee.code)
		}
		fmt.Fprintln(os.Stderr, "local:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	if cmd == "with-dynamodb" {
		return withDynamoDB(args, stdout, stderr)
	}
	fs := flag.NewFlagSet("local "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	port := fs.String("port", env("PORT", "3000"), "port to serve on (127.0.0.1)")
	dataDir := fs.String("data-dir", env("DATA_DIR", ".local"), "local state: DynamoDB Local data, signing key, generated parameters")
	endpoint := fs.String("dynamodb-endpoint", os.Getenv("DYNAMODB_ENDPOINT"), "use this DynamoDB endpoint instead of starting DynamoDB Local")
	template := fs.String("template", env("TEMPLATE", "template.yaml"), "SAM template")
	table := fs.String("table", env("TABLE", "broadsheet"), "table name")
	logLevel := fs.String("log-level", env("LOCAL_LOG_LEVEL", "info"), "debug, info, warn or error")
	ttl := fs.Duration("ttl", 12*time.Hour, "token: lifetime")
	scope := fs.String("scope", localauth.EditorScope, "token: space-separated scopes")
	external := fs.Bool("external-issuer", env("EXTERNAL_ISSUER", "") == "1",
		"verify editor tokens with the JwtIssuer's published JWKS (set -param JwtIssuer=... JwtAudience=...) instead of the local issuer")
	params := samtemplate.ParameterFlags{}
	fs.Var(params, "param", "template parameter override Name=Value (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch cmd {
	case "token":
		// The token's issuer is the local runtime that `make local` serves on this port.
		return token(stdout, *template, *dataDir, *table, localapi.WithLocalIssuer(params, "127.0.0.1:"+*port), *ttl, *scope)
	case "serve":
	default:
		return fmt.Errorf("unknown command %q (want serve, token or with-dynamodb)", cmd)
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	slog.SetDefault(logger)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	absData, err := filepath.Abs(*dataDir)
	if err != nil {
		return err
	}
	if *endpoint == "" {
		fmt.Fprintf(stderr, "starting DynamoDB Local (data in %s) ...\n", filepath.Join(absData, "dynamodb"))
	}
	st, err := localapi.Start(ctx, localapi.Config{
		Root:             filepath.Dir(*template),
		Template:         *template,
		DataDir:          absData,
		DynamoDBEndpoint: *endpoint,
		TableName:        *table,
		Addr:             "127.0.0.1:" + *port,
		Functions:        localapi.Functions,
		Parameters:       params,
		ExternalIssuer:   *external,
		Logger:           logger,
	})
	if err != nil {
		return err
	}
	routes := len(st.Template().Routes)
	fmt.Fprintf(stdout, `
Broadsheet local API   %s   (%d routes from %s)
DynamoDB               %s   table %q
Data directory         %s
Editor token           %s
Press Ctrl-C to stop.

`, st.URL(), routes, *template, st.DynamoDBEndpoint(), st.TableName(), absData, tokenHint(*external, st.URL()))

	<-ctx.Done()
	fmt.Fprintln(stderr, "shutting down ...")
	return st.Close()
}

func tokenHint(external bool, origin string) string {
	if external {
		return "from your identity provider (JwtIssuer's JWKS verifies them)"
	}
	return "make -s token   (issuer keys: " + origin + "/.well-known/openid-configuration)"
}

// token prints one editor token for the authorizer in the template, signed
// with the key under dataDir (created if missing), and nothing else.
func token(stdout io.Writer, template, dataDir, table string, params map[string]string, ttl time.Duration, scope string) error {
	tpl, err := localapi.LoadTemplate(template, dataDir, table, params)
	if err != nil {
		return err
	}
	signer, err := localauth.LoadOrCreate(dataDir)
	if err != nil {
		return err
	}
	o := localapi.EditorTokenOptions(tpl)
	o.TTL, o.Scope = ttl, scope
	tok, err := signer.Token(o)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, tok)
	return err
}

// exitError carries a child's exit status.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// withDynamoDB runs a command with DYNAMODB_ENDPOINT pointing at one
// in-memory DynamoDB Local (or the existing DYNAMODB_ENDPOINT, if set) and
// stops it afterwards, e.g. `go run ./cmd/local with-dynamodb -- go test ./...`.
func withDynamoDB(args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		return errors.New("with-dynamodb: no command given")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	endpoint := os.Getenv("DYNAMODB_ENDPOINT")
	if endpoint == "" {
		srv, err := ddblocal.Start(ctx, ddblocal.Options{InMemory: true})
		if err != nil {
			return err
		}
		defer srv.Stop()
		endpoint = srv.Endpoint()
	}
	c := exec.CommandContext(ctx, args[0], args[1:]...)
	c.Stdin, c.Stdout, c.Stderr = os.Stdin, stdout, stderr
	c.Env = append(os.Environ(), "DYNAMODB_ENDPOINT="+endpoint)
	err := c.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return exitError{ee.ExitCode()}
	}
	return err
}
