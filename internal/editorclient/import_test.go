package editorclient_test

import (
	"context"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"broadsheet/internal/broadsheet"
	"broadsheet/internal/editorclient"
	"broadsheet/internal/testkit/apiserver"
)

var sampleEmails = []string{
	"sana.mir@example.pk", "jerome@ledger.example.pk", "pending.reader@example.com",
	"sales@spam.example.net", "omar@example.org", "zoe.mueller@example.ch", "amina.q@ledger.example.pk",
}

func loadWXR(t *testing.T) []editorclient.ImportItem {
	t.Helper()
	f, err := os.Open("testdata/sample.wxr.xml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	items, err := editorclient.ParseWXR(f)
	if err != nil {
		t.Fatal(err)
	}
	return items
}

func TestParseWXR(t *testing.T) {
	items := loadWXR(t)
	if len(items) != 7 {
		t.Fatalf("%d items", len(items))
	}
	skips := map[string]string{}
	bySlug := map[string]editorclient.ImportItem{}
	for _, it := range items {
		if it.Skip != "" {
			skips[it.Source] = it.Skip
		} else {
			bySlug[it.Article.Slug] = it
		}
	}
	wantSkips := map[string]string{
		`post 104 "About us"`: "not a post (page)",
		`post 55 "schober"`:   "not a post (attachment)",
		`post 106 ""`:         "empty title",
	}
	if !mapsEqual(skips, wantSkips) {
		t.Errorf("skips = %v", skips)
	}

	pm := bySlug["pm-us-visit-afghan-peace-talks"]
	if pm.Article.Title != "PM’s US visit: “Afghan peace talks” back on track" {
		t.Errorf("title %q", pm.Article.Title)
	}
	if pm.Article.Author.Name != "Amina Qureshi" || pm.Article.Status != "published" || pm.Article.PublishedAt != "2026-11-24T08:30:00Z" {
		t.Errorf("article %+v", pm.Article)
	}
	if !slices.Equal(pm.Article.Tags, []string{"politics", "pakistan", "afghanistan"}) {
		t.Errorf("tags %v", pm.Article.Tags)
	}
	if pm.Article.Summary != "Talks to resume “within weeks” after a three-hour meeting." {
		t.Errorf("summary %q", pm.Article.Summary)
	}
	if pm.Article.CommentsOpen == nil || !*pm.Article.CommentsOpen {
		t.Errorf("commentsOpen %v", pm.Article.CommentsOpen)
	}
	status := map[string]string{}
	for _, c := range pm.Comments {
		status[c.ExternalID] = c.Status
	}
	wantStatus := map[string]string{"wp:101:201": "approved", "wp:101:202": "approved", "wp:101:203": "approved",
		"wp:101:204": "pending", "wp:101:205": "spam", "wp:101:206": "approved", "wp:101:207": "pingback"}
	if !mapsEqual(status, wantStatus) {
		t.Errorf("comment statuses %v", status)
	}
	if c := pm.Comments[2]; c.ParentExternalID != "wp:101:202" || c.Body != "Thanks — شکریہ!" || c.CreatedAt != "2026-11-24T11:05:00Z" {
		t.Errorf("comment 203 %+v", c)
	}
	if c := pm.Comments[5]; c.Website != "" {
		t.Errorf("\"http://\" is not a website: %q", c.Website)
	}

	cafe, ok := bySlug["cafe-culture-in-zurich"]
	if !ok {
		t.Fatalf("percent-encoded slug not decoded: %v", keys(bySlug))
	}
	if !slices.Equal(cafe.Article.Tags, []string{"zurich", "food"}) || cafe.Article.Author.Name != "Jérôme Lefèvre" {
		t.Errorf("cafe %+v", cafe.Article)
	}
	for _, want := range []string{"## Where to go", "1. Café Schober — hot chocolate", "   - Luxemburgerli", "![Café Schober’s façade](https://ledger.example.pk/wp-content/uploads/2026/10/schober.jpg)", "| Espresso | 4.50 |", "> Coffee is a language in itself."} {
		if !strings.Contains(cafe.Article.Body, want) {
			t.Errorf("cafe body lacks %q:\n%s", want, cafe.Article.Body)
		}
	}
	if strings.Contains(cafe.Article.Body, "tracker") || strings.Contains(cafe.Article.Body, "padding") || strings.Contains(cafe.Article.Body, "wp:") {
		t.Errorf("script/style/block comments leaked:\n%s", cafe.Article.Body)
	}

	// The featured image (_thumbnail_id → attachment 55): its URL, alt text,
	// the full size and the credit from _wp_attachment_metadata.
	if im := cafe.Article.Image; im == nil || im.URL != "https://ledger.example.pk/wp-content/uploads/2026/10/schober.jpg" ||
		im.Alt != "Café Schober's panelled room on Napfgasse" || im.Credit != "Zoë Müller" ||
		im.Width == nil || *im.Width != 1600 || im.Height == nil || *im.Height != 1067 || len(cafe.Notes) != 0 {
		t.Errorf("cafe image %+v, notes %v", im, cafe.Notes)
	}
	if pm.Article.Image != nil || len(pm.Notes) != 0 {
		t.Errorf("a post without a featured image got %+v, %v", pm.Article.Image, pm.Notes)
	}

	draft := bySlug["notes-on-the-budget-draft"]
	if draft.Article.Status != "draft" || draft.Article.PublishedAt != "" {
		t.Errorf("draft %+v", draft.Article)
	}
	if draft.Article.Image != nil || len(draft.Notes) != 1 || !strings.Contains(draft.Notes[0], "attachment 999) is not in the export") {
		t.Errorf("draft's missing featured image: %+v, notes %v", draft.Article.Image, draft.Notes)
	}
}

// TestParseWXRFeaturedImagesBroadsheetCannotTake: the post imports without
// the image, and a note says why; a bad size or credit only loses itself.
func TestParseWXRFeaturedImagesBroadsheetCannotTake(t *testing.T) {
	for _, tc := range []struct {
		name, url, alt, metadata string
		note                     string // "" when the image is kept
		keptSize                 bool
	}{
		{"no alt text", "https://example.pk/a.jpg", "", "", "alt is required", false},
		{"over http", "http://example.pk/a.jpg", "A street", "", "url must use https", false},
		{"kept, with its size", "https://example.pk/a.jpg", "A street", `a:2:{s:5:"width";i:800;s:6:"height";i:600;}`, "", true},
		{"kept, a zero size left out", "https://example.pk/a.jpg", "A street", `a:2:{s:5:"width";i:0;s:6:"height";i:600;}`, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			export := `<?xml version="1.0"?><rss xmlns:wp="http://wordpress.org/export/1.2/" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<item><title>Street life</title><content:encoded><![CDATA[<p>Text.</p>]]></content:encoded><wp:post_id>1</wp:post_id><wp:post_name>street-life</wp:post_name>
<wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value>2</wp:meta_value></wp:postmeta></item>
<item><title>a</title><wp:post_id>2</wp:post_id><wp:post_type>attachment</wp:post_type><wp:attachment_url>` + tc.url + `</wp:attachment_url>
<wp:postmeta><wp:meta_key>_wp_attachment_image_alt</wp:meta_key><wp:meta_value>` + tc.alt + `</wp:meta_value></wp:postmeta>
<wp:postmeta><wp:meta_key>_wp_attachment_metadata</wp:meta_key><wp:meta_value><![CDATA[` + tc.metadata + `]]></wp:meta_value></wp:postmeta></item>
</channel></rss>`
			items, err := editorclient.ParseWXR(strings.NewReader(export))
			if err != nil {
				t.Fatal(err)
			}
			post := items[0]
			if post.Skip != "" {
				t.Fatalf("post skipped: %s", post.Skip)
			}
			if tc.note != "" {
				if post.Article.Image != nil || len(post.Notes) != 1 || !strings.Contains(post.Notes[0], tc.note) {
					t.Errorf("image %+v, notes %v; want none and a note with %q", post.Article.Image, post.Notes, tc.note)
				}
				return
			}
			im := post.Article.Image
			if im == nil || im.URL != tc.url || im.Alt != tc.alt || len(post.Notes) != 0 || (im.Width != nil) != tc.keptSize {
				t.Errorf("image %+v, notes %v", im, post.Notes)
			}
		})
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func runImport(t *testing.T, s *apiserver.Server, items []editorclient.ImportItem) (*editorclient.Summary, *sleeps) {
	t.Helper()
	c, sl := newClient(t, s)
	im := &editorclient.Importer{Client: c, Concurrency: 3}
	return im.Run(context.Background(), items), sl
}

func TestImportWXR(t *testing.T) {
	s := newServer(t, apiserver.Refuse("POST /admin/comments", 1, broadsheet.CodeRateLimited, time.Second))
	items := loadWXR(t)

	sum, sl := runImport(t, s, items)
	if len(sum.Failures) > 0 {
		t.Fatalf("failures: %v", sum.Failures)
	}
	if sum.Created != 4 || sum.Updated != 0 || sum.Unchanged != 0 || len(sum.Skipped) != 3 {
		t.Fatalf("articles: %+v", sum)
	}
	if sum.CommentsImported != 5 || sum.CommentsPresent != 0 {
		t.Fatalf("comments: %+v", sum)
	}
	if want := map[string]int{"pending": 1, "spam": 1, "pingback": 1}; len(sum.CommentsSkipped) != 3 || sum.CommentsSkipped["pending"] != 1 || sum.CommentsSkipped["spam"] != 1 || sum.CommentsSkipped["pingback"] != 1 {
		t.Fatalf("skipped comments %v, want %v", sum.CommentsSkipped, want)
	}
	if len(sl.all()) == 0 {
		t.Errorf("429 not retried: sleeps %v", sl.all())
	}

	// the thread structure survived
	cs := s.Comments(t)
	byExt := map[string]*broadsheet.Comment{}
	for _, c := range cs {
		byExt[c.ExternalID] = c
		if c.Status != "approved" {
			t.Errorf("comment %s imported as %s", c.ExternalID, c.Status)
		}
	}
	if len(cs) != 5 {
		t.Fatalf("%d comments stored", len(cs))
	}
	if byExt["wp:101:202"].ParentID != byExt["wp:101:201"].ID || byExt["wp:101:203"].ParentID != byExt["wp:101:202"].ID {
		t.Errorf("nesting lost: %+v", byExt)
	}
	if byExt["wp:101:206"].ParentID != "" {
		t.Errorf("reply to spam should hang from the article, has parent %q", byExt["wp:101:206"].ParentID)
	}
	if byExt["wp:101:201"].Email != "sana.mir@example.pk" || byExt["wp:101:201"].CreatedAt.Format(time.RFC3339) != "2026-11-24T10:02:11Z" || byExt["wp:101:201"].Website != "https://sana.example.pk" {
		t.Errorf("comment fields %+v", byExt["wp:101:201"])
	}
	for _, ext := range []string{"wp:101:204", "wp:101:205", "wp:101:207"} {
		if _, ok := byExt[ext]; ok {
			t.Errorf("%s should not be imported", ext)
		}
	}

	// emails travel only in POST /admin/comments bodies
	for _, c := range s.Calls() {
		for _, e := range sampleEmails {
			if strings.Contains(c.Body, e) && c.Route != "POST /admin/comments" {
				t.Errorf("email %s sent to %s", e, c.Route)
			}
		}
	}
	for _, e := range []string{"pending.reader@example.com", "sales@spam.example.net"} {
		for _, c := range s.Calls() {
			if strings.Contains(c.Body, e) {
				t.Errorf("email of a comment not imported was sent: %s", e)
			}
		}
	}

	// re-running creates nothing and writes nothing
	s.ResetCalls()
	sum2, _ := runImport(t, s, items)
	if len(sum2.Failures) > 0 || sum2.Created != 0 || sum2.Updated != 0 || sum2.Unchanged != 4 || sum2.CommentsImported != 0 || sum2.CommentsPresent != 5 {
		t.Fatalf("re-run: %+v", sum2)
	}
	for _, c := range s.Calls() {
		if c.Method != "GET" {
			t.Errorf("re-run wrote: %v", c)
		}
	}
	if len(s.Comments(t)) != 5 || len(s.Articles(t)) != 4 {
		t.Fatal("re-run duplicated something")
	}
	// comments were looked up per article, 50 at a time
	var listed []string
	for _, c := range s.Calls() {
		if c.Route == "GET /admin/comments" {
			listed = append(listed, c.Query)
		}
	}
	if len(listed) != 2 || !strings.Contains(listed[0], "limit=50") || !strings.Contains(listed[0], "articleId=") {
		t.Errorf("comment lookups %v", listed)
	}
}

func TestImportUpdatesChangedArticleOnly(t *testing.T) {
	s := newServer(t)
	items := loadWXR(t)
	runImport(t, s, items)

	for i := range items {
		if items[i].Article.Slug == "cafe-culture-in-zurich" {
			items[i].Article.Body += "\nUpdate: Café Schober has reopened.\n"
		}
	}
	s.ResetCalls()
	sum, _ := runImport(t, s, items)
	if sum.Updated != 1 || sum.Unchanged != 3 || sum.CommentsPresent != 5 || len(sum.Failures) > 0 {
		t.Fatalf("%+v", sum)
	}
	puts := 0
	for _, c := range s.Calls() {
		if c.Method == "PUT" {
			puts++
			if c.IfMatch == "" {
				t.Error("PUT without If-Match")
			}
		}
		if c.Method == "POST" {
			t.Errorf("unexpected %v", c)
		}
	}
	if puts != 1 {
		t.Fatalf("%d PUTs", puts)
	}
}

// Two imports of one export at once: each article and comment is stored
// once, whichever import gets there first. The later one learns of a
// comment from the list, or from the POST's own answer (200 with the
// comment the externalId already imported), so replies still find their
// parents.
func TestConcurrentImportsStoreEachCommentOnce(t *testing.T) {
	s := newServer(t)
	items := loadWXR(t)
	var wg sync.WaitGroup
	sums := make([]*editorclient.Summary, 2)
	for i := range sums {
		wg.Go(func() { sums[i], _ = runImport(t, s, items) })
	}
	wg.Wait()
	for _, sum := range sums {
		if len(sum.Failures) > 0 || sum.CommentsImported+sum.CommentsPresent != 5 {
			t.Fatalf("%+v", sum)
		}
	}
	if created := sums[0].Created + sums[1].Created; created != 4 {
		t.Errorf("%d articles created, want 4", created)
	}
	if imported := sums[0].CommentsImported + sums[1].CommentsImported; imported != 5 {
		t.Errorf("%d comments imported, want 5", imported)
	}
	cs := s.Comments(t)
	if len(cs) != 5 {
		t.Fatalf("%d comments stored", len(cs))
	}
	byExt := map[string]*broadsheet.Comment{}
	for _, c := range cs {
		byExt[c.ExternalID] = c
	}
	if byExt["wp:101:202"].ParentID != byExt["wp:101:201"].ID || byExt["wp:101:203"].ParentID != byExt["wp:101:202"].ID {
		t.Errorf("nesting lost")
	}
}

func TestImportReportsFailures(t *testing.T) {
	s := newServer(t)
	items := []editorclient.ImportItem{
		{Source: "line 1", Article: editorclient.ArticleInput{Title: "No body", Slug: "no-body", Author: editorclient.Author{Name: "A"}}},
		{Source: "line 2", Fail: "invalid JSON: unexpected end"},
		{Source: "line 3", Article: editorclient.ArticleInput{Title: "Fine", Body: "x", Slug: "fine", Author: editorclient.Author{Name: "A"}},
			Comments: []editorclient.ImportComment{
				{ExternalID: "p", Name: "N", Email: "not-an-email", Body: "parent", Status: "approved"},
				{ExternalID: "k", ParentExternalID: "p", Name: "N", Email: "n@example.org", Body: "child", Status: "approved"},
				{ExternalID: "ok", Name: "M", Email: "m@example.org", Body: "fine", Status: "approved"},
			}},
	}
	sum, _ := runImport(t, s, items)
	if sum.Created != 1 || sum.CommentsImported != 1 || len(sum.Failures) != 4 {
		t.Fatalf("%+v", sum)
	}
	text := ""
	for _, f := range sum.Failures {
		text += f.Source + ": " + f.Reason + "\n"
	}
	for _, want := range []string{"line 1: article no-body: POST /admin/articles: 400 validation_failed", "line 2: invalid JSON", "comment p: POST /admin/comments: 400 validation_failed", "comment k: not imported because its parent p failed"} {
		if !strings.Contains(text, want) {
			t.Errorf("failures lack %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "not-an-email") {
		t.Error("email in failure text")
	}
}

func TestParseAndImportJSONL(t *testing.T) {
	data := `{"title":"Budget day","body":"The *budget*.","author":{"name":"Amina Qureshi","bio":"Economics editor"},"tags":["economy"],"slug":"budget-day","status":"published","publishedAt":"2026-06-10T09:00:00Z","comments":[{"externalId":"c1","name":"Ali","email":"ali@example.pk","body":"Good.","createdAt":"2026-06-10T10:00:00Z"},{"externalId":"c2","parentId":"c1","name":"Sara","email":"sara@example.pk","body":"Agreed.","createdAt":"2026-06-10T11:00:00Z"},{"name":"Spammer","email":"s@spam.example","body":"buy","status":"spam"}]}

# comments and blank lines are ignored
{"title":"Élection partielle à Lahore","body":"Texte.","author":"Jérôme Lefèvre","lang":"fr"}
{"title":"","body":"no title"}
{"title":"Bad","body":"x","author":"A","slug":"Bad_Slug"}
{"title": broken
`
	items, err := editorclient.ParseJSONL(strings.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 5 {
		t.Fatalf("%d items", len(items))
	}
	if items[1].Article.Slug != "election-partielle-a-lahore" || items[1].Article.Author.Name != "Jérôme Lefèvre" || items[1].Article.Lang != "fr" {
		t.Errorf("item 2 %+v", items[1].Article)
	}
	if items[2].Skip != "empty title" || items[3].Skip != "invalid slug" || !strings.HasPrefix(items[4].Fail, "invalid JSON") || items[4].Source != "line 7" {
		t.Errorf("skips/fails: %+v %+v %+v", items[2], items[3], items[4])
	}

	s := newServer(t)
	sum, _ := runImport(t, s, items)
	if sum.Created != 2 || sum.CommentsImported != 2 || sum.CommentsSkipped["spam"] != 1 || len(sum.Failures) != 1 || len(sum.Skipped) != 2 {
		t.Fatalf("%+v", sum)
	}
	a := s.Article(t, "budget-day")
	if a.Author.Bio != "Economics editor" || a.PublishedAt.Format(time.RFC3339) != "2026-06-10T09:00:00Z" {
		t.Errorf("%+v", a)
	}
	cs := s.Comments(t)
	if cs[1].ParentID != cs[0].ID {
		t.Errorf("parent mapping: %+v", cs)
	}
	sum, _ = runImport(t, s, items)
	if sum.Created != 0 || sum.Unchanged != 2 || sum.CommentsImported != 0 || sum.CommentsPresent != 2 {
		t.Fatalf("re-run %+v", sum)
	}
}

// An editor deleted imported comments (a thread's first comment among
// them): the server answers their externalId with 409 duplicate_comment and
// no comment, so a re-run brings none of them back, and the replies already
// there stay where they are.
func TestImportReRunKeepsDeletedCommentsDeleted(t *testing.T) {
	s := newServer(t)
	items := loadWXR(t)
	runImport(t, s, items)
	c, _ := newClient(t, s)
	for _, cm := range s.Comments(t) {
		if cm.ExternalID == "wp:101:201" || cm.ExternalID == "wp:101:206" {
			if err := c.DeleteComment(context.Background(), cm.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	sum, _ := runImport(t, s, items)
	if len(sum.Failures) > 0 || sum.CommentsImported != 0 || sum.CommentsPresent != 5 {
		t.Fatalf("%+v", sum)
	}
	if n := len(s.Comments(t)); n != 3 {
		t.Fatalf("%d comments stored, want the 3 not deleted", n)
	}
}

// A comment whose externalId was deleted, and whose reply was never
// imported, cannot lend the reply a parent: the reply is reported, not
// hung from the article.
func TestImportReplyToDeletedComment(t *testing.T) {
	s := newServer(t)
	item := editorclient.ImportItem{Source: "line 1", Article: editorclient.ArticleInput{Title: "Thread", Body: "x", Slug: "thread", Author: editorclient.Author{Name: "A"}},
		Comments: []editorclient.ImportComment{{ExternalID: "p", Name: "N", Email: "n@example.org", Body: "parent", Status: "approved"}}}
	runImport(t, s, []editorclient.ImportItem{item})
	c, _ := newClient(t, s)
	if err := c.DeleteComment(context.Background(), s.Comments(t)[0].ID); err != nil {
		t.Fatal(err)
	}
	item.Comments = append(item.Comments, editorclient.ImportComment{ExternalID: "k", ParentExternalID: "p", Name: "M", Email: "m@example.org", Body: "reply", Status: "approved"})
	sum, _ := runImport(t, s, []editorclient.ImportItem{item})
	if sum.CommentsPresent != 1 || sum.CommentsImported != 0 || len(sum.Failures) != 1 ||
		sum.Failures[0].Reason != "comment k: not imported because its parent p was imported before but is not in the article's comment list (deleted?)" {
		t.Fatalf("%+v", sum)
	}
	if n := len(s.Comments(t)); n != 0 {
		t.Fatalf("%d comments stored", n)
	}
}

func TestParseWXRToleratesRealWorldDefects(t *testing.T) {
	src := "<?xml version=\"1.0\"?><rss xmlns:wp=\"http://wordpress.org/export/1.1/\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel><item>" +
		"<title>Caf&eacute;&nbsp;notes \x0b</title><wp:post_id>9</wp:post_id><wp:post_type>post</wp:post_type><wp:status>publish</wp:status>" +
		"<wp:post_name>cafe-notes</wp:post_name><content:encoded><![CDATA[Text\x01 here.]]></content:encoded></item></channel></rss>"
	items, err := editorclient.ParseWXR(strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].Skip != "" || items[0].Article.Title != "Café\u00a0notes" || items[0].Article.Body != "Text here.\n" {
		t.Fatalf("%+v", items)
	}
	if _, err := editorclient.ParseWXR(strings.NewReader("<rss><channel><item>")); err == nil {
		t.Error("truncated export accepted")
	}
}
