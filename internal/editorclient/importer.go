package editorclient

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
)

// ImportItem is one article to import, with its comments.
type ImportItem struct {
	Source   string // where it came from, for messages: `post 12 "Title"`, `line 3`
	Article  ArticleInput
	Comments []ImportComment
	// Skip, when set, is why the item is not imported (not a post, empty
	// title, invalid slug, …). Fail, when set, is a problem in the input
	// that counts as a failure (e.g. a JSON line that does not parse).
	Skip string
	Fail string
	// Notes are what was left out of an imported item and why (a featured
	// image Broadsheet cannot take), shown with the summary.
	Notes []string
}

// ImportComment is a comment to import. ExternalID identifies it across runs;
// ParentExternalID refers to another comment of the same item.
type ImportComment struct {
	ExternalID       string
	ParentExternalID string
	Name             string
	Email            string
	Website          string
	Body             string
	CreatedAt        string
	// Status is the source status; only "approved" comments are imported,
	// others are counted as skipped with Status as the reason.
	Status string
}

// Failure is one thing that went wrong.
type Failure struct {
	Source string
	Reason string
}

// Skip is one article not imported and why.
type Skip struct {
	Source string
	Reason string
}

// Summary is the outcome of an import.
type Summary struct {
	Created, Updated, Unchanged int
	Skipped                     []Skip
	Notes                       []Skip // parts of imported articles left out, and why

	CommentsImported int
	CommentsPresent  int
	CommentsSkipped  map[string]int // reason (pending, spam, …) → count

	Failures []Failure
}

// CommentsSkippedTotal is the number of comments not imported on purpose.
func (s *Summary) CommentsSkippedTotal() int {
	n := 0
	for _, v := range s.CommentsSkipped {
		n += v
	}
	return n
}

// Progress is reported after each article is done.
type Progress struct {
	Done, Total int
	Source      string
	Slug        string
	Action      Action // "" on failure
	Err         error
}

// Importer imports items through a Client.
type Importer struct {
	Client      *Client
	Concurrency int            // articles in flight at once; default 4
	OnProgress  func(Progress) // called from worker goroutines, one at a time
}

// Run imports items: articles are upserted by slug (created, updated only if
// changed, or left alone), then each article's approved comments are
// created parents first, skipping those whose externalId is already there.
// Running it again with the same input creates nothing new.
func (im *Importer) Run(ctx context.Context, items []ImportItem) *Summary {
	sum := &Summary{CommentsSkipped: map[string]int{}}
	var todo []ImportItem
	for _, it := range items {
		switch {
		case it.Fail != "":
			sum.Failures = append(sum.Failures, Failure{it.Source, it.Fail})
		case it.Skip != "":
			sum.Skipped = append(sum.Skipped, Skip{it.Source, it.Skip})
		default:
			todo = append(todo, it)
			for _, n := range it.Notes {
				sum.Notes = append(sum.Notes, Skip{it.Source, n})
			}
		}
	}
	n := im.Concurrency
	if n <= 0 {
		n = 4
	}
	var mu sync.Mutex
	done := 0
	jobs := make(chan ImportItem)
	var wg sync.WaitGroup
	for w := 0; w < min(n, max(len(todo), 1)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range jobs {
				r := im.importOne(ctx, it)
				mu.Lock()
				sum.merge(r)
				done++
				if im.OnProgress != nil {
					im.OnProgress(Progress{Done: done, Total: len(todo), Source: it.Source, Slug: it.Article.Slug, Action: r.action, Err: r.err})
				}
				mu.Unlock()
			}
		}()
	}
	for _, it := range todo {
		if ctx.Err() != nil {
			mu.Lock()
			sum.Failures = append(sum.Failures, Failure{it.Source, "not attempted: " + ctx.Err().Error()})
			mu.Unlock()
			continue
		}
		jobs <- it
	}
	close(jobs)
	wg.Wait()
	sort.SliceStable(sum.Failures, func(i, j int) bool { return sum.Failures[i].Source < sum.Failures[j].Source })
	return sum
}

type itemResult struct {
	action         Action
	err            error
	imported       int
	present        int
	skipped        map[string]int
	failures       []Failure
	articleFailure *Failure
}

func (s *Summary) merge(r itemResult) {
	switch r.action {
	case Created:
		s.Created++
	case Updated:
		s.Updated++
	case Unchanged:
		s.Unchanged++
	}
	if r.articleFailure != nil {
		s.Failures = append(s.Failures, *r.articleFailure)
	}
	s.CommentsImported += r.imported
	s.CommentsPresent += r.present
	for k, v := range r.skipped {
		s.CommentsSkipped[k] += v
	}
	s.Failures = append(s.Failures, r.failures...)
}

func (im *Importer) importOne(ctx context.Context, it ImportItem) itemResult {
	r := itemResult{skipped: map[string]int{}}
	action, art, err := im.Client.UpsertArticle(ctx, it.Article)
	if err != nil {
		r.err = err
		r.articleFailure = &Failure{it.Source, "article " + it.Article.Slug + ": " + err.Error()}
		return r
	}
	r.action = action
	im.importComments(ctx, it, art.ID, action == Created, &r)
	return r
}

// importComments creates it's approved comments on article id, parents
// first. A comment whose parent was not imported (pending, spam, …) hangs
// from its nearest imported ancestor, or from the article.
func (im *Importer) importComments(ctx context.Context, it ImportItem, articleID string, fresh bool, r *itemResult) {
	byExt := map[string]*ImportComment{}
	for i := range it.Comments {
		cm := &it.Comments[i]
		if cm.ExternalID != "" {
			byExt[cm.ExternalID] = cm
		}
	}
	var approved []*ImportComment
	for i := range it.Comments {
		cm := &it.Comments[i]
		st := strings.ToLower(strings.TrimSpace(cm.Status))
		if st == "" {
			st = "approved"
		}
		switch {
		case st != "approved":
			r.skipped[st]++
		case cm.ExternalID == "":
			r.failures = append(r.failures, Failure{it.Source, "comment without an external id"})
		default:
			approved = append(approved, cm)
		}
	}
	if len(approved) == 0 {
		return
	}
	isApproved := map[string]bool{}
	for _, cm := range approved {
		isApproved[cm.ExternalID] = true
	}
	// effective parent: nearest approved ancestor
	parentOf := func(cm *ImportComment) string {
		seen := map[string]bool{cm.ExternalID: true}
		p := cm.ParentExternalID
		for p != "" && !seen[p] {
			if isApproved[p] {
				return p
			}
			seen[p] = true
			anc, ok := byExt[p]
			if !ok {
				return ""
			}
			p = anc.ParentExternalID
		}
		return ""
	}
	// order: parents before children, siblings by time then input order
	kids := map[string][]*ImportComment{}
	for _, cm := range approved {
		p := parentOf(cm)
		kids[p] = append(kids[p], cm)
	}
	for _, ks := range kids {
		slices.SortStableFunc(ks, func(a, b *ImportComment) int { return strings.Compare(a.CreatedAt, b.CreatedAt) })
	}
	var ordered []*ImportComment
	var visit func(string)
	visited := map[string]bool{}
	visit = func(p string) {
		for _, cm := range kids[p] {
			if visited[cm.ExternalID] {
				continue
			}
			visited[cm.ExternalID] = true
			ordered = append(ordered, cm)
			visit(cm.ExternalID)
		}
	}
	visit("")
	for _, cm := range approved { // cycles: whatever is left, as top-level
		if !visited[cm.ExternalID] {
			visited[cm.ExternalID] = true
			ordered = append(ordered, cm)
		}
	}

	// external id → Broadsheet id of what is already there
	ids := map[string]string{}
	// GET /admin/comments?articleId= lists the article's approved comments.
	load := func() error {
		for c, err := range im.Client.Comments(ctx, CommentQuery{ArticleID: articleID, Limit: 50}) {
			if err != nil {
				return err
			}
			if c.ExternalID != "" && (c.ArticleID == "" || c.ArticleID == articleID) {
				ids[c.ExternalID] = c.ID
			}
		}
		return nil
	}
	if !fresh {
		if err := load(); err != nil {
			r.failures = append(r.failures, Failure{it.Source, "listing existing comments: " + err.Error()})
			return
		}
	}
	failed := map[string]bool{}
	gone := map[string]bool{} // imported before, but not in the article's comments now (deleted)
	for _, cm := range ordered {
		if _, ok := ids[cm.ExternalID]; ok {
			r.present++
			continue
		}
		parent := parentOf(cm)
		if failed[parent] || gone[parent] {
			failed[cm.ExternalID] = true
			why := "its parent " + parent + " failed"
			if gone[parent] {
				why = "its parent " + parent + " was imported before but is not in the article's comment list (deleted?)"
			}
			r.failures = append(r.failures, Failure{it.Source, fmt.Sprintf("comment %s: not imported because %s", cm.ExternalID, why)})
			continue
		}
		in := CommentInput{
			ArticleID:  articleID,
			Name:       cm.Name,
			Email:      cm.Email,
			Website:    cm.Website,
			Body:       cm.Body,
			CreatedAt:  cm.CreatedAt,
			Status:     "approved",
			ExternalID: cm.ExternalID,
		}
		if parent != "" {
			in.ParentID = ids[parent]
		}
		got, existed, err := im.Client.CreateComment(ctx, in)
		if err != nil {
			failed[cm.ExternalID] = true
			r.failures = append(r.failures, Failure{it.Source, fmt.Sprintf("comment %s: %v", cm.ExternalID, err)})
			continue
		}
		if existed {
			r.present++
		} else {
			r.imported++
		}
		if got.ID != "" {
			ids[cm.ExternalID] = got.ID
			continue
		}
		// 409 without a comment: the server has this externalId (an editor
		// may have deleted the comment since, which the re-run respects).
		// Replies still to import need its id: look it up once.
		if kids[cm.ExternalID] != nil {
			if err := load(); err != nil {
				failed[cm.ExternalID] = true
				r.failures = append(r.failures, Failure{it.Source, fmt.Sprintf("comment %s: listing existing comments: %v", cm.ExternalID, err)})
				continue
			}
		}
		if _, ok := ids[cm.ExternalID]; !ok {
			gone[cm.ExternalID] = true
		}
	}
}
