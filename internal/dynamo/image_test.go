package dynamo

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"broadsheet/internal/broadsheet"
)

// TestArticleFromImageReadsWhatTheStoreWrites marshals articles exactly as
// CreateArticle does and reads them back from a stream image: every field
// survives, so renaming an attribute of articleItem renames it for the
// indexer too.
func TestArticleFromImageReadsWhatTheStoreWrites(t *testing.T) {
	created := time.Date(2026, 11, 27, 14, 40, 0, 0, time.UTC)
	tests := map[string]*broadsheet.Article{
		"published": {
			ID: "01JDX4Q7ZP3M8V5K2R9T6W1YHC", Slug: "pm-us-visit", Title: "PM’s US visit", Summary: "The trip.",
			Body: "The **prime minister**.", BodyHTML: "<p>The <strong>prime minister</strong>.</p>\n",
			Author: broadsheet.Author{Name: "Ayesha Khan", Bio: "Diplomatic correspondent."}, Tags: []string{"pakistan", "diplomacy"},
			Status: broadsheet.StatusPublished, PublishedAt: created.Add(4*time.Minute + 26*time.Second + 123456789),
			CreatedAt: created, UpdatedAt: created.Add(time.Minute), Version: 7, CommentsOpen: true, CommentCount: 12,
			// The lead image is a map attribute: the stream delivers it as "M".
			Image: &broadsheet.Image{URL: "https://cdn.example.com/talks.jpg", Alt: "Delegates", Credit: "Photo: Reuters", Width: 1200, Height: 800},
		},
		"image without size or credit": {
			ID: "I1", Slug: "pictured", Title: "Pictured", Body: "b", BodyHTML: "<p>b</p>", Author: broadsheet.Author{Name: "Omar Ali"},
			Tags: []string{}, Status: broadsheet.StatusDraft, CreatedAt: created, UpdatedAt: created, Version: 1,
			Image: &broadsheet.Image{URL: "https://cdn.example.com/a.jpg", Alt: "A street"},
		},
		"draft without tags or date": {
			ID: "D1", Slug: "draft", Title: "Draft", Body: "b", BodyHTML: "<p>b</p>", Author: broadsheet.Author{Name: "Omar Ali"},
			Tags: []string{}, Status: broadsheet.StatusDraft, CreatedAt: created, UpdatedAt: created, Version: 1,
		},
	}
	for name, a := range tests {
		t.Run(name, func(t *testing.T) {
			item, err := attributevalue.MarshalMap(toArticleItem(a))
			if err != nil {
				t.Fatal(err)
			}
			got, err := ArticleFromImage(imageOf(item))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, a) {
				t.Errorf("read back from the image:\n got %+v\nwant %+v", got, a)
			}
			id, ok := ArticleIDOfKeys(imageOf(key(prefixArticle+a.ID, skArticle)))
			if !ok || id != a.ID {
				t.Errorf("ArticleIDOfKeys = %q, %v", id, ok)
			}
		})
	}
}

// TestArticleFromImageOfRealStreamRecords reads the images of the sample
// stream batch (events/indexer-stream.json, as Lambda delivers it).
func TestArticleFromImageOfRealStreamRecords(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "events", "indexer-stream.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ev events.DynamoDBEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	published := time.Date(2026, 11, 27, 14, 44, 26, 0, time.UTC)
	want := []struct {
		image   string
		title   string
		version int64
	}{
		{"INSERT new", "PM’s US visit: Afghan peace talks on the agenda", 1},
		{"MODIFY new", "PM’s US visit: Afghan peace talks and trade on the agenda", 2},
		{"MODIFY old", "PM’s US visit: Afghan peace talks on the agenda", 1},
	}
	var images []map[string]events.DynamoDBAttributeValue
	for _, r := range ev.Records {
		if id, ok := ArticleIDOfKeys(r.Change.Keys); !ok || id != "01JDX4Q7ZP3M8V5K2R9T6W1YHC" {
			t.Errorf("%s record keys: id %q, %v", r.EventName, id, ok)
		}
		images = append(images, r.Change.NewImage)
		if r.Change.OldImage != nil {
			images = append(images, r.Change.OldImage)
		}
	}
	if len(images) != len(want) {
		t.Fatalf("%d images in the sample, want %d", len(images), len(want))
	}
	for i, w := range want {
		a, err := ArticleFromImage(images[i])
		if err != nil {
			t.Fatalf("%s: %v", w.image, err)
		}
		if a.ID != "01JDX4Q7ZP3M8V5K2R9T6W1YHC" || a.Slug != "pm-us-visit-afghan-peace-talks" || a.Title != w.title ||
			a.Version != w.version || a.Status != broadsheet.StatusPublished || !a.PublishedAt.Equal(published) ||
			a.Author.Name != "Ayesha Khan" || a.Author.Bio == "" || !reflect.DeepEqual(a.Tags, []string{"pakistan", "diplomacy"}) ||
			!strings.Contains(a.BodyHTML, "<em>peace talks</em>") || !strings.Contains(a.Body, "*peace talks*") ||
			a.Summary == "" || a.CreatedAt.IsZero() || a.UpdatedAt.IsZero() || !a.CommentsOpen || a.CommentCount != 0 {
			t.Errorf("%s: %+v", w.image, a)
		}
	}
}

func TestImagesThatAreNotReadableArticles(t *testing.T) {
	good := func() map[string]types.AttributeValue {
		item, err := attributevalue.MarshalMap(toArticleItem(&broadsheet.Article{ID: "A1", Slug: "a", Status: broadsheet.StatusDraft, Version: 1}))
		if err != nil {
			t.Fatal(err)
		}
		return item
	}
	tests := map[string]func(map[string]types.AttributeValue){
		"a comment item":       func(it map[string]types.AttributeValue) { it["pk"], it["sk"] = s("COMMENT#c1"), s("COMMENT") },
		"version missing":      func(it map[string]types.AttributeValue) { delete(it, "version") },
		"version not a number": func(it map[string]types.AttributeValue) { it["version"] = s("seven") },
		"publishedAt garbled":  func(it map[string]types.AttributeValue) { it["publishedAt"] = s("yesterday") },
	}
	for name, spoil := range tests {
		t.Run(name, func(t *testing.T) {
			item := good()
			spoil(item)
			if a, err := ArticleFromImage(imageOf(item)); err == nil {
				t.Errorf("read as %+v, want an error", a)
			}
		})
	}
	for _, k := range []map[string]types.AttributeValue{
		key("COMMENT#c1", "COMMENT"), key(prefixSlug+"a", skSlug), key(prefixArticle+"A1", "OTHER"), key(prefixArticle, skArticle), {},
	} {
		if id, ok := ArticleIDOfKeys(imageOf(k)); ok {
			t.Errorf("keys %v read as article %q", k, id)
		}
	}
}

// imageOf is an item as a stream record carries it.
func imageOf(item map[string]types.AttributeValue) map[string]events.DynamoDBAttributeValue {
	out := make(map[string]events.DynamoDBAttributeValue, len(item))
	for name, v := range item {
		out[name] = streamValue(v)
	}
	return out
}

func streamValue(v types.AttributeValue) events.DynamoDBAttributeValue {
	switch x := v.(type) {
	case *types.AttributeValueMemberS:
		return events.NewStringAttribute(x.Value)
	case *types.AttributeValueMemberN:
		return events.NewNumberAttribute(x.Value)
	case *types.AttributeValueMemberBOOL:
		return events.NewBooleanAttribute(x.Value)
	case *types.AttributeValueMemberL:
		l := make([]events.DynamoDBAttributeValue, len(x.Value))
		for i, e := range x.Value {
			l[i] = streamValue(e)
		}
		return events.NewListAttribute(l)
	case *types.AttributeValueMemberM:
		return events.NewMapAttribute(imageOf(x.Value))
	}
	return events.NewNullAttribute()
}

// TestArticleFromImageReadsTheLeadImageAsLambdaDeliversIt: a stream record's
// JSON carries the image as a map ("M") of strings and numbers; the indexer's
// decoding reads it, and an image without one still reads as no image.
func TestArticleFromImageReadsTheLeadImageAsLambdaDeliversIt(t *testing.T) {
	const record = `{"pk":{"S":"ARTICLE#A1"},"sk":{"S":"ARTICLE"},"id":{"S":"A1"},"slug":{"S":"a"},"title":{"S":"A"},
		"status":{"S":"published"},"publishedAt":{"S":"2026-11-27T14:44:26Z"},"version":{"N":"3"},"tags":{"L":[]},
		"image":{"M":{"url":{"S":"https://cdn.example.com/a.jpg"},"alt":{"S":"Delegates"},"credit":{"S":"Reuters"},"width":{"N":"1200"},"height":{"N":"800"}}}}`
	var img map[string]events.DynamoDBAttributeValue
	if err := json.Unmarshal([]byte(record), &img); err != nil {
		t.Fatal(err)
	}
	a, err := ArticleFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	want := &broadsheet.Image{URL: "https://cdn.example.com/a.jpg", Alt: "Delegates", Credit: "Reuters", Width: 1200, Height: 800}
	if !reflect.DeepEqual(a.Image, want) {
		t.Errorf("image %+v, want %+v", a.Image, want)
	}
	delete(img, "image")
	if a, err = ArticleFromImage(img); err != nil || a.Image != nil {
		t.Errorf("without an image: %+v, %v", a, err)
	}
}
