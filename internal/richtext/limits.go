package richtext

import (
	"fmt"
	"strings"

	"broadsheet/internal/broadsheet"
)

// Markdown rendering is linear for prose but super-linear for some shapes
// (thousands of unclosed "[a](" link openers, containers nested thousands
// deep): 160 KB of either takes goldmark past a Lambda timeout. These bounds
// refuse such input before rendering, in one linear scan, with a message
// that says what to change. They are far above what an article needs.
const (
	// MaxNesting bounds block quotes and lists nested in each other.
	MaxNesting = 16
	// MaxLinks bounds link and image openers ("](" and unclosed "[").
	MaxLinks = 5000
	// MaxHTMLBytes bounds the rendered HTML, so that an article (Markdown,
	// HTML and the rest) stays inside DynamoDB's 400 KB item limit.
	MaxHTMLBytes = 180_000
)

func tooComplex(problem string) error {
	return &broadsheet.Error{Code: broadsheet.CodeValidation, Message: "body " + problem, Fields: map[string]string{"body": problem}}
}

// checkComplexity refuses Markdown whose rendering cost is not linear.
func checkComplexity(src string) error {
	if n := strings.Count(src, "]("); n > MaxLinks {
		return tooComplex(fmt.Sprintf("has %d links; at most %d are allowed", n, MaxLinks))
	}
	if n := strings.Count(src, "["); n > 2*MaxLinks {
		return tooComplex(fmt.Sprintf("has %d \"[\" characters; at most %d are allowed (escape literal ones as \\[)", n, 2*MaxLinks))
	}
	fence := ""
	for line := range strings.Lines(src) {
		// Fenced code is rendered verbatim: its indentation nests nothing.
		if t := strings.TrimLeft(line, " "); strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
			switch {
			case fence == "":
				fence = t[:3]
			case strings.HasPrefix(t, fence):
				fence = ""
			}
			continue
		}
		if fence != "" {
			continue
		}
		if d := nesting(line); d > MaxNesting {
			return tooComplex(fmt.Sprintf("nests quotes or lists %d deep; at most %d levels are allowed", d, MaxNesting))
		}
	}
	return nil
}

// nesting estimates how many containers a line opens: block quote and list
// markers read from the start of the line, plus the indentation before the
// first of them (a nested list item is indented at least two columns per
// level). Spaces after a marker belong to it.
func nesting(line string) int {
	depth, indent, i := 0, 0, 0
	for ; i < len(line) && (line[i] == ' ' || line[i] == '\t'); i++ {
		if line[i] == '\t' {
			indent += 4
		} else {
			indent++
		}
	}
	for i < len(line) {
		c := line[i]
		switch {
		case c == '>':
			depth++
			i++
		case (c == '-' || c == '*' || c == '+') && i+1 < len(line) && (line[i+1] == ' ' || line[i+1] == '\t'):
			depth++
			i += 2
		case c >= '0' && c <= '9':
			j := i
			for j < len(line) && j-i < 9 && line[j] >= '0' && line[j] <= '9' {
				j++
			}
			if j+1 >= len(line) || (line[j] != '.' && line[j] != ')') || (line[j+1] != ' ' && line[j+1] != '\t') {
				return opened(depth, indent)
			}
			depth++
			i = j + 2
		default:
			return opened(depth, indent)
		}
		for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
			i++
		}
	}
	return opened(depth, indent)
}

// opened counts indentation only in front of a marker: an indented
// paragraph or code line opens no container.
func opened(depth, indent int) int {
	if depth == 0 {
		return 0
	}
	return depth + indent/2
}
