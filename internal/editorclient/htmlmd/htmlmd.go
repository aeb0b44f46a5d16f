// Package htmlmd converts the HTML of WordPress posts and comments to
// Markdown (Convert) and plain text (PlainText).
//
// It is a small converter on top of golang.org/x/net/html's HTML5 parser
// (the module may not take new dependencies, so no third-party converter is
// used). It handles paragraphs, line breaks, headings, emphasis, links,
// images, inline code and code blocks, ordered/unordered (nested) lists,
// blockquotes, horizontal rules, simple tables (as GFM pipe tables),
// figures and WordPress [caption] shortcodes, and drops scripts, styles,
// forms and comments (including Gutenberg block markers). Text is escaped so
// that it stays literal text in Markdown.
//
// Classic-editor WordPress content is stored without <p> tags: WordPress
// adds them when it renders ("autop"). Content without Gutenberg block
// markers is therefore read the same way: a blank line separates paragraphs
// and a single newline is a line break. Content with block markers ("<!--
// wp:") is plain HTML, where newlines are just whitespace.
package htmlmd

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Sentinels used while rendering: a paragraph break and a hard line break
// that come from text (autop) or <br>. Private-use runes; removed from input.
const (
	sentPara = '\uE000'
	sentBr   = '\uE001'
)

// Options controls conversion.
type Options struct {
	// Autop reads blank lines as paragraph breaks and single newlines as line
	// breaks, like WordPress's wpautop. Convert sets it for content without
	// Gutenberg block markers.
	Autop bool
}

// Convert converts WordPress post HTML to Markdown. The result ends with a
// newline unless it is empty.
func Convert(src string) string {
	return ConvertWith(src, Options{Autop: !strings.Contains(src, "<!-- wp:")})
}

// ConvertWith converts HTML to Markdown with explicit options.
func ConvertWith(src string, opt Options) string {
	nodes := parse(preprocess(src))
	c := &conv{autop: opt.Autop}
	bs := c.blocks(nodes)
	out := joinBlocks(bs)
	out = strings.TrimSpace(out)
	if out == "" {
		return ""
	}
	return out + "\n"
}

var captionRe = regexp.MustCompile(`(?s)\[caption([^\]]*)\](.*?)\[/caption\]`)
var captionAttrRe = regexp.MustCompile(`caption="([^"]*)"`)
var captionBodyRe = regexp.MustCompile(`(?s)^\s*((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?)(.*)$`)

// preprocess removes sentinel runes and turns [caption] shortcodes into
// <figure> elements.
func preprocess(src string) string {
	src = strings.Map(func(r rune) rune {
		if r == sentPara || r == sentBr {
			return -1
		}
		return r
	}, src)
	src = strings.ReplaceAll(src, "\r\n", "\n")
	return captionRe.ReplaceAllStringFunc(src, func(m string) string {
		sm := captionRe.FindStringSubmatch(m)
		attrs, body := sm[1], sm[2]
		img, text := body, ""
		if bm := captionBodyRe.FindStringSubmatch(body); bm != nil {
			img, text = bm[1], strings.TrimSpace(bm[2])
		}
		if text == "" {
			if am := captionAttrRe.FindStringSubmatch(attrs); am != nil {
				text = am[1]
			}
		}
		if text == "" {
			return "<figure>" + img + "</figure>"
		}
		return "<figure>" + img + "<figcaption>" + text + "</figcaption></figure>"
	})
}

func parse(src string) []*html.Node {
	ctx := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(strings.NewReader(src), ctx)
	if err != nil {
		// The HTML5 parser recovers from any markup; an error here means a
		// reader failure, impossible with a strings.Reader. Fall back to text.
		return []*html.Node{{Type: html.TextNode, Data: src}}
	}
	return nodes
}

type kind int

const (
	kPara kind = iota
	kList
	kOther
)

type block struct {
	kind  kind
	text  string
	delim byte // for lists: '-' or '*' (unordered), '.' or ')' (ordered)
}

func joinBlocks(bs []block) string {
	parts := make([]string, 0, len(bs))
	for _, b := range bs {
		if strings.TrimSpace(b.text) != "" {
			parts = append(parts, b.text)
		}
	}
	return strings.Join(parts, "\n\n")
}

type conv struct {
	autop bool
}

var skipped = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
	atom.Head: true, atom.Title: true, atom.Meta: true, atom.Link: true, atom.Base: true,
	atom.Object: true, atom.Embed: true, atom.Form: true, atom.Input: true,
	atom.Button: true, atom.Select: true, atom.Textarea: true, atom.Option: true,
	atom.Svg: true, atom.Math: true, atom.Canvas: true, atom.Map: true, atom.Area: true,
	atom.Param: true, atom.Source: true, atom.Track: true,
}

var blockElems = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.Section: true, atom.Article: true, atom.Aside: true,
	atom.Header: true, atom.Footer: true, atom.Main: true, atom.Nav: true, atom.Center: true,
	atom.Address: true, atom.Hgroup: true, atom.Fieldset: true, atom.Legend: true,
	atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.Ul: true, atom.Ol: true, atom.Dir: true, atom.Menu: true, atom.Li: true,
	atom.Blockquote: true, atom.Pre: true, atom.Hr: true, atom.Table: true, atom.Caption: true,
	atom.Thead: true, atom.Tbody: true, atom.Tfoot: true, atom.Tr: true, atom.Td: true, atom.Th: true,
	atom.Figure: true, atom.Figcaption: true, atom.Dl: true, atom.Dt: true, atom.Dd: true,
	atom.Details: true, atom.Summary: true, atom.Iframe: true, atom.Video: true, atom.Audio: true,
	atom.Body: true, atom.Html: true,
}

func isBlock(n *html.Node) bool {
	return n.Type == html.ElementNode && blockElems[n.DataAtom]
}

func isSkipped(n *html.Node) bool {
	switch n.Type {
	case html.CommentNode, html.DoctypeNode:
		return true
	case html.ElementNode:
		return skipped[n.DataAtom]
	}
	return false
}

func children(n *html.Node) []*html.Node {
	var out []*html.Node
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		out = append(out, c)
	}
	return out
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// blocks renders a sequence of sibling nodes as Markdown blocks: runs of
// inline content become paragraphs, block elements render themselves.
func (c *conv) blocks(nodes []*html.Node) []block {
	var out []block
	var inl strings.Builder
	flush := func() {
		for _, p := range paragraphs(inl.String()) {
			out = append(out, block{kind: kPara, text: p})
		}
		inl.Reset()
	}
	for _, n := range nodes {
		switch {
		case isSkipped(n):
		case isBlock(n):
			flush()
			var prev *block
			if len(out) > 0 {
				prev = &out[len(out)-1]
			}
			out = append(out, c.block(n, prev)...)
		default:
			c.inline(n, &inl)
		}
	}
	flush()
	return out
}

func (c *conv) block(n *html.Node, prev *block) []block {
	switch n.DataAtom {
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		level := int(n.Data[1] - '0')
		text := c.singleLine(n)
		if text == "" {
			return nil
		}
		if strings.HasSuffix(text, "#") {
			text = strings.TrimRight(text, "#") + strings.Repeat(`\#`, len(text)-len(strings.TrimRight(text, "#")))
		}
		return []block{{kind: kOther, text: strings.Repeat("#", level) + " " + text}}
	case atom.Ul, atom.Ol, atom.Dir, atom.Menu:
		return []block{c.list(n, prev)}
	case atom.Li:
		// a stray <li> outside a list
		return []block{c.listOf([][]*html.Node{children(n)}, false, 1, '-')}
	case atom.Blockquote:
		inner := joinBlocks(c.blocks(children(n)))
		if strings.TrimSpace(inner) == "" {
			return nil
		}
		return []block{{kind: kOther, text: prefixLines(inner, "> ", ">")}}
	case atom.Pre:
		return []block{c.pre(n)}
	case atom.Hr:
		return []block{{kind: kOther, text: "---"}}
	case atom.Table:
		if t := c.table(n); t != "" {
			return []block{{kind: kOther, text: t}}
		}
		return nil
	case atom.Figcaption, atom.Caption:
		text := c.singleLine(n)
		if text == "" {
			return nil
		}
		return []block{{kind: kPara, text: "*" + text + "*"}}
	case atom.Dt, atom.Summary:
		text := c.singleLine(n)
		if text == "" {
			return nil
		}
		return []block{{kind: kPara, text: "**" + text + "**"}}
	case atom.Iframe, atom.Video, atom.Audio:
		src := attr(n, "src")
		if src == "" {
			for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
				if ch.DataAtom == atom.Source && attr(ch, "src") != "" {
					src = attr(ch, "src")
					break
				}
			}
		}
		if !isWebURL(src) {
			return nil
		}
		label := attr(n, "title")
		if label == "" {
			label = map[atom.Atom]string{atom.Iframe: "Embedded content", atom.Video: "Video", atom.Audio: "Audio"}[n.DataAtom]
		}
		return []block{{kind: kPara, text: "[" + escapeText(label) + "](" + dest(src) + ")"}}
	default:
		// p, div, section, figure, dd, td outside tables, …: a container.
		return c.blocks(children(n))
	}
}

// singleLine renders n's content inline, on one line.
func (c *conv) singleLine(n *html.Node) string {
	var b strings.Builder
	for _, ch := range children(n) {
		c.inlineDegrade(ch, &b)
	}
	s := strings.Map(func(r rune) rune {
		if r == sentPara || r == sentBr || r == '\n' {
			return ' '
		}
		return r
	}, b.String())
	return strings.TrimSpace(collapseSpaces(s))
}

// inlineDegrade renders n inline, flattening any blocks inside it.
func (c *conv) inlineDegrade(n *html.Node, b *strings.Builder) {
	if isBlock(n) && !isSkipped(n) {
		b.WriteByte(' ')
		for _, ch := range children(n) {
			c.inlineDegrade(ch, b)
		}
		b.WriteByte(' ')
		return
	}
	c.inline(n, b)
}

func (c *conv) inline(n *html.Node, b *strings.Builder) {
	switch n.Type {
	case html.TextNode:
		c.text(n.Data, b)
		return
	case html.ElementNode:
	default:
		return
	}
	if isSkipped(n) {
		return
	}
	if isBlock(n) {
		c.inlineDegrade(n, b)
		return
	}
	switch n.DataAtom {
	case atom.Br:
		b.WriteRune(sentBr)
	case atom.Em, atom.I, atom.Cite, atom.Dfn, atom.Var:
		c.wrap(n, "*", b)
	case atom.Strong, atom.B:
		c.wrap(n, "**", b)
	case atom.Del, atom.S, atom.Strike:
		c.wrap(n, "~~", b)
	case atom.Code, atom.Kbd, atom.Samp, atom.Tt:
		b.WriteString(codeSpan(textContent(n, " ")))
	case atom.A:
		c.link(n, b)
	case atom.Img:
		b.WriteString(image(n))
	case atom.Wbr:
	default:
		for _, ch := range children(n) {
			c.inline(ch, b)
		}
	}
}

// text writes a text node: whitespace collapsed (or turned into paragraph
// and line breaks under autop), Markdown syntax characters escaped.
func (c *conv) text(s string, b *strings.Builder) {
	rs := []rune(s)
	for i := 0; i < len(rs); {
		r := rs[i]
		if isHTMLSpace(r) {
			nl := 0
			for i < len(rs) && isHTMLSpace(rs[i]) {
				if rs[i] == '\n' {
					nl++
				}
				i++
			}
			switch {
			case c.autop && nl >= 2:
				b.WriteRune(sentPara)
			case c.autop && nl == 1:
				// like wpautop: a newline right after <br> is not a second break
				if !strings.HasSuffix(strings.TrimRight(b.String(), " "), string(sentBr)) {
					b.WriteRune(sentBr)
				}
			default:
				b.WriteByte(' ')
			}
			continue
		}
		var prev, next rune
		if i > 0 {
			prev = rs[i-1]
		}
		if i+1 < len(rs) {
			next = rs[i+1]
		}
		b.WriteString(escapeRune(r, prev, next, rs[i:]))
		i++
	}
}

func isHTMLSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f'
}

var entityLike = regexp.MustCompile(`^&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});`)

func escapeRune(r, prev, next rune, rest []rune) string {
	switch r {
	case '\\', '`', '*', '[', ']', '<':
		return `\` + string(r)
	case '_':
		if isAlnum(prev) && isAlnum(next) {
			return "_" // intraword: never emphasis in CommonMark
		}
		return `\_`
	case '~':
		if prev == '~' || next == '~' {
			return `\~`
		}
	case '&':
		end := len(rest)
		if end > 40 {
			end = 40
		}
		if entityLike.MatchString(string(rest[:end])) {
			return `\&`
		}
	}
	return string(r)
}

func isAlnum(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// escapeText escapes a plain string for use as Markdown text.
func escapeText(s string) string {
	var b strings.Builder
	(&conv{}).text(s, &b)
	return strings.TrimSpace(b.String())
}

// wrap renders n's children between delimiters, keeping surrounding
// whitespace outside the delimiters (so "<em> x </em>" gives " *x* ").
func (c *conv) wrap(n *html.Node, delim string, b *strings.Builder) {
	var inner strings.Builder
	for _, ch := range children(n) {
		c.inline(ch, &inner)
	}
	lead, core, trail := splitSpace(strings.ReplaceAll(inner.String(), string(sentPara), string(sentBr)))
	b.WriteString(lead)
	if core != "" {
		b.WriteString(delim)
		b.WriteString(core)
		b.WriteString(delim)
	}
	b.WriteString(trail)
}

func isSpaceOrBr(r rune) bool { return r == ' ' || r == sentBr || r == sentPara }

func splitSpace(s string) (lead, core, trail string) {
	core = strings.TrimLeftFunc(s, isSpaceOrBr)
	lead = s[:len(s)-len(core)]
	t := strings.TrimRightFunc(core, isSpaceOrBr)
	trail = core[len(t):]
	return lead, t, trail
}

func (c *conv) link(n *html.Node, b *strings.Builder) {
	var inner strings.Builder
	for _, ch := range children(n) {
		c.inline(ch, &inner)
	}
	lead, core, trail := splitSpace(strings.ReplaceAll(inner.String(), string(sentPara), string(sentBr)))
	href := strings.TrimSpace(attr(n, "href"))
	b.WriteString(lead)
	switch {
	case core == "":
	case href == "" || unsafeURL(href):
		b.WriteString(core)
	case isWebURL(href) && onlyText(n) && strings.TrimSpace(textContent(n, " ")) == href && !strings.ContainsAny(href, " <>"):
		b.WriteString("<" + href + ">")
	default:
		b.WriteString("[" + core + "](" + dest(href) + title(n) + ")")
	}
	b.WriteString(trail)
}

func onlyText(n *html.Node) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.TextNode {
			return false
		}
	}
	return true
}

func image(n *html.Node) string {
	src := strings.TrimSpace(attr(n, "src"))
	if src == "" {
		src = strings.TrimSpace(attr(n, "data-src"))
	}
	alt := escapeText(collapseSpaces(attr(n, "alt")))
	if src == "" || unsafeURL(src) {
		return alt
	}
	return "![" + alt + "](" + dest(src) + title(n) + ")"
}

func title(n *html.Node) string {
	t := strings.TrimSpace(collapseSpaces(attr(n, "title")))
	if t == "" {
		return ""
	}
	t = strings.ReplaceAll(t, `\`, `\\`)
	return ` "` + strings.ReplaceAll(t, `"`, `\"`) + `"`
}

var destReplacer = strings.NewReplacer(" ", "%20", "(", "%28", ")", "%29", "<", "%3C", ">", "%3E", "\n", "", "\t", "")

func dest(u string) string { return destReplacer.Replace(strings.TrimSpace(u)) }

func unsafeURL(u string) bool {
	l := strings.ToLower(strings.TrimSpace(u))
	l = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return -1
		}
		return r
	}, l)
	return strings.HasPrefix(l, "javascript:") || strings.HasPrefix(l, "vbscript:") || strings.HasPrefix(l, "data:")
}

func isWebURL(u string) bool {
	l := strings.ToLower(strings.TrimSpace(u))
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "//")
}

// textContent is the raw text of n; <br> becomes br.
func textContent(n *html.Node, br string) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch {
		case n.Type == html.TextNode:
			b.WriteString(n.Data)
		case n.Type == html.ElementNode && n.DataAtom == atom.Br:
			b.WriteString(br)
		case n.Type == html.ElementNode && skipped[n.DataAtom]:
		default:
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
	}
	walk(n)
	return b.String()
}

func codeSpan(s string) string {
	s = strings.TrimSpace(collapseAllSpace(s))
	if s == "" {
		return ""
	}
	fence := strings.Repeat("`", longestRun(s, '`')+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

func longestRun(s string, r rune) int {
	best, cur := 0, 0
	for _, c := range s {
		if c == r {
			cur++
			if cur > best {
				best = cur
			}
		} else {
			cur = 0
		}
	}
	return best
}

var spacesRe = regexp.MustCompile(` {2,}`)

func collapseSpaces(s string) string { return spacesRe.ReplaceAllString(s, " ") }

func collapseAllSpace(s string) string {
	return strings.Join(strings.FieldsFunc(s, isHTMLSpace), " ")
}

var (
	brSpacesRe = regexp.MustCompile(` ?` + string(sentBr) + ` ?`)
	brRunRe    = regexp.MustCompile(string(sentBr) + `{2,}`)
	olStartRe  = regexp.MustCompile(`^(\d{1,9})([.)])( |$)`)
)

// paragraphs turns accumulated inline Markdown into finished paragraphs.
func paragraphs(raw string) []string {
	var out []string
	for _, part := range strings.Split(raw, string(sentPara)) {
		part = collapseSpaces(part)
		part = brSpacesRe.ReplaceAllString(part, string(sentBr))
		// two or more line breaks in a row separate paragraphs
		for _, p := range brRunRe.Split(part, -1) {
			p = strings.TrimFunc(p, isSpaceOrBr)
			if strings.TrimSpace(strings.ReplaceAll(p, string(sentBr), "")) == "" {
				continue
			}
			lines := strings.Split(p, string(sentBr))
			for i, l := range lines {
				lines[i] = escapeLineStart(strings.TrimSpace(l))
			}
			out = append(out, strings.Join(lines, "\\\n"))
		}
	}
	return out
}

// escapeLineStart escapes what would start a block construct at the start
// of a line of paragraph text.
func escapeLineStart(l string) string {
	if l == "" {
		return l
	}
	switch l[0] {
	case '#', '>', '+', '-', '=', '|':
		return `\` + l
	}
	if m := olStartRe.FindStringSubmatchIndex(l); m != nil {
		return l[:m[4]] + `\` + l[m[4]:]
	}
	return l
}

func prefixLines(s, prefix, emptyPrefix string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if l == "" {
			lines[i] = emptyPrefix
		} else {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "\n")
}

func (c *conv) pre(n *html.Node) block {
	text := textContent(n, "\n")
	text = strings.TrimRight(strings.TrimLeft(text, "\n"), " \t\n")
	lang := ""
	if m := regexp.MustCompile(`(?:^|\s)(?:language|lang)-([A-Za-z0-9_+#-]+)`).FindStringSubmatch(attr(n, "class") + " " + childCodeClass(n)); m != nil {
		lang = m[1]
	} else if m := regexp.MustCompile(`brush:\s*([A-Za-z0-9_+#-]+)`).FindStringSubmatch(attr(n, "class")); m != nil {
		lang = m[1]
	}
	fence := strings.Repeat("`", max(3, longestRun(text, '`')+1))
	return block{kind: kOther, text: fence + lang + "\n" + text + "\n" + fence}
}

func childCodeClass(n *html.Node) string {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && c.DataAtom == atom.Code {
			return attr(c, "class")
		}
	}
	return ""
}

// list renders <ul>/<ol>. A list right after another list of the same kind
// gets the other delimiter, so Markdown keeps them apart.
func (c *conv) list(n *html.Node, prev *block) block {
	ordered := n.DataAtom == atom.Ol
	delim := byte('-')
	if ordered {
		delim = '.'
	}
	if prev != nil && prev.kind == kList && prev.delim == delim {
		delim = map[byte]byte{'-': '*', '.': ')'}[delim]
	}
	start := 1
	if s, err := strconv.Atoi(attr(n, "start")); err == nil && s >= 0 {
		start = s
	}
	var items [][]*html.Node
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		switch {
		case isSkipped(ch):
		case ch.Type == html.TextNode && strings.TrimSpace(ch.Data) == "":
		case ch.Type == html.ElementNode && ch.DataAtom == atom.Li:
			items = append(items, children(ch))
		case ch.Type == html.ElementNode && (ch.DataAtom == atom.Ul || ch.DataAtom == atom.Ol) && len(items) > 0:
			// a list nested directly in a list belongs to the previous item
			items[len(items)-1] = append(items[len(items)-1], ch)
		default:
			items = append(items, []*html.Node{ch})
		}
	}
	return c.listOf(items, ordered, start, delim)
}

func (c *conv) listOf(items [][]*html.Node, ordered bool, start int, delim byte) block {
	var rendered []string
	loose := false
	for i, nodes := range items {
		marker := string(delim)
		if ordered {
			marker = strconv.Itoa(start+i) + string(delim)
		}
		bs := c.blocks(nodes)
		var content strings.Builder
		for j, b := range bs {
			if j > 0 {
				if b.kind == kList {
					content.WriteString("\n")
				} else {
					content.WriteString("\n\n")
					loose = true
				}
			}
			content.WriteString(b.text)
		}
		indent := strings.Repeat(" ", len(marker)+1)
		lines := strings.Split(content.String(), "\n")
		for k := 1; k < len(lines); k++ {
			if lines[k] != "" {
				lines[k] = indent + lines[k]
			}
		}
		item := marker
		if text := strings.Join(lines, "\n"); text != "" {
			item += " " + text
		}
		rendered = append(rendered, item)
	}
	sep := "\n"
	if loose {
		sep = "\n\n"
	}
	return block{kind: kList, text: strings.Join(rendered, sep), delim: delim}
}

func (c *conv) table(n *html.Node) string {
	var rows [][]string
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			if ch.Type != html.ElementNode {
				continue
			}
			switch ch.DataAtom {
			case atom.Thead, atom.Tbody, atom.Tfoot:
				walk(ch)
			case atom.Tr:
				var row []string
				for cell := ch.FirstChild; cell != nil; cell = cell.NextSibling {
					if cell.Type == html.ElementNode && (cell.DataAtom == atom.Td || cell.DataAtom == atom.Th) {
						row = append(row, c.cell(cell))
					}
				}
				rows = append(rows, row)
			}
		}
	}
	walk(n)
	cols := 0
	for _, r := range rows {
		cols = max(cols, len(r))
	}
	if cols == 0 {
		return ""
	}
	var b strings.Builder
	writeRow := func(r []string) {
		b.WriteString("|")
		for i := 0; i < cols; i++ {
			v := ""
			if i < len(r) {
				v = r[i]
			}
			b.WriteString(" " + v + " |")
		}
		b.WriteString("\n")
	}
	var caption string
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		if ch.DataAtom == atom.Caption {
			caption = c.singleLine(ch)
		}
	}
	writeRow(rows[0])
	b.WriteString("|" + strings.Repeat(" --- |", cols) + "\n")
	for _, r := range rows[1:] {
		writeRow(r)
	}
	out := strings.TrimRight(b.String(), "\n")
	if caption != "" {
		out = "*" + caption + "*\n\n" + out
	}
	return out
}

func (c *conv) cell(n *html.Node) string {
	s := joinBlocks(c.blocks(children(n)))
	s = strings.ReplaceAll(s, "\\\n", " ")
	s = strings.ReplaceAll(s, "\n", " ")
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.TrimSpace(collapseSpaces(s))
}

// PlainText converts comment or excerpt HTML to plain text: tags dropped,
// entities decoded, paragraphs separated by a blank line, <br> and single
// newlines kept as line breaks, link targets kept in parentheses when they
// differ from the link text.
func PlainText(src string) string {
	nodes := parse(preprocess(src))
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if isSkipped(n) {
			return
		}
		switch n.Type {
		case html.TextNode:
			if p := n.Parent; p != nil && (p.DataAtom == atom.Ul || p.DataAtom == atom.Ol) && strings.TrimSpace(n.Data) == "" {
				return // formatting between list items
			}
			rs := []rune(n.Data)
			for i := 0; i < len(rs); {
				if !isHTMLSpace(rs[i]) {
					b.WriteRune(rs[i])
					i++
					continue
				}
				nl := 0
				for i < len(rs) && isHTMLSpace(rs[i]) {
					if rs[i] == '\n' {
						nl++
					}
					i++
				}
				switch {
				case nl >= 2:
					b.WriteString("\n\n")
				case nl == 1:
					b.WriteString("\n")
				default:
					b.WriteString(" ")
				}
			}
			return
		case html.ElementNode:
		default:
			return
		}
		switch n.DataAtom {
		case atom.Br:
			b.WriteString("\n")
			return
		case atom.Img:
			if alt := strings.TrimSpace(attr(n, "alt")); alt != "" {
				b.WriteString(alt)
			}
			return
		case atom.Li:
			b.WriteString("\n- ")
		}
		if isBlock(n) && n.DataAtom != atom.Li {
			b.WriteString("\n\n")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if n.DataAtom == atom.A {
			href := strings.TrimSpace(attr(n, "href"))
			if isWebURL(href) && strings.TrimSpace(textContent(n, " ")) != href {
				fmt.Fprintf(&b, " (%s)", href)
			}
		}
		if isBlock(n) && n.DataAtom != atom.Li {
			b.WriteString("\n\n")
		}
	}
	for _, n := range nodes {
		walk(n)
	}
	lines := strings.Split(b.String(), "\n")
	var out []string
	blank := 0
	for _, l := range lines {
		l = strings.TrimSpace(collapseSpaces(strings.ReplaceAll(l, "\t", " ")))
		if l == "" {
			blank++
			continue
		}
		if len(out) > 0 && blank > 0 {
			out = append(out, "")
		}
		blank = 0
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}
