package main

import (
	"context"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/chromedp/chromedp"

	"broadsheet/internal/testkit/bench"
)

// PhaseTime is how long a phase of the run took.
type PhaseTime struct {
	Name string
	D    time.Duration
}

// Report is everything one run measured.
type Report struct {
	Started        time.Time
	Elapsed        time.Duration
	Host           string
	Config         config
	LoadAvgStart   string
	LoadAvgEnd     string
	Phases         []PhaseTime
	Sizes          []Size
	Cold           []*Cold
	Routes         []*RouteResult
	Load           []*LoadResult
	LoadProfile    string // CPU profile of this process over the load phase
	LoadProfileTop string
	GoBench        []GoBench
	GoBenchRaw     string
}

const (
	coldGoal = 1.25
	sizeGoal = 3.5 * (1 << 20)
	getGoal  = 50_000.0 // ns/op, GET article
)

func mib(n int64) float64 { return float64(n) / (1 << 20) }

func (r *Report) baseline(name string) *Cold {
	for _, c := range r.Cold {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func (r *Report) hello() *Cold { return r.baseline("hello") }

// ColdRow is a cold start summarised.
type ColdRow struct {
	Name                       string
	Med, P90, InitMed, InitP90 time.Duration
	Ratio, InitRatio           float64
	FloorRatio                 float64 // init median ÷ hello+dynamodb's
	Emu, Warm                  time.Duration
	Penalty                    time.Duration // first − warm: what being cold adds
	PenaltyRatio               float64
	N, Failures                int
}

func (r *Report) coldRows() []ColdRow {
	h, floor := r.hello(), r.baseline(Floor)
	var out []ColdRow
	for _, c := range r.Cold {
		row := ColdRow{Name: c.Name, Med: bench.Quantile(c.First, 0.5), P90: bench.Quantile(c.First, 0.9),
			InitMed: bench.Quantile(c.Init, 0.5), InitP90: bench.Quantile(c.Init, 0.9), Emu: bench.Quantile(c.Emulator, 0.5),
			Warm: bench.Quantile(c.Warm, 0.5), N: len(c.First), Failures: c.Failures}
		row.Penalty = row.Med - row.Warm
		if floor != nil {
			if fi := bench.Quantile(floor.Init, 0.5); fi > 0 {
				row.FloorRatio = float64(row.InitMed) / float64(fi)
			}
		}
		if h != nil {
			if hm := bench.Quantile(h.First, 0.5); hm > 0 {
				row.Ratio = float64(row.Med) / float64(hm)
			}
			if hi := bench.Quantile(h.Init, 0.5); hi > 0 {
				row.InitRatio = float64(row.InitMed) / float64(hi)
			}
			if hp := bench.Quantile(h.First, 0.5) - bench.Quantile(h.Warm, 0.5); hp > 0 {
				row.PenaltyRatio = float64(row.Penalty) / float64(hp)
			}
		}
		out = append(out, row)
	}
	return out
}

func mark(ok bool) string {
	if ok {
		return "✓"
	}
	return "✗"
}

// Write writes report.md, chart.html and chart.png into dir.
func (r *Report) Write(ctx context.Context, dir string) error {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	w("# Broadsheet bench\n\n")
	w("Run %s on %s; load average %s at the start, %s at the end (2 shared cores: other work on the machine shows up as noise, which is why every comparison below is a ratio from this one run, with starts interleaved). `make bench` took **%.0f s**.\n\n",
		r.Started.UTC().Format(time.RFC3339), r.Host, r.LoadAvgStart, r.LoadAvgEnd, r.Elapsed.Seconds())
	w("![chart](chart.png)\n\n")

	if len(r.Cold) > 0 {
		w("## 1. Cold start (host build under the Lambda RIE, %d starts each, interleaved)\n\n", r.Config.starts)
		w("*init*: the emulator's INIT REPORT, what Lambda reports as Init Duration (process start → the runtime's first request for work: the Go runtime, every package's init, and `main` up to `lambda.Start`); the goal (≤ %.2f× hello, the bare aws-lambda-go handler built the same way) is on its median. *÷ %s*: the same over the second baseline, hello plus the SDK's DynamoDB client, whose package initialisation (generated serde schemas, endpoint rules) every function pays before `main` and cannot defer — the floor without replacing the SDK. *first answer*: invocation sent → answer received (the emulator starts the bootstrap on it), so it adds the request's own DynamoDB round trips; *warm*: the same request again in the same process; *cold cost* = first − warm. Ratios are medians over the baseline's median.\n\n", coldGoal, Floor)
		w("| function | init median | init p90 | init ÷ hello | init ÷ %s | first answer median | p90 | first ÷ hello | warm | cold cost | cold-cost ratio | emulator up | starts | failures |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n", Floor)
		for _, c := range r.coldRows() {
			ok := ""
			if c.Name != "hello" && c.Name != Floor {
				ok = " " + mark(c.InitRatio <= coldGoal)
			}
			w("| %s | %.1f ms | %.1f ms | %.2f×%s | %.2f× | %.1f ms | %.1f ms | %.2f× | %.1f ms | %.1f ms | %.2f× | %.0f ms | %d | %d |\n", c.Name, bench.Ms(c.InitMed), bench.Ms(c.InitP90), c.InitRatio, ok, c.FloorRatio,
				bench.Ms(c.Med), bench.Ms(c.P90), c.Ratio, bench.Ms(c.Warm), bench.Ms(c.Penalty), c.PenaltyRatio, bench.Ms(c.Emu), c.N, c.Failures)
		}
		w("\n")
	}

	w("## 2. Artifact size (linux/arm64, `-tags lambda.norpc -trimpath -ldflags \"-s -w\"`, zipped with deflate)\n\nGoal ≤ 3.5 MiB zipped.\n\n")
	w("| function | bootstrap | zipped | goal |\n|---|---:|---:|:-:|\n")
	for _, s := range r.Sizes {
		w("| %s | %.2f MiB | %.2f MiB | %s |\n", s.Name, mib(s.Raw), mib(s.Zipped), mark(s.Zipped <= sizeGoal))
	}
	w("\n")

	if len(r.GoBench) > 0 {
		w("## 3. Handler CPU (`go test -bench`, DynamoDB answers replayed in-process from recorded tapes)\n\n")
		w("The client is the production one (`dynamo.NewClient`: same middleware, signing, retryer, serialisation) with its HTTP client replaced by the tape, so this is our code plus the SDK, no network. Goal ≤ 50 µs for GET article.\n\n")
		w("*µs/op* is wall time per op; *CPU µs/op* is the process's CPU time per op (all threads, GC included), which does not count waiting for a core on this oversubscribed machine — B/op and allocs/op are exact whatever the load.\n\n")
		w("| handler | benchmark | µs/op | CPU µs/op | B/op | allocs/op |\n|---|---|---:|---:|---:|---:|\n")
		for _, g := range r.GoBench {
			ok := ""
			if g.Pkg == "articles" && g.Name == "GetArticle" {
				ok = " " + mark(g.NsOp <= getGoal)
			}
			w("| %s | %s | %.1f%s | %.1f | %.0f | %.0f |\n", g.Pkg, g.Name, g.NsOp/1000, ok, g.CPUNsOp/1000, g.BOp, g.Allocs)
		}
		w("\n")
	}

	w("## 4. DynamoDB round trips, capacity and cost per route\n\n")
	w("Each route driven %d times through the local stack (one warm-up, then %d measured, one request at a time) with every DynamoDB call passing a metering proxy that sets `ReturnConsumedCapacity: TOTAL`. Capacity is what DynamoDB Local reports (per request, mean). $/M = DynamoDB on-demand ($0.125/M RRU, $0.625/M WRU) + Lambda arm64 256 MB at the measured in-process handler duration rounded up to 1 ms ($0.0000133334/GB-s) + $0.20/M invocations + HTTP API $1.00/M. The duration is this machine's: Lambda at 256 MB gets about 1/7 of a vCPU, and DynamoDB in a region answers in 2–5 ms rather than DynamoDB Local's 1–3 ms, so real durations are longer — but at 1–10 ms the Lambda share stays around $0.2–0.5/M next to the HTTP API's $1.00.\n\n", perRoute, perRoute-1)
	w("| route | function | calls | rounds | min rounds | RCU | WCU | handler ms | HTTP ms | DynamoDB $/M | Lambda $/M | total $/M | note |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n")
	row := func(x *RouteResult) {
		flag := ""
		if x.MinRounds > 0 && x.Rounds > float64(x.MinRounds)+0.01 {
			flag = "**above minimum** — "
		}
		w("| %s | %s | %.1f | %.1f | %s | %.2f | %.2f | %.2f | %.2f | %.3f | %.3f | %.3f | %s%s |\n", x.Name, x.Fn, x.Calls, x.Rounds, minStr(x.MinRounds), x.RCU, x.WCU,
			bench.Ms(x.Lambda), bench.Ms(x.HTTP), x.DynamoPerM, x.LambdaPerM, x.DollarsPerM, flag, html.EscapeString(x.Why)+opsStr(x.Ops))
	}
	for _, x := range r.Routes {
		row(x)
		if x.IndexerPerWrite != nil {
			row(x.IndexerPerWrite)
		}
	}
	w("\n")

	if len(r.Load) > 0 {
		w("## 5. Load through the local runtime (vegeta, closed loop, keep-alive; in-process handlers, DynamoDB Local)\n\n")
		w("%d requests per operation and connection count, each connection sending its next request when the previous is answered (vegeta at rate 0 with one worker per connection). The stack runs with `CommentFloodSeconds=1 CommentVerification=off EdgeOriginSecret=…` (as `make local PARAMS=…` takes them); each comment carries its own email and a reader address in `CloudFront-Viewer-Address` beside the edge secret, the production rule by which the Comments function trusts the edge (`apigw.ClientIP`) — without the secret the header is ignored. *req/s* counts 2xx answers. *WordPress* is the issue's reference on this machine (WordPress 6, PHP 8.2, MariaDB, 2 connections, two runs); *× WP* is ours over its **best** run, goal ≥ %.0f×. *CPU s* is what DynamoDB Local's JVM and this process (local runtime, functions, vegeta) used during the run, from /proc: on 2 cores, a JVM near the run's wall time is the limit.\n\n", r.Config.loadN, loadGoal)
		w("| operation | route | conns | sent | req/s | p50 | p99 | WordPress req/s (p99) | × WP | statuses | errors | took | CPU s JVM / Go | note |\n|---|---|---:|---:|---:|---:|---:|---|---:|---|---:|---:|---|---|\n")
		for _, l := range r.Load {
			wp := wordPress[l.Op]
			ref, ratio := fmt.Sprintf("%.0f–%.0f", wp.RPSLow, wp.RPSHigh), ""
			if wp.P99High > 0 {
				ref += fmt.Sprintf(" (%.0f–%.0f ms)", bench.Ms(wp.P99Low), bench.Ms(wp.P99High))
			}
			if wp.RPSHigh > 0 {
				x := l.RPS / wp.RPSHigh
				ratio = fmt.Sprintf("%.1f× %s", x, mark(x >= loadGoal))
			}
			w("| %s | %s | %d | %d | %.0f | %.2f ms | %.2f ms | %s | %s | %s | %d | %.1f s | %.1f / %.1f | %s |\n", l.Op, l.Name, l.Connections, l.Sent, l.RPS,
				bench.Ms(l.P50), bench.Ms(l.P99), ref, ratio, statusStr(l.Status), l.Errors, l.Elapsed.Seconds(), l.JVMCPU, l.GoCPU, l.Note)
		}
		w("\nThese numbers are the laptop stack's (DynamoDB Local is a single JVM on the same two cores, beside the runtime, the functions and the load generator), not Lambda's.\n\n")
		if r.LoadProfileTop != "" {
			w("<details><summary>CPU profile of the Go side over the load phase (%s; `go tool pprof -top`)</summary>\n\n```\n%s\n```\n</details>\n\n", filepath.Base(r.LoadProfile), r.LoadProfileTop)
		}
	}

	w("## Phases\n\n| phase | seconds |\n|---|---:|\n")
	for _, p := range r.Phases {
		w("| %s | %.1f |\n", p.Name, p.D.Seconds())
	}
	w("| total | %.1f |\n\n", r.Elapsed.Seconds())
	if r.GoBenchRaw != "" {
		w("<details><summary>go test -bench output</summary>\n\n```\n%s```\n</details>\n", r.GoBenchRaw)
	}
	if err := os.WriteFile(filepath.Join(dir, "report.md"), []byte(b.String()), 0o644); err != nil {
		return err
	}
	page := r.chartHTML()
	hp := filepath.Join(dir, "chart.html")
	if err := os.WriteFile(hp, []byte(page), 0o644); err != nil {
		return err
	}
	return screenshot(ctx, hp, filepath.Join(dir, "chart.png"))
}

func minStr(n int) string {
	if n == 0 {
		return "–"
	}
	return fmt.Sprint(n)
}

func opsStr(ops map[string]float64) string {
	keys := make([]string, 0, len(ops))
	for k := range ops {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %.1f", k, ops[k]))
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

func statusStr(m map[int]int) string {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%d×%d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

type bar struct {
	label string
	value float64
	text  string
	bad   bool
}

// svgBars draws a horizontal bar chart with a goal line.
func svgBars(title string, bars []bar, goal float64, goalText string) string {
	const width, labelW, rowH, top = 560, 170, 26, 40
	max := goal
	for _, b := range bars {
		if b.value > max {
			max = b.value
		}
	}
	max *= 1.15
	if max == 0 {
		max = 1
	}
	h := top + rowH*len(bars) + 20
	scale := func(v float64) float64 { return float64(width-labelW-150) * v / max }
	var s strings.Builder
	fmt.Fprintf(&s, `<svg width="%d" height="%d" xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" font-size="13">`, width, h)
	fmt.Fprintf(&s, `<text x="0" y="20" font-size="15" font-weight="bold">%s</text>`, html.EscapeString(title))
	for i, b := range bars {
		y := top + i*rowH
		color := "#3b7dd8"
		if b.bad {
			color = "#d8553b"
		}
		fmt.Fprintf(&s, `<text x="%d" y="%d" text-anchor="end">%s</text>`, labelW-8, y+16, html.EscapeString(b.label))
		fmt.Fprintf(&s, `<rect x="%d" y="%d" width="%.1f" height="18" fill="%s"/>`, labelW, y+3, scale(b.value), color)
		fmt.Fprintf(&s, `<text x="%.1f" y="%d">%s</text>`, float64(labelW)+scale(b.value)+5, y+16, html.EscapeString(b.text))
	}
	if goal > 0 {
		x := float64(labelW) + scale(goal)
		fmt.Fprintf(&s, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#222" stroke-dasharray="4 3"/>`, x, top-4, x, h-14)
		fmt.Fprintf(&s, `<text x="%.1f" y="%d" font-size="11" text-anchor="middle">%s</text>`, x, h-2, html.EscapeString(goalText))
	}
	s.WriteString(`</svg>`)
	return s.String()
}

func (r *Report) chartHTML() string {
	var cold, size, p99 []bar
	for _, c := range r.coldRows() {
		if c.Name == "hello" {
			continue
		}
		cold = append(cold, bar{c.Name, c.InitRatio, fmt.Sprintf("%.2f× (%.0f ms)", c.InitRatio, bench.Ms(c.InitMed)), c.InitRatio > coldGoal})
	}
	for _, s := range r.Sizes {
		size = append(size, bar{s.Name, mib(s.Zipped), fmt.Sprintf("%.2f MiB", mib(s.Zipped)), s.Zipped > sizeGoal})
	}
	for _, l := range r.Load {
		p99 = append(p99, bar{fmt.Sprintf("%s ×%d", l.Op, l.Connections), bench.Ms(l.P99), fmt.Sprintf("%.1f ms p99, %.0f/s", bench.Ms(l.P99), l.RPS), false})
	}
	return `<!doctype html><html><head><meta charset="utf-8"><style>body{margin:16px;font-family:sans-serif;background:#fff} .g{display:flex;flex-wrap:wrap;gap:24px;width:1180px} h1{font-size:18px}</style></head><body>` +
		`<h1>Broadsheet bench — ` + html.EscapeString(r.Started.UTC().Format("2006-01-02 15:04 MST")) + ` — ` + html.EscapeString(r.Host) + `</h1><div class="g">` +
		`<div>` + svgBars("Cold start: init ÷ hello (median)", cold, coldGoal, fmt.Sprintf("goal %.2f×", coldGoal)) + `</div>` +
		`<div>` + svgBars("Zipped bootstrap, arm64 (MiB)", size, 3.5, "goal 3.5 MiB") + `</div>` +
		`<div>` + svgBars(fmt.Sprintf("Load: p99 latency (ms), %d requests per run", r.Config.loadN), p99, 0, "") + `</div>` +
		`</div></body></html>`
}

// screenshot renders page with headless Chromium into png.
func screenshot(ctx context.Context, page, png string) error {
	exe := "/usr/bin/chromium"
	if _, err := os.Stat(exe); err != nil {
		return fmt.Errorf("chart: %s not found (apt-get install chromium); the HTML is at %s", exe, page)
	}
	udd, err := os.MkdirTemp("", "bench-chromium-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(udd)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.UserDataDir(udd), chromedp.WindowSize(1220, 800),
	}
	actx, cancel := chromedp.NewExecAllocator(ctx, opts...)
	defer cancel()
	cctx, cancel2 := chromedp.NewContext(actx)
	defer cancel2()
	tctx, cancel3 := context.WithTimeout(cctx, 60*time.Second)
	defer cancel3()
	abs, err := filepath.Abs(page)
	if err != nil {
		return err
	}
	if err := chromedp.Do(tctx, chromedp.Navigate("file://"+abs)); err != nil {
		return fmt.Errorf("chart: %w", err)
	}
	buf, err := chromedp.Run(tctx, chromedp.FullScreenshot(100))
	if err != nil {
		return fmt.Errorf("chart: %w", err)
	}
	return os.WriteFile(png, buf, 0o644)
}
