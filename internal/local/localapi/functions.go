package localapi

import (
	"context"

	"broadsheet/internal/handlers/articles"
	"broadsheet/internal/handlers/comments"
	"broadsheet/internal/handlers/editor"
	"broadsheet/internal/handlers/indexer"
	"broadsheet/internal/handlers/pages"
	"broadsheet/internal/handlers/search"
)

// Functions lists every Lambda function's handler factory by the CodeUri
// that template.yaml gives it, so the local runtime and end-to-end tests run
// exactly the code each functions/<name>/main.go runs.
var Functions = map[string]Factory{
	"functions/articles": Typed(articles.New),
	"functions/comments": Typed(comments.New),
	"functions/editor":   Typed(editor.New),
	"functions/search":   Typed(search.New),
	"functions/indexer":  Typed(indexer.New),
	"functions/pages":    Typed(pages.New),
}

// Typed adapts a handler package's typed factory to a Factory: the package
// keeps its compile-time handler signature, the runtime takes any of them.
func Typed[H any](f func(context.Context, func(string) string) (H, error)) Factory {
	return func(ctx context.Context, getenv func(string) string) (any, error) {
		h, err := f(ctx, getenv)
		if err != nil {
			return nil, err
		}
		return h, nil
	}
}
