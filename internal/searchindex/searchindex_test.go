package searchindex_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"slices"
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
)

func TestMain(m *testing.M) { os.Exit(dynamotest.RunTests(m)) }

var published = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func article(id, title, text string, version int64) *searchindex.Article {
	return &searchindex.Article{
		ID: id, Slug: strings.ToLower(strings.ReplaceAll(title, " ", "-")), Title: title, Summary: "summary of " + id, Text: text,
		AuthorName: "Ayesha Khan", AuthorKey: "ayesha-khan", Tags: []string{"world"}, Status: "published",
		PublishedAt: published, PublishedAtRaw: published.Format(time.RFC3339), Version: version,
	}
}

func put(a *searchindex.Article) searchindex.Change {
	return searchindex.Change{ID: a.ID, Seq: 2 * a.Version, Article: a}
}

func remove(id string, version int64) searchindex.Change {
	return searchindex.Change{ID: id, Seq: 2*version + 1}
}

type env struct {
	store *dynamo.Store
	w     *searchindex.Writer
	r     *searchindex.Reader
}

func newEnv(t *testing.T) env {
	st := dynamotest.NewStore(t)
	return env{store: st, w: &searchindex.Writer{DB: st.DB, Table: st.Table}, r: &searchindex.Reader{DB: st.DB, Table: st.Table}}
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

func TestApplyIsIdempotent(t *testing.T) {
	e := newEnv(t)
	a1 := article("a1", "Afghan peace talks resume", "Negotiators met in Doha to resume the peace talks.", 1)
	a2 := article("a2", "Budget vote delayed", "Parliament delayed the budget vote; peace in the chamber.", 1)
	a1v2 := article("a1", "Afghan peace talks stall", "Negotiators left Doha; talks stall over prisoners.", 2)
	batch := []searchindex.Change{put(a1), put(a2), put(a1v2), remove("a2", 1)}
	e.apply(t, batch...)
	first := snapshot(t, e.store)
	checkDocFreqs(t, first)
	e.apply(t, batch...) // the same batch again, as Lambda retries it
	if second := snapshot(t, e.store); !slices.Equal(first, second) {
		t.Errorf("index changed when the batch was applied twice:\n%s", diff(first, second))
	}
	// Records replayed one by one, in order, after newer ones: no change either.
	e.apply(t, put(a1), put(a2))
	if third := snapshot(t, e.store); !slices.Equal(first, third) {
		t.Errorf("index changed by replayed old records:\n%s", diff(first, third))
	}
}

func diff(a, b []string) string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, "- "+x)
		}
	}
	for _, x := range b {
		if !slices.Contains(a, x) {
			out = append(out, "+ "+x)
		}
	}
	return strings.Join(out, "\n")
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
			w := &searchindex.Writer{DB: f, Table: e.store.Table, Parallel: 1}
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

func searchIDs(t *testing.T, r *searchindex.Reader, q string, now time.Time) []string {
	t.Helper()
	s := &search.Searcher{Index: r, Now: func() time.Time { return now }}
	res, err := s.Search(context.Background(), q, 10)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.DocID
	}
	return ids
}

func TestEditUnpublishDeleteAndSchedule(t *testing.T) {
	e := newEnv(t)
	now := published.Add(time.Hour)
	e.apply(t, put(article("a", "Afghan peace talks", "Talks resume in Doha.", 1)),
		put(article("b", "Budget vote", "Parliament votes on the budget.", 1)))
	if got := searchIDs(t, e.r, "peace", now); !slices.Equal(got, []string{"a"}) {
		t.Fatalf("peace → %v", got)
	}
	// Edit: the old words leave, the new ones arrive.
	e.apply(t, put(article("a", "Cricket final", "A thrilling final in Lahore.", 2)))
	if got := searchIDs(t, e.r, "peace", now); len(got) != 0 {
		t.Errorf("after edit, peace → %v", got)
	}
	if got := searchIDs(t, e.r, "cricket lahore", now); !slices.Equal(got, []string{"a"}) {
		t.Errorf("after edit, cricket → %v", got)
	}
	// Unpublish.
	draft := article("b", "Budget vote", "Parliament votes on the budget.", 2)
	draft.Status = "draft"
	e.apply(t, put(draft))
	if got := searchIDs(t, e.r, "budget", now); len(got) != 0 {
		t.Errorf("after unpublish, budget → %v", got)
	}
	// Scheduled: indexed, invisible until its time.
	sched := article("c", "Eclipse tonight", "The eclipse is visible.", 1)
	sched.PublishedAt = now.Add(24 * time.Hour)
	e.apply(t, put(sched))
	if got := searchIDs(t, e.r, "eclipse", now); len(got) != 0 {
		t.Errorf("scheduled article found early: %v", got)
	}
	if got := searchIDs(t, e.r, "eclipse", now.Add(25*time.Hour)); !slices.Equal(got, []string{"c"}) {
		t.Errorf("scheduled article after its time: %v", got)
	}
	// Delete.
	e.apply(t, remove("a", 2))
	if got := searchIDs(t, e.r, "cricket", now); len(got) != 0 {
		t.Errorf("after delete, cricket → %v", got)
	}
	checkDocFreqs(t, snapshot(t, e.store))
	// Suggestions follow the same changes.
	sug, err := e.r.Suggest(context.Background(), "eclip", now.Add(25*time.Hour), 8)
	if err != nil || len(sug) != 1 || sug[0].Title != "Eclipse tonight" {
		t.Errorf("suggest eclip = %v, %v", sug, err)
	}
	for _, q := range []string{"crick", "budg", "eclip"} {
		if sug, _ := e.r.Suggest(context.Background(), q, now, 8); len(sug) != 0 {
			t.Errorf("suggest %q = %v; deleted, unpublished or scheduled articles must not be suggested", q, sug)
		}
	}
}

func TestSuggest(t *testing.T) {
	e := newEnv(t)
	now := published.Add(time.Hour)
	e.apply(t,
		put(article("1", "PM’s US visit: Afghan peace talks", "x", 1)),
		put(article("2", "Government budget passes", "x", 1)),
		put(article("3", "Peacekeepers return home", "x", 1)),
		put(article("4", "Afghanistan earthquake relief", "x", 1)),
	)
	titles := func(q string) []string {
		t.Helper()
		sug, err := e.r.Suggest(context.Background(), q, now, 8)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, s := range sug {
			out = append(out, s.Title)
		}
		sort.Strings(out)
		return out
	}
	tests := []struct {
		q    string
		want []string
	}{
		{"afgh", []string{"Afghanistan earthquake relief", "PM’s US visit: Afghan peace talks"}},
		{"AFGHAN pea", []string{"PM’s US visit: Afghan peace talks"}}, // earlier word must match
		{"peace", []string{"PM’s US visit: Afghan peace talks", "Peacekeepers return home"}},
		{"goverment", []string{"Government budget passes"}},             // one deletion
		{"govenrment", []string{"Government budget passes"}},            // transposition
		{"gpvernm", []string{"Government budget passes"}},               // substitution in the first letters
		{"afghna peace", []string{"PM’s US visit: Afghan peace talks"}}, // typo in an earlier word
		{"gov", []string{"Government budget passes"}},
		{"govx", nil}, // typos need 5 letters
		{"cricket", nil},
		{"a", nil},
	}
	for _, tt := range tests {
		if got := titles(tt.q); !slices.Equal(got, tt.want) {
			t.Errorf("suggest %q = %v, want %v", tt.q, got, tt.want)
		}
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
	r := &searchindex.Reader{DB: rt, Table: e.store.Table}
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

func TestReaderMatchesMemoryIndex(t *testing.T) {
	// The same documents written in the same order give the same ranking.
	e := newEnv(t)
	mem := search.NewMemoryIndex()
	texts := []string{
		"supersonic flow over a flat plate", "heat transfer in hypersonic flow", "boundary layer transition",
		"flow separation at high speed", "the theory of thin wings", "heat flux at the stagnation point of a blunt body",
		"flutter of panels in supersonic flow", "hypersonic boundary layer heat transfer measurements",
	}
	for i, text := range texts {
		a := article(fmt.Sprintf("c%d", i), fmt.Sprintf("Paper %d", i), text, 1)
		e.apply(t, put(a))
		mem.Add(search.Document{ID: a.ID, Title: a.Title, Body: a.Text, PublishedAt: a.PublishedAt, Tags: a.Tags, Author: a.AuthorKey})
	}
	now := published
	for _, q := range []string{"hypersonic heat transfer", "supersonic flow", "boundary layer", "wings"} {
		a, err := (&search.Searcher{Index: e.r, Now: func() time.Time { return now }}).Search(context.Background(), q, -1)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := (&search.Searcher{Index: mem, Now: func() time.Time { return now }}).Search(context.Background(), q, -1)
		if !reflect.DeepEqual(a.Hits, b.Hits) || !reflect.DeepEqual(a.Expansion, b.Expansion) {
			t.Errorf("%q: dynamodb %v %v\nmemory %v %v", q, a.Hits, a.Expansion, b.Hits, b.Expansion)
		}
	}
}

// The index records the languages it holds; the reader learns them (at
// start-up, then from every query's statistics read) and a query finds each
// article in its own language: Spanish by its stem, with the DOC record
// saying which analysis highlights it.
func TestLanguagesAreRecordedAndSearched(t *testing.T) {
	e := newEnv(t)
	es := article("es1", "Elecciones generales", "Los votantes acudieron a las urnas.", 1)
	es.Lang = "es"
	e.apply(t, put(article("en1", "General elections", "Voters went to the polls.", 1)), put(es))
	if got := e.r.Languages(); got != nil {
		t.Fatalf("Languages before any read = %q, want nil", got)
	}
	if err := e.r.LoadLanguages(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := e.r.Languages(); !slices.Equal(got, []string{"en", "es"}) {
		t.Fatalf("Languages = %q, want [en es]", got)
	}
	if got := searchIDs(t, e.r, "elección", published.Add(time.Hour)); len(got) == 0 || got[0] != "es1" {
		t.Errorf("search elección = %v, want es1 first", got)
	}
	docs, err := e.r.Docs(context.Background(), []string{"es1", "en1"})
	if err != nil {
		t.Fatal(err)
	}
	if docs["es1"].Lang != "es" || docs["en1"].Lang != "" {
		t.Errorf("DOC languages %q, %q; want es and none", docs["es1"].Lang, docs["en1"].Lang)
	}
}
