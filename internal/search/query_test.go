package search

import (
	"context"
	"reflect"
	"slices"
	"testing"

	"broadsheet/internal/analysis"
)

func TestParseQuery(t *testing.T) {
	tests := []struct {
		in   string
		want Query
	}{
		{"peace talks", Query{Terms: []string{"peac", "talk"}}},
		{`"peace talks" in Kabul`, Query{Terms: []string{"kabul", "peac", "talk"}, Phrases: [][]string{{"peac", "talk"}}}},
		{`“peace talks”`, Query{Terms: []string{"peac", "talk"}, Phrases: [][]string{{"peac", "talk"}}}},
		{`talks -cricket`, Query{Terms: []string{"talk"}, Exclude: []string{"cricket"}}},
		{`talks -Elections -elections`, Query{Terms: []string{"talk"}, Exclude: []string{"elect"}}},
		{`e-mail -5 well-known`, Query{Terms: analysis.Terms("e-mail -5 well-known")}},
		{`"unclosed phrase runs on`, Query{Terms: []string{"unclos", "phrase", "run"}, Phrases: [][]string{{"unclos", "phrase", "run"}}}},
		{`"single" word`, Query{Terms: []string{"word", "singl"}}},
		{`budget -budget`, Query{Exclude: []string{"budget"}}},
		{`"the of"`, Query{}},
	}
	for _, tt := range tests {
		got := ParseQuery(tt.in)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseQuery(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestQueryAccepts(t *testing.T) {
	title := "Peace talks resume"
	text := "Delegates met in Doha. The talks on peace were long; cricket was not discussed."
	tests := []struct {
		q    string
		want bool
	}{
		{"peace", true},
		{`"peace talks"`, true},           // in the title
		{`"talks on peace"`, true},        // stop word skipped on both sides
		{`"Talk Peace"`, true},            // analysed: "talks on peace" is talk, peac
		{`"peace delegates"`, false},      // both words, not next to each other
		{`talks -cricket`, false},         // excluded word in the text
		{`talks -football`, true},         // excluded word absent
		{`"talks doha" -football`, false}, // phrase absent
	}
	for _, tt := range tests {
		if got := ParseQuery(tt.q).Accepts(title, text); got != tt.want {
			t.Errorf("%s: Accepts = %v, want %v", tt.q, got, tt.want)
		}
	}
}

// In an index of several languages, a query meets each document in the
// document's own analysis: the Spanish article for the Spanish stem, the
// Urdu one across letter forms, and highlights follow the same analysis.
func TestSearchAcrossLanguages(t *testing.T) {
	idx := NewMemoryIndex()
	idx.Add(Document{ID: "en", Title: "General elections", Body: "Voters went to the polls.", Lang: "en"})
	idx.Add(Document{ID: "es", Title: "Elecciones generales", Body: "Los votantes acudieron a las urnas.", Lang: "es"})
	idx.Add(Document{ID: "ur", Title: "پاکستان میں انتخابات", Body: "ووٹر پولنگ اسٹیشن پہنچے۔", Lang: "ur"})
	if got := idx.Languages(); !slices.Equal(got, []string{"en", "es", "ur"}) {
		t.Fatalf("Languages = %q", got)
	}
	s := &Searcher{Index: idx}
	for q, want := range map[string]string{"elección": "es", "election": "en", "پاكستان": "ur"} {
		res, err := s.Search(context.Background(), q, 10)
		if err != nil || len(res.Hits) == 0 || res.Hits[0].DocID != want {
			t.Errorf("Search(%q) = %+v, %v; want %s first", q, res.Hits, err, want)
		}
	}
	q := ParseQueryIn(`"elección general"`, idx.Languages())
	if !q.AcceptsIn("es", "Elecciones generales", "") || q.AcceptsIn("es", "Generales elecciones", "") {
		t.Errorf("phrase in Spanish: %+v", q)
	}
	if got := HighlightIn("es", "Elecciones generales", q.Terms); got != "<mark>Elecciones</mark> <mark>generales</mark>" {
		t.Errorf("HighlightIn = %q", got)
	}
	if got := HighlightIn("ur", "پاکستان میں انتخابات", ParseQueryIn("پاكستان", idx.Languages()).Terms); got != "<mark>پاکستان</mark> میں انتخابات" {
		t.Errorf("HighlightIn(ur) = %q", got)
	}
}
