package apigw

import (
	"broadsheet/internal/broadsheet"
)

// Sealer seals and opens list positions (cursor.Sealer). An interface here
// keeps functions that never page (Pages) from linking the cursor's secret.
type Sealer interface {
	Seal(scope string, position any) (string, error)
	Open(scope, c string, position any) error
}

// OpenCursor reads the cursor parameter sealed for scope; no cursor means the first page.
func OpenCursor(c Sealer, req Request, scope string) (map[string]string, error) {
	raw, ok := req.QueryStringParameters["cursor"]
	if !ok {
		return nil, nil
	}
	var pos map[string]string
	if err := c.Open(scope, raw, &pos); err != nil {
		return nil, broadsheet.Errorf(broadsheet.CodeInvalidCursor, "the cursor is not valid for this list; start again without it")
	}
	return pos, nil
}

// NextCursor seals the store's next position, or nil at the end of the list.
func NextCursor(c Sealer, scope string, next map[string]string) (*string, error) {
	if len(next) == 0 {
		return nil, nil
	}
	s, err := c.Seal(scope, next)
	if err != nil {
		return nil, err
	}
	return &s, nil
}
