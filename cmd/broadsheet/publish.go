package main

import (
	"context"
	"errors"
	"os"

	"broadsheet/internal/editorclient"
)

// publish creates or updates one article per Markdown file, by slug.
func (a *app) publish(ctx context.Context, args []string) error {
	fs := a.flags("publish")
	files, err := parseFlags(fs, args, true)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return usageErr("publish needs at least one Markdown file")
	}
	c, err := a.client()
	if err != nil {
		return err
	}
	failed := false
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			a.errorf("failed    %s: %v\n", f, err)
			failed = true
			continue
		}
		in, warnings, err := editorclient.ParseMarkdown(data)
		for _, w := range warnings {
			a.errorf("warning   %s: %s\n", f, w)
		}
		if err != nil {
			a.errorf("failed    %s: %v\n", f, err)
			failed = true
			continue
		}
		action, art, err := c.UpsertArticle(ctx, in)
		var ce *editorclient.ConflictError
		switch {
		case errors.As(err, &ce):
			a.errorf("conflict  %s  %s: %v\n", in.Slug, ce.ID, err)
			failed = true
		case err != nil:
			a.errorf("failed    %s (%s): %v\n", f, in.Slug, err)
			failed = true
		default:
			a.printf("%-9s %s  %s\n", action, art.Slug, art.ID)
		}
		if ctx.Err() != nil {
			break
		}
	}
	if failed {
		return errFailed
	}
	return nil
}
