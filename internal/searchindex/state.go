package searchindex

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"broadsheet/internal/dynamo"
	"broadsheet/internal/search"
)

// termState is what the index holds for one term of a document: the impact
// key of its posting (so the posting can be found and deleted) and the tf per
// field (so an edit that leaves them unchanged keeps the posting's key).
type termState struct {
	Key  string
	A, B int
}

// state is what is (TERMS) or is about to be (PENDING) indexed for a document.
type state struct {
	Seq               int64
	Indexed           bool
	TitleLen, BodyLen int
	DocHash           string // hash of the document-level posting content
	Terms             map[string]termState
	Sug               []string // suggest item keys, "pk sk"
	SugHash           string   // hash of the suggest items' content
}

func (st *state) item(docID, sk string) map[string]types.AttributeValue {
	terms := make([]string, 0, len(st.Terms))
	for t := range st.Terms {
		terms = append(terms, t)
	}
	sort.Strings(terms)
	var b strings.Builder
	for i, t := range terms {
		ts := st.Terms[t]
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t + ":" + ts.Key + ":" + strconv.Itoa(ts.A) + ":" + strconv.Itoa(ts.B))
	}
	it := dynamo.Key(dynamo.SearchDocPK(docID), sk)
	it["seq"] = n(st.Seq)
	it["indexed"] = &types.AttributeValueMemberBOOL{Value: st.Indexed}
	it["tl"], it["bl"] = n(int64(st.TitleLen)), n(int64(st.BodyLen))
	it["dh"], it["sh"] = s(st.DocHash), s(st.SugHash)
	it["t"] = s(b.String())
	it["sug"] = list(st.Sug)
	return it
}

func stateFrom(it map[string]types.AttributeValue) *state {
	if it == nil {
		return nil
	}
	st := &state{
		Seq: getN(it, "seq"), TitleLen: int(getN(it, "tl")), BodyLen: int(getN(it, "bl")),
		DocHash: getS(it, "dh"), SugHash: getS(it, "sh"), Sug: getList(it, "sug"),
		Terms: map[string]termState{},
	}
	if v, ok := it["indexed"].(*types.AttributeValueMemberBOOL); ok {
		st.Indexed = v.Value
	}
	for _, f := range splitWords(getS(it, "t")) {
		parts := strings.Split(f, ":")
		if len(parts) != 4 {
			continue
		}
		a, _ := strconv.Atoi(parts[2])
		bb, _ := strconv.Atoi(parts[3])
		st.Terms[parts[0]] = termState{Key: parts[1], A: a, B: bb}
	}
	return st
}

// docHash fingerprints what every posting of a document repeats.
func docHash(p search.Posting) string {
	h := sha256.New()
	h.Write([]byte(strconv.FormatInt(p.PublishedAt, 10) + "\x00" + strings.Join(p.Tags, " ") + "\x00" + p.Author + "\x00" +
		strconv.Itoa(p.TitleLen) + "\x00" + strconv.Itoa(p.BodyLen) + "\x00" + search.EncodeSignature(p.Signature)))
	return hex.EncodeToString(h.Sum(nil)[:8])
}

func hashStrings(vs ...string) string {
	h := sha256.New()
	for _, v := range vs {
		h.Write([]byte(v))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// postingItem is the stored form of one posting.
func postingItem(term, impactKey string, p search.Posting) map[string]types.AttributeValue {
	it := dynamo.Key(dynamo.TermPK(term), dynamo.PostingSK(impactKey, p.DocID))
	it["d"] = s(p.DocID)
	it["a"], it["b"] = n(int64(p.TitleTF)), n(int64(p.BodyTF))
	it["tl"], it["bl"] = n(int64(p.TitleLen)), n(int64(p.BodyLen))
	it["p"] = n(p.PublishedAt)
	if len(p.Tags) > 0 {
		it["g"] = s(strings.Join(p.Tags, " "))
	}
	if p.Author != "" {
		it["u"] = s(p.Author)
	}
	if len(p.Signature) > 0 {
		it["s"] = s(search.EncodeSignature(p.Signature))
	}
	return it
}

// postingFrom decodes a posting item; ok is false for the stats item.
func postingFrom(it map[string]types.AttributeValue) (search.Posting, bool) {
	sk := getS(it, "sk")
	i := strings.IndexByte(sk, '#')
	if i <= 0 {
		return search.Posting{}, false
	}
	k, err := strconv.ParseUint(sk[:i], 10, 32)
	if err != nil {
		return search.Posting{}, false
	}
	p := search.Posting{
		DocID:   getS(it, "d"),
		TitleTF: int(getN(it, "a")), BodyTF: int(getN(it, "b")),
		TitleLen: int(getN(it, "tl")), BodyLen: int(getN(it, "bl")),
		PublishedAt: getN(it, "p"),
		Impact:      search.ImpactFromKey(uint32(k)),
		Tags:        splitWords(getS(it, "g")),
		Author:      getS(it, "u"),
		Signature:   search.DecodeSignature(getS(it, "s")),
	}
	return p, true
}
