package searchindex

import (
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"broadsheet/internal/search"
)

// itemBytes is an item's size as DynamoDB bills it: attribute names plus
// values (strings and their UTF-8 bytes, numbers ≈ 1 byte per 2 digits + 1,
// lists 3 bytes + 1 per element).
func itemBytes(it map[string]types.AttributeValue) int {
	n := 0
	for name, v := range it {
		n += len(name) + valueBytes(v)
	}
	return n
}

func valueBytes(v types.AttributeValue) int {
	switch x := v.(type) {
	case *types.AttributeValueMemberS:
		return len(x.Value)
	case *types.AttributeValueMemberN:
		return (len(strings.TrimLeft(x.Value, "-"))+1)/2 + 1
	case *types.AttributeValueMemberBOOL:
		return 1
	case *types.AttributeValueMemberL:
		n := 3
		for _, e := range x.Value {
			n += 1 + valueBytes(e)
		}
		return n
	}
	return 0
}

func wcu(it map[string]types.AttributeValue) float64 {
	return math.Max(1, math.Ceil(float64(itemBytes(it))/1024))
}

// planCost is what executing p against DynamoDB writes: items and write
// capacity units (transactions count double), with every step's requests.
func planCost(p *Plan) (items int, units float64) {
	dfItem := 1.0
	if p.WriteAhead != nil {
		items, units = items+1, units+wcu(stateItem(p.WriteAhead, p.DocID, "PENDING"))
	}
	for _, w := range append(append([]PostingWrite(nil), p.Deletes...), p.Puts...) {
		items += 2
		units += 2 * (wcu(postingItem(w)) + dfItem)
	}
	for _, w := range p.Refresh.Postings {
		items, units = items+1, units+wcu(postingItem(w))
	}
	items += len(p.Refresh.SuggestDeletes)
	units += float64(len(p.Refresh.SuggestDeletes))
	for _, it := range p.Refresh.SuggestPuts {
		items, units = items+1, units+wcu(suggestItem(it))
	}
	terms := stateItem(p.Commit.State, p.DocID, "TERMS")
	commit := 2 * wcu(terms) // TERMS, and PENDING's delete (about its size)
	if p.Commit.Doc != nil {
		commit += wcu(docItem(p.Commit.Doc))
	} else {
		commit++
	}
	if !p.Commit.Stats.Zero() {
		commit++
	}
	return items + 4, units + 2*commit
}

// BenchmarkPlanCost reports what publishing, editing (one word replaced; one
// word added), retagging and deleting a news
// article of 548 words (testdata/news-550.txt) writes, from the plans:
//
//	go test -run '^$' -bench PlanCost -benchtime 1x ./internal/searchindex
func BenchmarkPlanCost(b *testing.B) {
	raw, err := os.ReadFile("testdata/news-550.txt")
	if err != nil {
		b.Fatal(err)
	}
	title, body, _ := strings.Cut(string(raw), "\n")
	published := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	a := &Article{ID: "01JDX4Q7ZP3M8V5K2R9T6W1YHC", Slug: "harbour-night-ferry", Title: title, Summary: "The night ferry is approved.",
		Text: body, AuthorName: "Ayesha Khan", AuthorKey: "ayesha-khan", Tags: []string{"city", "transport"}, Status: "published",
		PublishedAt: published, PublishedAtRaw: published.Format(time.RFC3339), Version: 1}
	// A corpus of 1,000 articles of this length in which every term is common.
	tps, tl, bl := search.BuildPostings(searchDocument(a))
	corpus := search.Stats{Docs: 1000, TitleLenSum: int64(1000 * tl), BodyLenSum: int64(1000 * bl), DocFreq: map[string]int{}}
	for _, tp := range tps {
		corpus.DocFreq[tp.Term] = 100
	}
	publish := PlanChange(Change{ID: a.ID, Seq: 2, Article: a}, Stored{}, corpus)
	stored := Stored{Committed: publish.Commit.State, Doc: publish.Commit.Doc}
	word := *a // one word replaced: the body length stays
	word.Version, word.Text = 2, strings.Replace(body, "deckhands", "sailors", 1)
	edit := PlanChange(Change{ID: a.ID, Seq: 4, Article: &word}, stored, corpus)
	split := *a // one word added: the body length changes
	split.Version, split.Text = 2, strings.Replace(body, "deckhands", "deck hands", 1)
	longer := PlanChange(Change{ID: a.ID, Seq: 4, Article: &split}, stored, corpus)
	retag := *a
	retag.Version, retag.Tags = 2, []string{"city"}
	retagged := PlanChange(Change{ID: a.ID, Seq: 4, Article: &retag}, stored, corpus)
	remove := PlanChange(Change{ID: a.ID, Seq: 3}, stored, corpus)
	for range b.N {
		PlanChange(Change{ID: a.ID, Seq: 2, Article: a}, Stored{}, corpus)
	}
	for _, c := range []struct {
		name string
		p    *Plan
	}{{"publish", publish}, {"edit", edit}, {"longer", longer}, {"retag", retagged}, {"delete", remove}} {
		items, units := planCost(c.p)
		b.ReportMetric(float64(items), c.name+"-items")
		b.ReportMetric(units, c.name+"-WCU")
	}
	b.ReportMetric(float64(len(publish.Puts)), "terms")
	b.ReportMetric(float64(len(publish.Refresh.SuggestPuts)), "suggest-items")
	b.ReportMetric(float64(itemBytes(postingItem(publish.Puts[0]))), "posting-bytes")
	b.ReportMetric(float64(itemBytes(stateItem(publish.Commit.State, a.ID, "TERMS"))), "terms-bytes")
	b.ReportMetric(float64(itemBytes(docItem(publish.Commit.Doc))), "doc-bytes")
	b.ReportMetric(float64(len(edit.Deletes)+len(edit.Puts)), "edit-moved-postings")
	b.ReportMetric(float64(len(longer.Deletes)+len(longer.Puts)), "longer-moved-postings")
}
