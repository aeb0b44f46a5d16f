// Package searcheval measures ranking quality on test collections: parsers
// for the classic collections in ../shared/corpora (Cranfield, MEDLINE, CACM,
// NPL) and the standard metrics (MAP, nDCG@k, P@k, R@k).
// The metrics take any search function, so the same queries can be run
// against the in-memory ranker or the deployed HTTP API.
package searcheval

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Doc is one Cranfield abstract.
type Doc struct {
	ID      string // the .I number
	Title   string // .T
	Authors string // .A
	Source  string // .B (bibliographic source)
	Body    string // .W (the abstract; usually starts by repeating the title)
}

// Query is one Cranfield query.
type Query struct {
	// ID is the query number used by the judgments: the position (1..225) of
	// the query in cran.qry, not its .I number.
	ID     string
	Number string // the .I number in cran.qry, kept for reference
	Text   string
}

// Qrels maps query ID → document ID → graded gain (> 0 means relevant).
type Qrels map[string]map[string]int

// Collection is a loaded test collection.
type Collection struct {
	Docs    []Doc
	Queries []Query
	Qrels   Qrels
}

// CranfieldGain maps Cleverdon's relevance codes to nDCG gains. Code 1 ("a
// complete answer") is the most relevant, 4 ("minimum interest") the least,
// so gain = 5 − code: 1→4, 2→3, 3→2, 4→1. Code −1 ("no interest") and anything
// else gains 0 and is not relevant for the binary metrics.
func CranfieldGain(code int) int {
	if code >= 1 && code <= 4 {
		return 5 - code
	}
	return 0
}

// LoadCranfield reads cran.all.1400, cran.qry and cranqrel from dir.
func LoadCranfield(dir string) (*Collection, error) {
	var c Collection
	var err error
	if c.Docs, err = parseFile(filepath.Join(dir, "cran.all.1400"), ParseCranfieldDocs); err != nil {
		return nil, err
	}
	if c.Queries, err = parseFile(filepath.Join(dir, "cran.qry"), ParseCranfieldQueries); err != nil {
		return nil, err
	}
	if c.Qrels, err = parseFile(filepath.Join(dir, "cranqrel"), ParseCranfieldQrels); err != nil {
		return nil, err
	}
	return &c, nil
}

func parseFile[T any](path string, parse func(io.Reader) (T, error)) (T, error) {
	f, err := os.Open(path)
	if err != nil {
		var zero T
		return zero, err
	}
	defer f.Close()
	v, err := parse(f)
	if err != nil {
		return v, fmt.Errorf("%s: %w", path, err)
	}
	return v, nil
}

// record is one SMART-format record: the .I value and its fields' text.
type record struct {
	id     string
	fields map[string]string
}

// parseSMART splits SMART-style input (".I n" then field markers such as
// ".T" or ".W", each alone on its line) into records. Repeated fields are concatenated, which handles
// the documents with two .W parts. CRLF line endings are accepted.
func parseSMART(r io.Reader) ([]record, error) {
	var recs []record
	var field string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.HasPrefix(line, ".I ") || line == ".I" {
			recs = append(recs, record{id: strings.TrimSpace(strings.TrimPrefix(line, ".I")), fields: map[string]string{}})
			field = ""
			continue
		}
		if len(line) == 2 && line[0] == '.' && line[1] >= 'A' && line[1] <= 'Z' {
			field = line[1:]
			continue
		}
		if len(recs) == 0 {
			if strings.TrimSpace(line) == "" {
				continue
			}
			return nil, fmt.Errorf("text before the first .I record: %q", line)
		}
		if field == "" {
			continue
		}
		cur := recs[len(recs)-1].fields
		if cur[field] != "" {
			cur[field] += "\n"
		}
		cur[field] += line
	}
	return recs, sc.Err()
}

// ParseCranfieldDocs parses cran.all.1400.
func ParseCranfieldDocs(r io.Reader) ([]Doc, error) {
	recs, err := parseSMART(r)
	if err != nil {
		return nil, err
	}
	docs := make([]Doc, len(recs))
	for i, rec := range recs {
		docs[i] = Doc{ID: rec.id, Title: rec.fields["T"], Authors: rec.fields["A"], Source: rec.fields["B"], Body: rec.fields["W"]}
	}
	return docs, nil
}

// ParseCranfieldQueries parses cran.qry, numbering queries 1..n in file order
// as the judgments do.
func ParseCranfieldQueries(r io.Reader) ([]Query, error) {
	recs, err := parseSMART(r)
	if err != nil {
		return nil, err
	}
	qs := make([]Query, len(recs))
	for i, rec := range recs {
		qs[i] = Query{ID: strconv.Itoa(i + 1), Number: rec.id, Text: rec.fields["W"]}
	}
	return qs, nil
}

// ParseCranfieldQrels parses cranqrel ("qid docid code" lines) into gains
// using CranfieldGain. Non-relevant judgments are kept out of the map.
func ParseCranfieldQrels(r io.Reader) (Qrels, error) {
	q := Qrels{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		if len(f) != 3 {
			return nil, fmt.Errorf("line %d: want 3 fields, got %q", n, sc.Text())
		}
		code, err := strconv.Atoi(f[2])
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		if g := CranfieldGain(code); g > 0 {
			if q[f[0]] == nil {
				q[f[0]] = map[string]int{}
			}
			q[f[0]][f[1]] = g
		}
	}
	return q, sc.Err()
}

// TruncateQuery cuts a query to at most maxRunes runes at a word boundary,
// with whitespace runs collapsed: what an API that limits q (as /search does
// at 200) lets through, so in-memory and API runs see the same queries.
func TruncateQuery(text string, maxRunes int) string {
	words := strings.Fields(text)
	var b strings.Builder
	n := 0
	for _, w := range words {
		l := len([]rune(w))
		if b.Len() > 0 {
			l++
		}
		if n+l > maxRunes {
			break
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w)
		n += l
	}
	return b.String()
}
