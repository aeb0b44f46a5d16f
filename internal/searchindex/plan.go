package searchindex

import (
	"fmt"
	"sort"
	"strings"

	"broadsheet/internal/search"
)

// Decision is what a change asks of the index, judged from what is stored.
type Decision int

const (
	// Skip: the change is applied already, or older than what is applied, or
	// a newer change is half applied (its retry finishes it).
	Skip Decision = iota
	// RefreshCommentCount: the applied version arrived again with another
	// comment count (comment approvals do not bump the version).
	RefreshCommentCount
	// Index: plan the change (PlanChange) and execute it.
	Index
)

// Decide judges a change against what is stored.
func Decide(ch Change, stored Stored) Decision {
	if c := stored.Committed; c != nil && c.Seq >= ch.Seq {
		if c.Seq == ch.Seq && stored.Doc != nil && ch.Article.Indexable() && stored.Doc.CommentCount != ch.Article.CommentCount {
			return RefreshCommentCount
		}
		return Skip
	}
	if p := stored.Pending; p != nil && p.Seq > ch.Seq {
		return Skip
	}
	return Index
}

// IndexTerms are the terms whose df PlanChange needs (none for a change that
// removes the document from the index).
func IndexTerms(a *Article) []string {
	if !a.Indexable() {
		return nil
	}
	raw, _, _ := search.BuildPostings(searchDocument(a))
	terms := make([]string, len(raw))
	for i, tp := range raw {
		terms[i] = tp.Term
	}
	return terms
}

func searchDocument(a *Article) search.Document {
	return search.Document{ID: a.ID, Title: a.Title, Body: a.Text, PublishedAt: a.PublishedAt, Tags: a.Tags, Author: a.AuthorKey, Lang: a.Lang}
}

// Plan is the work of one change, in the order it must be done. Each step is
// safe to repeat, and a retry of the same change plans the same posting keys,
// so an execution that dies after any step converges when it is run again:
//
//  1. WriteAhead (nil on a retry: PENDING already holds this change);
//  2. Deletes, then Puts: each posting write with its df change, exactly once;
//  3. Refresh: overwrites and suggest items, idempotent, no counters (puts
//     that step 2 found already applied are overwritten here too);
//  4. Commit: conditioned on TERMS' sequence, so Stats move once per change.
type Plan struct {
	DocID      string
	WriteAhead *State
	Deletes    []PostingWrite // sorted by term, then key
	Puts       []PostingWrite // sorted by term
	Refresh    Refresh
	Commit     Commit
}

// PlanChange plans a change that Decide judged Index. corpus holds the global
// statistics and the df of IndexTerms(ch.Article) as stored now (including
// this document's committed version, which the plan leaves out).
//
// Invariants, for any stored state an earlier attempt left:
//   - every posting that may exist (committed, or of an abandoned attempt at
//     another change) and is not in the target is deleted;
//   - every target posting not committed is put, under the key PENDING holds
//     when this change is being retried;
//   - so after the plan, df of each term = its number of postings, and the
//     document's postings are exactly the target's.
func PlanChange(ch Change, stored Stored, corpus search.Stats) *Plan {
	committed := stored.Committed
	if committed == nil {
		committed = &State{Terms: map[string]TermState{}}
	}
	resume := stored.Pending != nil && stored.Pending.Seq == ch.Seq
	abandoned := stored.Pending
	if resume {
		abandoned = nil
	}

	target := &State{Seq: ch.Seq, Terms: map[string]TermState{}}
	postings := map[string]search.Posting{}
	var doc *Doc
	var sugItems map[string]SuggestItem
	if a := ch.Article; a.Indexable() {
		tps, titleLen, bodyLen := prepare(a, committed, corpus)
		target.Indexed, target.TitleLen, target.BodyLen = true, titleLen, bodyLen
		for _, tp := range tps {
			k := search.FormatImpactKey(tp.Impact)
			if old, ok := committed.Terms[tp.Term]; ok && old.A == tp.TitleTF && old.B == tp.BodyTF &&
				committed.TitleLen == titleLen && committed.BodyLen == bodyLen {
				k = old.Key // unchanged scoring data: keep the posting where it is
			}
			if resume {
				if pk, ok := stored.Pending.Terms[tp.Term]; ok {
					k = pk.Key // the failed attempt's keys: its writes are met, not duplicated
				}
			}
			p := tp.Posting
			if u, err := keyImpact(k); err == nil {
				p.Impact = u
			}
			target.Terms[tp.Term] = TermState{Key: k, A: tp.TitleTF, B: tp.BodyTF}
			postings[tp.Term] = p
			if target.DocHash == "" {
				target.DocHash = docHash(p)
			}
		}
		target.Sug, target.SugHash, sugItems = suggestItems(a)
		doc = docRecord(a, ch.Seq)
	}

	p := &Plan{DocID: ch.ID}
	if !resume {
		p.WriteAhead = target
	}
	p.Deletes = postingDeletes(ch.ID, committed, abandoned, target)
	p.Puts, p.Refresh.Postings = postingPuts(ch.ID, committed, abandoned, target, postings)
	p.Refresh.SuggestDeletes, p.Refresh.SuggestPuts = suggestDiff(committed, abandoned, target, sugItems, resume)
	p.Commit = Commit{DocID: ch.ID, State: target, Doc: doc, Stats: statsDelta(committed, target)}
	return p
}

// postingDeletes are the postings that may exist and are not in the target.
func postingDeletes(docID string, committed, abandoned, target *State) []PostingWrite {
	var mayExist []PostingWrite
	for t, ts := range committed.Terms {
		mayExist = append(mayExist, PostingWrite{Term: t, Key: ts.Key, DocID: docID, Delete: true})
	}
	if abandoned != nil {
		for t, ts := range abandoned.Terms {
			if c, ok := committed.Terms[t]; !ok || c.Key != ts.Key {
				mayExist = append(mayExist, PostingWrite{Term: t, Key: ts.Key, DocID: docID, Delete: true})
			}
		}
	}
	sort.Slice(mayExist, func(i, j int) bool {
		if mayExist[i].Term != mayExist[j].Term {
			return mayExist[i].Term < mayExist[j].Term
		}
		return mayExist[i].Key < mayExist[j].Key
	})
	var deletes []PostingWrite
	for _, e := range mayExist {
		if t, ok := target.Terms[e.Term]; ok && t.Key == e.Key {
			continue
		}
		deletes = append(deletes, e)
	}
	return deletes
}

// postingPuts are the target postings not committed (counted puts) and the
// committed ones under an unchanged key whose content changed (overwrites).
// A committed posting that an abandoned attempt may have deleted (it did not
// keep the term under the same key) is put counted as well: if it still
// exists the put is found applied and becomes an overwrite, and if it does
// not, an uncounted overwrite would bring it back without its df.
func postingPuts(docID string, committed, abandoned, target *State, postings map[string]search.Posting) (puts, overwrites []PostingWrite) {
	terms := make([]string, 0, len(target.Terms))
	for t := range target.Terms {
		terms = append(terms, t)
	}
	sort.Strings(terms)
	for _, t := range terms {
		ts := target.Terms[t]
		w := PostingWrite{Term: t, Key: ts.Key, DocID: docID, Posting: postings[t]}
		if old, ok := committed.Terms[t]; ok && old.Key == ts.Key && keptBy(abandoned, t, ts.Key) {
			if old.A != ts.A || old.B != ts.B || committed.DocHash != target.DocHash {
				overwrites = append(overwrites, w)
			}
			continue
		}
		puts = append(puts, w)
	}
	return puts, overwrites
}

// keptBy reports whether an abandoned attempt (if any) left the posting of
// term under key alone.
func keptBy(abandoned *State, term, key string) bool {
	if abandoned == nil {
		return true
	}
	ts, ok := abandoned.Terms[term]
	return ok && ts.Key == key
}

// suggestDiff deletes the suggest items that may exist and are not in the
// target, and puts the target's new items (all of them when their content
// changed, on a retry, which cannot know how far the last attempt got, or
// after an abandoned attempt, which may have deleted committed ones).
func suggestDiff(committed, abandoned, target *State, items map[string]SuggestItem, resume bool) (deletes []string, puts []SuggestItem) {
	targetSug := map[string]bool{}
	for _, k := range target.Sug {
		targetSug[k] = true
	}
	oldSug := map[string]bool{}
	for _, k := range committed.Sug {
		oldSug[k] = true
	}
	if abandoned != nil {
		for _, k := range abandoned.Sug {
			oldSug[k] = true
		}
	}
	for k := range oldSug {
		if !targetSug[k] {
			deletes = append(deletes, k)
		}
	}
	sort.Strings(deletes)
	for _, k := range target.Sug {
		if !oldSug[k] || committed.SugHash != target.SugHash || resume || abandoned != nil {
			puts = append(puts, items[k])
		}
	}
	return deletes, puts
}

// statsDelta moves the global statistics from the committed state to the target.
func statsDelta(committed, target *State) StatsDelta {
	var d StatsDelta
	if committed.Indexed {
		d = StatsDelta{-1, -int64(committed.TitleLen), -int64(committed.BodyLen)}
	}
	if target.Indexed {
		d.Docs, d.TitleLen, d.BodyLen = d.Docs+1, d.TitleLen+int64(target.TitleLen), d.BodyLen+int64(target.BodyLen)
	}
	return d
}

// prepare analyses the article with the corpus statistics, leaving its own
// committed version out of them.
func prepare(a *Article, committed *State, corpus search.Stats) ([]search.TermPosting, int, int) {
	st := corpus
	st.DocFreq = make(map[string]int, len(corpus.DocFreq))
	for t, n := range corpus.DocFreq {
		st.DocFreq[t] = n
	}
	if committed.Indexed {
		st.Docs--
		st.TitleLenSum -= int64(committed.TitleLen)
		st.BodyLenSum -= int64(committed.BodyLen)
		for t := range committed.Terms {
			if _, ok := st.DocFreq[t]; ok {
				st.DocFreq[t] = max(0, st.DocFreq[t]-1)
			}
		}
	}
	st.Docs = max(0, st.Docs)
	return search.PrepareIndex(searchDocument(a), st, st.DocFreq)
}

func keyImpact(k string) (float64, error) {
	var u uint32
	_, err := fmt.Sscan(k, &u)
	return search.ImpactFromKey(u), err
}

// docRecord is the DOC record: what a result and its snippet show.
func docRecord(a *Article, seq int64) *Doc {
	text := a.Text
	if len(text) > MaxTextBytes {
		text = strings.ToValidUTF8(text[:MaxTextBytes], "")
	}
	return &Doc{
		ID: a.ID, Slug: a.Slug, Title: a.Title, Summary: a.Summary, AuthorName: a.AuthorName,
		Tags: a.Tags, PublishedAt: a.PublishedAt, PublishedAtRaw: a.PublishedAtRaw,
		CommentCount: a.CommentCount, Text: text, Seq: seq, Lang: a.Lang,
	}
}
