// Command bench is `make bench`: it measures, side by side in one run, every
// function's cold start against a bare hello-world function under the Lambda
// Runtime Interface Emulator, the zipped arm64 artifact sizes, the handlers'
// CPU per request (go test -bench over recorded DynamoDB answers), every
// route's DynamoDB round trips and consumed capacity through the local stack
// (and what that costs per million requests), and bounded load on loopback.
// It writes reports/bench/report.md and reports/bench/chart.png.
//
//	go run ./cmd/bench [-starts 15] [-load 2000] [-conns 2,16] [-record] [-before DIR]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"broadsheet/internal/local"
)

// lg is the bench's own logger: the functions' slog setup takes over the
// standard logger.
var lg = log.New(os.Stderr, "bench: ", log.Ltime)

// Functions are the template's functions, by CodeUri name.
var Functions = []string{"articles", "comments", "search", "editor", "indexer", "pages"}

type config struct {
	root      string
	out       string
	starts    int
	loadN     int
	conns     []int
	loadMax   time.Duration
	benchtime string
	record    bool
	before    string
	skipCold  bool
	skipLoad  bool
	skipGo    bool
}

func main() {
	var c config
	flag.IntVar(&c.starts, "starts", 15, "cold starts per function (interleaved)")
	flag.IntVar(&c.loadN, "load", 2000, "requests per route in the load phase")
	connList := flag.String("conns", "2,16", "connection counts of the load phase, comma-separated")
	flag.DurationVar(&c.loadMax, "load-max", 45*time.Second, "maximum duration of one route's load")
	flag.StringVar(&c.benchtime, "benchtime", "1s", "go test -benchtime for the handler benchmarks")
	flag.BoolVar(&c.record, "record", false, "re-record the handler benchmarks' DynamoDB tapes (internal/handlers/*/testdata)")
	flag.StringVar(&c.before, "before", "", "directory with earlier builds (host/<fn>/bootstrap, arm64/<fn>/bootstrap) to measure beside the current ones")
	flag.StringVar(&c.out, "out", "", "report directory (default <module>/reports/bench)")
	flag.BoolVar(&c.skipCold, "skip-cold", false, "skip the cold-start phase")
	flag.BoolVar(&c.skipLoad, "skip-load", false, "skip the load phase")
	flag.BoolVar(&c.skipGo, "skip-gobench", false, "skip go test -bench")
	flag.Parse()
	for _, f := range strings.Split(*connList, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			lg.Fatalf("-conns: %q is not a connection count", f)
		}
		c.conns = append(c.conns, n)
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))

	root, err := local.ModuleRoot()
	if err != nil {
		lg.Fatal(err)
	}
	c.root = root
	if c.out == "" {
		c.out = filepath.Join(root, "reports", "bench")
	}
	if err := os.MkdirAll(c.out, 0o755); err != nil {
		lg.Fatal(err)
	}
	// The functions run in this process and write their log lines and EMF
	// metrics to stdout (as Lambda wants); thousands of them under load
	// would bury the bench's own progress, which goes to stderr.
	if null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0); err == nil {
		_ = syscall.Dup3(int(null.Fd()), 1, 0)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, c); err != nil {
		lg.Fatal(err)
	}
}

func run(ctx context.Context, c config) error {
	began := time.Now()
	rep := &Report{Started: began, Host: fmt.Sprintf("%s/%s, %d CPUs, %s", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version()), Config: c}
	rep.LoadAvgStart = loadAvg()

	tmp, err := os.MkdirTemp("", "broadsheet-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	phase := func(name string) func() {
		t := time.Now()
		lg.Printf("%s…", name)
		return func() {
			d := time.Since(t)
			rep.Phases = append(rep.Phases, PhaseTime{name, d})
			lg.Printf("%s: %.1fs", name, d.Seconds())
		}
	}

	done := phase("build (host for the RIE, arm64 for sizes)")
	arts, err := buildAll(ctx, c, tmp)
	if err != nil {
		return err
	}
	rep.Sizes = sizes(arts, tmp)
	done()

	done = phase("local stack and seed data")
	st, err := startStack(ctx, c)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.seed(ctx); err != nil {
		return err
	}
	done()

	if !c.skipCold {
		done = phase("cold starts under the RIE")
		rep.Cold, err = coldStarts(ctx, c, st, arts)
		if err != nil {
			return err
		}
		done()
	}

	done = phase("round trips and capacity per route")
	rep.Routes, err = st.routes(ctx, c)
	if err != nil {
		return err
	}
	done()

	if !c.skipLoad {
		done = phase("bounded load")
		var profile string
		rep.Load, profile, err = st.load(ctx, c)
		if err != nil {
			return err
		}
		rep.LoadProfile = profile
		rep.LoadProfileTop = profileTop(ctx, profile, 25)
		done()
	}
	st.Close()

	if !c.skipGo {
		done = phase("go test -bench (handlers over recorded DynamoDB answers)")
		rep.GoBench, rep.GoBenchRaw, err = goBench(ctx, c)
		if err != nil {
			return err
		}
		done()
	}

	rep.LoadAvgEnd = loadAvg()
	rep.Elapsed = time.Since(began)
	done = phase("report and chart")
	if err := rep.Write(ctx, c.out); err != nil {
		return err
	}
	done()
	lg.Printf("report: %s (%.0fs in all)", filepath.Join(c.out, "report.md"), time.Since(began).Seconds())
	return nil
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return string(b[:len(b)-1])
}
