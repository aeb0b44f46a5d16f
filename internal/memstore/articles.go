package memstore

import "broadsheet/internal/broadsheet"

// articleTables holds articles and what indexes them. Guarded by Store.mu.
// byID and idBySlug are shared with comments.go (a comment write checks the
// article and moves its CommentCount, as the DynamoDB transaction does).
type articleTables struct {
	byID     map[string]*broadsheet.Article // stored copies: never hand one out
	idBySlug map[string]string
}

func (t *articleTables) init() {
	t.byID = map[string]*broadsheet.Article{}
	t.idBySlug = map[string]string{}
}
