package e2e

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// testRaceComments: N parallel comment POSTs, each from its own email and
// its own source address (flood limit on, moderation "all"), then every
// comment approved, 16 at a time: exactly N stored, N approved, commentCount
// exactly N. N is 200 by default, 1,000 with -long or E2E_LONG=1.
func testRaceComments(t *testing.T) {
	n := 200
	if isLong() {
		n = 1000
	}
	// The race is about counts and statuses; verification (its mail window
	// and trust reads, tested in VerifiedCommenters) would only add load to
	// a DynamoDB Local already at its limit on two cores.
	s := newStack(t, stackOptions{moderation: "all", env: map[string]string{"COMMENT_VERIFICATION": "off"}})
	art := s.createArticle("race-comments", "Race comments")
	defer dumpWarnings(t, len(logs.text()))
	marker := "marker comment body 7f3a9c"
	logs.secret(marker, "a comment body")

	start := time.Now()
	var retried atomic.Int64
	ids := make([]string, n)
	statuses := make([]int, n)
	var wg sync.WaitGroup
	// All n start at once; at most 64 are in flight, so that one DynamoDB
	// Local on a shared 2-core machine is not pushed into timeouts (each
	// timed-out attempt it still executes, so overload feeds itself).
	sem := make(chan struct{}, 64)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			email := fmt.Sprintf("racer-%d@example.com", i)
			ip := fmt.Sprintf("127.2.%d.%d", i/250, i%250+1)
			r := request{method: "POST", path: "/articles/race-comments/comments", localIP: ip,
				header: http.Header{"Idempotency-Key": {"race-" + strconv.Itoa(i)}},
				body:   jsonBody(map[string]any{"name": "Racer", "email": email, "body": fmt.Sprintf("%s %d", marker, i)})}
			for try := 0; try < 10; try++ {
				a, err := s.try(r)
				if err != nil {
					t.Errorf("comment %d: %v", i, err)
					return
				}
				statuses[i] = a.status
				if a.status == http.StatusServiceUnavailable {
					// As a well-behaved client: wait Retry-After plus jitter,
					// then repeat with the same Idempotency-Key (safe).
					retried.Add(1)
					wait, _ := strconv.Atoi(a.header.Get("Retry-After"))
					time.Sleep(time.Duration(wait)*time.Second + time.Duration(rand.IntN(1000))*time.Millisecond)
					continue
				}
				if a.status == http.StatusCreated {
					var out struct{ ID, Status string }
					a.json(t, &out)
					ids[i] = out.ID
				} else {
					t.Errorf("comment %d: %s", i, a)
				}
				return
			}
		}(i)
	}
	wg.Wait()
	posted := time.Since(start)
	for i, id := range ids {
		if id == "" {
			t.Fatalf("comment %d not accepted (last status %d)", i, statuses[i])
		}
	}
	start = time.Now()
	var approved atomic.Int64
	work := make(chan string)
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range work {
				for try := 0; try < 5; try++ {
					a := s.do(request{method: "PATCH", path: "/admin/comments/" + id, token: s.token, body: []byte(`{"status":"approved"}`)})
					if a.status == http.StatusServiceUnavailable {
						time.Sleep(200 * time.Millisecond)
						continue
					}
					if a.status != http.StatusOK {
						t.Errorf("approve %s: %s", id, a)
					} else {
						approved.Add(1)
					}
					break
				}
			}
		}()
	}
	for _, id := range ids {
		work <- id
	}
	close(work)
	wg.Wait()
	approving := time.Since(start)

	stored, approvedStored := 0, 0
	var count string
	for _, it := range s.items() {
		switch {
		case str(it, "type") == "comment" && str(it, "articleId") == art.ID:
			stored++
			if str(it, "status") == "approved" {
				approvedStored++
			}
		case str(it, "pk") == "ARTICLE#"+art.ID:
			count = num(it, "commentCount")
		}
	}
	t.Logf("FIGURES race comments: %d parallel POSTs in %s (%d answered 503 and were retried with their Idempotency-Key), %d approvals (16-way) in %s; stored=%d approved=%d commentCount=%s",
		n, posted.Round(time.Millisecond), retried.Load(), approved.Load(), approving.Round(time.Millisecond), stored, approvedStored, count)
	if stored != n || approvedStored != n || count != strconv.Itoa(n) {
		t.Fatalf("stored %d, approved %d, commentCount %s: want all %d", stored, approvedStored, count, n)
	}
	// The public list agrees.
	total, cursor := 0, ""
	for {
		path := "/articles/race-comments/comments?limit=50"
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		a := s.do(request{method: "GET", path: path})
		var page struct {
			Items      []struct{ ID string }
			NextCursor *string
		}
		a.json(t, &page)
		total += len(page.Items)
		if page.NextCursor == nil {
			break
		}
		cursor = *page.NextCursor
	}
	if total != n {
		t.Fatalf("public list has %d comments, want %d", total, n)
	}
}

// testRaceIfMatch: 100 PUTs with the same If-Match: exactly one 200, the rest 412.
func testRaceIfMatch(t *testing.T) {
	s := newStack(t, stackOptions{})
	art := s.createArticle("race-ifmatch", "Race if-match")
	tag := s.etag(art.ID)
	const n = 100
	var wg sync.WaitGroup
	var mu sync.Mutex
	got := map[int]int{}
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			a := s.do(request{method: "PUT", path: "/admin/articles/" + art.ID, token: s.token, header: http.Header{"If-Match": {tag}},
				body: jsonBody(map[string]any{"title": fmt.Sprintf("Writer %d", i), "body": "x", "author": map[string]any{"name": "A"}, "slug": "race-ifmatch", "status": "published"})})
			mu.Lock()
			got[a.status]++
			mu.Unlock()
		}(i)
	}
	wg.Wait()
	t.Logf("FIGURES race If-Match: %d PUTs → %v", n, got)
	if got[200] != 1 || got[412] != n-1 {
		t.Fatalf("statuses %v: want exactly one 200 and %d × 412", got, n-1)
	}
	var cur editorArticle
	s.do(request{method: "GET", path: "/admin/articles/" + art.ID, token: s.token}).json(t, &cur)
	if cur.Version != art.Version+1 {
		t.Fatalf("version %d, want %d", cur.Version, art.Version+1)
	}
}

// testRaceSlug: creates racing for one slug: exactly one 201, the rest 409.
func testRaceSlug(t *testing.T) {
	s := newStack(t, stackOptions{})
	for round := 0; round < 5; round++ {
		slug := fmt.Sprintf("race-slug-%d", round)
		const n = 2
		var wg sync.WaitGroup
		var mu sync.Mutex
		got := map[int]int{}
		for i := 0; i < n+round*2; i++ { // 2, 4, 6, 8, 10 racers
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				a := s.do(request{method: "POST", path: "/admin/articles", token: s.token,
					body: jsonBody(map[string]any{"title": fmt.Sprintf("Racer %d", i), "body": "x", "author": map[string]any{"name": "A"}, "slug": slug})})
				mu.Lock()
				got[a.status]++
				mu.Unlock()
				if a.status == http.StatusConflict && a.errorCode() != "slug_taken" {
					t.Errorf("409 with code %q", a.errorCode())
				}
			}(i)
		}
		wg.Wait()
		t.Logf("FIGURES race slug: %d creates → %v", n+round*2, got)
		if got[201] != 1 || got[409] != n+round*2-1 {
			t.Fatalf("statuses %v: want one 201 and the rest 409", got)
		}
		slugItems, articles := 0, 0
		for _, it := range s.items() {
			if str(it, "pk") == "SLUG#"+slug {
				slugItems++
			}
			if str(it, "type") == "article" && str(it, "slug") == slug {
				articles++
			}
		}
		if slugItems != 1 || articles != 1 {
			t.Fatalf("slug items %d, articles %d: want 1 and 1", slugItems, articles)
		}
	}
}
