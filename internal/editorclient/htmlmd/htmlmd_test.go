package htmlmd

import "testing"

func TestConvert(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"autop paragraphs and line breaks", "First para.\n\nSecond para,\nwith a break.", "First para.\n\nSecond para,\\\nwith a break.\n"},
		{"html paragraphs", "<p>One</p>\n<p>Two</p>", "One\n\nTwo\n"},
		{"gutenberg: newlines are whitespace", "<!-- wp:paragraph -->\n<p>One\ntwo</p>\n<!-- /wp:paragraph -->", "One two\n"},
		{"emphasis", "<p><em>a</em> <i>b</i> <strong>c</strong> <b>d</b> <del>e</del></p>", "*a* *b* **c** **d** ~~e~~\n"},
		{"emphasis keeps spaces outside", "<p>x<em> y </em>z</p>", "x *y* z\n"},
		{"empty emphasis dropped", "<p>a<strong> </strong>b</p>", "a b\n"},
		{"headings", "<h1>Top</h1><h3>Three <em>it</em></h3>", "# Top\n\n### Three *it*\n"},
		{"heading ending in hash", "<h2>We love C#</h2>", "## We love C\\#\n"},
		{"link", `<p><a href="https://example.org/a b" title="T &quot;q&quot;">the link</a></p>`, "[the link](https://example.org/a%20b \"T \\\"q\\\"\")\n"},
		{"autolink", `<a href="https://go.dev/">https://go.dev/</a>`, "<https://go.dev/>\n"},
		{"javascript link loses its href", `<a href="javascript:alert(1)">click</a>`, "click\n"},
		{"anchor without text", `<a name="top"></a>Text`, "Text\n"},
		{"image", `<img src="/a.png" alt="An [odd] alt" title="Ti">`, "![An \\[odd\\] alt](/a.png \"Ti\")\n"},
		{"linked image", `<a href="big.jpg"><img src="small.jpg" alt="x"></a>`, "[![x](small.jpg)](big.jpg)\n"},
		{"data image dropped", `<img src="data:image/png;base64,AAAA" alt="pixel">`, "pixel\n"},
		{"caption shortcode", `[caption id="attachment_9" align="alignnone" width="300"]<img src="c.jpg" alt="Cat" /> A cat[/caption]`, "![Cat](c.jpg)\n\n*A cat*\n"},
		{"caption attribute", `[caption id="" caption="From attr"]<img src="c.jpg" alt="" />[/caption]`, "![](c.jpg)\n\n*From attr*\n"},
		{"unordered list", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>", "- one\n- two\n"},
		{"ordered list with start", `<ol start="3"><li>c</li><li>d</li></ol>`, "3. c\n4. d\n"},
		{"nested lists", "<ul><li>a<ul><li>b<ol><li>c</li></ol></li></ul></li><li>d</li></ul>", "- a\n  - b\n    1. c\n- d\n"},
		{"loose list item", "<ol><li><p>p1</p><p>p2</p></li><li>x</li></ol>", "1. p1\n\n   p2\n\n2. x\n"},
		{"adjacent lists stay apart", "<ul><li>a</li></ul><ul><li>b</li></ul>", "- a\n\n* b\n"},
		{"list nested directly in list", "<ul><li>a</li><ul><li>b</li></ul></ul>", "- a\n  - b\n"},
		{"blockquote", "<blockquote><p>q1</p><p>q2</p></blockquote>", "> q1\n>\n> q2\n"},
		{"nested blockquote", "<blockquote>outer<blockquote>inner</blockquote></blockquote>", "> outer\n>\n> > inner\n"},
		{"code block with language", "<pre><code class=\"language-go\">if a &lt; b {\n\treturn\n}</code></pre>", "```go\nif a < b {\n\treturn\n}\n```\n"},
		{"code block containing fences", "<pre>```\nx\n```</pre>", "````\n```\nx\n```\n````\n"},
		{"syntaxhighlighter brush", "<pre class=\"brush: php; gutter: false\">echo 1;</pre>", "```php\necho 1;\n```\n"},
		{"inline code", "<p>Use <code>a*b</code> or <code>x `y` z</code></p>", "Use `a*b` or ``x `y` z``\n"},
		{"hr", "<p>a</p><hr /><p>b</p>", "a\n\n---\n\nb\n"},
		{"scripts styles forms comments stripped", `<p>a</p><script>evil()</script><style>p{}</style><!-- note --><form><input name="q"><button>Go</button></form><noscript>nojs</noscript><p>b</p>`, "a\n\nb\n"},
		{"escaping", "<p>*not em* _nor_ this [x](y) `c` <b>&lt;tag&gt;</b> snake_case &amp;amp; 100% \\</p>", "\\*not em\\* \\_nor\\_ this \\[x\\](y) \\`c\\` **\\<tag>** snake_case \\&amp; 100% \\\\\n"},
		{"line start escaping", "<p># not a heading</p><p>1. not a list</p><p>- nor this</p><p>&gt; nor a quote</p><p>2024 was a year</p>", "\\# not a heading\n\n1\\. not a list\n\n\\- nor this\n\n\\> nor a quote\n\n2024 was a year\n"},
		{"typographic quotes and non-ASCII", "<p>&#8220;Grüezi,&#8221; she said &#8212; it&#8217;s 5&nbsp;km to Zürich. 北京</p>", "“Grüezi,” she said — it’s 5\u00a0km to Zürich. 北京\n"},
		{"nbsp-only paragraph dropped", "<p>&nbsp;</p><p>text</p>", "text\n"},
		{"double br splits paragraphs", "a<br><br>b<br />c", "a\n\nb\\\nc\n"},
		{"newline after br is not a second break", "a<br />\nb", "a\\\nb\n"},
		{"trailing br dropped", "<p>a<br></p>", "a\n"},
		{"table", "<table><thead><tr><th>A</th><th>B|C</th></tr></thead><tbody><tr><td>1</td><td><em>2</em></td></tr><tr><td>3</td></tr></tbody></table>", "| A | B\\|C |\n| --- | --- |\n| 1 | *2* |\n| 3 |  |\n"},
		{"figure with caption", `<figure><img src="a.jpg" alt="A"><figcaption>Cap <a href="https://x.org">link</a></figcaption></figure>`, "![A](a.jpg)\n\n*Cap [link](https://x.org)*\n"},
		{"iframe becomes a link", `<iframe src="https://www.youtube.com/embed/xyz" title="Interview"></iframe>`, "[Interview](https://www.youtube.com/embed/xyz)\n"},
		{"divs are transparent", "<div class=\"x\"><div>a</div>b</div>", "a\n\nb\n"},
		{"block inside inline degrades", `<a href="/x"><div>block in link</div></a>`, "[block in link](/x)\n"},
		{"definition list", "<dl><dt>Term</dt><dd>Meaning</dd></dl>", "**Term**\n\nMeaning\n"},
		{"autop inside list items", "<ul>\n<li>one\ntwo</li>\n</ul>", "- one\\\n  two\n"},
		{"more tag and shortcode text kept", "Intro<!--more-->\n\n[gallery ids=\"1,2\"]", "Intro\n\n\\[gallery ids=\"1,2\"\\]\n"},
		{"unclosed tags carry over as in a browser", "<p><strong>bold <em>both</p><p>after", "**bold *both***\n\n***after***\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Convert(tt.in); got != tt.want {
				t.Errorf("Convert(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestPlainText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "Nice post", "Nice post"},
		{"autop", "Para one.\n\nPara two,\nline two.", "Para one.\n\nPara two,\nline two."},
		{"entities and tags", "I <b>agree</b> &amp; more &#8230;", "I agree & more …"},
		{"link target kept", `see <a href="https://x.org/y">this</a>`, "see this (https://x.org/y)"},
		{"bare link", `<a href="https://x.org/">https://x.org/</a>`, "https://x.org/"},
		{"paragraph tags", "<p>a</p><p>b</p>", "a\n\nb"},
		{"list", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>", "- a\n- b"},
		{"script dropped", "hi<script>x()</script>", "hi"},
		{"br", "a<br>b", "a\nb"},
		{"non-ASCII", "Thanks — شکریہ!", "Thanks — شکریہ!"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PlainText(tt.in); got != tt.want {
				t.Errorf("PlainText(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}
