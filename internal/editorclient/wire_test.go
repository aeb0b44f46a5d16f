package editorclient_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"broadsheet/internal/comments"
	"broadsheet/internal/editorclient"
	"broadsheet/internal/handlers/editor"
)

// jsonNames are the JSON member names a struct type reads or writes.
func jsonNames(v any) []string {
	var out []string
	t := reflect.TypeOf(v)
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

// The client's comment types are its own (they hide the email from %v), so
// this keeps their members those of the server's: a field the editor API
// adds or renames fails here, not in an import.
func TestWireTypesMatchTheServer(t *testing.T) {
	for _, tc := range []struct {
		name           string
		client, server any
	}{
		{"Comment = editor.CommentView", editorclient.Comment{}, editor.CommentView{}},
		{"CommentInput = comments.Import", editorclient.CommentInput{}, comments.Import{}},
	} {
		if c, s := jsonNames(tc.client), jsonNames(tc.server); !slices.Equal(c, s) {
			t.Errorf("%s: client has %v, server %v", tc.name, c, s)
		}
	}
}
