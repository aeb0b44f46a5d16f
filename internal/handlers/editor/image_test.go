package editor_test

import (
	"net/http"
	"reflect"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"broadsheet/internal/testkit/contract"
	"broadsheet/internal/testkit/lambdatest"
)

// TestLeadImageRoundTrip: the lead image an editor sends comes back to the
// editor, to readers of the article and of the list, is replaced by a PUT
// that sends another and removed by a PUT without one (PUT replaces the
// whole article). Every answer agrees with openapi.yaml.
func TestLeadImageRoundTrip(t *testing.T) { leadImageRoundTrip(t, newStack(t)) }

func leadImageRoundTrip(t *testing.T, s stack) {
	invoke := func(fn any, e events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPResponse {
		t.Helper()
		resp := lambdatest.Invoke(t, fn, e)
		contract.ValidateEventResponse(t, e, resp)
		return resp
	}
	image := map[string]any{"url": "https://cdn.example.com/2026/11/talks.jpg?w=1200", "alt": "Delegates at the table", "credit": "Photo: Reuters", "width": 1200, "height": 800}
	want := map[string]any{"url": "https://cdn.example.com/2026/11/talks.jpg?w=1200", "alt": "Delegates at the table", "credit": "Photo: Reuters", "width": float64(1200), "height": float64(800)}
	article := func(image any) map[string]any {
		m := map[string]any{"title": "PM’s US visit", "body": "The talks.", "author": map[string]any{"name": "Ayesha Khan"}, "tags": []string{"pakistan"}, "status": "published", "slug": "pm-us-visit-afghan-peace-talks"}
		if image != nil {
			m["image"] = image
		}
		return m
	}
	resp := invoke(s.editor, withBody(lambdatest.Event(t, "admin-articles-create.json"), article(image)))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", resp.StatusCode, resp.Body)
	}
	created := decode(t, resp)
	if !reflect.DeepEqual(created["image"], want) {
		t.Errorf("editor's answer: image %v, want %v", created["image"], want)
	}
	id := created["id"].(string)
	get, list := lambdatest.Event(t, "articles-get.json"), lambdatest.Event(t, "articles-list.json") // ?tag=pakistan
	unfiltered := list
	unfiltered.RawQueryString, unfiltered.QueryStringParameters = "", nil // the feed index's projection
	readers := func(want any) {
		t.Helper()
		if got := decode(t, invoke(s.articles, get))["image"]; !reflect.DeepEqual(got, want) {
			t.Errorf("GET /articles/{slug}: image %v, want %v", got, want)
		}
		for _, l := range []events.APIGatewayV2HTTPRequest{list, unfiltered} {
			items := decode(t, invoke(s.articles, l))["items"].([]any)
			if len(items) != 1 {
				t.Fatalf("list ?%s: %v", l.RawQueryString, items)
			}
			if got := items[0].(map[string]any)["image"]; !reflect.DeepEqual(got, want) {
				t.Errorf("GET /articles?%s: image %v, want %v", l.RawQueryString, got, want)
			}
		}
	}
	readers(want)

	replace := withID(lambdatest.Event(t, "admin-articles-replace.json"), id)
	other := map[string]any{"url": "https://media.example.org/venue.webp", "alt": "The venue"}
	if resp = invoke(s.editor, withHeader(withBody(replace, article(other)), "if-match", `"v1"`)); resp.StatusCode != 200 {
		t.Fatalf("replace: %d %s", resp.StatusCode, resp.Body)
	}
	readers(other)
	if resp = invoke(s.editor, withHeader(withBody(replace, article(nil)), "if-match", `"v2"`)); resp.StatusCode != 200 {
		t.Fatalf("replace without an image: %d %s", resp.StatusCode, resp.Body)
	}
	if _, present := decode(t, resp)["image"]; present {
		t.Errorf("a PUT without an image kept it: %s", resp.Body)
	}
	readers(nil)
	if resp = invoke(s.editor, withID(lambdatest.Event(t, "admin-articles-delete.json"), id)); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete: %d %s", resp.StatusCode, resp.Body)
	}
}
