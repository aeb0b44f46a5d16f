package indexer_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"broadsheet/internal/handlers/indexer"
	"broadsheet/internal/searchindex"
	"broadsheet/internal/testkit/bench"
)

func sampleStream(t *testing.T) events.DynamoDBEvent {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "..", "events", "indexer-stream.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ev events.DynamoDBEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	return ev
}

// TestChangeOfSampleStream reads the sample stream event (the shape Lambda
// delivers) into index changes: an insert and a modify of one article, each
// ordered by twice its version so a later removal (2v+1) wins over them.
func TestChangeOfSampleStream(t *testing.T) {
	ev := sampleStream(t)
	var seqs []int64
	for _, r := range ev.Records {
		ch, err := indexer.ChangeOf(r)
		if err != nil {
			t.Fatalf("%s: %v", r.EventName, err)
		}
		if ch.ID != "01JDX4Q7ZP3M8V5K2R9T6W1YHC" || ch.Article == nil || ch.Article.Title == "" || ch.Article.Text == "" {
			t.Fatalf("%s: change %+v", r.EventName, ch)
		}
		if ch.Seq%2 != 0 || ch.Seq != 2*ch.Article.Version {
			t.Errorf("%s: seq %d for version %d", r.EventName, ch.Seq, ch.Article.Version)
		}
		seqs = append(seqs, ch.Seq)
	}
	if len(seqs) != 2 || seqs[1] <= seqs[0] {
		t.Errorf("seqs %v: the modify must order after the insert", seqs)
	}

	remove := ev.Records[1]
	remove.EventName = "REMOVE"
	remove.Change.OldImage, remove.Change.NewImage = remove.Change.NewImage, nil
	ch, err := indexer.ChangeOf(remove)
	if err != nil {
		t.Fatal(err)
	}
	if ch.Article != nil || ch.Seq%2 != 1 {
		t.Errorf("remove: %+v, want no article and an odd seq", ch)
	}
}

// TestChangeOfOtherRecords skips items that are not articles and rejects
// article records the indexer cannot read, rather than indexing half of one.
func TestChangeOfOtherRecords(t *testing.T) {
	ev := sampleStream(t)
	comment := ev.Records[0]
	comment.Change.Keys = map[string]events.DynamoDBAttributeValue{
		"pk": events.NewStringAttribute("ARTICLE#01JDX4Q7ZP3M8V5K2R9T6W1YHC"), "sk": events.NewStringAttribute("COMMENT#01JDX5"),
	}
	if _, err := indexer.ChangeOf(comment); !errors.Is(err, indexer.ErrSkip) {
		t.Errorf("comment record: %v, want ErrSkip", err)
	}

	keysOnly := ev.Records[0]
	keysOnly.Change.NewImage = nil
	if _, err := indexer.ChangeOf(keysOnly); err == nil || errors.Is(err, indexer.ErrSkip) {
		t.Errorf("insert without an image: %v, want an error", err)
	}

	noVersion := ev.Records[0]
	img := map[string]events.DynamoDBAttributeValue{}
	for k, v := range noVersion.Change.NewImage {
		if k != "version" {
			img[k] = v
		}
	}
	noVersion.Change.NewImage = img
	if _, err := indexer.ChangeOf(noVersion); err == nil || errors.Is(err, indexer.ErrSkip) {
		t.Errorf("image without a version: %v, want an error", err)
	}
}

// TestHandleRecordedBatch runs the stream batch one new article caused
// against DynamoDB's recorded answers: every record is applied, none is
// reported as failed.
func TestHandleRecordedBatch(t *testing.T) {
	db, r, raw := bench.TapeScenario(t, "batch")
	var ev events.DynamoDBEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	h := &indexer.Handler{Index: &searchindex.Writer{Store: &searchindex.DynamoStore{DB: db, Table: "broadsheet"}}}
	resp, err := h.Handle(context.Background(), ev)
	if err != nil || len(resp.BatchItemFailures) > 0 {
		t.Fatalf("batch: %v %+v (replay misses %d)", err, resp, r.Misses)
	}
}

// failingIndex fails every change of the article with id "bad".
type failingIndex struct{ applied []string }

func (f *failingIndex) Apply(_ context.Context, ch searchindex.Change) error {
	if ch.ID == "bad" {
		return errors.New("boom")
	}
	f.applied = append(f.applied, fmt.Sprintf("%s/%d", ch.ID, ch.Seq))
	return nil
}

// record is the sample stream's article record moved to another id and
// version, so its image is exactly what the store writes.
func record(t *testing.T, name, id string, version int, seq string) events.DynamoDBEventRecord {
	t.Helper()
	r := sampleStream(t).Records[0]
	r.EventName = name
	r.Change.SequenceNumber = seq
	img := map[string]events.DynamoDBAttributeValue{}
	for k, v := range r.Change.NewImage {
		img[k] = v
	}
	img["pk"] = events.NewStringAttribute("ARTICLE#" + id)
	img["id"] = events.NewStringAttribute(id)
	img["version"] = events.NewNumberAttribute(fmt.Sprint(version))
	r.Change.Keys = map[string]events.DynamoDBAttributeValue{"pk": img["pk"], "sk": r.Change.Keys["sk"]}
	r.Change.NewImage, r.Change.OldImage = img, nil
	if name == "REMOVE" {
		r.Change.NewImage, r.Change.OldImage = nil, img
	}
	return r
}

// TestHandleReportsFailedRecords reports a failing article's record and its
// later records (Lambda retries from the earliest), applies the others in
// order, skips non-article items and reports, not drops, an unreadable one.
func TestHandleReportsFailedRecords(t *testing.T) {
	comment := record(t, "INSERT", "c1", 1, "5")
	comment.Change.Keys["sk"] = events.NewStringAttribute("COMMENT#c1")
	unreadable := record(t, "INSERT", "broken", 1, "6")
	delete(unreadable.Change.NewImage, "version")
	ev := events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{
		record(t, "INSERT", "ok", 1, "1"), record(t, "INSERT", "bad", 1, "2"), record(t, "MODIFY", "ok", 2, "3"),
		record(t, "REMOVE", "bad", 2, "4"), comment, unreadable,
	}}
	fi := &failingIndex{}
	resp, err := (&indexer.Handler{Index: fi, Parallel: 1}).Handle(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	var failed []string
	for _, f := range resp.BatchItemFailures {
		failed = append(failed, f.ItemIdentifier)
	}
	sort.Strings(failed)
	if strings.Join(failed, ",") != "2,4,6" || strings.Join(fi.applied, ",") != "ok/2,ok/4" {
		t.Errorf("failed %v applied %v; want failed [2 4 6], applied [ok/2 ok/4]", failed, fi.applied)
	}
}
