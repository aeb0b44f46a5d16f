package apigw

import (
	"broadsheet/internal/broadsheet"
	"broadsheet/internal/cursor"
)

// OpenCursor reads the cursor parameter sealed for scope; no cursor means the first page.
func OpenCursor(c *cursor.Sealer, req Request, scope string) (map[string]string, error) {
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
func NextCursor(c *cursor.Sealer, scope string, next map[string]string) (*string, error) {
	if len(next) == 0 {
		return nil, nil
	}
	s, err := c.Seal(scope, next)
	if err != nil {
		return nil, err
	}
	return &s, nil
}
