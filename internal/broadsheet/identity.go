package broadsheet

import (
	"net/netip"
	"strings"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Canonical identities: one mailbox, one client, one text, however they are
// spelled. The flood limit, duplicate detection and returning-commenter trust
// key on these forms, so plus-tags, letter case, look-alike letters and
// invisible characters do not mint new identities.

// CanonicalMailbox is the mailbox an address delivers to: NFKC and case
// folded, the "+tag" of the local part dropped (every large provider
// delivers a+news@x to a@x), and for Gmail, which ignores dots in the local
// part and answers to googlemail.com too, dots dropped and one domain. ""
// when the address has no "@".
func CanonicalMailbox(addr string) string {
	addr = strings.ToLower(norm.NFKC.String(strings.TrimSpace(addr)))
	at := strings.LastIndexByte(addr, '@')
	if at <= 0 || at == len(addr)-1 {
		return addr
	}
	local, domain := addr[:at], strings.TrimSuffix(addr[at+1:], ".")
	if plus := strings.IndexByte(local, '+'); plus > 0 {
		local = local[:plus]
	}
	if domain == "googlemail.com" {
		domain = "gmail.com"
	}
	if domain == "gmail.com" {
		local = strings.ReplaceAll(local, ".", "")
	}
	return local + "@" + domain
}

// ClientKey is the flood-limit key of a client address: an IPv4 address as
// it is, an IPv6 address by its /64 (one subscriber's prefix: a client can
// rotate through 2^64 addresses in it), an IPv4-mapped IPv6 address as IPv4.
// Anything unparsable is used as given.
func ClientKey(ip string) string {
	a, err := netip.ParseAddr(strings.TrimSpace(ip))
	if err != nil {
		return strings.TrimSpace(ip)
	}
	a = a.Unmap().WithZone("")
	if a.Is4() {
		return a.String()
	}
	p, _ := a.Prefix(64)
	return p.String()
}

// dedupeFold is DedupeText's character step: compatibility forms unified
// (full-width letters, ligatures), case folded, and format characters that
// render as nothing removed (zero-width space and joiners, soft hyphen, bidi
// marks and embeddings, word joiner, BOM), so that a copy salted with them is
// still a copy.
func dedupeFold(s string) string {
	s = norm.NFKC.String(s)
	s = strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, s)
	return norm.NFKC.String(cases.Fold().String(s))
}
