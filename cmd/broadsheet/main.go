// Command broadsheet is the editors' command-line tool for a Broadsheet API:
// publishing Markdown files, importing WordPress exports and JSON Lines,
// moderating comments and managing articles.
//
//	broadsheet [-api URL] [-token T] COMMAND ...
//
// The API URL and token also come from BROADSHEET_API and BROADSHEET_TOKEN
// (the URL defaults to http://127.0.0.1:3000; `make -s token` prints a local
// token). Run `broadsheet help` for the commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"time"

	"broadsheet/internal/editorclient"
)

const usage = `Usage: broadsheet [flags] COMMAND [args]

Commands:
  publish FILE.md [FILE.md…]       create or update articles from Markdown with YAML front matter
  import wxr FILE.xml              import posts and approved comments from a WordPress export
  import jsonl FILE.jsonl          import articles (create-article JSON, one per line, optional "comments")
  moderate list [-status S]        list comments (S: pending (default), approved, spam, rejected, any)
  moderate approve|reject|spam ID… set comments' status
  moderate delete ID…              delete comments
  articles list [-status S]        list articles (S: draft, published; default all)
  articles delete ID…              delete articles

Flags (before or after the command):
  -api URL          API base URL (env BROADSHEET_API, default http://127.0.0.1:3000)
  -token T          bearer token (env BROADSHEET_TOKEN; locally: make -s token)
  -concurrency N    articles imported in parallel (default 4)
  -timeout D        per-request timeout (default 30s)
  -v                more output

Exit status: 0 when everything succeeded, 1 when something failed, 2 on usage errors.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv, isTerminal(os.Stderr))
	stop()
	os.Exit(code)
}

// configureClient lets tests adjust the client (e.g. its Sleep).
var configureClient func(*editorclient.Client)

type app struct {
	stdout, stderr io.Writer
	tty            bool // stderr is a terminal: draw a progress bar

	api         string
	token       string
	concurrency int
	timeout     time.Duration
	verbose     bool
}

// errUsage marks errors that should exit with status 2.
type errUsage struct{ msg string }

func (e errUsage) Error() string { return e.msg }

func usageErr(format string, a ...any) error { return errUsage{fmt.Sprintf(format, a...)} }

// errFailed means the command ran but something failed (already reported).
var errFailed = errors.New("failed")

func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string, tty bool) int {
	a := &app{stdout: stdout, stderr: stderr, tty: tty, concurrency: 4, timeout: 30 * time.Second}
	a.api = getenv("BROADSHEET_API")
	if a.api == "" {
		a.api = editorclient.DefaultBaseURL
	}
	a.token = getenv("BROADSHEET_TOKEN")

	fs := a.flags("broadsheet")
	rest, err := parseFlags(fs, args, false)
	if err == nil && len(rest) == 0 {
		err = usageErr("no command given")
	}
	if err == nil {
		err = a.dispatch(ctx, rest[0], rest[1:])
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stdout, usage)
		return 0
	case errors.Is(err, errFailed):
		return 1
	}
	var ue errUsage
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "broadsheet: %v\n\n%s", err, usage)
		return 2
	}
	fmt.Fprintf(stderr, "broadsheet: %s\n", editorclient.Redact(err.Error()))
	if editorclient.StatusCode(err) == http.StatusUnauthorized {
		// API Gateway's authorizer says only "Unauthorized": say what to do.
		fmt.Fprintln(stderr, "broadsheet: the API refused the token (expired, or for another issuer or audience); for the local API: export BROADSHEET_TOKEN=$(make -s token)")
	}
	return 1
}

func (a *app) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&a.api, "api", a.api, "API base URL")
	fs.StringVar(&a.token, "token", a.token, "bearer token")
	fs.IntVar(&a.concurrency, "concurrency", a.concurrency, "parallel imports")
	fs.DurationVar(&a.timeout, "timeout", a.timeout, "per-request timeout")
	fs.BoolVar(&a.verbose, "v", a.verbose, "more output")
	return fs
}

// parseFlags parses fs from args. With interspersed, flags may follow
// positional arguments (until "--"); otherwise parsing stops at the first
// positional argument. It returns the positional arguments.
func parseFlags(fs *flag.FlagSet, args []string, interspersed bool) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usageErr("%v", err)
		}
		rest := fs.Args()
		consumed := len(args) - len(rest)
		if consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		if !interspersed || len(rest) == 0 {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func (a *app) client() (*editorclient.Client, error) {
	if a.token == "" {
		return nil, usageErr("no token: pass -token or set BROADSHEET_TOKEN (for the local API: export BROADSHEET_TOKEN=$(make -s token))")
	}
	if a.concurrency < 1 {
		return nil, usageErr("-concurrency must be at least 1")
	}
	c := editorclient.New(a.api, a.token)
	c.HTTP.Timeout = a.timeout
	if configureClient != nil {
		configureClient(c)
	}
	return c, nil
}

func (a *app) dispatch(ctx context.Context, cmd string, args []string) error {
	switch cmd {
	case "help", "-h", "--help":
		return flag.ErrHelp
	case "publish":
		return a.publish(ctx, args)
	case "import":
		return a.importCmd(ctx, args)
	case "moderate":
		return a.moderate(ctx, args)
	case "articles":
		return a.articles(ctx, args)
	}
	return usageErr("unknown command %q", cmd)
}

func (a *app) printf(format string, args ...any) { fmt.Fprintf(a.stdout, format, args...) }

func (a *app) errorf(format string, args ...any) {
	fmt.Fprint(a.stderr, editorclient.Redact(fmt.Sprintf(format, args...)))
}

// isTerminal reports whether f is a character device (a terminal), without
// golang.org/x/term.
func isTerminal(f *os.File) bool {
	if os.Getenv("TERM") == "dumb" {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func truncate(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
