package searcheval

import (
	"bufio"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
)

// Named is a loaded collection with its folder name under ../shared/corpora.
type Named struct {
	Name string
	*Collection
}

// Loaders knows every collection in ../shared/corpora by folder name.
var Loaders = map[string]func(dir string) (*Collection, error){
	"cran": LoadCranfield,
	"med":  LoadMedline,
	"cacm": LoadCACM,
	"npl":  LoadNPL,
}

// CollectionNames are the folders LoadAll reads, in report order.
var CollectionNames = []string{"cran", "med", "cacm", "npl"}

// LoadAll loads every collection under root (e.g. ../shared/corpora).
func LoadAll(root string) ([]Named, error) {
	var out []Named
	for _, name := range CollectionNames {
		c, err := Loaders[name](filepath.Join(root, name))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out = append(out, Named{Name: name, Collection: c})
	}
	return out, nil
}

// LoadMedline reads MED.ALL, MED.QRY and MED.REL: the whole .W text is the
// body (the title is not marked off from the abstract), relevance is binary.
func LoadMedline(dir string) (*Collection, error) {
	var c Collection
	var err error
	if c.Docs, err = parseFile(filepath.Join(dir, "MED.ALL"), parseBodyOnlySMART); err != nil {
		return nil, err
	}
	if c.Queries, err = parseFile(filepath.Join(dir, "MED.QRY"), parseNumberedSMARTQueries); err != nil {
		return nil, err
	}
	if c.Qrels, err = parseFile(filepath.Join(dir, "MED.REL"), parseTRECQrels); err != nil {
		return nil, err
	}
	return &c, nil
}

// LoadCACM reads cacm.all, query.text and qrels.text: title (.T) and
// abstract (.W, absent for half the records) are indexed; authors, source,
// keywords and citations are not.
func LoadCACM(dir string) (*Collection, error) {
	var c Collection
	var err error
	if c.Docs, err = parseFile(filepath.Join(dir, "cacm.all"), ParseCranfieldDocs); err != nil {
		return nil, err
	}
	if c.Queries, err = parseFile(filepath.Join(dir, "query.text"), parseNumberedSMARTQueries); err != nil {
		return nil, err
	}
	if c.Qrels, err = parseFile(filepath.Join(dir, "qrels.text"), parseTRECQrels); err != nil {
		return nil, err
	}
	return &c, nil
}

// LoadNPL reads doc-text, query-text and rlv-ass: blocks of an id line, text
// lines and a "/" terminator. Documents have no title; queries are upper case.
func LoadNPL(dir string) (*Collection, error) {
	var c Collection
	docs, err := parseFile(filepath.Join(dir, "doc-text"), parseSlashBlocks)
	if err != nil {
		return nil, err
	}
	for _, b := range docs {
		c.Docs = append(c.Docs, Doc{ID: b.id, Body: strings.Join(b.lines, "\n")})
	}
	queries, err := parseFile(filepath.Join(dir, "query-text"), parseSlashBlocks)
	if err != nil {
		return nil, err
	}
	for _, b := range queries {
		c.Queries = append(c.Queries, Query{ID: b.id, Number: b.id, Text: strings.ToLower(strings.Join(b.lines, " "))})
	}
	rels, err := parseFile(filepath.Join(dir, "rlv-ass"), parseSlashBlocks)
	if err != nil {
		return nil, err
	}
	c.Qrels = Qrels{}
	for _, b := range rels {
		for _, l := range b.lines {
			for _, d := range strings.Fields(l) {
				if c.Qrels[b.id] == nil {
					c.Qrels[b.id] = map[string]int{}
				}
				c.Qrels[b.id][d] = 1
			}
		}
	}
	return &c, nil
}

// parseBodyOnlySMART reads SMART records whose only field is .W.
func parseBodyOnlySMART(r io.Reader) ([]Doc, error) {
	recs, err := parseSMART(r)
	if err != nil {
		return nil, err
	}
	docs := make([]Doc, len(recs))
	for i, rec := range recs {
		docs[i] = Doc{ID: rec.id, Body: rec.fields["W"]}
	}
	return docs, nil
}

// parseNumberedSMARTQueries reads queries whose .I numbers are the ids the
// judgments use (MEDLINE, CACM), unlike Cranfield's.
func parseNumberedSMARTQueries(r io.Reader) ([]Query, error) {
	recs, err := parseSMART(r)
	if err != nil {
		return nil, err
	}
	qs := make([]Query, len(recs))
	for i, rec := range recs {
		qs[i] = Query{ID: canonicalID(rec.id), Number: rec.id, Text: strings.TrimSpace(rec.fields["W"])}
	}
	return qs, nil
}

// parseTRECQrels reads "qid 0 docid rel" or "qid docid 0 0" lines: MEDLINE
// has the first layout (rel always 1), CACM the second (every line relevant).
func parseTRECQrels(r io.Reader) (Qrels, error) {
	q := Qrels{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		if len(f) != 4 {
			return nil, fmt.Errorf("line %d: want 4 fields, got %q", n, sc.Text())
		}
		qid, doc := f[0], f[2]
		if f[1] != "0" { // CACM: qid docid 0 0
			doc = f[1]
		} else if f[3] == "0" {
			continue // TREC layout, judged not relevant
		}
		qid, doc = canonicalID(qid), canonicalID(doc)
		if q[qid] == nil {
			q[qid] = map[string]int{}
		}
		q[qid][doc] = 1
	}
	return q, sc.Err()
}

// canonicalID drops leading zeros ("01" in CACM's judgments is query 1).
func canonicalID(s string) string {
	if n, err := strconv.Atoi(s); err == nil {
		return strconv.Itoa(n)
	}
	return s
}

type block struct {
	id    string
	lines []string
}

// parseSlashBlocks reads NPL's files: an id line, content lines, and a line
// whose trimmed content is "/".
func parseSlashBlocks(r io.Reader) ([]block, error) {
	var out []block
	var cur *block
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch t := strings.TrimSpace(line); {
		case cur == nil:
			if t == "" {
				continue
			}
			if _, err := strconv.Atoi(t); err != nil {
				return nil, fmt.Errorf("line %d: want a block id, got %q", n, line)
			}
			cur = &block{id: t}
		case t == "/":
			out = append(out, *cur)
			cur = nil
		default:
			cur.lines = append(cur.lines, strings.TrimSpace(line))
		}
	}
	if cur != nil {
		return nil, fmt.Errorf("block %s has no terminator", cur.id)
	}
	return out, sc.Err()
}
