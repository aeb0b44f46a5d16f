// Command benchsearch measures search quality and cost through the real API:
// it starts a fresh local stack (internal/localapi: DynamoDB Local, the
// template's functions in-process, the stream → indexer emulation), imports
// the Cranfield collection with POST /admin/articles (published, one fixed
// date so recency is neutral), waits until the indexer has caught up, runs the
// 225 queries through GET /search (limit 50, following cursors to depth 100)
// and prints MAP, nDCG@10 (graded and binary), P@10, Recall@100, request
// latency and the DynamoDB work per query from the X-Search-Cost header (the
// search function emits it only because SEARCH_DEBUG_COST=1 is set here).
//
//	go run ./cmd/benchsearch [-dir ../shared/corpora/cran] [-docs N]
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"broadsheet/internal/dynamo"
	"broadsheet/internal/handlers/articles"
	"broadsheet/internal/handlers/editor"
	"broadsheet/internal/handlers/indexer"
	"broadsheet/internal/handlers/search"
	"broadsheet/internal/local"
	"broadsheet/internal/local/ddblocal"
	"broadsheet/internal/local/localapi"
	searchlib "broadsheet/internal/search"
	"broadsheet/internal/tools/searcheval"
)

const (
	pageLimit = 50
	depth     = 100
	maxQuery  = 200
	published = "2026-01-01T00:00:00Z"
)

func main() {
	dir := flag.String("dir", "../shared/corpora/cran", "Cranfield collection directory")
	maxDocs := flag.Int("docs", 0, "import only the first N documents (0: all)")
	workers := flag.Int("workers", 2, "concurrent import requests")
	flag.Parse()

	c, err := searcheval.LoadCranfield(*dir)
	if err != nil {
		fatalf("%v", err)
	}
	if *maxDocs > 0 && *maxDocs < len(c.Docs) {
		c.Docs = c.Docs[:*maxDocs]
	}
	for i := range c.Queries {
		c.Queries[i].Text = searcheval.TruncateQuery(c.Queries[i].Text, maxQuery)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	root, err := local.ModuleRoot()
	if err != nil {
		fatalf("%v", err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	slog.SetDefault(quiet)
	start := time.Now()
	stack, err := localapi.Start(ctx, localapi.Config{
		Root:     root,
		InMemory: true,
		Functions: map[string]localapi.Factory{
			"functions/articles": localapi.Typed(articles.New),
			"functions/editor":   localapi.Typed(editor.New),
			"functions/search":   localapi.Typed(search.New),
			"functions/indexer":  localapi.Typed(indexer.New),
		},
		// Two articles indexed at a time: DynamoDB Local shares this machine's CPU.
		Env:              map[string]string{"SEARCH_DEBUG_COST": "1", "LOG_LEVEL": "ERROR", "INDEXER_PARALLEL": "2"},
		DynamoDBEndpoint: os.Getenv("DYNAMODB_ENDPOINT"),
		TableName:        fmt.Sprintf("bench%d", time.Now().UnixNano()),
		Logger:           quiet,
	})
	if err != nil {
		fatalf("start local stack: %v", err)
	}
	defer stack.Close()
	token, err := stack.Token()
	if err != nil {
		fatalf("%v", err)
	}
	base := stack.URL()
	fmt.Printf("local stack at %s (started in %s)\n", base, time.Since(start).Round(time.Millisecond))

	// Import through the editor API.
	start = time.Now()
	idOf := make([]string, len(c.Docs)) // article id per doc index
	cranOf := map[string]string{}
	var mu sync.Mutex
	var next atomic.Int64
	var wg sync.WaitGroup
	var importErr atomic.Value
	for range *workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(c.Docs) || importErr.Load() != nil {
					return
				}
				id, err := importDoc(base, token, c.Docs[i])
				if err != nil {
					importErr.Store(err)
					return
				}
				mu.Lock()
				idOf[i], cranOf[id] = id, c.Docs[i].ID
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if err := importErr.Load(); err != nil {
		fatalf("import: %v", err)
	}
	importTime := time.Since(start)
	fmt.Printf("imported %d articles through POST /admin/articles in %s\n", len(c.Docs), importTime.Round(time.Millisecond))

	// Wait for the indexer: the global document count reaches the imports.
	db := ddblocal.NewClient(stack.DynamoDBEndpoint())
	for {
		out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(stack.TableName()), ConsistentRead: aws.Bool(true),
			Key: dynamo.Key(dynamo.SearchStatsPK, dynamo.SearchStatsSK)})
		if err != nil {
			fatalf("%v", err)
		}
		n := 0
		if v, ok := out.Item["docs"].(*types.AttributeValueMemberN); ok {
			n, _ = strconv.Atoi(v.Value)
		}
		if n >= len(c.Docs) {
			break
		}
		if time.Since(start) > 30*time.Minute {
			fatalf("indexer has %d of %d documents after 30 minutes", n, len(c.Docs))
		}
		time.Sleep(500 * time.Millisecond)
	}
	fmt.Printf("indexer caught up %s after the first import (%s after the last)\n", time.Since(start).Round(time.Millisecond), (time.Since(start) - importTime).Round(time.Millisecond))

	// Queries through GET /search.
	var lat []time.Duration
	var rounds, calls, items []int
	var rcu []float64
	maxRounds := 0
	rep, err := searcheval.Run(ctx, c, func(ctx context.Context, q searcheval.Query) ([]string, int, error) {
		var ranked []string
		cursor := ""
		var qItems, qCalls int
		var qRCU float64
		for len(ranked) < depth {
			params := url.Values{"q": {q.Text}, "limit": {strconv.Itoa(pageLimit)}}
			if cursor != "" {
				params.Set("cursor", cursor)
			}
			t0 := time.Now()
			resp, err := http.Get(base + "/search?" + params.Encode())
			if err != nil {
				return nil, 0, err
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			lat = append(lat, time.Since(t0))
			if resp.StatusCode != http.StatusOK {
				return nil, 0, fmt.Errorf("GET /search %q: %d %s", q.Text, resp.StatusCode, body)
			}
			r, c, i, u := parseCost(resp.Header.Get(search.CostHeader))
			maxRounds = max(maxRounds, r)
			rounds = append(rounds, r)
			qCalls += c
			qItems += i
			qRCU += u
			var page struct {
				Items []struct {
					ID string `json:"id"`
				} `json:"items"`
				NextCursor *string `json:"nextCursor"`
			}
			if err := json.Unmarshal(body, &page); err != nil {
				return nil, 0, err
			}
			for _, it := range page.Items {
				ranked = append(ranked, cranOf[it.ID])
			}
			if page.NextCursor == nil {
				break
			}
			cursor = *page.NextCursor
		}
		calls = append(calls, qCalls)
		items = append(items, qItems)
		rcu = append(rcu, qRCU)
		if len(ranked) > depth {
			ranked = ranked[:depth]
		}
		return ranked, 0, nil
	})
	if err != nil {
		fatalf("%v", err)
	}

	// The same index written and read in memory, same queries and depth.
	mem := searchlib.NewMemoryIndex()
	for _, d := range c.Docs {
		title, body := docText(d)
		mem.Add(searchlib.Document{ID: d.ID, Title: title, Body: body})
	}
	memRep, _ := searcheval.Run(ctx, c, func(ctx context.Context, q searcheval.Query) ([]string, int, error) {
		res, err := (&searchlib.Searcher{Index: mem}).Search(ctx, q.Text, depth)
		if err != nil {
			return nil, 0, err
		}
		ids := make([]string, len(res.Hits))
		for i, h := range res.Hits {
			ids[i] = h.DocID
		}
		return ids, res.PostingsRead, nil
	})

	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "\nrun\tqueries\tMAP@100\tnDCG@10\tbinary nDCG@10\tP@10\tR@100\n")
	fmt.Fprintf(w, "GET /search (K=%d, depth %d)\t%d\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\n", searchlib.DefaultK, depth, rep.Queries, rep.MAP, rep.NDCG10, rep.NDCG10Bin, rep.P10, rep.R100)
	fmt.Fprintf(w, "in-memory, same index and queries\t%d\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\n", memRep.Queries, memRep.MAP, memRep.NDCG10, memRep.NDCG10Bin, memRep.P10, memRep.R100)
	w.Flush()
	fmt.Printf("\nrequests: %d (first pages + cursor pages); latency p50 %s, p95 %s, max %s\n", len(lat), pct(lat, 50), pct(lat, 95), pct(lat, 100))
	fmt.Printf("sequential DynamoDB rounds per request: max %d, mean %.2f\n", maxRounds, meanInt(rounds))
	fmt.Printf("per query (all its pages): DynamoDB calls mean %.1f; items read mean %.0f, p95 %d; RCU mean %.1f, p95 %.1f\n",
		meanInt(calls), meanInt(items), pctInt(items, 95), meanF(rcu), pctF(rcu, 95))
}

// fatalf reports on stderr: the functions' logging setup replaces the log
// package's default output.
func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "benchsearch: "+format+"\n", args...)
	os.Exit(1)
}

// docText gives empty Cranfield documents (471, 995) a title so the editor
// API accepts them; the in-memory comparison indexes the same text.
func docText(d searcheval.Doc) (title, body string) {
	title = strings.Join(strings.Fields(d.Title), " ")
	body = d.Body
	if title == "" {
		title = "Cranfield document " + d.ID
	}
	if strings.TrimSpace(body) == "" {
		body = title
	}
	return title, body
}

func importDoc(base, token string, d searcheval.Doc) (string, error) {
	title, body := docText(d)
	payload, _ := json.Marshal(map[string]any{
		"title": title, "body": body, "slug": "cran-" + d.ID,
		"author": map[string]string{"name": "Cranfield"}, "status": "published", "publishedAt": published,
	})
	for attempt := 0; ; attempt++ {
		req, _ := http.NewRequest(http.MethodPost, base+"/admin/articles", bytes.NewReader(payload))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return "", err
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if (resp.StatusCode == http.StatusServiceUnavailable || resp.StatusCode >= 500) && attempt < 8 {
			time.Sleep(time.Second)
			continue
		}
		if resp.StatusCode == http.StatusConflict && attempt > 0 {
			// An earlier attempt was stored although its answer was lost.
			return idBySlug(base, "cran-"+d.ID)
		}
		if resp.StatusCode != http.StatusCreated {
			return "", fmt.Errorf("doc %s: %d %s", d.ID, resp.StatusCode, b)
		}
		var a struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(b, &a); err != nil || a.ID == "" {
			return "", fmt.Errorf("doc %s: no id in %s", d.ID, b)
		}
		return a.ID, nil
	}
}

func idBySlug(base, slug string) (string, error) {
	resp, err := http.Get(base + "/articles/" + slug)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var a struct {
		ID string `json:"id"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil || a.ID == "" {
		return "", fmt.Errorf("%s: %d, no id", slug, resp.StatusCode)
	}
	return a.ID, nil
}

func parseCost(h string) (rounds, calls, items int, rcu float64) {
	for _, f := range strings.Split(h, ";") {
		k, v, _ := strings.Cut(f, "=")
		switch k {
		case "rounds":
			rounds, _ = strconv.Atoi(v)
		case "calls":
			calls, _ = strconv.Atoi(v)
		case "items":
			items, _ = strconv.Atoi(v)
		case "rcu":
			rcu, _ = strconv.ParseFloat(v, 64)
		}
	}
	return
}

func pct(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[min(len(s)-1, (len(s)*p)/100)].Round(100 * time.Microsecond)
}

func pctInt(v []int, p int) int {
	if len(v) == 0 {
		return 0
	}
	s := append([]int(nil), v...)
	sort.Ints(s)
	return s[min(len(s)-1, (len(s)*p)/100)]
}

func pctF(v []float64, p int) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[min(len(s)-1, (len(s)*p)/100)]
}

func meanInt(v []int) float64 {
	if len(v) == 0 {
		return 0
	}
	t := 0
	for _, x := range v {
		t += x
	}
	return float64(t) / float64(len(v))
}

func meanF(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	t := 0.0
	for _, x := range v {
		t += x
	}
	return t / float64(len(v))
}
