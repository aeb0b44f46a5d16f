package comments_test

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"broadsheet/internal/broadsheet"
)

// TestTwoHundredSubmissionsThenApprovals: 200 readers post at once (every
// comment moderated), then editors approve all of them at once, each comment
// twice by two racing editors. Every comment is stored once and the count is
// exactly 200: each approval's count increment is in the transaction that
// moves the comment out of pending, conditioned on it still being pending.
func TestTwoHundredSubmissionsThenApprovals(t *testing.T) {
	const n = 200
	f := newFixture(t, "all")
	art := f.article("busy", nil)

	start := time.Now()
	answers := make([]answer, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			answers[i] = f.post("busy", comment(fmt.Sprintf("reader%03d@example.com", i), fmt.Sprintf("Comment number %d", i)), fmt.Sprintf("10.0.%d.%d", i/250, i%250+1))
		})
	}
	wg.Wait()
	t.Logf("%d concurrent submissions: %v", n, time.Since(start).Round(time.Millisecond))
	ids := map[string]bool{}
	for i, a := range answers {
		if a.StatusCode != http.StatusCreated || a.str("status") != "pending" {
			t.Fatalf("submission %d: %d %s", i, a.StatusCode, a.Body)
		}
		ids[a.str("id")] = true
	}
	if got := len(f.stored(broadsheet.CommentPending)); got != n || len(ids) != n {
		t.Fatalf("stored %d pending comments with %d distinct ids, want %d", got, len(ids), n)
	}
	if got := len(f.publicIDs("busy", 50)); got != 0 || f.count(art) != 0 {
		t.Fatalf("pending comments must be invisible and uncounted: %d listed, count %d", got, f.count(art))
	}

	start = time.Now()
	var failures sync.Map
	for id := range ids {
		for range 2 {
			wg.Go(func() {
				if a := f.moderate(id, "approved"); a.StatusCode != http.StatusOK || a.str("status") != "approved" {
					failures.Store(id, fmt.Sprintf("%d %s", a.StatusCode, a.Body))
				}
			})
		}
	}
	wg.Wait()
	t.Logf("%d concurrent approvals (2 per comment): %v", 2*n, time.Since(start).Round(time.Millisecond))
	failures.Range(func(k, v any) bool { t.Errorf("approve %s: %s", k, v); return true })
	if got := f.count(art); got != n {
		t.Fatalf("commentCount = %d, want exactly %d", got, n)
	}
	listed := f.publicIDs("busy", 50)
	seen := map[string]bool{}
	for _, id := range listed {
		seen[id] = true
	}
	if len(listed) != n || len(seen) != n {
		t.Fatalf("public list has %d items (%d distinct), want %d", len(listed), len(seen), n)
	}
}

// TestRacingDuplicates: 20 identical comments (same email, same body) arrive
// at once from 20 addresses. Exactly one is stored; the rest are told to wait
// (the email's flood window, decided before duplicates) or that it is a
// duplicate, and no second comment exists.
func TestRacingDuplicates(t *testing.T) {
	const n = 20
	f := newFixture(t, "all")
	f.article("hot", nil)
	base := f.clock.Now()
	answers := make([]answer, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			answers[i] = f.post("hot", comment("twin@example.com", "Exactly the same words"), fmt.Sprintf("192.0.2.%d", i+1))
		})
	}
	wg.Wait()
	codes := map[int]int{}
	for _, a := range answers {
		codes[a.StatusCode]++
		if a.StatusCode != 201 && a.errCode() != "duplicate_comment" && a.errCode() != "rate_limited" {
			t.Errorf("unexpected answer %d %s", a.StatusCode, a.Body)
		}
	}
	t.Logf("%d racing duplicates: %v", n, codes)
	if codes[201] != 1 {
		t.Fatalf("want exactly one 201, got %v", codes)
	}
	if got := len(f.stored(broadsheet.CommentPending)); got != 1 {
		t.Fatalf("stored %d comments, want 1", got)
	}
	// Long after the flood window, the same words are still a duplicate (in
	// any case and spacing), while new words are welcome (from another
	// address: the duplicate spent its address's window).
	f.clock.t = base.Add(time.Hour)
	if a := f.post("hot", comment("Twin@Example.com", "exactly  the SAME words"), "192.0.2.200"); a.errCode() != "duplicate_comment" {
		t.Fatalf("later duplicate: %d %s", a.StatusCode, a.Body)
	}
	if a := f.post("hot", comment("twin@example.com", "Something new"), "192.0.2.201"); a.StatusCode != 201 {
		t.Fatalf("new words: %d %s", a.StatusCode, a.Body)
	}
}

// TestFloodLimit: one comment per 15 s per address and per email; the
// Retry-After answer is exact, and honouring it is enough.
func TestFloodLimit(t *testing.T) {
	f := newFixture(t, "all")
	f.article("a", nil)
	if a := f.post("a", comment("fast@example.com", "first"), "198.51.100.7"); a.StatusCode != 201 {
		t.Fatalf("first: %d %s", a.StatusCode, a.Body)
	}
	f.clock.Advance(time.Second)
	tests := []struct {
		name, email, ip string
	}{
		{"same email, other address", "fast@example.com", "198.51.100.8"},
		{"same address, other email", "other@example.com", "198.51.100.7"},
	}
	for _, tt := range tests {
		a := f.post("a", comment(tt.email, "second "+tt.name), tt.ip)
		if a.StatusCode != http.StatusTooManyRequests || a.errCode() != "rate_limited" || a.Headers["Retry-After"] != "14" {
			t.Fatalf("%s: want 429 with Retry-After 14, got %d %v %s", tt.name, a.StatusCode, a.Headers, a.Body)
		}
	}
	f.clock.Advance(13 * time.Second) // 14 s after the first comment: 1 s to go
	a := f.post("a", comment("fast@example.com", "too early"), "198.51.100.8")
	if a.StatusCode != 429 || a.Headers["Retry-After"] != "1" {
		t.Fatalf("one second early: %d %v", a.StatusCode, a.Headers)
	}
	retry, _ := strconv.Atoi(a.Headers["Retry-After"])
	f.clock.Advance(time.Duration(retry) * time.Second)
	for _, tt := range tests {
		if a := f.post("a", comment(tt.email, "on time "+tt.name), tt.ip); a.StatusCode != 201 {
			t.Fatalf("%s after Retry-After: %d %s", tt.name, a.StatusCode, a.Body)
		}
		f.clock.Advance(15 * time.Second)
	}
}

// TestIdempotencyKey: a retried POST gets the first answer, byte for byte,
// and only one comment exists, whether the retries come later or race.
func TestIdempotencyKey(t *testing.T) {
	f := newFixture(t, "all")
	f.article("a", nil)
	f.article("b", nil)
	first := f.post("a", comment("retry@example.com", "sent once"), "198.51.100.1", "Idempotency-Key", "key-1")
	if first.StatusCode != 201 {
		t.Fatalf("first: %d %s", first.StatusCode, first.Body)
	}
	f.clock.Advance(time.Second) // inside the flood window: only a replay can answer 201
	again := f.post("a", comment("retry@example.com", "sent once"), "198.51.100.1", "Idempotency-Key", "key-1")
	if again.StatusCode != 201 || again.Body != first.Body || again.Headers["Idempotent-Replayed"] != "true" {
		t.Fatalf("replay: %d %s, want %s", again.StatusCode, again.Body, first.Body)
	}

	const racers = 10
	answers := make([]answer, racers)
	var wg sync.WaitGroup
	for i := range racers {
		wg.Go(func() {
			answers[i] = f.post("a", comment("racer@example.com", "sent in a hurry"), fmt.Sprintf("192.0.2.%d", i+1), "Idempotency-Key", "key-2")
		})
	}
	wg.Wait()
	for _, a := range answers {
		if a.StatusCode != 201 || a.str("id") != answers[0].str("id") {
			t.Fatalf("racing retries must all get the first answer: %d %s vs %s", a.StatusCode, a.Body, answers[0].Body)
		}
	}
	if got := len(f.stored(broadsheet.CommentPending)); got != 2 {
		t.Fatalf("stored %d comments, want 2", got)
	}
	// The key is scoped to the article: on another article it is a new request.
	f.clock.Advance(time.Minute)
	if a := f.post("b", comment("retry@example.com", "sent once"), "198.51.100.1", "Idempotency-Key", "key-1"); a.StatusCode != 201 || a.str("id") == first.str("id") {
		t.Fatalf("same key, other article: %d %s", a.StatusCode, a.Body)
	}
	// After 24 hours the answer is forgotten (TTL or not): the retry is judged
	// afresh, and the comment it would add is a duplicate.
	f.clock.Advance(24*time.Hour + time.Second)
	if a := f.post("a", comment("retry@example.com", "sent once"), "198.51.100.1", "Idempotency-Key", "key-1"); a.errCode() != "duplicate_comment" {
		t.Fatalf("expired key: %d %s", a.StatusCode, a.Body)
	}
}

// TestModerationLifecycle (first-time policy): pending is invisible until
// approved; a returning commenter is approved at once; un-approving and
// deleting decrement the count exactly; deleting frees the text for reuse.
func TestModerationLifecycle(t *testing.T) {
	f := newFixture(t, "first-time")
	art := f.article("life", nil)
	step := func() { f.clock.Advance(20 * time.Second) }
	expect := func(when string, count int64, listed int) {
		t.Helper()
		if got := f.count(art); got != count {
			t.Fatalf("%s: commentCount %d, want %d", when, got, count)
		}
		if got := len(f.publicIDs("life", 50)); got != listed {
			t.Fatalf("%s: %d listed, want %d", when, got, listed)
		}
	}

	a := f.post("life", comment("newbie@example.com", "My first comment"), "")
	if a.str("status") != "pending" {
		t.Fatalf("first-timer: %s", a.Body)
	}
	first := a.str("id")
	expect("pending", 0, 0)
	if m := f.moderate(first, "approved"); m.StatusCode != 200 {
		t.Fatalf("approve: %d %s", m.StatusCode, m.Body)
	}
	expect("approved", 1, 1)

	step()
	a = f.post("life", comment("NEWBIE@example.com", "Back again"), "")
	if a.StatusCode != 201 || a.str("status") != "approved" {
		t.Fatalf("returning commenter: %d %s", a.StatusCode, a.Body)
	}
	second := a.str("id")
	expect("auto-approved", 2, 2)

	if m := f.moderate(first, "rejected"); m.StatusCode != 200 {
		t.Fatalf("reject: %d %s", m.StatusCode, m.Body)
	}
	expect("one rejected", 1, 1)
	if m := f.moderate(first, "rejected"); m.StatusCode != 200 {
		t.Fatalf("reject twice: %d %s", m.StatusCode, m.Body)
	}
	expect("rejected twice", 1, 1)
	f.moderate(second, "spam")
	expect("both out", 0, 0)
	f.moderate(first, "approved")
	f.moderate(second, "approved")
	expect("both back", 2, 2)

	if d := f.remove(second); d.StatusCode != http.StatusNoContent {
		t.Fatalf("delete: %d %s", d.StatusCode, d.Body)
	}
	expect("approved one deleted", 1, 1)
	if d := f.remove(second); d.errCode() != "not_found" {
		t.Fatalf("delete again: %d %s", d.StatusCode, d.Body)
	}
	step()
	a = f.post("life", comment("someone@example.com", "waiting"), "")
	if d := f.remove(a.str("id")); d.StatusCode != http.StatusNoContent {
		t.Fatalf("delete pending: %d", d.StatusCode)
	}
	expect("pending one deleted", 1, 1)

	step()
	if a := f.post("life", comment("newbie@example.com", "back  AGAIN"), ""); a.StatusCode != 201 {
		t.Fatalf("after deletion the same text may be posted again: %d %s", a.StatusCode, a.Body)
	}
	expect("reposted", 2, 2)
}

// TestModerationNoneAndLinks: with moderation off comments go live and are
// counted in the submission transaction, unless they carry more than two links.
func TestModerationNoneAndLinks(t *testing.T) {
	f := newFixture(t, "none")
	art := f.article("open", nil)
	tests := []struct {
		body, status string
		count        int64
	}{
		{"No links at all", "approved", 1},
		{"Two links: https://a.example and www.b.example", "approved", 2},
		{"Three: http://a.example http://b.example http://c.example", "pending", 2},
	}
	for i, tt := range tests {
		f.clock.Advance(time.Minute)
		a := f.post("open", comment(fmt.Sprintf("l%d@example.com", i), tt.body), "")
		if a.StatusCode != 201 || a.str("status") != tt.status {
			t.Fatalf("%q: %d %s, want %s", tt.body, a.StatusCode, a.Body, tt.status)
		}
		if got := f.count(art); got != tt.count {
			t.Fatalf("%q: count %d, want %d", tt.body, got, tt.count)
		}
	}
}

// TestLimitsDecideBeforeDuplicates: the flood window answers first, so a
// 409 cannot be used to ask, faster than the limit allows, whether an email
// wrote a given comment; and a duplicate spends the address's window like
// any other post.
func TestLimitsDecideBeforeDuplicates(t *testing.T) {
	f := newFixture(t, "none")
	f.article("a", nil)
	if a := f.post("a", comment("ann@example.com", "Said once"), "198.51.100.1"); a.StatusCode != 201 {
		t.Fatalf("first: %d %s", a.StatusCode, a.Body)
	}
	if a := f.post("a", comment("ann@example.com", "Said once"), "198.51.100.2"); a.errCode() != "rate_limited" {
		t.Fatalf("duplicate inside the email's window: %d %s, want 429", a.StatusCode, a.Body)
	}
	f.clock.Advance(time.Minute)
	if a := f.post("a", comment("ann@example.com", "said ONCE"), "198.51.100.3"); a.errCode() != "duplicate_comment" {
		t.Fatalf("duplicate after the window: %d %s, want 409", a.StatusCode, a.Body)
	}
	if a := f.post("a", comment("bo@example.com", "Something new"), "198.51.100.3"); a.errCode() != "rate_limited" {
		t.Fatalf("the duplicate's address right after: %d %s, want 429", a.StatusCode, a.Body)
	}
}

// TestSpamDoesNotLockTheEmailItNames: anyone can type a known commenter's
// address into a bot's post; only the bot's own address waits.
func TestSpamDoesNotLockTheEmailItNames(t *testing.T) {
	f := newFixture(t, "none")
	f.article("a", nil)
	bot := comment("regular@example.com", "Buy now")
	bot["url2"] = "http://spam.example"
	if a := f.post("a", bot, "203.0.113.9"); a.StatusCode != 201 {
		t.Fatalf("bot: %d %s", a.StatusCode, a.Body)
	}
	if a := f.post("a", comment("regular@example.com", "My real comment"), "198.51.100.1"); a.StatusCode != 201 {
		t.Fatalf("the real owner of the email, right after: %d %s, want 201", a.StatusCode, a.Body)
	}
	if a := f.post("a", comment("other@example.com", "Next"), "203.0.113.9"); a.errCode() != "rate_limited" {
		t.Fatalf("the bot's address right after: %d %s, want 429", a.StatusCode, a.Body)
	}
}

// TestIdempotencyKeyBoundToItsRequest: a key answers only the request it
// came with. Another comment under the same key is a 422 that names the
// problem, never the first comment's answer, and stores nothing.
func TestIdempotencyKeyBoundToItsRequest(t *testing.T) {
	f := newFixture(t, "none")
	art := f.article("a", nil)
	f.article("b", nil)
	first := f.post("a", comment("ann@example.com", "The first words"), "198.51.100.1", "Idempotency-Key", "k")
	if first.StatusCode != 201 {
		t.Fatalf("first: %d %s", first.StatusCode, first.Body)
	}
	f.clock.Advance(time.Minute)
	other := []struct {
		name string
		slug string
		body map[string]any
	}{
		{"another body", "a", comment("ann@example.com", "Different words")},
		{"another email", "a", comment("bo@example.com", "The first words")},
		{"another name", "a", map[string]any{"name": "Someone", "email": "ann@example.com", "body": "The first words"}},
	}
	for _, tt := range other {
		a := f.post(tt.slug, tt.body, "198.51.100.2", "Idempotency-Key", "k")
		if a.StatusCode != 422 || a.errCode() != "idempotency_key_reused" {
			t.Fatalf("%s under a used key: %d %s, want 422 idempotency_key_reused", tt.name, a.StatusCode, a.Body)
		}
		f.clock.Advance(time.Minute)
	}
	// Keys belong to an article: the same key on another article is new.
	if a := f.post("b", comment("ann@example.com", "The first words"), "198.51.100.3", "Idempotency-Key", "k"); a.StatusCode != 201 || a.Headers["Idempotent-Replayed"] != "" {
		t.Fatalf("same key, other article: %d %v %s", a.StatusCode, a.Headers, a.Body)
	}
	// The same request again, even from another network and with the
	// email's case changed, is the replay.
	again := f.post("a", comment("ANN@example.com", "The first words"), "192.0.2.77", "Idempotency-Key", "k")
	if again.StatusCode != 201 || again.Body != first.Body || again.Headers["Idempotent-Replayed"] != "true" {
		t.Fatalf("replay: %d %s, want %s", again.StatusCode, again.Body, first.Body)
	}
	if got := f.count(art); got != 1 {
		t.Fatalf("article a has %d comments, want 1", got)
	}
}

// TestHoneypot: a filled url2 field is answered exactly like a comment that
// waits for moderation, but stored as spam, whatever the policy.
func TestHoneypot(t *testing.T) {
	f := newFixture(t, "none")
	art := f.article("trap", nil)
	bot := comment("bot@example.com", "Buy now")
	bot["url2"] = "http://spam.example"
	a := f.post("trap", bot, "")
	if a.StatusCode != 201 || a.str("status") != "pending" {
		t.Fatalf("honeypot: %d %s", a.StatusCode, a.Body)
	}
	keys := map[string]bool{}
	for k := range a.json {
		keys[k] = true
	}
	f.clock.Advance(time.Minute)
	human := f.post("trap", comment("human@example.com", "Real words, three links http://a.example http://b.example http://c.example"), "")
	for k := range human.json {
		if !keys[k] {
			t.Fatalf("spam and pending answers differ in shape: %v vs %s", keys, human.Body)
		}
	}
	spam, pending := f.stored(broadsheet.CommentSpam), f.stored(broadsheet.CommentPending)
	if len(spam) != 1 || spam[0].ID != a.str("id") || len(pending) != 1 || f.count(art) != 0 {
		t.Fatalf("want the bot's comment as spam and the human's pending: %d spam, %d pending", len(spam), len(pending))
	}
}

// TestReplies: a reply must name an approved comment of the same article.
func TestReplies(t *testing.T) {
	f := newFixture(t, "none")
	f.article("one", nil)
	f.article("two", nil)
	approved := f.post("one", comment("p1@example.com", "parent"), "192.0.2.1").str("id")
	pending := f.post("one", comment("p2@example.com", "parent with links http://a.example http://b.example http://c.example"), "192.0.2.2").str("id")
	elsewhere := f.post("two", comment("p3@example.com", "parent elsewhere"), "192.0.2.3").str("id")
	if approved == "" || pending == "" || elsewhere == "" {
		t.Fatal("parents were not created")
	}
	tests := []struct {
		name, parent string
		status       int
	}{
		{"reply to an approved comment", approved, 201},
		{"reply to a pending comment", pending, 400},
		{"reply to a comment on another article", elsewhere, 400},
		{"reply to a comment that does not exist", "01JD0000000000000000000000", 400},
	}
	for i, tt := range tests {
		f.clock.Advance(time.Minute)
		c := comment(fmt.Sprintf("child%d@example.com", i), "a reply")
		c["parentId"] = tt.parent
		a := f.post("one", c, "")
		if a.StatusCode != tt.status || (tt.status == 400 && a.errField("parentId") == "") {
			t.Fatalf("%s: %d %s", tt.name, a.StatusCode, a.Body)
		}
		if tt.status == 201 && a.str("parentId") != tt.parent {
			t.Fatalf("%s: answer lacks parentId: %s", tt.name, a.Body)
		}
	}
	items := f.list("one", nil).json["items"].([]any)
	last := items[len(items)-1].(map[string]any)
	if len(items) != 2 || last["parentId"] != approved {
		t.Fatalf("list should carry the reply's parentId: %v", items)
	}
}
