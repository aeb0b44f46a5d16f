package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"broadsheet/internal/broadsheet"
	"broadsheet/internal/editorclient"
)

func (a *app) moderate(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usageErr("usage: broadsheet moderate list|approve|reject|spam|delete …")
	}
	sub, args := args[0], args[1:]
	fs := a.flags("moderate " + sub)
	status := fs.String("status", "pending", "with list: pending, approved, spam, rejected or any")
	article := fs.String("article", "", "with list: only comments of this article id")
	limit := fs.Int("limit", 50, "with list: at most this many comments")
	emails := fs.Bool("emails", false, "with list: show commenters' email addresses")
	pos, err := parseFlags(fs, args, true)
	if err != nil {
		return err
	}
	switch sub {
	case "list":
		if len(pos) > 0 {
			return usageErr("moderate list takes no arguments")
		}
		c, err := a.client()
		if err != nil {
			return err
		}
		statuses := []string{*status}
		if *status == "any" || *status == "all" {
			// the server lists one status at a time
			statuses = []string{string(broadsheet.CommentPending), string(broadsheet.CommentApproved), string(broadsheet.CommentSpam), string(broadsheet.CommentRejected)}
			if *article != "" {
				statuses = []string{string(broadsheet.CommentApproved)} // all an article's list holds
			}
		}
		tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
		header := "ID\tSTATUS\tARTICLE\tCREATED\tNAME\t"
		if *emails {
			header += "EMAIL\t"
		}
		fmt.Fprintln(tw, header+"BODY")
		n := 0
	statusLoop:
		for _, st := range statuses {
			q := editorclient.CommentQuery{Status: st, ArticleID: *article, Limit: min(max(*limit, 1), 50)}
			for cm, err := range c.Comments(ctx, q) {
				if err != nil {
					if n > 0 {
						tw.Flush()
					}
					return err
				}
				if n >= *limit {
					break statusLoop
				}
				n++
				row := fmt.Sprintf("%s\t%s\t%s\t%s\t%s\t", cm.ID, cm.Status, firstNonEmpty(cm.ArticleSlug, cm.ArticleID), cm.CreatedAt, truncate(cm.Name, 24))
				if *emails {
					row += cm.Email + "\t"
				}
				fmt.Fprintln(tw, row+truncate(cm.Body, 60))
			}
		}
		tw.Flush()
		if n == 0 {
			fmt.Fprintln(a.stderr, "no comments")
		}
		return nil
	case "approve", "reject", "spam", "delete":
		if len(pos) == 0 {
			return usageErr("moderate %s needs comment ids", sub)
		}
		c, err := a.client()
		if err != nil {
			return err
		}
		target := map[string]string{"approve": "approved", "reject": "rejected", "spam": "spam"}[sub]
		failed := false
		for _, id := range pos {
			if sub == "delete" {
				err = c.DeleteComment(ctx, id)
			} else {
				_, err = c.SetCommentStatus(ctx, id, target)
			}
			if err != nil {
				a.errorf("failed    %s: %v\n", id, err)
				failed = true
				continue
			}
			a.printf("%-9s %s\n", map[string]string{"approve": "approved", "reject": "rejected", "spam": "spam", "delete": "deleted"}[sub], id)
		}
		if failed {
			return errFailed
		}
		return nil
	}
	return usageErr("unknown moderate command %q", sub)
}

func (a *app) articles(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usageErr("usage: broadsheet articles list|delete …")
	}
	sub, args := args[0], args[1:]
	fs := a.flags("articles " + sub)
	status := fs.String("status", "", "with list: draft or published")
	limit := fs.Int("limit", 50, "with list: at most this many articles")
	pos, err := parseFlags(fs, args, true)
	if err != nil {
		return err
	}
	switch sub {
	case "list":
		if len(pos) > 0 {
			return usageErr("articles list takes no arguments")
		}
		c, err := a.client()
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tSTATUS\tPUBLISHED\tSLUG\tTITLE")
		n := 0
		for art, err := range c.Articles(ctx, editorclient.ArticleQuery{Status: *status, Limit: min(max(*limit, 1), 50)}) {
			if err != nil {
				if n > 0 {
					tw.Flush()
				}
				return err
			}
			if n >= *limit {
				break
			}
			n++
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", art.ID, art.Status, publishedText(art.PublishedAt), art.Slug, truncate(art.Title, 60))
		}
		tw.Flush()
		if n == 0 {
			fmt.Fprintln(a.stderr, "no articles")
		}
		return nil
	case "delete":
		if len(pos) == 0 {
			return usageErr("articles delete needs article ids")
		}
		c, err := a.client()
		if err != nil {
			return err
		}
		failed := false
		for _, id := range pos {
			if err := c.DeleteArticle(ctx, id); err != nil {
				a.errorf("failed    %s: %v\n", id, err)
				failed = true
				continue
			}
			a.printf("deleted   %s\n", id)
		}
		if failed {
			return errFailed
		}
		return nil
	}
	return usageErr("unknown articles command %q", sub)
}

// publishedText shows when an article was published, "-" for never.
func publishedText(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
