package memstore

// commentTables holds comments and what guards their writes. Guarded by Store.mu.
type commentTables struct{}

func (t *commentTables) init() {}
