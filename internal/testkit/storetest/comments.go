package storetest

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"broadsheet/internal/broadsheet"
)

// CommentStore is what the comment cases need of a store: the comment
// contract, and articles to comment on (created, read for their count,
// deleted under their comments).
type CommentStore interface {
	broadsheet.CommentStore
	CreateArticle(ctx context.Context, a *broadsheet.Article) error
	ArticleByID(ctx context.Context, id string) (*broadsheet.Article, error)
	DeleteArticle(ctx context.Context, a *broadsheet.Article) error
	LatestApprovedComments(ctx context.Context, articleID string, limit int) ([]*broadsheet.Comment, error)
}

// commentNow is the fixed clock of the comment cases.
var commentNow = time.Date(2026, 11, 27, 14, 0, 0, 0, time.UTC)

// RunComments runs the comment store cases; newStore returns an empty store.
func RunComments(t *testing.T, newStore func(t *testing.T) CommentStore) {
	cases := []struct {
		name string
		run  func(t *testing.T, st CommentStore)
	}{
		{"SubmitConditions", submitConditions},
		{"RefusedSubmissionWritesNothing", refusedSubmissionWritesNothing},
		{"ApprovedSubmissionCountsAndRecordsCommenter", approvedSubmissionCounts},
		{"ReplyParent", replyParent},
		{"ApprovedListOldestFirstPaged", approvedListOldestFirstPaged},
		{"QueueByStatusPaged", queueByStatusPaged},
		{"StatusChangeMovesCountOnce", statusChangeMovesCountOnce},
		{"ConcurrentModerationAppliesOnce", concurrentModerationAppliesOnce},
		{"ModerationOnDeletedArticle", moderationOnDeletedArticle},
		{"DeleteFreesDedupe", deleteFreesDedupe},
		{"ImportIdempotentByExternalID", importIdempotentByExternalID},
		{"CommentByIDMissing", commentByIDMissing},
		{"TrustIsPerEmailAndAddress", trustIsPerEmailAndAddress},
		{"ClaimWindowOncePerWindow", claimWindowOncePerWindow},
		{"ReplyNotifyStored", replyNotifyStored},
		{"ForgetCommenterErasesEverything", forgetCommenterErasesEverything},
		{"DeleteCommentLeavesNoIndex", deleteCommentLeavesNoIndex},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.run(t, newStore(t)) })
	}
}

func commentArticle(t *testing.T, st CommentStore) *broadsheet.Article {
	t.Helper()
	id := broadsheet.NewID()
	a := &broadsheet.Article{
		ID: id, Slug: "c-" + strings.ToLower(id[16:]), Title: "T", Body: "B", BodyHTML: "<p>B</p>",
		Author: broadsheet.Author{Name: "Staff"}, Status: broadsheet.StatusPublished, PublishedAt: commentNow.Add(-time.Hour),
		CreatedAt: commentNow, UpdatedAt: commentNow, Version: 1, CommentsOpen: true,
	}
	if err := st.CreateArticle(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	return a
}

func newComment(a *broadsheet.Article, emailHash, body string, status broadsheet.CommentStatus) *broadsheet.Comment {
	return &broadsheet.Comment{
		ID: broadsheet.NewID(), ArticleID: a.ID, ArticleSlug: a.Slug, Name: "N", Email: "e@example.com",
		EmailHash: emailHash, Body: body, Status: status, CreatedAt: commentNow,
	}
}

func commentCount(t *testing.T, st CommentStore, a *broadsheet.Article) int64 {
	t.Helper()
	got, err := st.ArticleByID(context.Background(), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got.CommentCount
}

func store(t *testing.T, st CommentStore, cs ...*broadsheet.Comment) {
	t.Helper()
	for _, c := range cs {
		if err := st.SubmitComment(context.Background(), &broadsheet.Submission{Comment: c, Now: c.CreatedAt}); err != nil {
			t.Fatal(err)
		}
	}
}

func ids(cs []*broadsheet.Comment) string {
	var out []string
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return strings.Join(out, ",")
}

// readAll follows Page.Next to the end. A store may hand out a position after
// the last item (DynamoDB stops at the limit without looking further), so
// only the items are compared.
func readAll(t *testing.T, read func(after map[string]string) (broadsheet.Page[*broadsheet.Comment], error)) []*broadsheet.Comment {
	t.Helper()
	var all []*broadsheet.Comment
	var after map[string]string
	for pages := 0; ; pages++ {
		page, err := read(after)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page.Items...)
		if len(page.Next) == 0 {
			return all
		}
		if pages > 100 {
			t.Fatal("pagination does not end")
		}
		after = page.Next
	}
}

// submitConditions: each rule of the submission transaction answers for
// itself: idempotency key, dedupe on the normalised body, flood window,
// article gone; the stored answer expires after a day.
func submitConditions(t *testing.T, st CommentStore) {
	ctx := context.Background()
	a := commentArticle(t, st)
	sub := func(c *broadsheet.Comment, at time.Time, idem string, keys ...string) error {
		return st.SubmitComment(ctx, &broadsheet.Submission{Comment: c, Now: at, FloodWindow: 15 * time.Second, FloodKeys: keys,
			IdempotencyKey: idem, Answer: broadsheet.StoredAnswer{Status: 201, Body: `{"id":"` + c.ID + `"}`, CommentID: c.ID, Fingerprint: "fp-" + c.ID}})
	}
	first := newComment(a, "h1", "hello", broadsheet.CommentPending)
	if err := sub(first, commentNow, "k1", "email#h1"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		c    *broadsheet.Comment
		at   time.Time
		idem string
		keys []string
		code string
	}{
		{"same idempotency key", newComment(a, "h2", "other", broadsheet.CommentPending), commentNow, "k1", nil, "replay"},
		{"same email and normalised body", newComment(a, "h1", "  HELLO ", broadsheet.CommentPending), commentNow.Add(time.Hour), "", []string{"email#h1"}, broadsheet.CodeDuplicateComment},
		{"same email within the window", newComment(a, "h1", "new words", broadsheet.CommentPending), commentNow.Add(5 * time.Second), "", []string{"email#h1"}, broadsheet.CodeRateLimited},
		{"duplicate within the window: the limit answers first", newComment(a, "h1", "hello", broadsheet.CommentPending), commentNow.Add(5 * time.Second), "", []string{"email#h1"}, broadsheet.CodeRateLimited},
		{"approved comment on a deleted article", newComment(&broadsheet.Article{ID: broadsheet.NewID(), Slug: "gone"}, "h3", "x", broadsheet.CommentApproved), commentNow, "", nil, broadsheet.CodeNotFound},
		{"window over, flood record still there", newComment(a, "h1", "new words", broadsheet.CommentPending), commentNow.Add(15 * time.Second), "", []string{"email#h1"}, ""},
	}
	for _, tt := range tests {
		err := sub(tt.c, tt.at, tt.idem, tt.keys...)
		switch {
		case tt.code == "replay":
			if !errors.Is(err, broadsheet.ErrIdempotencyRace) {
				t.Errorf("%s: got %v, want ErrIdempotencyRace", tt.name, err)
			}
		case broadsheet.ErrorCode(err) != tt.code:
			t.Errorf("%s: got %v, want %q", tt.name, err, tt.code)
		}
		var be *broadsheet.Error
		if tt.code == broadsheet.CodeRateLimited && errors.As(err, &be) && be.RetryAfter != 10*time.Second {
			t.Errorf("%s: RetryAfter %v, want 10s", tt.name, be.RetryAfter)
		}
	}
	ans, err := st.IdempotentAnswer(ctx, "k1", commentNow.Add(23*time.Hour))
	want := broadsheet.StoredAnswer{Status: 201, Body: `{"id":"` + first.ID + `"}`, CommentID: first.ID, Fingerprint: "fp-" + first.ID}
	if err != nil || ans == nil || *ans != want {
		t.Fatalf("stored answer: %+v %v, want %+v", ans, err, want)
	}
	if ans, _ := st.IdempotentAnswer(ctx, "k1", commentNow.Add(24*time.Hour+time.Second)); ans != nil {
		t.Fatal("an expired answer must not be replayed, deleted by TTL or not")
	}
	if ans, _ := st.IdempotentAnswer(ctx, "never-sent", commentNow); ans != nil {
		t.Fatalf("an unknown key has an answer: %+v", ans)
	}
	// Once expired, the key may be used again.
	if err := sub(newComment(a, "h4", "a day later", broadsheet.CommentPending), commentNow.Add(25*time.Hour), "k1"); err != nil {
		t.Fatalf("reusing an expired idempotency key: %v", err)
	}
	// A duplicate spends its address's window, so a 409 is no faster an
	// oracle than a post.
	later := commentNow.Add(time.Hour)
	if err := sub(newComment(a, "h1", "Hello", broadsheet.CommentPending), later, "", broadsheet.FloodKeyAddress+"d", "email#h1"); broadsheet.ErrorCode(err) != broadsheet.CodeDuplicateComment {
		t.Fatalf("duplicate after the window: %v, want %s", err, broadsheet.CodeDuplicateComment)
	}
	if err := sub(newComment(a, "h7", "from the same address", broadsheet.CommentPending), later.Add(time.Second), "", broadsheet.FloodKeyAddress+"d", "email#h7"); broadsheet.ErrorCode(err) != broadsheet.CodeRateLimited {
		t.Fatalf("the duplicate's address a second later: %v, want %s", err, broadsheet.CodeRateLimited)
	}
	// The longest-closed flood key decides the wait.
	if err := sub(newComment(a, "h5", "ip one", broadsheet.CommentPending), commentNow, "", "ip#a"); err != nil {
		t.Fatal(err)
	}
	err = sub(newComment(a, "h6", "ip two", broadsheet.CommentPending), commentNow.Add(14*time.Second+100*time.Millisecond), "", "ip#a", "email#h6")
	var be *broadsheet.Error
	if !errors.As(err, &be) || be.Code != broadsheet.CodeRateLimited || be.RetryAfter != time.Second {
		t.Fatalf("flood key with 900ms left: %v, want rate_limited with the one-second minimum", err)
	}
}

// refusedSubmissionWritesNothing: a submission refused by one condition
// leaves no trace of its other writes: no comment, dedupe claim, flood
// record, stored answer or count.
func refusedSubmissionWritesNothing(t *testing.T, st CommentStore) {
	ctx := context.Background()
	a := commentArticle(t, st)
	if err := st.SubmitComment(ctx, &broadsheet.Submission{Comment: newComment(a, "other", "first", broadsheet.CommentPending),
		Now: commentNow, FloodWindow: time.Minute, FloodKeys: []string{"ip#shared"}}); err != nil {
		t.Fatal(err)
	}
	refused := newComment(a, "h", "refused words", broadsheet.CommentApproved)
	err := st.SubmitComment(ctx, &broadsheet.Submission{Comment: refused, Now: commentNow.Add(time.Second),
		FloodWindow: time.Minute, FloodKeys: []string{"email#h", "ip#shared"}, IdempotencyKey: "idem-refused",
		Answer: broadsheet.StoredAnswer{Status: 201, Body: "{}", CommentID: refused.ID}, NewCommenter: true})
	if broadsheet.ErrorCode(err) != broadsheet.CodeRateLimited {
		t.Fatalf("got %v, want rate_limited", err)
	}
	if _, err := st.CommentByID(ctx, refused.ID); broadsheet.ErrorCode(err) != broadsheet.CodeNotFound {
		t.Errorf("the refused comment was stored: %v", err)
	}
	if ans, _ := st.IdempotentAnswer(ctx, "idem-refused", commentNow.Add(time.Second)); ans != nil {
		t.Errorf("the refused submission stored an answer: %+v", ans)
	}
	if ok, _ := st.CommenterApproved(ctx, "h"); ok {
		t.Error("the refused submission recorded its commenter")
	}
	if n := commentCount(t, st, a); n != 0 {
		t.Errorf("count %d after a refused approved comment", n)
	}
	// Neither the email's flood key nor the dedupe claim was taken.
	again := newComment(a, "h", "refused words", broadsheet.CommentApproved)
	if err := st.SubmitComment(ctx, &broadsheet.Submission{Comment: again, Now: commentNow.Add(2 * time.Second),
		FloodWindow: time.Minute, FloodKeys: []string{"email#h"}}); err != nil {
		t.Fatalf("the same words from another address: %v", err)
	}
}

// approvedSubmissionCounts: an approved comment is counted on its article in
// its submission, and an auto-approved first-timer is recorded; a pending
// comment is neither.
func approvedSubmissionCounts(t *testing.T, st CommentStore) {
	ctx := context.Background()
	a := commentArticle(t, st)
	if err := st.SubmitComment(ctx, &broadsheet.Submission{Comment: newComment(a, "waits", "pending", broadsheet.CommentPending), Now: commentNow}); err != nil {
		t.Fatal(err)
	}
	if ok, _ := st.CommenterApproved(ctx, "waits"); ok || commentCount(t, st, a) != 0 {
		t.Fatalf("a pending comment was counted or recorded (count %d)", commentCount(t, st, a))
	}
	if err := st.SubmitComment(ctx, &broadsheet.Submission{Comment: newComment(a, "new", "approved", broadsheet.CommentApproved), Now: commentNow, NewCommenter: true}); err != nil {
		t.Fatal(err)
	}
	if ok, _ := st.CommenterApproved(ctx, "new"); !ok {
		t.Error("an auto-approved first-timer must be recorded as an approved commenter")
	}
	if ok, _ := st.CommenterApproved(ctx, ""); ok {
		t.Error("no email is never an approved commenter")
	}
	if n := commentCount(t, st, a); n != 1 {
		t.Errorf("count %d, want 1", n)
	}
}

// replyParent: a reply needs an approved parent on the same article at the
// moment it is stored.
func replyParent(t *testing.T, st CommentStore) {
	ctx := context.Background()
	a, b := commentArticle(t, st), commentArticle(t, st)
	approved := newComment(a, "", "approved parent", broadsheet.CommentApproved)
	pending := newComment(a, "", "pending parent", broadsheet.CommentPending)
	elsewhere := newComment(b, "", "parent on another article", broadsheet.CommentApproved)
	store(t, st, approved, pending, elsewhere)
	for _, tt := range []struct {
		name   string
		parent string
		code   string
	}{
		{"approved on the same article", approved.ID, ""},
		{"pending", pending.ID, broadsheet.CodeValidation},
		{"on another article", elsewhere.ID, broadsheet.CodeValidation},
		{"missing", broadsheet.NewID(), broadsheet.CodeValidation},
	} {
		reply := newComment(a, "", "reply to "+tt.name, broadsheet.CommentPending)
		reply.ParentID = tt.parent
		err := st.SubmitComment(ctx, &broadsheet.Submission{Comment: reply, Now: commentNow})
		if broadsheet.ErrorCode(err) != tt.code {
			t.Errorf("%s: got %v, want %q", tt.name, err, tt.code)
		}
		var be *broadsheet.Error
		if tt.code != "" && errors.As(err, &be) && be.Fields["parentId"] == "" {
			t.Errorf("%s: the error names no parentId field: %+v", tt.name, be)
		}
	}
}

// approvedListOldestFirstPaged: an article's public list holds its approved
// comments only, oldest first, whole across pages.
func approvedListOldestFirstPaged(t *testing.T, st CommentStore) {
	ctx := context.Background()
	a, other := commentArticle(t, st), commentArticle(t, st)
	var want []*broadsheet.Comment
	for i := range 5 {
		c := newComment(a, "", "approved "+string(rune('a'+i)), broadsheet.CommentApproved)
		c.CreatedAt = commentNow.Add(time.Duration(5-i) * time.Minute) // stored newest first
		want = append([]*broadsheet.Comment{c}, want...)
		store(t, st, c)
	}
	p := newComment(a, "", "pending", broadsheet.CommentPending)
	o := newComment(other, "", "other article", broadsheet.CommentApproved)
	store(t, st, p, o)
	latest, err := st.LatestApprovedComments(ctx, a.ID, 3)
	if err != nil {
		t.Fatal(err)
	}
	if newest := want[len(want)-3:]; ids(latest) != ids([]*broadsheet.Comment{newest[2], newest[1], newest[0]}) {
		t.Errorf("latest approved %s, want the three newest, newest first", ids(latest))
	}
	got := readAll(t, func(after map[string]string) (broadsheet.Page[*broadsheet.Comment], error) {
		return st.ApprovedComments(ctx, a.ID, 2, after)
	})
	if ids(got) != ids(want) {
		t.Fatalf("approved list %s, want %s", ids(got), ids(want))
	}
	if got[0].Body != want[0].Body || !got[0].CreatedAt.Equal(want[0].CreatedAt) || got[0].Email != "e@example.com" {
		t.Errorf("stored comment read back as %+v", got[0])
	}
	first, err := st.ApprovedComments(ctx, a.ID, 2, nil)
	if err != nil || len(first.Items) != 2 || first.Next == nil {
		t.Fatalf("first page: %d items, next %v, %v", len(first.Items), first.Next, err)
	}
	empty, err := st.ApprovedComments(ctx, commentArticle(t, st).ID, 10, nil)
	if err != nil || len(empty.Items) != 0 || empty.Next != nil {
		t.Fatalf("an article without comments: %+v %v", empty, err)
	}
}

// queueByStatusPaged: each moderation queue holds the comments of its
// status, oldest first, whole across pages; a status change moves a comment
// between queues and onto the public list.
func queueByStatusPaged(t *testing.T, st CommentStore) {
	ctx := context.Background()
	a := commentArticle(t, st)
	var pending []*broadsheet.Comment
	for i := range 7 {
		c := newComment(a, "", "waiting "+string(rune('a'+i)), broadsheet.CommentPending)
		c.CreatedAt = commentNow.Add(time.Duration(i) * time.Second)
		pending = append(pending, c)
		store(t, st, c)
	}
	spam := newComment(a, "", "spam", broadsheet.CommentSpam)
	store(t, st, spam)
	queue := func(status broadsheet.CommentStatus) []*broadsheet.Comment {
		return readAll(t, func(after map[string]string) (broadsheet.Page[*broadsheet.Comment], error) {
			return st.CommentsByStatus(ctx, status, 3, after)
		})
	}
	if got := queue(broadsheet.CommentPending); ids(got) != ids(pending) {
		t.Fatalf("pending queue %s, want %s", ids(got), ids(pending))
	}
	if got := queue(broadsheet.CommentSpam); ids(got) != spam.ID {
		t.Fatalf("spam queue %s, want %s", ids(got), spam.ID)
	}
	if err := st.SetCommentStatus(ctx, pending[3], broadsheet.CommentApproved, commentNow); err != nil {
		t.Fatal(err)
	}
	rest := append(append([]*broadsheet.Comment{}, pending[:3]...), pending[4:]...)
	if got := queue(broadsheet.CommentPending); ids(got) != ids(rest) {
		t.Fatalf("pending queue after an approval %s, want %s", ids(got), ids(rest))
	}
	if got := queue(broadsheet.CommentApproved); ids(got) != pending[3].ID {
		t.Fatalf("approved queue %s", ids(got))
	}
	list, err := st.ApprovedComments(ctx, a.ID, 10, nil)
	if err != nil || ids(list.Items) != pending[3].ID {
		t.Fatalf("public list after the approval: %s %v", ids(list.Items), err)
	}
	if got, _ := st.CommentByID(ctx, pending[3].ID); got.Status != broadsheet.CommentApproved {
		t.Fatalf("status read back as %q", got.Status)
	}
	if got := queue(broadsheet.CommentRejected); len(got) != 0 {
		t.Fatalf("rejected queue %s, want empty", ids(got))
	}
}

// statusChangeMovesCountOnce: the count follows moves into and out of
// approved, a move to the same status is a no-op, and a stale status is refused.
func statusChangeMovesCountOnce(t *testing.T, st CommentStore) {
	ctx := context.Background()
	a := commentArticle(t, st)
	c := newComment(a, "h", "body", broadsheet.CommentPending)
	store(t, st, c)
	steps := []struct {
		to    broadsheet.CommentStatus
		count int64
	}{
		{broadsheet.CommentApproved, 1},
		{broadsheet.CommentApproved, 1},
		{broadsheet.CommentRejected, 0},
		{broadsheet.CommentSpam, 0},
		{broadsheet.CommentApproved, 1},
		{broadsheet.CommentPending, 0},
	}
	for _, s := range steps {
		if err := st.SetCommentStatus(ctx, c, s.to, commentNow); err != nil {
			t.Fatalf("%s → %s: %v", c.Status, s.to, err)
		}
		c.Status = s.to
		if n := commentCount(t, st, a); n != s.count {
			t.Fatalf("after → %s: count %d, want %d", s.to, n, s.count)
		}
	}
	if ok, _ := st.CommenterApproved(ctx, "h"); !ok {
		t.Error("approving a comment records its commenter")
	}
	stale := *c
	stale.Status = broadsheet.CommentApproved
	if err := st.SetCommentStatus(ctx, &stale, broadsheet.CommentRejected, commentNow); broadsheet.ErrorCode(err) != broadsheet.CodePreconditionFailed {
		t.Fatalf("a stale status: %v", err)
	}
	if err := st.DeleteComment(ctx, &stale); broadsheet.ErrorCode(err) != broadsheet.CodePreconditionFailed {
		t.Fatalf("deleting with a stale status: %v", err)
	}
	if n := commentCount(t, st, a); n != 0 {
		t.Fatalf("count %d after refused changes", n)
	}
}

// concurrentModerationAppliesOnce: ten editors approve the same pending
// comment at once, each from the same stale read. One change applies; the
// rest are refused; the count moves by exactly one. Then ten racing deletions.
func concurrentModerationAppliesOnce(t *testing.T, st CommentStore) {
	ctx := context.Background()
	a := commentArticle(t, st)
	c := newComment(a, "h", "body", broadsheet.CommentPending)
	store(t, st, c)
	race := func(op func(c broadsheet.Comment) error) map[string]int {
		results := map[string]int{}
		var mu sync.Mutex
		var wg sync.WaitGroup
		for range 10 {
			wg.Go(func() {
				err := op(*c)
				mu.Lock()
				results[broadsheet.ErrorCode(err)]++
				mu.Unlock()
			})
		}
		wg.Wait()
		return results
	}
	got := race(func(c broadsheet.Comment) error {
		return st.SetCommentStatus(ctx, &c, broadsheet.CommentApproved, commentNow)
	})
	if got[""] != 1 || got[broadsheet.CodePreconditionFailed] != 9 || commentCount(t, st, a) != 1 {
		t.Fatalf("approvals: %v, count %d", got, commentCount(t, st, a))
	}
	c.Status = broadsheet.CommentApproved
	got = race(func(c broadsheet.Comment) error { return st.DeleteComment(ctx, &c) })
	if got[""] != 1 || got[broadsheet.CodePreconditionFailed] != 9 || commentCount(t, st, a) != 0 {
		t.Fatalf("deletions: %v, count %d", got, commentCount(t, st, a))
	}
}

// moderationOnDeletedArticle: approving a comment of a deleted article is
// refused, while un-approving and deleting go ahead, and the article stays gone.
func moderationOnDeletedArticle(t *testing.T, st CommentStore) {
	ctx := context.Background()
	a := commentArticle(t, st)
	approved := newComment(a, "h1", "one", broadsheet.CommentApproved)
	pending := newComment(a, "h2", "two", broadsheet.CommentPending)
	store(t, st, approved, pending)
	if err := st.DeleteArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := st.SetCommentStatus(ctx, pending, broadsheet.CommentApproved, commentNow); broadsheet.ErrorCode(err) != broadsheet.CodeNotFound {
		t.Fatalf("approve on a deleted article: %v", err)
	}
	if got, _ := st.CommentByID(ctx, pending.ID); got.Status != broadsheet.CommentPending {
		t.Fatalf("a refused approval changed the status to %q", got.Status)
	}
	if err := st.SetCommentStatus(ctx, approved, broadsheet.CommentRejected, commentNow); err != nil {
		t.Fatalf("un-approve on a deleted article: %v", err)
	}
	approved.Status = broadsheet.CommentRejected
	if err := st.DeleteComment(ctx, approved); err != nil {
		t.Fatalf("delete on a deleted article: %v", err)
	}
	if _, err := st.ArticleByID(ctx, a.ID); broadsheet.ErrorCode(err) != broadsheet.CodeNotFound {
		t.Fatalf("the deleted article came back: %v", err)
	}
}

// deleteFreesDedupe: deleting a comment removes it from every list and lets
// its author post the same words again; an approved one is uncounted.
func deleteFreesDedupe(t *testing.T, st CommentStore) {
	ctx := context.Background()
	a := commentArticle(t, st)
	c := newComment(a, "h", "same words", broadsheet.CommentApproved)
	store(t, st, c)
	if err := st.DeleteComment(ctx, c); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CommentByID(ctx, c.ID); broadsheet.ErrorCode(err) != broadsheet.CodeNotFound {
		t.Fatalf("deleted comment read back: %v", err)
	}
	if list, _ := st.ApprovedComments(ctx, a.ID, 10, nil); len(list.Items) != 0 {
		t.Fatalf("deleted comment still listed: %s", ids(list.Items))
	}
	if n := commentCount(t, st, a); n != 0 {
		t.Fatalf("count %d after deleting the approved comment", n)
	}
	if err := st.DeleteComment(ctx, c); broadsheet.ErrorCode(err) != broadsheet.CodePreconditionFailed {
		t.Fatalf("deleting twice: %v", err)
	}
	store(t, st, newComment(a, "h", "same words", broadsheet.CommentPending))
}

// importIdempotentByExternalID: an import stores a comment once per
// externalId and article, without flood limit; a re-run answers the first
// import, or a duplicate once an editor has deleted it.
func importIdempotentByExternalID(t *testing.T, st CommentStore) {
	ctx := context.Background()
	a, b := commentArticle(t, st), commentArticle(t, st)
	imported := func(art *broadsheet.Article, ext, body string, status broadsheet.CommentStatus) *broadsheet.Comment {
		c := newComment(art, "h-"+ext, body, status)
		c.ExternalID = ext
		c.CreatedAt = commentNow.Add(-24 * time.Hour)
		return c
	}
	first := imported(a, "wp-1", "from the old site", broadsheet.CommentApproved)
	got, created, err := st.ImportComment(ctx, first)
	if err != nil || !created || got.ID != first.ID {
		t.Fatalf("first import: %v %v %v", got, created, err)
	}
	if n := commentCount(t, st, a); n != 1 {
		t.Fatalf("count %d after an approved import", n)
	}
	if ok, _ := st.CommenterApproved(ctx, first.EmailHash); !ok {
		t.Error("an approved import records its commenter")
	}
	again := imported(a, "wp-1", "edited since", broadsheet.CommentApproved)
	got, created, err = st.ImportComment(ctx, again)
	if err != nil || created || got.ID != first.ID || got.Body != first.Body {
		t.Fatalf("re-run import: %+v %v %v, want the first comment", got, created, err)
	}
	if n := commentCount(t, st, a); n != 1 {
		t.Fatalf("count %d after a re-run import", n)
	}
	// The same externalId on another article is another comment.
	if _, created, err := st.ImportComment(ctx, imported(b, "wp-1", "from the old site", broadsheet.CommentPending)); err != nil || !created {
		t.Fatalf("same externalId on another article: %v %v", created, err)
	}
	// Imports are not flood-limited, but dedupe holds.
	var pendingImport *broadsheet.Comment
	for _, ext := range []string{"wp-2", "wp-3"} {
		pendingImport = imported(a, ext, "reply "+ext, broadsheet.CommentPending)
		pendingImport.EmailHash = "same-person"
		if _, created, err := st.ImportComment(ctx, pendingImport); err != nil || !created {
			t.Fatalf("import %s from one person: %v %v", ext, created, err)
		}
	}
	dup := imported(a, "wp-4", "reply wp-2", broadsheet.CommentPending)
	dup.EmailHash = "same-person"
	if _, _, err := st.ImportComment(ctx, dup); broadsheet.ErrorCode(err) != broadsheet.CodeDuplicateComment {
		t.Fatalf("same words, new externalId: %v", err)
	}
	reply := imported(a, "wp-5", "reply to a pending one", broadsheet.CommentPending)
	reply.ParentID = pendingImport.ID
	if _, _, err := st.ImportComment(ctx, reply); broadsheet.ErrorCode(err) != broadsheet.CodeValidation {
		t.Fatalf("import replying to a pending comment: %v", err)
	}
	gone := imported(&broadsheet.Article{ID: broadsheet.NewID()}, "wp-6", "orphan", broadsheet.CommentApproved)
	if _, _, err := st.ImportComment(ctx, gone); broadsheet.ErrorCode(err) != broadsheet.CodeNotFound {
		t.Fatalf("approved import on a missing article: %v", err)
	}
	// What an editor deleted stays deleted.
	if err := st.DeleteComment(ctx, first); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.ImportComment(ctx, imported(a, "wp-1", "from the old site", broadsheet.CommentApproved)); broadsheet.ErrorCode(err) != broadsheet.CodeDuplicateComment {
		t.Fatalf("re-importing a deleted comment: %v", err)
	}
}

func commentByIDMissing(t *testing.T, st CommentStore) {
	if _, err := st.CommentByID(context.Background(), broadsheet.NewID()); broadsheet.ErrorCode(err) != broadsheet.CodeNotFound {
		t.Fatalf("missing comment: %v", err)
	}
}

// trustIsPerEmailAndAddress: verification trusts one (email, address) pair,
// once, for broadsheet.TrustLifetime; another address or email is not
// trusted by it.
func trustIsPerEmailAndAddress(t *testing.T, st CommentStore) {
	ctx := context.Background()
	if ok, err := st.CommenterTrusted(ctx, "e1", "a1", commentNow); err != nil || ok {
		t.Fatalf("trusted before verification: %v %v", ok, err)
	}
	first, err := st.TrustCommenter(ctx, "e1", "a1", commentNow)
	if err != nil || !first {
		t.Fatalf("first verification: %v %v", first, err)
	}
	if again, err := st.TrustCommenter(ctx, "e1", "a1", commentNow.Add(time.Hour)); err != nil || again {
		t.Fatalf("second verification of the same pair: first=%v %v, want false", again, err)
	}
	for _, tt := range []struct {
		email, addr string
		at          time.Time
		want        bool
	}{
		{"e1", "a1", commentNow.Add(time.Hour), true},
		{"e1", "a2", commentNow, false},
		{"e2", "a1", commentNow, false},
		{"", "a1", commentNow, false},
		{"e1", "a1", commentNow.Add(broadsheet.TrustLifetime + time.Second), false},
	} {
		if ok, err := st.CommenterTrusted(ctx, tt.email, tt.addr, tt.at); err != nil || ok != tt.want {
			t.Errorf("trusted(%s, %s, %s) = %v %v, want %v", tt.email, tt.addr, tt.at, ok, err, tt.want)
		}
	}
	// After the lifetime the pair can be verified again.
	if first, err := st.TrustCommenter(ctx, "e1", "a1", commentNow.Add(broadsheet.TrustLifetime+time.Second)); err != nil || !first {
		t.Fatalf("verification after expiry: %v %v", first, err)
	}
}

// claimWindowOncePerWindow: of many claims within a window exactly one
// wins, and the window reopens when it ends.
func claimWindowOncePerWindow(t *testing.T, st CommentStore) {
	ctx := context.Background()
	k := broadsheet.FloodKeyMail + "e1"
	var wins sync.WaitGroup
	var mu sync.Mutex
	won := 0
	for range 8 {
		wins.Go(func() {
			if ok, err := st.ClaimWindow(ctx, k, commentNow, 10*time.Minute); err != nil {
				t.Error(err)
			} else if ok {
				mu.Lock()
				won++
				mu.Unlock()
			}
		})
	}
	wins.Wait()
	if won != 1 {
		t.Fatalf("%d of 8 concurrent claims won, want 1", won)
	}
	if ok, _ := st.ClaimWindow(ctx, k, commentNow.Add(9*time.Minute), 10*time.Minute); ok {
		t.Fatal("claimed inside the window")
	}
	if ok, _ := st.ClaimWindow(ctx, k, commentNow.Add(10*time.Minute), 10*time.Minute); !ok {
		t.Fatal("the window did not reopen")
	}
}

// replyNotifyStored: the opt-in is stored with the comment and changed in
// place; an unknown comment is not found.
func replyNotifyStored(t *testing.T, st CommentStore) {
	ctx := context.Background()
	a := commentArticle(t, st)
	c := newComment(a, "e1", "Tell me of replies", broadsheet.CommentApproved)
	c.Notify = broadsheet.NotifyRequested
	store(t, st, c)
	for _, to := range []broadsheet.ReplyNotify{broadsheet.NotifyRequested, broadsheet.NotifyOn, broadsheet.NotifyNone} {
		if to != broadsheet.NotifyRequested {
			if err := st.SetReplyNotify(ctx, c.ID, to); err != nil {
				t.Fatal(err)
			}
		}
		got, err := st.CommentByID(ctx, c.ID)
		if err != nil || got.Notify != to {
			t.Fatalf("notify = %q %v, want %q", got.Notify, err, to)
		}
	}
	if err := st.SetReplyNotify(ctx, broadsheet.NewID(), broadsheet.NotifyOn); broadsheet.ErrorCode(err) != broadsheet.CodeNotFound {
		t.Fatalf("unknown comment: %v, want not_found", err)
	}
}

// forgetCommenterErasesEverything: every comment of the email (submitted,
// any status, or imported) loses its email, hash, website and opt-in and
// is renamed ErasedName, text kept and still listed; its dedupe claims,
// trust and approved-commenter records go; another email is untouched; a
// second run erases nothing more.
func forgetCommenterErasesEverything(t *testing.T, st CommentStore) {
	ctx := context.Background()
	a := commentArticle(t, st)
	approved := newComment(a, "e1", "Approved words", broadsheet.CommentApproved)
	approved.Website, approved.Notify = "https://e1.example", broadsheet.NotifyOn
	pending := newComment(a, "e1", "Pending words", broadsheet.CommentPending)
	other := newComment(a, "e2", "Someone else", broadsheet.CommentApproved)
	other.Website = "https://e2.example"
	if err := st.SubmitComment(ctx, &broadsheet.Submission{Comment: approved, Now: commentNow, NewCommenter: true}); err != nil {
		t.Fatal(err)
	}
	store(t, st, pending, other)
	imported := newComment(a, "e1", "Imported words", broadsheet.CommentApproved)
	imported.ExternalID = "wp-1"
	if _, _, err := st.ImportComment(ctx, imported); err != nil {
		t.Fatal(err)
	}
	if _, err := st.TrustCommenter(ctx, "e1", "a1", commentNow); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		hash string
		want bool
	}{{"e1", true}, {"e2", true}, {"e9", false}, {"", false}} {
		if got, err := st.CommenterHasComments(ctx, tt.hash); err != nil || got != tt.want {
			t.Fatalf("has comments(%q) = %v %v, want %v", tt.hash, got, err, tt.want)
		}
	}
	n, err := st.ForgetCommenter(ctx, "e1")
	if err != nil || n != 3 {
		t.Fatalf("erased %d %v, want 3", n, err)
	}
	for _, c := range []*broadsheet.Comment{approved, pending, imported} {
		got, err := st.CommentByID(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != broadsheet.ErasedName || got.Email != "" || got.EmailHash != "" || got.Website != "" || got.Notify != "" {
			t.Errorf("after forget: %+v", got)
		}
		if got.Body != c.Body || got.Status != c.Status {
			t.Errorf("text or status changed: %+v", got)
		}
	}
	list := readAll(t, func(after map[string]string) (broadsheet.Page[*broadsheet.Comment], error) {
		return st.ApprovedComments(ctx, a.ID, 10, after)
	})
	names := map[string]string{}
	for _, c := range list {
		names[c.ID] = c.Name
	}
	if names[approved.ID] != broadsheet.ErasedName || names[other.ID] != "N" || len(list) != 3 {
		t.Errorf("public list after forget: %v", names)
	}
	if got, _ := st.CommentByID(ctx, other.ID); got.EmailHash != "e2" || got.Website != "https://e2.example" {
		t.Errorf("another commenter changed: %+v", got)
	}
	if ok, _ := st.CommenterTrusted(ctx, "e1", "a1", commentNow); ok {
		t.Error("trust record survived")
	}
	if ok, _ := st.CommenterApproved(ctx, "e1"); ok {
		t.Error("approved-commenter record survived")
	}
	if ok, _ := st.CommenterHasComments(ctx, "e1"); ok {
		t.Error("index survived")
	}
	if got := commentCount(t, st, a); got != 3 {
		t.Errorf("count %d, want 3 (the comments stay)", got)
	}
	// The dedupe claim went with the email: the same words may be posted again.
	again := newComment(a, "e1", "Pending words", broadsheet.CommentPending)
	store(t, st, again)
	if n, err := st.ForgetCommenter(ctx, "e1"); err != nil || n != 1 {
		t.Fatalf("second run erased %d %v, want only the new comment", n, err)
	}
	if n, err := st.ForgetCommenter(ctx, "e1"); err != nil || n != 0 {
		t.Fatalf("third run erased %d %v, want 0", n, err)
	}
}

// deleteCommentLeavesNoIndex: deleting an email's only comment leaves it
// with no comments to forget.
func deleteCommentLeavesNoIndex(t *testing.T, st CommentStore) {
	ctx := context.Background()
	a := commentArticle(t, st)
	c := newComment(a, "e1", "Soon gone", broadsheet.CommentPending)
	store(t, st, c)
	if err := st.DeleteComment(ctx, c); err != nil {
		t.Fatal(err)
	}
	if ok, err := st.CommenterHasComments(ctx, "e1"); err != nil || ok {
		t.Fatalf("has comments after delete: %v %v", ok, err)
	}
	if n, err := st.ForgetCommenter(ctx, "e1"); err != nil || n != 0 {
		t.Fatalf("forget after delete: %d %v", n, err)
	}
}
