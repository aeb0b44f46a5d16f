// Package functions lists every Lambda function's handler factory by the
// CodeUri that template.yaml gives it, so the local runtime and end-to-end
// tests run exactly the code each functions/<name>/main.go runs.
package functions

import (
	"broadsheet/internal/handlers/articles"
	"broadsheet/internal/handlers/comments"
	"broadsheet/internal/handlers/editor"
	"broadsheet/internal/handlers/indexer"
	"broadsheet/internal/handlers/search"
	"broadsheet/internal/localapi"
)

// ByCodeUri maps CodeUri to factory.
var ByCodeUri = map[string]localapi.Factory{
	"functions/articles": articles.New,
	"functions/comments": comments.New,
	"functions/editor":   editor.New,
	"functions/search":   search.New,
	"functions/indexer":  indexer.New,
}
