package broadsheet

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// TestArticleImageValidation: the lead image as an editor sends it (real
// JSON), and the field each mistake is reported on.
func TestArticleImageValidation(t *testing.T) {
	for _, tc := range []struct {
		name  string
		image string // the "image" member of the request
		want  *Image // nil: no image
		field string // the field named by the error; "" when valid
	}{
		{"absent", ``, nil, ""},
		{"null means none", `null`, nil, ""},
		{"url and alt", `{"url":"https://cdn.example.com/2026/11/talks.jpg","alt":"Delegates at the table"}`,
			&Image{URL: "https://cdn.example.com/2026/11/talks.jpg", Alt: "Delegates at the table"}, ""},
		{"everything, trimmed", `{"url":" https://cdn.example.com/a.jpg?w=1200 ","alt":" Delegates ","credit":" Photo: Reuters ","width":1200,"height":800}`,
			&Image{URL: "https://cdn.example.com/a.jpg?w=1200", Alt: "Delegates", Credit: "Photo: Reuters", Width: 1200, Height: 800}, ""},
		{"a port and an IDN host", `{"url":"https://médias.example.pk:8443/a.jpg","alt":"x"}`,
			&Image{URL: "https://médias.example.pk:8443/a.jpg", Alt: "x"}, ""},
		{"no url", `{"alt":"Delegates"}`, nil, "image.url"},
		{"http", `{"url":"http://cdn.example.com/a.jpg","alt":"x"}`, nil, "image.url"},
		{"javascript", `{"url":"javascript:alert(1)","alt":"x"}`, nil, "image.url"},
		{"data URL", `{"url":"data:image/png;base64,iVBORw0KGgo=","alt":"x"}`, nil, "image.url"},
		{"relative", `{"url":"/media/a.jpg","alt":"x"}`, nil, "image.url"},
		{"scheme-relative", `{"url":"//cdn.example.com/a.jpg","alt":"x"}`, nil, "image.url"},
		{"no host", `{"url":"https:///a.jpg","alt":"x"}`, nil, "image.url"},
		{"opaque", `{"url":"https:cdn.example.com/a.jpg","alt":"x"}`, nil, "image.url"},
		{"credentials", `{"url":"https://user:pass@cdn.example.com/a.jpg","alt":"x"}`, nil, "image.url"},
		{"fragment", `{"url":"https://cdn.example.com/a.jpg#top","alt":"x"}`, nil, "image.url"},
		{"space", `{"url":"https://cdn.example.com/a b.jpg","alt":"x"}`, nil, "image.url"},
		{"newline", `{"url":"https://cdn.example.com/a.jpg\n<script>","alt":"x"}`, nil, "image.url"},
		{"markup", `{"url":"https://cdn.example.com/a.jpg?x=\"><script>alert(1)</script>","alt":"x"}`, nil, "image.url"},
		{"backslash", `{"url":"https://cdn.example.com\\@evil.example/a.jpg","alt":"x"}`, nil, "image.url"},
		{"too long", `{"url":"https://cdn.example.com/` + strings.Repeat("a", 2030) + `","alt":"x"}`, nil, "image.url"},
		{"no alt", `{"url":"https://cdn.example.com/a.jpg"}`, nil, "image.alt"},
		{"empty alt", `{"url":"https://cdn.example.com/a.jpg","alt":"  "}`, nil, "image.alt"},
		{"alt too long", `{"url":"https://cdn.example.com/a.jpg","alt":"` + strings.Repeat("a", 421) + `"}`, nil, "image.alt"},
		{"alt with a control character", `{"url":"https://cdn.example.com/a.jpg","alt":"a\u0007b"}`, nil, "image.alt"},
		{"credit too long", `{"url":"https://cdn.example.com/a.jpg","alt":"x","credit":"` + strings.Repeat("c", 201) + `"}`, nil, "image.credit"},
		{"zero width", `{"url":"https://cdn.example.com/a.jpg","alt":"x","width":0,"height":800}`, nil, "image.width"},
		{"negative height", `{"url":"https://cdn.example.com/a.jpg","alt":"x","width":1200,"height":-1}`, nil, "image.height"},
		{"huge width", `{"url":"https://cdn.example.com/a.jpg","alt":"x","width":20001,"height":800}`, nil, "image.width"},
		{"width without height", `{"url":"https://cdn.example.com/a.jpg","alt":"x","width":1200}`, nil, "image.height"},
		{"height without width", `{"url":"https://cdn.example.com/a.jpg","alt":"x","height":800}`, nil, "image.width"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := `{"title":"Talks","body":"Text.","author":{"name":"Ayesha Khan"}`
			if tc.image != "" {
				body += `,"image":` + tc.image
			}
			var in ArticleInput
			if err := json.Unmarshal([]byte(body+"}"), &in); err != nil {
				t.Fatal(err)
			}
			in.Normalize()
			err := in.Validate()
			if tc.field != "" {
				var e *Error
				if ErrorCode(err) != CodeValidation || !errors.As(err, &e) || e.Fields[tc.field] == "" {
					t.Fatalf("Validate() = %v, want validation_failed naming %s", err, tc.field)
				}
				return
			}
			if err != nil {
				t.Fatalf("Validate() = %v", err)
			}
			if got := in.LeadImage(); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("LeadImage() = %+v, want %+v", got, tc.want)
			}
		})
	}
}
