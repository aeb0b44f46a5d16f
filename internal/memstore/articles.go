package memstore

// articleTables holds articles and what indexes them. Guarded by Store.mu.
type articleTables struct{}

func (t *articleTables) init() {}
