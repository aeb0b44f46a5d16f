package broadsheet

import (
	"bytes"
	"encoding/json"
	"reflect"
)

// An enum field sent as "" is a mistake, not a request for the default:
// absent (or null) means the default, "" is a 400 naming the field, so that
// nothing an editor sent is silently replaced.

// UnmarshalJSON refuses an empty article status.
func (s *Status) UnmarshalJSON(b []byte) error {
	v, err := enumString(b, "status", "draft or published")
	if err == nil && v != nil {
		*s = Status(*v)
	}
	return err
}

// UnmarshalJSON refuses an empty comment status.
func (s *CommentStatus) UnmarshalJSON(b []byte) error {
	v, err := enumString(b, "status", "pending, approved, spam or rejected")
	if err == nil && v != nil {
		*s = CommentStatus(*v)
	}
	return err
}

// enumString decodes a JSON string enum value: nil for null, an error for
// "" or a value that is not a string.
func enumString(b []byte, field, allowed string) (*string, error) {
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		return nil, nil
	}
	var v string
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, &json.UnmarshalTypeError{Value: "non-string", Type: reflect.TypeFor[string]()} // the decoder adds the field path
	}
	if v == "" {
		return nil, &Error{Code: CodeValidation, Message: field + " must be " + allowed + ", not empty",
			Fields: map[string]string{field: "must be " + allowed}}
	}
	return &v, nil
}
