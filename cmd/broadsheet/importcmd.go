package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"broadsheet/internal/editorclient"
)

func (a *app) importCmd(ctx context.Context, args []string) error {
	fs := a.flags("import")
	pos, err := parseFlags(fs, args, true)
	if err != nil {
		return err
	}
	if len(pos) != 2 || (pos[0] != "wxr" && pos[0] != "jsonl") {
		return usageErr("usage: broadsheet import wxr FILE.xml | broadsheet import jsonl FILE.jsonl")
	}
	format, path := pos[0], pos[1]
	c, err := a.client()
	if err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var items []editorclient.ImportItem
	if format == "wxr" {
		items, err = editorclient.ParseWXR(f)
	} else {
		items, err = editorclient.ParseJSONL(f)
	}
	if err != nil {
		return err
	}

	p := &progress{w: a.stderr, tty: a.tty}
	c.OnRetry = func(method, path string, attempt int, wait time.Duration, err error) {
		p.note(fmt.Sprintf("retrying %s %s in %s: %v", method, path, wait.Round(time.Millisecond), err))
	}
	im := &editorclient.Importer{Client: c, Concurrency: a.concurrency, OnProgress: p.update}
	sum := im.Run(ctx, items)
	p.finish()
	a.printSummary(format, path, sum)
	if len(sum.Failures) > 0 {
		return errFailed
	}
	return nil
}

func (a *app) printSummary(format, path string, s *editorclient.Summary) {
	w := a.stdout
	fmt.Fprintf(w, "import %s %s\n", format, path)
	fmt.Fprintf(w, "articles: %d created, %d updated, %d unchanged, %d skipped\n", s.Created, s.Updated, s.Unchanged, len(s.Skipped))
	for _, sk := range s.Skipped {
		fmt.Fprintf(w, "  skipped %s: %s\n", sk.Source, sk.Reason)
	}
	for _, n := range s.Notes {
		fmt.Fprintf(w, "  note    %s: %s\n", n.Source, n.Reason)
	}
	fmt.Fprintf(w, "comments: %d imported, %d already present, %d skipped", s.CommentsImported, s.CommentsPresent, s.CommentsSkippedTotal())
	if len(s.CommentsSkipped) > 0 {
		var reasons []string
		for r, n := range s.CommentsSkipped {
			reasons = append(reasons, fmt.Sprintf("%d %s", n, r))
		}
		sort.Strings(reasons)
		fmt.Fprintf(w, " (%s; not imported)", strings.Join(reasons, ", "))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "failures: %d\n", len(s.Failures))
	for _, f := range s.Failures {
		fmt.Fprintf(w, "  %s: %s\n", f.Source, editorclient.Redact(f.Reason))
	}
}

// progress shows import progress on stderr: a redrawn bar on a terminal,
// one line per article otherwise.
type progress struct {
	w     io.Writer
	tty   bool
	mu    sync.Mutex
	drawn bool
	last  editorclient.Progress
}

func (p *progress) update(ev editorclient.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.last = ev
	if !p.tty {
		if ev.Err != nil {
			fmt.Fprintf(p.w, "[%d/%d] failed %s: %s\n", ev.Done, ev.Total, ev.Source, editorclient.Redact(ev.Err.Error()))
		} else {
			fmt.Fprintf(p.w, "[%d/%d] %s %s\n", ev.Done, ev.Total, ev.Action, ev.Slug)
		}
		return
	}
	p.draw()
}

func (p *progress) draw() {
	const width = 30
	ev := p.last
	filled := 0
	if ev.Total > 0 {
		filled = ev.Done * width / ev.Total
	}
	bar := strings.Repeat("█", filled) + strings.Repeat("░", width-filled)
	fmt.Fprintf(p.w, "\r\033[K%s %d/%d articles  %s", bar, ev.Done, ev.Total, truncate(ev.Slug, 40))
	p.drawn = true
}

// note prints a message line without breaking the bar.
func (p *progress) note(msg string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	msg = editorclient.Redact(msg)
	if p.tty && p.drawn {
		fmt.Fprintf(p.w, "\r\033[K%s\n", msg)
		p.draw()
		return
	}
	fmt.Fprintln(p.w, msg)
}

func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty && p.drawn {
		fmt.Fprintln(p.w)
	}
}
