package broadsheet

import (
	"testing"
	"time"
)

// publishedAt is one rule in the document and the server (openapi.yaml's
// TimestampInput): any RFC 3339 offset is accepted and stored as the same
// instant in UTC; anything else is a field error.
func TestPublishedAtAcceptsOffsetsAndStoresUTC(t *testing.T) {
	want := time.Date(2026, 11, 27, 14, 44, 26, 0, time.UTC)
	for _, tc := range []struct {
		in      string
		want    time.Time
		invalid bool
	}{
		{in: "2026-11-27T14:44:26Z", want: want},
		{in: "2026-11-27T19:44:26+05:00", want: want}, // Karachi
		{in: "2026-11-27T20:14:26+05:30", want: want}, // Delhi
		{in: "2026-11-27T15:44:26+01:00", want: want}, // Warsaw
		{in: " 2026-11-27T14:44:26Z ", want: want},    // trimmed
		{in: "2026-11-27T14:44:26.5Z", want: want.Add(500 * time.Millisecond)},
		{in: "2026-11-27 14:44:26", invalid: true}, // not RFC 3339
		{in: "2026-11-27", invalid: true},          // a date is not an instant
		{in: "27/11/2026 14:44", invalid: true},
		{in: "0001-01-01T00:00:00Z", invalid: true}, // out of range
	} {
		t.Run(tc.in, func(t *testing.T) {
			in := ArticleInput{Title: "Budget", Body: "Text.", Author: Author{Name: "Ayesha Khan"}, PublishedAt: tc.in}
			in.Normalize()
			err := in.Validate()
			if tc.invalid {
				if ErrorCode(err) != CodeValidation {
					t.Fatalf("Validate() = %v, want a validation error on publishedAt", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Validate() = %v", err)
			}
			got := in.PublishedTime()
			if !got.Equal(tc.want) || got.Location() != time.UTC {
				t.Fatalf("PublishedTime() = %v, want %v in UTC", got, tc.want)
			}
		})
	}
}
