package search

import (
	"strings"
	"testing"
	"unicode/utf8"

	"broadsheet/internal/analysis"
)

func TestHighlight(t *testing.T) {
	tests := []struct {
		name, text, query, want string
	}{
		{"plain match", "Budget vote delayed", "budget", "<mark>Budget</mark> vote delayed"},
		{"stemmed and possessive match keep the original word",
			"Pakistan’s talks", "pakistan talk", "<mark>Pakistan’s</mark> <mark>talks</mark>"},
		{"accent-insensitive", "Café society", "cafe", "<mark>Café</mark> society"},
		{"joined compound marks the whole word", "the e-mail leak", "email", "the <mark>e-mail</mark> leak"},
		{"part of a compound", "peace-talks", "talks", "peace-<mark>talks</mark>"},
		{"script tag is escaped", `<script>alert("x")</script> vote`, "vote",
			"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; <mark>vote</mark>"},
		{"matched word containing markup chars", "AT&T's merger", "merger", "AT&amp;T&#39;s <mark>merger</mark>"},
		{"no query terms: escaped text", "a < b", "", "a &lt; b"},
		{"invalid utf-8 is replaced", "vote\xff", "vote", "<mark>vote</mark>\uFFFD"},
		{"empty text", "", "vote", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Highlight(tt.text, analysis.Terms(tt.query)); got != tt.want {
				t.Errorf("Highlight(%q, %q)\n got %q\nwant %q", tt.text, tt.query, got, tt.want)
			}
		})
	}
}

func TestSnippet(t *testing.T) {
	long := "Opening paragraph about nothing in particular. " + strings.Repeat("Filler words here. ", 20) +
		"The central bank raised interest rates today. " + strings.Repeat("More filler text. ", 20) + "Closing."
	tests := []struct {
		name, body, query string
		maxRunes          int
		want              string
	}{
		{"short body is returned whole", "Rates rose.", "rates", 100, "<mark>Rates</mark> rose."},
		{"best passage with ellipses on both sides", long, "interest rates", 50,
			"…bank raised <mark>interest</mark> <mark>rates</mark> today. More…"},
		{"no match: beginning of the body", long, "volcano", 30, "Opening paragraph about…"},
		{"whitespace and CRLF collapse", "Rates\r\n  rose\tsharply.", "rates", 100, "<mark>Rates</mark> rose sharply."},
		{"script in body is escaped", "<script>x()</script> rates rose", "rates", 100,
			"&lt;script&gt;x()&lt;/script&gt; <mark>rates</mark> rose"},
		{"zero budget", "Rates rose.", "rates", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Snippet(tt.body, analysis.Terms(tt.query), tt.maxRunes); got != tt.want {
				t.Errorf("Snippet(…, %q, %d)\n got %q\nwant %q", tt.query, tt.maxRunes, got, tt.want)
			}
		})
	}
}

func TestSnippetPrefersMoreDistinctTerms(t *testing.T) {
	body := "rates rates rates rates. " + strings.Repeat("filler ", 30) + "inflation and rates together."
	got := Snippet(body, analysis.Terms("inflation rates"), 40)
	if !strings.Contains(got, "<mark>inflation</mark>") {
		t.Errorf("snippet %q should show the passage with both terms", got)
	}
}

func TestSnippetLength(t *testing.T) {
	body := strings.Repeat("word ", 200) + "needle " + strings.Repeat("word ", 200)
	for _, n := range []int{1, 10, 50, 160} {
		got := Snippet(body, analysis.Terms("needle"), n)
		plain := strings.NewReplacer("<mark>", "", "</mark>", "", "…", "").Replace(got)
		if c := utf8.RuneCountInString(plain); c > n && !(n < len("needle") && plain == "needle") {
			t.Errorf("Snippet(maxRunes=%d) has %d runes: %q", n, c, got)
		}
	}
}

func FuzzSnippet(f *testing.F) {
	f.Add("The <b>central</b> bank’s rates", "rates", 20)
	f.Add("\xff\xfe peace-talks", "talks", 3)
	f.Fuzz(func(t *testing.T, body, query string, n int) {
		n %= 500
		out := Snippet(body, analysis.Terms(query), n)
		plain := strings.NewReplacer("<mark>", "", "</mark>", "").Replace(out)
		if strings.ContainsAny(plain, "<>") {
			t.Fatalf("unescaped markup in %q", out)
		}
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 in %q", out)
		}
	})
}
