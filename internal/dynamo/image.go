package dynamo

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"broadsheet/internal/broadsheet"
)

// ArticleIDOfKeys returns the article id of a stream record's keys, and
// false for the keys of any other item.
func ArticleIDOfKeys(keys map[string]events.DynamoDBAttributeValue) (string, bool) {
	pk, sk := keys["pk"], keys["sk"]
	if pk.DataType() != events.DataTypeString || sk.DataType() != events.DataTypeString || sk.String() != skArticle {
		return "", false
	}
	id, ok := strings.CutPrefix(pk.String(), prefixArticle)
	return id, ok && id != ""
}

// ArticleFromImage decodes a stream image (NewImage or OldImage) of an article
// item with the articleItem the store writes, so the store and its stream
// readers cannot disagree on an attribute's name. The image must carry the
// version (it orders an article's changes) and a readable publishedAt.
func ArticleFromImage(img map[string]events.DynamoDBAttributeValue) (*broadsheet.Article, error) {
	item, err := ItemFromImage(img)
	if err != nil {
		return nil, err
	}
	var it articleItem
	if err := attributevalue.UnmarshalMap(item, &it); err != nil {
		return nil, fmt.Errorf("article image: %w", err)
	}
	if it.PK != prefixArticle+it.ID || it.SK != skArticle {
		return nil, fmt.Errorf("article image: keys %q/%q are not those of article %q", it.PK, it.SK, it.ID)
	}
	if _, ok := item["version"]; !ok {
		return nil, errors.New("article image: version missing")
	}
	if it.PublishedAt != "" {
		if _, err := time.Parse(time.RFC3339Nano, it.PublishedAt); err != nil {
			return nil, fmt.Errorf("article image: publishedAt: %w", err)
		}
	}
	return it.article(), nil
}

// ItemFromImage converts a stream image into the SDK's attribute values, the
// form attributevalue unmarshals.
func ItemFromImage(img map[string]events.DynamoDBAttributeValue) (map[string]types.AttributeValue, error) {
	out := make(map[string]types.AttributeValue, len(img))
	for name, v := range img {
		av, err := attributeValue(v)
		if err != nil {
			return nil, fmt.Errorf("attribute %s: %w", name, err)
		}
		out[name] = av
	}
	return out, nil
}

func attributeValue(v events.DynamoDBAttributeValue) (types.AttributeValue, error) {
	switch v.DataType() {
	case events.DataTypeString:
		return &types.AttributeValueMemberS{Value: v.String()}, nil
	case events.DataTypeNumber:
		return &types.AttributeValueMemberN{Value: v.Number()}, nil
	case events.DataTypeBinary:
		return &types.AttributeValueMemberB{Value: v.Binary()}, nil
	case events.DataTypeBoolean:
		return &types.AttributeValueMemberBOOL{Value: v.Boolean()}, nil
	case events.DataTypeNull:
		return &types.AttributeValueMemberNULL{Value: true}, nil
	case events.DataTypeStringSet:
		return &types.AttributeValueMemberSS{Value: v.StringSet()}, nil
	case events.DataTypeNumberSet:
		return &types.AttributeValueMemberNS{Value: v.NumberSet()}, nil
	case events.DataTypeBinarySet:
		return &types.AttributeValueMemberBS{Value: v.BinarySet()}, nil
	case events.DataTypeList:
		l := make([]types.AttributeValue, len(v.List()))
		for i, e := range v.List() {
			av, err := attributeValue(e)
			if err != nil {
				return nil, err
			}
			l[i] = av
		}
		return &types.AttributeValueMemberL{Value: l}, nil
	case events.DataTypeMap:
		m, err := ItemFromImage(v.Map())
		if err != nil {
			return nil, err
		}
		return &types.AttributeValueMemberM{Value: m}, nil
	}
	return nil, fmt.Errorf("unknown attribute type %v", v.DataType())
}
