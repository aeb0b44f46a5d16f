package main

import (
	"context"
	"testing"

	"broadsheet/internal/tools/searcheval"
)

// The multilingual set loads with what the issue asks of it (30 documents
// and 15 judged queries per language), and each language's analysis beats
// whitespace tokens on its own set: letter variants (Urdu), nukta and
// anusvara spellings (Hindi), umlaut spellings (German) and text without
// spaces (Chinese) are what the set is made of.
func TestLanguagesBeatWhitespace(t *testing.T) {
	sets, err := searcheval.LoadMultilingual("../../testdata/multilingual")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range sets {
		judged := 0
		for _, q := range l.Queries {
			if len(l.Qrels[q.ID]) > 0 {
				judged++
			}
		}
		if len(l.Docs) < 30 || judged < 15 {
			t.Errorf("%s: %d documents, %d judged queries; want at least 30 and 15", l.Lang, len(l.Docs), judged)
		}
	}
	reports, err := evaluateLanguages(context.Background(), "../../testdata/multilingual")
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) != len(searcheval.Languages) {
		t.Fatalf("%d languages evaluated, want %d", len(reports), len(searcheval.Languages))
	}
	for _, r := range reports {
		if r.Analysed.NDCG10 <= r.Whitespace.NDCG10 || r.InMixed.NDCG10 <= r.Whitespace.NDCG10 {
			t.Errorf("%s: nDCG@10 analysed %.4f, in the mixed index %.4f, whitespace %.4f: analysis should win",
				r.Lang, r.Analysed.NDCG10, r.InMixed.NDCG10, r.Whitespace.NDCG10)
		}
		if r.Lang == "de" && r.Analysed.NDCG10 <= r.AsEnglish.NDCG10 {
			t.Errorf("de: German analysis %.4f does not beat English analysis %.4f (umlaut spellings)", r.Analysed.NDCG10, r.AsEnglish.NDCG10)
		}
	}
}
