package cursor

import (
	"strings"
	"testing"
)

func newSealer(t testing.TB) *Sealer {
	s, err := New([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestRoundTrip(t *testing.T) {
	s := newSealer(t)
	pos := map[string]string{"pk": "ARTICLE#1", "sk": "ARTICLE"}
	c, err := s.Seal("articles", pos)
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(c, "+/=") {
		t.Errorf("cursor %q is not URL-safe", c)
	}
	var got map[string]string
	if err := s.Open("articles", c, &got); err != nil {
		t.Fatal(err)
	}
	if got["pk"] != "ARTICLE#1" || got["sk"] != "ARTICLE" {
		t.Errorf("got %v", got)
	}
	if strings.Contains(c, "ARTICLE") {
		t.Error("cursor leaks its contents")
	}
	again, _ := s.Seal("articles", pos)
	if again != c {
		t.Error("the same position sealed twice differs: list pages could never be answered 304")
	}
	other, _ := s.Seal("articles", map[string]string{"pk": "ARTICLE#2", "sk": "ARTICLE"})
	elsewhere, _ := s.Seal("comments", pos)
	if other[:16] == c[:16] || elsewhere[:16] == c[:16] {
		t.Error("distinct positions or scopes share a nonce")
	}
}

func TestRejects(t *testing.T) {
	s := newSealer(t)
	good, _ := s.Seal("articles", map[string]string{"pk": "x"})
	other, _ := New([]byte("another secret that is long enough"))
	foreign, _ := other.Seal("articles", map[string]string{"pk": "x"})
	flipped := []byte(good)
	flipped[len(flipped)/2] ^= 1
	tests := map[string]struct{ scope, cursor string }{
		"empty":             {"articles", ""},
		"not base64":        {"articles", "!!!"},
		"too short":         {"articles", "YWJj"},
		"bit flipped":       {"articles", string(flipped)},
		"other key":         {"articles", foreign},
		"other list":        {"comments", good},
		"huge":              {"articles", strings.Repeat("A", MaxLen+1)},
		"truncated":         {"articles", good[:len(good)-2]},
		"padding appended":  {"articles", good + "=="},
		"sql-ish injection": {"articles", "' OR 1=1 --"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			var v map[string]string
			if err := s.Open(tt.scope, tt.cursor, &v); err != ErrInvalid {
				t.Errorf("Open = %v, want ErrInvalid", err)
			}
		})
	}
}

func FuzzOpen(f *testing.F) {
	s := newSealer(f)
	good, _ := s.Seal("articles", map[string]string{"pk": "x"})
	f.Add(good)
	f.Add("")
	f.Add("AAAA")
	f.Fuzz(func(t *testing.T, c string) {
		var v map[string]any
		if err := s.Open("articles", c, &v); err == nil && c != good {
			t.Fatalf("forged cursor %q opened", c)
		}
	})
}
