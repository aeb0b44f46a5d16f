package searchindex_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"broadsheet/internal/dynamo"
	"broadsheet/internal/search"
	"broadsheet/internal/searchindex"
	"broadsheet/internal/testkit/dynamotest"
	"broadsheet/internal/testkit/storetest"
)

func TestMain(m *testing.M) { os.Exit(dynamotest.RunTests(m)) }

var published = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

var (
	article = storetest.IndexArticle
	put     = storetest.PutChange
	remove  = storetest.RemoveChange
)

type env struct {
	store *dynamo.Store
	w     *searchindex.Writer
	r     *searchindex.Reader
}

func newEnv(t *testing.T) env {
	st := dynamotest.NewStore(t)
	ix := &searchindex.DynamoStore{DB: st.DB, Table: st.Table}
	return env{store: st, w: &searchindex.Writer{Store: ix}, r: &searchindex.Reader{Store: ix}}
}

// TestConformance runs the search index contract (the one the memory index
// in internal/memstore passes) on DynamoDB Local, each case on a fresh table.
func TestConformance(t *testing.T) {
	storetest.RunSearchIndex(t, func(t *testing.T) storetest.IndexHarness {
		st := dynamotest.NewStore(t)
		return storetest.IndexHarness{
			Store: &searchindex.DynamoStore{DB: st.DB, Table: st.Table},
			Dump:  func(t *testing.T) []string { return snapshot(t, st) },
		}
	})
}

func (e env) apply(t *testing.T, chs ...searchindex.Change) {
	t.Helper()
	for _, ch := range chs {
		if err := e.w.Apply(context.Background(), ch); err != nil {
			t.Fatalf("apply %s/%d: %v", ch.ID, ch.Seq, err)
		}
	}
}

// snapshot returns every index item (TERM#, SDOC#, SUG#, SSTAT#) as text.
func snapshot(t *testing.T, st *dynamo.Store) []string {
	t.Helper()
	var out []string
	p := dynamodb.NewScanPaginator(st.DB.(*dynamodb.Client), &dynamodb.ScanInput{TableName: &st.Table, ConsistentRead: aws.Bool(true)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range page.Items {
			pk := it["pk"].(*types.AttributeValueMemberS).Value
			if !strings.HasPrefix(pk, "TERM#") && !strings.HasPrefix(pk, "SDOC#") && !strings.HasPrefix(pk, "SUG#") && !strings.HasPrefix(pk, "SSTAT#") {
				continue
			}
			out = append(out, fmt.Sprintf("%v", render(it)))
		}
	}
	sort.Strings(out)
	return out
}

func render(it map[string]types.AttributeValue) string {
	names := make([]string, 0, len(it))
	for k := range it {
		names = append(names, k)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, k := range names {
		fmt.Fprintf(&b, "%s=%s ", k, value(it[k]))
	}
	return b.String()
}

func value(v types.AttributeValue) string {
	switch x := v.(type) {
	case *types.AttributeValueMemberS:
		return fmt.Sprintf("%q", x.Value)
	case *types.AttributeValueMemberN:
		return x.Value
	case *types.AttributeValueMemberBOOL:
		return fmt.Sprint(x.Value)
	case *types.AttributeValueMemberL:
		parts := make([]string, len(x.Value))
		for i, e := range x.Value {
			parts[i] = value(e)
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	return fmt.Sprintf("%T", v)
}

// checkDocFreqs asserts the index invariant: every term's df equals its
// number of postings, and the global document count equals the DOC items.
func checkDocFreqs(t *testing.T, snap []string) {
	t.Helper()
	df := map[string]string{}
	count := map[string]int{}
	docs := 0
	globalDocs := "0"
	for _, line := range snap {
		pk := field(line, "pk")
		sk := field(line, "sk")
		switch {
		case strings.HasPrefix(pk, `"TERM#`) && sk == `"#"`:
			df[pk] = field(line, "df")
		case strings.HasPrefix(pk, `"TERM#`):
			count[pk]++
		case strings.HasPrefix(pk, `"SDOC#`) && sk == `"DOC"`:
			docs++
		case pk == `"SSTAT#global"`:
			globalDocs = field(line, "docs")
		}
	}
	for pk, d := range df {
		if d != fmt.Sprint(count[pk]) {
			t.Errorf("%s: df %s but %d postings", pk, d, count[pk])
		}
	}
	for pk, c := range count {
		if _, ok := df[pk]; !ok {
			t.Errorf("%s: %d postings but no df item", pk, c)
		}
	}
	if globalDocs != fmt.Sprint(docs) {
		t.Errorf("global docs %s, want %d", globalDocs, docs)
	}
}

func field(line, name string) string {
	for _, f := range strings.SplitAfter(line, " ") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(f), name+"="); ok {
			return v
		}
	}
	return ""
}

// failing fails the n-th TransactWriteItems call and every one after it until
// healed, to simulate an invocation dying half-way.
type failing struct {
	dynamo.API
	calls, failAt int64
	healed        atomic.Bool
}

func (f *failing) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, o ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	if atomic.AddInt64(&f.calls, 1) >= f.failAt && !f.healed.Load() {
		return nil, errors.New("injected failure")
	}
	return f.API.TransactWriteItems(ctx, in, o...)
}

func TestApplyRecoversFromPartialFailure(t *testing.T) {
	long := strings.Repeat("alpha beta gamma delta epsilon zeta eta theta iota kappa ", 3)
	for i := range 80 {
		long += fmt.Sprintf(" word%d", i)
	}
	for failAt := int64(1); failAt <= 5; failAt++ {
		t.Run(fmt.Sprint(failAt), func(t *testing.T) {
			e := newEnv(t)
			// A second article of another length makes the edit move every posting.
			e.apply(t, put(article("y", "Filler", "short", 1)), put(article("x", "Old title words", "old text "+long, 1)))
			f := &failing{API: e.store.DB, failAt: failAt}
			w := &searchindex.Writer{Store: &searchindex.DynamoStore{DB: f, Table: e.store.Table, Parallel: 1}}
			edit := put(article("x", "New title words", "new text "+long+" extra words", 2))
			if err := w.Apply(context.Background(), edit); err == nil {
				t.Fatal("injected failure not reported")
			}
			f.healed.Store(true)
			if err := w.Apply(context.Background(), edit); err != nil {
				t.Fatal(err)
			}
			snap := snapshot(t, e.store)
			checkDocFreqs(t, snap)
			for _, line := range snap {
				if strings.Contains(line, `"PENDING"`) {
					t.Errorf("write-ahead item left behind: %s", line)
				}
			}
			if err := w.Apply(context.Background(), remove("x", 2)); err != nil {
				t.Fatal(err)
			}
			snap = snapshot(t, e.store)
			checkDocFreqs(t, snap)
			for _, line := range snap {
				if strings.HasPrefix(field(line, "pk"), `"TERM#`) && field(line, "d") == `"x"` {
					t.Errorf("posting left after delete: %s", line)
				}
			}
		})
	}
}

// rounds measures sequential rounds independently of the code under test:
// each call takes at least delay, so calls issued together overlap, and a
// round starts whenever a call starts while none is in flight.
type rounds struct {
	dynamo.API
	delay    time.Duration
	mu       sync.Mutex
	inflight int
	Rounds   int
	Calls    map[string]int
	Items    []int // per Query
	Limits   []int32
}

func (r *rounds) enter(op string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.inflight == 0 {
		r.Rounds++
	}
	r.inflight++
	r.Calls[op]++
}

func (r *rounds) leave() {
	time.Sleep(r.delay)
	r.mu.Lock()
	r.inflight--
	r.mu.Unlock()
}

func (r *rounds) GetItem(ctx context.Context, in *dynamodb.GetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	r.enter("GetItem")
	defer r.leave()
	return r.API.GetItem(ctx, in, o...)
}

func (r *rounds) Query(ctx context.Context, in *dynamodb.QueryInput, o ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	r.enter("Query")
	defer r.leave()
	out, err := r.API.Query(ctx, in, o...)
	if err == nil {
		r.mu.Lock()
		r.Items = append(r.Items, len(out.Items))
		r.Limits = append(r.Limits, aws.ToInt32(in.Limit))
		r.mu.Unlock()
	}
	return out, err
}

func (r *rounds) BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	r.enter("BatchGetItem")
	defer r.leave()
	return r.API.BatchGetItem(ctx, in, o...)
}

func TestSearchReadsAreBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("indexes 320 articles")
	}
	e := newEnv(t)
	const docs = 320
	var wg sync.WaitGroup
	errs := make(chan error, docs)
	sem := make(chan struct{}, 4)
	for i := range docs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			body := fmt.Sprintf("common news item %d about storms", i) + strings.Repeat(" common", i%5)
			errs <- e.w.Apply(context.Background(), put(article(fmt.Sprintf("d%03d", i), fmt.Sprintf("Report %d", i), body, 1)))
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	rt := &rounds{API: e.store.DB, delay: 20 * time.Millisecond, Calls: map[string]int{}}
	r := &searchindex.Reader{Store: &searchindex.DynamoStore{DB: rt, Table: e.store.Table}}
	now := published.Add(time.Hour)
	s := &search.Searcher{Index: r, Now: func() time.Time { return now }}
	res, err := s.Search(context.Background(), "common storms", -1)
	if err != nil {
		t.Fatal(err)
	}
	if res.PostingsRead != 2*search.DefaultK || res.Candidates > 2*search.DefaultK || res.Candidates < search.DefaultK {
		t.Errorf("read %d postings for %d candidates, want 2×K=%d postings (both terms in every article)", res.PostingsRead, res.Candidates, 2*search.DefaultK)
	}
	ids := make([]string, 10)
	for i := range ids {
		ids[i] = res.Hits[i].DocID
	}
	docsRead, err := r.Docs(context.Background(), ids)
	if err != nil || len(docsRead) != 10 {
		t.Fatalf("docs: %d, %v", len(docsRead), err)
	}
	if rt.Rounds > 2 {
		t.Errorf("%d sequential rounds, want at most 2", rt.Rounds)
	}
	if rt.Calls["Query"] != 2 || rt.Calls["GetItem"] != 1 || rt.Calls["BatchGetItem"] != 1 {
		t.Errorf("calls = %v, want 2 Query, 1 GetItem, 1 BatchGetItem", rt.Calls)
	}
	for i, n := range rt.Items {
		if n > search.DefaultK+1 || rt.Limits[i] != search.DefaultK+1 {
			t.Errorf("query %d read %d items with limit %d; want ≤ K+1 = %d", i, n, rt.Limits[i], search.DefaultK+1)
		}
	}
	// The stats item rode along: df counts every article, not just the K read.
	st, _, _ := r.Read(context.Background(), []string{"common"}, 1)
	if st.DocFreq["common"] != docs || st.Docs != docs {
		t.Errorf("df = %d, docs = %d; want %d", st.DocFreq["common"], st.Docs, docs)
	}
}
