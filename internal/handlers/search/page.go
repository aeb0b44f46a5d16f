package search

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"hash/fnv"
	"slices"
	"time"

	"broadsheet/internal/search"
	"broadsheet/internal/searchindex"
)

// Paging a ranked list. Each page is cut from the ranking as it is when the
// page is asked for, minus the candidates earlier pages consumed; the cursor
// carries those as 32-bit hashes. So an article is never shown twice, even
// when the index changes between pages (articles still being indexed shift
// scores), and none that still matches is skipped: whatever now ranks above
// the old page boundary is on the next page.
const (
	// MaxSeen bounds the candidates one query's pages may consume, and with
	// it the cursor (4 bytes each): 400 is eight pages of 50.
	MaxSeen = 400
	// FilterWindow is how many unshown candidates a page of a phrase or
	// exclusion query checks against their text: one BatchGetItem.
	FilterWindow = 100
)

// seenSet holds the hashes of consumed candidates.
type seenSet map[uint32]struct{}

func hashID(id string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(id))
	return h.Sum32()
}

func (s seenSet) has(id string) bool { _, ok := s[hashID(id)]; return ok }

// encode is the sorted hashes, big-endian, base64url.
func (s seenSet) encode() string {
	hs := make([]uint32, 0, len(s))
	for h := range s {
		hs = append(hs, h)
	}
	slices.Sort(hs)
	b := make([]byte, 4*len(hs))
	for i, h := range hs {
		binary.BigEndian.PutUint32(b[4*i:], h)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeSeen(v string) (seenSet, error) {
	b, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil || len(b)%4 != 0 || len(b)/4 > MaxSeen {
		return nil, errors.New("bad seen set")
	}
	s := make(seenSet, len(b)/4)
	for i := 0; i < len(b); i += 4 {
		s[binary.BigEndian.Uint32(b[i:])] = struct{}{}
	}
	return s, nil
}

// pagePlan is the unit-testable part of a page: which candidates to fetch.
type pagePlan struct {
	fetch []string // candidates whose display records are read, in rank order
}

// planPage picks the next candidates: the best unseen ones, as many as the
// page shows, or a FilterWindow of them when each must be checked against its
// text. Never more than MaxSeen candidates are consumed in all.
func planPage(hits []search.Hit, seen seenSet, limit int, filtered bool) pagePlan {
	want := limit
	if filtered {
		want = FilterWindow
	}
	want = min(want, MaxSeen-len(seen))
	var p pagePlan
	for _, h := range hits {
		if len(p.fetch) >= want {
			break
		}
		if !seen.has(h.DocID) {
			p.fetch = append(p.fetch, h.DocID)
		}
	}
	return p
}

// pageResult is what a page shows and what it consumed.
type pageResult struct {
	shown []*searchindex.Doc
	more  bool // unseen candidates remain and the cursor may grow
}

// cutPage walks the fetched candidates in rank order, keeps those still
// published (as of now) that accept admits, until limit are kept, and marks
// every candidate it walked as seen (one not kept is not worth showing on a
// later page either). hits tells whether unseen candidates remain.
func cutPage(plan pagePlan, docs map[string]*searchindex.Doc, hits []search.Hit, seen seenSet, limit int, now time.Time, accept func(*searchindex.Doc) bool) pageResult {
	var r pageResult
	for _, id := range plan.fetch {
		if len(r.shown) >= limit {
			break
		}
		seen[hashID(id)] = struct{}{}
		d, ok := docs[id]
		if !ok || d.PublishedAt.IsZero() || d.PublishedAt.After(now) || !accept(d) {
			continue // deleted, unpublished since the postings were read, or filtered out
		}
		r.shown = append(r.shown, d)
	}
	if len(seen) < MaxSeen {
		for _, h := range hits {
			if !seen.has(h.DocID) {
				r.more = true
				break
			}
		}
	}
	return r
}
