package broadsheet

import "testing"

func TestCanonicalMailbox(t *testing.T) {
	for in, want := range map[string]string{
		" Ayesha@Example.COM ":     "ayesha@example.com",
		"ayesha+news@example.com":  "ayesha@example.com",
		"ayesha+a+b@example.com":   "ayesha@example.com",
		"A.Yesha+x@GoogleMail.com": "ayesha@gmail.com",
		"a.yesha@gmail.com":        "ayesha@gmail.com",
		"a.yesha@example.com":      "a.yesha@example.com", // dots matter outside Gmail
		"ａｙｅｓｈａ@example.com":       "ayesha@example.com",  // full-width letters
		"+tag@example.com":         "+tag@example.com",    // no local part left: kept
		"ayesha@example.com.":      "ayesha@example.com",
		"not-an-address":           "not-an-address",
		"":                         "",
	} {
		if got := CanonicalMailbox(in); got != want {
			t.Errorf("CanonicalMailbox(%q) = %q, want %q", in, got, want)
		}
	}
}

// One mailbox is one identity for the flood limit and duplicates.
func TestEmailHashIsPerMailbox(t *testing.T) {
	id, _ := NewIdentity([]byte("0123456789abcdef0123456789abcdef"))
	if id.Email("sara+1@example.com") != id.Email("SARA+2@Example.com") {
		t.Error("plus-tags made two identities of one mailbox")
	}
	if id.Email("sara@example.com") == id.Email("omar@example.com") {
		t.Error("two mailboxes share an identity")
	}
}

func TestClientKey(t *testing.T) {
	for in, want := range map[string]string{
		"203.0.113.10":                     "203.0.113.10",
		"2001:db8:1:2:3:4:5:6":             "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff:ffff:ffff:ffff": "2001:db8:1:2::/64",
		"2001:db8:1:3::1":                  "2001:db8:1:3::/64",
		"::ffff:203.0.113.10":              "203.0.113.10",
		"fe80::1%eth0":                     "fe80::/64",
		" 198.51.100.7 ":                   "198.51.100.7",
		"unknown":                          "unknown",
	} {
		if got := ClientKey(in); got != want {
			t.Errorf("ClientKey(%q) = %q, want %q", in, got, want)
		}
	}
	id, _ := NewIdentity([]byte("0123456789abcdef0123456789abcdef"))
	if id.ClientAddress("2001:db8::1") != id.ClientAddress("2001:db8::2") {
		t.Error("two addresses of one /64 are two flood identities")
	}
}

// Copies salted with invisible or look-alike characters are still copies.
func TestDedupeTextIgnoresInvisibleAndCompatibilityForms(t *testing.T) {
	base := BodyFingerprint("Great article, thanks")
	for _, salted := range []string{
		"Great\u200b article, thanks",       // zero-width space
		"Gre\u00adat article, thanks",       // soft hyphen
		"\u200fGreat article, thanks\u200e", // bidi marks
		"Ｇｒｅａｔ article, thanks",             // full-width letters
		"Great\u2060 article,\ufeff thanks", // word joiner, BOM
		"Great \u202aarticle\u202c, thanks", // bidi embedding
		"Great article, thanks",             // no-break space
	} {
		if BodyFingerprint(salted) != base {
			t.Errorf("%q is not a duplicate (dedupe text %q)", salted, DedupeText(salted))
		}
	}
}
