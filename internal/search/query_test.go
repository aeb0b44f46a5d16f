package search

import (
	"reflect"
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
