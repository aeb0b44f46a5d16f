package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"broadsheet/internal/local/rie"
	"broadsheet/internal/testkit/bench"
)

// coldEvent is the sample event each function answers on its cold start:
// a real request that reads the seeded table (hello answers anything).
var coldEvent = map[string]string{
	"":         "articles-get.json",
	"articles": "articles-get.json",
	"comments": "comments-list.json",
	"search":   "search.json",
	"editor":   "admin-articles-list.json",
	"indexer":  "indexer-stream.json",
	"pages":    "pages-article.json",
}

// Cold is one artifact's cold starts.
type Cold struct {
	Name     string
	Fn       string
	Before   bool
	First    []time.Duration // invoke sent → first answer (the emulator starts the bootstrap on it)
	Init     []time.Duration // INIT REPORT
	Warm     []time.Duration // the same request again, in the same process
	Emulator []time.Duration // emulator process start → listening (same for all; not in First)
	Failures int
}

// coldStarts starts every artifact c.starts times, one emulator process per
// start and one invocation at a time, interleaved in a shuffled order per
// round so that machine noise spreads over all of them.
func coldStarts(ctx context.Context, c config, st *Stack, arts []Artifact) ([]*Cold, error) {
	bin, err := rie.Install(ctx, "", os.Stderr)
	if err != nil {
		return nil, err
	}
	events := map[string][]byte{}
	for fn, file := range coldEvent {
		b, err := os.ReadFile(filepath.Join(c.root, "events", file))
		if err != nil {
			return nil, err
		}
		events[fn] = b
	}
	res := make([]*Cold, len(arts))
	for i, a := range arts {
		res[i] = &Cold{Name: a.Name, Fn: a.Fn, Before: a.Before}
	}
	envs := map[string]map[string]string{}
	for _, a := range arts {
		fn := a.Fn
		if fn == "" {
			fn = "articles"
		}
		if envs[a.Fn] == nil {
			env, err := functionEnv(st, fn)
			if err != nil {
				return nil, err
			}
			envs[a.Fn] = env
		}
	}
	// One unmeasured start first: the page cache holds every binary.
	for _, a := range arts {
		if _, _, _, _, err := coldOnce(ctx, bin, a, envs[a.Fn], events[a.Fn]); err != nil {
			return nil, fmt.Errorf("%s: %w", a.Name, err)
		}
	}
	order := make([]int, len(arts))
	for i := range order {
		order[i] = i
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for r := 0; r < c.starts; r++ {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, i := range order {
			a := arts[i]
			first, init, emu, warm, err := coldOnce(ctx, bin, a, envs[a.Fn], events[a.Fn])
			if err != nil {
				res[i].Failures++
				continue
			}
			res[i].Warm = append(res[i].Warm, warm)
			res[i].First = append(res[i].First, first)
			res[i].Init = append(res[i].Init, init)
			res[i].Emulator = append(res[i].Emulator, emu)
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	return res, nil
}

func coldOnce(ctx context.Context, bin string, a Artifact, env map[string]string, event []byte) (first, init, emu, warm time.Duration, err error) {
	t0 := time.Now()
	e, err := rie.StartWith(ctx, a.Host, rie.Options{Binary: bin, Env: env, LogLevel: "info"})
	if err != nil {
		return 0, 0, 0, 0, err
	}
	defer e.Stop()
	emu = time.Since(t0)
	r, err := invokeOK(ctx, e, a, event)
	if err != nil {
		return 0, 0, 0, 0, err
	}
	if r.Report != nil {
		init = r.Report.Init
	}
	w, err := invokeOK(ctx, e, a, event)
	if err != nil {
		return 0, 0, 0, 0, err
	}
	return r.RoundTrip, init, emu, w.RoundTrip, nil
}

func invokeOK(ctx context.Context, e *rie.Emulator, a Artifact, event []byte) (*rie.Result, error) {
	r, err := e.InvokeResult(ctx, event)
	if err != nil {
		return nil, err
	}
	if msg, _, failed := r.FunctionError(); failed {
		return nil, fmt.Errorf("function error: %s", msg)
	}
	if a.Fn != "indexer" {
		var resp struct {
			StatusCode int `json:"statusCode"`
		}
		if json.Unmarshal(r.Payload, &resp) != nil || resp.StatusCode != 200 {
			return nil, fmt.Errorf("answer %.300s", r.Payload)
		}
	} else if strings.Contains(string(r.Payload), `"itemIdentifier"`) {
		return nil, fmt.Errorf("batch failures: %.300s", r.Payload)
	}
	return r, nil
}

// functionEnv is fn's template environment, pointed at the stack's
// DynamoDB Local with the dummy credentials Lambda's environment would hold.
func functionEnv(st *Stack, fn string) (map[string]string, error) {
	for id, f := range st.Template().Functions {
		if f.CodeUri != "functions/"+fn {
			continue
		}
		env := map[string]string{}
		for k, v := range st.Invoker().Environment(id) {
			if !strings.HasPrefix(k, "AWS_LAMBDA_") && !strings.HasPrefix(k, "_") {
				env[k] = v
			}
		}
		env["DYNAMODB_ENDPOINT"] = st.DynamoDBEndpoint()
		env["AWS_REGION"] = "us-east-1"
		env["AWS_ACCESS_KEY_ID"] = "local"
		env["AWS_SECRET_ACCESS_KEY"] = "local"
		env["LOG_LEVEL"] = "WARN"
		return env, nil
	}
	return nil, fmt.Errorf("no function with CodeUri functions/%s", fn)
}

var _ = bench.Ms
