package dynamo

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Index names, as template.yaml declares them.
const (
	indexBySlug   = "gsi1" // SLUG#<slug> → article; COMMENTS#<articleId> → approved comments
	indexFeed     = "gsi2" // FEED → published article summaries, newest first
	indexByStatus = "gsi3" // ASTATUS#<status> → articles; CSTATUS#<status> → comments
)

// Key prefixes. Each item type owns its prefixes; IAM policies in
// template.yaml grant writes by these prefixes (dynamodb:LeadingKeys).
const (
	prefixArticle       = "ARTICLE#"
	prefixSlug          = "SLUG#"
	prefixTag           = "TAG#"
	prefixAuthor        = "AUTHOR#"
	pkAllArticles       = "ARTICLES"
	pkFeed              = "FEED"
	prefixArticleStatus = "ASTATUS#"
	skArticle           = "ARTICLE"
	skSlug              = "SLUG"
)

// sortTime is a fixed-width UTC timestamp, so that string order is time order.
const sortTime = "2006-01-02T15:04:05.000000Z"

func timeKey(t time.Time) string { return t.UTC().Format(sortTime) }

// upTo is the largest sort key at or before t, for "published by now" key conditions.
func upTo(t time.Time) string { return timeKey(t) + "#\uffff" }

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"pk": s(pk), "sk": s(sk)}
}

// position turns a LastEvaluatedKey (all our keys are strings) into a plain
// map for sealing into a cursor, and back.
func position(k map[string]types.AttributeValue) map[string]string {
	if len(k) == 0 {
		return nil
	}
	out := make(map[string]string, len(k))
	for name, v := range k {
		if sv, ok := v.(*types.AttributeValueMemberS); ok {
			out[name] = sv.Value
		}
	}
	return out
}

func startKey(p map[string]string) map[string]types.AttributeValue {
	if len(p) == 0 {
		return nil
	}
	out := make(map[string]types.AttributeValue, len(p))
	for name, v := range p {
		out[name] = s(v)
	}
	return out
}
