package searchindex

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"

	"broadsheet/internal/search"
)

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
