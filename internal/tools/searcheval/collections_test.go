package searcheval

import (
	"os"
	"testing"
)

// The loaders reproduce the counts each collection's README gives.
func TestCollectionsParseAsDocumented(t *testing.T) {
	const root = "../../../../shared/corpora"
	if _, err := os.Stat(root); err != nil {
		t.Skip("../shared/corpora is not beside the repository")
	}
	want := map[string]struct{ docs, queries, judged, pairs int }{
		"cran": {1400, 225, 225, 1612}, // codes 1–4 of 1,837 lines; −1 is "no interest"
		"med":  {1033, 30, 30, 696},
		"cacm": {3204, 64, 52, 796},
		"npl":  {11429, 93, 93, 2083},
	}
	all, err := LoadAll(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range all {
		pairs := 0
		for _, rel := range c.Qrels {
			pairs += len(rel)
		}
		got := struct{ docs, queries, judged, pairs int }{len(c.Docs), len(c.Queries), len(c.Qrels), pairs}
		if got != want[c.Name] {
			t.Errorf("%s: docs, queries, judged queries, relevant pairs = %v, want %v", c.Name, got, want[c.Name])
		}
		ids := map[string]bool{}
		for _, d := range c.Docs {
			ids[d.ID] = true
		}
		for q, rel := range c.Qrels {
			for d := range rel {
				if !ids[d] {
					t.Errorf("%s: query %s judges unknown document %s", c.Name, q, d)
				}
			}
		}
	}
}
