package bench

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"broadsheet/internal/apigw"
)

// A load sends exactly Requests requests, each built by Target for its own
// index, and counts the answers by status.
func TestLoadSendsEachRequestOnce(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		seen[string(b)+"|"+r.Header.Get(apigw.ViewerAddressHeader)]++
		mu.Unlock()
		if r.URL.Path == "/refuse" {
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.WriteHeader(http.StatusCreated)
	}))
	defer srv.Close()

	l := Load{Requests: 50, Connections: 4, MaxDuration: time.Minute, Target: func(i int, tg *vegeta.Target) {
		tg.Method, tg.URL = "POST", srv.URL+"/ok"
		if i%10 == 0 {
			tg.URL = srv.URL + "/refuse"
		}
		tg.Body = []byte(strconv.Itoa(i))
		tg.Header = Header(apigw.ViewerAddressHeader, ViewerAddress(i))
	}}
	r := l.Run(context.Background())
	if r.Sent != 50 || r.Errors != 0 {
		t.Fatalf("sent %d, errors %d; want 50 and 0", r.Sent, r.Errors)
	}
	if r.Status[http.StatusCreated] != 45 || r.Status[http.StatusTooManyRequests] != 5 {
		t.Errorf("statuses %v, want 201×45 and 429×5", r.Status)
	}
	if len(seen) != 50 {
		t.Errorf("%d distinct requests reached the server, want 50 (each body and address once)", len(seen))
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("request %q arrived %d times", k, n)
		}
	}
}

// Viewer addresses are distinct per reader, and the Comments function takes
// them as the reader's address only beside the edge secret.
func TestViewerAddressDistinctAndTrustedOnlyWithTheSecret(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 70_000; i += 7 {
		a := ViewerAddress(i)
		if seen[a] {
			t.Fatalf("ViewerAddress(%d) = %s repeats", i, a)
		}
		seen[a] = true
	}
	const secret = "bench-edge-origin-secret-0123456789abcdef"
	req := apigw.Request{Headers: map[string]string{"cloudfront-viewer-address": ViewerAddress(0), "x-origin-verify": secret}}
	req.RequestContext.HTTP.SourceIP = "127.0.0.1"
	if got := apigw.ClientIP(req, secret); got != "10.0.0.1" {
		t.Errorf("with the secret: client %s, want 10.0.0.1", got)
	}
	if got := apigw.ClientIP(req, "another-secret-0123456789abcdef-xyz"); got != "127.0.0.1" {
		t.Errorf("with a wrong secret: client %s, want the source address", got)
	}
}
