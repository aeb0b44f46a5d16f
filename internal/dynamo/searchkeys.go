package dynamo

import (
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Search index keys. internal/searchindex writes and reads these items (their
// attributes are documented in docs/search.md); the keys live here with every
// other prefix of the table, because the indexer's IAM policy in template.yaml
// grants its writes by exactly these leading keys (TERM#*, SDOC#*, SUG#*,
// SSTAT#*) and the stream filter relies on none of them being ARTICLE#.
//
//	TERM#<term>       / #                      the term's df (sorts before every posting)
//	TERM#<term>       / <impact key>#<docId>   one posting
//	SDOC#<docId>      / DOC | TERMS | PENDING  display record, indexed state, write-ahead state
//	SSTAT#global      / SSTAT                  document count and field length sums
//	SUG#<2 letters>   / <word>#<docId>         type-ahead by title-word prefix
//	SUG#~<4 letters>  / <word>#<docId>         type-ahead with one typo (deletion neighbours)
const (
	prefixTerm      = "TERM#"
	prefixSearchDoc = "SDOC#"
	prefixSuggest   = "SUG#"

	// SKTermStats is the sort key of a term's df item.
	SKTermStats = "#"
	// SKSearchDoc, SKSearchTerms and SKSearchPending are the sort keys of a
	// document's display record, committed state and write-ahead state.
	SKSearchDoc     = "DOC"
	SKSearchTerms   = "TERMS"
	SKSearchPending = "PENDING"
	// SearchStatsPK and SearchStatsSK key the corpus statistics item.
	SearchStatsPK = "SSTAT#global"
	SearchStatsSK = "SSTAT"
)

// Key is an item key of the table (every key is a string pk and sk).
func Key(pk, sk string) map[string]types.AttributeValue { return key(pk, sk) }

// TermPK is the partition of a term: its df item and its postings.
func TermPK(term string) string { return prefixTerm + term }

// TermOfPK is the term a TermPK partition belongs to.
func TermOfPK(pk string) (term string, ok bool) { return strings.CutPrefix(pk, prefixTerm) }

// PostingSK is a posting's sort key: ascending impact keys are descending
// impacts, ties by document id.
func PostingSK(impactKey, docID string) string { return impactKey + "#" + docID }

// SplitPostingSK reads a PostingSK; ok is false for the df item's sort key.
func SplitPostingSK(sk string) (impactKey, docID string, ok bool) {
	impactKey, docID, ok = strings.Cut(sk, "#")
	return impactKey, docID, ok && impactKey != ""
}

// SearchDocPK is the partition of one indexed document's DOC, TERMS and
// PENDING items.
func SearchDocPK(docID string) string { return prefixSearchDoc + docID }

// SuggestPK is the type-ahead partition of a word's first letters.
func SuggestPK(prefix string) string { return prefixSuggest + prefix }

// TypoSuggestPK is the type-ahead partition of a deletion neighbour.
func TypoSuggestPK(neighbour string) string { return prefixSuggest + "~" + neighbour }

// SuggestSK is a type-ahead item's sort key: begins_with on it is a prefix
// search over the partition's words.
func SuggestSK(word, docID string) string { return word + "#" + docID }
