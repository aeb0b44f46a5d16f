package search_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"broadsheet/internal/cursor"
	"broadsheet/internal/handlers/indexer"
	"broadsheet/internal/handlers/search"
	"broadsheet/internal/local"
	"broadsheet/internal/memstore"
	"broadsheet/internal/searchindex"
	"broadsheet/internal/testkit/dynamotest"
	"broadsheet/internal/testkit/lambdatest"
)

func TestMain(m *testing.M) { os.Exit(dynamotest.RunTests(m)) }

var now = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

type fixture struct {
	search  any
	writer  *searchindex.Writer
	handler *search.Handler
}

// eachIndex runs a test on the memory index (always) and on DynamoDB Local
// (skipped under -short): the handler's rules hold on both.
func eachIndex(t *testing.T, test func(t *testing.T, f fixture)) {
	t.Run("memory", func(t *testing.T) {
		ix := memstore.NewSearchIndex()
		test(t, newFixture(t, ix, ix))
	})
	t.Run("dynamodb", func(t *testing.T) {
		st := dynamotest.NewStore(t)
		ix := &searchindex.DynamoStore{DB: st.DB, Table: st.Table}
		test(t, newFixture(t, ix, ix))
	})
}

func newFixture(t *testing.T, store searchindex.Store, reads searchindex.ReadStore) fixture {
	cur, err := cursor.New([]byte(dynamotest.Secret))
	if err != nil {
		t.Fatal(err)
	}
	h := &search.Handler{Index: &searchindex.Reader{Store: reads}, Cursors: cur, Now: func() time.Time { return now }}
	return fixture{search: h.Router().Handle, writer: &searchindex.Writer{Store: store}, handler: h}
}

func (f fixture) index(t *testing.T, arts ...*searchindex.Article) {
	t.Helper()
	for _, a := range arts {
		if err := f.writer.Apply(context.Background(), searchindex.Change{ID: a.ID, Seq: 2 * a.Version, Article: a}); err != nil {
			t.Fatal(err)
		}
	}
}

func art(id, title, text string, tags []string, author string) *searchindex.Article {
	p := now.Add(-time.Hour)
	return &searchindex.Article{ID: id, Slug: "slug-" + strings.ToLower(id), Title: title, Summary: "About " + id, Text: text,
		AuthorName: author, AuthorKey: strings.ToLower(strings.ReplaceAll(author, " ", "-")), Tags: tags, Status: "published",
		PublishedAt: p, PublishedAtRaw: p.Format(time.RFC3339), Version: 1}
}

func searchEvent(t *testing.T, params map[string]string) events.APIGatewayV2HTTPRequest {
	e := lambdatest.Event(t, "search.json")
	e.QueryStringParameters = params
	return e
}

type result struct {
	Query string `json:"query"`
	Items []struct {
		ID          string   `json:"id"`
		Slug        string   `json:"slug"`
		Title       string   `json:"title"`
		Summary     string   `json:"summary"`
		Tags        []string `json:"tags"`
		PublishedAt string   `json:"publishedAt"`
		Author      struct {
			Name string `json:"name"`
		} `json:"author"`
		Score      float64 `json:"score"`
		Highlights struct {
			Title   string `json:"title"`
			Snippet string `json:"snippet"`
		} `json:"highlights"`
	} `json:"items"`
	NextCursor *string `json:"nextCursor"`
}

func decode(t *testing.T, resp events.APIGatewayV2HTTPResponse) result {
	t.Helper()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
	}
	var r result
	if err := json.Unmarshal([]byte(resp.Body), &r); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestSearchValidation(t *testing.T) { eachIndex(t, testSearchValidation) }

func testSearchValidation(t *testing.T, f fixture) {
	long := strings.Repeat("a", 201)
	tests := []struct {
		name   string
		params map[string]string
		status int
		code   string
		field  string
	}{
		{"missing q", map[string]string{}, 400, "validation_failed", "q"},
		{"blank q", map[string]string{"q": "   "}, 400, "validation_failed", "q"},
		{"q too long", map[string]string{"q": long}, 400, "validation_failed", "q"},
		{"q of 200 after trimming", map[string]string{"q": "  " + long[:200] + "  "}, 200, "", ""},
		{"limit zero", map[string]string{"q": "x", "limit": "0"}, 400, "validation_failed", "limit"},
		{"limit 51", map[string]string{"q": "x", "limit": "51"}, 400, "validation_failed", "limit"},
		{"limit not a number", map[string]string{"q": "x", "limit": "ten"}, 400, "validation_failed", "limit"},
		{"limit 50", map[string]string{"q": "x", "limit": "50"}, 200, "", ""},
		{"forged cursor", map[string]string{"q": "x", "cursor": "AAAA"}, 400, "invalid_cursor", ""},
		{"stop words only", map[string]string{"q": "the of and"}, 200, "", ""},
		{"author too long", map[string]string{"q": "x", "author": strings.Repeat("b", 201)}, 400, "validation_failed", "author"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := lambdatest.Invoke(t, f.search, searchEvent(t, tt.params))
			if resp.StatusCode != tt.status || lambdatest.ErrorCode(resp) != tt.code {
				t.Fatalf("status %d code %q, want %d %q: %s", resp.StatusCode, lambdatest.ErrorCode(resp), tt.status, tt.code, resp.Body)
			}
			if tt.field != "" && !strings.Contains(resp.Body, `"fields":{"`+tt.field+`"`) {
				t.Errorf("body %s lacks fields.%s", resp.Body, tt.field)
			}
		})
	}
	suggest := []struct {
		q      *string
		status int
	}{
		{nil, 400}, {ptr(""), 400}, {ptr(strings.Repeat("z", 101)), 400}, {ptr(strings.Repeat("z", 100)), 200}, {ptr("a"), 200},
	}
	for _, tt := range suggest {
		e := lambdatest.Event(t, "search-suggest.json")
		e.QueryStringParameters = map[string]string{}
		if tt.q != nil {
			e.QueryStringParameters["q"] = *tt.q
		}
		resp := lambdatest.Invoke(t, f.search, e)
		if resp.StatusCode != tt.status {
			t.Errorf("suggest q=%v: status %d, want %d: %s", tt.q, resp.StatusCode, tt.status, resp.Body)
		}
		if tt.status == 400 && (lambdatest.ErrorCode(resp) != "validation_failed" || !strings.Contains(resp.Body, `"q"`)) {
			t.Errorf("suggest q=%v: %s", tt.q, resp.Body)
		}
	}
}

func ptr(s string) *string { return &s }

func TestSearchResultsHighlightsAndFilters(t *testing.T) {
	eachIndex(t, testSearchResultsHighlightsAndFilters)
}

func testSearchResultsHighlightsAndFilters(t *testing.T, f fixture) {
	f.index(t,
		art("A", "Afghan Peace Talks resume", "Negotiators met in Doha. The <b>peace</b> process & its talks continue.", []string{"pakistan"}, "Ayesha Khan"),
		art("B", "<script>alert(1)</script> peace", "peace <img src=x onerror=alert(1)> now", []string{"world"}, "John Doe"),
		art("C", "Cricket final", "Lahore hosts the final.", []string{"sport"}, "Ayesha Khan"),
	)
	r := decode(t, lambdatest.Invoke(t, f.search, searchEvent(t, map[string]string{"q": "  afghan peace "})))
	if r.Query != "afghan peace" || len(r.Items) != 2 || r.Items[0].ID != "A" || r.Items[1].ID != "B" {
		t.Fatalf("result = %+v", r)
	}
	a := r.Items[0]
	if a.Highlights.Title != "<mark>Afghan</mark> <mark>Peace</mark> Talks resume" {
		t.Errorf("title highlight = %q", a.Highlights.Title)
	}
	if !strings.Contains(a.Highlights.Snippet, "&lt;b&gt;<mark>peace</mark>&lt;/b&gt;") || !strings.Contains(a.Highlights.Snippet, "&amp;") {
		t.Errorf("snippet = %q", a.Highlights.Snippet)
	}
	if a.Slug != "slug-a" || a.Author.Name != "Ayesha Khan" || a.Summary != "About A" || len(a.Tags) != 1 || a.PublishedAt == "" || a.Score <= 0 || r.Items[1].Score > a.Score {
		t.Errorf("summary fields = %+v", a)
	}
	// No HTML but <mark> ever gets through.
	for _, it := range r.Items {
		for _, h := range []string{it.Highlights.Title, it.Highlights.Snippet} {
			rest := strings.NewReplacer("<mark>", "", "</mark>", "").Replace(h)
			if strings.ContainsAny(rest, "<>") {
				t.Errorf("highlight lets HTML through: %q", h)
			}
		}
	}
	if b := r.Items[1]; b.Highlights.Title != "&lt;script&gt;alert(1)&lt;/script&gt; <mark>peace</mark>" {
		t.Errorf("script title highlight = %q", b.Highlights.Title)
	}

	for _, tt := range []struct {
		params map[string]string
		want   []string
	}{
		{map[string]string{"q": "peace", "tag": "pakistan"}, []string{"A"}},
		{map[string]string{"q": "peace", "tag": "Pakistan"}, []string{"A"}},
		{map[string]string{"q": "peace final", "author": "Ayesha Khan"}, []string{"A", "C"}},
		{map[string]string{"q": "peace", "author": "john doe", "tag": "world"}, []string{"B"}},
		{map[string]string{"q": "peace", "tag": "sport"}, nil},
		{map[string]string{"q": "peace", "tag": "!!!"}, nil},
	} {
		r := decode(t, lambdatest.Invoke(t, f.search, searchEvent(t, tt.params)))
		var got []string
		for _, it := range r.Items {
			got = append(got, it.ID)
		}
		sort.Strings(got)
		if strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("%v → %v, want %v", tt.params, got, tt.want)
		}
	}
}

func TestSearchPagination(t *testing.T) { eachIndex(t, testSearchPagination) }

func testSearchPagination(t *testing.T, f fixture) {
	var arts []*searchindex.Article
	for i := range 7 {
		arts = append(arts, art(fmt.Sprintf("P%d", i), fmt.Sprintf("Storm report %d", i), strings.Repeat("storm ", i+1)+"rain", nil, "Ann"))
	}
	f.index(t, arts...)
	var seen []string
	params := map[string]string{"q": "storm", "limit": "3"}
	for page := 0; ; page++ {
		if page > 5 {
			t.Fatal("cursor never ends")
		}
		r := decode(t, lambdatest.Invoke(t, f.search, searchEvent(t, params)))
		for _, it := range r.Items {
			seen = append(seen, it.ID)
		}
		if r.NextCursor == nil {
			break
		}
		params = map[string]string{"q": "storm", "limit": "3", "cursor": *r.NextCursor}
		// The cursor is bound to its query.
		other := lambdatest.Invoke(t, f.search, searchEvent(t, map[string]string{"q": "rain", "limit": "3", "cursor": *r.NextCursor}))
		if lambdatest.ErrorCode(other) != "invalid_cursor" {
			t.Errorf("cursor accepted for another query: %d %s", other.StatusCode, other.Body)
		}
	}
	var all []string
	for _, it := range decode(t, lambdatest.Invoke(t, f.search, searchEvent(t, map[string]string{"q": "storm", "limit": "50"}))).Items {
		all = append(all, it.ID)
	}
	if len(seen) != 7 || strings.Join(seen, ",") != strings.Join(all, ",") {
		t.Errorf("pages = %v, want the one-page order %v", seen, all)
	}
	dup := map[string]bool{}
	for _, id := range seen {
		if dup[id] {
			t.Errorf("%s on two pages", id)
		}
		dup[id] = true
	}
}

// TestSearchPhrasesAndExclusions: quoted words must be adjacent and in
// order, -word removes results holding the word (or its other forms).
func TestSearchPhrasesAndExclusions(t *testing.T) { eachIndex(t, testSearchPhrasesAndExclusions) }

func testSearchPhrasesAndExclusions(t *testing.T, f fixture) {
	f.index(t,
		art("A", "Peace talks in Doha", "The peace talks resumed on Monday.", nil, "Ann"),
		art("B", "Talks stall", "Talks about a ceasefire; peace seems far. Cricket diplomacy next.", nil, "Ann"),
		art("C", "Cricket and peace", "Peace talk at the cricket ground.", nil, "Ann"),
	)
	for _, tt := range []struct {
		q    string
		want []string
	}{
		{`peace talks`, []string{"A", "B", "C"}},
		{`"peace talks"`, []string{"A", "C"}}, // C: "peace talk", analysed alike
		{`“peace talks” -cricket`, []string{"A"}},
		{`peace -crickets`, []string{"A"}},
		{`"talks peace"`, nil},
		{`-peace`, nil},
	} {
		r := decode(t, lambdatest.Invoke(t, f.search, searchEvent(t, map[string]string{"q": tt.q})))
		var got []string
		for _, it := range r.Items {
			got = append(got, it.ID)
		}
		sort.Strings(got)
		if strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("%s → %v, want %v", tt.q, got, tt.want)
		}
	}
}

// TestSearchPagesWhileIndexing: articles indexed between two pages of one
// query shift every score; no article appears on both pages.
func TestSearchPagesWhileIndexing(t *testing.T) { eachIndex(t, testSearchPagesWhileIndexing) }

func testSearchPagesWhileIndexing(t *testing.T, f fixture) {
	for i := range 6 {
		f.index(t, art(fmt.Sprintf("P%d", i), fmt.Sprintf("Flood warning %d", i), strings.Repeat("flood ", i+1)+"river levels", nil, "Ann"))
	}
	first := decode(t, lambdatest.Invoke(t, f.search, searchEvent(t, map[string]string{"q": "flood river", "limit": "3"})))
	// New articles change document frequencies and average lengths.
	for i := range 4 {
		f.index(t, art(fmt.Sprintf("N%d", i), "River news", strings.Repeat("river ", 8-i)+strings.Repeat("filler words ", 40), nil, "Ann"))
	}
	if first.NextCursor == nil {
		t.Fatal("no second page")
	}
	second := decode(t, lambdatest.Invoke(t, f.search, searchEvent(t, map[string]string{"q": "flood river", "limit": "3", "cursor": *first.NextCursor})))
	shown := map[string]bool{}
	for _, it := range append(first.Items, second.Items...) {
		if shown[it.ID] {
			t.Errorf("%s on both pages", it.ID)
		}
		shown[it.ID] = true
	}
	if len(second.Items) != 3 {
		t.Errorf("second page has %d items", len(second.Items))
	}
}

func TestIndexerEventThenSearch(t *testing.T) {
	env := dynamotest.Env(t, map[string]string{"SEARCH_DEBUG_COST": "1"})
	ix, err := indexer.New(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	root, _ := local.ModuleRoot()
	payload, err := os.ReadFile(filepath.Join(root, "events", "indexer-stream.json"))
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // a retried batch changes nothing
		out, err := lambda.NewHandler(ix).Invoke(context.Background(), payload)
		if err != nil {
			t.Fatal(err)
		}
		var resp events.DynamoDBEventResponse
		if err := json.Unmarshal(out, &resp); err != nil || len(resp.BatchItemFailures) != 0 {
			t.Fatalf("indexer answered %s (%v)", out, err)
		}
	}
	sh, err := search.New(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	resp := lambdatest.Invoke(t, sh, lambdatest.Event(t, "search.json"))
	r := decode(t, resp)
	if len(r.Items) != 1 || r.Items[0].Title != "PM’s US visit: Afghan peace talks and trade on the agenda" {
		t.Fatalf("search after the stream event: %s", resp.Body)
	}
	if !strings.Contains(r.Items[0].Highlights.Snippet, "<mark>peace</mark> <mark>talks</mark>") && !strings.Contains(r.Items[0].Highlights.Snippet, "<mark>peace</mark>") {
		t.Errorf("snippet = %q", r.Items[0].Highlights.Snippet)
	}
	cost := resp.Headers[search.CostHeader]
	if !strings.HasPrefix(cost, "rounds=2;") {
		t.Errorf("%s = %q, want 2 rounds", search.CostHeader, cost)
	}
	sug := lambdatest.Invoke(t, sh, lambdatest.Event(t, "search-suggest.json"))
	if sug.StatusCode != 200 || !strings.Contains(sug.Body, `"slug":"pm-us-visit-afghan-peace-talks"`) {
		t.Errorf("suggest: %d %s", sug.StatusCode, sug.Body)
	}
	if !strings.HasPrefix(sug.Headers[search.CostHeader], "rounds=1;") {
		t.Errorf("suggest cost = %q, want 1 round", sug.Headers[search.CostHeader])
	}

	// Without the debug switch the header never appears.
	prod, err := search.New(context.Background(), func(k string) string {
		if k == "SEARCH_DEBUG_COST" {
			return ""
		}
		return env(k)
	})
	if err != nil {
		t.Fatal(err)
	}
	if h := lambdatest.Invoke(t, prod, lambdatest.Event(t, "search.json")).Headers; h[search.CostHeader] != "" {
		t.Errorf("production answer carries %s", search.CostHeader)
	}
}
