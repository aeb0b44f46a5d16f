package broadsheet

import (
	"strings"
	"testing"
)

func validInput() CommentInput {
	return CommentInput{Name: "Ayesha", Email: "ayesha@example.com", Body: "A thoughtful comment."}
}

func TestCommentInputValidate(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(in *CommentInput)
		field string // "" means valid
	}{
		{"a plain comment is valid", func(in *CommentInput) {}, ""},
		{"website and parent are optional", func(in *CommentInput) {
			in.Website, in.ParentID = "https://example.org/me", "01JD0000000000000000000000"
		}, ""},
		{"name is required", func(in *CommentInput) { in.Name = "  " }, "name"},
		{"name at 100 characters is fine", func(in *CommentInput) { in.Name = strings.Repeat("é", 100) }, ""},
		{"name over 100 characters", func(in *CommentInput) { in.Name = strings.Repeat("a", 101) }, "name"},
		{"name with a newline", func(in *CommentInput) { in.Name = "Ay\nesha" }, "name"},
		{"name with NUL", func(in *CommentInput) { in.Name = "Ay\x00esha" }, "name"},
		{"email is required", func(in *CommentInput) { in.Email = "" }, "email"},
		{"email without @", func(in *CommentInput) { in.Email = "ayesha.example.com" }, "email"},
		{"email without a dot in the domain", func(in *CommentInput) { in.Email = "ayesha@localhost" }, "email"},
		{"email in display-name form", func(in *CommentInput) { in.Email = "Ayesha <ayesha@example.com>" }, "email"},
		{"email with a comment", func(in *CommentInput) { in.Email = "ayesha@example.com (me)" }, "email"},
		{"email over 254 characters", func(in *CommentInput) { in.Email = strings.Repeat("a", 60) + "@" + strings.Repeat("b", 190) + ".com" }, "email"},
		{"email with a control character", func(in *CommentInput) { in.Email = "ay\x01esha@example.com" }, "email"},
		{"email with a trailing dot domain", func(in *CommentInput) { in.Email = "ayesha@example.com." }, "email"},
		{"email with a plus is fine", func(in *CommentInput) { in.Email = "ayesha+news@mail.example.co.uk" }, ""},
		{"website must be http or https", func(in *CommentInput) { in.Website = "javascript:alert(1)" }, "website"},
		{"website ftp", func(in *CommentInput) { in.Website = "ftp://example.org" }, "website"},
		{"website needs a host", func(in *CommentInput) { in.Website = "https://" }, "website"},
		{"website relative", func(in *CommentInput) { in.Website = "example.org" }, "website"},
		{"website with credentials", func(in *CommentInput) { in.Website = "https://user:pw@example.org" }, "website"},
		{"website over 200 characters", func(in *CommentInput) { in.Website = "https://example.org/" + strings.Repeat("a", 181) }, "website"},
		{"website unparseable", func(in *CommentInput) { in.Website = "http://[::1" }, "website"},
		{"body is required", func(in *CommentInput) { in.Body = "" }, "body"},
		{"body of one character", func(in *CommentInput) { in.Body = "!" }, ""},
		{"body at 5000 characters", func(in *CommentInput) { in.Body = strings.Repeat("ü", 5000) }, ""},
		{"body over 5000 characters", func(in *CommentInput) { in.Body = strings.Repeat("a", 5001) }, "body"},
		{"body may have newlines and tabs", func(in *CommentInput) { in.Body = "line one\n\tline two" }, ""},
		{"body with NUL", func(in *CommentInput) { in.Body = "bad\x00body" }, "body"},
		{"body with a control character", func(in *CommentInput) { in.Body = "bell\x07" }, "body"},
		{"body with invalid UTF-8", func(in *CommentInput) { in.Body = "bad \xff" }, "body"},
		{"parentId that is not an id", func(in *CommentInput) { in.ParentID = "../../etc" }, "parentId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := validInput()
			tt.edit(&in)
			in.Normalize()
			err := in.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			e, ok := err.(*Error)
			if !ok || e.Code != CodeValidation || e.Fields[tt.field] == "" {
				t.Fatalf("want validation_failed on %s, got %#v", tt.field, err)
			}
			if in.Email != "" && strings.Contains(e.Message+strings.Join(sortedValues(e.Fields), ""), in.Email) {
				t.Fatalf("error message repeats the email: %q", e.Message)
			}
		})
	}
}

func sortedValues(m map[string]string) []string {
	var out []string
	for _, k := range sortedKeys(m) {
		out = append(out, m[k])
	}
	return out
}

func TestCommentInputNormalize(t *testing.T) {
	in := CommentInput{
		Name: "  Zoe\u0301 ", Email: " zoe@example.com\t", Website: " https://zoe.example ",
		Body: "\r\n  Cafe\u0301 au lait\r\nsecond line  \n", ParentID: " 01JD0000000000000000000000 ", URL2: " ",
	}
	in.Normalize()
	want := CommentInput{
		Name: "Zoé", Email: "zoe@example.com", Website: "https://zoe.example",
		Body: "Café au lait\nsecond line", ParentID: "01JD0000000000000000000000",
	}
	if in != want {
		t.Fatalf("Normalize:\n got %#v\nwant %#v", in, want)
	}
	if in.Honeypot() {
		t.Fatal("a blank honeypot is not filled")
	}
}

func TestCountLinks(t *testing.T) {
	tests := []struct {
		body string
		want int
	}{
		{"no links here, just example.com", 0},
		{"see https://example.org/a", 1},
		{"HTTP://A.EXAMPLE and www.b.example", 2},
		{"http://a.example http://b.example https://c.example", 3},
		{"mailto:x@example.com is not a link we count", 0},
	}
	for _, tt := range tests {
		if got := CountLinks(tt.body); got != tt.want {
			t.Errorf("CountLinks(%q) = %d, want %d", tt.body, got, tt.want)
		}
	}
}

func TestModerationDecide(t *testing.T) {
	tests := []struct {
		policy           Moderation
		facts            ModerationFacts
		stored, answered CommentStatus
	}{
		{ModerateFirstTime, ModerationFacts{}, CommentPending, CommentPending},
		{ModerateFirstTime, ModerationFacts{Returning: true}, CommentApproved, CommentApproved},
		{ModerateFirstTime, ModerationFacts{Returning: true, Links: 2}, CommentApproved, CommentApproved},
		{ModerateFirstTime, ModerationFacts{Returning: true, Links: 3}, CommentPending, CommentPending},
		{ModerateAll, ModerationFacts{Returning: true}, CommentPending, CommentPending},
		{ModerateNone, ModerationFacts{}, CommentApproved, CommentApproved},
		{ModerateNone, ModerationFacts{Links: 3}, CommentPending, CommentPending},
		// The honeypot wins over everything and is answered like a pending comment.
		{ModerateNone, ModerationFacts{Honeypot: true, Returning: true}, CommentSpam, CommentPending},
		{ModerateAll, ModerationFacts{Honeypot: true}, CommentSpam, CommentPending},
	}
	for _, tt := range tests {
		stored, answered := tt.policy.Decide(tt.facts)
		if stored != tt.stored || answered != tt.answered {
			t.Errorf("%s %+v: got (%s, %s), want (%s, %s)", tt.policy, tt.facts, stored, answered, tt.stored, tt.answered)
		}
	}
}

func TestParseModeration(t *testing.T) {
	for in, want := range map[string]Moderation{"": ModerateFirstTime, "all": ModerateAll, "none": ModerateNone, " first-time ": ModerateFirstTime} {
		if got, err := ParseModeration(in); err != nil || got != want {
			t.Errorf("ParseModeration(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseModeration("some"); err == nil {
		t.Error("an unknown policy must be refused")
	}
}

func TestDedupeTextAndFingerprint(t *testing.T) {
	same := []string{"Great  Article!", "great article!", "GREAT\n\tarticle!", "  Great Article!  "}
	for _, s := range same {
		if BodyFingerprint(s) != BodyFingerprint(same[0]) {
			t.Errorf("%q should count as a duplicate of %q (dedupe text %q)", s, same[0], DedupeText(s))
		}
	}
	if BodyFingerprint("Cafe\u0301") != BodyFingerprint("CAFÉ") {
		t.Error("NFC and case folding should make café forms equal")
	}
	if BodyFingerprint("Straße") != BodyFingerprint("STRASSE") {
		t.Error("full case folding should make ß equal ss")
	}
	if BodyFingerprint("great article") == BodyFingerprint("great article!") {
		t.Error("different text must differ")
	}
}

func TestIdentity(t *testing.T) {
	id, err := NewIdentity([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	other, _ := NewIdentity([]byte("another-secret-0123456789abcdef0"))
	if id.Email(" Ayesha@Example.COM ") != id.Email("ayesha@example.com") {
		t.Error("email hashes must ignore case and surrounding space")
	}
	h := id.Email("ayesha@example.com")
	if len(h) != 64 || strings.Contains(h, "ayesha") {
		t.Errorf("email hash %q should be 64 hex digits", h)
	}
	if other.Email("ayesha@example.com") == h {
		t.Error("hashes must depend on the secret")
	}
	if id.ClientAddress("ayesha@example.com") == h {
		t.Error("hashes of different kinds must not collide")
	}
	if id.IdempotencyKey("a", "bc") == id.IdempotencyKey("ab", "c") {
		t.Error("idempotency hashes must separate slug and key")
	}
	if id.Email("") != "" {
		t.Error("no email, no hash")
	}
	if _, err := NewIdentity([]byte("short")); err == nil {
		t.Error("a short secret must be refused")
	}
}

func TestValidIdempotencyKey(t *testing.T) {
	for k, want := range map[string]bool{
		"abc-123":                 true,
		"":                        false,
		strings.Repeat("k", 200):  true,
		strings.Repeat("k", 201):  false,
		"tab\there":               false,
		"caf\u00e9":               false,
		"5f0c7e9a-2b1d-4c7e-9a3b": true,
	} {
		if got := ValidIdempotencyKey(k); got != want {
			t.Errorf("ValidIdempotencyKey(%q) = %v, want %v", k, got, want)
		}
	}
}
