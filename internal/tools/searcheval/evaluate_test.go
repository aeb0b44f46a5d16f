package searcheval

import (
	"context"
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestMetrics(t *testing.T) {
	rel := map[string]int{"a": 3, "b": 1, "c": 2}
	tests := []struct {
		name   string
		metric func(ranked []string) float64
		ranked []string
		want   float64
	}{
		{"AP perfect", func(r []string) float64 { return AveragePrecision(r, rel) }, []string{"a", "c", "b"}, 1},
		{"AP counts unretrieved as zero", func(r []string) float64 { return AveragePrecision(r, rel) }, []string{"a", "x"}, 1.0 / 3},
		{"AP", func(r []string) float64 { return AveragePrecision(r, rel) }, []string{"x", "a", "y", "b"}, (1.0/2 + 2.0/4) / 3},
		{"nDCG ideal order", func(r []string) float64 { return NDCG(r, rel, 10) }, []string{"a", "c", "b"}, 1},
		{"nDCG empty", func(r []string) float64 { return NDCG(r, rel, 10) }, nil, 0},
		{"nDCG worst relevant order", func(r []string) float64 { return NDCG(r, rel, 10) }, []string{"b", "c", "a"},
			(1 + 2/math.Log2(3) + 3.0/2) / (3 + 2/math.Log2(3) + 1.0/2)},
		{"nDCG cut at k", func(r []string) float64 { return NDCG(r, rel, 1) }, []string{"x", "a"}, 0},
		{"P@2", func(r []string) float64 { return PrecisionAt(r, rel, 2) }, []string{"a", "x", "b"}, 0.5},
		{"P@10 short list", func(r []string) float64 { return PrecisionAt(r, rel, 10) }, []string{"a"}, 0.1},
		{"R@2", func(r []string) float64 { return RecallAt(r, rel, 2) }, []string{"a", "b", "c"}, 2.0 / 3},
	}
	for _, tt := range tests {
		if got := tt.metric(tt.ranked); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestCranfieldGain(t *testing.T) {
	for code, want := range map[int]int{1: 4, 2: 3, 3: 2, 4: 1, -1: 0, 5: 0} {
		if got := CranfieldGain(code); got != want {
			t.Errorf("CranfieldGain(%d) = %d, want %d", code, got, want)
		}
	}
}

func TestParseCranfield(t *testing.T) {
	docs, err := ParseCranfieldDocs(strings.NewReader(".I 1\r\n.T\r\nwing flow .\r\n.A\r\nsmith\r\n.B\r\nj. ae. 1958\r\n.W\r\nwing flow .\r\nabstract text\r\n.I 2\r\n.T\r\n.W\r\npart one\r\n.W\r\npart two\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Doc{
		{ID: "1", Title: "wing flow .", Authors: "smith", Source: "j. ae. 1958", Body: "wing flow .\nabstract text"},
		{ID: "2", Body: "part one\npart two"},
	}
	if !reflect.DeepEqual(docs, want) {
		t.Errorf("docs = %+v\nwant %+v", docs, want)
	}

	qs, err := ParseCranfieldQueries(strings.NewReader(".I 001\n.W\nfirst query\n.I 004\n.W\nsecond\nquery .\n"))
	if err != nil {
		t.Fatal(err)
	}
	wantQ := []Query{{ID: "1", Number: "001", Text: "first query"}, {ID: "2", Number: "004", Text: "second\nquery ."}}
	if !reflect.DeepEqual(qs, wantQ) {
		t.Errorf("queries = %+v, want %+v (IDs by file order)", qs, wantQ)
	}

	qrels, err := ParseCranfieldQrels(strings.NewReader("1 184 2 \r\n1 29 4\n1 7 -1\n2 5 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	wantR := Qrels{"1": {"184": 3, "29": 1}, "2": {"5": 4}}
	if !reflect.DeepEqual(qrels, wantR) {
		t.Errorf("qrels = %v, want %v (code -1 dropped)", qrels, wantR)
	}
}

func TestRun(t *testing.T) {
	c := &Collection{
		Queries: []Query{{ID: "1"}, {ID: "2"}, {ID: "3"}},
		Qrels:   Qrels{"1": {"a": 4}, "2": {"b": 4}}, // query 3 has no judgments: skipped
	}
	r, err := Run(context.Background(), c, func(_ context.Context, q Query) ([]string, int, error) {
		return []string{"a"}, 10, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if r.Queries != 2 || r.MAP != 0.5 || r.NDCG10 != 0.5 || r.AvgPostings != 10 {
		t.Errorf("report = %+v", r)
	}
}
