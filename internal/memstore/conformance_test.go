package memstore_test

import (
	"testing"

	"broadsheet/internal/memstore"
	"broadsheet/internal/testkit/storetest"
)

// TestConformance runs the store contract on the memory store: no Java, milliseconds.
func TestConformance(t *testing.T) {
	t.Run("articles", func(t *testing.T) {
		storetest.RunArticles(t, func(t *testing.T) storetest.ArticleStore { return memstore.New() })
	})
	t.Run("comments", func(t *testing.T) {
		storetest.RunComments(t, func(t *testing.T) storetest.CommentStore { return memstore.New() })
	})
}
