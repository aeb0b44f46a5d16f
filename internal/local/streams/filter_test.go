package streams

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	stypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
)

func TestFilter(t *testing.T) {
	const event = `{"eventName":"MODIFY","dynamodb":{"Keys":{"pk":{"S":"ARTICLE#1"},"sk":{"S":"v0"}},
	  "NewImage":{"status":{"S":"published"},"n":{"N":"42"},"tags":{"SS":["a","b"]}}}}`
	var ev map[string]any
	if err := json.Unmarshal([]byte(event), &ev); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		pattern string
		want    bool
	}{
		{`{"dynamodb": {"Keys": {"pk": {"S": [{"prefix": "ARTICLE#"}]}}}}`, true},
		{`{"dynamodb": {"Keys": {"pk": {"S": [{"prefix": "COMMENT#"}]}}}}`, false},
		{`{"dynamodb": {"Keys": {"missing": {"S": [{"prefix": "A"}]}}}}`, false},
		{`{"eventName": ["INSERT", "MODIFY"]}`, true},
		{`{"eventName": ["REMOVE"]}`, false},
		{`{"eventName": [{"anything-but": ["REMOVE"]}]}`, true},
		{`{"eventName": [{"anything-but": "MODIFY"}]}`, false},
		{`{"eventName": [{"equals-ignore-case": "modify"}]}`, true},
		{`{"dynamodb": {"Keys": {"pk": {"S": [{"suffix": "#1"}]}}}}`, true},
		{`{"dynamodb": {"NewImage": {"status": {"S": ["published"]}}}}`, true},
		{`{"dynamodb": {"OldImage": [{"exists": false}]}}`, true},
		{`{"dynamodb": {"NewImage": [{"exists": true}]}}`, true},
		{`{"dynamodb": {"NewImage": {"n": {"N": [{"numeric": [">", 40, "<=", 42]}]}}}}`, true},
		{`{"dynamodb": {"NewImage": {"n": {"N": [{"numeric": [">", 42]}]}}}}`, false},
		{`{"dynamodb": {"NewImage": {"tags": {"SS": ["b"]}}}}`, true},
		{`{"dynamodb": {"NewImage": {"tags": {"SS": ["c"]}}}}`, false},
	}
	for _, tc := range tests {
		f, err := ParseFilter(tc.pattern)
		if err != nil {
			t.Fatalf("%s: %v", tc.pattern, err)
		}
		if got := f.Match(ev); got != tc.want {
			t.Errorf("%s: match = %v, want %v", tc.pattern, got, tc.want)
		}
	}
	for _, bad := range []string{`not json`, `{"a": "scalar"}`, `{"a": [{"regex": "x"}]}`} {
		if _, err := ParseFilter(bad); err == nil {
			t.Errorf("ParseFilter(%s) accepted", bad)
		}
	}
}

func TestToEventRecordJSON(t *testing.T) {
	ts := time.Unix(1_800_000_000, 500_000_000)
	rec := stypes.Record{
		AwsRegion: aws.String("ddblocal"), EventID: aws.String("e1"), EventName: stypes.OperationTypeModify,
		EventSource: aws.String("aws:dynamodb"), EventVersion: aws.String("1.1"),
		Dynamodb: &stypes.StreamRecord{
			ApproximateCreationDateTime: &ts,
			Keys:                        map[string]stypes.AttributeValue{"pk": &stypes.AttributeValueMemberS{Value: "ARTICLE#1"}},
			NewImage: map[string]stypes.AttributeValue{
				"n": &stypes.AttributeValueMemberN{Value: "1"}, "b": &stypes.AttributeValueMemberBOOL{Value: true},
				"l":   &stypes.AttributeValueMemberL{Value: []stypes.AttributeValue{&stypes.AttributeValueMemberS{Value: "x"}, &stypes.AttributeValueMemberNULL{Value: true}}},
				"m":   &stypes.AttributeValueMemberM{Value: map[string]stypes.AttributeValue{"ss": &stypes.AttributeValueMemberSS{Value: []string{"a"}}}},
				"bin": &stypes.AttributeValueMemberB{Value: []byte("hi")},
			},
			OldImage:       map[string]stypes.AttributeValue{"n": &stypes.AttributeValueMemberN{Value: "0"}},
			SequenceNumber: aws.String("000001"), SizeBytes: aws.Int64(42), StreamViewType: stypes.StreamViewTypeNewAndOldImages,
		},
	}
	b, err := json.Marshal(ToEventRecord(rec, "arn:stream", "eu-west-1"))
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"awsRegion":"eu-west-1","dynamodb":{"ApproximateCreationDateTime":1800000000,"Keys":{"pk":{"S":"ARTICLE#1"}},` +
		`"NewImage":{"b":{"BOOL":true},"bin":{"B":"aGk="},"l":{"L":[{"S":"x"},{"NULL":true}]},"m":{"M":{"ss":{"SS":["a"]}}},"n":{"N":"1"}},` +
		`"OldImage":{"n":{"N":"0"}},"SequenceNumber":"000001","SizeBytes":42,"StreamViewType":"NEW_AND_OLD_IMAGES"},` +
		`"eventID":"e1","eventName":"MODIFY","eventSource":"aws:dynamodb","eventVersion":"1.1","eventSourceARN":"arn:stream"}`
	if string(b) != want {
		t.Fatalf("got\n%s\nwant\n%s", b, want)
	}
}
