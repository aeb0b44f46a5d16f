package articles_test

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"broadsheet/internal/broadsheet"
	"broadsheet/internal/cursor"
	"broadsheet/internal/handlers/articles"
	"broadsheet/internal/memstore"
	"broadsheet/internal/testkit/dynamotest"
	"broadsheet/internal/testkit/lambdatest"
)

func TestMain(m *testing.M) { os.Exit(dynamotest.RunTests(m)) }

// now is the handler's clock: one article is scheduled an hour after it.
var now = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// newHandler is the handler over a memory store holding four articles: two
// visible, a draft and one scheduled an hour after now.
func newHandler(t *testing.T) any {
	st := memstore.New()
	for i, a := range []struct {
		slug, author string
		status       broadsheet.Status
		at           time.Duration
		tags         []string
	}{
		{"afghan-peace-talks", "Ayesha Khan", broadsheet.StatusPublished, -time.Hour, []string{"pakistan"}},
		{"budget-notes", "Omar Ali", broadsheet.StatusPublished, -2 * time.Hour, []string{"economy"}},
		{"draft-piece", "Ayesha Khan", broadsheet.StatusDraft, 0, nil},
		{"tomorrow", "Ayesha Khan", broadsheet.StatusPublished, time.Hour, []string{"pakistan"}},
	} {
		art := &broadsheet.Article{
			ID: "A" + string(rune('0'+i)), Slug: a.slug, Title: a.slug, Summary: "s", Body: "b", BodyHTML: "<p>b</p>",
			Author: broadsheet.Author{Name: a.author}, Tags: a.tags, Status: a.status, CreatedAt: now, UpdatedAt: now,
			Version: 1, CommentsOpen: true,
		}
		if a.status == broadsheet.StatusPublished {
			art.PublishedAt = now.Add(a.at)
		}
		if err := st.CreateArticle(t.Context(), art); err != nil {
			t.Fatal(err)
		}
	}
	sealer, _ := cursor.New([]byte(dynamotest.Secret))
	h := &articles.Handler{Store: st, Cursors: sealer, Now: func() time.Time { return now }}
	return h.Router().Handle
}

func list(t *testing.T, h any, query map[string]string) (events.APIGatewayV2HTTPResponse, []string, *string) {
	t.Helper()
	e := lambdatest.Event(t, "articles-list.json")
	e.QueryStringParameters = query
	resp := lambdatest.Invoke(t, h, e)
	var body struct {
		Items []struct {
			Slug string `json:"slug"`
		} `json:"items"`
		NextCursor *string `json:"nextCursor"`
	}
	_ = json.Unmarshal([]byte(resp.Body), &body)
	var slugs []string
	for _, it := range body.Items {
		slugs = append(slugs, it.Slug)
	}
	return resp, slugs, body.NextCursor
}

func TestListShowsOnlyWhatReadersMaySee(t *testing.T) {
	h := newHandler(t)
	tests := []struct {
		name  string
		query map[string]string
		want  []string
	}{
		{"newest first, no drafts, nothing scheduled", nil, []string{"afghan-peace-talks", "budget-notes"}},
		{"by tag", map[string]string{"tag": "pakistan"}, []string{"afghan-peace-talks"}},
		{"tag written loosely", map[string]string{"tag": "Pakistan"}, []string{"afghan-peace-talks"}},
		{"by author", map[string]string{"author": "Omar Ali"}, []string{"budget-notes"}},
		{"unknown tag", map[string]string{"tag": "sport"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, slugs, _ := list(t, h, tt.query)
			if resp.StatusCode != 200 || len(slugs) != len(tt.want) {
				t.Fatalf("%d %v, want %v", resp.StatusCode, slugs, tt.want)
			}
			for i := range slugs {
				if slugs[i] != tt.want[i] {
					t.Errorf("got %v, want %v", slugs, tt.want)
				}
			}
		})
	}
}

func TestListPagesWithSealedCursors(t *testing.T) {
	h := newHandler(t)
	_, first, next := list(t, h, map[string]string{"limit": "1"})
	if len(first) != 1 || next == nil {
		t.Fatalf("first page %v next %v", first, next)
	}
	_, second, _ := list(t, h, map[string]string{"limit": "1", "cursor": *next})
	if len(second) != 1 || second[0] == first[0] {
		t.Fatalf("second page %v after %v", second, first)
	}
	// A cursor only opens on the list it came from.
	resp, _, _ := list(t, h, map[string]string{"limit": "1", "cursor": *next, "tag": "pakistan"})
	if resp.StatusCode != 400 || lambdatest.ErrorCode(resp) != "invalid_cursor" {
		t.Errorf("cursor on another list: %d %s", resp.StatusCode, resp.Body)
	}
}

func TestBadListParameters(t *testing.T) {
	h := newHandler(t)
	for _, q := range []map[string]string{
		{"limit": "0"}, {"limit": "51"}, {"limit": "ten"}, {"limit": ""}, {"cursor": "garbage"}, {"cursor": ""},
	} {
		resp, _, _ := list(t, h, q)
		if resp.StatusCode != 400 || lambdatest.ErrorCode(resp) == "" {
			t.Errorf("%v: %d %s", q, resp.StatusCode, resp.Body)
		}
	}
}

func TestGetHidesDraftsScheduledAndUnknown(t *testing.T) {
	h := newHandler(t)
	for slug, want := range map[string]int{
		"afghan-peace-talks": 200, "draft-piece": 404, "tomorrow": 404, "no-such-article": 404,
		"../etc/passwd": 404, "UPPER": 404,
	} {
		e := lambdatest.Event(t, "articles-get.json")
		e.PathParameters = map[string]string{"slug": slug}
		resp := lambdatest.Invoke(t, h, e)
		if resp.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", slug, resp.StatusCode, want)
		}
		if want == 404 && lambdatest.ErrorCode(resp) != "not_found" {
			t.Errorf("GET %s: %s", slug, resp.Body)
		}
	}
}

// TestDynamoDB proves New wires the handler to DynamoDB: on a fresh table the
// feed is empty and an unknown slug is 404.
func TestDynamoDB(t *testing.T) {
	h, err := articles.New(t.Context(), dynamotest.Env(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	resp, slugs, next := list(t, h, nil)
	if resp.StatusCode != 200 || len(slugs) != 0 || next != nil {
		t.Errorf("empty feed: %d %s", resp.StatusCode, resp.Body)
	}
	get := lambdatest.Event(t, "articles-get.json")
	if resp := lambdatest.Invoke(t, h, get); resp.StatusCode != 404 || lambdatest.ErrorCode(resp) != "not_found" {
		t.Errorf("unknown slug: %d %s", resp.StatusCode, resp.Body)
	}
}
