package htmltext

import "testing"

func TestPlainText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"paragraphs do not fuse", "<p>Peace</p><p>Talks</p>", "Peace Talks"},
		{"inline markup joins", "<p>Af<strong>ghan</strong> talks</p>", "Afghan talks"},
		{"entities decoded", "<p>Tom &amp; Jerry &lt;3 &#8217;s</p>", "Tom & Jerry <3 ’s"},
		{"white space collapsed", "<p>a\n\n  b\tc</p>", "a b c"},
		{"lists and headings", "<h2>Title</h2><ul><li>one</li><li>two</li></ul>", "Title one two"},
		{"line breaks", "a<br>b", "a b"},
		{"script and style dropped", "<p>x</p><script>alert(1)</script><style>p{}</style><p>y</p>", "x y"},
		{"empty", "", ""},
		{"plain text passes", "just text", "just text"},
		{"broken markup", "<p>open <b>bold", "open bold"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PlainText(tt.in); got != tt.want {
				t.Errorf("PlainText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
