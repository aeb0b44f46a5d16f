// Package searchindex keeps the search index in the application's DynamoDB
// table and reads it with a fixed number of round trips. See docs/search.md
// for the item layout and its costs.
//
// A change is decided and planned by pure functions (plan.go: Decide,
// PlanChange) and executed by Writer over the storage contract (store.go:
// Store, ReadStore), which DynamoStore (dynamostore.go) implements on the
// table and memstore.SearchIndex in memory; storetest.RunSearchIndex is the
// one suite both pass.
//
// Items (their keys are built by internal/dynamo/searchkeys.go, beside every
// other prefix of the table; every leading key is one the indexer's IAM
// policy grants):
//
//	TERM#<term>   / #                       df: documents holding the term (sorts first)
//	TERM#<term>   / <impact key>#<docId>    one posting: tf per field, field lengths,
//	                                         publishedAt, tags, author key, signature
//	SDOC#<docId>  / DOC                     display data of an indexed article (results, snippets)
//	SDOC#<docId>  / TERMS                   what is indexed: sequence, term → impact key, suggest keys
//	SDOC#<docId>  / PENDING                 write-ahead copy of the state being applied
//	SSTAT#global  / SSTAT                   document count and field length sums
//	SUG#<2 letters>  / <word>#<docId>       type-ahead by title-word prefix
//	SUG#~<4 letters> / <word>#<docId>       type-ahead with one typo (deletion neighbours)
package searchindex

import (
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"broadsheet/internal/dynamo"
)

// MaxTextBytes bounds the plain text kept for snippets on the DOC item (a
// snippet comes from the first MaxTextBytes of a longer article), which bounds
// the second round's read cost to 8 RCU per result at worst.
const MaxTextBytes = 32 << 10

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

func n(v int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
}

// termOf is the term of a TERM# partition key.
func termOf(pk string) string {
	term, _ := dynamo.TermOfPK(pk)
	return term
}

func getS(item map[string]types.AttributeValue, name string) string {
	if v, ok := item[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

func getN(item map[string]types.AttributeValue, name string) int64 {
	if v, ok := item[name].(*types.AttributeValueMemberN); ok {
		i, _ := strconv.ParseInt(v.Value, 10, 64)
		return i
	}
	return 0
}

func getList(item map[string]types.AttributeValue, name string) []string {
	l, ok := item[name].(*types.AttributeValueMemberL)
	if !ok {
		return nil
	}
	out := make([]string, 0, len(l.Value))
	for _, v := range l.Value {
		if sv, ok := v.(*types.AttributeValueMemberS); ok {
			out = append(out, sv.Value)
		}
	}
	return out
}

func list(vs []string) types.AttributeValue {
	l := make([]types.AttributeValue, len(vs))
	for i, v := range vs {
		l[i] = s(v)
	}
	return &types.AttributeValueMemberL{Value: l}
}

func splitWords(v string) []string { return strings.Fields(v) }
